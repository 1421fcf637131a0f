"""Inbound SMS test helpers: post a correctly signed Twilio webhook and read the TwiML reply."""

from __future__ import annotations

import itertools
import re
from html import unescape

import pytest
from twilio.request_validator import RequestValidator

from app.extensions import db as _db
from config import TestingConfig

INBOUND_URL = TestingConfig.PUBLIC_BASE_URL + "/sms/inbound"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032d}"


def signature(params: dict, url: str = INBOUND_URL, token: str = TestingConfig.TWILIO_AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def reply_of(response) -> str:
    """The text of the TwiML <Message>, or "" for an empty <Response/>."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    found = re.search(r"<Message>(.*)</Message>", response.get_data(as_text=True), re.S)
    return unescape(found.group(1)) if found else ""


@pytest.fixture
def text_in(client):
    """``text_in(phone, body, sid=None)`` posts a signed inbound SMS and returns the reply text."""

    def _send(phone: str, body: str, sid: str | None = None, **extra) -> str:
        params = {"From": phone, "To": "+15005550006", "Body": body, "MessageSid": sid or new_sid(), **extra}
        response = client.post(
            "/sms/inbound", data=params, csrf=False, headers={"X-Twilio-Signature": signature(params)}
        )
        # The test client shares the test's session, and a POST's transaction starts with BEGIN
        # IMMEDIATE on SQLite: end it, as a server ends every request's, so that a live server
        # in another thread can write.
        _db.session.commit()
        return reply_of(response)

    return _send
