"""Ask-an-expert by SMS (issue 24 point 5): "问 玉米 叶子发黄", "ASK maize yellow leaves" and
"公开 12" / "PUBLIC 12" (let others read question 12 and its answer).

The question is the farmer's own words, so it is read before the command words of sms.commands: "ASK
why the maize price fell" must reach an expert, not answer as PRICE. Only the first word counts (问,
提问, 问题, ASK, QUESTION); 请问 and 问价 do not, since "请问玉米多少钱" asks the market for a price.
The commodity is the first one the SMS reader's catalogue finds in the question (aliases, dialect
names and pinyin included). Flask-free, like the rest of sms/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sms.catalogue import Catalogue
from sms.command_types import Command
from sms.tokens import EDGE_PUNCTUATION, normalise, tokenize

# Longest first, so that 问题 is not read as 问 + "题 …".
_ASK = re.compile(r"^(?:提问|问题|问(?!价)|ask(?![a-z])|question(?![a-z]))")
_PUBLISH = re.compile(r"^(?:公开|public(?![a-z]))\s*#?(\d{1,9})$")
MAX_QUESTION_LENGTH = 1000


@dataclass(frozen=True)
class AskQuestion(Command):
    """A question for the experts: ``text`` as the farmer wrote it (without the command word; ""
    when nothing followed it) and the ``commodity`` slug found in it, if any."""

    text: str
    commodity: str | None = None


@dataclass(frozen=True)
class PublishQuestion(Command):
    """The asker lets everyone read question ``number`` and its answer on the site."""

    number: int


def parse_question(text: str, catalogue: Catalogue) -> Command | None:
    """AskQuestion or PublishQuestion when the SMS is one, else None (the caller reads it as any
    other command)."""
    message = normalise(text)
    published = _PUBLISH.match(message.folded.strip())
    if published:
        return PublishQuestion(int(published.group(1)))
    asked = _ASK.match(message.base)
    if not asked:
        return None
    question = message.original[asked.end() :].lstrip(EDGE_PUNCTUATION).strip()[:MAX_QUESTION_LENGTH]
    commodity = next(
        (token.value for token in tokenize(message, catalogue, asked.end()) if token.kind == "commodity"), None
    )
    return AskQuestion(question, commodity)
