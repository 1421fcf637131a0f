"""Issue 22 end to end: Twilio-signed texts to /sms/inbound as farmers write them — opt-out
look-alikes, true opt-outs with punctuation, money forms, keyword-last, Traditional and pinyin —
and the reply, the opt-out table and the drafts each must leave."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.inbound_sms.models import InboundSms
from app.notify.models import SmsOptOut
from app.postings.models import Posting
from sms.segments import count_segments
from tests.factories import make_member


def _postings(db) -> list[Posting]:
    db.session.expire_all()
    return list(db.session.scalars(select(Posting).order_by(Posting.id)))


def _opt_out_row(db, phone: str) -> SmsOptOut | None:
    db.session.expire_all()
    return db.session.scalar(select(SmsOptOut).where(SmsOptOut.phone == phone))


def _last_command(db) -> str:
    return db.session.scalars(select(InboundSms.command).order_by(InboundSms.id.desc())).first()


@pytest.mark.parametrize(
    "body, reply",
    [
        ("取消 K7M2", "集市：回复 退订 确认停止接收短信（只发“退订”两字）。回复 帮助 查看指令。"),
        ("取消订单", "集市：回复 退订 确认停止接收短信（只发“退订”两字）。回复 帮助 查看指令。"),
        ("退订什么", "集市：回复 退订 确认停止接收短信（只发“退订”两字）。回复 帮助 查看指令。"),
        ("Cancel my order", "Jishi: to stop all SMS from us, reply STOP on its own. Reply HELP for commands."),
        ("stop sending me these", "Jishi: to stop all SMS from us, reply STOP on its own. Reply HELP for commands."),
        ("quit it", "Jishi: to stop all SMS from us, reply STOP on its own. Reply HELP for commands."),
    ],
)
def test_opt_out_look_alikes_ask_for_the_keyword_and_keep_the_number_subscribed(text_in, db, body, reply):
    phone = "+8613912342201"
    assert text_in(phone, body) == reply
    assert _opt_out_row(db, phone) is None
    assert _last_command(db) == "optout_hint"


def test_a_sell_that_starts_with_an_opt_out_word_drafts_and_names_what_it_did_not_read(text_in, db, seller):
    reply = text_in(seller.phone, "end of season, sell maize 5t 2100")
    [posting] = _postings(db)
    assert (posting.quantity, posting.unit_code, posting.price) == (Decimal("5"), "t", Decimal("2100"))
    assert reply == (
        f"Draft {posting.id}: 5 t maize ¥2,100/t. Not understood: end of season. Reply YES {posting.id} "
        f"to publish, NO {posting.id} to discard. http://jishi.test/p/{posting.id}"
    )
    assert _opt_out_row(db, seller.phone) is None
    assert count_segments(reply).segments <= 2


@pytest.mark.parametrize(
    "body, keyword",
    [
        ("stop.", "STOP"),
        ("STOP!", "STOP"),
        ("ＳＴＯＰ！", "STOP"),
        ("退订。", "退订"),
        ("「退订」", "退订"),
        ("td。", "TD"),
        ("N", "N"),
        ("n.", "N"),
        ("Cancel!", "CANCEL"),
        ("取消", "取消"),
        ("end", "END"),
        ("QUIT?", "QUIT"),
    ],
)
def test_true_opt_outs_with_punctuation_stop_every_sms(text_in, db, body, keyword):
    phone = "+8613912342202"
    reply = text_in(phone, body)
    assert "START" in reply
    row = _opt_out_row(db, phone)
    assert row is not None and row.opted_in_at is None and row.keyword == keyword
    assert text_in(phone, "YES") in (
        "Jishi: SMS resumed. Reply HELP for commands.",
        "集市：短信已恢复。回复 帮助 查看指令。",
    )
    assert _opt_out_row(db, phone).opted_in_at is not None


def test_yes_only_opts_in_a_number_that_stopped(text_in, db):
    phone = "+8613912342203"
    assert text_in(phone, "YES").startswith("Jishi: you already get our SMS.")
    assert _opt_out_row(db, phone) is None
    text_in(phone, "STOP")
    assert text_in(phone, "yes.") == "Jishi: SMS resumed. Reply HELP for commands."


def test_sell_with_spoken_money_drafts_the_price_written_and_echoes_it(text_in, db, seller):
    reply = text_in(seller.phone, "卖 玉米 5吨 1块2")
    [posting] = _postings(db)
    assert (posting.quantity, posting.unit_code, posting.price) == (Decimal("5"), "t", Decimal("1.20"))
    assert reply.startswith(f"草稿{posting.id}：玉米 5吨 ¥1.20/吨。")  # the unit it read is in the echo


def test_price_per_jin_is_echoed_as_written_beside_the_stored_price(text_in, db, seller):
    reply = text_in(seller.phone, "SELL maize 2 t 1.15/jin")
    [posting] = _postings(db)
    assert (posting.quantity, posting.unit_code, posting.price) == (Decimal("2"), "t", Decimal("2300.00"))
    assert reply.startswith(f"Draft {posting.id}: 2 t maize ¥2,300/t (¥1.15/jin).")


def test_a_second_number_after_the_price_is_refused_not_dropped(text_in, db, seller):
    assert text_in(seller.phone, "卖 玉米 5吨 1元2") == "未识别：2。 例：卖 玉米 5吨 2100"
    assert text_in(seller.phone, "SELL maize 5t 2100 3000") == "Not understood: 3000. e.g. SELL maize 5t 2100"
    assert _postings(db) == []


def test_chinese_speaker_gets_the_draft_in_chinese(text_in, db):
    member = make_member(display_name="Li", locale="zh_Hans")
    reply = text_in(member.phone, "卖，河南，玉米，三千斤，一块二一斤。")
    [posting] = _postings(db)
    assert (posting.quantity, posting.unit_code, posting.price, posting.province_code) == (
        Decimal("3000"),
        "jin",
        Decimal("1.20"),
        "41",
    )
    assert reply.startswith(f"草稿{posting.id}：玉米 3,000斤 ¥1.20/斤。")


@pytest.mark.parametrize(
    "body", ["玉米价格", "河南玉米价格", "玉米多少钱一斤", "价格，玉米。", "價格 玉米", "价格 棒子", "行情 苞谷"]
)
def test_price_questions_in_any_order_script_and_dialect_are_answered(text_in, db, body):
    reply = text_in("+8613912342204", body)
    assert reply == "今日暂无玉米价格。详见http://jishi.test/prices/maize"
    assert _last_command(db) == "price"


@pytest.mark.parametrize("body", ["price yumi", "PRICE Yu Mi", "价格 yumi"])
def test_pinyin_commodity_names_are_understood(text_in, db, body):
    assert "http://jishi.test/prices/maize" in text_in("+8613912342205", body)
    assert _last_command(db) == "price"


def test_traditional_sell_and_confirm_publish_a_draft(text_in, db, seller):
    text_in(seller.phone, "賣 玉米 5噸 2100 貨好")
    [posting] = _postings(db)
    assert (posting.quantity, posting.unit_code, posting.price, posting.description) == (
        Decimal("5"),
        "t",
        Decimal("2100"),
        "貨好",
    )
    reply = text_in(seller.phone, f"確認 {posting.id}。")
    assert _postings(db)[0].status == "active"
    assert str(posting.id) in reply


def test_pinyin_sell_and_synonym_confirm(text_in, db, seller):
    text_in(seller.phone, "sell yumi 5t 2100")
    [posting] = _postings(db)
    assert posting.commodity.slug == "maize"
    text_in(seller.phone, f"Yes {posting.id}.")
    assert _postings(db)[0].status == "active"


@pytest.mark.parametrize(
    "body, reply",
    [
        ("卖 玉米 100 120", "缺少单位（吨、公斤、斤…）。 例：卖 玉米 5吨 2100"),
        ("卖 石头 5吨 2100", "未知品种。 例：卖 玉米 5吨 2100"),
        ("SELL maize 5t inf", "Could not read a number. e.g. SELL maize 5t 2100"),
        ("YES please", "Which draft number? e.g. YES 12"),
        ("订阅", "哪种农产品？ 例：订阅 玉米 河南"),
        ("hello 玉米价格", "未识别：hello。 例：价格 玉米 河南"),
        ("maybe YES 12", "Not understood: maybe. e.g. YES 12"),
    ],
)
def test_refusals_give_the_usage(text_in, db, seller, body, reply):
    assert text_in(seller.phone, body) == reply
    assert _postings(db) == []


def test_subscribe_in_keyword_last_order_and_stop_word_with_commodity_ends_that_alert(text_in, db):
    phone = "+8613912342206"
    assert "玉米" in text_in(phone, "订阅河南玉米价格")
    assert text_in(phone, "退订 玉米") == "价格提醒已停止。"
    assert _opt_out_row(db, phone) is None


def test_a_long_unread_part_is_cut_so_the_reply_keeps_its_link(text_in, db, seller):
    reply = text_in(seller.phone, "今年雨水多收成一般家里还有很多存货，去年的也没卖完，价格合适就出 卖 玉米 5吨 2100")
    [posting] = _postings(db)
    assert "未识别：" in reply and "…" in reply
    assert reply.endswith(f"http://jishi.test/p/{posting.id}")
    assert count_segments(reply).segments <= 2
