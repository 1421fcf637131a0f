"""Payment test data and tools: the trade parties and sell offer, stripe enabled with test keys,
a fake stripe HTTP client (no network: it records every request and answers with canned JSON),
real Stripe webhook signatures, and orders walked to the point a test needs."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs

import pytest
import stripe

from tests.trade.helpers import place_order_by_buy_now, walk

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture(autouse=True)
def payment_settings(app):
    app.config.update(
        PAYMENT_PROVIDERS="manual,stripe",
        STRIPE_SECRET_KEY="sk_test_123",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )


class FakeStripeHTTP(stripe.HTTPClient):
    """Stands in for stripe's HTTP client: records (method, path, headers, form) and answers from
    ``responses`` keyed by (method, path) — a dict body, or (status, body)."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.requests: list[dict] = []
        self.responses: dict[tuple[str, str], object] = {}

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = url.split("api.stripe.com", 1)[-1].split("?", 1)[0]
        query = url.split("?", 1)[1] if "?" in url else ""
        form = parse_qs(post_data or query)
        self.requests.append({"method": method.upper(), "path": path, "headers": dict(headers or {}), "form": form})
        answer = self.responses.get((method.upper(), path))
        if answer is None:
            answer = (404, {"error": {"type": "invalid_request_error", "message": f"no canned answer for {path}"}})
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return json.dumps(body), status, {}

    def request_with_retries(self, method, url, headers, post_data=None, max_network_retries=None, *, _usage=None):
        return self.request(method, url, headers, post_data, _usage=_usage)

    def close(self):
        pass

    def posts_to(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]


@pytest.fixture
def stripe_http(monkeypatch):
    fake = FakeStripeHTTP()
    fake.responses[("POST", "/v1/checkout/sessions")] = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "url": "https://checkout.stripe.com/c/pay/cs_test_1",
        "payment_status": "unpaid",
    }
    fake.responses[("POST", "/v1/refunds")] = {"id": "re_test_1", "object": "refund", "status": "succeeded"}
    monkeypatch.setattr(stripe, "default_http_client", fake)
    return fake


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def stripe_event(event_id: str, kind: str, obj: dict) -> str:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}})


def checkout_completed(order, event_id="evt_checkout", fen=3500, currency="cny", intent="pi_test_1"):
    return stripe_event(
        event_id,
        "checkout.session.completed",
        {
            "id": "cs_test_1",
            "object": "checkout.session",
            "payment_status": "paid",
            "amount_total": fen,
            "currency": currency,
            "payment_intent": intent,
            "client_reference_id": str(order.id),
            "metadata": {"order_id": str(order.id)},
        },
    )


def intent_succeeded(order, event_id="evt_intent", fen=3500, currency="cny", intent="pi_test_1"):
    return stripe_event(
        event_id,
        "payment_intent.succeeded",
        {
            "id": intent,
            "object": "payment_intent",
            "amount_received": fen,
            "currency": currency,
            "metadata": {"order_id": str(order.id)},
        },
    )


def charge_refunded(order, refunded_fen, event_id, captured_fen=3500, refunds=None, intent="pi_test_1"):
    """charge.refunded with the cumulative ``amount_refunded``; ``refunds`` [(re_id, fen), …] are
    embedded as older API versions do (newer ones leave them out)."""
    obj = {
        "id": "ch_test_1",
        "object": "charge",
        "amount_captured": captured_fen,
        "amount_refunded": refunded_fen,
        "currency": "cny",
        "payment_intent": intent,
        "metadata": {"order_id": str(order.id)},
    }
    if refunds is not None:
        obj["refunds"] = {
            "object": "list",
            "data": [
                {"id": refund_id, "object": "refund", "amount": fen, "status": "succeeded", "payment_intent": intent}
                for refund_id, fen in refunds
            ],
        }
    return stripe_event(event_id, "charge.refunded", obj)


def refund_updated(refund_id, fen, event_id, status="succeeded", intent="pi_test_1", kind="refund.updated"):
    """A refund event: the Refund object only names its PaymentIntent, not the order."""
    return stripe_event(
        event_id,
        kind,
        {
            "id": refund_id,
            "object": "refund",
            "amount": fen,
            "currency": "cny",
            "status": status,
            "payment_intent": intent,
        },
    )


def hook_call(race_client, payload: str):
    """A webhook request for tests.trade.concurrency.race: its raw body signed as Stripe signs it."""
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload)}
    return (race_client, "/hooks/payments/stripe", {"data": payload, "headers": headers})


def post_hook(client, payload: str, signature: str | None = "sign", provider="stripe"):
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = sign(payload)
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post(f"/hooks/payments/{provider}", data=payload, headers=headers, csrf=False)


@pytest.fixture
def confirmed_order(client, login, buyer, seller, sell_offer):  # noqa: F811
    """10 kg at ¥3.50: ¥35.00, confirmed by the seller and waiting for payment."""
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, order, (seller, "confirm"))
    return order


@pytest.fixture
def stripe_paid_order(client, db, confirmed_order):
    """The confirmed order paid through stripe (the webhook recorded it)."""
    assert post_hook(client, checkout_completed(confirmed_order)).status_code == 200
    db.session.refresh(confirmed_order)
    return confirmed_order


@pytest.fixture
def manual_paid_order(client, login, buyer, seller, confirmed_order):  # noqa: F811
    """The confirmed order paid by bank transfer: the buyer recorded the reference, the seller
    recorded the payment as received."""
    login(buyer)
    response = client.post(
        f"/orders/{confirmed_order.id}/payment/reference", data={"method": "bank_transfer", "reference": "ICBC-778812"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    walk(client, login, confirmed_order, (seller, "pay"))
    return confirmed_order
