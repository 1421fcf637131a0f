"""Alipay (支付宝) through python-alipay-sdk, RSA2 with the app's private key and Alipay's public key
(public-key mode, ``AliPay``) or Alipay's certificates (公钥证书 mode, ``DCAliPay``).

- Checkout: 电脑网站支付 ``alipay.trade.page.pay`` on a computer, 手机网站支付 ``alipay.trade.wap.pay``
  on a phone; both are a signed redirect to the gateway. ``out_trade_no`` is ``<order number>_<attempt>``
  (J0000042_3), so a notification names its order; the previous attempt's trade is closed first
  (``alipay.trade.close``) so that two open cashier tabs cannot both be paid.
- Notifications (异步通知, a form POST): verified with Alipay's public key over every field but
  ``sign`` and ``sign_type``, then ``app_id`` (and ``seller_id`` when configured) must be ours.
  TRADE_SUCCESS / TRADE_FINISHED report the trade's ``total_amount`` as paid; a notification with
  ``refund_fee`` (a partial refund keeps TRADE_SUCCESS, a full one is TRADE_CLOSED) reports the
  cumulative refunded amount. The event id is made of the trade number, the status and the refund
  total, so a replay, and the return page's query of the same state, are the same event.
  ``checkout_amount`` carries ``total_amount``: services refuse a notification whose amount is not
  the payment's (docs/payments-alipay.md).
- Refunds: ``alipay.trade.refund`` with ``out_request_no`` = our idempotency key; a repeat answers
  ``fund_change=N`` and ``alipay.trade.fastpay.refund.query`` then tells whether it went through.
- Split settlement (分账): see app/payments/providers/alipay_split.py.

Amounts go to Alipay as yuan strings with two decimals made from Decimal/fen, never floats.
"""

from __future__ import annotations

import binascii
import re
from decimal import Decimal
from pathlib import Path
from urllib.error import URLError
from urllib.parse import parse_qsl

from alipay import AliPay, DCAliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from flask_babel import lazy_gettext as _l
from OpenSSL.crypto import Error as OpenSSLError

from app.payments.providers.alipay_split import AlipaySplitMixin, describe, parse_yuan
from app.payments.providers.base import (
    CENT,
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
    register,
)

PAID_STATUSES = ("TRADE_SUCCESS", "TRADE_FINISHED")
# alipay.trade.refund refusals that a retry under the same out_request_no will not change: the
# trade may no longer be refunded (its refund period is over, or refunds are not allowed on it).
REFUSED_FOR_GOOD = frozenset({"ACQ.TRADE_NOT_ALLOW_REFUND", "ACQ.TRADE_HAS_FINISHED"})
OUT_TRADE_NO = re.compile(r"^J(\d{7,9})_(\d{1,6})$")
OK = "10000"


def yuan(amount: Decimal) -> str:
    """Alipay's amount format: yuan with two decimals, from a Decimal (never a float)."""
    return str(Decimal(amount).quantize(CENT))


def out_trade_no(order, attempt: int) -> str:
    return f"{order.number}_{attempt}"


def order_id_of(trade_number: str) -> int | None:
    """The order id inside one of our ``out_trade_no`` values, None for anything else."""
    match = OUT_TRADE_NO.match(trade_number or "")
    return int(match.group(1)) if match else None


def _pem(text: str, kind: str) -> str:
    """Alipay's console shows keys as one base64 line; the SDK wants PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return text
    body = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def _setting(config, name: str) -> str:
    """A key given inline (NAME) or as a file (NAME_PATH)."""
    if config.get(name):
        return config[name]
    path = config.get(f"{name}_PATH")
    return Path(path).read_text() if path else ""


class _Client(AliPay):
    """python-alipay-sdk's client (public-key mode) with the gateway and timeout from our settings
    (the SDK only knows its production and sandbox gateways)."""

    def __init__(self, gateway: str, timeout: int, **kwargs):
        super().__init__(config=AliPayConfig(timeout=timeout), **kwargs)
        self._gateway = gateway

    @property
    def gateway(self) -> str:
        return self._gateway


class _CertClient(DCAliPay):
    """The SDK's certificate-mode client (公钥证书): requests carry app_cert_sn and
    alipay_root_cert_sn, Alipay's public key comes from its certificate."""

    def __init__(self, gateway: str, timeout: int, **kwargs):
        super().__init__(**kwargs)
        self._config = AliPayConfig(timeout=timeout)
        self._gateway = gateway

    @property
    def gateway(self) -> str:
        return self._gateway


