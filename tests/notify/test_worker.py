"""The worker sends due rows once, retries failures with exponential backoff, dead-letters after
NOTIFY_MAX_ATTEMPTS, reclaims rows left in 'sending', and never sends a message twice."""

from __future__ import annotations

import os
import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.clock import utcnow
from app.extensions import db as _db
from app.notify import worker
from app.notify.models import ConsoleSms, Notification
from app.notify.senders import senders_from_config
from app.notify.services import enqueue
from tests.factories import make_member
from tests.notify.conftest import FakeSender, notifications

CONTEXT = {
    "number": "J0000042",
    "title": "Rice",
    "link": "http://jishi.test/o/42",
    "url": "http://jishi.test/orders/42",
}


def queue(count: int, member=None) -> list[int]:
    member = member or make_member()
    for _ in range(count):
        enqueue(member, "order_shipped", CONTEXT)
    _db.session.commit()
    return [row.id for row in notifications()]


def test_console_sender_stores_and_marks_the_message_sent(db, caplog):
    member = make_member()
    queue(1, member)
    senders = senders_from_config({"SMS_GATEWAY": "console", "MAIL_BACKEND": "console"})
    with caplog.at_level("INFO", logger="jishi.notify"):
        assert worker.run_once(senders) == {"sent": 1, "failed": 0, "dead": 0}
    row = notifications()[0]
    assert (row.status, row.attempts, row.provider_id, row.last_error) == ("sent", 1, f"console-sms-{row.id}", None)
    assert row.sent_at is not None and row.next_attempt_at is None
    stored = db.session.scalars(select(ConsoleSms)).one()
    assert (stored.to, stored.body, stored.notification_id) == (member.phone, row.body, row.id)
    assert member.phone in caplog.text
    assert worker.run_once(senders) == {"sent": 0, "failed": 0, "dead": 0}


def test_unknown_gateway_is_refused():
    with pytest.raises(RuntimeError, match="twilio"):
        senders_from_config({"SMS_GATEWAY": "twilio", "MAIL_BACKEND": "console"})


def test_failures_back_off_exponentially_then_dead_letter(app, db):
    app.config.update(NOTIFY_MAX_ATTEMPTS=4, NOTIFY_RETRY_BASE_SECONDS=30, NOTIFY_RETRY_MAX_SECONDS=100)
    queue(1)
    failing = FakeSender(fail=True)
    senders = {"sms": failing, "email": failing}
    now = utcnow()
    delays = []
    for attempt in range(1, 4):
        assert worker.run_once(senders, now=now) == {"sent": 0, "failed": 1, "dead": 0}
        row = notifications()[0]
        assert (row.status, row.attempts, row.last_error) == ("failed", attempt, "gateway unavailable")
        delay = (row.next_attempt_at.replace(tzinfo=None) - now.replace(tzinfo=None)).total_seconds()
        delays.append(delay)
        # Not due before the delay has passed.
        assert worker.run_once(senders, now=now + timedelta(seconds=delay - 1))["failed"] == 0
        now += timedelta(seconds=delay)
    assert delays == [30, 60, 100]  # 30 × 2^(n-1), capped at NOTIFY_RETRY_MAX_SECONDS
    assert worker.run_once(senders, now=now) == {"sent": 0, "failed": 0, "dead": 1}
    row = notifications()[0]
    assert (row.status, row.attempts, row.next_attempt_at) == ("dead", 4, None)
    assert worker.run_once(senders, now=now + timedelta(days=1)) == {"sent": 0, "failed": 0, "dead": 0}
    assert failing.calls == 4


def test_permanent_refusal_is_dead_at_once(db):
    queue(1)
    refusing = FakeSender(fail=True, permanent=True)
    assert worker.run_once({"sms": refusing, "email": refusing}) == {"sent": 0, "failed": 0, "dead": 1}


def test_a_crashing_sender_is_recorded_as_a_failure_without_losing_the_batch(db):
    queue(2)

    class Crashing:
        def __init__(self):
            self.calls = 0

        def send(self, message):
            self.calls += 1
            if self.calls == 1:
                raise ValueError("bug in the gateway")
            return "ok"

    sender = Crashing()
    assert worker.run_once({"sms": sender, "email": sender}) == {"sent": 1, "failed": 1, "dead": 0}
    assert "ValueError: bug in the gateway" in notifications(status="failed")[0].last_error


def test_rows_left_sending_by_a_dead_worker_are_taken_again_when_the_lease_runs_out(app, db, fake_senders):
    sender, senders = fake_senders
    ids = queue(2)
    claim = worker.claim_batch(utcnow(), 1)  # a worker claimed one row and died
    assert [m.id for m in claim.messages] == ids[:1]
    row = notifications(id=ids[0])[0]
    assert (row.status, row.attempts, row.claimed_by) == ("sending", 1, claim.token)
    assert claim.token.split(":")[1] == str(os.getpid())  # names the worker: host:pid:random
    assert worker.run_once(senders)["sent"] == 1  # the other row only: the lease still holds
    assert notifications(id=ids[0])[0].status == "sending"
    assert worker.run_once(senders, now=claim.until + timedelta(seconds=1))["sent"] == 1
    row = notifications(id=ids[0])[0]
    assert (row.status, row.attempts, row.claimed_by, row.claimed_until) == ("sent", 2, None, None)
    # The dead worker's late result cannot overwrite the newer claim's outcome, and a claim whose
    # rows were taken over sends nothing when it renews its lease.
    late = FakeSender(fail=True)
    worker.send_claim(claim, {"sms": late, "email": late}, now=claim.until)
    assert late.calls == 0
    assert notifications(id=ids[0])[0].status == "sent"


