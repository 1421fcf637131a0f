"""One SMS to many phone numbers (price alerts, village lists) in bulk, under the same rules as ``enqueue``.

``enqueue`` builds one ORM object per row and renders the template for each member, which is right for a
handful of recipients and far too slow for a price alert to 100,000 subscribers. Here the body is rendered
once per language; opt-outs, members' preferences and the daily cap are read with one query per chunk
each; rows go in with executemany INSERTs — still in the caller's transaction, so an event that rolls
back leaves no message behind."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, insert, select

from app.core.clock import local_day_start, utcnow
from app.core.i18n import normalise_locale
from app.extensions import db
from app.notify.models import Channel, Notification, NotificationPreference, NotificationStatus
from app.notify.optout import opted_out_numbers
from app.notify.policy import DAILY_LIMIT_REACHED, quiet_hours_delay
from app.notify.preferences import category_of
from app.notify.services import sms_columns

# Recipients handled per INSERT batch and per lookup: big enough that round trips do not dominate,
# small enough that each IN (…) list stays under every driver's bound-parameter limit.
CHUNK_SIZE = 5000
# Member-id IN (…) lists are split further: SQLite allows 32,766 variables, older builds 999.
_ID_CHUNK = 900


def enqueue_sms_fanout(
    recipients: Iterable[tuple[str, str, int | None]],
    event: str,
    context: dict,
    template: str | None = None,
    *,
    urgent: bool = False,
) -> int:
    """Add one pending SMS per distinct phone in ``recipients`` — (E.164 phone, locale, member id or None)
    tuples — rendered from the registry template ``template or event`` maps to, in each recipient's language.

    Skipped without a row: numbers that opted out (STOP), repeats of a phone (its first tuple wins), and
    members who switched this event's category off for SMS. Like ``enqueue``, a non-urgent message
    written in quiet hours waits until they end, and a member already at NOTIFY_SMS_DAILY_CAP today gets
    a row with status "skipped" (so the outbox shows why nothing came). The context must not depend on
    the recipient (no ``recipient_name``): that is what makes one rendering per language possible.

    Nothing is committed: the rows commit or roll back with the caller's transaction. Returns the number
    of rows written (pending and skipped)."""
    template = template or event
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    now = utcnow()
    send_at = (None if urgent else quiet_hours_delay(now)) or now
    batch = _Batch(event, template, context, urgent, now, send_at)
    seen: set[str] = set()
    written = 0
    chunk: list[tuple[str, str, int | None]] = []
    for phone, locale, member_id in recipients:
        if not phone or phone in seen:
            continue
        seen.add(phone)
        chunk.append((phone, normalise_locale(locale) or default_locale, member_id))
        if len(chunk) >= CHUNK_SIZE:
            written += batch.write(chunk)
            chunk = []
    if chunk:
        written += batch.write(chunk)
    return written


class _Batch:
    """What stays the same for every chunk of one fan-out: the message, its bodies per language, the
    clock, and how many capped messages each member already got (counting this fan-out's own rows)."""

    def __init__(self, event: str, template: str, context: dict, urgent: bool, now, send_at):
        self.event, self.template, self.context, self.urgent = event, template, context, urgent
        self.now, self.send_at = now, send_at
        self.columns: dict[str, dict] = {}
        self.category = category_of(event)
        self.cap = current_app.config["NOTIFY_SMS_DAILY_CAP"]

    def message(self, locale: str) -> dict:
        """Template, parameters and text in ``locale`` (rendered once), or a skipped row's reason."""
        if locale not in self.columns:
            self.columns[locale] = sms_columns(self.template, locale, self.context)
        return self.columns[locale]

    def write(self, chunk: list[tuple[str, str, int | None]]) -> int:
        blocked = opted_out_numbers(phone for phone, _locale, _member_id in chunk)
        member_ids = sorted({member_id for _phone, _locale, member_id in chunk if member_id is not None})
        unwanted = self._switched_off(member_ids)
        sent_today = {} if self.urgent else self._sent_today(member_ids)
        rows = []
        for phone, locale, member_id in chunk:
            if phone in blocked or member_id in unwanted:
                continue
            status, error = NotificationStatus.PENDING.value, None
            message = self.message(locale)
            if "status" in message:
                status, error = message["status"], message["last_error"]
            elif member_id is not None and not self.urgent:
                if sent_today.get(member_id, 0) >= self.cap:
                    status, error = NotificationStatus.SKIPPED.value, DAILY_LIMIT_REACHED
                else:
                    sent_today[member_id] = sent_today.get(member_id, 0) + 1
            rows.append(
                {
                    "channel": Channel.SMS.value,
                    "member_id": member_id,
                    "address": phone,
                    "event": self.event,
                    "template": message["template"],
                    "template_params": message["template_params"],
                    "locale": locale,
                    "subject": None,
                    "body": message["body"],
                    "html": None,
                    "status": status,
                    "attempts": 0,
                    "next_attempt_at": self.send_at,
                    "last_error": error,
                    "urgent": self.urgent,
                    "created_at": self.now,
                }
            )
        if rows:
            db.session.execute(insert(Notification), rows)
        return len(rows)

    def _switched_off(self, member_ids: list[int]) -> set[int]:
        """Members who do not want this event's category by SMS (stored choice, else the default)."""
        category = self.category
        if category is None or category.locked or not member_ids:
            return set()
        stored: dict[int, bool] = {}
        for start in range(0, len(member_ids), _ID_CHUNK):
            stored.update(
                db.session.execute(
                    select(NotificationPreference.member_id, NotificationPreference.enabled).where(
                        NotificationPreference.member_id.in_(member_ids[start : start + _ID_CHUNK]),
                        NotificationPreference.category == category.name,
                        NotificationPreference.channel == Channel.SMS.value,
                    )
                )
                .tuples()
                .all()
            )
        default = category.default(Channel.SMS.value)
        return {member_id for member_id in member_ids if not stored.get(member_id, default)}

    def _sent_today(self, member_ids: list[int]) -> dict[int, int]:
        """Non-urgent SMS each member was written since local midnight, skipped ones aside (the rule of
        app.notify.policy.sms_count_today, for many members at once)."""
        counts: dict[int, int] = {}
        since = local_day_start(self.now)
        for start in range(0, len(member_ids), _ID_CHUNK):
            counts.update(
                db.session.execute(
                    select(Notification.member_id, func.count(Notification.id))
                    .where(
                        Notification.member_id.in_(member_ids[start : start + _ID_CHUNK]),
                        Notification.created_at >= since,
                        Notification.channel == Channel.SMS.value,
                        Notification.urgent.is_(False),
                        Notification.status != NotificationStatus.SKIPPED.value,
                    )
                    .group_by(Notification.member_id)
                )
                .tuples()
                .all()
            )
        return counts
