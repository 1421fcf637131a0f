"""Choosing how to pay on the order page: stripe Checkout (request format, redirect, nothing
recorded on the way back) and the manual flow end to end (buyer records the transfer reference,
seller records the payment received → paid, with one ledger charge)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.payments.models import LedgerEntry, Payment


def test_stripe_checkout_is_created_with_an_idempotency_key_amount_in_fen_and_cny(
    client, db, login, buyer, confirmed_order, stripe_http
):
    login(buyer)
    response = client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "stripe"})

    assert response.status_code == 303
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    [request] = stripe_http.posts_to("/v1/checkout/sessions")
    assert request["headers"]["Idempotency-Key"] == f"order-{confirmed_order.id}-attempt-1"
    assert request["headers"]["Authorization"] == "Bearer sk_test_123"
    form = request["form"]
    assert form["line_items[0][price_data][unit_amount]"] == ["3500"]
    assert form["line_items[0][price_data][currency]"] == ["cny"]
    assert form["mode"] == ["payment"]
    assert form["metadata[order_id]"] == [str(confirmed_order.id)]
    assert form["payment_intent_data[metadata][order_id]"] == [str(confirmed_order.id)]
    assert form["success_url"][0].endswith(f"/orders/{confirmed_order.id}")
    assert form["cancel_url"][0].endswith(f"/orders/{confirmed_order.id}")
    payment = db.session.scalar(select(Payment))
    assert (payment.provider, payment.status, payment.checkout_reference, payment.amount) == (
        "stripe",
        "pending",
        "cs_test_1",
        Decimal("35.00"),
    )


def test_a_second_checkout_attempt_uses_a_new_idempotency_key(client, login, buyer, confirmed_order, stripe_http):
    login(buyer)
    client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "stripe"})
    client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "stripe"})
    keys = [r["headers"]["Idempotency-Key"] for r in stripe_http.posts_to("/v1/checkout/sessions")]
    assert keys == [f"order-{confirmed_order.id}-attempt-1", f"order-{confirmed_order.id}-attempt-2"]


def test_coming_back_from_checkout_records_no_payment(client, db, login, buyer, confirmed_order, stripe_http):
    login(buyer)
    client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "stripe"})
    page = client.get(f"/orders/{confirmed_order.id}")
    assert page.status_code == 200
    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "confirmed"
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


def test_stripe_unreachable_is_a_friendly_502(client, db, login, buyer, confirmed_order, stripe_http):
    stripe_http.responses[("POST", "/v1/checkout/sessions")] = (
        500,
        {"error": {"type": "api_error", "message": "down"}},
    )
    login(buyer)
    response = client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "stripe"})
    assert response.status_code == 502
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_a_provider_that_is_not_enabled_is_refused_beside_the_field(client, app, db, login, buyer, confirmed_order):
    app.config["STRIPE_SECRET_KEY"] = None
    login(buyer)
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert "Stripe" not in page
    for provider in ("stripe", "paypal", ""):
        response = client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": provider})
        assert response.status_code == 422
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_only_the_buyer_of_a_confirmed_unpaid_order_can_start_paying(
    client, db, login, seller, buyer, confirmed_order, stripe_http
):
    login(seller)
    assert client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "stripe"}).status_code == 409
    assert stripe_http.requests == []


def test_manual_payment_end_to_end_through_the_web(client, db, login, buyer, seller, confirmed_order):
    login(buyer)
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert "Bank transfer or cash on delivery" in page
    response = client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "manual"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "quoting order J" in page and "¥35.00" in page

    response = client.post(
        f"/orders/{confirmed_order.id}/payment/reference", data={"method": "bank_transfer", "reference": "ICBC-778812"}
    )
    assert response.status_code == 303
    payment = db.session.scalar(select(Payment))
    assert (payment.provider, payment.status, payment.buyer_reference) == ("manual", "claimed", "ICBC-778812")

    login(seller)
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert "ICBC-778812" in page and "Record payment received" in page
    response = client.post(f"/orders/{confirmed_order.id}/step", data={"action": "pay"})
    assert response.status_code == 303

    db.session.refresh(confirmed_order)
    assert confirmed_order.status == "paid"
    [charge] = payment.entries
    assert (charge.kind, charge.status, charge.amount, charge.provider_reference, charge.actor_id) == (
        "charge",
        "succeeded",
        Decimal("35.00"),
        "ICBC-778812",
        seller.id,
    )
    assert payment.status == "paid"
    login(buyer)
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert "ICBC-778812" in page and "I have paid" not in page


def test_a_bank_transfer_needs_a_reference_and_errors_show_beside_the_field(client, db, login, buyer, confirmed_order):
    login(buyer)
    for data in (
        {"method": "bank_transfer", "reference": ""},
        {"method": "bank_transfer", "reference": "x" * 81},
        {"method": "cheque", "reference": "1"},
        {},
    ):
        response = client.post(f"/orders/{confirmed_order.id}/payment/reference", data=data)
        assert response.status_code == 422
    assert "Enter the reference of the transfer." in client.post(
        f"/orders/{confirmed_order.id}/payment/reference", data={"method": "bank_transfer"}
    ).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_cash_on_delivery_needs_no_reference(client, db, login, buyer, confirmed_order):
    login(buyer)
    response = client.post(f"/orders/{confirmed_order.id}/payment/reference", data={"method": "cash"})
    assert response.status_code == 303
    payment = db.session.scalar(select(Payment))
    assert (payment.method, payment.status) == ("cash", "claimed")


def test_the_sellers_record_payment_step_alone_still_writes_one_ledger_charge(
    client, db, login, seller, confirmed_order
):
    login(seller)
    assert client.post(f"/orders/{confirmed_order.id}/step", data={"action": "pay"}).status_code == 303
    payment = db.session.scalar(select(Payment))
    assert (payment.provider, payment.status, payment.amount_paid) == ("manual", "paid", Decimal("35.00"))
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1


def test_a_csrf_less_payment_post_is_refused(client, db, login, buyer, confirmed_order):
    login(buyer)
    response = client.post(f"/orders/{confirmed_order.id}/payment/reference", data={"method": "cash"}, csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Payment.id))) == 0
