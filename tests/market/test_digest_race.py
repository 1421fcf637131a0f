"""Two cron jobs running `flask market send-digests` at the same moment send each digest once:
the UNIQUE (subscription, day, kind) delivery record lets only one of them write the messages.
Runs on SQLite (BEGIN IMMEDIATE queues the writers) and PostgreSQL (the second insert fails)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app import create_app
from app.catalogue.services import find_commodity
from app.extensions import db as race_db
from app.market.alerts import send_due_alerts
from app.market.subscriptions import subscribe_phone
from app.notify.models import Notification
from app.postings.services import local_today
from config import TestingConfig
from tests.market.price_data import reference

RUNS = 4
SUBSCRIBERS = 30


def test_concurrent_digest_runs_send_each_digest_once(app, db, database_url, tmp_path):
    reference("maize", local_today(), "2.2000")
    for n in range(SUBSCRIBERS):
        subscribe_phone(f"+86139000{n:05d}", find_commodity("maize").id, None, "zh")
    db.session.commit()

    race_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=str(tmp_path / "race"))
    start = threading.Barrier(RUNS)

    def run(_n):
        # The job itself, not the CLI wrapper: click's test runner swaps sys.stdout, which threads share.
        with race_app.app_context():
            start.wait(timeout=30)
            try:
                return send_due_alerts(force=True)
            finally:
                race_db.session.remove()

    try:
        with ThreadPoolExecutor(RUNS) as pool:
            results = list(pool.map(run, range(RUNS)))
    finally:
        with race_app.app_context():
            race_db.engine.dispose()

    # One run sends all 30; the others find the deliveries recorded (0) or lost the race (None).
    assert results.count((SUBSCRIBERS, 0)) == 1, results
    assert all(result in ((SUBSCRIBERS, 0), (0, 0), None) for result in results), results
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.event == "price_digest"))
        == SUBSCRIBERS
    )
