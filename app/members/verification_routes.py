"""Trusted-member views: a member's request page, the admins' queue and the private documents."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.extensions import db
from app.media import pending_uploads
from app.media.images import ImageRejected, delete_image, save_image, upload_dir
from app.members import bp
from app.members import verification as service
from app.members.forms import DecisionForm, VerificationForm
from app.members.models import VerificationRequest
from app.web.decorators import admin_required
from app.web.htmx import wants_fragment
from app.web.kept_uploads import keep_what_arrived, kept_photo
from app.web.request_limits import body_limit


@bp.route("/account/verification", methods=["GET", "POST"])
@body_limit("upload")
@login_required
def verification_request():
    member = current_user._get_current_object()
    form = VerificationForm()
    # A document photo that arrived with an earlier attempt that failed (issue 25): not sent again.
    kept = kept_photo(member.id)
    if form.validate_on_submit():
        stored, claimed = None, []
        try:
            if form.document.data:
                stored = save_image(form.document.data, private=True)
            elif kept:
                # The kept photo is already in the private folder: it becomes the document as it is.
                claimed = pending_uploads.claim(kept, private=True)
                stored = claimed[0]
        except ImageRejected as error:
            form.document.errors.append(str(error.message))
        else:
            try:
                service.request_verification(
                    member,
                    form.licence_number.data,
                    form.note.data,
                    stored and stored.filename,
                    legal_name=form.legal_name.data,
                )
            except DomainError:
                if not claimed:
                    delete_image(stored and stored.filename, private=True)
                raise
            db.session.commit()
            flash(_("Thank you. An admin will review your request."), "success")
            return redirect(url_for("members.verification_request"))
    if request.method == "POST":
        kept = keep_what_arrived(member.id, form.document, kept)
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "members/verification.html",
            form=form,
            member=member,
            pending=service.pending_request_of(member),
            history=service.history_of(member),
            kept=kept,
        ),
        status,
    )


def _queue_page(status: int = 200, forms: dict | None = None):
    return (
        render_template(
            "members/verification_queue.html",
            pending=service.pending_requests(),
            decided=service.recent_decisions(),
            forms=forms or {},
        ),
        status,
    )


def _item_fragment(item: VerificationRequest, form: DecisionForm | None, status: int = 200):
    """The queue entry alone, for htmx to swap in place."""
    response = make_response(render_template("members/_partials/_verification_item.html", item=item, form=form), status)
    response.vary.add("HX-Request")
    return response


@bp.get("/admin/verifications")
@admin_required
def verification_queue():
    return _queue_page()


@bp.post("/admin/verifications/<int:request_id>")
@admin_required
def decide_verification(request_id: int):
    """Approve or reject. htmx swaps the decided row in place; without JavaScript the queue reloads."""
    verification = db.get_or_404(VerificationRequest, request_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        if wants_fragment():
            return _item_fragment(verification, form, 422)
        return _queue_page(422, {verification.id: form})
    decided = service.decide_verification(
        verification.id, current_user._get_current_object(), form.decision.data == "approve", form.reason.data or ""
    )
    db.session.commit()
    if wants_fragment():
        return _item_fragment(decided, None)
    if decided.status == service.APPROVED:
        flash(_("%(name)s is now a trusted member.", name=decided.member.display_name), "success")
    else:
        flash(_("The request of %(name)s was rejected.", name=decided.member.display_name), "success")
    return redirect(url_for("members.verification_queue"))


@bp.get("/admin/verifications/<int:request_id>/document")
@admin_required
def verification_document(request_id: int):
    """The private document photo of a request, for admins only and never cached."""
    verification = db.get_or_404(VerificationRequest, request_id)
    if not verification.document_filename:
        abort(404)
    filename = verification.document_filename
    if request.args.get("size") == "thumb":
        stem, _dot, extension = filename.rpartition(".")
        filename = f"{stem}_t.{extension}"
    response = send_from_directory(upload_dir(private=True), filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