def test_each_outcome_is_committed_as_soon_as_the_sender_answers(app, db):
    ids = queue(5)
    seen = []

    class Watching(FakeSender):
        def send(self, message):
            # What another connection sees while this message is being sent.
            with _db.engine.connect() as other:
                seen.append(other.scalar(select(func.count()).where(Notification.status == "sent")))
            return super().send(message)

    sender = Watching(fail=lambda message: message.id == ids[2])
    assert worker.run_once({"sms": sender, "email": sender}) == {"sent": 4, "failed": 1, "dead": 0}
    assert seen == [0, 1, 2, 2, 3]


def test_a_stop_request_finishes_the_message_in_hand_and_gives_back_the_rest_at_once(app, db):
    ids = queue(6)
    failed_before = notifications(id=ids[4])[0]
    failed_before.status, failed_before.attempts, failed_before.last_error = "failed", 2, "earlier failure"
    db.session.commit()
    stop = worker.StopRequest()

    class StoppedDuringThirdSend(FakeSender):
        def send(self, message):
            if len(self.sent) == 2:
                stop.requested = True  # SIGTERM arrives while the third message is with the provider
            return super().send(message)

    sender = StoppedDuringThirdSend()
    assert worker.run_once({"sms": sender, "email": sender}, should_stop=stop) == {"sent": 3, "failed": 0, "dead": 0}
    rows = {row.id: row for row in notifications()}
    assert [rows[id_].status for id_ in ids[:3]] == ["sent"] * 3
    given_back = [
        (rows[id_].status, rows[id_].attempts, rows[id_].claimed_by, rows[id_].claimed_until) for id_ in ids[3:]
    ]
    assert given_back == [("pending", 0, None, None), ("failed", 2, None, None), ("pending", 0, None, None)]
    assert rows[ids[4]].last_error == "earlier failure"
    # Another worker takes them straight away, without waiting for a lease to run out.
    assert worker.run_once({"sms": sender, "email": sender}) == {"sent": 3, "failed": 0, "dead": 0}
    sent = [message_id for message_id, _address, _body in sender.sent]
    assert sorted(sent) == ids


@pytest.mark.slow
def test_the_lease_is_renewed_while_a_slow_batch_is_sent_so_no_other_worker_takes_its_rows(app, db):
    app.config.update(NOTIFY_LEASE_SECONDS=4)
    ids = queue(12)
    slow, fast = FakeSender(), FakeSender()
    slow_send, claimed = slow.send, threading.Event()

    def send_slowly(message):
        claimed.set()
        time.sleep(0.4)
        return slow_send(message)

    slow.send = send_slowly
    errors = []

    def drain_slowly():
        try:
            with app.app_context():
                worker.run_once({"sms": slow, "email": slow})
                _db.session.remove()
        except Exception as error:  # surfaced below
            errors.append(error)

    _db.session.commit()  # end the read transaction queue() left open: this thread is a worker too
    thread = threading.Thread(target=drain_slowly)
    thread.start()
    assert claimed.wait(30)
    while thread.is_alive():  # a second worker keeps looking for due rows, 4.8 s against a 4 s lease
        worker.run_once({"sms": fast, "email": fast})
        time.sleep(0.1)
    thread.join()
    assert errors == []
    assert fast.sent == [] and sorted(message_id for message_id, _a, _b in slow.sent) == ids
    assert {(row.status, row.attempts) for row in notifications()} == {("sent", 1)}


def test_thousand_messages_while_the_gateway_fails_half_the_time_are_each_delivered_once(app, db):
    app.config.update(NOTIFY_BATCH_SIZE=100)
    member = make_member()
    for _ in range(1000):
        enqueue(member, "order_shipped", CONTEXT)
    db.session.commit()
    coin = random.Random(2026)
    flaky = FakeSender(fail=lambda message: coin.random() < 0.5)
    senders = {"sms": flaky, "email": flaky}
    now = utcnow()
    for _round in range(3):  # attempts 1–3 stay below NOTIFY_MAX_ATTEMPTS (6)
        worker.run_once(senders, now=now)
        now += timedelta(hours=12)
    failed_before_recovery = db.session.scalar(select(func.count()).where(Notification.status == "failed"))
    assert 0 < failed_before_recovery < 1000
    flaky.fail = False  # the gateway recovers
    worker.run_once(senders, now=now)

    delivered = [message_id for message_id, _address, _body in flaky.sent]
    assert len(delivered) == 1000 and len(set(delivered)) == 1000
    assert db.session.scalar(select(func.count()).where(Notification.status == "sent")) == 1000


def test_two_workers_draining_the_same_outbox_never_send_a_message_twice(app, db):
    app.config.update(NOTIFY_BATCH_SIZE=25)
    ids = set(queue(400))
    sender = FakeSender()
    errors = []

    def drain():
        try:
            with app.app_context():
                worker.run_once({"sms": sender, "email": sender})
                _db.session.remove()
        except Exception as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.commit()
    sent = [message_id for message_id, _address, _body in sender.sent]
    assert len(sent) == len(set(sent)) == 400 and set(sent) == ids
    assert db.session.scalar(select(func.count()).where(Notification.status == "sent")) == 400


def test_cli_once_sends_what_is_due(app, db):
    queue(2)
    result = app.test_cli_runner().invoke(args=["notify", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed 0, dead 0" in result.output
    assert {row.status for row in notifications()} == {"sent"}


def test_cli_refuses_an_unknown_mail_backend(app):
    app.config["MAIL_BACKEND"] = "carrier-pigeon"
    result = app.test_cli_runner().invoke(args=["notify", "worker", "--once"])
    assert result.exit_code != 0 and "carrier-pigeon" in result.output
