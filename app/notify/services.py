"""Writing notifications into the outbox (in the caller's transaction) and the admin's retry."""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.i18n import normalise_locale
from app.extensions import db
from app.members.models import Member
from app.notify import optout, policy, preferences, sms_templates
from app.notify.models import (
    DELIVERY_RANK,
    RETRYABLE_BY_ADMIN,
    Channel,
    DeliveryStatus,
    Notification,
    NotificationStatus,
)
from sms.templates import RenderedSms, TemplateError

log = logging.getLogger("jishi.notify")
# last_error of an SMS row that could not be rendered within its template's rules.
SMS_NOT_RENDERED = "not rendered"


def member_locale(member: Member) -> str:
    """The language a member reads messages in: their own choice, else the site default."""
    return normalise_locale(member.locale) or current_app.config["BABEL_DEFAULT_LOCALE"]


def render_message(channel: str, template: str, locale: str, context: dict) -> tuple[str | None, str, str | None]:
    """Render (subject, text body, html body) of ``template`` in ``locale``.

    SMS bodies are the text of the registry template the event maps to (render_sms: raises
    TemplateError, TemplateTooLong when it cannot fit its parts); e-mail comes from
    templates/email/<template>.txt and .html, whose ``subject`` block is the subject line."""
    if channel == Channel.SMS.value:
        return None, render_sms(template, locale, context).text, None
    with force_locale(locale):
        text_template = current_app.jinja_env.get_template(f"email/{template}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(_template_context(context))))
        subject = " ".join(subject.split())
        text = render_template(f"email/{template}.txt", **context).strip() + "\n"
        html = render_template(f"email/{template}.html", subject=subject, **context)
    return subject, text, html


def render_sms(template: str, locale: str, context: dict, log_errors: bool = True) -> RenderedSms:
    """The SMS of ``template`` (an event's message name) in ``locale``: its registry template,
    parameters and text (app.notify.sms_templates). Raises TemplateError / TemplateTooLong, logged
    as errors unless ``log_errors`` is off."""
    return sms_templates.render_sms(template, locale, context, log_errors)


def sms_columns(template: str, locale: str, context: dict) -> dict:
    """The outbox columns of one SMS: registry template, parameters and text. A message that
    cannot be rendered within its parts is written "skipped" with the reason (logged by the
    registry) instead of failing the event it belongs to: never sent cut, never sent over-long."""
    try:
        rendered = render_sms(template, locale, context)
    except TemplateError as error:  # logged by the registry
        return {
            "template": template,
            "template_params": None,
            "body": "",
            "status": NotificationStatus.SKIPPED.value,
            "next_attempt_at": None,
            "last_error": f"{SMS_NOT_RENDERED}: {error}"[:2000],
        }
    return {"template": rendered.template, "template_params": rendered.params, "body": rendered.text}


def _template_context(context: dict) -> dict:
    merged = {}
    current_app.update_template_context(merged)
    merged.update(context)
    return merged


def _sms_schedule(member_id: int | None, urgent: bool, now) -> dict:
    """Status, next attempt and reason for a new SMS row under the quiet-hours and daily-cap rules."""
    if urgent:
        return {"status": NotificationStatus.PENDING.value, "next_attempt_at": now}
    if not policy.sms_allowed_today(member_id, now):
        return {
            "status": NotificationStatus.SKIPPED.value,
            "next_attempt_at": None,
            "last_error": policy.DAILY_LIMIT_REACHED,
        }
    return {"status": NotificationStatus.PENDING.value, "next_attempt_at": policy.quiet_hours_delay(now) or now}


def _may_text(member: Member | None, phone: str, to_unverified: bool) -> bool:
    """SMS goes only to a member's own verified number (unless the message is what verifies it)
    and never to a number that said STOP."""
    if member is not None and not to_unverified and not (member.phone == phone and member.phone_verified_at):
        return False
    return not optout.is_opted_out(phone)


def enqueue(
    member: Member,
    event: str,
    context: dict,
    template: str | None = None,
    *,
    urgent: bool = False,
    channels: tuple[str, ...] = (Channel.SMS.value, Channel.EMAIL.value),
    to_unverified: bool = False,
) -> list[Notification]:
    """Add one notification per channel the member can be reached on and wants this event on
    (SMS when they have a phone, e-mail when they have an address; only ``channels``; see
    preferences) to the current session, rendered in their language.

    SMS goes only to a verified phone that has not said STOP; ``to_unverified`` lifts the first
    rule for messages that verify a number or an account (codes, password resets, station
    confirmations). A non-urgent SMS written in quiet hours waits until they end; one beyond the
    member's daily cap is written as "skipped" and never sent. ``urgent`` messages (codes,
    resets) ignore quiet hours and the cap.

    Nothing is committed: the rows commit or roll back with the caller's transaction. Returns the
    new rows (not yet flushed)."""
    template = template or event
    locale = member_locale(member)
    now = utcnow()
    wanted = preferences.wanted_channels(member.id, event, channels)
    rows = []
    for channel, address in ((Channel.SMS.value, member.phone), (Channel.EMAIL.value, member.email)):
        if not address or channel not in wanted:
            continue
        full_context = {**context, "recipient_name": member.display_name}
        if channel == Channel.SMS.value:
            if not _may_text(member, address, to_unverified):
                continue
            # The rendering's own outcome (a "skipped" row it could not render) wins over the schedule.
            columns = {**_sms_schedule(member.id, urgent, now), **sms_columns(template, locale, full_context)}
            columns.update(subject=None, html=None)
        else:
            subject, body, html = render_message(channel, template, locale, full_context)
            columns = {
                "status": NotificationStatus.PENDING.value,
                "next_attempt_at": now,
                "template": template,
                "subject": subject,
                "body": body,
                "html": html,
            }
        rows.append(
            Notification(
                channel=channel,
                member_id=member.id,
                address=address,
                event=event,
                locale=locale,
                attempts=0,
                urgent=urgent,
                created_at=now,
                **columns,
            )
        )
    db.session.add_all(rows)
    return rows


def enqueue_sms_to_phone(
    phone: str,
    event: str,
    context: dict,
    locale: str,
    *,
    member: Member | None = None,
    template: str | None = None,
    urgent: bool = False,
    to_unverified: bool = False,
) -> Notification | None:
    """Add one SMS to the E.164 ``phone`` (a number that may belong to no member: price alerts to
    a village list, replies to unregistered senders, verification codes), rendered from the
    registry template ``template`` maps to (app.notify.sms_templates) in ``locale``.

    Returns the row (not flushed), or None when the message may not be sent: the number said
    STOP; or ``member`` is given and switched this event's SMS off, or ``phone`` is not their
    verified number and ``to_unverified`` is not set. Quiet hours, the daily cap (for a
    ``member``) and ``urgent`` work as in ``enqueue``. The caller commits."""
    template = template or event
    if member is not None and Channel.SMS.value not in preferences.wanted_channels(
        member.id, event, (Channel.SMS.value,)
    ):
        return None
    if not _may_text(member, phone, to_unverified):
        return None
    now = utcnow()
    locale = normalise_locale(locale) or current_app.config["BABEL_DEFAULT_LOCALE"]
    row = Notification(
        channel=Channel.SMS.value,
        member_id=member.id if member else None,
        address=phone,
        event=event,
        locale=locale,
        subject=None,
        html=None,
        attempts=0,
        urgent=urgent,
        created_at=now,
        **{**_sms_schedule(member.id if member else None, urgent, now), **sms_columns(template, locale, context)},
    )
    db.session.add(row)
    return row


def enqueue_sms_reply(phone: str, reply: RenderedSms, locale: str, member_id: int | None = None) -> Notification:
    """Add the answer to an SMS command to the outbox, for a provider that cannot answer in its
    webhook's response (Alibaba Cloud and Tencent Cloud SMS; Twilio answers with TwiML instead).

    ``reply`` is the reply rendered from its registry template (app.inbound_sms.replies.render):
    the row keeps the template, its parameters and the text, like every templated SMS, so a
    mainland provider sends it as the template code it approved. The row is urgent (an answer to
    what the person just texted: no quiet hours, no daily cap) and goes through the worker like any
    SMS, so a number that said STOP is skipped there. Returns the row (not flushed); the caller
    commits it with the inbound message's log row."""
    now = utcnow()
    row = Notification(
        channel=Channel.SMS.value,
        member_id=member_id,
        address=phone,
        event="sms_reply",
        template=reply.template,
        template_params=reply.params,
        locale=normalise_locale(locale) or current_app.config["BABEL_DEFAULT_LOCALE"],
        subject=None,
        body=reply.text,
        html=None,
        attempts=0,
        urgent=True,
        created_at=now,
        **_sms_schedule(member_id, True, now),
    )
    db.session.add(row)
    return row


def retry(notification_id: int) -> Notification:
    """Put a failed or dead notification back in the queue for an immediate attempt (a dead one
    gets a fresh set of attempts). Returns it; raises DomainError (404) for an unknown id and
    (409) for a row in any other state. The caller commits."""
    notification = db.session.scalar(select(Notification).where(Notification.id == notification_id).with_for_update())
    if notification is None:
        raise DomainError(_("This notification does not exist."), status=404)
    if notification.status not in RETRYABLE_BY_ADMIN:
        raise DomainError(_("Only failed or dead notifications can be retried."))
    if notification.status == NotificationStatus.DEAD.value:
        notification.attempts = 0
    notification.status = NotificationStatus.PENDING.value
    notification.next_attempt_at = utcnow()
    return notification


def outbox_query(status: str | None = None, channel: str | None = None):
    """Notifications newest first, filtered by status and channel when given."""
    query = select(Notification).order_by(Notification.id.desc())
    if status:
        query = query.where(Notification.status == status)
    if channel:
        query = query.where(Notification.channel == channel)
    return query


# Twilio's MessageStatus values → the status we store. "accepted"/"scheduled" are a Messaging
# Service's steps before "queued"; "canceled" (a scheduled message called off) never reaches a phone.
DELIVERY_STATUS_OF = {
    "accepted": DeliveryStatus.QUEUED.value,
    "scheduled": DeliveryStatus.QUEUED.value,
    "queued": DeliveryStatus.QUEUED.value,
    "sending": DeliveryStatus.SENDING.value,
    "sent": DeliveryStatus.SENT.value,
    "delivered": DeliveryStatus.DELIVERED.value,
    "read": DeliveryStatus.DELIVERED.value,
    "undelivered": DeliveryStatus.UNDELIVERED.value,
    "failed": DeliveryStatus.FAILED.value,
    "canceled": DeliveryStatus.FAILED.value,
}


def record_delivery_status(provider_id: str, status: str, error_code: str | None = None) -> bool:
    """Store ``status`` (one of DeliveryStatus) on the SMS whose provider id is ``provider_id``
    when it moves the row forward. Returns False when nothing changed: unknown id, or a report
    that is older than (or as final as) what is stored. One conditional UPDATE, so concurrent
    callbacks cannot move a row backwards. The caller commits."""
    earlier = [name for name, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[status]]
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.provider_id == provider_id,
            or_(Notification.delivery_status.is_(None), Notification.delivery_status.in_(earlier)),
        )
        .values(delivery_status=status, delivery_updated_at=utcnow(), delivery_error_code=error_code)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0
