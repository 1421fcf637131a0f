"""Simultaneous texts that change trade state make exactly one change (issue 23).

An attacker's test sent six ``ACCEPT <code>`` texts at once (two per offer, distinct MessageSids,
signed as Twilio signs them) to two gunicorn workers and got two orders per offer, stock taken twice.
These tests repeat that against real processes: gunicorn with two workers on the test database
(PostgreSQL when TEST_DATABASE_URL points at it, where the requests really overlap; on SQLite they
queue under BEGIN IMMEDIATE). Every text is released at once; afterwards exactly one change was
made, nobody got a 5xx, and each loser's reply is the reply the same text sent again afterwards
gets ("already accepted", "already published" …)."""

from __future__ import annotations

import itertools
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape

import pytest
import requests
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.inbound_sms.models import InboundSms
from app.notify.models import Notification
from app.payments.models import LedgerEntry
from app.postings.models import Posting
from app.trade import negotiations, orders
from app.trade.models import Negotiation, Offer, Order, OrderEvent
from tests.factories import make_member, make_posting
from tests.live_gunicorn import gunicorn
from tests.trade.concurrency import assert_stock_adds_up

pytestmark = pytest.mark.slow

PUBLIC_BASE_URL = "https://sms.jishi.test"
AUTH_TOKEN = "live-twilio-auth-token"
CODE = re.compile(r"\b([2-9A-Z]{4}) ")
SAME_TEXTS = 8
_sids = itertools.count(1)


def _text(base: str, phone: str, body: str) -> tuple[int, str]:
    """Post ``body`` from ``phone`` as Twilio would (a new MessageSid, signed for the public URL);
    returns the status and the reply text."""
    params = {"From": phone, "To": "+15005550006", "Body": body, "MessageSid": f"SMlive{next(_sids):026d}"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + "/sms/inbound", params)
    # Connection: close, so that gunicorn hands the texts to either worker.
    response = requests.post(
        f"{base}/sms/inbound", data=params, timeout=60, headers={"X-Twilio-Signature": signature, "Connection": "close"}
    )
    found = re.search(r"<Message>(.*)</Message>", response.text, re.S)
    return response.status_code, unescape(found.group(1)) if found else response.text[:500]


def _all_at_once(base: str, texts: list[tuple[str, str]]) -> list[str]:
    """Send every (phone, body) in its own thread, released together. Returns the replies in order;
    fails on anything but 200."""
    start = threading.Barrier(len(texts))

    def send(text):
        start.wait(timeout=60)
        return _text(base, *text)

    with ThreadPoolExecutor(len(texts)) as pool:
        outcomes = list(pool.map(send, texts))
    assert [status for status, _reply in outcomes] == [200] * len(texts), outcomes
    return [reply for _status, reply in outcomes]


@pytest.fixture
def server(database_url, tmp_path):
    with gunicorn(
        database_url, tmp_path, workers=2, TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=PUBLIC_BASE_URL
    ) as base:
        yield base
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log, log[-3000:]


def _count(db, model, *where) -> int:
    db.session.rollback()  # see what the workers committed
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def offers_to_seller(db):
    """Three buyers each offered 5 t of the seller's 50 t of maize; the seller answers by SMS."""
    seller = make_member(display_name="Farmer Wang")
    posting = make_posting(
        owner=seller, commodity="maize", quantity=Decimal("50"), unit_code="t", price=Decimal("2100")
    )
    for number in range(3):
        buyer = make_member(display_name=f"Buyer {number}")
        negotiations.start_negotiation(
            posting, buyer, negotiations.OfferTerms(Decimal("5"), Decimal("2000"), "collect")
        )
    db.session.commit()
    return seller, posting


def _codes(base: str, phone: str) -> list[str]:
    status, reply = _text(base, phone, "OFFERS")
    assert status == 200
    return CODE.findall(re.split("[:：]", reply, maxsplit=1)[1])


def test_six_simultaneous_accept_texts_place_one_order_per_offer(server, db, offers_to_seller):
    seller, posting = offers_to_seller
    codes = _codes(server, seller.phone)
    assert len(codes) == 3
    replies = _all_at_once(server, [(seller.phone, f"ACCEPT {code}") for code in codes for _ in range(2)])

    db.session.rollback()
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    assert len(orders) == 3
    assert all(order.negotiation_id is not None and order.offer_id is not None for order in orders)
    assert len({order.offer_id for order in orders}) == 3
    assert db.session.get(Posting, posting.id).quantity_available == Decimal("45") - Decimal("10")
    assert_stock_adds_up()
    for index, code in enumerate(codes):
        pair = replies[2 * index : 2 * index + 2]
        won = [reply for reply in pair if reply.startswith("Accepted. Order ")]
        assert len(won) == 1, pair
        # The loser reads what the same text sent again afterwards reads: which order it placed.
        status, again = _text(server, seller.phone, f"ACCEPT {code}")
        assert again.startswith(f"Offer {code} is already accepted. Order J")
        assert [reply for reply in pair if reply not in won] == [again]
    assert _count(db, Order) == 3
    _assert_told_once(db, "offer_accepted", expected_members=3)


def _assert_told_once(db, event: str, expected_members: int) -> None:
    """``event`` reached ``expected_members`` members, none of them twice on one channel."""
    db.session.rollback()
    rows = db.session.execute(
        select(Notification.member_id, Notification.channel).where(Notification.event == event)
    ).all()
    assert len({member for member, _channel in rows}) == expected_members, rows
    assert len(rows) == len(set(rows)), rows


