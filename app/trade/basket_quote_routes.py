"""Basket quote views: ask one seller for a price for all their lots in the basket, the quote page
for both parties (answer with a price per lot, accept, decline, withdraw) and the list of quotes.

Only the two parties see a quote; anyone else gets 404, on the page and on every POST. Every
action is a plain form with Post/Redirect/Get; refusals are the 409 page with the reason.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.errors import DomainError
from app.extensions import db
from app.members.services import ensure_can_write
from app.trade import basket_quotes, baskets, bp
from app.trade.errors import TradeInvalid
from app.trade.forms import OrderActionForm, basket_price_form
from app.trade.route_helpers import attach_error, member


def _party_quote(quote_id: int):
    quote = basket_quotes.quote_for_party(quote_id, member())
    if quote is None:
        abort(404)
    return quote


def _group_or_404(seller_id: int):
    group = next((g for g in baskets.basket_groups(member().id) if g.seller.id == seller_id), None)
    if group is None:
        abort(404)
    return group


@bp.route("/basket/sellers/<int:seller_id>/quote", methods=["GET", "POST"])
@login_required
def request_basket_quote(seller_id: int):
    """The buyer asks one seller for a price for all their lots in the basket."""
    ensure_can_write(member())
    group = _group_or_404(seller_id)
    form = basket_price_form([item.id for item in group.items], required=False, delivery_options=group.delivery_choices)
    if form.validate_on_submit():
        asked = {item.id: getattr(form, f"price_{item.id}").number for item in group.items}
        try:
            quote = basket_quotes.request_quote(member(), seller_id, form.delivery.data, asked, form.message.data or "")
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your price request was sent to the seller."))
            return redirect(url_for("trade.show_basket_quote", quote_id=quote.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("trade/basket_quote_request.html", group=group, form=form), status


def _quote_page(quote, answer_form=None, status: int = 200):
    viewer = member()
    actions = basket_quotes.available_actions(quote, viewer)
    if "answer" in actions and answer_form is None:
        answer_form = basket_price_form([line.id for line in quote.lines], required=True, formdata=None)
        for line in quote.lines:
            getattr(answer_form, f"price_{line.id}").process_data(line.asked_price or line.posting.price)
    return render_template(
        "trade/basket_quote.html",
        quote=quote,
        actions=actions,
        answer_form=answer_form,
        action_form=OrderActionForm(formdata=None),
        role="seller" if viewer.id == quote.seller_id else "buyer",
    ), status


@bp.get("/basket-quotes")
@login_required
def my_basket_quotes():
    return render_template("trade/basket_quotes.html", quotes=basket_quotes.quotes_of(member().id))


@bp.get("/basket-quotes/<int:quote_id>")
@login_required
def show_basket_quote(quote_id: int):
    return _quote_page(_party_quote(quote_id))


@bp.post("/basket-quotes/<int:quote_id>/answer")
@login_required
def answer_basket_quote(quote_id: int):
    quote = _party_quote(quote_id)
    form = basket_price_form([line.id for line in quote.lines], required=True)
    if form.validate_on_submit():
        prices = {line.id: getattr(form, f"price_{line.id}").number for line in quote.lines}
        try:
            basket_quotes.answer_quote(quote, member(), prices, form.message.data or "")
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your prices were sent to the buyer."))
            return redirect(url_for("trade.show_basket_quote", quote_id=quote.id), 303)
    reason = basket_quotes.refusal(quote, "answer", member())
    if reason is not None:
        raise DomainError(reason)
    return _quote_page(quote, answer_form=form, status=422)


@bp.post("/basket-quotes/<int:quote_id>/accept")
@login_required
def accept_basket_quote(quote_id: int):
    quote = _party_quote(quote_id)
    order = basket_quotes.accept_quote(quote, member())
    db.session.commit()
    flash(_("Prices accepted. Order %(number)s was placed.", number=order.number))
    return redirect(url_for("trade.show_order", order_id=order.id), 303)


@bp.post("/basket-quotes/<int:quote_id>/decline")
@login_required
def decline_basket_quote(quote_id: int):
    quote = _party_quote(quote_id)
    basket_quotes.decline_quote(quote, member())
    db.session.commit()
    flash(_("You declined. The price request is closed."))
    return redirect(url_for("trade.show_basket_quote", quote_id=quote.id), 303)


@bp.post("/basket-quotes/<int:quote_id>/withdraw")
@login_required
def withdraw_basket_quote(quote_id: int):
    quote = _party_quote(quote_id)
    basket_quotes.withdraw_quote(quote, member())
    db.session.commit()
    flash(_("You withdrew your price request."))
    return redirect(url_for("trade.show_basket_quote", quote_id=quote.id), 303)
