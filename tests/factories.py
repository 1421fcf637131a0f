"""Factories that build real rows through the same code paths the app uses."""
from __future__ import annotations

import itertools

from app.extensions import db
from app.members.models import Member
from app.models_common import utcnow

DEFAULT_PASSWORD = "green-fields-2026"
_phone_numbers = itertools.count(13800000001)


def next_phone() -> str:
    return f"+86{next(_phone_numbers)}"


def make_member(**overrides) -> Member:
    """A member who can log in with DEFAULT_PASSWORD and whose phone is verified (gets SMS);
    overrides set any column (``phone_verified_at=None`` for an unverified number). An information
    station is one an admin approved unless ``station_review`` says otherwise ("pending", "refused")."""
    password = overrides.pop("password", DEFAULT_PASSWORD)
    if overrides.get("is_station_operator"):
        overrides.setdefault("station_review", "approved")
        overrides.setdefault("station_reviewed_at", utcnow())
    values = {
        "phone": next_phone(), "display_name": "Test Member", "is_seller": True, "is_buyer": True,
        "phone_verified_at": utcnow(),
    }
    values.update(overrides)
    member = Member(**values)
    if password is not None:
        member.set_password(password)
    db.session.add(member)
    db.session.commit()
    return member


def make_posting(owner=None, commodity="maize", kind="sell", **overrides):
    """An active posting (a draft with ``publish=False``) created through postings.services.

    ``commodity`` is a slug or any name/alias; ``overrides`` set any PostingData field (quantity,
    unit_code, price — None for negotiable —, province_code, title …) plus ``publish``,
    ``via_station``, ``photos`` (StoredImage list) and ``today``.
    """
    from decimal import Decimal

    from app.catalogue.services import find_commodity
    from app.postings.services import PostingData, create_posting

    owner = owner or make_member(display_name="Test Farmer")
    found = find_commodity(commodity)
    assert found is not None, f"unknown commodity {commodity!r}"
    options = {name: overrides.pop(name) for name in ("publish", "via_station", "photos", "today") if name in overrides}
    values = {
        "kind": kind,
        "commodity_id": found.id,
        "title": f"{found.name_en} for sale" if kind == "sell" else f"Wanted: {found.name_en}",
        "quantity": Decimal("10"),
        "unit_code": found.default_unit_code,
        "price": Decimal("2500.00"),
        "province_code": "41",
    }
    values.update(overrides)
    posting = create_posting(owner, PostingData(**values), **options)
    db.session.commit()
    return posting
