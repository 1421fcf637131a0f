"""A fake Alipay open-platform gateway on 127.0.0.1 for the Alipay tests, speaking the documented
formats, with keys the tests generate (cryptography, RSA 2048):

- requests: GET /gateway.do?<common parameters>&biz_content=<JSON>&sign=… as python-alipay-sdk
  sends them; the RSA2 sign (SHA256withRSA over every parameter but ``sign``, sorted, ``k=v`` joined
  by ``&``) is verified with the test app's public key, and a bad one is answered as Alipay does
  (an unsigned ``isv.invalid-signature`` error);
- answers: ``{"<method>_response": {...}, "sign": "…"}`` signed with the test "Alipay" key over the
  node's JSON text exactly, so the SDK's answer check runs (``forge_answers`` signs with another key);
- notifications: form bodies signed with the "Alipay" key over every field but ``sign`` and
  ``sign_type`` (:meth:`FakeAlipay.notification`);
- bills: GET /bill/<date> serves the CSV that ``bill_download_url`` points at.

State: trades by out_trade_no, refunds by (trade_no, out_request_no), settlements by out_request_no.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import threading
import zipfile
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

APP_ID = "2021000000000001"
SELLER_ID = "2088000000000001"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def one_line(pem: str) -> str:
    """A key as Alipay's console shows it: the base64 body on one line, no PEM armour."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def rsa2_sign(key, text: str) -> str:
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(public_key, text: str, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ant Financial Certification Authority"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Certification Authority"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def certificate(subject_key, common_name: str, issuer_key, issuer_name: str, serial: int) -> str:
    """A PEM certificate for ``subject_key`` signed (sha256WithRSA) by ``issuer_key``."""
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(issuer_name))
        .public_key(subject_key.public_key())
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(issuer_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def cert_sn(issuer_name: str, serial: int) -> str:
    """Alipay's certificate serial: md5 of the issuer as CN=…,OU=…,O=…,C=… followed by the serial."""
    issuer = f"CN={issuer_name},OU=Certification Authority,O=Ant Financial Certification Authority,C=CN"
    return hashlib.md5(f"{issuer}{serial}".encode()).hexdigest()


class Certificates:
    """Certificate mode (公钥证书): a root, Alipay's certificate and the app's, issued by the root."""

    def __init__(self, fake: FakeAlipay):
        self.root_key = new_key()
        self.root = certificate(self.root_key, "Ant Financial Root CA", self.root_key, "Ant Financial Root CA", 1001)
        self.alipay = certificate(fake.alipay_key, "Alipay public key", self.root_key, "Ant Financial Root CA", 2002)
        self.app = certificate(fake.app_key, APP_ID, self.root_key, "Ant Financial Root CA", 3003)
        self.app_sn = cert_sn("Ant Financial Root CA", 3003)
        self.root_sn = cert_sn("Ant Financial Root CA", 1001)
        self.alipay_sn = cert_sn("Ant Financial Root CA", 2002)


def signing_string(fields: dict, leave_out=("sign",)) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(fields.items()) if k not in leave_out)