@register
class AlipayProvider(AlipaySplitMixin, PaymentProvider):
    name = "alipay"
    label = _l("Alipay (支付宝)")
    return_checks = True

    @classmethod
    def enabled(cls, config) -> bool:
        def given(name):
            return bool(config.get(name) or config.get(f"{name}_PATH"))

        certificates = given("ALIPAY_APP_CERT") and given("ALIPAY_PUBLIC_CERT") and given("ALIPAY_ROOT_CERT")
        return (
            bool(config.get("ALIPAY_APP_ID"))
            and given("ALIPAY_APP_PRIVATE_KEY")
            and (given("ALIPAY_PUBLIC_KEY") or certificates)
        )

    def __init__(self, config):
        super().__init__(config)
        self._client = None
        # Only trades paid with royalty_freeze wait for 分账; the class itself says no.
        self.supports_split = bool(config.get("ALIPAY_ROYALTY_FREEZE"))

    @property
    def client(self) -> _Client | _CertClient:
        """The SDK client: certificate mode when the three certificates are set, else public-key mode.
        Raises ProviderError when a key or certificate cannot be read."""
        if self._client is None:
            gateway = self.config.get("ALIPAY_GATEWAY_URL") or "https://openapi.alipay.com/gateway.do"
            timeout = int(self.config.get("ALIPAY_TIMEOUT") or 15)
            try:
                private_key = _pem(_setting(self.config, "ALIPAY_APP_PRIVATE_KEY"), "PRIVATE KEY")
                if _setting(self.config, "ALIPAY_APP_CERT"):
                    self._client = _CertClient(
                        gateway,
                        timeout,
                        appid=self.config["ALIPAY_APP_ID"],
                        app_private_key_string=private_key,
                        app_public_key_cert_string=_setting(self.config, "ALIPAY_APP_CERT"),
                        alipay_public_key_cert_string=_setting(self.config, "ALIPAY_PUBLIC_CERT"),
                        alipay_root_cert_string=_setting(self.config, "ALIPAY_ROOT_CERT"),
                        sign_type="RSA2",
                    )
                    # The SDK works these out on first use: a broken certificate fails here, not mid-call.
                    if not (self._client.app_cert_sn and self._client.alipay_root_cert_sn):
                        raise ValueError("ALIPAY_ROOT_CERT holds no RSA certificate")
                else:
                    self._client = _Client(
                        gateway,
                        timeout,
                        appid=self.config["ALIPAY_APP_ID"],
                        app_private_key_string=private_key,
                        alipay_public_key_string=_pem(_setting(self.config, "ALIPAY_PUBLIC_KEY"), "PUBLIC KEY"),
                        sign_type="RSA2",
                    )
            except (ValueError, IndexError, TypeError, OSError, OpenSSLError) as error:
                self._client = None
                raise ProviderError(f"Alipay keys or certificates cannot be loaded: {error}") from error
        return self._client

    @property
    def notify_url(self) -> str:
        return self.config.get("ALIPAY_NOTIFY_URL") or (
            self.config["PUBLIC_BASE_URL"].rstrip("/") + "/hooks/payments/alipay"
        )

    # Checkout -------------------------------------------------------------------------------

    def create_payment(self, order, attempt: int, return_url: str, device: str = "desktop") -> PaymentStart:
        if attempt > 1:
            self.close(out_trade_no(order, attempt - 1))
        number = out_trade_no(order, attempt)
        extra = {"timeout_express": self.config.get("ALIPAY_TIMEOUT_EXPRESS") or "2h"}
        if self.config.get("ALIPAY_SELLER_ID"):
            extra["seller_id"] = self.config["ALIPAY_SELLER_ID"]
        if self.supports_split:
            # The money stays frozen for 分账 until alipay.trade.order.settle (royalty_finish) releases it.
            extra["extend_params"] = {"royalty_freeze": "true"}
        # Alipay refuses / = & in a subject.
        subject = re.sub(r"[/=&]+", " ", f"{order.number} {order.title}")[:128]
        arguments = {
            "subject": subject,
            "out_trade_no": number,
            "total_amount": yuan(order.total),
            "return_url": return_url,
            "notify_url": self.notify_url,
            **extra,
        }
        if device == "phone":
            query = self.client.api_alipay_trade_wap_pay(quit_url=return_url, **arguments)
        else:
            query = self.client.api_alipay_trade_page_pay(**arguments)
        return PaymentStart(redirect_url=f"{self.client.gateway}?{query}", checkout_reference=number)

    def close(self, trade_number: str) -> bool:
        """Close an unpaid trade (alipay.trade.close). Returns whether Alipay closed it; a trade
        Alipay never saw (the buyer did not log in at the cashier) or one already paid is left as
        it is, and so is any failure: closing is a courtesy, the notifications stay the truth."""
        try:
            answer = self._call("alipay.trade.close", {"out_trade_no": trade_number})
        except ProviderError:
            return False
        return answer.get("code") == OK

    def query_payment(self, payment) -> PaymentEvent | None:
        """Ask Alipay about the payment's latest trade (alipay.trade.query), for the return page.
        Returns a PAYMENT_SUCCEEDED event when it is paid, None while it is not (or unknown to
        Alipay yet). Raises ProviderError."""
        number = payment.checkout_reference
        if not number:
            return None
        answer = self._call("alipay.trade.query", {"out_trade_no": number})
        if answer.get("code") != OK:
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return None
            raise ProviderError(describe(answer))
        if answer.get("trade_status") not in PAID_STATUSES:
            return None
        try:
            return _trade_event(answer)
        except ValueError as error:
            raise ProviderError(str(error)) from error

    # Notifications ----------------------------------------------------------------------------

    def parse_and_verify_webhook(self, raw_body: bytes, headers) -> PaymentEvent:
        try:
            fields = dict(parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as error:
            raise InvalidSignature(f"unreadable notification: {error}") from error
        signature = fields.pop("sign", "")
        if not signature:
            raise InvalidSignature("notification without sign")
        if fields.get("sign_type") != "RSA2":
            raise InvalidSignature("notification not signed with RSA2")
        signed = dict(fields)
        try:
            verified = self.client.verify(signed, signature)
        except (AliPayException, ValueError, TypeError, binascii.Error) as error:
            raise InvalidSignature(f"unverifiable sign: {error}") from error
        except ProviderError as error:
            raise InvalidSignature(str(error)) from error
        if not verified:
            raise InvalidSignature("sign does not match")
        if fields.get("app_id") != str(self.config["ALIPAY_APP_ID"]):
            raise InvalidSignature("notification for another app_id")
        seller = self.config.get("ALIPAY_SELLER_ID")
        if seller and fields.get("seller_id") != seller:
            raise InvalidSignature("notification for another seller_id")
        if fields.get("notify_type", "trade_status_sync") != "trade_status_sync":
            return PaymentEvent(f"notify:{fields.get('notify_id', '')}", IGNORED, None, None)
        try:
            return _trade_event(fields)
        except ValueError as error:
            raise InvalidSignature(f"unreadable notification: {error}") from error

    # Refunds -----------------------------------------------------------------------------------

    def refund(self, payment, amount: Decimal, idempotency_key: str) -> RefundReport:
        """alipay.trade.refund answers synchronously: ``fund_change=Y`` is a refund made. A repeat
        of the same ``out_request_no`` answers ``fund_change=N``, and the refund query tells
        whether it was made; when it was not, the refund is pending (sent again under the same
        number later, as Alipay says to). A refusal Alipay will not change its mind about
        (REFUSED_FOR_GOOD) is a failed refund. Raises ProviderError for anything else."""
        if not payment.provider_reference:
            raise ProviderError("no Alipay trade to refund yet")
        answer = self._call(
            "alipay.trade.refund",
            {
                "trade_no": payment.provider_reference,
                "refund_amount": yuan(amount),
                "out_request_no": idempotency_key,
                "refund_reason": "Jishi refund",
            },
        )
        if answer.get("code") != OK:
            if answer.get("sub_code") in REFUSED_FOR_GOOD:
                return RefundReport(idempotency_key, Decimal(amount), REFUND_FAILED)
            raise ProviderError(describe(answer))
        if answer.get("fund_change") == "Y":
            return RefundReport(idempotency_key, Decimal(amount), REFUND_SUCCEEDED)
        made = self.query_refund(payment, idempotency_key)
        return made or RefundReport(idempotency_key, Decimal(amount), REFUND_PENDING)

    def query_refund(self, payment, idempotency_key: str) -> RefundReport | None:
        """The refund ``idempotency_key`` (our out_request_no) as alipay.trade.fastpay.refund.query
        reports it: a succeeded report when it was made, None when it was not (Alipay's answer
        to such a refund is to send it again under the same number). Raises ProviderError."""
        answer = self._call(
            "alipay.trade.fastpay.refund.query",
            {"trade_no": payment.provider_reference, "out_request_no": idempotency_key},
        )
        if answer.get("code") != OK:
            raise ProviderError(describe(answer))
        # Older answers leave refund_status out: a found refund with an amount is a made refund.
        status = answer.get("refund_status")
        if status == "REFUND_SUCCESS" or (status is None and answer.get("refund_amount")):
            try:
                return RefundReport(idempotency_key, parse_yuan(answer.get("refund_amount")), REFUND_SUCCEEDED)
            except ValueError as error:
                raise ProviderError(str(error)) from error
        return None

    def remote_state(self, payment) -> tuple[Decimal, Decimal] | None:
        """(paid, refunded) as Alipay sees the payment's trade (the one that paid, else the latest
        checkout), for `flask payments reconcile`: alipay.trade.query's ``total_amount`` when the
        trade is paid (or closed after our refunds), and the sum of our refunds that
        alipay.trade.fastpay.refund.query says were made. (0, 0) for a trade Alipay never saw; None when there is no trade to ask about.
        Raises ProviderError."""
        # The trade that paid when Alipay has named one, else the latest checkout.
        if payment.provider_reference:
            asked = {"trade_no": payment.provider_reference}
        elif payment.checkout_reference:
            asked = {"out_trade_no": payment.checkout_reference}
        else:
            return None
        answer = self._call("alipay.trade.query", asked)
        if answer.get("code") != OK:
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return Decimal("0.00"), Decimal("0.00")
            raise ProviderError(describe(answer))
        status = answer.get("trade_status")
        refunds = [e for e in payment.entries if e.kind == "refund" and e.idempotency_key]
        try:
            paid = parse_yuan(answer.get("total_amount")) if status in PAID_STATUSES else Decimal("0.00")
            if status == "TRADE_CLOSED" and (refunds or payment.amount_refunded):
                # A trade closed by a full refund was paid; one closed unpaid has no refunds.
                paid = parse_yuan(answer.get("total_amount"))
        except ValueError as error:
            raise ProviderError(str(error)) from error
        refunded = Decimal("0.00")
        # Only a trade Jishi knows by its trade_no was ever refunded by Jishi.
        if paid and payment.provider_reference:
            for entry in refunds:
                report = self.query_refund(payment, entry.idempotency_key)
                if report is not None:
                    refunded += report.amount
        return paid, refunded

    # Gateway -----------------------------------------------------------------------------------

    def _call(self, method: str, biz_content: dict) -> dict:
        """One gateway call through the SDK, whose answer's sign is verified with Alipay's public
        key. Returns the answer's node (business failures included: check ``code``). Raises
        ProviderError when unreachable, unsigned, forged or unreadable."""
        try:
            return self.client.server_api(method, biz_content)
        except AliPayValidationError as error:
            raise ProviderError(f"{method}: the answer's sign does not match") from error
        except (AliPayException, URLError, OSError, ValueError, KeyError, AttributeError) as error:
            raise ProviderError(f"{method}: {error}") from error


def _trade_event(fields: dict) -> PaymentEvent:
    """The PaymentEvent for a trade's state as a notification or a query reports it. Raises
    ValueError for fields that are not Alipay's."""
    trade_no = str(fields.get("trade_no") or "")
    status = str(fields.get("trade_status") or "")
    number = str(fields.get("out_trade_no") or "")
    if not trade_no or not status:
        raise ValueError("trade_no and trade_status are required")
    refunded = fields.get("refund_fee") or ""
    event_id = f"{trade_no}:{status}:{refunded}"
    order_id = order_id_of(number)
    if status == "TRADE_CLOSED" and not refunded:
        return PaymentEvent(event_id, IGNORED, order_id, None, trade_no)
    total = parse_yuan(fields.get("total_amount"))
    if refunded:
        return PaymentEvent(
            event_id,
            REFUND_UPDATED,
            order_id,
            parse_yuan(refunded),
            trade_no,
            paid_amount=total,
            currency="CNY",
            checkout_amount=total,
        )
    if status in PAID_STATUSES:
        return PaymentEvent(
            event_id, PAYMENT_SUCCEEDED, order_id, total, trade_no, currency="CNY", checkout_amount=total
        )
    return PaymentEvent(event_id, IGNORED, order_id, None, trade_no)
