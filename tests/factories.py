"""Factories that build real rows through the same code paths the app uses."""
from __future__ import annotations

import itertools

from app.extensions import db
from app.members.models import Member

DEFAULT_PASSWORD = "green-fields-2026"
_phone_numbers = itertools.count(13800000001)


def next_phone() -> str:
    return f"+86{next(_phone_numbers)}"


def make_member(**overrides) -> Member:
    """A member who can log in with DEFAULT_PASSWORD; overrides set any column."""
    password = overrides.pop("password", DEFAULT_PASSWORD)
    values = {"phone": next_phone(), "display_name": "Test Member", "is_seller": True, "is_buyer": True}
    values.update(overrides)
    member = Member(**values)
    if password is not None:
        member.set_password(password)
    db.session.add(member)
    db.session.commit()
    return member
