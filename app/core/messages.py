"""Commands to send a message, for the domains below app.notify (members' codes and reset links).

Events — an order was placed, a reply was posted — go out as signals that app.notify receives. A
*command* — "send this code to this member now" — is different: the caller's work is pointless
unless the message is written, in its own transaction. The domains below notify ask for it through
this small API; app.notify implements it (app/notify/commands.py) and create_app installs it into
``app.extensions``. So no domain below notify imports it, and the import contracts can say so.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app

_EXTENSION_KEY = "jishi.messenger"


class Messenger(Protocol):
    def to_member(
        self,
        member: Any,
        event: str,
        context: dict,
        *,
        channels: tuple[str, ...] | None = None,
        urgent: bool = False,
        to_unverified: bool = False,
    ) -> None: ...

    def sms_to_member_phone(
        self, member: Any, event: str, context: dict, *, urgent: bool = False, to_unverified: bool = False
    ) -> None: ...

    def rehearse(self, channel: str, template: str, context: dict) -> None: ...


def install(app, messenger: Messenger) -> None:
    """Make ``messenger`` the one this app's domains send through (create_app)."""
    app.extensions[_EXTENSION_KEY] = messenger


def _messenger() -> Messenger:
    try:
        return current_app.extensions[_EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("no messenger installed: create_app installs app.notify's") from None


def send_to_member(
    member: Any,
    event: str,
    context: dict,
    *,
    channels: tuple[str, ...] | None = None,
    urgent: bool = False,
    to_unverified: bool = False,
) -> None:
    """Write ``event`` for ``member`` to the outbox on the channels they can be reached on and want
    (only ``channels`` when given), in their language, in the current transaction. Returns nothing;
    the caller commits."""
    _messenger().to_member(member, event, context, channels=channels, urgent=urgent, to_unverified=to_unverified)


def send_sms_to_member_phone(
    member: Any, event: str, context: dict, *, urgent: bool = False, to_unverified: bool = False
) -> None:
    """Write ``event`` as one SMS to ``member``'s phone (verified, or not when ``to_unverified``:
    the message that verifies it), in their language, in the current transaction."""
    _messenger().sms_to_member_phone(member, event, context, urgent=urgent, to_unverified=to_unverified)


def rehearse(channel: str, template: str, context: dict) -> None:
    """Render ``template`` for ``channel`` in the default language and drop it: what a stranger's
    number or address costs, so that timing does not tell whether a member has it."""
    _messenger().rehearse(channel, template, context)
