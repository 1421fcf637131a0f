"""The ask-an-expert SMS commands: 问 / ASK (a question to the experts, through the same service as
the web form, with its daily limit) and 公开 n / PUBLIC n (the asker lets everyone read it).

An SMS question starts private: the receipt and the answer SMS say how to publish it."""

from __future__ import annotations

from app.inbound_sms import knowledge_replies as replies
from app.knowledge import questions
from app.knowledge.models import Channel
from app.knowledge.queries import commodity_by_slug
from app.knowledge.questions import QuestionLimitReached
from app.knowledge.services import KnowledgeInvalid
from sms.question_commands import AskQuestion, PublishQuestion


def ask(command: AskQuestion, sender) -> str:
    """Raises app.inbound_sms.commands.Refused over the daily limit (nothing is kept)."""
    from app.inbound_sms.commands import Refused

    if not command.text:
        return replies.question_empty()
    commodity = commodity_by_slug(command.commodity) if command.commodity else None
    try:
        question = questions.ask(
            command.text,
            channel=Channel.SMS.value,
            locale=sender.locale,
            phone=sender.phone,
            asker=sender.member,
            commodity_id=commodity.id if commodity is not None else None,
        )
    except QuestionLimitReached as error:
        raise Refused("ask", replies.question_limit(error.count)) from None
    except KnowledgeInvalid:
        raise Refused("ask", replies.question_empty()) from None
    return replies.question_received(question)


def publish(command: PublishQuestion, sender) -> str:
    question = questions.publish_by_phone(command.number, sender.phone)
    if question is None:
        return replies.question_unknown(command.number)
    return replies.question_published(question)
