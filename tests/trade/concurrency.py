"""Tools for the concurrency tests: a second app on the test database whose pool gives every
thread its own connection, signed-in clients (one per thread, each with its own session and CSRF
token), a race that releases every request at the same moment, and the stock invariant.

On PostgreSQL the requests really overlap (row locks decide); on SQLite they queue on the database
lock under BEGIN IMMEDIATE, which is the sequential case the same assertions must also hold for."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.notify.models import Notification
from app.postings.models import Posting, PostingKind
from app.trade.models import Order, OrderEvent, OrderLine, OrderStatus
from config import TestingConfig
from tests.conftest import CSRF_RE


def make_race_app(database_url: str, upload_dir: str, threads: int, **config):
    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=upload_dir,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": threads, "max_overflow": 5, "pool_timeout": 60, "pool_pre_ping": True},
        **config,
    )


@dataclass
class RaceClient:
    client: object
    token: str

    def post(self, url: str, data=None, **kwargs):
        if "headers" in kwargs:  # a webhook: its own raw body and signature, no CSRF token
            return self.client.post(url, data=data, **kwargs)
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token}, **kwargs)


def signed_in(race_app, member=None) -> RaceClient:
    """A fresh client on ``race_app``, signed in as ``member`` (anonymous with None)."""
    client = race_app.test_client()
    if member is not None:
        with client.session_transaction() as session:
            session["_user_id"] = member.session_token
            session["_fresh"] = True
    match = CSRF_RE.search(client.get("/").get_data(as_text=True))
    return RaceClient(client, match.group(1) or match.group(2))


@dataclass
class Outcome:
    status: int
    body: str


def race(calls) -> list[Outcome]:
    """Run every ``(race_client, url, kwargs)`` in its own thread, all released at once by a
    barrier. Returns the outcomes in call order; the test's own session then sees what they wrote."""
    start = threading.Barrier(len(calls))
    # The test's own open transaction would hold SQLite's lock against the racing writers.
    db.session.rollback()

    def run(call):
        race_client, url, kwargs = call
        start.wait(timeout=60)
        response = race_client.post(url, **kwargs)
        return Outcome(response.status_code, response.get_data(as_text=True))

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        outcomes = list(pool.map(run, calls))
    db.session.rollback()  # end the test session's read snapshot taken before the race
    db.session.expire_all()
    return outcomes


def statuses(outcomes) -> Counter:
    return Counter(outcome.status for outcome in outcomes)


def assert_no_server_errors(outcomes) -> None:
    errors = [outcome for outcome in outcomes if outcome.status >= 500]
    assert not errors, f"server errors: {statuses(outcomes)}: {errors[0].body[:500]}"


def assert_stock_adds_up() -> None:
    """For every sell offer: units on order lines of orders that are not cancelled + units available
    = the stated quantity (nothing sold twice, nothing given back twice)."""
    db.session.rollback()
    on_orders = dict(
        db.session.execute(
            select(OrderLine.sell_posting_id, func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.sell_posting_id.is_not(None), Order.status != OrderStatus.CANCELLED.value)
            .group_by(OrderLine.sell_posting_id)
        ).all()
    )
    postings = db.session.execute(
        select(Posting.id, Posting.quantity, Posting.quantity_available).where(Posting.kind == PostingKind.SELL.value)
    ).all()
    wrong = [
        (posting_id, stated, available, on_orders.get(posting_id, Decimal(0)))
        for posting_id, stated, available in postings
        if on_orders.get(posting_id, Decimal(0)) + available != stated
    ]
    assert not wrong, f"(posting, stated, available, on orders) that do not add up: {wrong}"


THREADS = 10


@pytest.fixture
def race_app(app, database_url, tmp_path):
    """A second app on the test database with a connection for each of THREADS threads; its
    configuration follows the test app's (payment providers, carrier secrets …)."""
    overrides = {key: app.config[key] for key in ("PAYMENT_PROVIDERS", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")}
    second = make_race_app(database_url, str(tmp_path / "race-uploads"), THREADS, **overrides)
    yield second
    with second.app_context():
        second.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def stock_invariant(app):
    """After the test: every sell offer's units add up (see assert_stock_adds_up)."""
    yield
    assert_stock_adds_up()


def events(order_id: int, to_status: str) -> int:
    return db.session.scalar(
        select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id, OrderEvent.to_status == to_status)
    )


def assert_told_once(event: str) -> None:
    """The outbox holds messages for ``event``, one per member and channel (none written twice)."""
    rows = db.session.execute(
        select(Notification.member_id, Notification.channel).where(Notification.event == event)
    ).all()
    assert rows, f"no {event} notification"
    assert len(rows) == len(set(rows)), f"{event} told twice: {rows}"
