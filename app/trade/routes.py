"""Negotiation views: start a thread on a posting, the thread page with its htmx polling fragment,
messages, counters, accept/decline/withdraw, "buy now", and the public trace page.

Authorization: only the two parties (and admins, read-only) see a thread; everyone else gets 404,
on the page, on the polling fragment and on every POST. Without JavaScript every action is a plain
form with Post/Redirect/Get. With htmx, messages and counters swap the thread in place; refusals
come back as 422 because the site's htmx config swaps 2xx and 422 only (base.html).
"""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.errors import DomainError
from app.extensions import db
from app.members.services import ensure_can_write
from app.postings.models import Posting, PostingKind
from app.postings.services import can_view
from app.postings.stock import available
from app.trade import bp, negotiations, orders, queries
from app.trade.errors import TradeInvalid
from app.trade.forms import BuyNowForm, CounterForm, MessageForm, OfferForm, QuoteForm
from app.trade.negotiations import OfferTerms
from app.trade.route_helpers import attach_error, member, redirect_to
from app.web.htmx import wants_fragment

# htmx stops polling an element when the response status is 286.
STOP_POLLING = 286


def _posting_or_404(posting_id: int) -> Posting:
    posting = db.session.scalar(
        select(Posting)
        .where(Posting.id == posting_id)
        .options(joinedload(Posting.unit), joinedload(Posting.commodity), joinedload(Posting.owner))
    )
    if posting is None or not can_view(posting, current_user):
        abort(404)
    return posting


def _visible_negotiation(negotiation_id: int):
    """The thread for a party or an admin; 404 for anyone else (its existence is not revealed)."""
    negotiation = queries.negotiation_for_page(negotiation_id)
    if negotiation is None or not (negotiation.is_party(current_user) or current_user.is_admin):
        abort(404)
    return negotiation


def _party_negotiation(negotiation_id: int):
    """The thread for one of its parties; admins may read along but not act (403)."""
    negotiation = _visible_negotiation(negotiation_id)
    if not negotiation.is_party(current_user):
        abort(403)
    return negotiation


def _terms(form) -> OfferTerms:
    return OfferTerms(
        quantity=form.quantity.number,
        unit_price=form.unit_price.number,
        delivery=form.delivery.data,
        message=form.message.data or "",
    )


