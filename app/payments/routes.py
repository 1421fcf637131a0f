"""Payment actions on the order page: the buyer chooses how to pay (stripe redirects to its
Checkout; manual shows instructions and takes the transfer reference), the seller or an admin
records the reference of a refund made by hand. The ledger itself is shown by the order page
through the ``payment_panel`` template global.

Only the parties (and admins) see an order; everyone else gets 404 on every route.
"""

from __future__ import annotations

import re

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.logistics.acceptance import amount_due
from app.payments import bp, services
from app.payments.device import pay_on
from app.payments.errors import PaymentInvalid
from app.payments.forms import RefundReferenceForm, StartPaymentForm, TransferReferenceForm
from app.payments.models import Attention, EntryKind, EntryStatus, LedgerEntry, Payment
from app.payments.providers import enabled_names
from app.payments.providers.base import ProviderError, registered
from app.payments.providers.manual import ManualProvider
from app.trade import order_routes, queries
from app.trade.qr import qr_svg
from app.trade.route_helpers import member
from app.web.decorators import admin_required


def _visible_order(order_id: int):
    order = queries.order_for_page(order_id)
    if order is None or not (order.is_party(current_user) or current_user.is_admin):
        abort(404)
    return order


def _order_url(order) -> str:
    return url_for("trade.show_order", order_id=order.id, _anchor="payment")


def _rerender(order, **forms):
    """The order page again with the payment form's errors beside its fields (422)."""
    g.payment_forms = forms
    return order_routes._order_page(order, 422)


def _attach(form, error: PaymentInvalid) -> None:
    field = getattr(form, error.field, None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]


@bp.post("/orders/<int:order_id>/payment")
@login_required
def start_payment(order_id: int):
    """The buyer chooses a payment method: stripe redirects to Checkout, manual shows instructions."""
    order = _visible_order(order_id)
    form = _start_form()
    if form.validate_on_submit():
        provider_class = registered().get(form.provider.data)
        endpoint = "payments.payment_return" if provider_class and provider_class.return_checks else "trade.show_order"
        return_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, order_id=order.id)
        try:
            start = services.start_payment(
                order,
                member(),
                form.provider.data,
                return_url,
                _device(form.device.data, form.provider.data),
                get_remote_address(),
            )
        except PaymentInvalid as error:
            _attach(form, error)
        else:
            db.session.commit()
            if start.redirect_url:
                return redirect(start.redirect_url, 303)
            return redirect(_order_url(order), 303)
    return _rerender(order, start_form=form)


@bp.post("/orders/<int:order_id>/payment/check")
@login_required
def check_payment(order_id: int):
    """Ask the payment service whether the money has arrived (when its notification is late)."""
    order = _visible_order(order_id)
    paid = services.check_payment(order, member())
    db.session.commit()
    flash(_("The payment has been received.") if paid else _("The payment service has not received the money yet."))
    return redirect(_order_url(order), 303)


@bp.post("/orders/<int:order_id>/payment/reference")
@login_required
def record_transfer_reference(order_id: int):
    """The buyer records how they paid by hand; the seller then records the payment as received."""
    order = _visible_order(order_id)
    form = TransferReferenceForm()
    if form.validate_on_submit():
        try:
            services.record_transfer_reference(order, member(), form.method.data, form.reference.data)
        except PaymentInvalid as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. The seller will confirm when the money has arrived."))
            return redirect(_order_url(order), 303)
    return _rerender(order, reference_form=form)


@bp.post("/orders/<int:order_id>/payment/refunds/<int:entry_id>")
@login_required
def record_refund_reference(order_id: int, entry_id: int):
    """The seller or an admin records the reference of a refund made by hand."""
    order = _visible_order(order_id)
    entry = _refund_entry_of(order, entry_id)
    form = RefundReferenceForm()
    if form.validate_on_submit():
        try:
            if entry.status == EntryStatus.FAILED.value:
                services.replace_failed_refund(entry, member(), form.reference.data)
            else:
                services.record_refund_reference(entry, member(), form.reference.data)
        except PaymentInvalid as error:
            _attach(form, error)
        else:
            db.session.commit()
            flash(_("The refund was recorded."))
            return redirect(_order_url(order), 303)
    return _rerender(order, refund_forms={entry.id: form})


