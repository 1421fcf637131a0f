"""Posting views: create (also for a farmer via an info-station), show, edit, change status, my postings.

The market search page lives in app/postings/market.py.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.db import read_without_transaction
from app.extensions import db
from app.media import pending_uploads
from app.members import services as member_services  # a module: app.members imports this package
from app.postings import bp, drafts, page_cache, policy, queries, services, signals
from app.postings.forms import PostingForm, StationPostingForm
from app.postings.models import DeliveryOption, Posting, PostingStatus
from app.postings.services import PostingInvalid
from app.postings.views import record_view
from app.sms_spend import budget as sms_budget
from app.web.decorators import station_required
from app.web.redirects import safe_next
from app.web.request_limits import body_limit

FORM_PAGE = "postings/form.html"
DRAFT_STATUS = "postings/_partials/_draft_status.html"


@bp.context_processor
def _posting_labels():
    return {
        "status_label": services.status_label,
        "status_name": _status_name,
        "delivery_label": _delivery_label,
        "action_label": _action_label,
        "available_actions": lambda posting: policy.available_actions(posting, current_user),
        "awaits_farmer": lambda posting: policy.awaits_farmer(posting, current_user),
    }


@bp.route("/postings/new", methods=["GET", "POST"])
@body_limit("photos")
@login_required
def new_posting():
    # Asked before the form is shown and before any photo is stored; create_posting asks again.
    member_services.ensure_can_write(current_user)
    form, restored = _open_form(PostingForm, "new")
    if form.validate_on_submit():
        posting = _create_from_form(form, owner=current_user._get_current_object(), form_name="new")
        if posting is not None:
            return _after_save(posting)
    if form.is_submitted():
        _keep_what_arrived(form, "new")
    return _form_page(
        form, heading=_("New posting"), action=url_for("postings.new_posting"), form_name="new", restored=restored
    )


def _ask_farmer_to_confirm(posting) -> None:
    # app.inbound_sms answers the signal with the SMS that asks the farmer to reply YES <number>,
    # written in this transaction; it commits with the posting.
    signals.station_draft_saved.send(signals.SENDER, posting_id=posting.id)


@bp.route("/station/postings/new", methods=["GET", "POST"])
@body_limit("photos")
@station_required
def station_new_posting():
    member_services.ensure_can_write(current_user)
    form, restored = _open_form(StationPostingForm, "station")
    if form.validate_on_submit():
        station = current_user._get_current_object()
        try:
            # Counted before anything is written: a refusal commits only the admins' alert, and a
            # posting that fails below rolls the count back with it.
            sms_budget.spend(sms_budget.STATION, form.farmer_e164, station_id=station.id)
        except sms_budget.BudgetExceeded as error:
            db.session.commit()
            form.farmer_phone.errors = [*form.farmer_phone.errors, error.message]
            return _form_page(
                form,
                heading=_("Post for a farmer"),
                action=url_for("postings.station_new_posting"),
                station=True,
                status=429,
                form_name="station",
            )
        farmer = services.find_or_create_farmer(form.farmer_e164, station, form.farmer_name.data or "")
        # Always a draft: the farmer publishes it by replying YES <number> to the SMS sent here, which
        # also proves the number is theirs (issue 5). The SMS commits with the posting.
        posting = _create_from_form(
            form,
            owner=farmer,
            via_station=station,
            publish=False,
            before_commit=_ask_farmer_to_confirm,
            form_name="station",
        )
        if posting is not None:
            flash(
                _(
                    "Saved as a draft. %(farmer)s gets an SMS and publishes it by replying YES %(number)s.",
                    farmer=farmer.display_name,
                    number=posting.id,
                ),
                "success",
            )
            return redirect(url_for("postings.show_posting", posting_id=posting.id))
    if form.is_submitted():
        _keep_what_arrived(form, "station")
    return _form_page(
        form,
        heading=_("Post for a farmer"),
        action=url_for("postings.station_new_posting"),
        station=True,
        form_name="station",
        restored=restored,
    )


@bp.post("/postings/draft/<form_name>")
@login_required
def autosave_draft(form_name: str):
    """Keep what the member typed so far (htmx posts the form here a moment after each change)."""
    if form_name not in drafts.FORMS or (form_name == "station" and not current_user.is_approved_station):
        abort(404)
    member_services.ensure_can_write(current_user)
    draft = drafts.save(current_user.id, form_name, request.form)
    db.session.commit()
    return render_template(DRAFT_STATUS, draft=draft, form_name=form_name)


@bp.post("/postings/draft/<form_name>/discard")
@login_required
def discard_draft(form_name: str):
    """Forget the kept draft and open an empty form."""
    if form_name not in drafts.FORMS:
        abort(404)
    drafts.clear(current_user.id, form_name)
    db.session.commit()
    target = "postings.station_new_posting" if form_name == "station" else "postings.new_posting"
    return redirect(url_for(target), 303)


@bp.get("/postings/pending-photos/<token>")
@login_required
def pending_photo(token: str):
    """The thumbnail of a photo kept from a form that failed: its sender's only."""
    path = pending_uploads.thumbnail_path(current_user.id, token)
    if path is None or not path.exists():
        abort(404)
    response = send_file(path, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/p/<int:posting_id>")
def show_posting(posting_id: int):
    if page_cache.page_is_shared():
        # A visitor: one small row tells whether the stored page is still right. The page only
        # reads (the view is counted in memory, app/postings/views.py).
        read_without_transaction()
        stamp = page_cache.page_stamp(posting_id)
        if stamp is None or stamp.status not in services.PUBLIC_STATUSES:
            abort(404)
        page = page_cache.shared_page(stamp, lambda: _posting_page(_viewable_posting_or_404(posting_id)))
        status, owner_ids = stamp.status, (stamp.owner_id, stamp.via_station_id)
    else:
        posting = _viewable_posting_or_404(posting_id)
        page = _posting_page(posting)
        status, owner_ids = posting.status, (posting.owner_id, posting.via_station_id)
    if status == PostingStatus.ACTIVE.value:
        viewer_id = current_user.id if current_user.is_authenticated else None
        record_view(posting_id, owner_ids, viewer_id, services.local_today())
    return page


def _viewable_posting_or_404(posting_id: int) -> Posting:
    posting = page_cache.posting_with_people(posting_id)
    if posting is None or not services.can_view(posting, current_user):
        abort(404)
    return posting


def _posting_page(posting: Posting) -> str:
    return render_template(
        "postings/show.html",
        posting=posting,
        posting_body=page_cache.posting_body(posting),
        can_edit=services.can_edit(posting, current_user),
        renew_days=current_app.config["POSTING_DEFAULT_DAYS"],
    )


@bp.route("/p/<int:posting_id>/edit", methods=["GET", "POST"])
@body_limit("photos")
@login_required
def edit_posting(posting_id: int):
    posting = _editable_posting_or_404(posting_id)
    editor = current_user._get_current_object()
    # Asked before the form is shown and before any photo is stored; the services ask again.
    member_services.ensure_can_write(editor)
    form = PostingForm(posting=posting)
    form.pending = _pending_of(form)
    if form.validate_on_submit():
        publishing = posting.status == PostingStatus.DRAFT.value and form.wants_publish
        refused = policy.status_refusal(posting, "publish", editor) if publishing else None
        if refused is not None:
            raise refused
        new_photos: list = []
        kept_names = [pending.filename for pending in form.pending]
        try:
            new_photos = pending_uploads.claim(form.pending) + services.store_uploads(form.uploads)
            removed = services.update_posting(
                posting,
                form.to_data(),
                editor=editor,
                remove_photo_ids=form.remove_photos.data or [],
                new_photos=new_photos,
            )
            if publishing:
                services.change_status(posting, "publish", editor)
        except PostingInvalid as error:
            _undo(form, error, new_photos)
        else:
            db.session.commit()
            services.delete_photo_files(removed)
            pending_uploads.forget_files(kept_names)
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("postings.show_posting", posting_id=posting.id))
    if form.is_submitted():
        _keep_what_arrived(form, None)
    return _form_page(
        form,
        heading=_("Edit posting"),
        action=url_for("postings.edit_posting", posting_id=posting.id),
        posting=posting,
    )


