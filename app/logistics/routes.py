"""Logistics views: the seller arranges and updates a shipment and hands a secret link to the
driver; the driver's page works without an account; the buyer accepts the delivery and the seller
decides on a partial acceptance. The order page shows it all through templates/logistics/_tracking.html.

Strangers get 404 on every order route, GET or POST; admins may read the order page but get 403
here; a wrong or guessed driver token is 404.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.extensions import db
from app.logistics import acceptance, bp, services, tracking
from app.logistics.forms import (
    METHOD_LABELS,
    AcceptanceDecisionForm,
    AcceptanceForm,
    DriverUpdateForm,
    ShipmentForm,
    ShipmentUpdateForm,
    TruckDetailsForm,
)
from app.logistics.kuaidi100 import state_family
from app.logistics.models import EventSource
from app.trade.errors import TradeInvalid
from app.trade.models import Order
from app.trade.orders import MAX_NOTE_LENGTH
from app.trade.route_helpers import attach_error, member
from app.web.request_limits import body_limit

STATUS_LABELS = {
    "created": _l("Arranged"),
    "picked_up": _l("Picked up"),
    "in_transit": _l("In transit"),
    "delivered": _l("Delivered"),
}
SOURCE_LABELS = {"seller": _l("Seller"), "driver": _l("Driver"), "carrier": _l("Carrier")}
# Kuaidi100's states (app/logistics/kuaidi100.py), shown beside each checkpoint of the carrier's track.
TRACK_STATE_LABELS = {
    "0": _l("In transit"),
    "1": _l("Collected"),
    "2": _l("Problem with the parcel"),
    "3": _l("Signed for"),
    "4": _l("Signing cancelled"),
    "5": _l("Out for delivery"),
    "6": _l("Returning to sender"),
    "7": _l("Forwarded"),
    "8": _l("Customs clearance"),
    "10": _l("Customs clearance"),
    "11": _l("Customs clearance"),
    "12": _l("Customs clearance"),
    "13": _l("Customs problem"),
    "14": _l("Refused by the recipient"),
    "101": _l("Order placed with the carrier"),
    "102": _l("Awaiting collection"),
}


@bp.app_template_filter("shipment_status")
def shipment_status(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


@bp.app_template_filter("shipment_source")
def shipment_source(value: str) -> str:
    return str(SOURCE_LABELS.get(value, value))


@bp.app_template_filter("track_state")
def track_state(value: str | None) -> str:
    """The label of a Kuaidi100 state or sub-state code ("" for none or an unknown code)."""
    if not value:
        return ""
    label = TRACK_STATE_LABELS.get(value) or TRACK_STATE_LABELS.get(state_family(value))
    return str(label) if label else ""


def _party_order(order_id: int) -> Order:
    """The order for one of its parties; 404 for strangers, 403 for admins (who may only read)."""
    order = db.session.get(Order, order_id)
    if order is None or not (order.is_party(current_user) or current_user.is_admin):
        abort(404)
    if not order.is_party(current_user):
        abort(403)
    return order


def _to_order(order: Order):
    return redirect(url_for("trade.show_order", order_id=order.id) + "#tracking", 303)


@bp.route("/orders/<int:order_id>/shipment/new", methods=["GET", "POST"])
@login_required
def new_shipment(order_id: int):
    order = _party_order(order_id)
    refused = services.shipment_refusal(order, member())
    if refused is not None:
        raise DomainError(refused)
    form = ShipmentForm()
    if form.validate_on_submit():
        details = services.ShipmentDetails(
            method=form.method.data,
            carrier=form.carrier.data,
            tracking_number=form.tracking_number.data,
            driver_name=form.driver_name.data,
            driver_phone=form.driver_phone.data,
            vehicle_plate=form.vehicle_plate.data,
            pickup_station=form.pickup_station.data,
            destination=form.destination.data,
            expected_date=form.expected_date.data,
            weight_kg=form.weight_kg.number,
        )
        try:
            services.create_shipment(order, member(), details)
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The shipment was arranged."))
            return _to_order(order)
    status = 422 if form.is_submitted() else 200
    return render_template("logistics/new_shipment.html", order=order, form=form), status


@bp.post("/orders/<int:order_id>/shipment/status")
@login_required
def update_shipment(order_id: int):
    """The seller moves the shipment forward; a step back or sideways is 409."""
    order = _party_order(order_id)
    shipment = _seller_shipment(order)
    form = ShipmentUpdateForm()
    if not form.validate_on_submit():
        if form.status.errors:
            abort(400)
        return render_template("logistics/update_status.html", order=order, form=form), 422
    try:
        services.update_shipment(
            shipment, form.status.data, EventSource.SELLER.value, actor=member(), note=form.note.data or ""
        )
    except TradeInvalid as error:
        attach_error(form, error)
        return render_template("logistics/update_status.html", order=order, form=form), 422
    db.session.commit()
    flash(_("The shipment was updated."))
    return _to_order(order)


@bp.route("/orders/<int:order_id>/shipment/truck", methods=["GET", "POST"])
@login_required
def truck_details(order_id: int):
    """The seller enters or corrects the driver and the number plate of an own-vehicle shipment."""
    order = _party_order(order_id)
    shipment = _seller_shipment(order)
    refused = services.truck_details_refusal(shipment, member())
    if refused is not None:
        raise DomainError(refused)
    form = TruckDetailsForm(obj=shipment)
    if form.validate_on_submit():
        try:
            services.update_truck_details(
                shipment, member(), form.driver_name.data, form.driver_phone.data, form.vehicle_plate.data
            )
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The driver and truck were saved."))
            return _to_order(order)
    status = 422 if form.is_submitted() else 200
    return render_template("logistics/truck.html", order=order, form=form), status


@bp.post("/orders/<int:order_id>/shipment/driver-link")
@login_required
def driver_link(order_id: int):
    """A new driver link, shown once (only its hash is stored); earlier links stop working."""
    order = _party_order(order_id)
    shipment = _seller_shipment(order)
    token = services.issue_driver_link(shipment, member())
    db.session.commit()
    link = url_for("logistics.driver_page", token=token, _external=True)
    response = make_response(render_template("logistics/driver_link.html", order=order, shipment=shipment, link=link))
    response.headers["Cache-Control"] = "no-store"
    return response


def _seller_shipment(order: Order):
    if order.role_of(current_user) != "seller":
        raise DomainError(_("Only the seller can do this."))
    if order.shipment is None:
        raise DomainError(_("This order has no shipment yet."))
    return order.shipment


@bp.route("/d/<token>", methods=["GET", "POST"])
@body_limit("upload")
def driver_page(token: str):
    """The driver's page: goods and delivery place (no prices) and buttons that move forward."""
    shipment = services.shipment_for_token(token, lock=True)
    if shipment is None:
        abort(404)
    refused = services.driver_link_refusal(shipment)
    form = DriverUpdateForm()
    status = 200
    if refused is None and form.is_submitted():
        if not form.validate():
            if form.status.errors:
                abort(400)
            status = 422
        else:
            try:
                services.update_shipment(
                    shipment,
                    form.status.data,
                    EventSource.DRIVER.value,
                    note=form.note.data or "",
                    photo=form.photo.data,
                )
            except TradeInvalid as error:
                attach_error(form, error)
                status = 422
            else:
                db.session.commit()
                flash(_("Thank you. The status was sent."))
                return redirect(url_for("logistics.driver_page", token=token), 303)
    elif refused is not None:
        status = 410
    response = make_response(
        render_template(
            "logistics/driver.html",
            shipment=shipment,
            order=shipment.order,
            form=form,
            refused=refused,
            next_statuses=services.next_statuses(shipment),
        ),
        status,
    )
    # The token is the only key: keep it out of caches and other sites' Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/orders/<int:order_id>/acceptance", methods=["GET", "POST"])