@bp.post("/orders/<int:order_id>/payment/refunds/<int:entry_id>/again")
@admin_required
def send_failed_refund_again(order_id: int, entry_id: int):
    """An admin sends a refund the payment service would not make again, as a new refund."""
    order = _visible_order(order_id)
    entry = _refund_entry_of(order, entry_id)
    new = services.replace_failed_refund(entry, member())
    db.session.commit()
    if new is None:
        flash(_("Nothing is left to refund."))
    elif new.status == EntryStatus.SUCCEEDED.value:
        flash(_("The refund was made."))
    elif new.status == EntryStatus.FAILED.value:
        flash(_("The payment service refused the refund again. Refund it by hand and record the reference."))
    else:
        flash(_("The refund was sent; it shows as pending until the payment service has made it."))
    return redirect(_order_url(order), 303)


PHONE_AGENT = re.compile(r"Mobile|Android|iPhone|iPad|iPod|HarmonyOS|MicroMessenger|Windows Phone", re.IGNORECASE)
MAX_RETURN_CHECKS = 10


def _device(choice: str | None, provider_name: str) -> str:
    """ "desktop" or "phone": the buyer's choice of Alipay checkout, else the order page's (the
    WeChat Pay switch link, ``pay_on``), else what the browser says it is (app/payments/device.py;
    for WeChat Pay its own guess, which keeps WeChat's browser on the QR code: H5 is refused there)."""
    if choice in ("desktop", "phone"):
        return choice
    if request.values.get("pay_on") or provider_name == "wechatpay":
        return pay_on()
    return "phone" if PHONE_AGENT.search(request.headers.get("User-Agent", "")) else "desktop"


@bp.get("/orders/<int:order_id>/payment/return")
@login_required
def payment_return(order_id: int):
    """Where the provider's checkout sends the buyer back. The address's parameters are never
    trusted: the provider is asked (services.check_payment). Paid → the order page; not yet → a
    "checking your payment" page that looks again by itself (meta refresh, no JavaScript) a few
    times and links back to the order."""
    order = _visible_order(order_id)
    provider_class = registered().get(order.payment.provider) if order.payment else None
    if provider_class is None or not provider_class.return_checks:
        return redirect(_order_url(order), 303)
    checks = min(request.args.get("check", 1, type=int) or 1, MAX_RETURN_CHECKS)
    failed = False
    try:
        paid = services.check_payment_on_return(order)
    except ProviderError as error:
        current_app.logger.warning("payment check for order %s failed: %s", order.id, error)
        db.session.rollback()
        paid, failed = False, True
    except services.AmountMismatch:
        db.session.commit()
        flash(_("The payment service reported another amount than this order's. An admin will check it."))
        return redirect(_order_url(order), 303)
    db.session.commit()
    if paid:
        flash(_("Your payment has been received. Thank you."))
        return redirect(_order_url(order), 303)
    again = (
        url_for("payments.payment_return", order_id=order.id, check=checks + 1) if checks < MAX_RETURN_CHECKS else None
    )
    response = current_app.make_response(
        render_template("payments/checking.html", order=order, again=again, failed=failed)
    )
    if again:
        response.headers["Refresh"] = f"3; url={again}"
    return response


def _start_form(formdata=None) -> StartPaymentForm:
    form = StartPaymentForm() if formdata is None else StartPaymentForm(formdata=formdata)
    providers = registered()
    form.provider.choices = [SelectChoice(name, providers[name].label) for name in enabled_names(current_app.config)]
    if len(form.provider.choices) == 1 and not form.provider.data:
        form.provider.data = form.provider.choices[0].value
    return form


