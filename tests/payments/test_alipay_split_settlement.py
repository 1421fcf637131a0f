"""Split settlement (分账) of an Alipay payment through the provider-neutral orchestration
(app/payments/settlement.py) and python-alipay-sdk against the fake gateway on 127.0.0.1: the
seller's Alipay account, the receiver bound before the settle, the share after the market fee in
yuan converted exactly from fen, Alipay's asynchronous result followed, and the rest released
under its own request number."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.clock import utcnow
from app.payments.models import SplitSettlement
from app.postings.services import local_today
from tests.payments.alipay_fake import alipay, alipay_paid_order  # noqa: F401
from tests.trade.helpers import walk

SELLER_ALIPAY = "2088101126708402"


@pytest.fixture(autouse=True)
def split_settings(app, alipay):
    app.config.update(MARKET_FEE_PERCENT=Decimal("3"), ALIPAY_ROYALTY_FREEZE=True)


def settle(app) -> str:
    result = app.test_cli_runner().invoke(args=["payments", "settle"])
    assert result.exit_code == 0, result.output
    return result.output


def the_settlement(db, order) -> SplitSettlement:
    db.session.expire_all()
    return db.session.scalar(select(SplitSettlement).where(SplitSettlement.order_id == order.id))


def test_an_alipay_sale_is_split_to_the_sellers_alipay_account_after_the_fee(
    app, client, login, db, buyer, seller, alipay, alipay_paid_order
):
    order = alipay_paid_order
    login(seller)
    response = client.post(
        "/account/payout",
        data={"provider": "alipay", "account_type": "userId", "account": SELLER_ALIPAY, "name": "张家农场"},
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    walk(client, login, order, (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    assert client.post(f"/orders/{order.id}/acceptance", data={"kind": "all"}).status_code == 303
    app.config["DISPUTE_WINDOW_DAYS"] = 0
    walk(client, login, order, (buyer, "complete"))
    assert the_settlement(db, order).state == "pending"

    settle(app)

    [bind] = alipay.calls("alipay.trade.royalty.relation.bind")
    assert bind["biz"]["receiver_list"][0]["account"] == SELLER_ALIPAY
    [split] = alipay.calls("alipay.trade.order.settle")
    number = f"{order.number}S1"
    assert split["biz"]["out_request_no"] == number
    # ¥35.00 paid, 3 % fee ¥1.05: the seller's share is ¥33.95, sent as Alipay's yuan string.
    [share] = split["biz"]["royalty_parameters"]
    assert (share["trans_in_type"], share["trans_in"], share["amount"]) == ("userId", SELLER_ALIPAY, "33.95")
    assert split["biz"]["extend_params"] == {"royalty_finish": "false"}
    row = the_settlement(db, order)
    assert (row.state, row.amount_minor) == ("processing", 3395)

    # Alipay splits asynchronously: once it reports success, the next run releases the rest.
    alipay.settlements[number]["state"] = "SUCCESS"
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    settle(app)

    finish = alipay.calls("alipay.trade.order.settle")[-1]
    assert finish["biz"]["out_request_no"] == f"{number}F"
    assert finish["biz"]["royalty_parameters"] == [] and finish["biz"]["extend_params"] == {"royalty_finish": "true"}
    row = the_settlement(db, order)
    assert (row.state, row.paid_out_minor) == ("finished", 3395)
    # Nothing more is asked of Alipay once it is finished.
    calls = len(alipay.calls("alipay.trade.order.settle"))
    settle(app)
    assert len(alipay.calls("alipay.trade.order.settle")) == calls


@pytest.fixture
def finished_split(app, client, login, db, buyer, seller, alipay, alipay_paid_order) -> SplitSettlement:
    """The ¥35.00 Alipay sale completed and split: ¥33.95 to the seller, the rest released."""
    order = alipay_paid_order
    login(seller)
    client.post(
        "/account/payout",
        data={"provider": "alipay", "account_type": "userId", "account": SELLER_ALIPAY, "name": "张家农场"},
    )
    walk(client, login, order, (seller, "ship"), (buyer, "deliver"))
    login(buyer)
    client.post(f"/orders/{order.id}/acceptance", data={"kind": "all"})
    app.config["DISPUTE_WINDOW_DAYS"] = 0
    walk(client, login, order, (buyer, "complete"))
    settle(app)
    alipay.settlements[f"{order.number}S1"]["state"] = "SUCCESS"
    row = the_settlement(db, order)
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    settle(app)
    row = the_settlement(db, order)
    assert (row.state, row.paid_out_minor) == ("finished", 3395)
    return row


def _with_amount(bill: bytes, old: str, new: str) -> bytes:
    """The zipped bill with one amount changed in its CSV."""
    with zipfile.ZipFile(io.BytesIO(bill)) as archive:
        [name] = archive.namelist()
        text = archive.read(name).decode("gb18030").replace(f",{old},", f",{new},")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text.encode("gb18030"))
    return buffer.getvalue()


def reconcile_splits(app, day: str):
    return app.test_cli_runner().invoke(args=["payments", "reconcile-splits", "--day", day, "--provider", "alipay"])


def test_reconciliation_reads_alipays_account_bill_and_lists_the_differences(
    app, client, login, db, admin, alipay, finished_split
):
    day = local_today().isoformat()
    alipay.bills[day] = alipay.account_bill(day)

    agree = reconcile_splits(app, day).output

    assert agree.strip() == "differences: 0", agree
    [asked] = alipay.calls("alipay.data.dataservice.bill.downloadurl.query")
    assert asked["biz"] == {"bill_type": "signcustomer", "bill_date": day}

    # Alipay's bill: our split for another amount, and a split to someone Jishi never paid out.
    other = ["S_other", "J9999999S1", "", f"{day} 11:00:00", "2088000000009999", "", "-12.00", "分账"]
    bill = alipay.account_bill(day, extra_rows=[other])
    alipay.bills[day] = _with_amount(bill, "-33.95", "-33.96")
    result = reconcile_splits(app, day)
    number = finished_split.out_request_no
    assert f"amount {number} {SELLER_ALIPAY}: jishi 3395 fen finished; alipay 3396 fen success" in result.output
    assert "missing_in_jishi J9999999S1 2088000000009999: jishi nothing; alipay 1200 fen success" in result.output
    assert "differences: 2" in result.output

    # A bill without our split: paid out in Jishi, missing at Alipay; admins see it on the splits page.
    alipay.bills[day] = alipay.account_bill(day, leave_out={number})
    login(admin)
    page = client.get("/admin/payments/splits", query_string={"day": day, "provider": "alipay"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Paid out in Jishi, not on the payment service" in text and number in text and "¥33.95" in text
