"""app.notify's side of the small command API of app/core/messages.py: how members' codes and reset
links reach the outbox. create_app installs :class:`OutboxMessenger`."""

from __future__ import annotations

from flask import current_app

from app.core import messages
from app.members.models import Member
from app.notify.models import Channel
from app.notify.preferences import register_event
from app.notify.services import enqueue, enqueue_sms_to_phone, member_locale, render_message

# Account messages: always sent, a member cannot switch them off.
for _event in ("phone_code", "password_reset_code", "password_reset"):
    register_event(_event, "account")


class OutboxMessenger:
    """Writes the messages asked for to the outbox, in the caller's transaction."""

    def to_member(
        self,
        member: Member,
        event: str,
        context: dict,
        *,
        channels: tuple[str, ...] | None = None,
        urgent: bool = False,
        to_unverified: bool = False,
    ) -> None:
        enqueue(
            member,
            event,
            context,
            channels=channels or (Channel.SMS.value, Channel.EMAIL.value),
            urgent=urgent,
            to_unverified=to_unverified,
        )

    def sms_to_member_phone(
        self, member: Member, event: str, context: dict, *, urgent: bool = False, to_unverified: bool = False
    ) -> None:
        enqueue_sms_to_phone(
            member.phone,
            event,
            context,
            member_locale(member),
            member=member,
            urgent=urgent,
            to_unverified=to_unverified,
        )

    def rehearse(self, channel: str, template: str, context: dict) -> None:
        render_message(channel, template, current_app.config["BABEL_DEFAULT_LOCALE"], context)


def install(app) -> None:
    messages.install(app, OutboxMessenger())
