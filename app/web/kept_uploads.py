"""A photo kept from a one-photo form that failed for another reason (issue 25): the storefront's
logo, the verification document. The posting form, with several photos and a draft, does the same
in app/postings/routes.py.

Over a rural link a photo takes a minute to send; a form refused because the web address is taken
must not make the member send it again. The photo that arrived is checked, cleaned and kept as the
member's pending upload (app/media/pending_uploads.py); the form shows it ticked ("keep this
photo", a token) and the next submission uses it. Works without JavaScript: the token is a checkbox.
"""

from __future__ import annotations

from flask import request

from app.extensions import db
from app.media import pending_uploads
from app.media.models import PendingUpload


def kept_photo(member_id: int) -> list[PendingUpload]:
    """The member's pending upload this submission keeps (at most one; empty on a GET or when the
    box was unticked, or the token is someone else's or expired)."""
    if request.method != "POST":
        return []
    return pending_uploads.owned(member_id, request.form.getlist("keep_photo"))[:1]


def keep_what_arrived(member_id: int, field, kept: list[PendingUpload]) -> list[PendingUpload]:
    """The form failed: keep the photo of the file ``field`` that arrived (unless the photo itself
    was refused) as the member's pending upload. Returns what the form shows as kept: the new
    photo, else the one kept before. A photo the checks refuse gets its message on ``field``.
    Commits (nothing else of a failed request is kept)."""
    if field.data and not field.errors:
        arrived, refused = pending_uploads.keep(member_id, [field.data])
        field.errors = [*field.errors, *refused]
        kept = arrived or kept
    db.session.commit()
    return kept
