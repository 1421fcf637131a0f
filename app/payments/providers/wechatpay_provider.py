"""WeChat Pay API v3 through the wechatpayv3 library: Native (a code_url the order page shows as a
QR code) on desktops and H5 (a redirect to WeChat's h5_url) on phones; query and close by our
out_trade_no; refunds (/v3/refund/domestic/refunds); payment and refund notifications; and split
settlement (分账: receivers/add, profitsharing/orders, their query, unfreeze, and the daily bill).

Money goes to WeChat in fen (integers, via to_minor_units), never as floats. Every answer WeChat
gives is signature-checked by the library (platform certificate or WeChat Pay public key).

A notification is accepted only when its timestamp is fresh (WECHATPAY_NOTIFY_TOLERANCE), its
``Wechatpay-Serial`` names our verification key, its SHA256withRSA signature over
``timestamp\\nnonce\\nbody\\n`` verifies, and its AEAD_AES_256_GCM resource decrypts with the APIv3
key; anything else raises InvalidSignature before anything is read. Event ids are WeChat's
notification ids; the ledger keys charges by transaction_id and refunds by refund_id, so a
notification sent again under another id still changes nothing.

JSAPI (paying inside WeChat's own browser) is not offered: it needs the payer's openid from an
official account's OAuth and WeChat's JavaScript bridge. In WeChat's browser the order page shows
the Native QR code, which WeChat recognises on a long press.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from wechatpayv3 import WeChatPay, WeChatPayType

from app.logistics.acceptance import amount_due
from app.payments.providers.base import (
    IGNORED,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    REFUND_UPDATED,
    InvalidSignature,
    PaymentEvent,
    PaymentProvider,
    PaymentStart,
    ProviderError,
    RefundReport,
    SplitReceiver,
    SplitReceiverResult,
    SplitResult,
    StatementLine,
    from_minor_units,
    register,
    to_minor_units,
)

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
NOTIFY_HEADERS = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial")
CHINA = timezone(timedelta(hours=8))
# Close answers that mean there is nothing left to close.
NOTHING_TO_CLOSE = frozenset({"ORDER_CLOSED", "ORDERNOTEXIST", "ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"})
REQUIRED_SETTINGS = (
    "WECHATPAY_MCHID",
    "WECHATPAY_APPID",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_PRIVATE_KEY_PATH",
    "WECHATPAY_CERT_SERIAL_NO",
)
# What the seller is to the platform when added as a split receiver (WeChat's relation_type).
RECEIVER_RELATION = "SUPPLIER"


@register
class WeChatPayProvider(PaymentProvider):
    name = "wechatpay"
    label = _l("WeChat Pay")

    @property
    def supports_split(self) -> bool:
        """Only payments created for profit sharing (WECHATPAY_PROFIT_SHARING) can be split."""
        return bool(self.config.get("WECHATPAY_PROFIT_SHARING"))

    @classmethod
    def enabled(cls, config) -> bool:
        has_key = bool(config.get("WECHATPAY_PUBLIC_KEY_PATH") and config.get("WECHATPAY_PUBLIC_KEY_ID"))
        return all(config.get(name) for name in REQUIRED_SETTINGS) and (
            has_key or bool(config.get("WECHATPAY_PLATFORM_CERT_DIR"))
        )

    # -- the client -------------------------------------------------------------------------------

    _client_instance: WeChatPay | None = None

    @property
    def client(self) -> WeChatPay:
        """The wechatpayv3 client. Its gateway is fixed to WeChat's in the library; the library keeps
        it on the core as ``_gate_way``, which is set from WECHATPAY_GATEWAY (tests: a local fake).
        With a public key nothing is fetched here; with a platform certificate directory the
        library loads the certificates kept there (and downloads them from WeChat when it is empty)."""
        if self._client_instance is None:
            config = self.config
            public_key = None
            if config.get("WECHATPAY_PUBLIC_KEY_PATH"):
                public_key = _read(config["WECHATPAY_PUBLIC_KEY_PATH"])
            try:
                client = WeChatPay(
                    wechatpay_type=WeChatPayType.NATIVE,
                    mchid=config["WECHATPAY_MCHID"],
                    private_key=_read(config["WECHATPAY_PRIVATE_KEY_PATH"]),
                    cert_serial_no=config["WECHATPAY_CERT_SERIAL_NO"],
                    appid=config["WECHATPAY_APPID"],
                    apiv3_key=config["WECHATPAY_APIV3_KEY"],
                    notify_url=self.notify_url,
                    cert_dir=None if public_key else config.get("WECHATPAY_PLATFORM_CERT_DIR"),
                    timeout=(5, int(config.get("WECHATPAY_TIMEOUT_SECONDS") or 15)),
                    public_key=public_key,
                    public_key_id=config.get("WECHATPAY_PUBLIC_KEY_ID") if public_key else None,
                )
            except Exception as error:  # the library raises bare Exception for keys and certificates
                raise ProviderError(f"WeChat Pay client not usable: {error}") from error
            client._core._gate_way = (config.get("WECHATPAY_GATEWAY") or "https://api.mch.weixin.qq.com").rstrip("/")
            self._client_instance = client
        return self._client_instance

    @property
    def notify_url(self) -> str:
        return self.config["PUBLIC_BASE_URL"].rstrip("/") + "/hooks/payments/wechatpay"

    def _call(self, method: str, *args, ok=(200, 204), **kwargs) -> tuple[int, dict]:
        """Call a client method; returns (status, JSON answer). Raises ProviderError when WeChat
        cannot be reached, its answer's signature fails, or it answers with an error."""
        try:
            status, text = getattr(self.client, method)(*args, **kwargs)
        except ProviderError:
            raise
        except Exception as error:  # requests errors and the library's "failed to verify the signature"
            raise ProviderError(f"WeChat Pay {method}: {error}") from error
        body = _json(text)
        if status not in ok:
            raise ProviderError(
                f"WeChat Pay {method}: {status} {body.get('code', '')} {body.get('message', '')}".strip()
            )
        return status, body

    # -- paying -----------------------------------------------------------------------------------

    def create_payment(self, order, attempt: int, return_url: str, device: str = "desktop") -> PaymentStart:
        previous = order.payment.checkout_reference if order.payment is not None else None
        if previous and order.payment.provider == self.name:
            self.close(previous)
        out_trade_no = f"{order.number}A{attempt}"
        expire = datetime.now(CHINA) + timedelta(minutes=int(self.config.get("WECHATPAY_PAY_MINUTES") or 120))
        arguments = {
            "description": f"{order.number} {order.title}"[:60],
            "out_trade_no": out_trade_no,
            "amount": {"total": to_minor_units(amount_due(order)), "currency": self.config["CURRENCY"]},
            "attach": str(order.id),
            "time_expire": expire.isoformat(timespec="seconds"),
        }
        if self.config.get("WECHATPAY_PROFIT_SHARING"):
            arguments["settle_info"] = {"profit_sharing": True}
        if device == "phone":
            arguments["scene_info"] = {"payer_client_ip": self.client_ip, "h5_info": {"type": "Wap"}}
            _, body = self._call("pay", pay_type=WeChatPayType.H5, **arguments)
            if not body.get("h5_url"):
                raise ProviderError("WeChat Pay gave no h5_url")
            url = f"{body['h5_url']}&redirect_url={quote(return_url, safe='')}"
            return PaymentStart(redirect_url=url, checkout_reference=out_trade_no)
        _, body = self._call("pay", pay_type=WeChatPayType.NATIVE, **arguments)
        if not body.get("code_url"):
            raise ProviderError("WeChat Pay gave no code_url")
        return PaymentStart(checkout_reference=out_trade_no, qr_code=body["code_url"])

    def close(self, out_trade_no: str) -> None:
        """Close an unpaid WeChat order (an earlier attempt) so it can no longer be paid. Raises
        ProviderError unless WeChat closed it or it is already closed or unknown there."""
        try:
            self._call("close", out_trade_no=out_trade_no)
        except ProviderError as error:
            if not any(code in str(error) for code in NOTHING_TO_CLOSE):
                raise

    def query_payment(self, payment) -> PaymentEvent | None:
        """Ask WeChat about the payment's latest attempt: a PaymentEvent when it is paid, None when
        not (yet). Raises ProviderError."""
        body = self._query(payment)
        if body is None or body.get("trade_state") != "SUCCESS":
            return None
        return _transaction_event(f"query:{body['transaction_id']}", body)

    def _query(self, payment) -> dict | None:
        if not payment.checkout_reference:
            return None
        try:
            _, body = self._call("query", out_trade_no=payment.checkout_reference)
        except ProviderError as error:
            if "ORDER_NOT_EXIST" in str(error) or "ORDERNOTEXIST" in str(error):
                return None
            raise
        return body

    def remote_state(self, payment) -> tuple[Decimal, Decimal] | None:
        body = self._query(payment)
        if body is None:
            return None
        paid = (
            from_minor_units((body.get("amount") or {}).get("total"))
            if body.get("trade_state")
            in (
                "SUCCESS",
                "REFUND",
            )
            else Decimal("0.00")
        )
        refunded = Decimal("0.00")
        for entry in payment.entries:
            if entry.kind != "refund" or not entry.idempotency_key:
                continue
            report = self.query_refund(payment, entry.idempotency_key)
            if report is not None and report.succeeded:
                refunded += report.amount
        return paid, refunded

    def refund(self, payment, amount: Decimal, idempotency_key: str) -> RefundReport:
        """Ask WeChat to refund; its answer is usually PROCESSING (a pending report) and the
        result comes later, by a REFUND.* notification or query_refund. Raises ProviderError."""
        if not payment.provider_reference:
            raise ProviderError("no WeChat Pay transaction to refund yet")
        _, body = self._call(
            "refund",
            out_refund_no=idempotency_key,
            transaction_id=payment.provider_reference,
            amount={
                "refund": to_minor_units(amount),
                "total": to_minor_units(payment.amount_paid),
                "currency": payment.currency,
            },
        )
        if not body.get("refund_id"):
            raise ProviderError(f"WeChat Pay refund {idempotency_key}: no refund_id ({body.get('status', 'unknown')})")
        return _refund_report(body, body.get("status"))

    def query_refund(self, payment, idempotency_key: str) -> RefundReport | None:
        """WeChat's refund by our out_refund_no (/v3/refund/domestic/refunds/{out_refund_no}); None
        when WeChat has no such refund. Raises ProviderError."""
        try:
            _, body = self._call("query_refund", out_refund_no=idempotency_key)
        except ProviderError as error:
            if "RESOURCE_NOT_EXISTS" in str(error):
                return None
            raise
        if not body.get("refund_id"):
            return None
        return _refund_report(body, body.get("status"))

    # -- notifications ----------------------------------------------------------------------------

    def parse_and_verify_webhook(self, raw_body: bytes, headers) -> PaymentEvent:
        values = {name: (headers.get(name) or "").strip() for name in NOTIFY_HEADERS}
        values["Wechatpay-Signature-Type"] = (headers.get("Wechatpay-Signature-Type") or SIGNATURE_TYPE).strip()
        if not all(values.values()):
            raise InvalidSignature("missing Wechatpay-* headers")
        tolerance = int(self.config.get("WECHATPAY_NOTIFY_TOLERANCE") or 300)
        if (
            not values["Wechatpay-Timestamp"].isdigit()
            or abs(time.time() - int(values["Wechatpay-Timestamp"])) > tolerance
        ):
            raise InvalidSignature("stale or unreadable Wechatpay-Timestamp")
        public_key_id = self.config.get("WECHATPAY_PUBLIC_KEY_ID")
        if self.config.get("WECHATPAY_PUBLIC_KEY_PATH") and values["Wechatpay-Serial"] != public_key_id:
            # Only our WeChat Pay public key signs; an unknown serial must not make the library fetch.
            raise InvalidSignature("unknown Wechatpay-Serial")
        try:
            body = raw_body.decode("utf-8")
            data = self.client.callback(values, body)
        except ProviderError as error:
            raise InvalidSignature(str(error)) from error
        except Exception as error:  # bad serial, bad UTF-8, bad JSON, unsupported algorithm
            raise InvalidSignature(f"unreadable notification: {error}") from error
        if not data:
            raise InvalidSignature("signature or resource decryption failed")
        try:
            return self._to_event(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InvalidSignature(f"unexpected notification content: {error}") from error

    def _to_event(self, data: dict) -> PaymentEvent:
        event_id = str(data["id"])
        resource = data["resource"]
        if not isinstance(resource, dict) or str(resource.get("mchid", "")) != str(self.config["WECHATPAY_MCHID"]):
            return PaymentEvent(event_id, IGNORED, None, Decimal("0.00"))
        kind = data.get("event_type", "")
        if kind == "TRANSACTION.SUCCESS" and resource.get("trade_state") == "SUCCESS":
            return _transaction_event(event_id, resource)
        if kind.startswith("REFUND.") and resource.get("refund_id"):
            amount = resource["amount"]
            return PaymentEvent(
                event_id,
                REFUND_UPDATED,
                _order_id(resource),
                None,
                str(resource["transaction_id"]),
                paid_amount=_fen(amount["total"]),
                currency=str(amount.get("currency") or ""),
                refunds=(_refund_report(resource, resource.get("refund_status")),),
            )
        return PaymentEvent(event_id, IGNORED, None, Decimal("0.00"))

    # -- split settlement (分账) --------------------------------------------------------------------

    def request_split(self, payment, out_request_no: str, receivers: tuple[SplitReceiver, ...]) -> SplitResult:
        """Add each receiver (idempotent at WeChat), then ask for the split with the remainder kept
        frozen until finish_split. Raises ProviderError."""
        for receiver in receivers:
            self._call(
                "profitsharing_add_receiver",
                account_type=receiver.account_type,
                account=receiver.account,
                relation_type=RECEIVER_RELATION,
                name=receiver.name or None,
            )
        _, body = self._call(
            "profitsharing_order",
            transaction_id=self._transaction(payment),
            out_order_no=out_request_no,
            receivers=[
                {
                    "type": receiver.account_type,
                    "account": receiver.account,
                    "amount": int(receiver.amount_minor),
                    "description": receiver.description[:80],
                    **({"name": receiver.name} if receiver.name else {}),
                }
                for receiver in receivers
            ],
            unfreeze_unsplit=False,
        )
        return _split_result(out_request_no, body)

    def query_split(self, payment, out_request_no: str) -> SplitResult:
        _, body = self._call(
            "profitsharing_order_query", transaction_id=self._transaction(payment), out_order_no=out_request_no
        )
        return _split_result(out_request_no, body)

    def finish_split(self, payment, out_request_no: str) -> SplitResult:
        """Unfreeze what is left of the payment to the platform (WeChat's unfreeze, under its own
        request number ``<out_request_no>F``). Raises ProviderError."""
        _, body = self._call(
            "profitsharing_unfreeze",
            transaction_id=self._transaction(payment),
            out_order_no=f"{out_request_no}F",
            description="解冻剩余资金 Jishi platform fee",
        )
        result = _split_result(out_request_no, body)
        return SplitResult(out_request_no, result.provider_id, result.state, result.receivers)

    def split_statement(self, day) -> list[StatementLine]:
        """WeChat's split bill for ``day`` (China time): successful splits to receivers other than
        the platform itself (its own unfreezes are left out), amounts converted from yuan to fen.
        Raises ProviderError when the bill cannot be had or read."""
        _, body = self._call("profitsharing_bill", bill_date=day.isoformat(), tar_type="GZIP")
        url = body.get("download_url")
        if not url:
            raise ProviderError("WeChat Pay gave no download_url for the split bill")
        try:
            status, content = self.client.download_bill(url)
        except Exception as error:
            raise ProviderError(f"WeChat Pay bill download: {error}") from error
        if status != 200:
            raise ProviderError(f"WeChat Pay bill download: {status}")
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8")
        if str(body.get("hash_type", "SHA1")).upper() == "SHA1" and body.get("hash_value"):
            if hashlib.sha1(raw).hexdigest().lower() != str(body["hash_value"]).lower():
                raise ProviderError("WeChat Pay split bill does not match its hash")
        try:
            text = gzip.decompress(raw).decode("utf-8-sig") if raw[:2] == b"\x1f\x8b" else raw.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ProviderError(f"WeChat Pay split bill unreadable: {error}") from error
        return parse_split_bill(text, own_account=str(self.config["WECHATPAY_MCHID"]))

    @staticmethod
    def _transaction(payment) -> str:
        if not payment.provider_reference:
            raise ProviderError("the payment has no WeChat Pay transaction_id")
        return payment.provider_reference


# -- helpers ---------------------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ProviderError(f"cannot read {path}: {error}") from error


def _json(text) -> dict:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _fen(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"amount in fen must be an integer, not {value!r}")
    return from_minor_units(value)


def _order_id(resource: dict) -> int | None:
    raw = str(resource.get("attach") or "")
    if raw.isdigit() and len(raw) < 10:
        return int(raw)
    number = str(resource.get("out_trade_no") or "")
    # J0000042A1: the order number, "A", the attempt.
    head = number[1:].split("A", 1)[0] if number.startswith("J") else ""
    return int(head) if head.isdigit() and len(head) < 10 else None


# WeChat's refund status → where the refund stands (base.REFUND_*). ABNORMAL: the money could not
# go back to the buyer's card or account; CLOSED: WeChat closed the refund. Neither is made.
REFUND_STATES = {
    "SUCCESS": REFUND_SUCCEEDED,
    "PROCESSING": REFUND_PENDING,
    "ABNORMAL": REFUND_FAILED,
    "CLOSED": REFUND_FAILED,
}


def _refund_report(body: dict, status) -> RefundReport:
    """A refund answer, query or notification resource as a RefundReport (an unknown status is
    pending: only SUCCESS counts as refunded)."""
    return RefundReport(
        str(body["refund_id"]),
        _fen((body.get("amount") or {}).get("refund")),
        REFUND_STATES.get(status, REFUND_PENDING),
    )


def _transaction_event(event_id: str, resource: dict) -> PaymentEvent:
    amount = resource["amount"]
    return PaymentEvent(
        event_id,
        PAYMENT_SUCCEEDED,
        _order_id(resource),
        _fen(amount["total"]),
        str(resource["transaction_id"]),
        currency=str(amount.get("currency") or ""),
    )


def _split_result(out_request_no: str, body: dict) -> SplitResult:
    receivers = tuple(
        SplitReceiverResult(
            account=str(item.get("account", "")),
            amount_minor=int(item.get("amount") or 0),
            state=str(item.get("result") or "PENDING").lower(),
            fail_reason=str(item.get("fail_reason") or ""),
        )
        for item in body.get("receivers") or []
    )
    state = "finished" if body.get("state") == "FINISHED" else "processing"
    return SplitResult(
        str(body.get("out_order_no") or out_request_no), str(body.get("order_id") or ""), state, receivers
    )


# The split bill's detail columns, by their header (the file's column order is not fixed).
BILL_COLUMNS = {
    "out_request_no": ("商户分账单号", "商户分账/回退单号"),
    "provider_id": ("微信分账单号", "微信分账/回退单号"),
    "account": ("分账接收方", "分账接收方账号"),
    "amount": ("分账金额(元)", "分账金额（元）", "金额(元)"),
    "state": ("处理状态", "分账状态"),
}


def parse_split_bill(text: str, own_account: str = "") -> list[StatementLine]:
    """The detail lines of a WeChat Pay split bill (CSV; a header row, detail rows whose fields
    start with a backtick, then a summary with its own header). Raises ProviderError when a column
    is missing or a detail row cannot be read."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [cell.strip().lstrip("`") for cell in rows[0]]
    index = {}
    for key, names in BILL_COLUMNS.items():
        found = next((header.index(name) for name in names if name in header), None)
        if found is None:
            raise ProviderError(f"split bill has no column {names[0]}")
        index[key] = found
    lines = []
    for row in rows[1:]:
        if not row or not row[0].startswith("`"):
            break  # the summary part
        cells = [cell.strip().lstrip("`") for cell in row]
        try:
            amount = to_minor_units(Decimal(cells[index["amount"]]))
        except (InvalidOperation, IndexError) as error:
            raise ProviderError(f"split bill row unreadable: {row}") from error
        account = cells[index["account"]]
        if own_account and account == own_account:
            continue
        state = cells[index["state"]]
        lines.append(
            StatementLine(
                out_request_no=cells[index["out_request_no"]],
                provider_id=cells[index["provider_id"]],
                account=account,
                amount_minor=amount,
                state="success" if state in ("成功", "SUCCESS", "分账成功") else state.lower(),
            )
        )
    return lines
