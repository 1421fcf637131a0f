"""The payment ledger shows on the order page to both parties (and admins); every payment route
answers 404 to members who are not party to the order, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.payments.models import LedgerEntry, Payment
from tests.trade.helpers import walk

ROUTES = [
    ("/orders/{order}/payment", {"provider": "manual"}),
    ("/orders/{order}/payment", {"provider": "stripe"}),
    ("/orders/{order}/payment/reference", {"method": "bank_transfer", "reference": "FAKE"}),
    ("/orders/{order}/payment/refunds/{entry}", {"reference": "FAKE"}),
]


def _state(db):
    return (
        db.session.scalar(select(func.count(Payment.id))),
        db.session.scalar(select(func.count(LedgerEntry.id))),
        tuple(db.session.scalars(select(LedgerEntry.status).order_by(LedgerEntry.id))),
    )


@pytest.fixture
def refunded_order(client, login, seller, manual_paid_order):
    walk(client, login, manual_paid_order, (seller, "cancel"))
    return manual_paid_order


@pytest.mark.parametrize(("url", "data"), ROUTES)
def test_strangers_get_404_on_every_payment_route(client, db, login, stranger, refunded_order, stripe_http, url, data):
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "refund"))
    before = _state(db)
    login(stranger)
    response = client.post(url.format(order=refunded_order.id, entry=entry.id), data=dict(data))
    assert response.status_code == 404
    assert _state(db) == before
    assert stripe_http.requests == []


def test_anonymous_visitors_are_sent_to_log_in(app, db, refunded_order):
    response = app.test_client().post(f"/orders/{refunded_order.id}/payment", data={"provider": "manual"})
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_a_refund_entry_of_another_order_is_404(client, db, login, seller, refunded_order):
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "refund"))
    login(seller)
    assert client.post(f"/orders/999999/payment/refunds/{entry.id}", data={"reference": "X"}).status_code == 404
    assert (
        client.post(f"/orders/{refunded_order.id}/payment/refunds/999999", data={"reference": "X"}).status_code == 404
    )


def test_the_ledger_shows_on_the_order_page_to_both_parties_and_admins_only(
    client, login, buyer, seller, admin, stranger, refunded_order
):
    for member in (buyer, seller, admin):
        login(member)
        page = client.get(f"/orders/{refunded_order.id}").get_data(as_text=True)
        assert 'id="payment"' in page
        assert "ICBC-778812" in page and "¥35.00" in page
        assert "The order was cancelled." in page and "pending" in page
    login(stranger)
    response = client.get(f"/orders/{refunded_order.id}")
    assert response.status_code == 404
    assert "ICBC-778812" not in response.get_data(as_text=True)