@bp.route("/p/<int:posting_id>/negotiate", methods=["GET", "POST"])
@login_required
def start_negotiation(posting_id: int):
    """Make an offer on a sell offer, or send a quote on a buy request."""
    posting = _posting_or_404(posting_id)
    # Asked before the form is shown; start_negotiation asks the same again when it is sent.
    ensure_can_write(current_user)
    existing = negotiations.open_negotiation_for(posting.id, current_user.id)
    if existing is not None:
        flash(_("You already have an open negotiation on this posting."))
        return redirect(url_for("trade.show_negotiation", negotiation_id=existing.id), 303)
    refused = negotiations.offer_refusal(posting, member())
    if refused is not None:
        raise DomainError(refused)
    is_quote = posting.kind == PostingKind.BUY.value
    form = QuoteForm() if is_quote else OfferForm()
    form.limit_delivery(negotiations.delivery_choices(posting))
    if is_quote:
        form.set_lots(negotiations.quotable_lots(posting, member()))
    if request.method == "GET" and posting.price is not None and not form.unit_price.data:
        form.unit_price.process_data(posting.price)
    if form.validate_on_submit():
        lot_id = form.lot_posting_id.data if is_quote else None
        try:
            negotiation = negotiations.start_negotiation(posting, member(), _terms(form), lot_posting_id=lot_id)
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your quote was sent.") if is_quote else _("Your offer was sent."))
            return redirect(url_for("trade.show_negotiation", negotiation_id=negotiation.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "trade/start.html", posting=posting, form=form, is_quote=is_quote, left=available(posting)
    ), status


@bp.get("/negotiations")
@login_required
def my_negotiations():
    state = request.args.get("state")
    state = state if state in ("open", "closed") else None
    pagination = db.paginate(
        queries.member_negotiations(current_user.id, state),
        per_page=current_app.config["ORDERS_PER_PAGE"],
        error_out=False,
    )
    return render_template("trade/negotiations.html", pagination=pagination, state=state)


def _thread_context(negotiation, message_form=None, counter_form=None, error=None) -> dict:
    viewer = member()
    is_party = negotiation.is_party(viewer)
    is_open = negotiation.is_open()
    latest = negotiation.latest_offer
    answers = negotiations.available_answers(negotiation, viewer)
    can_counter = "counter" in answers
    if not can_counter:
        counter_form = None
    elif counter_form is None:
        counter_form = CounterForm(formdata=None)
        counter_form.quantity.process_data(latest.quantity)
        counter_form.unit_price.process_data(latest.unit_price)
        counter_form.delivery.data = latest.delivery
    if counter_form is not None:
        counter_form.limit_delivery(negotiations.delivery_choices(negotiation.posting))
    return {
        "negotiation": negotiation,
        "posting": negotiation.posting,
        "entries": queries.thread_entries(negotiation),
        "version": queries.thread_version(negotiation),
        "forms_key": f"{int(is_open)}{int(can_counter)}{int(is_party)}",
        "is_party": is_party,
        "is_open": is_open,
        "latest": latest,
        "can_counter": can_counter,
        "answers": answers,
        "message_form": message_form or MessageForm(formdata=None),
        "counter_form": counter_form,
        "error": error,
        "poll_seconds": current_app.config["NEGOTIATION_POLL_SECONDS"],
    }


def _render_thread(negotiation_id: int, status: int = 200, **forms):
    negotiation = queries.negotiation_for_page(negotiation_id)
    context = _thread_context(negotiation, **forms)
    template = "trade/_partials/_thread.html" if wants_fragment() else "trade/negotiation.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


@bp.get("/negotiations/<int:negotiation_id>")
@login_required
def show_negotiation(negotiation_id: int):
    negotiation = _visible_negotiation(negotiation_id)
    return _render_thread(negotiation.id)


@bp.get("/negotiations/<int:negotiation_id>/updates")
@login_required
def negotiation_updates(negotiation_id: int):
    """The polled part of a thread. 204 while nothing changed; the new entries when something did
    (and the forms out of band when what the viewer may do changed); 286 once the thread closed."""
    negotiation = _visible_negotiation(negotiation_id)
    if not wants_fragment():
        return redirect(url_for("trade.show_negotiation", negotiation_id=negotiation.id))
    context = _thread_context(negotiation)
    if context["is_open"] and request.args.get("v") == context["version"]:
        response = make_response("", 204)
    else:
        context["forms_out_of_band"] = request.args.get("f") != context["forms_key"]
        status = 200 if context["is_open"] else STOP_POLLING
        response = make_response(render_template("trade/_partials/_updates.html", **context), status)
    response.vary.add("HX-Request")
    return response


@bp.post("/negotiations/<int:negotiation_id>/messages")
@login_required
def post_message(negotiation_id: int):
    negotiation = _party_negotiation(negotiation_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            negotiations.post_message(negotiation, member(), form.body.data)
        except TradeInvalid as error:
            attach_error(form, error)
        except DomainError as error:
            return _refused(negotiation_id, error, message_form=form)
        else:
            db.session.commit()
            if wants_fragment():
                return _render_thread(negotiation_id)
            return redirect(url_for("trade.show_negotiation", negotiation_id=negotiation_id, _anchor="thread"), 303)
    return _render_thread(negotiation_id, 422, message_form=form)


@bp.post("/negotiations/<int:negotiation_id>/counter")
@login_required
def counter_offer(negotiation_id: int):
    negotiation = _party_negotiation(negotiation_id)
    form = CounterForm()
    form.limit_delivery(negotiations.delivery_choices(negotiation.posting))
    if form.validate_on_submit():
        try:
            negotiations.counter_offer(negotiation, member(), _terms(form))
        except TradeInvalid as error:
            attach_error(form, error)
        except DomainError as error:
            return _refused(negotiation_id, error, counter_form=form)
        else:
            db.session.commit()
            if wants_fragment():
                return _render_thread(negotiation_id)
            flash(_("Your counter-offer was sent."))
            return redirect(url_for("trade.show_negotiation", negotiation_id=negotiation_id, _anchor="thread"), 303)
    return _render_thread(negotiation_id, 422, counter_form=form)


def _refused(negotiation_id: int, error: DomainError, **forms):
    """A step refused while typing (thread closed meanwhile): in place for htmx, 409 page otherwise."""
    if not wants_fragment():
        raise error
    db.session.rollback()
    return _render_thread(negotiation_id, 422, error=error.message, **forms)


@bp.post("/negotiations/<int:negotiation_id>/offers/<int:offer_id>/accept")
@login_required
def accept_offer(negotiation_id: int, offer_id: int):
    negotiation = _party_negotiation(negotiation_id)
    order = negotiations.accept_offer(negotiation, offer_id, member())
    db.session.commit()
    flash(_("Offer accepted. Order %(number)s was placed.", number=order.number))
    return redirect_to(url_for("trade.show_order", order_id=order.id))


@bp.post("/negotiations/<int:negotiation_id>/offers/<int:offer_id>/decline")
@login_required
def decline_offer(negotiation_id: int, offer_id: int):
    negotiation = _party_negotiation(negotiation_id)
    negotiations.decline_offer(negotiation, offer_id, member())
    db.session.commit()
    flash(_("You declined the offer. The negotiation is closed."))
    return redirect_to(url_for("trade.show_negotiation", negotiation_id=negotiation_id))


@bp.post("/negotiations/<int:negotiation_id>/offers/<int:offer_id>/withdraw")
@login_required
def withdraw_offer(negotiation_id: int, offer_id: int):
    negotiation = _party_negotiation(negotiation_id)
    negotiations.withdraw_offer(negotiation, offer_id, member())
    db.session.commit()
    flash(_("You withdrew your offer. The negotiation is closed."))
    return redirect_to(url_for("trade.show_negotiation", negotiation_id=negotiation_id))


@bp.route("/p/<int:posting_id>/buy", methods=["GET", "POST"])
@login_required
def buy_now(posting_id: int):
    """Order from a fixed-price sell offer at the listed price."""
    posting = _posting_or_404(posting_id)
    # Asked before the form is shown; orders.buy_now asks the same again when it is sent.
    ensure_can_write(current_user)
    refused = orders.buy_now_refusal(posting, member())
    if refused is not None:
        raise DomainError(refused)
    form = BuyNowForm()
    form.limit_delivery(negotiations.delivery_choices(posting))
    if form.validate_on_submit():
        try:
            order = orders.buy_now(posting, member(), form.quantity.number, form.delivery.data)
        except TradeInvalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Order %(number)s was placed. The seller will confirm it.", number=order.number))
            return redirect(url_for("trade.show_order", order_id=order.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("trade/buy_now.html", posting=posting, form=form, left=available(posting)), status


@bp.get("/t/<lot_code>")
def trace_lot(lot_code: str):
    """Public traceability page: what, from where, from which storefront, and when each step happened."""
    order = queries.order_by_lot_code(lot_code)
    if order is None:
        abort(404)
    return render_template("trace/lot.html", order=order, steps=queries.trace_steps(order))
