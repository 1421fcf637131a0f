"""Replies to the ask-an-expert SMS commands (问 / ASK, 公开 n / PUBLIC n): each a ``Reply`` of a
registry template (sms/templates.py, category reply), like every other command's reply
(app/inbound_sms/replies.py says how replies are rendered and sent)."""

from __future__ import annotations

from app.core.urls import public_url
from app.inbound_sms.replies import Reply, reply
from app.knowledge.models import Question
from app.notify.sms_templates import link_path


def question_received(question: Question) -> Reply:
    link = public_url("knowledge.question_by_token", question_id=question.id, token=question.access_token)
    return reply("knowledge_question_received", number=question.id, link=link_path(link))


def question_empty() -> Reply:
    return reply("knowledge_question_empty", link=link_path(public_url("knowledge.ask")))


def question_limit(count: int) -> Reply:
    return reply("knowledge_question_limit", count=count, link=link_path(public_url("knowledge.index")))


def question_published(question: Question) -> Reply:
    link = public_url("knowledge.short_question", question_id=question.id)
    return reply("knowledge_question_published", number=question.id, link=link_path(link))


def question_unknown(number: int) -> Reply:
    return reply("knowledge_question_unknown", number=number)
