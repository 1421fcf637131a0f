"""Nothing is over-filled under concurrent accepts: two of the buyer's clicks (two clients) accept
two parts at the same moment, each for the last 1,000 kg — one wins, the other gets 409 "only N
still wanted"; ten identical accepts of one part place one order and tell its seller once.

On PostgreSQL the requests overlap (the request's row lock, the part's compare-and-set and the
conditional fill decide); on SQLite they queue under BEGIN IMMEDIATE — the same assertions hold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.pooling.models import PoolPart
from app.postings.models import Posting
from app.trade.models import Order
from tests.factories import make_member, make_posting
from tests.pooling.helpers import answer, offered
from tests.trade.concurrency import (  # noqa: F401 (fixtures)
    THREADS,
    assert_no_server_errors,
    assert_told_once,
    race,
    race_app,
    signed_in,
    statuses,
)

ROUNDS = 5


def _request(client, login, buyer, round_number):
    posting = make_posting(
        owner=buyer,
        commodity="maize",
        kind="buy",
        title=f"Wanted: maize, round {round_number}",
        quantity=Decimal("3000"),
        unit_code="kg",
        price=None,
    )
    login(buyer)
    assert client.post(f"/p/{posting.id}/pool", data={"min_part_quantity": "500"}).status_code == 303
    return posting


def test_two_accepts_racing_for_the_last_tonnes_one_wins_never_over_filled(client, login, race_app, buyer):
    first_seller, second_seller, third_seller = (make_member(display_name=f"Farmer {n}") for n in "ABC")
    for round_number in range(ROUNDS):
        posting = _request(client, login, buyer, round_number)
        head = offered(client, login, posting, first_seller, "2000")
        assert answer(client, login, head, buyer, "accept").status_code == 303
        one = offered(client, login, posting, second_seller, "1000", "2.10")
        other = offered(client, login, posting, third_seller, "1000", "2.00")

        outcomes = race(
            [
                (signed_in(race_app, buyer), f"/parts/{one.id}/answer", {"data": {"action": "accept"}}),
                (signed_in(race_app, buyer), f"/parts/{other.id}/answer", {"data": {"action": "accept"}}),
            ]
        )

        assert_no_server_errors(outcomes)
        assert statuses(outcomes) == {303: 1, 409: 1}, [o.body[:300] for o in outcomes]
        loser = next(o for o in outcomes if o.status == 409)
        assert "not accepted: the request was filled" in loser.body or "still wanted" in loser.body
        posting = db.session.get(Posting, posting.id)
        assert (posting.quantity_filled, posting.status) == (Decimal("3000"), "closed")
        on_orders = db.session.scalar(select(func.sum(Order.quantity)).where(Order.buy_posting_id == posting.id))
        assert on_orders == Decimal("3000")
        parts = {
            p.id: p.status for p in db.session.scalars(select(PoolPart).where(PoolPart.id.in_([one.id, other.id])))
        }
        assert sorted(parts.values()) == ["accepted", "lapsed"]


@pytest.mark.parametrize("action, event", [("accept", "part_accepted"), ("decline", "part_declined")])
def test_ten_identical_answers_to_one_part_take_effect_once(client, login, race_app, buyer, action, event):
    posting = _request(client, login, buyer, 0)
    seller = make_member(display_name="Farmer Zhou")
    part = offered(client, login, posting, seller, "1000")

    outcomes = race(
        [(signed_in(race_app, buyer), f"/parts/{part.id}/answer", {"data": {"action": action}}) for _ in range(THREADS)]
    )

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 1, 409: THREADS - 1}
    orders = db.session.scalar(select(func.count(Order.id)).where(Order.buy_posting_id == posting.id))
    assert orders == (1 if action == "accept" else 0)
    assert db.session.get(Posting, posting.id).quantity_filled == (Decimal("1000") if action == "accept" else 0)
    assert_told_once(event)