@bp.app_template_global("payment_panel")
def payment_panel(order) -> dict:
    """What the order page's payment section shows to the signed-in viewer."""
    viewer = member()
    payment = order.payment
    forms = getattr(g, "payment_forms", {})
    provider = payment.provider if payment else None
    role = order.role_of(viewer)
    can_start = services.start_refusal(order, viewer) is None and bool(enabled_names(current_app.config))
    pending_manual_refunds = [
        e
        for e in (payment.entries if payment else [])
        if e.kind == EntryKind.REFUND.value and e.status == EntryStatus.PENDING.value and provider == "manual"
    ]
    can_record_refund = bool(pending_manual_refunds) and (viewer.is_admin or role == "seller")
    failed_refunds = [e for e in (payment.entries if payment and viewer.is_admin else []) if e.is_open_failure]
    enabled = enabled_names(current_app.config)
    waiting_for_provider = (
        payment is not None and provider == "wechatpay" and not payment.is_paid and bool(payment.checkout_reference)
    )
    device = pay_on()
    return {
        "payment": payment,
        "entries": payment.entries if payment else [],
        "role": role,
        "can_start": can_start,
        "start_form": forms.get("start_form") or (_start_form(formdata=None) if can_start else None),
        "device_choice": "alipay" in enabled,
        "manual_chosen": provider == "manual"
        or "reference_form" in forms
        or enabled_names(current_app.config) == ["manual"],
        "reference_form": forms.get("reference_form") or TransferReferenceForm(formdata=None),
        "instructions": ManualProvider.instructions(order),
        "qr": qr_svg(payment.pay_url, _("QR code to pay order %(number)s with WeChat Pay", number=order.number))
        if waiting_for_provider and payment.pay_url and role == "buyer"
        else None,
        "qr_amount": amount_due(order),
        "can_check": waiting_for_provider and role in ("buyer", "seller"),
        "offers_wechat": "wechatpay" in enabled_names(current_app.config),
        "pay_on": device,
        "other_pay_on": "desktop" if device == "phone" else "phone",
        "refund_forms": {
            e.id: forms.get("refund_forms", {}).get(e.id) or RefundReferenceForm(formdata=None)
            for e in (pending_manual_refunds if can_record_refund else []) + failed_refunds
        },
        "failed_refunds": {e.id for e in failed_refunds},
    }


@bp.app_template_global("refund_progress")
def refund_progress(order) -> str:
    """Where the order's refunds stand, for the dispute's outcome on the order page: "" when there
    are none, else failed (an open failure), pending (any not yet made) or made."""
    payment = order.payment
    refunds = [e for e in (payment.entries if payment else []) if e.kind == EntryKind.REFUND.value]
    if not refunds:
        return ""
    if any(e.is_open_failure for e in refunds):
        return _("refund failed, an admin is dealing with it")
    if any(e.status == EntryStatus.PENDING.value for e in refunds):
        return _("refund pending")
    return _("refund made")


LABELS = {
    "pending": _l("pending"),
    "claimed": _l("reported by the buyer, not yet confirmed"),
    "paid": _l("paid"),
    "part_refund": _l("partly refunded"),
    "refunded": _l("refunded"),
    "review": _l("received, does not make the order paid"),
    "succeeded": _l("done"),
    "failed": _l("failed"),
    "charge": _l("Payment"),
    "refund": _l("Refund"),
    "manual": _l("Bank transfer or cash"),
    "stripe": _l("Stripe"),
    "wechatpay": _l("WeChat Pay"),
    "alipay": _l("Alipay"),
    "bank_transfer": _l("Bank transfer"),
    "cash": _l("Cash on delivery"),
}


ATTENTION = {
    Attention.SHORT.value: _l(
        "Less money arrived than the order asks for, so the order is not paid. An admin checks it: "
        "the buyer pays the rest, or the money is refunded."
    ),
    Attention.CURRENCY.value: _l(
        "Money arrived in another currency than the order's and does not count as paid. An admin checks it "
        "and refunds it at the payment service."
    ),
    Attention.AMOUNT.value: _l(
        "The payment service reported a payment of another amount than this order's checkout. It was not "
        "counted; an admin checks it at the payment service."
    ),
}


@bp.app_template_filter("payment_attention")
def payment_attention(value: str | None) -> str:
    """What an admin flag on a payment means, for the order page and the admin list ("" for none)."""
    return str(ATTENTION.get(value or "", ""))


@bp.get("/admin/payments")
@admin_required
def flagged_payments():
    """Payments an admin has to look at: short payments, money in another currency, refused
    amounts; and above them, refunds the payment service would not make that nobody has sent
    again or refunded by hand yet."""
    pagination = db.paginate(
        select(Payment).where(Payment.attention != "").order_by(Payment.updated_at.desc(), Payment.id.desc()),
        per_page=current_app.config["ORDERS_PER_PAGE"],
        error_out=False,
    )
    failed = db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.kind == EntryKind.REFUND.value, LedgerEntry.status == EntryStatus.FAILED.value)
        .order_by(LedgerEntry.updated_at.desc(), LedgerEntry.id.desc())
    )
    failed_refunds = [entry for entry in failed if entry.is_open_failure]
    return render_template("payments/flagged.html", pagination=pagination, failed_refunds=failed_refunds)


@bp.app_template_filter("payment_label")
def payment_label(value: str | None) -> str:
    return str(LABELS.get(value, value or ""))


def _refund_entry_of(order, entry_id: int) -> LedgerEntry:
    """Ledger entry ``entry_id`` of ``order``'s payments; 404 when it belongs to another order."""
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.payment.order_id != order.id:
        abort(404)
    return entry
