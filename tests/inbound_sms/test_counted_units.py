"""Issue 22, point 3: counted units (只/头, 袋, 箱, 筐, 件, 个; head, bag, box, crate, piece) by SMS and on
the web form — priced per unit, with an optional kg per unit that keeps per-kg comparison working.
The SMS reply echoes quantity, unit and price, and the weight or that comparison is unavailable,
in one segment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.models import Unit
from app.postings.models import Posting
from sms.segments import count_segments
from tests.factories import make_member
from tests.postings._helpers import form_data


def _only_posting(db) -> Posting:
    db.session.expire_all()
    [posting] = db.session.scalars(select(Posting)).all()
    return posting


def _one_segment(reply: str) -> str:
    assert count_segments(reply).segments == 1, (reply, count_segments(reply))
    return reply


def test_chickens_by_the_head_are_priced_per_head_and_say_per_kg_comparison_is_unavailable(text_in, db, seller):
    reply = _one_segment(text_in(seller.phone, "卖 鸡 100只 35"))
    posting = _only_posting(db)
    assert (posting.quantity, posting.unit_code, posting.price) == (Decimal("100"), "head", Decimal("35"))
    assert posting.unit_weight_kg is None and posting.price_per_kg is None and posting.status == "draft"
    assert reply == (
        f"草稿{posting.id}：鸡 100头 ¥35/头。未写每头几公斤，无法按公斤比价。回复“确认 {posting.id}”发布。"
        f" http://jishi.test/p/{posting.id}"
    )


def test_crates_with_their_weight_record_kg_per_crate_and_compare_per_kg(text_in, db, seller):
    reply = _one_segment(text_in(seller.phone, "卖 苹果 20筐 每筐30斤 120"))
    posting = _only_posting(db)
    assert (posting.quantity, posting.unit_code, posting.price) == (Decimal("20"), "crate", Decimal("120"))
    assert posting.unit_weight_kg == Decimal("15") and posting.price_per_kg == Decimal("8")
    assert reply.startswith(f"草稿{posting.id}：苹果 20筐 ¥120/筐（每筐15公斤）。回复“确认 {posting.id}”发布")


def test_a_per_jin_price_for_weighed_crates_is_stored_per_crate_and_echoed_as_written(text_in, db, seller):
    reply = _one_segment(text_in(seller.phone, "卖 苹果 20筐 每筐30斤 每斤4元"))
    posting = _only_posting(db)
    assert (posting.price, posting.unit_weight_kg, posting.price_per_kg) == (
        Decimal("120"),
        Decimal("15"),
        Decimal("8"),
    )
    assert reply.startswith(f"草稿{posting.id}：苹果 20筐 ¥120/筐 (¥4/斤)（每筐15公斤）。")


@pytest.mark.parametrize(
    "body, unit, summary",
    [
        ("SELL maize 100 bags 60", "bag", "100 bag maize ¥60/bag"),
        ("sell apple 50 boxes 15 kg per box 90", "box", "50 box apple ¥90/box (15 kg/box)"),
        ("sell hog 10 head 1500", "head", "10 head live pig ¥1,500/head"),
        ("SELL pear 30 crates 40", "crate", "30 crate pear ¥40/crate"),
        ("sell apple 200 pieces 2", "piece", "200 piece apple ¥2/piece"),
    ],
)
def test_english_counted_units(text_in, db, seller, body, unit, summary):
    reply = _one_segment(text_in(seller.phone, body))
    posting = _only_posting(db)
    assert posting.unit_code == unit
    assert reply.startswith(f"Draft {posting.id}: {summary}.")
    if posting.unit_weight_kg is None:
        assert f"No kg per {unit}, so no per-kg price comparison." in reply


@pytest.mark.parametrize(
    "body, unit",
    [
        ("卖 玉米 100袋 120", "bag"),
        ("卖 苹果 10箱 50", "box"),
        ("卖 苹果 10件 50", "piece"),
        ("卖 西瓜 30个 12", "piece"),
        ("卖 猪 5头 1500", "head"),
    ],
)
def test_chinese_measure_words_are_counted_units(text_in, db, seller, body, unit):
    _one_segment(text_in(seller.phone, body))
    assert _only_posting(db).unit_code == unit


def test_a_bag_of_stated_weight_stays_a_counted_bag_with_its_weight(text_in, db, seller):
    """袋 is never guessed to be the catalogue's 25 or 50 kg sack: the farmer's weight is recorded."""
    text_in(seller.phone, "卖 玉米 100袋 每袋50斤 60")
    posting = _only_posting(db)
    assert (posting.unit_code, posting.unit_weight_kg, posting.price_per_kg) == ("bag", Decimal("25"), Decimal("2.4"))


def test_a_per_kg_price_for_a_count_unit_of_unknown_weight_is_refused(text_in, db, seller):
    assert text_in(seller.phone, "卖 苹果 20筐 每斤4元") == "价格和数量单位不一致。 例：卖 玉米 5吨 2100"
    assert db.session.scalars(select(Posting)).all() == []


def test_the_web_form_offers_every_counted_unit_with_the_kg_per_unit_field(client, login, db):
    login(make_member(locale="zh_Hans"))
    page = client.get("/postings/new").get_data(as_text=True)
    for code in ("head", "bag", "box", "crate", "piece", "bunch", "bag25", "bag50"):
        assert f'value="{code}"' in page, code
    assert 'name="unit_weight_kg"' in page and "如头、袋、箱、筐、个" in page and ">袋<" in page
    assert db.session.get(Unit, "bag").kg_per_unit is None


def test_the_web_form_needs_kg_per_bag_to_sell_at_a_price_and_stores_it(client, login, db):
    login(make_member())
    refused = client.post("/postings/new", data=form_data(unit_code="bag", quantity="100", min_order="", price="60"))
    assert refused.status_code == 422
    assert "Say how many kg one bag weighs" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Posting)).all() == []
    accepted = client.post(
        "/postings/new", data=form_data(unit_code="bag", quantity="100", min_order="", price="60", unit_weight_kg="25")
    )
    assert accepted.status_code == 302
    posting = _only_posting(db)
    assert (posting.unit_code, posting.unit_weight_kg, posting.price_per_kg) == ("bag", Decimal("25"), Decimal("2.4"))


def test_an_sms_draft_without_weight_can_get_it_on_the_web_form(client, login, text_in, db, seller):
    text_in(seller.phone, "卖 鸡 100只 35")
    posting = _only_posting(db)
    login(seller)
    data = form_data(
        commodity_id=str(posting.commodity_id),
        unit_code="head",
        quantity="100",
        min_order="",
        price="35",
        unit_weight_kg="2.5",
        title="散养土鸡",
    )
    response = client.post(f"/p/{posting.id}/edit", data=data)
    assert response.status_code in (302, 303)
    posting = _only_posting(db)
    assert (posting.unit_weight_kg, posting.price_per_kg) == (Decimal("2.5"), Decimal("14"))