@bp.post("/p/<int:posting_id>/status")
@login_required
def change_status(posting_id: int):
    posting = _editable_posting_or_404(posting_id)
    action = request.form.get("action", "")
    services.change_status(posting, action, current_user._get_current_object())
    db.session.commit()
    flash(_("The posting is now %(status)s.", status=services.status_label(posting.status)), "success")
    target = request.form.get("next")
    if target:
        return redirect(safe_next(target))
    return redirect(url_for("postings.show_posting", posting_id=posting.id))


@bp.get("/account/postings")
@login_required
def my_postings():
    status = request.args.get("status")
    if status not in {s.value for s in PostingStatus}:
        status = None
    pagination = db.paginate(
        queries.member_postings(current_user.id, status),
        per_page=current_app.config["POSTINGS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "postings/mine.html",
        pagination=pagination,
        status=status,
        statuses=[s.value for s in PostingStatus],
        renew_days=current_app.config["POSTING_DEFAULT_DAYS"],
    )


def _open_form(form_class, form_name: str):
    """The new-posting form: on a first visit filled from the member's kept draft, if any (returned
    too, for the page to say so); when sent, with the photos kept from the previous attempt."""
    if request.method == "GET":
        draft = drafts.load(current_user.id, form_name)
        if draft is not None:
            form = form_class(formdata=drafts.as_form_data(draft))
            form.pending = []
            return form, draft
    form = form_class()
    form.pending = _pending_of(form)
    return form, None


def _pending_of(form: PostingForm) -> list:
    """The photos kept from an earlier attempt that this submission keeps ("keep this photo")."""
    if not form.is_submitted():
        return []
    return pending_uploads.owned(current_user.id, request.form.getlist("keep_photo"))


def _keep_what_arrived(form: PostingForm, form_name: str | None) -> None:
    """The form failed: keep what the member typed (new-posting forms) and the photos that arrived,
    so nothing has to be typed or sent again over a slow link."""
    if form_name is not None:
        drafts.save(current_user.id, form_name, request.form)
    if form.uploads and not form.photos.errors:
        kept, refused = pending_uploads.keep(current_user.id, form.uploads)
        form.pending = [*form.pending, *kept]
        form.photos.errors = [
            *form.photos.errors,
            *(message for message in refused if message not in form.photos.errors),
        ]
    db.session.commit()


def _create_from_form(
    form: PostingForm, owner, via_station=None, publish=None, before_commit=None, form_name: str | None = None
) -> Posting | None:
    """Store the photos (those kept from an earlier attempt first) and create the posting
    (published as the form says unless ``publish`` is given; ``before_commit(posting)`` runs in the
    same transaction) and forget the member's draft of ``form_name``; on a refusal put the message
    on the form and return None."""
    photos: list = []
    publish = form.wants_publish if publish is None else publish
    try:
        photos = pending_uploads.claim(form.pending) + services.store_uploads(form.uploads)
        posting = services.create_posting(
            owner, form.to_data(), publish=publish, via_station=via_station, photos=photos, today=form.today
        )
    except PostingInvalid as error:
        _undo(form, error, photos)
        return None
    if before_commit is not None:
        before_commit(posting)
    if form_name is not None:
        drafts.clear(current_user.id, form_name)
    db.session.commit()
    pending_uploads.forget_files(image.filename for image in photos[: len(form.pending)])
    return posting


def _undo(form: PostingForm, error: PostingInvalid, stored_photos) -> None:
    """Forget everything this request changed and show the refusal beside its field."""
    db.session.rollback()
    services.delete_photo_files(image.filename for image in stored_photos)
    field = getattr(form, error.field, None) or form.title
    field.errors = [*field.errors, error.message]


def _after_save(posting: Posting):
    if posting.status == PostingStatus.DRAFT.value:
        flash(_("Saved as a draft. Only you can see it until you publish it."), "success")
    else:
        flash(_("Your posting is published."), "success")
    return redirect(url_for("postings.show_posting", posting_id=posting.id))


def _form_page(
    form: PostingForm,
    heading: str,
    action: str,
    posting: Posting | None = None,
    station: bool = False,
    status: int | None = None,
    form_name: str | None = None,
    restored=None,
):
    status = status or (422 if form.is_submitted() else 200)
    page = render_template(
        FORM_PAGE,
        form=form,
        heading=heading,
        action=action,
        posting=posting,
        station=station,
        form_name=form_name,
        restored=restored,
    )
    return page, status


def _editable_posting_or_404(posting_id: int) -> Posting:
    posting = queries.posting_for_page(posting_id)
    if posting is None or not services.can_edit(posting, current_user):
        abort(404)
    return posting


def _status_name(status: str) -> str:
    """A status as a tag or filter name (``status_label`` is the in-sentence form)."""
    names = {
        PostingStatus.DRAFT.value: _("Draft"),
        PostingStatus.ACTIVE.value: _("Active"),
        PostingStatus.PAUSED.value: _("Paused"),
        PostingStatus.CLOSED.value: _("Closed"),
        PostingStatus.EXPIRED.value: _("Expired"),
        PostingStatus.HIDDEN.value: _("Hidden"),
    }
    return names.get(status, status)


def _delivery_label(value: str) -> str:
    labels = {
        DeliveryOption.COLLECT.value: _("Buyer collects"),
        DeliveryOption.DELIVER.value: _("Seller delivers"),
        DeliveryOption.EITHER.value: _("Buyer collects or seller delivers"),
    }
    return labels.get(value, value)


def _action_label(action: str) -> str:
    labels = {
        "publish": _("Publish"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "close": _("Close"),
        "renew": _("Renew for %(days)s days", days=current_app.config["POSTING_DEFAULT_DAYS"]),
    }
    return labels.get(action, action)
