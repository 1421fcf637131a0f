"""Every reply is a registry template (sms/reply_templates.py) that renders, as itself, within two
SMS segments in English and in Chinese with the longest values it can carry and the signature; so
does the station confirmation. A reply that cannot be rendered is answered with reply_unavailable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.catalogue.models import Commodity, Region, Unit
from app.inbound_sms import knowledge_replies, replies
from app.market.prices import ReferenceQuote
from app.notify.services import render_sms
from sms import limits, templates
from sms.commands import ParseError
from sms.reply_templates import ERROR_PROBLEMS
from sms.segments import count_segments
from sms.templates import REGISTRY, Category

LOCALES = ["en", "zh_Hans"]
SITE = "https://www.jishi.cn"  # the production address: 20 characters, as tests/sms/test_templates.py
LINK = SITE + "/p/12345678"
# Realistic worst cases: a six-digit posting number, a five-digit quantity and price with decimals.
QUANTITY, PRICE, NUMBER = Decimal("12500.5"), Decimal("12345.67"), 123456


@pytest.fixture(autouse=True)
def production_site(app):
    app.config["PUBLIC_BASE_URL"] = SITE


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
        self.quantity, self.price, self.unit_weight_kg = QUANTITY, PRICE, Decimal("12.5")


def _all_replies(commodity, region, unit) -> list[replies.Reply]:
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
        replies.offers_reply([replies.offer_line("K7M2", _Offer, posting)] * 5),
        replies.no_such_offer_reply("ABCDEFGHJKMN"),
        replies.ambiguous_offer_reply(),
        replies.accepted_reply("J123456789", LINK),
        replies.declined_reply("ABCDEFGHJKMN"),
        replies.countered_reply(PRICE, unit, LINK),
        replies.price_reply(commodity, region, quote, LINK),
        replies.no_prices_reply(commodity, LINK),
        replies.subscribed_reply(commodity, region),
        replies.unsubscribed_reply(0),
        replies.unsubscribed_reply(2),
        replies.draft_reply(posting, LINK, replies.price_as_written(PRICE, unit), "very good quality " * 3),
        replies.opt_out_hint_reply(),
        replies.already_opted_in_reply(),
        replies.already_published_reply(posting, LINK),
        replies.already_accepted_reply("ABCDEFGHJKMN", "J123456789", LINK),
        replies.already_declined_reply("ABCDEFGHJKMN"),
        replies.already_countered_reply("ABCDEFGHJKMN", LINK),
        replies.no_such_order_reply("J123456789"),
        replies.order_already_reply("J123456789", "delivered"),
        replies.no_orders_reply(),
        replies.orders_reply([replies.order_entry("J123456789", ["confirm", "decline"], False)] * 4, 9999),
        replies.orders_reply([replies.order_entry("J123456789", [], True)], 0),
        replies.refused_reply("Only the seller can do this."),
        replies.refused_reply("No partial acceptance is waiting for your decision."),
        replies.refused_reply("An order can only be confirmed while it is placed, and this one is not."),
        replies.refused_reply("That could not be done because something changed. Please reload and try again. " * 2),
        *[
            replies.order_step_reply(action, "J123456789", "SF SF1234567890123456789", LINK)
            for action in ("confirm", "decline", "ship", "paid", "received")
        ],
        replies.order_step_reply("ship", "J123456789", "", LINK),
    ]
    counted = Unit(code="crate", name_en="crate", name_zh="箱", kg_per_unit=None)
    for weight in (None, Decimal("12.5")):
        counted_posting = _Posting(commodity, counted)
        counted_posting.unit_weight_kg = weight
        texts.append(replies.draft_reply(counted_posting, LINK))
    line = replies.offer_line("K7M2", _Offer, posting)
    texts += [replies.offers_reply([line] * count) for count in (2, 3)]
    entry = replies.order_entry("J123456789", ["ship", "paid"], False)
    texts += [replies.orders_reply([entry] * count, more) for count in (1, 2, 3, 4) for more in (0, 1)]
    negotiable = _Posting(commodity, unit)
    negotiable.price = None
    texts.append(replies.published_reply(negotiable, LINK))
    for present in range(4):
        fields = ["trade_price_per_kg", "median_ask_per_kg", "median_bid_per_kg", "change_pct_vs_7d"][present:]
        partial = ReferenceQuote(**{**quote.__dict__, **{key: None for key in fields}})
        texts.append(replies.price_reply(commodity, None, partial, LINK))
    texts.append(replies.error_reply(ParseError("not_understood", "sell")))

    class _Question:  # the longest number and token a question link carries
        id, access_token = 999_999_999, "A" * 12

    texts += [
        knowledge_replies.question_received(_Question),
        knowledge_replies.question_empty(),
        knowledge_replies.question_limit(999),
        knowledge_replies.question_published(_Question),
        knowledge_replies.question_unknown(999_999_999),
        replies.contract_accepted_reply("J123456789", 999, "f" * 64, "https://www.jishi.cn/orders/123456789/contract"),
        replies.contract_already_accepted_reply("J123456789", 999, "https://www.jishi.cn/orders/123456789/contract"),
        replies.contract_phone_unverified_reply("J123456789"),
    ]
    commands = ("price", "sell", "buy", "confirm", "discard", "accept", "decline", "counter", "sub", "unsub")
    commands += ("ship", "paid", "received", "orders", "something_new")
    for reason in (*ERROR_PROBLEMS, "something_new"):
        for command in commands:
            texts.append(replies.error_reply(ParseError(reason, command, text="words " * 10)))
    return texts


def _require_translations(locale: str) -> None:
    """Chinese lengths only mean something with the Chinese catalogue compiled (make translations):
    without it the "Chinese" reply is English text with Chinese names, which no farmer ever gets."""
    if locale.startswith("zh"):
        with force_locale(locale):
            assert replies.error_reply(ParseError("missing_price", "sell")).params["example"].startswith("例")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_reply_renders_as_its_template_within_two_segments_with_the_signature(app, longest, locale):
    _require_translations(locale)
    sign = app.config["SMS_SIGN_NAME"]
    with force_locale(locale):
        answers = _all_replies(*longest)
    for answer in answers:
        template = templates.get(answer.template)
        assert template.category == Category.REPLY, answer.template
        rendered = replies.render(answer, locale)
        assert rendered.template == answer.template, (answer, rendered.text)
        assert templates.measure(rendered.text, sign).segments <= templates.allowed_segments(template, locale, sign)
        assert count_segments(rendered.text).segments <= limits.REPLY_SEGMENTS, rendered.text


def test_every_reply_template_is_reached_by_a_reply_function(app, longest):
    """No template in the list is dead: each is what some reply function answers."""
    used = set()
    for locale in LOCALES:
        with force_locale(locale):
            used |= {answer.template for answer in _all_replies(*longest)}
    reply_templates = {name for name, template in REGISTRY.items() if template.category == Category.REPLY}
    # A linked template and its "_short" variant (without the link) are one reply.
    used |= {f"{name}_short" for name in used} | {name.removesuffix("_short") for name in used}
    assert reply_templates - used == {replies.FALLBACK}


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
def test_a_reply_that_cannot_be_rendered_is_logged_and_answered_with_the_fallback(app, caplog):
    too_long = replies.reply("reply_no_such_offer", code="X" * 40)
    for locale in LOCALES:
        rendered = replies.render(too_long, locale)
        assert (rendered.template, rendered.params) == (replies.FALLBACK, {})
        assert app.config["PUBLIC_BASE_URL"] in rendered.text
    assert "reply_no_such_offer: code is 40 characters" in caplog.text


def test_a_members_own_words_that_look_like_a_link_are_not_quoted(app):
    with force_locale("en"):
        answer = replies.error_reply(ParseError("not_understood", "sell", text="see www.cheap.cn now"))
        assert answer.template == "reply_error_not_understood"
        shipped = replies.order_step_reply("ship", "J0000003", "call 13912345678@x", LINK)
    assert shipped.template == "reply_order_shipped"
