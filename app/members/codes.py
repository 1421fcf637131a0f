"""One-time codes: phone verification and password reset by SMS code or e-mailed link.

A code is six random digits; a link carries 32 random bytes. Only an HMAC (keyed with SECRET_KEY and
bound to the purpose and the number) is stored, and codes are compared in constant time. Only the
newest code of a number counts, so asking for a new one kills the old one.

Password resets never tell whether a number or an address is registered: a row is written and the
limits are counted the same way for a stranger's number, only the message is not sent.

Limits are counted in the database, so every worker and host shares them without Redis: one new
code per number (or address) per CODE_RESEND_SECONDS, CODES_PER_NUMBER_PER_HOUR per number or
address, CODES_PER_IP_PER_HOUR per requesting IP address, CODE_MAX_ATTEMPTS wrong tries per code.
Every SMS code also spends the SMS budgets of app/sms_spend/budget.py (issue 23).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.core import messages
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.urls import public_url
from app.extensions import db
from app.members.models import Member, OneTimeCode
from app.members.passwords import check_password as check_password_rules
from app.members.services import end_all_sessions, member_by_phone
from app.sms_spend import budget as sms_budget

CODE_DIGITS = 6
_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{40,64}")
# A stranger asking for resets for an address shared by many accounts must not make us send many
# e-mails at once.
MAX_LINKS_PER_REQUEST = 3


class CodeLimitReached(DomainError):
    """Too many codes were asked for (per number, per IP, or too soon after the last one)."""

    status = 429


class CodeRejected(DomainError):
    """The code typed is wrong, expired, used or worn out by wrong tries. The wrong try has been
    counted in the session: the caller commits before it shows the message."""

    status = 422


class ResetLinkInvalid(DomainError):
    """The e-mailed link is unknown (tampered), expired or already used."""

    status = 400

    def __init__(self):
        super().__init__(_("This link does not work: it is wrong, has expired or was already used. Ask for a new one."))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored in UTC).
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _config(name: str) -> int:
    return int(current_app.config[name])


def code_minutes() -> int:
    """How many minutes an SMS code works (shown to the member)."""
    return _config("CODE_TTL_MINUTES")


def link_minutes() -> int:
    """How many minutes an e-mailed reset link works."""
    return _config("RESET_LINK_TTL_MINUTES")


def _digest(purpose: str, address: str, secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose}\x00{address}\x00{secret}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _check_limits(*, phone: str | None, email: str | None, ip: str | None, now: datetime) -> None:
    """Raise CodeLimitReached when another code may not be sent to this number/address from ``ip``."""
    address_filter = OneTimeCode.phone == phone if phone else OneTimeCode.email == email
    hour_ago = now - timedelta(hours=1)
    last = db.session.scalar(select(func.max(OneTimeCode.created_at)).where(address_filter))
    if last is not None:
        wait = _config("CODE_RESEND_SECONDS") - int((now - _aware(last)).total_seconds())
        if wait > 0:
            raise CodeLimitReached(_("Please wait %(seconds)s seconds before asking for another code.", seconds=wait))
    sent_to_address = db.session.scalar(
        select(func.count(OneTimeCode.id)).where(address_filter, OneTimeCode.created_at > hour_ago)
    )
    if sent_to_address >= _config("CODES_PER_NUMBER_PER_HOUR"):
        if phone:
            message = _("Too many codes were sent to this number. Please try again in an hour.")
        else:
            message = _("Too many links were sent to this address. Please try again in an hour.")
        raise CodeLimitReached(message)
    if ip:
        asked_from_ip = db.session.scalar(
            select(func.count(OneTimeCode.id)).where(OneTimeCode.requester_ip == ip, OneTimeCode.created_at > hour_ago)
        )
        if asked_from_ip >= _config("CODES_PER_IP_PER_HOUR"):
            raise CodeLimitReached(_("Too many codes were asked for from your network. Please try again in an hour."))


def _spend_sms_budget(phone: str, ip: str | None, now: datetime) -> None:
    """Count the code against the SMS budgets (app/sms_spend/budget.py); a full budget is a
    CodeLimitReached like the limits above (its alert for the admins is in the session: commit)."""

    try:
        sms_budget.spend(sms_budget.CODE, phone, address=ip, now=now)
    except sms_budget.BudgetExceeded as error:
        raise CodeLimitReached(error.message) from error


def _add_sms_code(
    purpose: str, phone: str, member: Member | None, ip: str | None, now: datetime
) -> tuple[OneTimeCode, str]:
    code = _new_code()
    row = OneTimeCode(
        purpose=purpose,
        member_id=member.id if member else None,
        phone=phone,
        code_hash=_digest(purpose, phone, code),
        attempts=0,
        expires_at=now + timedelta(minutes=code_minutes()),
        requester_ip=ip,
        created_at=now,
    )
    db.session.add(row)
    return row, code


def _send_sms_code(member: Member, template: str, code: str) -> None:
    messages.send_sms_to_member_phone(
        member,
        template,
        {"code": code, "minutes": code_minutes()},
        urgent=True,
        to_unverified=True,  # this very SMS is what verifies the number
    )


def _render_unsent(channel: str, template: str, context: dict) -> None:
    """Render the message a stranger's number or address would have got, and drop it: the answer
    then takes about as long as for a member, so its timing does not tell whether one exists."""
    messages.rehearse(channel, template, context)


def send_phone_verification(member: Member, ip: str | None) -> OneTimeCode:
    """Write a new phone-verification code for ``member`` and its SMS to the outbox. Returns the row.

    Raises DomainError (409) when the number is already verified, CodeLimitReached (429) when a
    limit or an SMS budget is reached (commit then: the admins' alert is in the session) and
    sms_budget.DestinationRefused (422) for a country we do not text. Does not commit."""
    if member.phone_is_verified:
        raise DomainError(_("Your mobile number is already verified."))
    now = utcnow()
    _check_limits(phone=member.phone, email=None, ip=ip, now=now)
    _spend_sms_budget(member.phone, ip, now)
    row, code = _add_sms_code(OneTimeCode.VERIFY_PHONE, member.phone, member, ip, now)
    _send_sms_code(member, "phone_code", code)
    return row


def latest_code(purpose: str, phone: str) -> OneTimeCode | None:
    """The newest code of ``purpose`` for ``phone`` (the only one that can still be used), or None."""
    return db.session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.phone == phone)
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
    )


def usable(row: OneTimeCode | None, now: datetime | None = None) -> bool:
    """True while ``row`` is unused, not expired and has wrong tries left."""
    now = now or utcnow()
    return (
        row is not None
        and row.used_at is None
        and _aware(row.expires_at) > now
        and row.attempts < _config("CODE_MAX_ATTEMPTS")
    )


def _use_code(purpose: str, phone: str, code: str, member_id: int | None = None) -> OneTimeCode:
    """Mark the newest ``purpose`` code of ``phone`` used when ``code`` matches it; returns the row.

    Raises CodeRejected otherwise, after counting the wrong try on the row."""
    now = utcnow()
    query = (
        select(OneTimeCode)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.phone == phone)
        .order_by(OneTimeCode.created_at.desc(), OneTimeCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    row = db.session.scalar(query)
    # The digest is computed whatever happens, so a stranger's number costs the same time.
    matches = row is not None and hmac.compare_digest(row.code_hash, _digest(purpose, phone, code))
    if not usable(row, now) or (member_id is not None and row.member_id != member_id):
        raise CodeRejected(_("This code has expired or was used up. Please ask for a new code."))
    if not matches or row.member_id is None:
        row.attempts += 1
        left = _config("CODE_MAX_ATTEMPTS") - row.attempts
        if left <= 0:
            raise CodeRejected(_("Wrong code, and that was the last try. Please ask for a new code."))
        raise CodeRejected(_("This code is not right. Check the latest SMS and try again."))
    row.used_at = now
    return row


def verify_phone(member: Member, code: str) -> None:
    """Mark ``member``'s number verified when ``code`` is their newest verification code.

    Raises CodeRejected (the wrong try is counted: commit before showing it). Does not commit."""
    _use_code(OneTimeCode.VERIFY_PHONE, member.phone, code, member_id=member.id)
    member.phone_verified_at = utcnow()


def phone_proved_by_reply(member: Member) -> None:
    """Mark ``member``'s number verified because they answered one of our SMS from it (a YES to a
    draft: info-station farmers included). Keeps an earlier verification date. Does not commit."""
    if member.phone_verified_at is None:
        member.phone_verified_at = utcnow()


def request_password_reset_by_sms(phone: str, ip: str | None) -> None:
    """Write a reset code for the E.164 ``phone`` and, when a member has this number (a placeholder
    made by an info-station included), its SMS to the outbox. Returns nothing either way.

    Raises CodeLimitReached (429) — alike for registered and unknown numbers; commit then, the
    admins' alert of a full SMS budget is in the session — and sms_budget.DestinationRefused (422).
    Does not commit."""
    now = utcnow()
    _check_limits(phone=phone, email=None, ip=ip, now=now)
    # Counted for a stranger's number too, so that a full budget does not tell which numbers exist.
    _spend_sms_budget(phone, ip, now)
    member = member_by_phone(phone)
    _row, code = _add_sms_code(OneTimeCode.RESET_PASSWORD, phone, member, ip, now)
    if member is not None:
        _send_sms_code(member, "password_reset_code", code)
    else:
        _render_unsent("sms", "password_reset_code", {"code": code, "minutes": code_minutes()})


def request_password_reset_by_email(email: str, ip: str | None) -> None:
    """E-mail a single-use reset link to every member (at most MAX_LINKS_PER_REQUEST) whose address is
    ``email``, compared without case. Returns nothing either way.

    Raises CodeLimitReached (429) — alike for known and unknown addresses. Does not commit."""
    email = email.strip().lower()
    now = utcnow()
    _check_limits(phone=None, email=email, ip=ip, now=now)
    members = db.session.scalars(
        select(Member).where(func.lower(Member.email) == email).order_by(Member.id).limit(MAX_LINKS_PER_REQUEST)
    ).all()
    expires_at = now + timedelta(minutes=link_minutes())
    for member in members or [None]:
        token = secrets.token_urlsafe(32)
        db.session.add(
            OneTimeCode(
                purpose=OneTimeCode.RESET_LINK,
                member_id=member.id if member else None,
                email=email,
                code_hash=_digest(OneTimeCode.RESET_LINK, "", token),
                attempts=0,
                expires_at=expires_at,
                requester_ip=ip,
                created_at=now,
            )
        )
        url = public_url("members.reset_password_link", token=token)
        context = {"url": url, "minutes": link_minutes()}
        if member is not None:
            messages.send_to_member(member, "password_reset", context, channels=("email",), urgent=True)
        else:
            _render_unsent("email", "password_reset", {**context, "recipient_name": ""})


def reset_link(token: str | None) -> OneTimeCode:
    """The unused, unexpired reset-link row for ``token`` (with its member). Raises ResetLinkInvalid."""
    if not token or not _LINK_TOKEN.fullmatch(token):
        raise ResetLinkInvalid()
    digest = _digest(OneTimeCode.RESET_LINK, "", token)
    row = db.session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.purpose == OneTimeCode.RESET_LINK, OneTimeCode.code_hash == digest)
        .with_for_update()
    )
    if (
        row is None
        or row.member is None
        or not hmac.compare_digest(row.code_hash, digest)
        or row.used_at is not None
        or _aware(row.expires_at) <= utcnow()
    ):
        raise ResetLinkInvalid()
    return row


def _set_new_password(member: Member, new_password: str, now: datetime) -> None:
    member.set_password(new_password)
    end_all_sessions(member)
    # Any other code or link still out there would reset the password again: retire them all.
    db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.member_id == member.id,
            OneTimeCode.purpose.in_((OneTimeCode.RESET_PASSWORD, OneTimeCode.RESET_LINK)),
            OneTimeCode.used_at.is_(None),
        )
        .values(used_at=now)
    )


def reset_password_with_code(phone: str, code: str, new_password: str) -> Member:
    """Set a new password for the member with ``phone`` when ``code`` is the newest reset code sent
    to it. Ends every session, marks the number verified (the code arrived by SMS) and retires other
    reset codes and links. Returns the member.

    Raises passwords.WeakPassword before anything is used, and CodeRejected (the wrong try is
    counted: commit before showing it). Does not commit."""
    check_password_rules(new_password, phone=phone)
    row = _use_code(OneTimeCode.RESET_PASSWORD, phone, code)
    member = row.member
    now = row.used_at
    _set_new_password(member, new_password, now)
    member.phone_verified_at = member.phone_verified_at or now
    return member


def reset_password_with_link(token: str, new_password: str) -> Member:
    """Set a new password for the member of the e-mailed link ``token``; the link is used up, every
    session ends and other reset codes and links are retired. Returns the member.

    Raises ResetLinkInvalid (400) and passwords.WeakPassword. Does not commit."""
    row = reset_link(token)
    member = row.member
    check_password_rules(new_password, phone=member.phone)
    now = utcnow()
    row.used_at = now
    _set_new_password(member, new_password, now)
    return member
