"""Our own SMS blocklist: numbers that texted STOP (退订, TD …) get no SMS until they text START.

Twilio keeps its own list for its default keywords, but we check ours before every write and again
just before every send, so a number is safe whatever the gateway does. Every function works in the
caller's transaction (nothing is committed here)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.core.clock import utcnow
from app.extensions import db
from app.notify.models import SmsOptOut

# Up to this many numbers are looked up with IN (…); a bigger fan-out reads the whole (much
# smaller) list of stopped numbers instead, which stays one query and within SQLite's variable limit.
_IN_LIMIT = 500


def _row(phone: str) -> SmsOptOut | None:
    return db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone))


def opt_out(phone: str, keyword: str) -> None:
    """Stop every SMS to the E.164 ``phone``, remembering the ``keyword`` it sent and when. Saying
    STOP again while stopped keeps the first time. Adds to the session; the caller commits."""
    keyword = (keyword or "").strip()[:20] or "STOP"
    row = _row(phone)
    if row is None:
        db.session.add(SmsOptOut(phone=phone, keyword=keyword, opted_out_at=utcnow()))
    elif row.opted_in_at is not None:
        row.keyword, row.opted_out_at, row.opted_in_at = keyword, utcnow(), None


def opt_in(phone: str) -> None:
    """Let SMS reach ``phone`` again (START / YES / UNSTOP). The row stays with opted_in_at set, so
    the history shows when the number stopped and resumed. A number that never stopped: no-op."""
    row = _row(phone)
    if row is not None and row.opted_in_at is None:
        row.opted_in_at = utcnow()


def is_opted_out(phone: str) -> bool:
    """True when ``phone`` said STOP and has not said START since."""
    return (
        bool(phone)
        and db.session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone == phone, SmsOptOut.opted_in_at.is_(None)))
        is not None
    )


def opted_out_numbers(phones: Iterable[str]) -> set[str]:
    """The subset of ``phones`` that is opted out, found with one query (for bulk fan-out)."""
    wanted = {phone for phone in phones if phone}
    if not wanted:
        return set()
    stopped = select(SmsOptOut.phone).where(SmsOptOut.opted_in_at.is_(None))
    if len(wanted) <= _IN_LIMIT:
        stopped = stopped.where(SmsOptOut.phone.in_(sorted(wanted)))
    return wanted & set(db.session.scalars(stopped))
