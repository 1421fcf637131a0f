"""Who may do what to a posting, in one place: the pages ask these functions which buttons to show
and the services (app/postings/services.py) raise what they return, so a new entry point (a form,
an SMS command, an API) cannot show or skip a rule the others keep.

A refusal is returned as the DomainError the service raises (its message and status), not raised
here, so that a page can ask "may this member …?" without a try block. Suspension is not asked here:
it is the member's state, not the posting's, and every write service checks it first
(app.members.services.ensure_can_write).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.postings.models import Posting, PostingStatus

DRAFT, ACTIVE, PAUSED, CLOSED, EXPIRED = (
    PostingStatus.DRAFT.value,
    PostingStatus.ACTIVE.value,
    PostingStatus.PAUSED.value,
    PostingStatus.CLOSED.value,
    PostingStatus.EXPIRED.value,
)
# Which actions each status allows and the status they lead to (renew also moves the until-date).
TRANSITIONS: dict[str, dict[str, str]] = {
    "publish": {DRAFT: ACTIVE},
    "pause": {ACTIVE: PAUSED},
    "resume": {PAUSED: ACTIVE},
    "close": {ACTIVE: CLOSED, PAUSED: CLOSED, EXPIRED: CLOSED},
    "renew": {ACTIVE: ACTIVE, PAUSED: PAUSED, EXPIRED: ACTIVE, CLOSED: ACTIVE},
}
PUBLIC_STATUSES = frozenset({ACTIVE, PAUSED, CLOSED, EXPIRED})


def can_edit(posting: Posting, member) -> bool:
    """The owner and the info-station operator who posted it for a farmer may edit and change status.
    ``member`` may be a visitor (Flask-Login's anonymous user has no id) or a farmer without a
    password acting by SMS."""
    member_id = getattr(member, "id", None)
    if member_id is None:
        return False
    return member_id == posting.owner_id or (posting.via_station_id is not None and member_id == posting.via_station_id)


def can_view(posting: Posting, member) -> bool:
    """Published postings are public; drafts only to their editors and admins."""
    if posting.status in PUBLIC_STATUSES:
        return True
    return can_edit(posting, member) or bool(getattr(member, "is_admin", False))


def awaits_farmer(posting: Posting, member) -> bool:
    """True when ``member`` is the info-station operator of a draft they posted for a farmer: only
    the farmer publishes it (SMS YES <number>), which is how we know the farmer agrees."""
    member_id = getattr(member, "id", None)
    return (
        posting.status == DRAFT
        and posting.via_station_id is not None
        and member_id is not None
        and member_id == posting.via_station_id
        and member_id != posting.owner_id
    )


def edit_refusal(posting: Posting, member) -> DomainError | None:
    """Why ``member`` may not edit ``posting``'s fields and photos, or None when they may."""
    if not can_edit(posting, member):
        return DomainError(_("Only the poster can change this posting."), status=403)
    return None


def status_refusal(posting: Posting, action: str, member) -> DomainError | None:
    """Why ``member`` may not take the lifecycle ``action`` (publish, pause, resume, close, renew)
    on ``posting`` as it is now, or None when they may: 403 for someone who is not an editor or for
    a station publishing a farmer's draft, 400 for an unknown action, 409 when the status does not
    allow it."""
    refused = edit_refusal(posting, member)
    if refused is not None:
        return refused
    if action == "publish" and awaits_farmer(posting, member):
        return DomainError(
            _("Only the farmer can publish this posting, by replying YES %(number)s to our SMS.", number=posting.id),
            status=403,
        )
    allowed = TRANSITIONS.get(action)
    if allowed is None:
        return DomainError(_("Unknown action."), status=400)
    if posting.status not in allowed:
        return DomainError(cannot_change(posting.status))
    return None


def available_actions(posting: Posting, member) -> list[str]:
    """The lifecycle actions ``member`` may take on ``posting`` now, in display order."""
    return [action for action in TRANSITIONS if status_refusal(posting, action, member) is None]


def discard_refusal(posting: Posting, member) -> DomainError | None:
    """Why ``member`` may not delete ``posting`` as a never-published draft, or None when they may.
    Published postings are closed instead, because orders and negotiations may refer to them."""
    refused = edit_refusal(posting, member)
    if refused is not None:
        return refused
    if posting.status != DRAFT:
        return DomainError(cannot_change(posting.status))
    return None


def status_label(status: str) -> str:
    labels = {
        DRAFT: _("a draft"),
        ACTIVE: _("active"),
        PAUSED: _("paused"),
        CLOSED: _("closed"),
        EXPIRED: _("expired"),
        PostingStatus.HIDDEN.value: _("hidden by an admin"),
    }
    return labels.get(status, status)


def cannot_change(status: str) -> str:
    return _("A posting that is %(status)s cannot be changed that way.", status=status_label(status))
