"""Simultaneous Publish requests for one draft publish it once (issue 23: change_status is a
compare-and-set, like the SMS "YES 12"): one redirect, the others the 409 a request coming second
gets, and posting_published (which writes the new-match messages) sent once. On PostgreSQL the
requests overlap; on SQLite they queue under BEGIN IMMEDIATE."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.postings import signals
from app.postings.models import Posting
from tests.factories import make_member, make_posting
from tests.trade.concurrency import THREADS, assert_no_server_errors, race, race_app, signed_in, statuses  # noqa: F401

pytestmark = pytest.mark.slow


def test_ten_publishes_of_one_draft_publish_it_once(db, race_app):
    owner = make_member(display_name="Farmer Wang")
    draft = make_posting(owner=owner, commodity="maize", quantity=Decimal("5"), unit_code="t", publish=False)
    db.session.commit()
    published = []

    def count(_sender, posting_id, **_ids):
        published.append(posting_id)

    signals.posting_published.connect(count, sender=signals.SENDER)
    try:
        clients = [signed_in(race_app, owner) for _ in range(THREADS)]
        outcomes = race([(client, f"/p/{draft.id}/status", {"data": {"action": "publish"}}) for client in clients])
    finally:
        signals.posting_published.disconnect(count, sender=signals.SENDER)
    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {302: 1, 409: THREADS - 1}
    assert all("cannot be changed that way" in outcome.body for outcome in outcomes if outcome.status == 409)
    assert published == [draft.id]
    assert db.session.get(Posting, draft.id).status == "active"
