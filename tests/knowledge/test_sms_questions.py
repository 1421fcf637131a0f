"""Ask an expert by SMS: 问 / ASK creates a question (commodity read from the text), the receipt
and the answer are templates of at most two parts with a link, 公开 n / PUBLIC n publishes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.inbound_sms.models import InboundSms
from app.knowledge import questions
from app.knowledge.models import Question
from sms.catalogue import Catalogue
from sms.commands import AskQuestion, PriceQuery, PublishQuestion, parse
from sms.segments import count_segments
from tests.factories import make_member
from tests.knowledge.conftest import commodity, sms_to

UNREGISTERED = "+8613700005678"
CATALOGUE = Catalogue(commodities={"玉米": "maize", "maize": "maize", "苞米": "maize", "corn": "maize"})


@pytest.mark.parametrize(
    "body, expected",
    [
        ("问 玉米 叶子发黄", AskQuestion("玉米 叶子发黄", "maize")),
        ("ASK maize yellow leaves", AskQuestion("maize yellow leaves", "maize")),
        ("问玉米叶子发黄", AskQuestion("玉米叶子发黄", "maize")),
        ("提问：苞米生虫怎么办？", AskQuestion("苞米生虫怎么办?", "maize")),
        ("問 玉米葉子發黃", AskQuestion("玉米葉子發黃", "maize")),
        ("ask why did the maize price fall", AskQuestion("why did the maize price fall", "maize")),
        ("问 地里的土发白", AskQuestion("地里的土发白", None)),
        ("ASK", AskQuestion("", None)),
        ("公开 12", PublishQuestion(12)),
        ("PUBLIC #12", PublishQuestion(12)),
    ],
)
def test_the_reader_takes_the_question_as_written(body, expected):
    assert parse(body, CATALOGUE) == expected


@pytest.mark.parametrize("body", ["请问玉米价格", "PRICE maize"])
def test_a_price_question_is_still_a_price_query(body):
    assert isinstance(parse(body, CATALOGUE), PriceQuery)


def test_an_unregistered_farmer_asks_by_sms_and_gets_the_answer_by_sms(text_in, db, expert):
    reply = text_in(UNREGISTERED, "问 玉米 叶子发黄")
    question = db.session.scalar(select(Question))
    assert (question.channel, question.phone, question.asker_id, question.is_public) == (
        "sms",
        UNREGISTERED,
        None,
        False,
    )
    assert question.commodity_id == commodity(db, "maize").id and question.locale == "zh_Hans"
    assert f"问题{question.id}" in reply and f"公开 {question.id}" in reply
    assert f"http://jishi.test/q/{question.id}/{question.access_token}" in reply
    assert count_segments(reply).segments <= 2
    assert db.session.scalars(select(InboundSms.command)).all() == ["ask"]
    assert [n.template for n in sms_to(db, expert.phone)] == ["knowledge_question_new"]

    questions.answer(question, expert, "下部叶片先黄多为缺氮，每亩追施尿素10公斤，浇水。详见 www.example.cn")
    db.session.commit()
    [answer] = sms_to(db, UNREGISTERED)
    assert answer.template == "knowledge_answer_private" and answer.locale == "zh_Hans"
    assert "下部叶片先黄" in answer.body and "example.cn" not in answer.body
    assert f"公开 {question.id}" in answer.body
    assert count_segments("【集市】" + answer.body).segments <= 2


def test_public_n_publishes_only_the_senders_own_question(text_in, db, expert):
    text_in(UNREGISTERED, "ASK maize yellow leaves")
    question = db.session.scalar(select(Question))
    other = text_in("+8613700009999", f"PUBLIC {question.id}")
    assert f"no question {question.id}" in other
    db.session.refresh(question)
    assert not question.is_public
    reply = text_in(UNREGISTERED, f"PUBLIC {question.id}")
    assert "can now be read by everyone" in reply and f"http://jishi.test/q/{question.id}" in reply
    db.session.refresh(question)
    assert question.is_public


def test_an_empty_question_gets_an_example(text_in, db):
    reply = text_in(UNREGISTERED, "ASK")
    assert "ASK maize yellow leaves" in reply and "http://jishi.test/knowledge/ask" in reply
    assert db.session.scalar(select(Question)) is None


def test_the_daily_limit_applies_to_sms_questions(text_in, db, app):
    app.config["KNOWLEDGE_QUESTIONS_PER_DAY"] = 1
    text_in(UNREGISTERED, "问 玉米 叶子发黄")
    reply = text_in(UNREGISTERED, "问 玉米 又生虫了")
    assert "一天内已提问1次" in reply
    assert len(db.session.scalars(select(Question)).all()) == 1


def test_a_members_sms_question_is_theirs_and_listed_on_the_site(text_in, client, login, db):
    farmer = make_member(display_name="Farmer Zhou", locale="en")
    text_in(farmer.phone, "问 玉米 叶子发黄")
    question = db.session.scalar(select(Question))
    assert question.asker_id == farmer.id and question.locale == "en"
    login(farmer)
    assert f'/knowledge/questions/{question.id}"' in client.get("/knowledge/questions/mine").get_data(as_text=True)


def test_a_suspended_member_cannot_ask_by_sms(text_in, db):
    from datetime import timedelta

    from app.core.clock import utcnow

    farmer = make_member(suspended_until=utcnow() + timedelta(days=2))
    reply = text_in(farmer.phone, "ASK maize yellow leaves")
    assert "suspended" in reply
    assert db.session.scalar(select(Question)) is None
