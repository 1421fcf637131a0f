"""A trade text sent again gets what was done, never a second change; and when a database constraint
refuses a command (the last guard behind the services' compare-and-set), the sender gets a refusal,
not a 500, and nothing of the command stays (issue 23). Simultaneous texts:
test_concurrent_trade_texts.py."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from app.inbound_sms.models import InboundSms
from app.postings.models import Posting
from app.trade.models import Negotiation, Offer, Order
from tests.trade.concurrency import assert_stock_adds_up
from tests.trade.helpers import start_thread

CODE = re.compile(r"\b([2-9A-Z]{4}) ")


@pytest.fixture
def code(client, login, text_in, sell_offer, buyer, seller):
    """The code of the buyer's 10 kg offer on the seller's rice, as the seller's OFFERS lists it."""
    start_thread(client, login, sell_offer, buyer)
    client.post("/logout")
    return CODE.findall(re.split("[:：]", text_in(seller.phone, "OFFERS"), maxsplit=1)[1])[0]


def test_decline_sent_again_says_it_is_declined(text_in, db, seller, code):
    assert text_in(seller.phone, f"DECLINE {code}") == f"Offer {code} declined."
    assert text_in(seller.phone, f"DECLINE {code}") == f"Offer {code} is already declined."
    assert text_in(seller.phone, f"ACCEPT {code}") == f"Offer {code} is already declined."
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_counter_sent_again_says_it_was_countered_and_makes_no_second_offer(text_in, db, seller, code):
    first = text_in(seller.phone, f"COUNTER {code} 3.40")
    assert first.startswith("Counter-offer sent: ¥3.40/kg. http://jishi.test/n/")
    link = first.rsplit(" ", 1)[1]
    again = f"Offer {code} is already answered with a counter-offer: {link}"
    assert text_in(seller.phone, f"COUNTER {code} 3.50") == again
    assert text_in(seller.phone, f"还价 {code} 3.50") == f"报价{code}已还过价：{link}"
    assert db.session.scalar(select(func.count()).select_from(Offer).where(Offer.author_id == seller.id)) == 1


def test_answered_codes_are_only_ever_the_senders(text_in, db, seller, stranger, code):
    text_in(seller.phone, f"ACCEPT {code}")
    assert text_in(stranger.phone, f"ACCEPT {code}").startswith(f"No open offer {code}")


def test_a_constraint_refusing_an_sms_acceptance_is_a_refusal_that_changes_nothing(
    text_in, db, seller, sell_offer, code
):
    """The offer is open again although its order exists (as if a path had skipped the offer's
    compare-and-set): the one-order-per-offer constraint refuses the second order, the stock taken
    for it is given back with the savepoint, and the text gets a refusal."""
    assert text_in(seller.phone, f"ACCEPT {code}").startswith("Accepted. Order J")
    db.session.execute(update(Offer).values(status="open", decided_at=None))
    db.session.execute(update(Negotiation).values(status="open", closed_at=None))
    db.session.commit()

    reply = text_in(seller.phone, f"ACCEPT {code}")
    assert reply == "Not done: That could not be done because something changed. Please reload and try again."
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert db.session.get(Posting, sell_offer.id).quantity_available == Decimal("90")
    assert db.session.scalar(select(InboundSms.command).order_by(InboundSms.id.desc()).limit(1)) == "conflict"
    assert_stock_adds_up()
