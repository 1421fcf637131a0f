"""Replies to the ask-an-expert SMS commands (问 / ASK, 公开 n / PUBLIC n). Each function returns
the registry template and its parameters (sms/templates.py, category reply); ``text`` renders one
in the locale the caller forced, for the executor that still sends reply texts."""

from __future__ import annotations

from flask_babel import get_locale

from app.core.urls import public_url
from app.knowledge.models import Question
from app.notify import sms_templates
from app.notify.sms_templates import link_path

Reply = tuple[str, dict]


def text(reply: Reply) -> str:
    """The reply's text in the current locale, with the configured site and signature."""
    name, params = reply
    return sms_templates.render(name, str(get_locale() or "en"), params).text


def question_received(question: Question) -> Reply:
    link = public_url("knowledge.question_by_token", question_id=question.id, token=question.access_token)
    return "knowledge_question_received", {"number": question.id, "link": link_path(link)}


def question_empty() -> Reply:
    return "knowledge_question_empty", {"link": link_path(public_url("knowledge.ask"))}


def question_limit(count: int) -> Reply:
    return "knowledge_question_limit", {"count": count, "link": link_path(public_url("knowledge.index"))}


def question_published(question: Question) -> Reply:
    link = public_url("knowledge.short_question", question_id=question.id)
    return "knowledge_question_published", {"number": question.id, "link": link_path(link)}


def question_unknown(number: int) -> Reply:
    return "knowledge_question_unknown", {"number": number}