@login_required
def accept_delivery(order_id: int):
    order = _party_order(order_id)
    refused = acceptance.acceptance_refusal(order, member())
    if refused is not None:
        raise DomainError(refused)
    form = AcceptanceForm()
    if form.validate_on_submit():
        try:
            acceptance.accept_delivery(
                order,
                member(),
                partial=form.kind.data == "part",
                quantity_received=form.quantity_received.number,
                reason=form.reason.data,
                note=form.note.data or "",
            )
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. The delivery acceptance was recorded."))
            return _to_order(order)
    status = 422 if form.is_submitted() else 200
    return render_template("logistics/accept.html", order=order, form=form), status


@bp.post("/orders/<int:order_id>/acceptance/decision")
@login_required
def decide_acceptance(order_id: int):
    order = _party_order(order_id)
    form = AcceptanceDecisionForm()
    if not form.validate_on_submit():
        if form.decision.errors:
            abort(400)
        raise DomainError(_("At most %(n)s characters.", n=MAX_NOTE_LENGTH), status=422)
    try:
        acceptance.decide_partial_acceptance(order, member(), form.decision.data == "agree", form.note.data or "")
    except TradeInvalid as error:
        raise DomainError(error.message, status=422) from error
    db.session.commit()
    flash(
        _("The amount due was agreed.")
        if form.decision.data == "agree"
        else _("A dispute was opened. An admin will look at it.")
    )
    return _to_order(order)


@bp.app_template_global("logistics_tracking")
def logistics_tracking(order: Order) -> dict:
    """Everything templates/logistics/_tracking.html shows for ``order`` to the current viewer."""
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    shipment = order.shipment
    role = order.role_of(viewer)
    return {
        "shipment": shipment,
        "role": role,
        "method_labels": METHOD_LABELS,
        "can_arrange": viewer is not None and services.shipment_refusal(order, viewer) is None,
        "next_statuses": services.next_statuses(shipment) if shipment is not None and role == "seller" else [],
        "acceptance": order.delivery_acceptance,
        "can_accept": viewer is not None and acceptance.acceptance_refusal(order, viewer) is None,
        "amount_due": acceptance.amount_due(order),
        "reason_labels": acceptance.REASON_LABELS,
        "can_edit_truck": shipment is not None
        and viewer is not None
        and services.truck_details_refusal(shipment, viewer) is None,
        "subscription": shipment.tracking if shipment is not None else None,
        "checkpoints": tracking.checkpoints(shipment) if shipment is not None else [],
    }
