"""Ask-an-expert events for other domains to subscribe to (notify texts the people concerned).

Sent by app.knowledge.questions after the change is flushed, inside the same transaction, so the
outbox rows a subscriber writes commit or roll back with it. The sender is ``"knowledge"``; keyword
arguments carry ids only:

    question_asked     question_id, commodity_id (None: no particular commodity)
    question_answered  question_id
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "knowledge"

knowledge_signals = Namespace()

question_asked = knowledge_signals.signal("question_asked", doc="A question waits for an expert.")
question_answered = knowledge_signals.signal("question_answered", doc="An expert answered a question.")
