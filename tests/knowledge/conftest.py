"""Knowledge-base test data: an admin, a maize expert, an apple expert, a farmer and an approved
information station; the signed inbound SMS helper of tests/inbound_sms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalogue.models import Commodity
from app.knowledge.services import grant_expert
from app.notify.models import Notification
from tests.factories import make_member
from tests.inbound_sms.conftest import text_in  # noqa: F401 (a fixture used by the SMS tests)


def commodity(db, slug: str) -> Commodity:
    return db.session.scalar(select(Commodity).where(Commodity.slug == slug))


def sms_to(db, phone: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.address == phone, Notification.channel == "sms")
            .order_by(Notification.id)
        )
    )


@pytest.fixture
def admin(db):
    return make_member(display_name="Admin Zhao", is_admin=True)


@pytest.fixture
def expert(db, admin):
    member = make_member(display_name="Expert Liu", email="liu@example.com")
    grant_expert(member, admin, [commodity(db, "maize").id], "Plant protection")
    db.session.commit()
    return member


@pytest.fixture
def apple_expert(db, admin):
    member = make_member(display_name="Expert Sun")
    grant_expert(member, admin, [commodity(db, "apple").id])
    db.session.commit()
    return member


@pytest.fixture
def farmer(db):
    return make_member(display_name="Farmer Wang", email="wang@example.com")


@pytest.fixture
def station(db):
    return make_member(display_name="Village station", is_station_operator=True)
