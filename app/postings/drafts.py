"""What a member typed into a new-posting form, kept on the server (issue 25).

Saved a couple of seconds after each change when JavaScript runs (htmx posts the form to
/postings/draft) and whenever a sent form comes back with errors (so it works without JavaScript
too); restored when the member opens the form again; removed when the posting is created or the
member starts again. One per member and form ("new" or "station"). Files, the CSRF token and the
buttons are never stored. `flask postings expire` removes drafts untouched for POSTING_DRAFT_DAYS.
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from app.core.clock import utcnow
from app.extensions import db
from app.postings.models import PostingDraft

FORMS = ("new", "station")
# Only the posting form's own text fields are stored, each cut to what the form accepts anyway.
_FIELDS = {
    "kind": 4,
    "commodity_id": 12,
    "title": 120,
    "description": 4000,
    "variety": 80,
    "grade": 40,
    "quantity": 40,
    "unit_code": 12,
    "unit_weight_kg": 40,
    "min_order": 40,
    "price": 40,
    "negotiable": 4,
    "province_code": 8,
    "locality": 100,
    "available_from": 10,
    "available_until": 10,
    "delivery": 8,
    "lot_code": 40,
    "harvest_date": 10,
    "farmer_phone": 40,
    "farmer_name": 80,
}


def _values(form_data: MultiDict) -> dict[str, str]:
    values = {}
    for name, limit in _FIELDS.items():
        value = form_data.get(name)
        if isinstance(value, str) and value.strip():
            values[name] = value.replace("\x00", "")[:limit]
    return values


def save(member_id: int, form_name: str, form_data: MultiDict) -> PostingDraft | None:
    """Keep the posting fields of ``form_data`` as the member's draft of ``form_name`` (replacing
    the previous one). Returns the draft, or None when the form holds nothing worth keeping (an
    earlier draft is then removed). Raises ValueError for an unknown form name. Does not commit."""
    if form_name not in FORMS:
        raise ValueError(f"unknown posting form {form_name!r}")
    values = _values(form_data)
    draft = db.session.scalar(
        select(PostingDraft).where(PostingDraft.member_id == member_id, PostingDraft.form_name == form_name)
    )
    # A form with nothing typed but the defaults (kind, unit, delivery) is not a draft.
    if not set(values) - {"kind", "unit_code", "delivery"}:
        if draft is not None:
            db.session.delete(draft)
        return None
    if draft is None:
        draft = PostingDraft(member_id=member_id, form_name=form_name)
        db.session.add(draft)
    draft.fields = json.dumps(values, ensure_ascii=False, sort_keys=True)
    draft.updated_at = utcnow()
    db.session.flush()
    return draft


def load(member_id: int, form_name: str) -> PostingDraft | None:
    """The member's unexpired draft of ``form_name``, or None."""
    oldest = utcnow() - timedelta(days=current_app.config["POSTING_DRAFT_DAYS"])
    return db.session.scalar(
        select(PostingDraft).where(
            PostingDraft.member_id == member_id,
            PostingDraft.form_name == form_name,
            PostingDraft.updated_at >= oldest,
        )
    )


def as_form_data(draft: PostingDraft) -> MultiDict:
    """The draft's values as the form data to fill the form with."""
    return MultiDict(json.loads(draft.fields))


def clear(member_id: int, form_name: str) -> None:
    """Remove the member's draft of ``form_name`` (after the posting was created). Does not commit."""
    db.session.execute(
        delete(PostingDraft).where(PostingDraft.member_id == member_id, PostingDraft.form_name == form_name)
    )


def remove_stale() -> int:
    """Delete drafts untouched for POSTING_DRAFT_DAYS. Returns how many. Does not commit."""
    oldest = utcnow() - timedelta(days=current_app.config["POSTING_DRAFT_DAYS"])
    return db.session.execute(delete(PostingDraft).where(PostingDraft.updated_at < oldest)).rowcount
