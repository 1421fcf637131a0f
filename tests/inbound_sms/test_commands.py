"""Every SMS command through /sms/inbound, in English and Chinese, and what it changes in the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.models import Commodity
from app.inbound_sms.models import InboundSms
from app.market.models import PriceSubscription
from app.notify.models import SmsOptOut
from app.postings.models import Posting
from sms.segments import count_segments
from tests.factories import make_member, make_posting


def _postings(db) -> list[Posting]:
    db.session.expire_all()
    return list(db.session.scalars(select(Posting).order_by(Posting.id)))


def _last_command(db) -> str:
    return db.session.scalars(select(InboundSms.command).order_by(InboundSms.id.desc())).first()


@pytest.mark.parametrize(
    "body, kind, quantity, unit, price, province, description",
    [
        ("SELL maize 5t 2100", "sell", "5", "t", "2100", "41", ""),
        ("sell Maize 5 tons 2,100 Hebei dry, clean", "sell", "5", "t", "2100", "13", "dry, clean"),
        ("SELL maize 5t 1.05/jin", "sell", "5", "t", "2100", "41", ""),
        ("ＳＥＬＬ　ｍａｉｚｅ　５ｔ　２１００", "sell", "5", "t", "2100", "41", ""),
        ("BUY wheat 20t 2500", "buy", "20", "t", "2500", "41", ""),
        ("卖 玉米 5吨 1.05元/斤", "sell", "5", "t", "2100", "41", ""),
        ("卖玉米５吨２１００", "sell", "5", "t", "2100", "41", ""),
        ("卖 玉米 5吨 2100 山东 货好", "sell", "5", "t", "2100", "37", "货好"),
        ("买 小麦 10吨 2500元", "buy", "10", "t", "2500", "41", ""),
        ("卖 猪 10头 1500", "sell", "10", "head", "1500", "41", ""),
    ],
)
def test_sell_and_buy_create_a_draft_owned_by_the_sender(
    text_in, db, seller, body, kind, quantity, unit, price, province, description
):
    reply = text_in(seller.phone, body)
    [posting] = _postings(db)
    assert (posting.kind, posting.status, posting.owner_id) == (kind, "draft", seller.id)
    assert (posting.quantity, posting.unit_code, posting.price) == (Decimal(quantity), unit, Decimal(price))
    assert (posting.province_code, posting.description) == (province, description)
    assert f"YES {posting.id}" in reply or f"确认 {posting.id}" in reply
    assert f"http://jishi.test/p/{posting.id}" in reply
    assert count_segments(reply).segments <= 2
    assert _last_command(db) == kind


def test_draft_reply_states_what_was_understood(text_in, db, seller):
    reply = text_in(seller.phone, "SELL maize 5t 2100")
    number = _postings(db)[0].id
    assert reply == (
        f"Draft {number}: 5 t maize ¥2,100/t. Reply YES {number} to publish, NO {number} to discard. "
        f"http://jishi.test/p/{number}"
    )


def test_sell_without_any_province_asks_for_one(text_in, db):
    member = make_member(display_name="No Shop")
    reply = text_in(member.phone, "SELL maize 5t 2100")
    assert "province" in reply.lower() and "Henan" in reply
    assert _postings(db) == []
    assert text_in(member.phone, "SELL maize 5t 2100 Henan").startswith("Draft ")
    assert _postings(db)[0].province_code == "41"


@pytest.mark.parametrize("confirm", ["YES {n}", "yes #{n}", "确认 {n}", "确认{n}", "ＹＥＳ　{wide}", "确认 {wide}"])
def test_yes_publishes_the_senders_draft(text_in, db, seller, confirm):
    text_in(seller.phone, "SELL maize 5t 2100")
    posting = _postings(db)[0]
    wide = str(posting.id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    reply = text_in(seller.phone, confirm.format(n=posting.id, wide=wide))
    posting = _postings(db)[0]
    assert posting.status == "active" and posting.published_at is not None
    assert str(posting.id) in reply and "http://jishi.test/p/" in reply
    assert _last_command(db) == "confirm"


@pytest.mark.parametrize("discard", ["NO {n}", "取消 {n}", "CANCEL {n}"])
def test_no_discards_the_draft(text_in, db, seller, discard):
    text_in(seller.phone, "SELL maize 5t 2100")
    number = _postings(db)[0].id
    assert str(number) in text_in(seller.phone, discard.format(n=number))
    assert _postings(db) == []


def test_yes_on_a_published_posting_says_so(text_in, db, seller, sell_offer):
    published = f"Posting {sell_offer.id} is already published: http://jishi.test/p/{sell_offer.id}"
    assert text_in(seller.phone, f"YES {sell_offer.id}") == published
    assert text_in(seller.phone, f"NO {sell_offer.id}") == f"Posting {sell_offer.id} is not a draft any more."
    assert _postings(db)[0].status == "active"


def test_bare_yes_from_a_number_that_never_stopped_asks_for_the_draft_number(text_in, db, seller):
    # Issue 22: YES opts in only a number that is opted out; otherwise it neither publishes nor resumes.
    text_in(seller.phone, "SELL maize 5t 2100")
    assert text_in(seller.phone, "YES") == (
        "Jishi: you already get our SMS. To publish a draft, reply YES and its number, e.g. YES 12."
    )
    assert _postings(db)[0].status == "draft"
    assert db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == seller.phone)) is None


@pytest.mark.parametrize("stop", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "退订", "TD"])
def test_stop_words_opt_the_number_out_and_start_resumes(text_in, db, stop):
    phone = "+8613912340011"
    reply = text_in(phone, stop)
    assert "START" in reply
    row = db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone))
    assert row is not None and row.opted_in_at is None
    assert row.keyword == stop.split()[0].upper()
    text_in(phone, "START")
    db.session.refresh(row)
    assert row.opted_in_at is not None


@pytest.mark.parametrize("word", ["START", "UNSTOP", "YES"])
def test_every_resume_word_opts_back_in(text_in, db, word):
    phone = "+8613912340012"
    text_in(phone, "STOP")
    text_in(phone, word)
    row = db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone))
    assert row.opted_in_at is not None


@pytest.mark.parametrize(
    "body, language",
    [
        ("HELP", "en"),
        ("help", "en"),
        ("帮助", "zh"),
        ("what is this", "en"),
        ("你好", "zh"),
        ("12345", None),
    ],
)
def test_help_and_unknown_text_get_usage(text_in, db, body, language):
    reply = text_in("+8613912340013", body)
    assert "PRICE" in reply or "价格" in reply
    assert count_segments(reply).segments <= 2
    assert _last_command(db) == "help"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("SELL maize", "Missing quantity. e.g. SELL maize 5t 2100"),
        ("SELL maize 5 2100", "Missing unit (t, kg, jin…). e.g. SELL maize 5t 2100"),
        ("SELL unobtainium 5t 2100", "Unknown commodity. e.g. SELL maize 5t 2100"),
        ("SELL maize -5t 2100", "Numbers must be above zero. e.g. SELL maize 5t 2100"),
        ("PRICE", "Which commodity? e.g. PRICE maize Henan"),
        ("PRICE maize Mars", "Unknown province. e.g. PRICE maize Henan"),
        ("NO x", "Could not read a number. e.g. NO 12"),
        ("ACCEPT", "Which offer code? Reply OFFERS. e.g. ACCEPT K7M2"),
    ],
)
def test_malformed_commands_say_what_is_wrong(text_in, db, seller, body, expected):
    assert text_in(seller.phone, body) == expected
    assert _postings(db) == []
    assert _last_command(db) == "error"


def test_price_without_data_links_to_the_price_page(text_in, db):
    assert text_in("+8613912340014", "PRICE maize") == "No Maize prices today. See http://jishi.test/prices/maize"


def test_price_reports_todays_reference(text_in, db, seller):
    make_posting(owner=seller, commodity="maize", quantity=Decimal("5"), unit_code="t", price=Decimal("2100"))
    reply = text_in("+8613912340015", "PRICE corn")
    assert reply.startswith("Maize ")
    assert "¥2.10/kg" in reply and reply.endswith("http://jishi.test/prices/maize")
    zh = text_in("+8613912340016", "价格 苞米")
    assert "¥1.05/" in zh  # per 斤 for Chinese readers
    assert count_segments(zh).segments <= 2


def _subscriptions(db, phone) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(PriceSubscription).where(PriceSubscription.phone == phone).order_by(PriceSubscription.id)
    )
    return [(db.session.get(Commodity, row.commodity_id).slug, row.area_code, row.locale[:2]) for row in rows]


def test_sub_and_unsub_manage_price_alerts_for_any_number(text_in, db):
    phone = "+8613912340017"
    assert text_in(phone, "SUB maize Henan") == "Subscribed: daily Maize (Henan) prices. Reply UNSUB Maize to stop."
    assert "小麦" in text_in(phone, "订阅 小麦")
    national = _subscriptions(db, phone)[1][1]
    assert _subscriptions(db, phone) == [("maize", "41", "en"), ("wheat", national, "zh")]
    text_in(phone, "SUB maize Henan")  # again: still one subscription
    assert len(_subscriptions(db, phone)) == 2
    assert text_in(phone, "UNSUB maize") == "Price alerts stopped."
    assert _subscriptions(db, phone) == [("wheat", national, "zh")]
    text_in(phone, "取消订阅")  # bare: every alert of this number
    assert _subscriptions(db, phone) == []
    assert text_in(phone, "UNSUB maize") == "You had no such price alert."


def test_sub_links_a_registered_sender(text_in, db, seller):
    text_in(seller.phone, "SUB rice")
    row = db.session.scalar(select(PriceSubscription).where(PriceSubscription.phone == seller.phone))
    assert row.member_id == seller.id


def test_member_locale_decides_the_reply_language_over_the_message(text_in, db):
    member = make_member(locale="zh_Hans")
    english_message = text_in(member.phone, "SELL maize 5t 2100 Henan")
    assert "玉米" in english_message  # the summary uses Chinese names


def test_chinese_message_from_unknown_number_gets_chinese_names(text_in, db):
    assert "玉米" in text_in("+8613912340018", "价格 玉米")


def test_sms_replies_do_not_leak_into_the_web_locale(client, text_in, db):
    text_in("+8613912340019", "价格 玉米")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_reference_day_is_shown(text_in, db, seller):
    make_posting(owner=seller, commodity="maize", quantity=Decimal("5"), unit_code="t", price=Decimal("2100"))
    from app.postings.services import local_today

    today: date = local_today()
    assert today.strftime("%m-%d") in text_in("+8613912340020", "PRICE maize")


@pytest.mark.parametrize(
    "body, slug, province",
    [
        ("PRICE 河南玉米", "maize", "41"),
        ("价格 烟台苹果", "apple", "37"),
        ("PRICE apples", "apple", None),
        ("price tomatoes shouguang", "tomato", "37"),
        ("行情 五常大米", "rice", "23"),
        ("PRICE yumi henan", "maize", "41"),
    ],
)
def test_price_reads_places_plurals_and_pinyin_as_the_market_does(text_in, db, seller, body, slug, province):
    """Issue 16: cities and counties name their province, English plurals their commodity."""
    from app.inbound_sms.catalogue import sms_catalogue
    from sms.commands import parse

    command = parse(body, sms_catalogue())
    assert (command.commodity, command.province) == (slug, province)
    reply = text_in("+8613912340030", body)
    assert reply.endswith(f"http://jishi.test/prices/{slug}")
