"""The public posting page: what it shows, per-kg and per-斤 prices, who may see drafts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.clock import utcnow
from app.members.models import Storefront
from app.postings.services import local_today
from tests.factories import make_member, make_posting


def test_page_shows_the_facts_of_a_posting(client, db):
    seller = make_member(display_name="Zhou Orchard", verified_at=utcnow())
    posting = make_posting(
        owner=seller,
        commodity="apple",
        title="Fuji apples, crisp",
        description="Picked this week.\nStored cool.",
        variety="Fuji",
        grade="Grade A",
        quantity=Decimal("300"),
        unit_code="crate",
        unit_weight_kg=Decimal("15"),
        min_order=Decimal("20"),
        price=Decimal("60.00"),
        province_code="61",
        locality="Luochuan county",
        available_from=local_today(),
        delivery="deliver",
        lot_code="FJ-7",
        harvest_date=local_today() - timedelta(days=3),
    )
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    for text in (
        "Fuji apples, crisp",
        "Apple",
        "Fuji",
        "Grade A",
        "300 crate",
        "1 crate ≈ 15 kg",
        "Minimum order",
        "20 crate",
        "¥60.00 per crate",
        "¥4.00/kg",
        "Shaanxi",
        "Luochuan county",
        "Seller delivers",
        "FJ-7",
        "Harvest date",
        "Available from",
        "Available until",
        "Zhou Orchard",
        "Trusted member",
        "Picked this week.",
    ):
        assert text in page, text
    assert "/jin" not in page and "斤" not in page


def test_page_shows_price_per_jin_in_chinese(client, db):
    posting = make_posting(unit_code="kg", price=Decimal("3.00"), title="优质玉米出售")
    page = client.get(f"/p/{posting.id}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-Hans"' in page
    assert "¥3.00" in page
    assert "¥1.50" in page, "the price per 斤 (half a kg)"
    assert "/jin" in page or "/斤" in page
    english = client.get(f"/p/{posting.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "¥1.50" not in english


def test_per_kg_price_is_not_shown_without_a_unit_weight(client, db):
    posting = make_posting(kind="buy", unit_code="head", price=Decimal("3000"), commodity="cattle")
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "¥3,000.00 per head" in page
    assert "/kg" not in page


def test_seller_name_links_to_storefront(client, db):
    seller = make_member(display_name="Li Family Farm")
    db.session.add(Storefront(member=seller, slug="li-family", name="Li Family Farm"))
    db.session.commit()
    posting = make_posting(owner=seller)
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert 'href="/s/li-family"' in page


def test_seller_without_storefront_is_plain_text(client, db):
    posting = make_posting(owner=make_member(display_name="No Shop"))
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "No Shop" in page and 'href="/s/' not in page


@pytest.mark.parametrize("status", ["active", "paused", "closed", "expired"])
def test_published_postings_are_public(client, db, status):
    posting = make_posting(title="Public maize")
    posting.status = status
    db.session.commit()
    response = client.get(f"/p/{posting.id}")
    assert response.status_code == 200
    assert "Public maize" in response.get_data(as_text=True)
    if status != "active":
        assert "not taking new orders" in response.get_data(as_text=True)


def test_drafts_are_hidden_from_visitors_and_other_members(client, login, db):
    posting = make_posting(title="Secret draft", publish=False)
    assert client.get(f"/p/{posting.id}").status_code == 404
    login(make_member())
    assert client.get(f"/p/{posting.id}").status_code == 404


def test_draft_is_visible_to_its_owner_and_admins(client, login, db):
    owner = make_member()
    posting = make_posting(owner=owner, title="My draft", publish=False)
    login(owner)
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "My draft" in page and "This is a draft" in page and 'value="publish"' in page
    login(make_member(is_admin=True))
    assert client.get(f"/p/{posting.id}").status_code == 200


def test_owner_sees_manage_buttons_and_others_do_not(client, login, db):
    owner = make_member()
    posting = make_posting(owner=owner)
    login(make_member())
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert f"/p/{posting.id}/edit" not in page and 'value="close"' not in page
    login(owner)
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert f"/p/{posting.id}/edit" in page and 'value="close"' in page and "Renew for 30 days" in page


def test_unknown_posting_is_404(client):
    assert client.get("/p/424242").status_code == 404
    assert client.get("/p/not-a-number").status_code == 404