def test_simultaneous_decline_texts_decline_once_and_tell_the_buyer_once(server, db, offers_to_seller):
    seller, _posting = offers_to_seller
    code = _codes(server, seller.phone)[0]
    replies = _all_at_once(server, [(seller.phone, f"DECLINE {code}")] * SAME_TEXTS)

    assert replies.count(f"Offer {code} declined.") == 1, replies
    status, again = _text(server, seller.phone, f"DECLINE {code}")
    assert again == f"Offer {code} is already declined."
    assert sorted(replies) == sorted([f"Offer {code} declined."] + [again] * (SAME_TEXTS - 1))
    assert _count(db, Negotiation, Negotiation.status == "declined") == 1
    _assert_told_once(db, "offer_declined", expected_members=1)
    assert _count(db, Order) == 0


def test_simultaneous_counter_texts_make_one_counter_offer(server, db, offers_to_seller):
    seller, _posting = offers_to_seller
    code = _codes(server, seller.phone)[0]
    replies = _all_at_once(server, [(seller.phone, f"COUNTER {code} 2050")] * SAME_TEXTS)

    sent = [reply for reply in replies if reply.startswith("Counter-offer sent: ¥2,050/t")]
    assert len(sent) == 1, replies
    status, again = _text(server, seller.phone, f"COUNTER {code} 2050")
    assert again.startswith(f"Offer {code} is already answered with a counter-offer: ")
    assert sorted(replies) == sorted(sent + [again] * (SAME_TEXTS - 1))
    assert _count(db, Offer, Offer.author_id == seller.id) == 1
    assert _count(db, Offer, Offer.status == "countered") == 1
    _assert_told_once(db, "offer_countered", expected_members=1)


def test_simultaneous_yes_texts_publish_the_draft_once(server, db):
    seller = make_member(display_name="Farmer Wang")
    draft = make_posting(owner=seller, commodity="maize", quantity=Decimal("5"), unit_code="t", publish=False)
    db.session.commit()
    replies = _all_at_once(server, [(seller.phone, f"YES {draft.id}")] * SAME_TEXTS)

    published = [reply for reply in replies if reply.startswith(f"Published {draft.id}: ")]
    assert len(published) == 1, replies
    status, again = _text(server, seller.phone, f"YES {draft.id}")
    assert again == f"Posting {draft.id} is already published: {PUBLIC_BASE_URL}/p/{draft.id}"
    assert sorted(replies) == sorted(published + [again] * (SAME_TEXTS - 1))
    assert _count(db, Posting, Posting.status == "active") == 1


def test_simultaneous_no_texts_discard_the_draft_once(server, db):
    seller = make_member(display_name="Farmer Wang")
    draft = make_posting(owner=seller, commodity="maize", quantity=Decimal("5"), unit_code="t", publish=False)
    db.session.commit()
    replies = _all_at_once(server, [(seller.phone, f"NO {draft.id}")] * SAME_TEXTS)

    assert replies.count(f"Draft {draft.id} discarded.") == 1, replies
    status, again = _text(server, seller.phone, f"NO {draft.id}")
    assert again == f"You have no draft {draft.id}. Reply HELP for commands."
    assert sorted(replies) == sorted([f"Draft {draft.id} discarded."] + [again] * (SAME_TEXTS - 1))
    assert _count(db, Posting) == 0
    assert _count(db, InboundSms, InboundSms.command == "discard") == SAME_TEXTS + 1


def test_simultaneous_order_step_texts_take_each_step_once(server, db):
    """Issue 22: eight copies of each order step (CONFIRM, SHIP, RECEIVED, PAID) at once move the
    order once per step, record one event and one ledger charge, tell the other party once, and
    every loser reads what the same text sent afterwards reads."""
    seller = make_member(display_name="Farmer Wang")
    buyer = make_member(display_name="Buyer Li")
    posting = make_posting(
        owner=seller, commodity="maize", quantity=Decimal("50"), unit_code="t", price=Decimal("2100")
    )
    order = orders.buy_now(posting, buyer, Decimal("5"), "collect")
    db.session.commit()
    number = order.number
    link = f"{PUBLIC_BASE_URL}/o/{order.id}"
    for phone, body, done, status in [
        (
            seller.phone,
            f"CONFIRM {number}",
            f"Order {number} confirmed. When the goods leave, reply SHIP {number}. {link}",
            "confirmed",
        ),
        (
            seller.phone,
            f"SHIP {number}",
            f"Order {number} shipped. The buyer replies RECEIVED {number} on arrival. {link}",
            "shipped",
        ),
        (buyer.phone, f"RECEIVED {number}", f"Order {number} received. Thank you. {link}", "delivered"),
        (seller.phone, f"PAID {number}", f"Payment for order {number} recorded. {link}", "paid"),
    ]:
        replies = _all_at_once(server, [(phone, body)] * SAME_TEXTS)
        assert replies.count(done) == 1, replies
        status_code, again = _text(server, phone, body)
        assert again == f"Order {number} is already {status}.", again
        assert sorted(replies) == sorted([done] + [again] * (SAME_TEXTS - 1)), replies
        assert _count(db, OrderEvent, OrderEvent.order_id == order.id, OrderEvent.to_status == status) == 1
        _assert_told_once(db, f"order_{status}", expected_members=1)
    assert _count(db, LedgerEntry, LedgerEntry.kind == "charge") == 1
