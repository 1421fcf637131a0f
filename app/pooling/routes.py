"""Pooled-supply views: the parts page of a buy request (progress, parts, the forms), the buyer
opening it to parts, a seller's part, a station's pooled part, and the answers to a part.

Who may do what is decided here first (404 for an object the member may not see, 403 for a step
that is not theirs) and again by the services."""

from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.pooling import bp, services
from app.pooling.forms import PartForm, PooledPartForm, PoolForm
from app.pooling.models import PoolPart
from app.pooling.services import PoolInvalid
from app.postings.models import Posting, PostingKind
from app.postings.services import can_view
from app.trade.route_helpers import attach_error, member, redirect_to
from app.web.decorators import station_required
from app.web.htmx import render_page_or_fragment


def _buy_request_or_404(posting_id: int) -> Posting:
    posting = db.session.get(Posting, posting_id)
    if posting is None or posting.kind != PostingKind.BUY.value or not can_view(posting, current_user):
        abort(404)
    return posting


def _own_buy_request_or_404(posting_id: int) -> Posting:
    posting = _buy_request_or_404(posting_id)
    if posting.owner_id != current_user.id:
        abort(404)
    return posting


def _part_or_404(part_id: int) -> PoolPart:
    """A part its buyer, its seller (or station) or an admin may see; 404 for anyone else."""
    part = db.session.get(PoolPart, part_id)
    if part is None or current_user.id not in (part.seller_id, part.posting.owner_id) and not current_user.is_admin:
        abort(404)
    return part


def _page(posting: Posting, status: int = 200, **forms):
    pool = services.pool_of(posting.id)
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    refusal = services.part_refusal(posting, viewer) if viewer is not None else None
    part_form = forms.get("part_form")
    if part_form is None and viewer is not None and refusal is None:
        part_form = PartForm(formdata=None)
    if part_form is not None:
        part_form.limit_delivery(services.delivery_options(posting))
    pool_form = forms.get("pool_form")
    if pool_form is None and viewer is not None and viewer.id == posting.owner_id:
        pool_form = PoolForm(formdata=None)
        if pool is not None:
            pool_form.min_part_quantity.data = str(pool.min_part_quantity.normalize())
    return render_page_or_fragment(
        "pooling/parts.html",
        "pooling/_partials/_parts.html",
        status,
        posting=posting,
        pool=pool,
        progress=services.progress(posting),
        parts=services.visible_parts(posting, viewer),
        refusal=refusal,
        part_form=part_form,
        pool_form=pool_form,
        is_buyer=viewer is not None and viewer.id == posting.owner_id,
        may_pool=viewer is not None and viewer.is_approved_station and refusal is None,
    )


@bp.get("/p/<int:posting_id>/parts")
def parts_page(posting_id: int):
    return _page(_buy_request_or_404(posting_id))


@bp.post("/p/<int:posting_id>/pool")
@login_required
def open_pool(posting_id: int):
    posting = _own_buy_request_or_404(posting_id)
    form = PoolForm()
    if form.validate_on_submit():
        try:
            services.open_pool(posting, member(), form.min_part_quantity.number)
        except PoolInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Sellers can now offer parts of this request."))
            return redirect_to(url_for("pooling.parts_page", posting_id=posting.id))
    return _page(posting, 422, pool_form=form)


@bp.post("/p/<int:posting_id>/parts")
@login_required
def offer_part(posting_id: int):
    posting = _buy_request_or_404(posting_id)
    form = PartForm()
    form.limit_delivery(services.delivery_options(posting))
    if form.validate_on_submit():
        try:
            services.offer_part(
                posting, member(), form.quantity.number, form.unit_price.number, form.delivery.data, form.note.data
            )
        except PoolInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your part was sent to the buyer."))
            return redirect_to(url_for("pooling.parts_page", posting_id=posting.id))
    return _page(posting, 422, part_form=form)


@bp.route("/station/p/<int:posting_id>/parts", methods=["GET", "POST"])
@station_required
def offer_pooled_part(posting_id: int):
    posting = _buy_request_or_404(posting_id)
    station = member()
    form = PooledPartForm()
    form.limit_delivery(services.delivery_options(posting))
    refusal = services.part_refusal(posting, station)
    if form.validate_on_submit():
        try:
            services.offer_pooled_part(
                posting, station, form.lots, form.unit_price.number, form.delivery.data, form.note.data
            )
        except PoolInvalid as error:
            db.session.rollback()  # farmer records made for this try go with it
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your pooled part was sent to the buyer."))
            return redirect_to(url_for("pooling.parts_page", posting_id=posting.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "pooling/pooled_part.html",
        posting=posting,
        form=form,
        refusal=refusal,
        progress=services.progress(posting),
        pool=services.pool_of(posting.id),
    ), status


@bp.post("/parts/<int:part_id>/answer")
@login_required
def answer_part(part_id: int):
    part = _part_or_404(part_id)
    action = request.form.get("action", "")
    if action not in services.ANSWERS:
        abort(400, description=_("That is not a way to answer a part."))
    posting_id = part.posting_id
    order = services.answer_part(part, action, member())
    db.session.commit()
    if order is not None:
        flash(_("Part accepted. Order %(number)s was placed.", number=order.number))
    else:
        flash({"decline": _("Part declined."), "withdraw": _("Your part was withdrawn.")}[action])
    return redirect_to(url_for("pooling.parts_page", posting_id=posting_id))


@bp.app_template_global("pool_is_open")
def pool_is_open(posting_id: int) -> bool:
    """True when the buy request takes parts from several sellers (for the posting page's link)."""
    return services.pool_of(posting_id) is not None
