"""No oversell under a real race: 50 buyers, each with their own client, app context, session and
database connection, press "buy now" at the same moment for the last 5 units — ten times over.
Exactly 5 units are sold each time, stock never goes below zero and nobody sees a 5xx.

Runs on SQLite (a file database; writes queue under BEGIN IMMEDIATE) and on PostgreSQL (row locks
re-check the conditional UPDATE) — whichever TEST_DATABASE_URL selects."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import create_app
from app.postings.models import Posting
from app.trade.models import Order
from config import TestingConfig
from tests.conftest import CSRF_RE
from tests.factories import make_member, make_posting

pytestmark = pytest.mark.slow

BUYERS = 50
UNITS_LEFT = 5
ROUNDS = 10


def _signed_in_client(race_app, member):
    client = race_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = member.session_token
        session["_fresh"] = True
    match = CSRF_RE.search(client.get("/").get_data(as_text=True))
    return client, match.group(1) or match.group(2)


def test_fifty_buyers_racing_for_the_last_five_units_never_oversell(app, db, database_url, seller, tmp_path):
    # A second app on the same database whose pool lets all 50 buyers hold a connection at once.
    race_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "race-uploads"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": BUYERS, "max_overflow": 5, "pool_timeout": 60, "pool_pre_ping": True},
    )
    buyers = [make_member(display_name=f"Buyer {n}") for n in range(BUYERS)]
    clients = [_signed_in_client(race_app, buyer) for buyer in buyers]

    try:
        for round_number in range(ROUNDS):
            posting = make_posting(
                owner=seller,
                commodity="rice",
                title=f"Last rice, round {round_number}",
                quantity=Decimal(UNITS_LEFT),
                unit_code="kg",
                price=Decimal("4.00"),
            )
            posting_id, url = posting.id, f"/p/{posting.id}/buy"
            start = threading.Barrier(BUYERS)

            def buy(client_and_token):
                client, token = client_and_token
                start.wait(timeout=60)
                response = client.post(url, data={"quantity": "1", "delivery": "collect", "csrf_token": token})
                return response.status_code, response.get_data(as_text=True)

            with ThreadPoolExecutor(max_workers=BUYERS) as pool:
                results = list(pool.map(buy, clients))

            statuses = [status for status, _body in results]
            assert not [s for s in statuses if s >= 500], f"round {round_number}: server errors {statuses}"
            assert statuses.count(303) == UNITS_LEFT, f"round {round_number}: {sorted(statuses)}"
            assert statuses.count(409) == BUYERS - UNITS_LEFT
            losers = [body for status, body in results if status == 409]
            assert all("sold out" in body or "left." in body for body in losers)

            db.session.rollback()  # end the read snapshot taken before the race (SQLite WAL)
            sold = db.session.scalar(select(func.sum(Order.quantity)).where(Order.sell_posting_id == posting_id))
            left = db.session.scalar(select(Posting.quantity_available).where(Posting.id == posting_id))
            assert sold == Decimal(UNITS_LEFT)
            assert left == Decimal(0)
            assert db.session.get(Posting, posting_id).status == "closed"
    finally:
        with race_app.app_context():
            from app.extensions import db as race_db

            race_db.engine.dispose()
