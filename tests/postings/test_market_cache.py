"""The market reuses result pages and rendered cards, yet never shows anything out of date."""

from __future__ import annotations

from decimal import Decimal

from app.core.clock import utcnow
from app.media.images import StoredImage
from app.postings.services import add_photos, change_status
from tests.factories import make_member, make_posting
from tests.search.helpers import search

HX = {"HX-Request": "true"}


def _market(client, **params) -> str:
    return client.get("/market", query_string=params, headers=HX).get_data(as_text=True)


def test_a_new_posting_appears_in_a_search_seen_a_moment_before(client, db):
    make_posting(title="优质玉米出售")
    assert search(client, q="玉米") == ["优质玉米出售"]
    make_posting(title="玉米 new crop")
    assert search(client, q="玉米") == ["玉米 new crop", "优质玉米出售"]


def test_a_closed_posting_leaves_a_search_seen_a_moment_before(client, db):
    posting = make_posting(title="Maize to close")
    make_posting(title="Maize to keep")
    assert len(search(client, q="maize")) == 2
    change_status(posting, "close", posting.owner)
    db.session.commit()
    assert search(client, q="maize") == ["Maize to keep"]


def test_a_new_price_shows_at_once(client, db):
    posting = make_posting(title="Maize", price=Decimal("2500"))
    assert "¥2,500.00" in _market(client)
    posting.price = Decimal("2600")
    posting.price_per_kg = Decimal("2.6")
    db.session.commit()
    body = _market(client)
    assert "¥2,600.00" in body and "¥2,500.00" not in body


def test_a_new_photo_shows_at_once(client, db):
    posting = make_posting(title="Maize")
    assert "<img" not in _market(client)
    add_photos(posting, [StoredImage("new.jpg", "new-thumb.jpg", 800, 600)])
    db.session.commit()
    assert "/media/new-thumb.jpg" in _market(client)


def test_the_trusted_badge_and_a_new_name_show_at_once(client, db):
    farmer = make_member(display_name="Li Farm")
    make_posting(owner=farmer, title="Maize")
    assert "Trusted member" not in _market(client)
    farmer.verified_at = utcnow()
    farmer.display_name = "Li Family Farm"
    db.session.commit()
    body = _market(client)
    assert "Trusted member" in body and "Li Family Farm" in body


def test_verified_filter_follows_a_verification_and_a_revocation_at_once(client, db):
    from app.admin.services import revoke_verification
    from app.members.verification import decide_verification, request_verification

    farmer = make_member(display_name="Soon trusted")
    admin = make_member(display_name="Admin", is_admin=True)
    make_posting(owner=farmer, title="Maize from a new member")
    make_posting(title="Maize from someone else")
    assert search(client, verified="1") == []
    pending = request_verification(farmer, "91410000MA00000001", "", None)
    decide_verification(pending.id, admin, approve=True, reason="")
    db.session.commit()
    assert search(client, verified="1") == ["Maize from a new member"]
    revoke_verification(farmer.id, admin, "Licence withdrawn")
    db.session.commit()
    assert search(client, verified="1") == []
    assert len(search(client)) == 2


def test_cards_follow_the_language(client, db):
    make_posting(title="Maize", province_code="41")
    assert "Maize · 10 tonne · Henan" in _market(client)
    client.post("/lang", data={"locale": "zh_Hans", "next": "/market"})
    body = _market(client)
    assert "玉米" in body and "河南省" in body


def test_both_caches_can_be_turned_off(app, client, db):
    app.config["MARKET_RESULT_CACHE_SIZE"] = 0
    app.config["MARKET_CARD_CACHE_SIZE"] = 0
    make_posting(title="Maize one")
    assert search(client, q="maize") == ["Maize one"]
    assert "market_results" not in app.extensions and "market_cards" not in app.extensions


def test_repeated_pages_are_served_from_the_caches(app, client, db):
    for number in range(3):
        make_posting(title=f"Maize {number}")
    search(client, q="maize")
    search(client, q="maize")
    assert app.extensions["market_results"].hits == 1
    assert app.extensions["market_cards"].hits == 3
