"""Contract views: the current contract of an order, its earlier versions and their PDFs, and a
party's acceptance. Only the order's buyer and seller see any of it; everyone else (admins too)
gets 404, GET or POST."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.contracts import bp, services
from app.contracts.forms import AcceptContractForm
from app.contracts.pdf import contract_pdf
from app.contracts.texts import LANGUAGES
from app.core.i18n import is_chinese
from app.extensions import db
from app.trade.models import Order
from app.trade.route_helpers import member


def _party_order(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or not order.is_party(current_user):
        abort(404)
    return order


def _language() -> str:
    """The text shown: ?lang=zh|en, else the reader's language."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    return "zh" if is_chinese() else "en"


def _page(order: Order, contract: services.Contract, language: str, status: int = 200, form=None):
    viewer = member()
    current = services.current_contract(order)
    is_current = contract.number == current.number
    form = form or AcceptContractForm(formdata=None, language=language, sha256=contract.hashes[language])
    refusal = services.acceptance_refusal(contract, viewer) if is_current else None
    context = {
        "order": order,
        "contract": contract,
        "language": language,
        "is_current": is_current,
        "current_number": current.number,
        "can_accept": is_current and refusal is None,
        "own_acceptance": contract.accepted_by(viewer),
        "versions": [v for v in services.versions_of(order) if v.number != contract.number],
        "form": form,
    }
    return render_template("contracts/contract.html", **context), status


@bp.get("/orders/<int:order_id>/contract")
@login_required
def show_contract(order_id: int):
    order = _party_order(order_id)
    return _page(order, services.current_contract(order), _language())


@bp.get("/orders/<int:order_id>/contract/v<int:number>")
@login_required
def show_version(order_id: int, number: int):
    order = _party_order(order_id)
    contract = services.stored_version(order, number)
    if contract is None:
        abort(404)
    return _page(order, contract, _language())


@bp.post("/orders/<int:order_id>/contract/accept")
@login_required
def accept_contract(order_id: int):
    """Accept the text the party read: its SHA-256 comes with the form and must still be the
    current contract's (409 otherwise)."""
    order = _party_order(order_id)
    form = AcceptContractForm()
    if not form.validate_on_submit():
        if form.language.errors or form.sha256.errors:
            abort(400)
        contract = services.current_contract(order)
        return _page(order, contract, form.language.data, 422, form)
    acceptance = services.accept_contract(
        order, member(), language=form.language.data, text_sha256=form.sha256.data, channel=services.WEB
    )
    db.session.commit()
    flash(_("You accepted version %(number)s of the contract.", number=acceptance.version.number))
    return redirect(url_for("contracts.show_contract", order_id=order.id, lang=form.language.data), 303)


def _pdf_response(contract: services.Contract, language: str):
    labels = {
        "sha256": "SHA-256",
        "accepted": _("accepted by"),
        "not_accepted": _("not accepted yet"),
        "buyer": _("Buyer"),
        "seller": _("Seller"),
        "web": _("on the website"),
        "sms": _("by SMS"),
        "draft": _("Not yet accepted by either party."),
    }
    body = contract_pdf(contract, language, labels)
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    filename = f"contract-{contract.order.number}-v{contract.number}-{language}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/orders/<int:order_id>/contract.pdf")
@login_required
def contract_pdf_current(order_id: int):
    order = _party_order(order_id)
    return _pdf_response(services.current_contract(order), _language())


@bp.get("/orders/<int:order_id>/contract/v<int:number>.pdf")
@login_required
def contract_pdf_version(order_id: int, number: int):
    order = _party_order(order_id)
    contract = services.stored_version(order, number)
    if contract is None:
        abort(404)
    return _pdf_response(contract, _language())
