"""Notification test data: the trade parties (with e-mail addresses) and a sell offer, and fake
senders that record what they were given and can be told to fail."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.notify.models import Notification
from app.notify.senders import SendFailed


class FakeSender:
    """Records (id, address, body) of every message it accepted; ``fail`` decides per message
    whether to raise SendFailed instead (a function of the message, or True for always)."""

    def __init__(self, fail=False, permanent=False):
        self.fail = fail
        self.permanent = permanent
        self.sent: list[tuple[int, str, str]] = []
        self.calls = 0
        self._lock = threading.Lock()

    def send(self, message):
        with self._lock:
            self.calls += 1
            failing = self.fail(message) if callable(self.fail) else self.fail
            if failing:
                raise SendFailed("gateway unavailable", permanent=self.permanent)
            self.sent.append((message.id, message.address, message.body))
            return f"fake-{message.id}"


@pytest.fixture
def fake_senders():
    sender = FakeSender()
    return sender, {"sms": sender, "email": sender}


def notifications(**filters) -> list[Notification]:
    """Rows in the outbox matching column=value filters, oldest first."""
    query = select(Notification).order_by(Notification.id)
    for name, value in filters.items():
        query = query.where(getattr(Notification, name) == value)
    _db.session.commit()  # end the test's read transaction: other connections (workers) may have written
    return list(_db.session.scalars(query))
