"""Writing notifications into the outbox (in the caller's transaction) and the admin's retry."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from app.models_common import utcnow
from app.notify.models import RETRYABLE_BY_ADMIN, Channel, Notification, NotificationStatus
from app.web.errors import DomainError
from app.web.i18n import normalise_locale


def member_locale(member: Member) -> str:
    """The language a member reads messages in: their own choice, else the site default."""
    return normalise_locale(member.locale) or current_app.config["BABEL_DEFAULT_LOCALE"]


def render_message(channel: str, template: str, locale: str, context: dict) -> tuple[str | None, str, str | None]:
    """Render (subject, text body, html body) of ``template`` in ``locale``.

    SMS bodies come from templates/sms/<template>.txt; e-mail from templates/email/<template>.txt
    and .html, whose ``subject`` block is the subject line."""
    with force_locale(locale):
        if channel == Channel.SMS.value:
            return None, " ".join(render_template(f"sms/{template}.txt", **context).split()), None
        text_template = current_app.jinja_env.get_template(f"email/{template}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(_template_context(context))))
        subject = " ".join(subject.split())
        text = render_template(f"email/{template}.txt", **context).strip() + "\n"
        html = render_template(f"email/{template}.html", subject=subject, **context)
    return subject, text, html


def _template_context(context: dict) -> dict:
    merged = {}
    current_app.update_template_context(merged)
    merged.update(context)
    return merged


def enqueue(
    member: Member,
    event: str,
    context: dict,
    template: str | None = None,
    *,
    urgent: bool = False,
    channels: tuple[str, ...] = (Channel.SMS.value, Channel.EMAIL.value),
) -> list[Notification]:
    """Add one pending notification per channel the member can be reached on (SMS when they have
    a phone, e-mail when they have an address; only ``channels``) to the current session, rendered
    in their language. ``urgent`` messages are the ones the member must get at once (codes,
    password resets): they ignore quiet hours.

    Nothing is committed: the rows commit or roll back with the caller's transaction. Returns the
    new rows (not yet flushed)."""
    template = template or event
    locale = member_locale(member)
    now = utcnow()
    rows = []
    for channel, address in ((Channel.SMS.value, member.phone), (Channel.EMAIL.value, member.email)):
        if not address or channel not in channels:
            continue
        subject, body, html = render_message(
            channel, template, locale, {**context, "recipient_name": member.display_name}
        )
        rows.append(Notification(
            channel=channel, member_id=member.id, address=address, event=event, template=template,
            locale=locale, subject=subject, body=body, html=html,
            status=NotificationStatus.PENDING.value, attempts=0, next_attempt_at=now,
        ))
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
) -> Notification | None:
    """Add one pending SMS to the E.164 ``phone`` (a number that may belong to no member: price
    alerts to a village list, replies to unregistered senders, verification codes), rendered from
    templates/sms/<template>.txt in ``locale``. Returns the row (not flushed), or None when the
    message may not be sent. The caller commits."""
    template = template or event
    locale = normalise_locale(locale) or current_app.config["BABEL_DEFAULT_LOCALE"]
    _subject, body, _html = render_message(Channel.SMS.value, template, locale, context)
    row = Notification(
        channel=Channel.SMS.value, member_id=member.id if member else None, address=phone, event=event,
        template=template, locale=locale, subject=None, body=body, html=None,
        status=NotificationStatus.PENDING.value, attempts=0, next_attempt_at=utcnow(),
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
