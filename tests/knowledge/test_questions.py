"""Ask an expert on the web: asking, routing to the commodity's experts, the queue by waiting time,
answering once, the answer by SMS, privacy, and a station asking for a farmer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.clock import utcnow
from app.knowledge import questions
from app.knowledge.models import Question
from tests.factories import make_member
from tests.knowledge.conftest import commodity, sms_to

ANSWER = "Side-dress 10 kg urea per mu now and water it in. Lower leaves turn yellow first when nitrogen is short."


def _ask(db, asker, body="My maize leaves are turning yellow from the bottom", is_public=False, **extra):
    question = questions.ask(
        body, channel="web", locale="en", phone=asker.phone, asker=asker, is_public=is_public, **extra
    )
    db.session.commit()
    return question


def test_a_member_asks_and_the_commodity_is_read_from_the_text(client, login, db, farmer, expert, apple_expert):
    login(farmer)
    response = client.post("/knowledge/ask", data={"body": "苞米叶子发黄怎么办？", "commodity_id": ""})
    assert response.status_code == 303
    question = db.session.scalar(select(Question))
    assert response.headers["Location"].endswith(f"/knowledge/questions/{question.id}")
    assert (question.asker_id, question.phone, question.channel, question.status) == (
        farmer.id,
        farmer.phone,
        "web",
        "open",
    )
    assert question.commodity_id == commodity(db, "maize").id and question.is_public is False
    # Routed to the maize expert only, by SMS and e-mail.
    [to_expert] = sms_to(db, expert.phone)
    assert to_expert.template == "knowledge_question_new" and f"/q/{question.id}" in to_expert.body
    assert sms_to(db, apple_expert.phone) == []


def test_a_question_nobody_covers_goes_to_every_expert(db, farmer, expert, apple_expert):
    question = _ask(db, farmer, body="How deep should I plough before winter?")
    assert question.commodity_id is None
    assert [n.template for n in sms_to(db, expert.phone)] == ["knowledge_question_new_general"]
    assert [n.template for n in sms_to(db, apple_expert.phone)] == ["knowledge_question_new_general"]


def test_the_queue_lists_the_experts_commodities_first_then_by_waiting_time(client, login, db, farmer, expert):
    old_apple = _ask(db, farmer, body="Apple leaves have black spots")
    new_maize = _ask(db, farmer, body="Maize leaves have holes")
    old_maize = _ask(db, farmer, body="Maize cobs are rotting")
    old_apple.created_at = utcnow() - timedelta(days=3)
    old_maize.created_at = utcnow() - timedelta(days=2)
    new_maize.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(expert)
    page = client.get("/knowledge/queue").get_data(as_text=True)
    order = [page.index(f"/knowledge/questions/{q.id}#answer") for q in (old_maize, new_maize, old_apple)]
    assert order == sorted(order)
    mine = client.get("/knowledge/queue", query_string={"mine": "1"}).get_data(as_text=True)
    assert f"/knowledge/questions/{old_apple.id}#" not in mine and f"/knowledge/questions/{new_maize.id}#" in mine


def test_only_experts_and_admins_see_the_queue_and_answer(client, login, db, farmer):
    question = _ask(db, farmer)
    login(farmer)
    assert client.get("/knowledge/queue").status_code == 403
    assert client.post(f"/knowledge/questions/{question.id}/answer", data={"body": ANSWER}).status_code == 403
    db.session.refresh(question)
    assert question.status == "open"


def test_an_expert_answers_and_the_asker_gets_it_by_sms_with_a_link(client, login, db, farmer, expert):
    question = _ask(db, farmer)
    login(expert)
    page = client.get(f"/knowledge/questions/{question.id}").get_data(as_text=True)
    assert "Your answer" in page
    response = client.post(f"/knowledge/questions/{question.id}/answer", data={"body": ANSWER})
    assert response.status_code == 303
    db.session.refresh(question)
    assert (question.status, question.answered_by_id) == ("answered", expert.id)
    [answer_sms] = [n for n in sms_to(db, farmer.phone) if n.event == "knowledge_answer"]
    assert answer_sms.template == "knowledge_answer_private"
    assert f"/q/{question.id}/{question.access_token}" in answer_sms.body
    assert "Side-dress 10 kg urea" in answer_sms.body and "PUBLIC" in answer_sms.body
    # A second answer is refused, not silently overwriting the first.
    response = client.post(f"/knowledge/questions/{question.id}/answer", data={"body": ANSWER + " Again."})
    assert response.status_code in (409, 422)
    db.session.refresh(question)
    assert question.answer_body == ANSWER


def test_two_experts_answering_at_once_the_second_is_told(db, farmer, expert, apple_expert):
    question = _ask(db, farmer)
    stale = db.session.get(Question, question.id)
    questions.answer(question, expert, ANSWER)
    db.session.commit()
    from app.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        questions.answer(stale, apple_expert, "Another answer that came second.")
    assert refused.value.status == 409


def test_a_private_question_is_hidden_from_others_but_readable_with_its_link(client, login, db, farmer, expert):
    question = _ask(db, farmer)
    questions.answer(question, expert, ANSWER)
    db.session.commit()
    stranger = make_member(display_name="Stranger")
    login(stranger)
    assert client.get(f"/knowledge/questions/{question.id}").status_code == 404
    assert client.get(f"/q/{question.id}/wrong-token").status_code == 404
    assert f'/knowledge/questions/{question.id}"' not in client.get("/knowledge/questions").get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()
    page = client.get(f"/q/{question.id}/{question.access_token}").get_data(as_text=True)
    assert "Side-dress 10 kg urea" in page
    login(farmer)
    assert "Side-dress" in client.get(f"/knowledge/questions/{question.id}").get_data(as_text=True)


def test_a_public_answered_question_is_on_the_qa_page_without_the_askers_name(client, db, farmer, expert):
    question = _ask(db, farmer, is_public=True)
    questions.answer(question, expert, ANSWER)
    db.session.commit()
    listing = client.get("/knowledge/questions").get_data(as_text=True)
    assert f'/knowledge/questions/{question.id}"' in listing
    page = client.get(f"/knowledge/questions/{question.id}").get_data(as_text=True)
    assert "Side-dress" in page and "Farmer Wang" not in page and farmer.phone not in page
    [answer_sms] = [n for n in sms_to(db, farmer.phone) if n.event == "knowledge_answer"]
    assert answer_sms.template == "knowledge_answer"


def test_the_asker_makes_a_question_public_and_private_again(client, login, db, farmer, expert):
    question = _ask(db, farmer)
    questions.answer(question, expert, ANSWER)
    db.session.commit()
    other = make_member()
    login(other)
    assert client.post(f"/knowledge/questions/{question.id}/visibility", data={"public": "yes"}).status_code == 404
    login(farmer)
    assert client.post(f"/knowledge/questions/{question.id}/visibility", data={"public": "yes"}).status_code == 303
    db.session.refresh(question)
    assert question.is_public
    client.post(f"/knowledge/questions/{question.id}/visibility", data={"public": "no"})
    db.session.refresh(question)
    assert not question.is_public


def test_the_daily_limit_refuses_the_sixth_question(client, login, db, farmer, app):
    app.config["KNOWLEDGE_QUESTIONS_PER_DAY"] = 2
    login(farmer)
    for text in ("First question about maize", "Second question about maize"):
        assert client.post("/knowledge/ask", data={"body": text}).status_code == 303
    response = client.post("/knowledge/ask", data={"body": "Third question about maize"})
    assert response.status_code == 422
    assert "You asked 2 questions in the last day" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Question)).all()) == 2


def test_a_station_asks_for_a_farmer_and_the_answer_is_texted_to_the_farmer(client, login, db, station, expert):
    login(station)
    response = client.post(
        "/knowledge/ask/for-farmer",
        data={"farmer_phone": "139 0000 1234", "body": "玉米叶子发黄，下部先黄", "commodity_id": "", "is_public": "y"},
    )
    assert response.status_code == 303
    question = db.session.scalar(select(Question))
    assert (question.station_id, question.asker_id, question.phone, question.channel, question.is_public) == (
        station.id,
        None,
        "+8613900001234",
        "station",
        True,
    )
    questions.answer(question, expert, ANSWER)
    db.session.commit()
    [answer_sms] = sms_to(db, "+8613900001234")
    assert answer_sms.template == "knowledge_answer" and answer_sms.status == "pending"
    # The station reads it among its questions.
    assert f'/knowledge/questions/{question.id}"' in client.get("/knowledge/questions/mine").get_data(as_text=True)


def test_only_approved_stations_ask_for_farmers(client, login, db, farmer):
    pending = make_member(is_station_operator=True, station_review="pending")
    for member in (farmer, pending):
        login(member)
        assert client.get("/knowledge/ask/for-farmer").status_code == 403


def test_asking_needs_a_login_and_a_csrf_token(client, login, db, farmer):
    response = client.get("/knowledge/ask")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(farmer)
    assert client.post("/knowledge/ask", data={"body": "A question without a token"}, csrf=False).status_code == 400
    assert db.session.scalar(select(Question)) is None
