"""Ask-an-expert events turned into outbox rows: a new question to the experts of its commodity,
an answer to the person who asked (or the farmer a station asked for).

The knowledge domain announces these with signals (app/knowledge/signals.py) and never calls notify
itself; like the other handlers, these receivers run inside the sender's transaction, only add rows
and never commit."""

from __future__ import annotations

from flask import current_app

from app.core.urls import public_url
from app.extensions import db
from app.forum.markup import plain_text
from app.knowledge import signals
from app.knowledge.models import Channel, Question
from app.knowledge.services import experts_for
from app.members.models import Member
from app.notify.preferences import register_event
from app.notify.services import enqueue, enqueue_sms_to_phone

register_event("knowledge_question", "knowledge")
register_event("knowledge_answer", "knowledge")


def question_link(question: Question) -> str:
    """The asker's link: readable without an account, the question private or not."""
    return public_url("knowledge.question_by_token", question_id=question.id, token=question.access_token)


def on_question_asked(_sender, *, question_id: int, commodity_id: int | None) -> None:
    """knowledge_question to the experts covering the commodity (every expert when none does), at
    most KNOWLEDGE_EXPERTS_NOTIFIED of them; never to the asker or their station themselves."""
    question = db.session.get(Question, question_id)
    context = {
        "number": question.id,
        "commodity": question.commodity,
        "question": plain_text(question.body, 200),
        "link": public_url("knowledge.short_question", question_id=question.id),
        "url": public_url("knowledge.show_question", question_id=question.id),
    }
    asked_by = {question.asker_id, question.station_id}
    for expert in experts_for(commodity_id, current_app.config["KNOWLEDGE_EXPERTS_NOTIFIED"]):
        if expert.id not in asked_by:
            enqueue(expert, "knowledge_question", context)


def on_question_answered(_sender, *, question_id: int) -> None:
    """knowledge_answer to whoever asked: a web asker on their channels (SMS to their verified
    number, e-mail); an SMS asker, or the farmer a station asked for, by SMS to the number the
    question came from or was asked for — that number asked, so it need not be verified."""
    question = db.session.get(Question, question_id)
    link = question_link(question)
    context = {
        "number": question.id,
        "public": question.is_public,
        "answer": plain_text(question.answer_html or "", 400),
        "question": plain_text(question.body, 200),
        "link": link,
        "url": link,
    }
    asker = db.session.get(Member, question.asker_id) if question.asker_id else None
    if question.channel == Channel.WEB.value and asker is not None:
        enqueue(asker, "knowledge_answer", context)
    elif question.phone:
        enqueue_sms_to_phone(
            question.phone, "knowledge_answer", context, question.locale, member=asker, to_unverified=True
        )


def connect() -> None:
    signals.question_asked.connect(on_question_asked, sender=signals.SENDER)
    signals.question_answered.connect(on_question_answered, sender=signals.SENDER)
