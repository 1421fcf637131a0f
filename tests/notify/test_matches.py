"""A new sell offer is told to members whose saved search matches it and to members with an open buy
request it could serve: once each, in their language, never to the poster, and only if the publish
commits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db as _db
from app.postings import saved_searches
from app.postings.market import market_choices
from app.postings.services import change_status
from sms import segments
from tests.factories import make_member, make_posting
from tests.notify.conftest import notifications
from tests.postings._helpers import form_data


def told(member) -> list[tuple[str, str]]:
    return [(row.event, row.channel) for row in notifications(member_id=member.id)]


def save(member, name="Maize", **args):
    search = saved_searches.save_search(member, name, args, market_choices())
    _db.session.commit()
    return search


@pytest.fixture
def seller(db):
    return make_member(display_name="Wang Farmer", email="wang@example.com")


@pytest.fixture
def watcher(db):
    return make_member(display_name="Li Buyer", email="li@example.com", is_seller=False)


def test_a_matching_saved_search_is_told_by_sms_and_email(db, seller, watcher):
    save(watcher, commodity="maize", province="41", max_price="3")
    posting = make_posting(seller, "maize", title="Dry maize", price=Decimal("2400"), unit_code="t")

    assert told(watcher) == [("new_match", "sms"), ("new_match", "email")]
    sms, email = notifications(member_id=watcher.id)
    assert f"/p/{posting.id}" in sms.body and "Maize" in sms.body and "¥2,400.00" in sms.body
    assert segments.count_segments(sms.body).segments == 1
    assert email.subject == "New Maize offer in Henan"
    assert "Dry maize" in email.body and "/account/searches" in email.body
    assert told(seller) == []


def test_the_message_is_in_the_members_language(db, seller):
    reader = make_member(display_name="王买家", locale="zh_Hans", email="wang@example.cn", is_seller=False)
    save(reader, q="玉米")
    make_posting(seller, "maize", title="优质玉米出售", price=None, quantity=Decimal("5"), unit_code="t")

    sms, email = notifications(member_id=reader.id)
    assert sms.locale == "zh_Hans" and "玉米" in sms.body
    assert email.locale == "zh_Hans" and "河南" in email.subject
    assert segments.count_segments(sms.body).segments == 1


def test_searches_that_do_not_match_are_not_told(db, seller, watcher):
    save(watcher, "Too dear", commodity="maize", max_price="2")
    save(watcher, "Elsewhere", commodity="maize", province="23")
    save(watcher, "Apples", q="apple")
    save(watcher, "Buy side", commodity="maize", kind="buy")
    save(watcher, "Big lots", commodity="maize", min_quantity="50000")
    make_posting(seller, "maize", price=Decimal("2400"), unit_code="t", quantity=Decimal("10"))
    assert told(watcher) == []


def test_open_buy_requests_for_the_commodity_and_province_are_told(db, seller):
    willing = make_member(display_name="Willing")
    negotiable = make_member(display_name="Negotiable")
    cheap = make_member(display_name="Cheap")
    far = make_member(display_name="Far")
    closed = make_member(display_name="Closed")
    other_crop = make_member(display_name="Other crop")
    make_posting(willing, "maize", kind="buy", price=Decimal("2.6"), unit_code="kg")
    make_posting(negotiable, "maize", kind="buy", price=None)
    make_posting(cheap, "maize", kind="buy", price=Decimal("2000"), unit_code="t")
    make_posting(far, "maize", kind="buy", province_code="23")
    change_status(make_posting(closed, "maize", kind="buy"), "close", closed)
    make_posting(other_crop, "apple", kind="buy", price=None)

    make_posting(seller, "maize", price=Decimal("2500"), unit_code="t")

    assert told(willing) == [("new_match", "sms")]
    assert told(negotiable) == [("new_match", "sms")]
    for member in (cheap, far, closed, other_crop):
        assert told(member) == [], member.display_name


def test_a_negotiable_offer_reaches_buyers_whatever_their_price(db, seller):
    buyer = make_member(display_name="Any price")
    make_posting(buyer, "maize", kind="buy", price=Decimal("1"), unit_code="t")
    make_posting(seller, "maize", price=None)
    assert told(buyer) == [("new_match", "sms")]


def test_one_message_per_member_however_many_things_match(db, seller, watcher):
    save(watcher, "Maize", commodity="maize")
    save(watcher, "Henan grain", category="grains", province="41")
    save(watcher, "Words", q="maize")
    make_posting(watcher, "maize", kind="buy", price=None)

    make_posting(seller, "maize", title="Maize", price=Decimal("2400"), unit_code="t")
    assert told(watcher) == [("new_match", "sms"), ("new_match", "email")]


def test_the_poster_is_never_told_of_their_own_offer(db, seller):
    save(seller, commodity="maize")
    make_posting(seller, "maize", kind="buy", price=None)
    make_posting(seller, "maize", price=Decimal("2400"), unit_code="t")
    assert told(seller) == []


def test_the_station_operator_who_posted_it_is_not_told(db, watcher):
    station = make_member(display_name="Village station", is_station_operator=True)
    farmer = make_member(display_name="Farmer")
    save(station, commodity="maize")
    save(watcher, commodity="maize")
    make_posting(farmer, "maize", via_station=station)
    assert told(station) == []
    assert told(watcher) == [("new_match", "sms"), ("new_match", "email")]


def test_a_published_buy_request_tells_nobody(db, seller, watcher):
    save(watcher, commodity="maize")
    make_posting(seller, "maize", kind="buy")
    assert told(watcher) == []


def test_a_draft_is_told_when_it_is_published_not_before(db, seller, watcher):
    save(watcher, commodity="maize")
    draft = make_posting(seller, "maize", publish=False)
    assert told(watcher) == []

    change_status(draft, "publish", draft.owner)
    db.session.commit()
    assert told(watcher) == [("new_match", "sms"), ("new_match", "email")]

    # Pausing and resuming is not a new offer.
    change_status(draft, "pause", draft.owner)
    change_status(draft, "resume", draft.owner)
    db.session.commit()
    assert len(told(watcher)) == 2


def test_a_publish_that_rolls_back_leaves_no_message(db, seller, watcher):
    save(watcher, commodity="maize")
    draft = make_posting(seller, "maize", publish=False)
    change_status(draft, "publish", draft.owner)
    db.session.rollback()
    assert told(watcher) == []


def test_publishing_on_the_web_tells_the_watchers(client, db, login, seller, watcher):
    save(watcher, q="maize", province="41")
    login(seller)
    response = client.post("/postings/new", data=form_data())
    assert response.status_code == 302
    assert told(watcher) == [("new_match", "sms"), ("new_match", "email")]


def test_a_web_form_that_fails_tells_nobody(client, db, login, seller, watcher):
    save(watcher, q="maize")
    login(seller)
    response = client.post("/postings/new", data=form_data(quantity="-5"))
    assert response.status_code in (200, 422)
    assert told(watcher) == []


def test_a_saved_search_is_read_as_the_market_reads_it(db, seller, watcher):
    """Issue 16: the words of a saved search name a commodity, a place and a kind, as in the market."""
    save(watcher, "Henan maize", q="河南玉米")
    save(watcher, "Dialect", q="棒子 出售")
    save(watcher, "Pinyin", q="yumi")
    other = make_member(display_name="Other Buyer", email="other@example.com", is_seller=False)
    save(other, "Shandong", q="山东玉米")
    save(other, "Buying", q="收购玉米")
    make_posting(seller, "maize", title="Yellow grain", province_code="41")
    assert told(watcher) == [("new_match", "sms"), ("new_match", "email")]
    assert told(other) == []


def test_a_city_in_a_saved_search_means_its_province(db, seller, watcher):
    save(watcher, "Yantai apples", q="烟台苹果")
    make_posting(seller, "apple", title="Red Fuji", province_code="41")
    assert told(watcher) == []
    make_posting(seller, "apple", title="Red Fuji", province_code="37", locality="栖霞")
    assert told(watcher) == [("new_match", "sms"), ("new_match", "email")]
