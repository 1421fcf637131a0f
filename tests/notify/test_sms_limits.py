"""Rendering an SMS holds it to its template's limit at run time (sms.limits): an event message that
came out too long — a value nobody measured — is logged as an error and sent shortened with its
link, never dropped and never sent as several paid parts."""

from __future__ import annotations

import pytest

from app.notify.services import render_message, render_sms_text
from sms.segments import count_segments

LINK = "https://jishi.test/orders/1"


@pytest.mark.sms_over_limit
@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_an_over_long_event_sms_is_logged_and_sent_shortened_with_its_link(app, locale, sms_over_limit):
    context = {"number": "J" * 300, "link": LINK}
    assert count_segments(render_sms_text("dispute_opened", locale, context)).segments > 1
    _subject, body, _html = render_message("sms", "dispute_opened", locale, context)
    assert count_segments(body).segments == 1
    assert body.endswith(f"... {LINK}")
    [record] = sms_over_limit
    assert "dispute_opened" in record.getMessage()


@pytest.mark.sms_over_limit
def test_the_station_confirmation_may_take_two_parts_and_no_more(app, sms_over_limit):
    from decimal import Decimal

    from app.catalogue.models import Unit
    from app.catalogue.services import find_commodity
    from app.extensions import db

    context = {
        "number": 12,
        "commodity": find_commodity("maize"),
        "quantity": Decimal("5"),
        "price": None,
        "unit": db.session.get(Unit, "kg"),
        "link": LINK,
        "url": LINK,
    }
    two_parts = render_message("sms", "station_posting_confirm", "en", {**context, "station": "S" * 150})[1]
    assert count_segments(two_parts).segments == 2 and sms_over_limit == []
    cut = render_message("sms", "station_posting_confirm", "en", {**context, "station": "S" * 400})[1]
    assert count_segments(cut).segments == 2 and len(sms_over_limit) == 1
