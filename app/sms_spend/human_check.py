"""A human check before more SMS codes: a small sum to type, asked in the code forms once an address
or a number range has had many codes this hour (budget.human_check_needed). Works without
JavaScript. The question lives in the signed session cookie; the database remembers each answered
question (a one-use counter of the SMS budget), so a cookie with a solved question cannot be replayed:
one answer lets one more code through."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

from flask import session
from flask_babel import gettext as _

from app.sms_spend.budget import use_once

SESSION_KEY = "human_check"
# An unanswered question older than this is replaced by a new one.
QUESTION_SECONDS = 600


def new_question() -> str:
    """Put a new question in the session and return its text (in the reader's language)."""
    first, second = 2 + secrets.randbelow(8), 2 + secrets.randbelow(8)
    session[SESSION_KEY] = {"nonce": secrets.token_urlsafe(16), "a": first, "b": second, "at": int(time.time())}
    return question_text()


def question_text() -> str | None:
    """The text of the question in the session, or None when there is none."""
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    return _("Please answer in digits: what is %(a)s plus %(b)s?", a=entry.get("a"), b=entry.get("b"))


def passes(answer: str | None) -> bool:
    """True when ``answer`` is the right sum for the session's fresh question and the question was
    never used before; the question is used up either way. Writes a one-use counter row in the
    session (the caller commits)."""
    entry = session.pop(SESSION_KEY, None)
    if not isinstance(entry, dict) or not answer:
        return False
    try:
        right = int(str(answer).strip()) == int(entry["a"]) + int(entry["b"])
        issued = datetime.fromtimestamp(int(entry["at"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return False
    if not right or time.time() - issued.timestamp() > QUESTION_SECONDS:
        return False
    return use_once(str(entry.get("nonce", ""))[:64], issued)
