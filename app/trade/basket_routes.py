"""Basket views (购物车): add a lot from the posting page, change or remove it, and check out one
order per seller.

Only the buyer sees and changes their basket: items are looked up through the signed-in member
(404 for anyone else's). Without JavaScript every action is a plain form with Post/Redirect/Get;
with htmx the add-to-basket form on the posting page swaps itself for a short confirmation.
Checkout commits each seller's order in its own transaction, so one seller's sold-out lot does not
stop the orders from the others.
"""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.extensions import db
from app.members.services import ensure_can_write
from app.trade import baskets, bp
from app.trade.errors import TradeInvalid
from app.trade.forms import BasketQuantityForm
from app.trade.route_helpers import attach_error, member
from app.trade.routes import _posting_or_404
from app.web.htmx import wants_fragment


def _basket_page(status: int = 200, errors: dict | None = None, forms: dict | None = None):
    groups = baskets.basket_groups(member().id)
    quantity_forms = forms or {}
    for group in groups:
        for item in group.items:
            if item.id not in quantity_forms:
                form = BasketQuantityForm(formdata=None, prefix=f"item-{item.id}")
                form.quantity.process_data(item.quantity)
                quantity_forms[item.id] = form
    return render_template(
        "trade/basket.html",
        groups=groups,
        quantity_forms=quantity_forms,
        checkout_key=secrets.token_urlsafe(18),
        errors=errors or {},
    ), status


@bp.get("/basket")
@login_required
def show_basket():
    return _basket_page()


@bp.post("/p/<int:posting_id>/basket")
@login_required
def add_to_basket(posting_id: int):
    """Put a quantity of a fixed-price sell offer in the basket (the posting page's form)."""
    posting = _posting_or_404(posting_id)
    ensure_can_write(member())
    form = BasketQuantityForm()
    if form.validate_on_submit():
        try:
            baskets.add_to_basket(member(), posting, form.quantity.number)
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            if wants_fragment():
                return render_template("trade/_partials/_basket_added.html", posting=posting)
            flash(_("%(title)s is in your basket.", title=posting.title))
            return redirect(url_for("trade.show_basket"), 303)
    template = "trade/_partials/_basket_form.html" if wants_fragment() else "trade/basket_add.html"
    return render_template(template, posting=posting, basket_form=form), 422


@bp.post("/basket/items/<int:item_id>")
@login_required
def change_basket_item(item_id: int):
    """Change a lot's quantity (``action=update``) or take it out (``action=remove``)."""
    buyer = member()
    item = baskets.own_item(buyer, item_id)
    if item is None:
        abort(404)
    if request.form.get("action") == "remove":
        baskets.remove_item(buyer, item)
        db.session.commit()
        flash(_("Removed from your basket."))
        return redirect(url_for("trade.show_basket"), 303)
    form = BasketQuantityForm(prefix=f"item-{item.id}")
    if form.validate_on_submit():
        try:
            baskets.change_quantity(buyer, item, form.quantity.number)
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Quantity changed."))
            return redirect(url_for("trade.show_basket"), 303)
    return _basket_page(422, forms={item.id: form})


@bp.post("/basket/checkout")
@login_required
def checkout_basket():
    """Place one order per seller (or only for the seller whose button was pressed)."""
    buyer = member()
    ensure_can_write(buyer)
    key = request.form.get("checkout_key", "")
    chosen = request.form.get("seller", type=int)
    seller_ids = [group.seller.id for group in baskets.basket_groups(buyer.id)]
    if chosen is not None:
        seller_ids = [seller_id for seller_id in seller_ids if seller_id == chosen]
    placed, errors = [], {}
    for seller_id in seller_ids:
        delivery = request.form.get(f"delivery-{seller_id}", "")
        try:
            order, _created = baskets.place_basket_order(buyer, seller_id, delivery, key)
            db.session.commit()
            placed.append(order)
        except (DomainError, TradeInvalid, IntegrityError) as error:
            db.session.rollback()
            # A double submit: the other request placed this seller's order with the same key.
            existing = baskets.order_for_checkout(key, seller_id)
            if existing is not None:
                placed.append(existing)
            else:
                errors[seller_id] = getattr(error, "message", None) or _("Something changed. Try again.")
    if not seller_ids:
        # Nothing left to order: a repeated submit finds what this page's checkout already placed.
        placed = [
            order for order in baskets.orders_for_checkout(key, buyer.id) if chosen is None or order.seller_id == chosen
        ]
        if not placed:
            flash(_("Your basket is empty."))
            return redirect(url_for("trade.show_basket"), 303)
    if errors:
        for order in placed:
            flash(_("Order %(number)s was placed. The seller will confirm it.", number=order.number))
        return _basket_page(409, errors=errors)
    if len(placed) == 1:
        flash(_("Order %(number)s was placed. The seller will confirm it.", number=placed[0].number))
        return redirect(url_for("trade.show_order", order_id=placed[0].id), 303)
    flash(_("%(n)s orders were placed, one per seller. Each seller will confirm theirs.", n=len(placed)))
    return redirect(url_for("trade.my_orders", role="buying"), 303)
