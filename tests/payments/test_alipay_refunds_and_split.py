"""Alipay refunds (idempotent by out_request_no, confirmed by the refund query), query and close, the
split-settlement (分账) hooks with exact fen → yuan amounts, the bill, and the settings — each
through python-alipay-sdk against the fake gateway on 127.0.0.1."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, urlparse

import pytest
from sqlalchemy import select

from app.payments import services
from app.payments.models import LedgerEntry, Payment
from app.payments.providers import enabled_names, get_provider
from app.payments.providers.base import ProviderError, RefundReport, SplitReceiver
from tests.payments.alipay_fake import (  # noqa: F401
    Certificates,
    alipay,
    alipay_paid_order,
    one_line,
    paid_notification,
    post_notification,
    private_pem,
    public_pem,
    start_alipay,
)

TRADE_NO = "2026120722001000000000000001"


def _provider(app):
    return get_provider("alipay", app.config)


def _payment(db):
    return db.session.scalar(select(Payment))


def test_a_refund_goes_to_alipay_with_its_request_number_and_is_not_counted_twice(
    app, client, db, alipay, alipay_paid_order
):
    entry = services.refund_for_order(alipay_paid_order.id, Decimal("5.10"), None, "part of the goods")
    db.session.commit()

    [call] = alipay.calls("alipay.trade.refund")
    assert call["biz"]["refund_amount"] == "5.10"
    assert (call["biz"]["trade_no"], call["biz"]["out_request_no"]) == (TRADE_NO, entry.idempotency_key)
    assert (entry.status, entry.provider_object) == ("succeeded", entry.idempotency_key)
    # Alipay's notification of that refund (cumulative refund_fee) adds nothing.
    refund_notification = paid_notification(
        alipay, alipay_paid_order, refund_fee="5.10", out_biz_no=entry.idempotency_key, gmt_refund="2026-12-07 11:00:00"
    )
    assert post_notification(client, refund_notification).get_data(as_text=True) == "success"
    payment = _payment(db)
    assert (payment.amount_refunded, payment.status) == (Decimal("5.10"), "part_refund")
    assert len([e for e in payment.entries if e.kind == "refund"]) == 1


def test_a_repeated_refund_request_is_confirmed_by_the_refund_query_not_made_twice(app, db, alipay, alipay_paid_order):
    provider = _provider(app)
    payment = _payment(db)

    first = provider.refund(payment, Decimal("3.00"), "order-1-refund-1")
    second = provider.refund(payment, Decimal("3.00"), "order-1-refund-1")

    assert first == second == RefundReport("order-1-refund-1", Decimal("3.00"), "succeeded")
    assert alipay.refunds == {(TRADE_NO, "order-1-refund-1"): "3.00"}
    [query] = alipay.calls("alipay.trade.fastpay.refund.query")
    assert query["biz"] == {"trade_no": TRADE_NO, "out_request_no": "order-1-refund-1"}


def test_a_refund_alipay_refused_stays_pending_and_the_retry_sends_the_same_request(app, db, alipay, alipay_paid_order):
    alipay.refuse_signs = True
    entry = services.refund_for_order(alipay_paid_order.id, None, None, "cancelled")
    db.session.commit()
    assert entry.status == "pending" and alipay.refunds == {}

    alipay.refuse_signs = False
    [retried] = services.retry_pending_refunds()
    db.session.commit()

    assert retried.id == entry.id and retried.status == "succeeded"
    assert alipay.refunds == {(TRADE_NO, entry.idempotency_key): "35.00"}
    assert _payment(db).status == "refunded"


def test_a_forged_gateway_answer_is_a_provider_error(app, db, alipay, alipay_paid_order):
    alipay.forge_answers = True
    with pytest.raises(ProviderError, match="sign does not match"):
        _provider(app).refund(_payment(db), Decimal("1.00"), "order-1-refund-9")


def test_query_and_close(app, db, alipay, alipay_paid_order):
    provider = _provider(app)
    payment = _payment(db)
    payment.checkout_reference = f"{alipay_paid_order.number}_1"

    event = provider.query_payment(payment)
    assert (event.type, event.amount, event.provider_reference) == ("payment_succeeded", Decimal("35.00"), TRADE_NO)
    assert event.order_id == alipay_paid_order.id

    alipay.add_trade("J9999999_1", "1.00", status="WAIT_BUYER_PAY")
    assert provider.close("J9999999_1") is True
    assert alipay.trades["J9999999_1"]["trade_status"] == "TRADE_CLOSED"
    assert provider.close(f"{alipay_paid_order.number}_1") is False  # paid: Alipay refuses, left as it is
    assert provider.close("J0000000_7") is False  # never seen by Alipay

    payment.checkout_reference = "J0000000_7"
    assert provider.query_payment(payment) is None


RECEIVERS = (
    SplitReceiver("userId", "2088101126708402", 3333, "集市货款 J0000001", "王家农场"),
    SplitReceiver("loginName", "farmer@example.com", 1, "尾差"),
)


def test_request_split_sends_the_shares_in_yuan_exactly_and_is_idempotent(app, db, alipay, alipay_paid_order):
    provider = _provider(app)
    payment = _payment(db)

    result = provider.request_split(payment, "split_1_1", RECEIVERS)

    [call] = alipay.calls("alipay.trade.order.settle")
    assert call["biz"]["trade_no"] == TRADE_NO and call["biz"]["out_request_no"] == "split_1_1"
    assert call["biz"]["royalty_parameters"] == [
        {
            "royalty_type": "transfer",
            "trans_in_type": "userId",
            "trans_in": "2088101126708402",
            "amount": "33.33",
            "desc": "集市货款 J0000001",
            "trans_in_name": "王家农场",
        },
        {
            "royalty_type": "transfer",
            "trans_in_type": "loginName",
            "trans_in": "farmer@example.com",
            "amount": "0.01",
            "desc": "尾差",
        },
    ]
    assert call["biz"]["extend_params"] == {"royalty_finish": "false"}
    assert (result.out_request_no, result.provider_id, result.state) == ("split_1_1", "S1", "processing")
    assert [(r.account, r.amount_minor, r.state) for r in result.receivers] == [
        ("2088101126708402", 3333, "pending"),
        ("farmer@example.com", 1, "pending"),
    ]

    again = provider.request_split(payment, "split_1_1", RECEIVERS)  # a retry after a timeout

    assert len(alipay.settlements) == 1
    assert (again.out_request_no, again.state) == ("split_1_1", "processing")
    assert [(r.account, r.amount_minor) for r in again.receivers] == [
        ("2088101126708402", 3333),
        ("farmer@example.com", 1),
    ]


@pytest.mark.parametrize(
    ("alipay_state", "state", "receiver_state", "reason"),
    [
        ("SUCCESS", "finished", "success", ""),
        ("FAIL", "finished", "closed", "收款账户异常"),
        ("PROCESSING", "processing", "pending", ""),
    ],
)
def test_query_split_maps_alipay_states(
    app, db, alipay, alipay_paid_order, alipay_state, state, receiver_state, reason
):
    provider = _provider(app)
    payment = _payment(db)
    provider.request_split(payment, "split_1_1", RECEIVERS)
    alipay.settlements["split_1_1"]["state"] = alipay_state

    result = provider.query_split(payment, "split_1_1")

    [call] = alipay.calls("alipay.trade.order.settle.query")
    assert call["biz"] == {"out_request_no": "split_1_1", "trade_no": TRADE_NO}
    assert result.state == state
    assert [(r.amount_minor, r.state, r.fail_reason) for r in result.receivers] == [
        (3333, receiver_state, reason),
        (1, receiver_state, reason),
    ]


def test_query_split_of_an_unknown_request_is_a_provider_error(app, db, alipay, alipay_paid_order):
    with pytest.raises(ProviderError, match="ACQ.SETTLE_NOT_EXIST"):
        _provider(app).query_split(_payment(db), "split_404")


def test_finish_split_releases_the_rest_with_royalty_finish(app, db, alipay, alipay_paid_order):
    provider = _provider(app)
    payment = _payment(db)
    alipay.unsettled[TRADE_NO] = "1.66"
    assert provider.unsettled_minor(payment) == 166

    result = provider.finish_split(payment, "split_1")

    [call] = alipay.calls("alipay.trade.order.settle")
    assert call["biz"]["royalty_parameters"] == []
    assert call["biz"]["extend_params"] == {"royalty_finish": "true"}
    # Its own request number: Alipay refuses a second settle under the split's number as a duplicate.
    assert call["biz"]["out_request_no"] == "split_1F"
    assert (result.out_request_no, result.state, result.receivers) == ("split_1F", "finished", ())


def test_bind_receiver_binds_the_seller_account(app, alipay):
    with app.test_request_context():
        _provider(app).bind_receiver(RECEIVERS[0], "bind_7")
    [call] = alipay.calls("alipay.trade.royalty.relation.bind")
    assert call["biz"] == {
        "receiver_list": [
            {"type": "userId", "account": "2088101126708402", "name": "王家农场", "memo": "集市货款 J0000001"}
        ],
        "out_request_no": "bind_7",
    }


def test_the_split_hooks_refuse_a_payment_alipay_has_not_named(app, db, alipay, confirmed_order):
    payment = Payment(order_id=confirmed_order.id, provider="alipay", currency="CNY", amount=Decimal("35.00"))
    with pytest.raises(ProviderError):
        _provider(app).request_split(payment, "split_x", RECEIVERS)
    assert alipay.calls("alipay.trade.order.settle") == []


BILL = (
    "#支付宝账务明细查询\n"
    "#账号：[20880000000000010156]\n"
    "#起始日期：[2026年12月06日 00:00:00]   终止日期：[2026年12月07日 00:00:00]\n"
    "#-----------------------------------------账务明细列表----------------------------------------\n"
    "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注\n"
    "20261206001,S1,split_1_1,,2026-12-06 10:00:00,2088101126708402,,-33.33,100.00,,分账,\n"
    "20261206002,S1,split_1_1,,2026-12-06 10:00:00,farmer@example.com,,-0.01,99.99,,分账,\n"
    "20261206003,2026120722001000000000000001,J0000001_1,rice,2026-12-06 09:00:00,buyer,35.00,,134.99,,在线支付,\n"
    "#-----------------------------------------账务明细列表结束------------------------------------\n"
    "#支出合计：2笔，共33.34元\n"
)


@pytest.mark.parametrize("packing", ["csv-gbk", "zip"])
def test_split_statement_reads_the_royalty_lines_of_the_days_bill(app, alipay, packing):
    if packing == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("20880000000000010156_20261206_账务明细.csv", BILL.encode("gb18030"))
        alipay.bills["2026-12-06"] = buffer.getvalue()
    else:
        alipay.bills["2026-12-06"] = BILL.encode("gb18030")

    lines = _provider(app).split_statement(date(2026, 12, 6))

    [call] = alipay.calls("alipay.data.dataservice.bill.downloadurl.query")
    assert call["biz"] == {"bill_type": "signcustomer", "bill_date": "2026-12-06"}
    assert [(line.out_request_no, line.provider_id, line.account, line.amount_minor, line.state) for line in lines] == [
        ("split_1_1", "S1", "2088101126708402", 3333, "success"),
        ("split_1_1", "S1", "farmer@example.com", 1, "success"),
    ]


def test_split_statement_of_a_day_without_a_bill_is_empty(app, alipay):
    assert _provider(app).split_statement(date(2026, 12, 5)) == []


def test_split_support_follows_the_royalty_freeze_setting(app, alipay):
    assert _provider(app).supports_split is False
    app.config["ALIPAY_ROYALTY_FREEZE"] = True
    assert _provider(app).supports_split is True


def test_alipay_is_offered_only_with_its_settings_and_reads_key_files(app, tmp_path, alipay):
    app.config.update(ALIPAY_APP_PRIVATE_KEY=None)
    assert "alipay" not in enabled_names(app.config)

    key_file = tmp_path / "app_private_key.pem"
    key_file.write_text(one_line(private_pem(alipay.app_key)))
    public_file = tmp_path / "alipay_public_key.pem"
    public_file.write_text(public_pem(alipay.alipay_key))
    app.config.update(
        ALIPAY_APP_PRIVATE_KEY_PATH=str(key_file), ALIPAY_PUBLIC_KEY=None, ALIPAY_PUBLIC_KEY_PATH=str(public_file)
    )

    assert "alipay" in enabled_names(app.config)
    alipay.add_trade("J0000001_1", "35.00", status="WAIT_BUYER_PAY")
    assert _provider(app).close("J0000001_1") is True  # signed with the key from the file, answer verified


def test_a_refund_entry_keeps_one_row_per_request(db, alipay, alipay_paid_order):
    services.refund_for_order(alipay_paid_order.id, Decimal("1.00"), None, "one")
    services.refund_for_order(alipay_paid_order.id, Decimal("2.00"), None, "two")
    db.session.commit()
    keys = [e.provider_object for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "refund"))]
    assert keys == [f"order-{alipay_paid_order.id}-refund-1", f"order-{alipay_paid_order.id}-refund-2"]
    assert sorted(alipay.refunds.values()) == ["1.00", "2.00"]


def test_a_request_signed_with_another_app_key_is_refused_by_the_gateway(app, db, alipay, alipay_paid_order):
    app.config["ALIPAY_APP_PRIVATE_KEY"] = private_pem(alipay.other_key)

    with pytest.raises(ProviderError, match="40002"):
        _provider(app).refund(_payment(db), Decimal("1.00"), "order-1-refund-1")

    assert [r["verified"] for r in alipay.requests] == [False]
    assert alipay.refunds == {}


def test_certificate_mode_sends_the_serials_and_verifies_with_alipays_certificate(
    app, client, db, login, buyer, alipay, confirmed_order
):
    certificates = Certificates(alipay)
    alipay.certificates = certificates
    app.config.update(
        ALIPAY_PUBLIC_KEY=None,
        ALIPAY_APP_CERT=certificates.app,
        ALIPAY_PUBLIC_CERT=certificates.alipay,
        ALIPAY_ROOT_CERT=certificates.root,
    )
    assert "alipay" in enabled_names(app.config)

    response = start_alipay(client, login, buyer, confirmed_order)

    params = dict(parse_qsl(urlparse(response.headers["Location"]).query))
    assert (params["app_cert_sn"], params["alipay_root_cert_sn"]) == (certificates.app_sn, certificates.root_sn)
    assert post_notification(client, paid_notification(alipay, confirmed_order)).get_data(as_text=True) == "success"
    alipay.add_trade(f"{confirmed_order.number}_1", "35.00", trade_no=TRADE_NO)
    entry = services.refund_for_order(confirmed_order.id, Decimal("1.00"), None, "certificate mode")
    db.session.commit()
    assert entry.status == "succeeded"
    assert [r["verified"] for r in alipay.requests] == [True]


def test_a_broken_certificate_is_a_provider_error_not_a_crash(app, alipay):
    certificates = Certificates(alipay)
    app.config.update(
        ALIPAY_APP_CERT=certificates.app, ALIPAY_PUBLIC_CERT=certificates.alipay, ALIPAY_ROOT_CERT="not a certificate"
    )
    with pytest.raises(ProviderError, match="cannot be loaded"):
        _provider(app).query_refund(Payment(provider_reference=TRADE_NO), "order-1-refund-1")


def test_a_refund_alipay_refuses_for_good_is_failed_and_the_admins_are_told(
    app, client, login, db, admin, alipay, alipay_paid_order
):
    """Consistent with WeChat's ABNORMAL / CLOSED: a refund Alipay will not make (the trade may no
    longer be refunded) is failed, its amount refundable again, and the admins are told; a refusal
    a retry may overcome (a bad sign, a system error) stays pending instead (test above)."""
    from app.notify.models import Notification

    admin.email = "ops@jishi.test"
    alipay.refund_refusal = "ACQ.TRADE_NOT_ALLOW_REFUND"
    entry = services.refund_for_order(alipay_paid_order.id, Decimal("5.00"), None, "part")
    db.session.commit()

    assert entry.status == "failed"
    payment = _payment(db)
    assert (payment.amount_refunded, payment.refundable) == (Decimal("0.00"), Decimal("35.00"))
    [alert] = db.session.scalars(select(Notification).where(Notification.event == "payment_refund_failed")).all()
    assert alert.member_id == admin.id and alipay_paid_order.number in alert.subject
    assert (
        "refunds made: 0; still pending: 0; failed: 0"
        in app.test_cli_runner().invoke(args=["payments", "retry-refunds"]).output
    )

    alipay.refund_refusal = None
    login(admin)
    client.post(f"/orders/{alipay_paid_order.id}/payment/refunds/{entry.id}/again")
    db.session.expire_all()
    assert [(e.status, e.amount) for e in _payment(db).entries if e.kind == "refund"] == [
        ("failed", Decimal("5.00")),
        ("succeeded", Decimal("5.00")),
    ]
    assert _payment(db).amount_refunded == Decimal("5.00")
