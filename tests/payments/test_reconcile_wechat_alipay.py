"""`flask payments reconcile` asks WeChat Pay (order query by out_trade_no, refund query by
out_refund_no) and Alipay (alipay.trade.query, alipay.trade.fastpay.refund.query) through their real
client libraries against the local fakes, and lists the orders whose paid or refunded amounts
Jishi sees differently: paid at the provider but not in Jishi, the reverse, and refunds the
provider made that Jishi still has as pending."""

from __future__ import annotations

from decimal import Decimal

from app.payments import services
from tests.payments.alipay_fake import (  # noqa: F401  (fixtures)
    alipay,
    alipay_paid_order,
    start_alipay,
)
from tests.payments.wechat_helpers import (
    pay_with_wechat,
    start_wechat,
    wechat,  # noqa: F401  (fixture)
)
from tests.trade.helpers import walk

TRADE_NO = "2026120722001000000000000001"


def _reconcile(app) -> str:
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    return result.output


# WeChat Pay ------------------------------------------------------------------------------------


def test_a_wechat_payment_that_agrees_is_not_listed(app, client, login, buyer, confirmed_order, wechat):
    number = pay_with_wechat(client, login, confirmed_order, buyer, wechat)

    assert _reconcile(app).strip() == "orders that disagree: 0"
    [query] = [r for r in wechat.requests if r["method"] == "GET" and r["path"].endswith(f"/out-trade-no/{number}")]
    assert query["query"] == {"mchid": "1900000109"}


def test_a_wechat_payment_whose_notification_never_came_is_listed(
    app, client, login, db, buyer, confirmed_order, wechat
):
    start_wechat(client, login, confirmed_order, buyer)
    wechat.pay(f"{confirmed_order.number}A1")

    output = _reconcile(app)

    assert (
        f"{confirmed_order.number} wechatpay: local paid 0.00 refunded 0.00; provider paid 35.00 refunded 0.00"
        in output
    )
    assert "orders that disagree: 1" in output
    db.session.expire_all()
    assert confirmed_order.payment.amount_paid == 0  # listed, not recorded


def test_a_wechat_payment_jishi_has_as_paid_but_wechat_does_not_is_listed(
    app, client, login, buyer, confirmed_order, wechat
):
    number = pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    wechat.transactions[number]["trade_state"] = "CLOSED"

    output = _reconcile(app)

    assert (
        f"{confirmed_order.number} wechatpay: local paid 35.00 refunded 0.00; provider paid 0.00 refunded 0.00"
        in output
    )


def test_a_wechat_refund_counts_on_both_sides_only_once_made(
    app, client, login, db, buyer, seller, confirmed_order, wechat
):
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "cancel"))
    out_refund_no = f"order-{confirmed_order.id}-refund-1"
    # WeChat is still making it (PROCESSING): neither side counts it.
    assert _reconcile(app).strip() == "orders that disagree: 0"

    wechat.refunds[out_refund_no]["status"] = "SUCCESS"  # made, its notification not yet here

    assert (
        f"{confirmed_order.number} wechatpay: local paid 35.00 refunded 0.00; provider paid 35.00 refunded 35.00"
        in _reconcile(app)
    )
    refund_queries = [r for r in wechat.requests if r["path"] == f"/v3/refund/domestic/refunds/{out_refund_no}"]
    assert len(refund_queries) == 2


def test_wechat_being_unreachable_is_reported_not_crashed(app, client, login, buyer, confirmed_order, wechat):
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    wechat.failures[("GET", "/v3/pay/transactions/out-trade-no/")] = [500]

    output = _reconcile(app)

    assert f"{confirmed_order.number} wechatpay: provider unreachable" in output


# Alipay ----------------------------------------------------------------------------------------


def test_an_alipay_payment_that_agrees_is_not_listed_and_is_asked_by_its_trade_no(app, alipay, alipay_paid_order):
    assert _reconcile(app).strip() == "orders that disagree: 0"

    [query] = alipay.calls("alipay.trade.query")
    assert query["biz"] == {"trade_no": TRADE_NO}


def test_an_alipay_payment_whose_notification_never_came_is_listed(
    app, client, login, db, buyer, confirmed_order, alipay
):
    assert start_alipay(client, login, buyer, confirmed_order).status_code == 303
    alipay.add_trade(f"{confirmed_order.number}_1", "35.00")

    output = _reconcile(app)

    assert (
        f"{confirmed_order.number} alipay: local paid 0.00 refunded 0.00; provider paid 35.00 refunded 0.00" in output
    )
    assert "orders that disagree: 1" in output
    [query] = alipay.calls("alipay.trade.query")
    assert query["biz"] == {"out_trade_no": f"{confirmed_order.number}_1"}


def test_an_alipay_checkout_never_opened_agrees_with_nothing_paid(app, client, login, buyer, confirmed_order, alipay):
    start_alipay(client, login, buyer, confirmed_order)

    assert _reconcile(app).strip() == "orders that disagree: 0"
    assert len(alipay.calls("alipay.trade.query")) == 1


def test_an_alipay_payment_jishi_has_as_paid_but_alipay_does_not_is_listed(app, alipay, alipay_paid_order):
    alipay.trades[f"{alipay_paid_order.number}_1"]["trade_status"] = "WAIT_BUYER_PAY"

    output = _reconcile(app)

    assert (
        f"{alipay_paid_order.number} alipay: local paid 35.00 refunded 0.00; provider paid 0.00 refunded 0.00" in output
    )


def test_alipay_refunds_are_asked_about_one_by_one_and_only_made_ones_count(app, db, alipay, alipay_paid_order):
    made = services.refund_for_order(alipay_paid_order.id, Decimal("5.10"), None, "part")
    alipay.refuse_signs = True
    pending = services.refund_for_order(alipay_paid_order.id, Decimal("2.00"), None, "more")
    db.session.commit()
    alipay.refuse_signs = False
    assert (made.status, pending.status) == ("succeeded", "pending")

    assert _reconcile(app).strip() == "orders that disagree: 0"
    asked = [call["biz"]["out_request_no"] for call in alipay.calls("alipay.trade.fastpay.refund.query")]
    assert asked == [made.idempotency_key, pending.idempotency_key]

    # A refund Alipay made that Jishi has not heard of shows as a difference.
    alipay.refunds[(TRADE_NO, pending.idempotency_key)] = "2.00"
    assert (
        f"{alipay_paid_order.number} alipay: local paid 35.00 refunded 5.10; provider paid 35.00 refunded 7.10"
        in _reconcile(app)
    )


def test_alipay_being_unreachable_is_reported_not_crashed(app, alipay, alipay_paid_order):
    alipay.forge_answers = True

    assert f"{alipay_paid_order.number} alipay: provider unreachable" in _reconcile(app)
