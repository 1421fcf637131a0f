"""Rendering an SMS holds it to its template's rules at run time (sms/templates.py): a message
that cannot be rendered within its parts — a value nobody measured — is logged as an error and
written "skipped" with the reason, never sent cut and never sent as more paid parts; names are
shortened first, so that only what cannot be shortened (numbers, prices) is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.catalogue.models import Unit
from app.catalogue.services import find_commodity
from app.extensions import db
from app.notify.models import NotificationStatus
from app.notify.services import SMS_NOT_RENDERED, enqueue, render_sms
from sms import templates
from sms.segments import count_segments
from sms.templates import TemplateError
from tests.factories import make_member

LINK = "http://jishi.test/o/1"


@pytest.mark.sms_over_limit
@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_an_event_sms_that_breaks_its_template_is_logged_and_written_skipped(app, db, locale, sms_over_limit):
    member = make_member(locale=locale)
    db.session.commit()
    with pytest.raises(TemplateError):
        render_sms("dispute_opened", locale, {"number": "J" * 300, "link": LINK})
    rows = enqueue(member, "dispute_opened", {"number": "J" * 300, "link": LINK, "url": LINK})
    db.session.commit()
    [sms] = [row for row in rows if row.channel == "sms"]
    assert sms.status == NotificationStatus.SKIPPED.value and sms.next_attempt_at is None
    assert sms.last_error.startswith(SMS_NOT_RENDERED) and "number" in sms.last_error
    assert any("dispute_opened" in record.getMessage() for record in sms_over_limit)


def _station_context(station: str) -> dict:
    return {
        "number": 12,
        "station": station,
        "commodity": find_commodity("maize"),
        "quantity": Decimal("5"),
        "price": None,
        "unit": db.session.get(Unit, "kg"),
        "link": LINK,
        "url": LINK,
    }


def test_the_station_confirmation_may_take_two_parts_and_its_name_is_shortened(app, db, sms_over_limit):
    rendered = render_sms("station_posting_confirm", "en", _station_context("S" * 400))
    assert rendered.template == "station_posting_confirm_negotiable"
    assert rendered.params["station"] == "S" * 23 + "."
    assert count_segments(rendered.text).segments == 1 and sms_over_limit == []  # GSM-7 without a signature
    sign = app.config["SMS_SIGN_NAME"]
    assert templates.measure(rendered.text, sign).segments <= templates.allowed_segments(
        templates.get(rendered.template), "en", sign
    )
