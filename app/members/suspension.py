"""The one check every write service makes first: a suspended member may log in and read (their
orders, threads, the market) but not post, offer, order, message, review or change their storefront.

"Suspended now" itself is Member.is_suspended (a Python check and a SQL condition). This module has
no other dependency than the model, so any domain's services can import it without a cycle;
app.members.services re-exports both names.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.members.models import Member


class MemberSuspended(DomainError):
    """The member is suspended and may not post, offer, order or message."""


def ensure_can_write(member: Member) -> None:
    """Raise MemberSuspended (403) when ``member`` is suspended. Every write service a member can
    reach (postings, negotiations, buy now, order confirmation, reviews, the forum, the storefront)
    calls this before changing anything, whoever calls the service: a page, an SMS command, the CLI."""
    if member.is_suspended():
        raise MemberSuspended(
            _("Your account is suspended, so you cannot post, offer or send messages. You can still read your orders."),
            status=403,
        )


def set_suspension(member: Member, until: datetime | None) -> None:
    """Suspend ``member`` until ``until`` (aware UTC), or permanently when it is None, replacing a
    running suspension. The members domain owns these columns; admin decides, this writes."""
    member.suspended_permanently = until is None
    member.suspended_until = until


def clear_suspension(member: Member) -> None:
    """End ``member``'s suspension (timed or permanent) now."""
    member.suspended_permanently = False
    member.suspended_until = None
