"""Named member events for other domains to subscribe to.

Sent by the members domain (and by admin services that change a member) after the change has been
flushed, inside the same transaction, so a subscriber's writes commit or roll back with it.
Subscribers must not commit. The sender is the string ``"members"``; keyword arguments carry ids
and plain values only:

    member_verification_changed   member_id, verified   (the trusted-member badge was given or taken
                                                         away; postings copy it to owner_verified)
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "members"

member_signals = Namespace()

member_verification_changed = member_signals.signal(
    "member_verification_changed", doc="A member became a trusted (verified) member or lost the badge."
)


def announce_verification_changed(member_id: int, verified: bool) -> None:
    """Tell subscribers that ``member_id``'s trusted-member badge is now ``verified``."""
    member_verification_changed.send(SENDER, member_id=member_id, verified=verified)
