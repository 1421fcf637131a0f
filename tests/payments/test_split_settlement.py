"""Split settlement (分账) to sellers through WeChat Pay's real client against the fake on 127.0.0.1:
the seller's payout account, the share after refunds and the market fee in fen once the sale is
final, retries after WeChat fails, a refused receiver, the admin settlement report's paid-out
figures, and the reconciliation of WeChat's split bill with Jishi's records."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.clock import utcnow
from app.payments import settlement
from app.payments.models import ReceiverAccount, SplitSettlement
from app.postings.services import local_today
from tests.payments.wechat_fake import MCHID
from tests.payments.wechat_helpers import (  # noqa: F401  (fixture)
    pay_with_wechat,
    post_notification,
    refund_notification,
    wechat,
)
from tests.trade.helpers import walk

SELLER_MERCHANT = "1900000200"


@pytest.fixture(autouse=True)
def market_fee(app):
    app.config["MARKET_FEE_PERCENT"] = Decimal("3")


def save_payout_account(client, login, seller, account=SELLER_MERCHANT, name="张家农场"):
    login(seller)
    return client.post(
        "/account/payout",
        data={"provider": "wechatpay", "account_type": "MERCHANT_ID", "account": account, "name": name},
    )


def settle(app):
    result = app.test_cli_runner().invoke(args=["payments", "settle"])
    assert result.exit_code == 0, result.output
    return result.output


def the_settlement(db, order) -> SplitSettlement:
    db.session.expire_all()
    return db.session.scalar(select(SplitSettlement).where(SplitSettlement.order_id == order.id))


@pytest.fixture
def completed_order(app, client, login, db, buyer, seller, confirmed_order, wechat):
    """¥35.00 paid with WeChat Pay, shipped, delivered, accepted in full and completed by the buyer."""
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    assert client.post(f"/orders/{confirmed_order.id}/acceptance", data={"kind": "all"}).status_code == 303
    # No dispute window, so the split is due at once (test_a_completed_order_waits_for_the_dispute_window).
    app.config["DISPUTE_WINDOW_DAYS"] = 0
    walk(client, login, confirmed_order, (buyer, "complete"))
    return confirmed_order


def test_a_completed_order_waits_for_the_dispute_window_and_a_dispute(
    app, client, login, db, buyer, seller, admin, confirmed_order, wechat
):
    save_payout_account(client, login, seller)
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "ship"), (buyer, "deliver"), (buyer, "complete"))

    assert "split settlements handled: 0" in settle(app)
    row = the_settlement(db, confirmed_order)
    window = timedelta(days=app.config["DISPUTE_WINDOW_DAYS"])
    assert row.state == "pending" and row.next_attempt_at is not None

    # The buyer disputes the completed order within the window: nothing is split meanwhile.
    login(buyer)
    assert client.post(f"/orders/{confirmed_order.id}/dispute", data={"reason": "Wet sacks"}).status_code == 303
    settlement.run_due(now=utcnow() + window + timedelta(minutes=1))
    assert not wechat.posts_to("/v3/profitsharing/orders")
    assert "disputed" in the_settlement(db, confirmed_order).last_error

    login(admin)
    client.post(f"/orders/{confirmed_order.id}/resolve", data={"outcome": "none"})
    settlement.run_due(now=utcnow() + window + timedelta(hours=1))
    assert the_settlement(db, confirmed_order).state == "finished"


def test_the_seller_records_a_payout_account_for_their_own_member_only(client, login, db, seller, buyer, wechat):
    login(seller)
    page = client.get("/account/payout")
    assert page.status_code == 200 and "Your payout account" in page.get_data(as_text=True)
    assert "Payout account for split settlements" in client.get("/account").get_data(as_text=True)

    missing_name = client.post(
        "/account/payout", data={"provider": "wechatpay", "account_type": "MERCHANT_ID", "account": SELLER_MERCHANT}
    )
    assert missing_name.status_code == 422
    assert "full name" in missing_name.get_data(as_text=True)
    no_csrf = client.post(
        "/account/payout",
        data={"provider": "wechatpay", "account_type": "MERCHANT_ID", "account": "1", "name": "x"},
        csrf=False,
    )
    assert no_csrf.status_code == 400
    assert save_payout_account(client, login, seller).status_code == 303

    [row] = db.session.scalars(select(ReceiverAccount)).all()
    assert (row.member_id, row.provider, row.account_type, row.account, row.name) == (
        seller.id,
        "wechatpay",
        "MERCHANT_ID",
        SELLER_MERCHANT,
        "张家农场",
    )
    login(buyer)
    assert SELLER_MERCHANT not in client.get("/account/payout").get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()
    assert client.get("/account/payout").status_code == 302


def test_a_completed_order_is_split_to_the_seller_after_the_fee_and_shows_as_paid_out(
    app, client, login, db, seller, admin, completed_order, wechat
):
    save_payout_account(client, login, seller)
    row = the_settlement(db, completed_order)
    assert (row.state, row.out_request_no) == ("pending", f"{completed_order.number}S1")
    assert not wechat.posts_to("/v3/profitsharing/orders")  # nothing is sent inside the order's transaction

    output = settle(app)

    assert f"{completed_order.number}S1 wechatpay: finished" in output
    [receiver] = wechat.posts_to("/v3/profitsharing/receivers/add")
    assert receiver["body"]["type"] == "MERCHANT_ID" and receiver["body"]["relation_type"] == "SUPPLIER"
    assert wechat.receivers[SELLER_MERCHANT]["name"] == "张家农场"  # sent RSA-encrypted, as documented
    assert receiver["headers"]["Wechatpay-Serial"] == wechat.keys.platform_serial
    [split] = wechat.posts_to("/v3/profitsharing/orders")
    transaction_id = completed_order.payment.provider_reference
    assert split["body"]["transaction_id"] == transaction_id
    assert split["body"]["out_order_no"] == f"{completed_order.number}S1"
    assert split["body"]["unfreeze_unsplit"] is False
    # ¥35.00 paid, no refund, 3% fee ¥1.05: the seller's share is ¥33.95 = 3395 fen.
    [share] = split["body"]["receivers"]
    assert (share["type"], share["account"], share["amount"]) == ("MERCHANT_ID", SELLER_MERCHANT, 3395)
    [unfreeze] = wechat.posts_to("/v3/profitsharing/orders/unfreeze")
    assert unfreeze["body"]["out_order_no"] == f"{completed_order.number}S1F"
    row = the_settlement(db, completed_order)
    assert (row.state, row.net, row.fee, row.amount_minor, row.paid_out_minor) == (
        "finished",
        Decimal("35.00"),
        Decimal("1.05"),
        3395,
        3395,
    )
    assert row.provider_id == wechat.splits[row.out_request_no]["order_id"]

    # Running the job again asks WeChat nothing more.
    requests_before = len(wechat.requests)
    assert "split settlements handled: 0" in settle(app)
    assert len(wechat.requests) == requests_before

    login(admin)
    period = local_today().strftime("%Y-%m")
    page = client.get("/admin/trade-reports/settlements", query_string={"period": period}).get_data(as_text=True)
    assert "Paid out" in page and '<td class="paid-out">¥33.95</td>' in page
    download = client.get("/admin/trade-reports/settlements", query_string={"period": period, "format": "csv"})
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    seller_row = next(r for r in rows if r[1] == str(seller.id))
    assert seller_row[-2:] == ["33.95", "33.95"]  # computed payout, actually paid out
    splits_page = client.get("/admin/payments/splits").get_data(as_text=True)
    assert completed_order.number in splits_page and "paid to the seller, settled" in splits_page


def test_a_split_wechat_fails_is_retried_later_with_the_same_request_number(
    app, client, login, db, seller, completed_order, wechat
):
    save_payout_account(client, login, seller)
    wechat.failures[("POST", "/v3/profitsharing/orders")] = [500]

    settle(app)

    row = the_settlement(db, completed_order)
    assert (row.state, row.attempts) == ("pending", 1) and "500" in row.last_error
    assert row.next_attempt_at is not None
    assert "split settlements handled: 0" in settle(app)  # not due yet

    handled = settlement.run_due(now=utcnow() + timedelta(minutes=6))
    assert len(handled) == 1, [(r.next_attempt_at, r.state) for r in settlement.due(utcnow() + timedelta(days=1))]

    row = the_settlement(db, completed_order)
    assert (row.state, row.paid_out_minor, row.last_error) == ("finished", 3395, "")
    requests = wechat.posts_to("/v3/profitsharing/orders")
    assert [r["body"]["out_order_no"] for r in requests] == [f"{completed_order.number}S1"] * 2
    assert len(wechat.splits) == 2  # the split and its unfreeze: paid once


def test_a_seller_without_a_payout_account_waits_until_they_record_one(
    app, client, login, db, seller, completed_order, wechat
):
    settle(app)
    row = the_settlement(db, completed_order)
    assert row.state == "pending" and "no receiver account" in row.last_error
    assert not wechat.posts_to("/v3/profitsharing/orders")

    save_payout_account(client, login, seller)
    settle(app)

    assert the_settlement(db, completed_order).state == "finished"


def test_a_resolved_dispute_splits_what_is_left_after_the_refund(
    app, client, login, db, buyer, seller, admin, confirmed_order, wechat
):
    save_payout_account(client, login, seller)
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    assert client.post(f"/orders/{confirmed_order.id}/dispute", data={"reason": "Wet sacks"}).status_code == 303
    login(admin)
    resolved = client.post(
        f"/orders/{confirmed_order.id}/resolve", data={"outcome": "partial", "refund_amount": "10.00"}
    )
    assert resolved.status_code == 303

    settle(app)

    [refund] = wechat.posts_to("/v3/refund/domestic/refunds")
    assert refund["body"]["amount"]["refund"] == 1000
    # ¥35.00 − ¥10.00 refunded = ¥25.00; fee 3% = ¥0.75; share ¥24.25.
    [split] = wechat.posts_to("/v3/profitsharing/orders")
    assert split["body"]["receivers"][0]["amount"] == 2425
    row = the_settlement(db, confirmed_order)
    assert (row.state, row.net, row.fee, row.paid_out_minor) == ("finished", Decimal("25.00"), Decimal("0.75"), 2425)


def test_a_fully_refunded_dispute_splits_nothing(app, client, login, db, buyer, seller, admin, confirmed_order, wechat):
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    client.post(f"/orders/{confirmed_order.id}/dispute", data={"reason": "Rotten"})
    login(admin)
    assert client.post(f"/orders/{confirmed_order.id}/resolve", data={"outcome": "full"}).status_code == 303

    settle(app)

    assert not wechat.posts_to("/v3/profitsharing/orders") and not wechat.posts_to("/v3/profitsharing/orders/unfreeze")
    row = the_settlement(db, confirmed_order)
    assert (row.state, row.net, row.paid_out_minor) == ("finished", Decimal("0.00"), 0)


def test_a_receiver_wechat_closes_is_failed_for_an_admin_who_asks_again(
    app, client, login, db, seller, admin, completed_order, wechat
):
    save_payout_account(client, login, seller, account="1900000999")
    wechat.split_outcome = "CLOSED"
    settle(app)
    row = the_settlement(db, completed_order)
    assert (row.state, row.last_error, row.paid_out_minor) == ("failed", "ACCOUNT_ABNORMAL", 0)
    assert not wechat.posts_to("/v3/profitsharing/orders/unfreeze")

    save_payout_account(client, login, seller)
    wechat.split_outcome = "SUCCESS"
    login(admin)
    assert "refused by the payment service" in client.get("/admin/payments/splits?state=failed").get_data(as_text=True)
    assert client.post(f"/admin/payments/splits/{row.id}/retry").status_code == 303
    settle(app)

    row = the_settlement(db, completed_order)
    assert (row.state, row.out_request_no, row.receiver_account, row.paid_out_minor) == (
        "finished",
        f"{completed_order.number}S2",
        SELLER_MERCHANT,
        3395,
    )


def test_only_admins_see_and_retry_split_settlements(client, login, seller, wechat):
    login(seller)
    assert client.get("/admin/payments/splits").status_code == 403
    assert client.post("/admin/payments/splits/1/retry").status_code == 403


def test_reconciliation_lists_what_the_split_bill_and_jishi_disagree_on(
    app, client, login, db, seller, admin, completed_order, wechat
):
    save_payout_account(client, login, seller)
    settle(app)
    row = the_settlement(db, completed_order)
    day = local_today()
    wechat.bills[day.isoformat()] = wechat.split_bill()

    agree = app.test_cli_runner().invoke(args=["payments", "reconcile-splits", "--day", day.isoformat()])
    assert "differences: 0" in agree.output, agree.output

    # WeChat's bill: our split for another amount, and a split Jishi never recorded.
    bill = wechat.split_bill(
        extra_rows=[
            [
                "2026-03-02 11:00:00",
                MCHID,
                "1900000300",
                "12.00",
                "?",
                "分账",
                "成功",
                "4200",
                "J9999999S1",
                "3000",
                "",
                "",
            ]
        ]
    ).replace(",`33.95,", ",`33.96,")
    wechat.bills[day.isoformat()] = bill
    result = app.test_cli_runner().invoke(args=["payments", "reconcile-splits", "--day", day.isoformat()])
    assert f"amount {row.out_request_no} {SELLER_MERCHANT}: jishi 3395 fen" in result.output
    assert "missing_in_jishi J9999999S1 1900000300" in result.output and "differences: 2" in result.output

    # A bill without our split: missing at the provider. Shown to admins on the splits page.
    wechat.bills[day.isoformat()] = wechat.split_bill(leave_out={row.out_request_no})
    login(admin)
    page = client.get("/admin/payments/splits", query_string={"day": day.isoformat(), "provider": "wechatpay"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Paid out in Jishi, not on the payment service" in text and row.out_request_no in text and "¥33.95" in text

    bad_day = client.get("/admin/payments/splits", query_string={"day": "yesterday"})
    assert bad_day.status_code == 400


def test_an_unreadable_or_tampered_split_bill_is_reported_not_guessed(
    app, client, login, db, seller, completed_order, wechat
):
    save_payout_account(client, login, seller)
    settle(app)
    day = local_today().isoformat()
    wechat.bills[day] = "no,columns,we,know\n`1,`2,`3,`4\n"

    result = app.test_cli_runner().invoke(args=["payments", "reconcile-splits", "--day", day])

    assert result.exit_code != 0 and "split bill has no column" in result.output


def test_without_profit_sharing_wechat_payments_are_not_split(
    app, client, login, db, buyer, seller, confirmed_order, wechat
):
    app.config["WECHATPAY_PROFIT_SHARING"] = False
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    app.config["DISPUTE_WINDOW_DAYS"] = 0
    walk(client, login, confirmed_order, (seller, "ship"), (buyer, "deliver"), (buyer, "complete"))

    assert "settle_info" not in wechat.posts_to("/v3/pay/transactions/native")[0]["body"]
    assert the_settlement(db, confirmed_order) is None
    login(seller)
    assert client.get("/account/payout").status_code == 404


def test_without_a_fee_nothing_is_left_to_release(app, client, login, db, seller, completed_order, wechat):
    app.config["MARKET_FEE_PERCENT"] = Decimal("0")
    save_payout_account(client, login, seller)

    settle(app)

    [split] = wechat.posts_to("/v3/profitsharing/orders")
    assert split["body"]["receivers"][0]["amount"] == 3500
    assert not wechat.posts_to("/v3/profitsharing/orders/unfreeze")
    assert the_settlement(db, completed_order).state == "finished"


def test_a_dispute_refund_wechat_fails_is_not_split_to_the_seller_and_shows_as_failed(
    app, client, login, db, buyer, seller, admin, confirmed_order, wechat
):
    """The ¥10.00 refund WeChat answers CLOSED is still owed to the buyer (the admins deal with it):
    the seller's share stays ¥24.25, and the dispute's outcome says the refund failed."""
    save_payout_account(client, login, seller)
    pay_with_wechat(client, login, confirmed_order, buyer, wechat)
    walk(client, login, confirmed_order, (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    client.post(f"/orders/{confirmed_order.id}/dispute", data={"reason": "Wet sacks"})
    login(admin)
    client.post(f"/orders/{confirmed_order.id}/resolve", data={"outcome": "partial", "refund_amount": "10.00"})
    closed = refund_notification(wechat, f"order-{confirmed_order.id}-refund-1", "EV-closed", status="CLOSED")
    assert post_notification(client, *closed).status_code == 200

    settle(app)

    [split] = wechat.posts_to("/v3/profitsharing/orders")
    assert split["body"]["receivers"][0]["amount"] == 2425
    page = client.get(f"/orders/{confirmed_order.id}").get_data(as_text=True)
    assert 'refund ¥10.00 · <span class="status-tag">refund failed, an admin is dealing with it</span>' in page
