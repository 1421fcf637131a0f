"""Every reply and the station confirmation fit in two SMS segments, in English and in Chinese,
with the longest values they can carry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.catalogue.models import Commodity, Region, Unit
from app.inbound_sms import replies
from app.inbound_sms.services import fit_reply
from app.market.prices import ReferenceQuote
from app.notify.services import render_sms
from sms import limits, templates
from sms.commands import ParseError
from sms.segments import count_segments

LOCALES = ["en", "zh_Hans"]
LINK = "https://jishi.example.cn/p/123456"
# Realistic worst cases: a six-digit posting number, a five-digit quantity and price with decimals.
QUANTITY, PRICE, NUMBER = Decimal("12500.5"), Decimal("12345.67"), 123456


@pytest.fixture
def longest(db):
    """The catalogue's longest commodity and province names, and its longest unit."""
    commodities = db.session.scalars(select(Commodity)).all()
    regions = db.session.scalars(select(Region)).all()
    units = db.session.scalars(select(Unit)).all()
    return (
        max(commodities, key=lambda c: len(c.name_en) + len(c.name_zh)),
        max(regions, key=lambda r: len(r.name_en) + len(r.name_zh)),
        max(units, key=lambda u: len(u.name_en) + len(u.name_zh)),
    )


class _Posting:
    """A stand-in with the attributes a reply reads (no database row needed for formatting)."""

    def __init__(self, commodity, unit):
        self.id, self.commodity, self.unit = NUMBER, commodity, unit
        self.quantity, self.price = QUANTITY, PRICE


def _all_replies(commodity, region, unit) -> list[str]:
    posting = _Posting(commodity, unit)
    quote = ReferenceQuote(
        day=date(2026, 11, 26),
        commodity=commodity,
        province=region.code,
        trade_price_per_kg=Decimal("12345.6789"),
        trade_volume_kg=Decimal("1"),
        median_ask_per_kg=Decimal("12345.67"),
        median_bid_per_kg=Decimal("12345.67"),
        report_price_per_kg=None,
        min=Decimal("1"),
        max=Decimal("2"),
        count=3,
        average_7d_per_kg=Decimal("1"),
        change_pct_vs_7d=Decimal("-99.95"),
    )

    class _Offer:
        quantity, unit_price = QUANTITY, PRICE

    texts = [
        replies.help_reply(),
        replies.too_many_reply(),
        replies.signup_reply(LINK),
        replies.suspended_reply(),
        replies.opted_out_reply(),
        replies.opted_in_reply(),
        replies.draft_reply(posting, LINK),
        replies.published_reply(posting, LINK),
        replies.discarded_reply(NUMBER),
        replies.no_such_draft_reply(NUMBER),
        replies.not_a_draft_reply(NUMBER),
        replies.province_needed_reply("sell"),
        replies.province_needed_reply("buy"),
        replies.no_offers_reply(),
        replies.offers_reply([replies.offer_line("K7M2", _Offer, posting)]),
        replies.no_such_offer_reply("ABCDEFGHJKMN"),
        replies.ambiguous_offer_reply(),
        replies.accepted_reply("JS-2026-123456", LINK),
        replies.declined_reply("ABCDEFGHJKMN"),
        replies.countered_reply(PRICE, unit, LINK),
        replies.price_reply(commodity, region, quote, LINK),
        replies.no_prices_reply(commodity, LINK),
        replies.subscribed_reply(commodity, region),
        replies.unsubscribed_reply(0),
        replies.unsubscribed_reply(2),
    ]
    for reason in ("missing_commodity", "unknown_unit", "unit_mismatch", "bad_code", "something_new"):
        for command in ("price", "sell", "buy", "confirm", "discard", "accept", "decline", "counter", "sub", "unsub"):
            texts.append(replies.error_reply(ParseError(reason, command)))
    return texts


def _require_translations(locale: str) -> None:
    """Chinese lengths only mean something with the Chinese catalogue compiled (make translations):
    without it the "Chinese" reply is English text with Chinese names, which no farmer ever gets."""
    if locale.startswith("zh"):
        with force_locale(locale):
            assert not replies.help_reply().startswith("Jishi SMS"), "zh_Hans messages.mo is missing or stale"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_reply_fits_two_segments(app, longest, locale):
    _require_translations(locale)
    with force_locale(locale):
        texts = _all_replies(*longest)
    too_long = [
        (count_segments(text).segments, text) for text in texts if count_segments(text).segments > limits.REPLY_SEGMENTS
    ]
    assert too_long == []


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("price", [PRICE, None])
def test_station_confirmation_sms_fits_two_segments(app, longest, locale, price):
    _require_translations(locale)
    commodity, _region, unit = longest
    # The registry refuses (raises) a message over its parts; measured again with the signature.
    rendered = render_sms(
        "station_posting_confirm",
        locale,
        {
            "station": "S" * 24,
            "number": NUMBER,
            "commodity": commodity,
            "quantity": QUANTITY,
            "unit": unit,
            "price": price,
            "link": LINK,
            "url": LINK,
        },
    )
    body = rendered.text
    assert str(NUMBER) in body and rendered.params["station"] == "S" * 24
    sign = app.config["SMS_SIGN_NAME"]
    allowed = templates.allowed_segments(templates.get(rendered.template), locale, sign)
    assert templates.measure(body, sign).segments <= allowed
    assert count_segments(body).segments <= limits.segments_for("station_posting_confirm") == 2


@pytest.mark.sms_over_limit
def test_fit_reply_cuts_cleanly_in_both_encodings():
    latin = "word " * 200
    assert count_segments(fit_reply(latin)).segments == 2 and fit_reply(latin).endswith("...")
    chinese = "玉米" * 200
    assert count_segments(fit_reply(chinese)).segments == 2 and fit_reply(chinese).endswith("...")
    assert fit_reply("short") == "short"
