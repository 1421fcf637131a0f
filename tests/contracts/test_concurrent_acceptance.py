"""Both parties press "accept" several times at once on a contract nobody accepted yet: one version
is stored, each party's acceptance once, every other request a 409 — never a 5xx, never a second
version 1. On PostgreSQL the requests overlap (the order's row lock decides); on SQLite they queue."""

from __future__ import annotations

from app.contracts.models import ContractAcceptance, ContractVersion
from tests.contracts.conftest import form_fields
from tests.trade.concurrency import (  # noqa: F401 (fixtures)
    THREADS,
    assert_no_server_errors,
    race,
    race_app,
    signed_in,
    statuses,
)


def test_simultaneous_acceptances_store_one_version_and_one_acceptance_per_party(
    client, db, login, race_app, buyer, seller, order
):
    login(buyer)
    data = {**form_fields(client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)), "agree": "y"}
    url = f"/orders/{order.id}/contract/accept"
    half = THREADS // 2
    calls = [(signed_in(race_app, buyer), url, {"data": dict(data)}) for _ in range(half)]
    calls += [(signed_in(race_app, seller), url, {"data": dict(data)}) for _ in range(half)]

    outcomes = race(calls)

    assert_no_server_errors(outcomes)
    assert statuses(outcomes) == {303: 2, 409: 2 * half - 2}
    assert db.session.query(ContractVersion).count() == 1
    assert sorted(a.role for a in db.session.query(ContractAcceptance).all()) == ["buyer", "seller"]