class FakeAlipay:
    def __init__(self):
        self.app_key = new_key()
        self.alipay_key = new_key()
        self.other_key = new_key()
        self.requests: list[dict] = []
        self.trades: dict[str, dict] = {}
        self.refunds: dict[tuple[str, str], str] = {}
        self.settlements: dict[str, dict] = {}
        self.unsettled: dict[str, str] = {}
        self.bills: dict[str, bytes] = {}
        self.forge_answers = False
        self.certificates: Certificates | None = None  # set: requests must carry the certificate serials
        self.refuse_signs = False
        # A sub_code alipay.trade.refund answers with instead of refunding (e.g. ACQ.TRADE_NOT_ALLOW_REFUND).
        self.refund_refusal: str | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.gateway = f"{self.url}/gateway.do"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeAlipay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # What the tests read ---------------------------------------------------------------------

    def calls(self, method: str) -> list[dict]:
        """The verified requests of ``method``, each with its parsed ``biz`` (biz_content)."""
        return [r for r in self.requests if r["params"].get("method") == method and r["verified"]]

    def add_trade(self, out_trade_no: str, total: str, status: str = "TRADE_SUCCESS", trade_no: str | None = None):
        trade_no = trade_no or f"2026120722001{len(self.trades) + 1:011d}"
        self.trades[out_trade_no] = {"trade_no": trade_no, "total_amount": total, "trade_status": status}
        return trade_no

    def notification(self, key=None, **fields) -> str:
        """A notification body as Alipay POSTs it, signed with the "Alipay" key (or ``key``)."""
        body = {
            "notify_time": "2026-12-07 10:00:00",
            "notify_type": "trade_status_sync",
            "notify_id": f"ac05099524730693a8b330c5ecf72da{len(fields)}",
            "app_id": APP_ID,
            "charset": "utf-8",
            "version": "1.0",
            "seller_id": SELLER_ID,
            **{k: v for k, v in fields.items() if v is not None},
        }
        body["sign"] = rsa2_sign(key or self.alipay_key, signing_string(body, ("sign", "sign_type")))
        body["sign_type"] = "RSA2"
        return urlencode(body)

    # The gateway -----------------------------------------------------------------------------

    def answer(self, method: str, biz: dict) -> dict:
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.UNKNOWN_METHOD"}
        return handler(biz)

    def _alipay_trade_query(self, biz):
        """By out_trade_no or by Alipay's trade_no, as the documented query allows."""
        number = biz.get("out_trade_no")
        if not number and biz.get("trade_no"):
            number = next((k for k, t in self.trades.items() if t["trade_no"] == biz["trade_no"]), None)
        trade = self.trades.get(number)
        if trade is None:
            return _failed("ACQ.TRADE_NOT_EXIST", "交易不存在")
        return {"code": "10000", "msg": "Success", "out_trade_no": number, **trade}

    def _alipay_trade_close(self, biz):
        trade = self.trades.get(biz.get("out_trade_no"))
        if trade is None:
            return _failed("ACQ.TRADE_NOT_EXIST", "交易不存在")
        if trade["trade_status"] != "WAIT_BUYER_PAY":
            return _failed("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade["trade_status"] = "TRADE_CLOSED"
        return {"code": "10000", "msg": "Success", "trade_no": trade["trade_no"], "out_trade_no": biz["out_trade_no"]}

    def _trade_by_no(self, trade_no):
        return next((t for t in self.trades.values() if t["trade_no"] == trade_no), None)

    def _alipay_trade_refund(self, biz):
        trade = self._trade_by_no(biz.get("trade_no"))
        if trade is None:
            return _failed("ACQ.TRADE_NOT_EXIST", "交易不存在")
        if self.refund_refusal:
            return _failed(self.refund_refusal, "交易不允许退款")
        key = (trade["trade_no"], biz["out_request_no"])
        change = "N" if key in self.refunds else "Y"
        self.refunds.setdefault(key, biz["refund_amount"])
        refunded = sum((Decimal(v) for (t, _), v in self.refunds.items() if t == trade["trade_no"]), Decimal("0"))
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade["trade_no"],
            "fund_change": change,
            "refund_fee": str(refunded.quantize(Decimal("0.01"))),
        }

    def _alipay_trade_fastpay_refund_query(self, biz):
        amount = self.refunds.get((biz.get("trade_no"), biz.get("out_request_no")))
        if amount is None:
            return {"code": "10000", "msg": "Success"}
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": biz["trade_no"],
            "out_request_no": biz["out_request_no"],
            "refund_amount": amount,
            "refund_status": "REFUND_SUCCESS",
        }

    def _alipay_trade_order_settle(self, biz):
        number = biz["out_request_no"]
        if number in self.settlements:
            return _failed("ACQ.DUPLICATE_REQUEST", "请求重复")
        self.settlements[number] = {
            "trade_no": biz["trade_no"],
            "parameters": biz.get("royalty_parameters") or [],
            "finish": (biz.get("extend_params") or {}).get("royalty_finish") == "true",
            "state": "PROCESSING",
        }
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": biz["trade_no"],
            "settle_no": f"S{len(self.settlements)}",
        }

    def _alipay_trade_order_settle_query(self, biz):
        settlement = self.settlements.get(biz.get("out_request_no"))
        if settlement is None:
            return _failed("ACQ.SETTLE_NOT_EXIST", "分账单不存在")
        details = [
            {
                "operation_type": "transfer",
                "execute_dt": "2026-12-07 10:00:00",
                "trans_out": SELLER_ID,
                "trans_in": p["trans_in"],
                "amount": p["amount"],
                "state": settlement["state"],
                **(
                    {"error_code": "RECEIVE_ACCOUNT_ERROR", "error_desc": "收款账户异常"}
                    if settlement["state"] == "FAIL"
                    else {}
                ),
                "detail_id": f"D{i}",
            }
            for i, p in enumerate(settlement["parameters"])
        ]
        return {
            "code": "10000",
            "msg": "Success",
            "out_request_no": biz["out_request_no"],
            "operation_dt": "2026-12-07 10:00:00",
            "royalty_detail_list": details,
        }

    def account_bill(self, day: str, extra_rows: list[list[str]] | None = None, leave_out=()) -> bytes:
        """The day's account bill (账务明细, bill_type signcustomer) as Alipay serves it: a zip of
        one GBK CSV with ``#`` comment lines around the table; one 分账 line (an outgoing amount,
        negative, in yuan) per receiver of each split that succeeded, and an 在线支付 line per paid
        trade (not a split: reconciliation skips it)."""
        header = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注"
        rows = []
        for number, trade in self.trades.items():
            if trade["trade_status"] in ("TRADE_SUCCESS", "TRADE_FINISHED"):
                rows.append(
                    [
                        trade["trade_no"],
                        number,
                        "",
                        f"{day} 09:00:00",
                        "2088102177846880",
                        trade["total_amount"],
                        "",
                        "在线支付",
                    ]
                )
        for number, settlement in self.settlements.items():
            if settlement["state"] != "SUCCESS" or number in leave_out:
                continue
            for parameter in settlement["parameters"]:
                rows.append(
                    [
                        f"S{number}",
                        number,
                        "",
                        f"{day} 10:00:00",
                        parameter["trans_in"],
                        "",
                        f"-{parameter['amount']}",
                        "分账",
                    ]
                )
        rows += extra_rows or []
        lines = [
            "#支付宝账务明细查询",
            f"#账号：[{SELLER_ID}0156]",
            "#-----------------------------------------账务明细列表----------------------------------------",
            header,
        ]
        for i, (provider_id, number, name, when, account, income, outgoing, kind) in enumerate(rows, 1):
            lines.append(
                f"{day.replace('-', '')}{i:06d},{provider_id},{number},{name},{when},{account},{income},{outgoing},0.00,,{kind},"
            )
        lines += [
            "#-----------------------------------------账务明细列表结束------------------------------------",
            f"#导出时间：[{day} 23:59:59]",
        ]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"{SELLER_ID}0156_{day.replace('-', '')}_账务明细.csv", "\n".join(lines).encode("gb18030"))
        return buffer.getvalue()

    def _alipay_trade_order_onsettle_query(self, biz):
        return {"code": "10000", "msg": "Success", "unsettled_amount": self.unsettled.get(biz.get("trade_no"), "0.00")}

    def _alipay_trade_royalty_relation_bind(self, biz):
        if not biz.get("receiver_list"):
            return _failed("ACQ.INVALID_PARAMETER", "参数无效")
        return {"code": "10000", "msg": "Success", "result_code": "SUCCESS"}

    def _alipay_data_dataservice_bill_downloadurl_query(self, biz):
        if biz.get("bill_date") not in self.bills:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "isp.bill_not_exist",
                "sub_msg": "账单不存在",
            }
        return {"code": "10000", "msg": "Success", "bill_download_url": f"{self.url}/bill/{biz['bill_date']}"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parsed = urlparse(self.path)
                if parsed.path.startswith("/bill/"):
                    return self._send(200, fake.bills.get(parsed.path.rsplit("/", 1)[-1], b""), "text/csv")
                if parsed.path != "/gateway.do":
                    return self._send(404, b"not found", "text/plain")
                params = dict(parse_qsl(parsed.query, keep_blank_values=True))
                sign = params.get("sign", "")
                verified = rsa2_verify(fake.app_key.public_key(), signing_string(params), sign)
                if fake.certificates is not None:
                    verified = verified and (params.get("app_cert_sn"), params.get("alipay_root_cert_sn")) == (
                        fake.certificates.app_sn,
                        fake.certificates.root_sn,
                    )
                biz = json.loads(params.get("biz_content") or "{}")
                fake.requests.append({"params": params, "biz": biz, "verified": verified})
                method = params.get("method", "")
                node_name = method.replace(".", "_") + "_response"
                if not verified or fake.refuse_signs:
                    node = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"}
                    return self._send(200, json.dumps({node_name: node}).encode(), "application/json")
                node_text = json.dumps(fake.answer(method, biz), ensure_ascii=False, separators=(",", ":"))
                key = fake.other_key if fake.forge_answers else fake.alipay_key
                body = f'{{"{node_name}":{node_text},"sign":"{rsa2_sign(key, node_text)}"}}'
                if fake.certificates is not None:
                    body = body[:-1] + f',"alipay_cert_sn":"{fake.certificates.alipay_sn}"}}'
                return self._send(200, body.encode(), "application/json;charset=utf-8")

            def _send(self, status, body, content_type):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _failed(sub_code: str, message: str) -> dict:
    return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": message}


# Fixtures (imported by the Alipay test modules) ----------------------------------------------

DESKTOP_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
PHONE_AGENT = "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


@pytest.fixture
def alipay(app, payment_settings):
    """The fake gateway running, and Alipay enabled against it with the test keys (the app key as
    PEM, Alipay's public key as the one base64 line the console shows)."""
    fake = FakeAlipay().start()
    app.config.update(
        PAYMENT_PROVIDERS="manual,stripe,alipay",
        ALIPAY_APP_ID=APP_ID,
        ALIPAY_APP_PRIVATE_KEY=private_pem(fake.app_key),
        ALIPAY_PUBLIC_KEY=one_line(public_pem(fake.alipay_key)),
        ALIPAY_GATEWAY_URL=fake.gateway,
        ALIPAY_SELLER_ID=SELLER_ID,
        ALIPAY_ROYALTY_FREEZE=False,
    )
    yield fake
    fake.stop()


def post_notification(client, body: str | bytes):
    return client.post(
        "/hooks/payments/alipay",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        csrf=False,
    )


def paid_notification(fake, order, trade_no="2026120722001000000000000001", total="35.00", attempt=1, **extra):
    return fake.notification(
        trade_no=trade_no,
        out_trade_no=f"{order.number}_{attempt}",
        trade_status=extra.pop("trade_status", "TRADE_SUCCESS"),
        total_amount=total,
        receipt_amount=total,
        buyer_id="2088102177846880",
        gmt_payment="2026-12-07 09:59:58",
        **extra,
    )


def start_alipay(client, login, buyer, order, agent=DESKTOP_AGENT, device="auto"):
    login(buyer)
    return client.post(
        f"/orders/{order.id}/payment",
        data={"provider": "alipay", "device": device},
        headers={"User-Agent": agent},
    )


@pytest.fixture
def alipay_paid_order(client, db, alipay, confirmed_order):
    """The confirmed order (¥35.00) paid through Alipay: the notification recorded it."""
    alipay.add_trade(f"{confirmed_order.number}_1", "35.00", trade_no="2026120722001000000000000001")
    response = post_notification(client, paid_notification(alipay, confirmed_order))
    assert response.get_data(as_text=True) == "success"
    db.session.refresh(confirmed_order)
    return confirmed_order
