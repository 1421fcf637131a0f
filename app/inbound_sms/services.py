"""Running an inbound SMS: idempotency by MessageSid, the hourly limit per number, the reply's
language, and the command executor shared by /sms/inbound and the development SMS inbox.

Every command goes through the services the web uses (postings.services, trade.negotiations,
market.subscriptions, notify.optout), so SMS can do nothing the website would refuse. Nothing here
commits: the caller commits once, the log row together with the command's changes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.clock import utcnow
from app.core.errors import MESSAGES
from app.core.i18n import normalise_locale
from app.extensions import db
from app.inbound_sms import commands
from app.inbound_sms.models import InboundSms
from app.inbound_sms.replies import Reply, refused_reply, render, too_many_reply
from app.members.models import Member
from app.members.services import member_by_phone
from sms.templates import RenderedSms

# Stored bodies are capped: a concatenated SMS is at most ~1,600 characters, anything longer is abuse.
MAX_BODY_LENGTH = 1600
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_START = re.compile(r"[a-z]", re.IGNORECASE)


def reply_locale(member: Member | None, body: str) -> str:
    """The language to answer in: the member's own choice, else Chinese for a message with Chinese
    characters and English for one starting with a Latin word, else the site default."""
    chosen = normalise_locale(member.locale) if member is not None else None
    if chosen:
        return chosen
    text = unicodedata.normalize("NFKC", body).strip()
    if _CJK.search(text):
        return "zh_Hans"
    if _LATIN_START.match(text):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def already_received(message_sid: str | None) -> InboundSms | None:
    """The logged message with this provider message id (Twilio's MessageSid, or the mainland
    providers' ids, see provider_routes.py), if it was handled before (a retried webhook)."""
    if not message_sid:
        return None
    return db.session.scalar(select(InboundSms).where(InboundSms.message_sid == message_sid))


def _recent_count(phone: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(InboundSms)
            .where(InboundSms.phone == phone, InboundSms.created_at >= since)
        )
        or 0
    )


@dataclass(frozen=True)
class Received:
    """The logged message (its ``reply`` column is the answer's text; "" means stay silent), the
    photo files of drafts it discarded, to delete with postings.services.delete_photo_files after
    the commit, the language the reply is in and the reply as its registry template, parameters and
    text (both None for a message handled before, or for silence), which the mainland providers'
    webhooks write to the outbox."""

    record: InboundSms
    files_to_delete: tuple[str, ...] = ()
    locale: str | None = None
    reply: RenderedSms | None = None


def receive(phone: str, body: str, message_sid: str | None = None) -> Received:
    """Log and run one inbound SMS from the E.164 ``phone``. Returns a Received.

    A MessageSid seen before returns the first row untouched (nothing runs twice). Over
    SMS_INBOUND_PER_HOUR messages in the last hour the first extra message gets a short "too many"
    reply and later ones silence; they are logged (they count) but not run. A command that fails
    half-way, or that a database constraint refuses, is rolled back to a savepoint, so only the log
    row stays. Raises IntegrityError when a concurrent request logged the same MessageSid first (the
    caller rolls back and answers with ``already_received``). Does not commit."""
    existing = already_received(message_sid)
    if existing is not None:
        return Received(existing)
    body = (body or "")[:MAX_BODY_LENGTH]
    member = member_by_phone(phone)
    locale = reply_locale(member, body)
    recent = _recent_count(phone)
    record = InboundSms(
        message_sid=message_sid or None,
        phone=phone,
        body=body,
        command="pending",
        member_id=member.id if member is not None else None,
        reply="",
    )
    db.session.add(record)
    # Claim the MessageSid before doing anything: a concurrent retry now fails here, not after acting.
    db.session.flush()
    limit = current_app.config["SMS_INBOUND_PER_HOUR"]
    with force_locale(locale):
        if recent >= limit:
            record.command = "limited"
            return _answered(Received(record, locale=locale), too_many_reply() if recent == limit else None)
        try:
            with db.session.begin_nested():
                outcome = commands.execute(phone, body, member, locale)
        except commands.Refused as refusal:
            outcome = refusal.outcome
        except IntegrityError as error:
            # A UNIQUE or CHECK constraint (one order per offer, stock within the stated quantity) is
            # the last guard behind the services' compare-and-set: a refused step, never a 500.
            current_app.logger.warning(
                "SMS command refused by a database constraint: %s", getattr(error, "orig", error)
            )
            outcome = commands.Outcome("conflict", refused_reply(str(MESSAGES[409])))
        record.command = outcome.command
        return _answered(Received(record, outcome.files_to_delete, locale), outcome.reply)


def _answered(received: Received, answer: Reply | None) -> Received:
    """``received`` with ``answer`` rendered in its language (in the log row's ``reply`` too)."""
    if answer is None:
        received.record.reply = ""
        return received
    rendered = render(answer, received.locale)
    received.record.reply = rendered.text
    return replace(received, reply=rendered)
