"""`flask payments reconcile` asks stripe (through the intercepted HTTP client) about every stripe
payment and lists the orders whose paid or refunded amounts disagree."""

from __future__ import annotations

from app.payments.models import Payment


def _intent(received, refunded):
    return {
        "id": "pi_test_1",
        "object": "payment_intent",
        "amount_received": received,
        "latest_charge": {"id": "ch_test_1", "object": "charge", "amount_refunded": refunded},
    }


def test_orders_that_agree_with_stripe_are_not_listed(app, stripe_paid_order, stripe_http):
    stripe_http.responses[("GET", "/v1/payment_intents/pi_test_1")] = _intent(3500, 0)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0
    assert result.output.strip() == "orders that disagree: 0"
    [request] = stripe_http.requests
    assert (request["method"], request["path"]) == ("GET", "/v1/payment_intents/pi_test_1")
    assert ["latest_charge"] in [v for k, v in request["form"].items() if k.startswith("expand")]


def test_a_refund_made_in_the_stripe_dashboard_is_listed(app, stripe_paid_order, stripe_http):
    stripe_http.responses[("GET", "/v1/payment_intents/pi_test_1")] = _intent(3500, 1000)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert (
        f"{stripe_paid_order.number} stripe: local paid 35.00 refunded 0.00; provider paid 35.00 refunded 10.00"
        in result.output
    )
    assert "orders that disagree: 1" in result.output


def test_a_checkout_paid_at_stripe_whose_webhook_never_came_is_listed(
    app, client, db, login, buyer, confirmed_order, stripe_http
):
    login(buyer)
    client.post(f"/orders/{confirmed_order.id}/payment", data={"provider": "stripe"})
    stripe_http.responses[("GET", "/v1/checkout/sessions/cs_test_1")] = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "payment_status": "paid",
        "payment_intent": "pi_test_1",
    }
    stripe_http.responses[("GET", "/v1/payment_intents/pi_test_1")] = _intent(3500, 0)

    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])

    assert (
        f"{confirmed_order.number} stripe: local paid 0.00 refunded 0.00; provider paid 35.00 refunded 0.00"
        in result.output
    )
    assert db.session.get(Payment, confirmed_order.payment.id).amount_paid == 0


def test_stripe_being_unreachable_is_reported_not_crashed(app, stripe_paid_order, stripe_http):
    stripe_http.responses[("GET", "/v1/payment_intents/pi_test_1")] = (
        500,
        {"error": {"type": "api_error", "message": "down"}},
    )
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0
    assert f"{stripe_paid_order.number} stripe: provider unreachable" in result.output


def test_manual_payments_are_not_asked_about(app, manual_paid_order, stripe_http):
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "orders that disagree: 0" in result.output
    assert stripe_http.requests == []
