"""A real `flask notify worker` process, stopped mid-batch, sends nothing twice on SIGTERM or Ctrl+C
and at most the one message in hand twice per SIGKILL (issue 23: a restart re-sent the whole batch).

The worker sends e-mail over SMTP to a local aiosmtpd server that counts what it receives per outbox
row (each row has its own address) and answers slowly, so the signal lands mid-batch. The server can
also hold its answer to the n-th message: the signal then lands while that message is with the
provider, the worst moment."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from app.core.clock import utcnow
from app.notify.models import Notification
from tests.notify.conftest import notifications
from tests.notify.test_email_smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


class CountingSmtpServer:
    """Accepts every message after ``delay`` seconds and counts them per recipient address. When
    the ``hold_at``-th message (counting from 1) arrives, ``held`` is set and the answer waits for
    ``resume``."""

    def __init__(self, delay: float = 0.05):
        self.delay = delay
        self.received: list[str] = []
        self.hold_at: set[int] = set()
        self.held, self.resume = threading.Event(), threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)  # the provider has the message from here on
        if len(self.received) in self.hold_at:
            self.resume.clear()
            self.held.set()
            while not self.resume.is_set():
                await asyncio.sleep(0.01)
        await asyncio.sleep(self.delay)
        return "250 Message accepted"

    def hold(self, at: int) -> None:
        self.held.clear()
        self.hold_at.add(at)

    def counts(self) -> Counter:
        return Counter(self.received)


@pytest.fixture
def smtp():
    server = CountingSmtpServer()
    server.controller.start()
    yield server
    server.resume.set()
    server.controller.stop()


def queue_emails(db, count: int) -> dict[str, int]:
    """``count`` e-mails due now, each to its own address; returns address → outbox id."""
    due = utcnow() - timedelta(seconds=1)
    for number in range(count):
        db.session.add(
            Notification(
                channel="email",
                address=f"outbox-{number}@example.com",
                event="order_shipped",
                template="order_shipped",
                locale="en",
                subject=f"Message {number}",
                body="Shipped.",
                status="pending",
                attempts=0,
                next_attempt_at=due,
            )
        )
    db.session.commit()
    return {row.address: row.id for row in notifications()}


def start_worker(database_url: str, smtp_port: int, tmp_path: Path, *args: str, lease: int = 300) -> subprocess.Popen:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("NOTIFY_", "MAIL_", "REDIS", "TEST_"))
    }
    env.update(
        DATABASE_URL=database_url,
        JISHI_ENV="development",
        FLASK_APP="wsgi.py",
        FLASK_DEBUG="0",
        JISHI_INSTANCE_DIR=str(tmp_path / "instance"),
        LOG_LEVEL="INFO",
        SMS_GATEWAY="console",
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_TIMEOUT_SECONDS="10",
        NOTIFY_QUIET_START="0",
        NOTIFY_QUIET_END="0",
        NOTIFY_LEASE_SECONDS=str(lease),
        NOTIFY_BATCH_SIZE="50",
        NOTIFY_WORKER_SLEEP_SECONDS="1",
    )
    log = open(tmp_path / f"worker-{time.monotonic_ns()}.log", "w")
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "notify", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize(
    ("stop_signal", "mode"),
    [(signal.SIGTERM, ()), (signal.SIGINT, ("--once",))],
    ids=["sigterm-long-running", "sigint-once"],
)
def test_a_stopped_worker_finishes_the_message_in_hand_gives_back_the_rest_and_sends_nothing_twice(
    app, db, database_url, smtp, tmp_path, stop_signal, mode
):
    ids = queue_emails(db, 60)
    smtp.hold(at=10)
    worker = start_worker(database_url, smtp.controller.port, tmp_path, *mode)
    assert smtp.held.wait(60), "the worker never reached its 10th message"
    worker.send_signal(stop_signal)  # while the 10th message is with the provider
    time.sleep(0.3)
    smtp.resume.set()
    assert worker.wait(timeout=60) == 0

    assert sum(smtp.counts().values()) == 10
    rows = notifications()
    assert sum(row.status == "sent" for row in rows) == 10  # the 10th was finished and committed
    waiting = [(row.status, row.attempts, row.claimed_by, row.claimed_until) for row in rows if row.status != "sent"]
    assert waiting == [("pending", 0, None, None)] * 50  # 40 given back, 10 never claimed

    # Another worker takes them at once: no lease to wait for (this one is 300 s).
    started = time.monotonic()
    final = start_worker(database_url, smtp.controller.port, tmp_path, "--once")
    assert final.wait(timeout=120) == 0
    assert time.monotonic() - started < 60
    counts = smtp.counts()
    assert set(counts) == set(ids) and set(counts.values()) == {1}
    assert {(row.status, row.attempts) for row in notifications()} == {("sent", 1)}


def test_each_kill_9_mid_send_sends_at_most_the_message_in_hand_twice(app, db, database_url, smtp, tmp_path):
    ids = queue_emails(db, 60)
    lease = 3
    kills = 0
    for hold_at in (10, 25):  # two workers killed while the provider has a message
        smtp.hold(at=hold_at)
        worker = start_worker(database_url, smtp.controller.port, tmp_path, lease=lease)
        assert smtp.held.wait(60), f"the worker never reached message {hold_at}"
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
        kills += 1
        smtp.resume.set()
    in_hand = {smtp.received[9], smtp.received[24]}
    time.sleep(lease + 0.5)  # the killed workers' leases run out
    final = start_worker(database_url, smtp.controller.port, tmp_path, "--once", lease=lease)
    assert final.wait(timeout=120) == 0

    counts = smtp.counts()
    assert set(counts) == set(ids)  # nothing lost
    duplicated = {address for address, count in counts.items() if count > 1}
    assert sum(counts.values()) - len(counts) <= kills
    assert duplicated <= in_hand and all(counts[address] == 2 for address in duplicated)
    rows = notifications()
    assert {row.status for row in rows} == {"sent"}
    assert {row.claimed_by for row in rows} == {None}
