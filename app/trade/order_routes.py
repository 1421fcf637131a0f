"""Order views: lists for buyers and sellers, the order page with its timeline and actions,
disputes (opened by the buyer, resolved by an admin), the printable delivery note, reviews.

Only the buyer and the seller (and admins, who may read and resolve disputes) see an order;
everyone else gets 404 on every route, GET or POST.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members import payees
from app.trade import bp, disputes, orders, queries, reviews
from app.trade.errors import TradeInvalid
from app.trade.forms import DisputeForm, OrderActionForm, ResolveDisputeForm, ReviewForm
from app.trade.models import OrderStatus
from app.trade.qr import qr_svg
from app.trade.route_helpers import attach_error, member
from app.web.decorators import admin_required

ORDER_FILTERS = tuple(status.value for status in OrderStatus)


def _visible_order(order_id: int):
    """The order for a party or an admin; 404 for anyone else."""
    order = queries.order_for_page(order_id)
    if order is None or not (order.is_party(current_user) or current_user.is_admin):
        abort(404)
    return order


def _party_order(order_id: int):
    order = _visible_order(order_id)
    if not order.is_party(current_user):
        abort(403)
    return order


@bp.get("/orders")
@login_required
def my_orders():
    role = request.args.get("role")
    role = role if role in queries.ORDER_ROLES else None
    status = request.args.get("status")
    status = status if status in ORDER_FILTERS else None
    pagination = db.paginate(
        queries.member_orders(current_user.id, role, status),
        per_page=current_app.config["ORDERS_PER_PAGE"],
        error_out=False,
    )
    return render_template("trade/orders.html", pagination=pagination, role=role, status=status, statuses=ORDER_FILTERS)


def _order_page(order, status: int = 200, **forms):
    viewer = member()
    now = utcnow()
    payee = payees.payee_for_order_page(
        order.seller_id,
        viewer_is_buyer=order.role_of(viewer) == "buyer",
        order_confirmed=orders.payee_shown_to(order, viewer),
    )
    seller_payee = payees.payee_of(order.seller_id) if order.role_of(viewer) == "seller" else None
    shown = payee or seller_payee
    own_review = reviews.own_review(order, viewer) if order.is_party(viewer) else None
    context = {
        "order": order,
        "role": order.role_of(viewer),
        "actions": orders.available_actions(order, viewer, now),
        "steps": orders.STEPS,
        "action_form": forms.get("action_form") or OrderActionForm(formdata=None),
        "can_dispute": disputes.dispute_refusal(order, viewer, now) is None,
        "dispute_form": forms.get("dispute_form") or DisputeForm(formdata=None),
        "dispute_deadline": orders.dispute_deadline(order) if order.delivered_at else None,
        "resolve_form": forms.get("resolve_form") or ResolveDisputeForm(formdata=None),
        "can_review": order.is_party(viewer) and reviews.review_refusal(order, viewer, now) is None,
        "own_review": own_review,
        # Checked here, on the server, for every render of the page (payments' 422 too).
        "payee": payee,
        "seller_payee": seller_payee,
        # Whether the account holder is the verified member: only with a payee this viewer may see.
        "holder_check": payees.holder_check(order.seller, shown) if shown else None,
    }
    return render_template("trade/order.html", **context), status


@bp.get("/orders/<int:order_id>")
@login_required
def show_order(order_id: int):
    return _order_page(_visible_order(order_id))


@bp.post("/orders/<int:order_id>/step")
@login_required
def change_order_status(order_id: int):
    """Confirm, record payment, ship, deliver, complete or cancel; illegal steps are 409."""
    order = _party_order(order_id)
    form = OrderActionForm()
    if not form.validate_on_submit():
        if form.action.errors:
            abort(400)
        return _order_page(order, 422, action_form=form)
    try:
        orders.change_order_status(order, form.action.data, member(), form.note.data or "")
    except TradeInvalid as error:
        attach_error(form, error)
        return _order_page(order, 422, action_form=form)
    db.session.commit()
    flash(_("The order is now %(status)s.", status=orders.status_label(order.status)))
    return redirect(url_for("trade.show_order", order_id=order.id), 303)


@bp.post("/orders/<int:order_id>/dispute")
@login_required
def open_dispute(order_id: int):
    order = _party_order(order_id)
    form = DisputeForm()
    if form.validate_on_submit():
        try:
            disputes.open_dispute(order, member(), form.reason.data)
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your dispute was opened. An admin will look at it."))
            return redirect(url_for("trade.show_order", order_id=order.id), 303)
    return _order_page(order, 422, dispute_form=form)


@bp.post("/orders/<int:order_id>/resolve")
@login_required
def resolve_dispute(order_id: int):
    order = _visible_order(order_id)
    if not current_user.is_admin:
        abort(403)
    form = ResolveDisputeForm()
    if form.validate_on_submit():
        try:
            disputes.resolve_dispute(
                order, member(), form.outcome.data, form.refund_amount.number, form.note.data or ""
            )
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The dispute was resolved."))
            return redirect(url_for("trade.show_order", order_id=order.id), 303)
    return _order_page(order, 422, resolve_form=form)


@bp.get("/admin/disputes")
@admin_required
def dispute_queue():
    pagination = db.paginate(queries.disputed_orders(), per_page=current_app.config["ORDERS_PER_PAGE"], error_out=False)
    return render_template("trade/disputes.html", pagination=pagination)


@bp.get("/orders/<int:order_id>/print")
@login_required
def delivery_note(order_id: int):
    """Printable delivery note and invoice with a QR code that opens the public trace page."""
    order = _visible_order(order_id)
    trace_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("trade.trace_lot", lot_code=order.lot_code)
    qr = qr_svg(trace_url, _("QR code linking to the trace page of lot %(code)s", code=order.lot_code))
    return render_template("trade/document.html", order=order, trace_url=trace_url, qr=qr)


@bp.route("/orders/<int:order_id>/review", methods=["GET", "POST"])
@login_required
def review_order(order_id: int):
    """Write or edit the member's review of the other party of a completed order."""
    order = _party_order(order_id)
    existing = reviews.own_review(order, member())
    refused = reviews.review_refusal(order, member())
    if refused is not None:
        raise DomainError(refused)
    form = ReviewForm(obj=existing) if request.method == "GET" else ReviewForm()
    if form.validate_on_submit():
        try:
            reviews.write_review(order, member(), form.rating.data, form.comment.data)
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. Your review was saved."))
            return redirect(url_for("trade.show_order", order_id=order.id), 303)
    status = 422 if request.method == "POST" else 200
    deadline = reviews.edit_deadline(existing) if existing else None
    return render_template("trade/review.html", order=order, form=form, existing=existing, deadline=deadline), status
