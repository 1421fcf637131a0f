"""Helpers for the members tests: form data, images and posting rows."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from PIL import Image
from sqlalchemy import func, select

from app.catalogue.services import find_commodity
from app.core.clock import utcnow
from app.extensions import db
from app.members.models import Member
from app.postings.models import Posting

GOOD_PASSWORD = "tall maize 2026"


def signup_data(**overrides) -> dict:
    data = {
        "phone": "138 0013 8000",
        "password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD,
        "display_name": "Zhang Family Farm",
        "email": "",
        "kinds": ["seller"],
        "locale": "en",
    }
    data.update(overrides)
    return data


def png_upload(name: str = "photo.png", size=(40, 30)) -> tuple[io.BytesIO, str]:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 140, 60)).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer, name


def text_upload(name: str = "licence.png") -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"%PDF-1.4 this is not an image"), name


def member_count() -> int:
    return db.session.scalar(select(func.count(Member.id)))


def add_posting(
    owner: Member,
    kind: str = "sell",
    status: str = "active",
    title: str | None = None,
    minutes_ago: int = 0,
    commodity: str = "maize",
    unit_code: str = "t",
    province_code: str = "41",
) -> Posting:
    """A posting row written directly (the postings services are tested in tests/postings)."""
    found = find_commodity(commodity)
    posting = Posting(
        kind=kind,
        status=status,
        owner_id=owner.id,
        commodity_id=found.id,
        title=title or (f"{found.name_en} for sale" if kind == "sell" else f"Wanted: {found.name_en}"),
        quantity=Decimal("12.5"),
        unit_code=unit_code,
        price=Decimal("2500.00"),
        province_code=province_code,
        published_at=utcnow() - timedelta(minutes=minutes_ago) if status == "active" else None,
        search_text="",
    )
    db.session.add(posting)
    db.session.commit()
    return posting


def text_of(response) -> str:
    return response.get_data(as_text=True)
