"""A fake WeChat Pay API v3 on 127.0.0.1 for the real wechatpayv3 client, and notifications signed
and encrypted the way WeChat Pay sends them.

Keys and certificates are made here at test time (nothing real is in the repository): the
merchant's RSA key (the client signs requests with it; the fake checks every ``Authorization:
WECHATPAY2-SHA256-RSA2048 …`` header against it) and WeChat Pay's platform key with a self-signed
certificate (the fake signs every answer with it: ``Wechatpay-Timestamp/Nonce/Signature/Serial``
over ``timestamp\\nnonce\\nbody\\n``; notifications are signed the same way, their resource
encrypted with AEAD_AES_256_GCM under the APIv3 key).

The fake speaks the documented JSON of: Native and H5 orders, query and close by out_trade_no,
domestic refunds (answered with ``refund_status``, PROCESSING by default, as WeChat
usually answers) and their query, split receivers/add, profitsharing orders with query and
unfreeze, the split bill (download_url + SHA1, then a gzip CSV), and /v3/certificates.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
APIV3_KEY = "0123456789abcdefABCDEF0123456789"  # 32 bytes, made up for the tests
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092025010100000000000001"
AUTHORIZATION = re.compile(r"^WECHATPAY2-SHA256-RSA2048 (.+)$")


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


def self_signed(key, serial: int) -> x509.Certificate:
    """A platform certificate like WeChat Pay's, valid from yesterday for 30 days (from the clock)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (test)")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


def rsa_sign(key, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def encrypt_resource(plain: dict | str, associated_data: str = "transaction", key: str = APIV3_KEY) -> dict:
    """AEAD_AES_256_GCM under the APIv3 key with a 12-character nonce, as WeChat Pay encrypts."""
    nonce = secrets.token_hex(6)
    text = plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)
    ciphertext = AESGCM(key.encode()).encrypt(nonce.encode(), text.encode(), associated_data.encode())
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


@dataclass
class Keys:
    merchant: rsa.RSAPrivateKey
    platform: rsa.RSAPrivateKey
    platform_cert: x509.Certificate

    @property
    def platform_serial(self) -> str:
        return format(self.platform_cert.serial_number, "X")


def make_keys() -> Keys:
    platform = new_key()
    return Keys(new_key(), platform, self_signed(platform, int("7132D72A03E93CDDF8C03BBD1F37EEDF204E5AD2", 16)))


@dataclass
class FakeWeChatPay:
    keys: Keys
    # Sign answers as the WeChat Pay public key (its id) instead of the platform certificate.
    public_key_mode: bool = False
    requests: list[dict] = field(default_factory=list)
    transactions: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    receivers: dict[str, dict] = field(default_factory=dict)
    splits: dict[str, dict] = field(default_factory=dict)
    bills: dict[str, str] = field(default_factory=dict)
    # (method, path prefix) → list of statuses to answer with before behaving (e.g. [500]).
    failures: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # (method, path prefix) → statuses answered after the request was carried out (an answer lost
    # on the way back: WeChat made the change, Jishi never heard).
    lost_answers: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # What a split query says: FINISHED with SUCCESS receivers, or CLOSED receivers.
    split_outcome: str = "SUCCESS"
    refund_status: str = "PROCESSING"
    bad_answer_signature: bool = False
    # Further platform certificates /v3/certificates hands out (a rotation).
    new_certificates: list = field(default_factory=list)
    url: str = ""

    # -- server ------------------------------------------------------------------------------------

    def start(self) -> FakeWeChatPay:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def serial(self) -> str:
        return PUBLIC_KEY_ID if self.public_key_mode else self.keys.platform_serial

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode() if length else ""
        target = handler.path
        path = urlsplit(target).path
        query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
        body = json.loads(raw) if raw else {}
        self.requests.append(
            {"method": method, "path": path, "query": query, "body": body, "headers": dict(handler.headers)}
        )
        if not self._authorized(handler.headers.get("Authorization", ""), method, target, raw):
            return self._answer(handler, 401, {"code": "SIGN_ERROR", "message": "签名错误"})
        for (fail_method, prefix), statuses in self.failures.items():
            if fail_method == method and path.startswith(prefix) and statuses:
                status = statuses.pop(0)
                return self._answer(handler, status, {"code": "SYSTEM_ERROR", "message": "系统错误"})
        status, answer = self._route(method, path, query, body)
        for (lost_method, prefix), statuses in self.lost_answers.items():
            if lost_method == method and path.startswith(prefix) and statuses:
                return self._answer(handler, statuses.pop(0), {"code": "SYSTEM_ERROR", "message": "系统错误"})
        if isinstance(answer, bytes):
            return self._answer_bytes(handler, status, answer)
        return self._answer(handler, status, answer)

    def _authorized(self, header: str, method: str, target: str, raw: str) -> bool:
        match = AUTHORIZATION.match(header)
        if not match:
            return False
        parts = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if parts.get("mchid") != MCHID or parts.get("serial_no") != MERCHANT_SERIAL:
            return False
        if abs(time.time() - int(parts.get("timestamp") or 0)) > 300:
            return False
        message = f"{method}\n{target}\n{parts['timestamp']}\n{parts['nonce_str']}\n{raw}\n"
        try:
            self.keys.merchant.public_key().verify(
                base64.b64decode(parts["signature"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception:
            return False
        return True

    def _answer(self, handler, status: int, payload: dict | None) -> None:
        text = "" if status == 204 or payload is None else json.dumps(payload, ensure_ascii=False)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = rsa_sign(self.keys.platform, f"{timestamp}\n{nonce}\n{text}\n")
        if self.bad_answer_signature:
            signature = rsa_sign(new_key(), f"{timestamp}\n{nonce}\n{text}\n")
        data = text.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Wechatpay-Timestamp", timestamp)
        handler.send_header("Wechatpay-Nonce", nonce)
        handler.send_header("Wechatpay-Signature", signature)
        handler.send_header("Wechatpay-Serial", self.serial)
        handler.send_header("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
        handler.end_headers()
        handler.wfile.write(data)

    def _answer_bytes(self, handler, status: int, data: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    # -- the API -----------------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict, body: dict):
        if method == "POST" and path in ("/v3/pay/transactions/native", "/v3/pay/transactions/h5"):
            return self._create(path.rsplit("/", 1)[1], body)
        close = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)/close", path)
        if method == "POST" and close:
            trade = self.transactions.get(close.group(1))
            if trade is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            if trade["trade_state"] == "SUCCESS":
                return 400, {"code": "ORDERPAID", "message": "订单已支付"}
            trade["trade_state"] = "CLOSED"
            return 204, None
        found = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)", path)
        if method == "GET" and found:
            trade = self.transactions.get(found.group(1))
            if trade is None or query.get("mchid") != MCHID:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            return 200, self.transaction_resource(found.group(1))
        if method == "POST" and path == "/v3/refund/domestic/refunds":
            return self._refund(body)
        refund = re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", path)
        if method == "GET" and refund:
            known = self.refunds.get(refund.group(1))
            return (200, known) if known else (404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
        if method == "POST" and path == "/v3/profitsharing/receivers/add":
            return self._add_receiver(body)
        if method == "POST" and path == "/v3/profitsharing/orders":
            return self._split(body)
        if method == "POST" and path == "/v3/profitsharing/orders/unfreeze":
            return self._unfreeze(body)
        split = re.fullmatch(r"/v3/profitsharing/orders/([^/]+)", path)
        if method == "GET" and split:
            known = self.splits.get(split.group(1))
            if known is None or known["transaction_id"] != query.get("transaction_id"):
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "记录不存在"}
            self._settle_split(known)
            return 200, known
        if method == "GET" and path == "/v3/profitsharing/bills":
            return self._bill(query)
        if method == "GET" and path == "/v3/billdownload/file":
            text = self.bills.get(query.get("token", ""))
            if text is None:
                return 404, {"code": "NOT_FOUND", "message": "no such bill"}
            return 200, gzip.compress(text.encode("utf-8"), mtime=0)
        if method == "GET" and path == "/v3/certificates":
            certificates = [self.keys.platform_cert, *self.new_certificates]
            return 200, {"data": [self.certificate_entry(cert) for cert in certificates]}
        return 404, {"code": "NOT_FOUND", "message": f"no fake for {method} {path}"}

    def _create(self, kind: str, body: dict):
        for name in ("appid", "mchid", "description", "out_trade_no", "notify_url", "amount"):
            if not body.get(name):
                return 400, {"code": "PARAM_ERROR", "message": f"{name} is required"}
        total = body["amount"].get("total")
        if not isinstance(total, int) or total <= 0:
            return 400, {"code": "PARAM_ERROR", "message": "amount.total must be a positive integer in fen"}
        if kind == "h5" and not (body.get("scene_info") or {}).get("payer_client_ip"):
            return 400, {"code": "PARAM_ERROR", "message": "scene_info.payer_client_ip is required"}
        number = body["out_trade_no"]
        if number in self.transactions and self.transactions[number]["kind"] != kind:
            return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
        self.transactions.setdefault(
            number,
            {
                "kind": kind,
                "body": body,
                "trade_state": "NOTPAY",
                "transaction_id": f"42000{len(self.transactions) + 1:023d}",
            },
        )
        if kind == "h5":
            return 200, {
                "h5_url": f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx{number}&package=1"
            }
        return 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={number}"}

    def pay(self, out_trade_no: str) -> dict:
        """The buyer paid: the transaction succeeds. Returns the transaction resource."""
        self.transactions[out_trade_no]["trade_state"] = "SUCCESS"
        return self.transaction_resource(out_trade_no)

    def transaction_resource(self, out_trade_no: str) -> dict:
        trade = self.transactions[out_trade_no]
        body = trade["body"]
        resource = {
            "appid": body["appid"],
            "mchid": body["mchid"],
            "out_trade_no": out_trade_no,
            "trade_state": trade["trade_state"],
            "trade_state_desc": "支付成功" if trade["trade_state"] == "SUCCESS" else "未支付",
            "attach": body.get("attach", ""),
            "amount": {"total": body["amount"]["total"], "currency": body["amount"].get("currency", "CNY")},
        }
        if trade["trade_state"] == "SUCCESS":
            resource |= {
                "transaction_id": trade["transaction_id"],
                "trade_type": trade["kind"].upper(),
                "bank_type": "OTHERS",
                "success_time": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
                "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            }
            resource["amount"] |= {"payer_total": body["amount"]["total"], "payer_currency": "CNY"}
        return resource

    def _refund(self, body: dict):
        number = body.get("out_refund_no")
        if number in self.refunds:
            return 200, self.refunds[number]
        trade = next((t for t in self.transactions.values() if t["transaction_id"] == body.get("transaction_id")), None)
        if trade is None or trade["trade_state"] != "SUCCESS":
            return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}
        amount = body.get("amount") or {}
        if not isinstance(amount.get("refund"), int) or amount.get("total") != trade["body"]["amount"]["total"]:
            return 400, {"code": "PARAM_ERROR", "message": "amount wrong"}
        refund = {
            "refund_id": f"50300{len(self.refunds) + 1:024d}",
            "out_refund_no": number,
            "transaction_id": trade["transaction_id"],
            "out_trade_no": next(k for k, v in self.transactions.items() if v is trade),
            "channel": "ORIGINAL",
            "status": self.refund_status,
            "create_time": datetime.now(UTC).isoformat(timespec="seconds"),
            "amount": {
                "refund": amount["refund"],
                "total": amount["total"],
                "currency": "CNY",
                "payer_refund": amount["refund"],
                "payer_total": amount["total"],
            },
        }
        self.refunds[number] = refund
        return 200, refund

    def _add_receiver(self, body: dict):
        for name in ("appid", "type", "account", "relation_type"):
            if not body.get(name):
                return 400, {"code": "PARAM_ERROR", "message": f"{name} is required"}
        entry = {"type": body["type"], "account": body["account"], "relation_type": body["relation_type"]}
        if body.get("name"):
            # Encrypted with the platform key (RSA OAEP), as the documented sensitive field.
            entry["name"] = self.keys.platform.decrypt(
                base64.b64decode(body["name"]),
                padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
            ).decode()
        self.receivers[body["account"]] = entry
        return 200, {"type": body["type"], "account": body["account"], "relation_type": body["relation_type"]}

    def _split(self, body: dict):
        number = body.get("out_order_no")
        if number in self.splits:
            return 200, self.splits[number]
        trade = next((t for t in self.transactions.values() if t["transaction_id"] == body.get("transaction_id")), None)
        if trade is None or trade["trade_state"] != "SUCCESS":
            return 400, {"code": "INVALID_REQUEST", "message": "订单未支付"}
        if not trade["body"].get("settle_info", {}).get("profit_sharing"):
            return 403, {"code": "NO_AUTH", "message": "订单不支持分账"}
        for receiver in body.get("receivers") or []:
            if receiver["account"] not in self.receivers:
                return 400, {"code": "INVALID_REQUEST", "message": "分账接收方不存在"}
            if not isinstance(receiver.get("amount"), int) or receiver["amount"] <= 0:
                return 400, {"code": "PARAM_ERROR", "message": "amount must be a positive integer in fen"}
        split = {
            "transaction_id": body["transaction_id"],
            "out_order_no": number,
            "order_id": f"30000{len(self.splits) + 1:023d}",
            "state": "PROCESSING",
            "receivers": [
                {
                    "amount": receiver["amount"],
                    "description": receiver["description"],
                    "type": receiver["type"],
                    "account": receiver["account"],
                    "result": "PENDING",
                    "detail_id": f"3601{len(self.splits) + 1:019d}",
                    "create_time": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                for receiver in body.get("receivers") or []
            ],
        }
        self.splits[number] = split
        return 200, split

    def _settle_split(self, split: dict) -> None:
        if split["state"] == "FINISHED":
            return
        split["state"] = "FINISHED"
        for receiver in split["receivers"]:
            receiver["result"] = self.split_outcome
            if self.split_outcome == "CLOSED":
                receiver["fail_reason"] = "ACCOUNT_ABNORMAL"

    def _unfreeze(self, body: dict):
        number = body.get("out_order_no")
        if not body.get("description") or not number:
            return 400, {"code": "PARAM_ERROR", "message": "description and out_order_no are required"}
        split = {
            "transaction_id": body["transaction_id"],
            "out_order_no": number,
            "order_id": f"30000{len(self.splits) + 1:023d}",
            "state": "PROCESSING",
            "receivers": [
                {
                    "amount": 0,
                    "description": "解冻给分账方",
                    "type": "MERCHANT_ID",
                    "account": MCHID,
                    "result": "PENDING",
                }
            ],
        }
        self.splits.setdefault(number, split)
        return 200, self.splits[number]

    def _bill(self, query: dict):
        token = query.get("bill_date", "")
        if token not in self.bills:
            self.bills[token] = self.split_bill()
        # The SHA1 is of the file as downloaded (the gzip, made without a timestamp so it is stable).
        data = gzip.compress(self.bills[token].encode("utf-8"), mtime=0)
        return 200, {
            "download_url": f"{self.url}/v3/billdownload/file?token={token}",
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(data).hexdigest(),
        }

    def split_bill(self, extra_rows: list[list[str]] | None = None, leave_out: set[str] | None = None) -> str:
        """The split bill as WeChat Pay writes it: detail rows of successful splits (every field
        prefixed with a backtick, amounts in yuan), then a summary."""
        header = [
            "分账发起时间",
            "分账方",
            "分账接收方",
            "分账金额(元)",
            "分账描述",
            "业务类型",
            "处理状态",
            "微信订单号",
            "商户分账单号",
            "微信分账单号",
            "分账明细单号",
            "备注",
        ]
        rows = [",".join(header)]
        count = 0
        for number, split in self.splits.items():
            if leave_out and number in leave_out:
                continue
            for receiver in split["receivers"]:
                if receiver["result"] != "SUCCESS":
                    continue
                count += 1
                yuan = f"{receiver['amount'] // 100}.{receiver['amount'] % 100:02d}"
                rows.append(
                    ",".join(
                        "`" + cell
                        for cell in [
                            "2026-03-02 10:00:00",
                            MCHID,
                            receiver["account"],
                            yuan,
                            receiver["description"],
                            "分账",
                            "成功",
                            split["transaction_id"],
                            number,
                            split["order_id"],
                            receiver.get("detail_id", ""),
                            "",
                        ]
                    )
                )
        for extra in extra_rows or []:
            rows.append(",".join("`" + cell for cell in extra))
            count += 1
        rows.append("总笔数,分账成功金额(元)")
        rows.append(f"`{count},`0.00")
        return "\n".join(rows) + "\n"

    def certificate_entry(self, certificate) -> dict:
        pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
        return {
            "serial_no": format(certificate.serial_number, "X"),
            "effective_time": datetime.now(UTC).isoformat(timespec="seconds"),
            "expire_time": (datetime.now(UTC) + timedelta(days=30)).isoformat(timespec="seconds"),
            "encrypt_certificate": encrypt_resource(pem, "certificate"),
        }

    def posts_to(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]


def notification(
    keys: Keys,
    event_type: str,
    resource: dict,
    notification_id: str,
    *,
    serial: str | None = None,
    timestamp: int | None = None,
    signing_key=None,
    apiv3_key: str = APIV3_KEY,
    original_type: str = "transaction",
) -> tuple[bytes, dict]:
    """A notification as WeChat Pay posts it: the body and the Wechatpay-* headers."""
    encrypted = encrypt_resource(resource, original_type, apiv3_key)
    body = json.dumps(
        {
            "id": notification_id,
            "create_time": "2026-03-01T10:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功" if event_type == "TRANSACTION.SUCCESS" else "退款成功",
            "resource": {"original_type": original_type, **encrypted},
        },
        ensure_ascii=False,
    )
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = secrets.token_hex(16)
    signature = rsa_sign(signing_key or keys.platform, f"{timestamp}\n{nonce}\n{body}\n")
    headers = {
        "Content-Type": "application/json",
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": serial or keys.platform_serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }
    return body.encode("utf-8"), headers


def write_settings(keys: Keys, folder: Path, public_key_mode: bool = False) -> dict:
    """The provider's settings for the fake: key files written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "apiclient_key.pem").write_text(private_pem(keys.merchant))
    settings = {
        "WECHATPAY_MCHID": MCHID,
        "WECHATPAY_APPID": APPID,
        "WECHATPAY_APIV3_KEY": APIV3_KEY,
        "WECHATPAY_PRIVATE_KEY_PATH": str(folder / "apiclient_key.pem"),
        "WECHATPAY_CERT_SERIAL_NO": MERCHANT_SERIAL,
        "WECHATPAY_PUBLIC_KEY_PATH": None,
        "WECHATPAY_PUBLIC_KEY_ID": None,
        "WECHATPAY_PLATFORM_CERT_DIR": None,
    }
    if public_key_mode:
        (folder / "pub_key.pem").write_text(public_pem(keys.platform))
        settings |= {"WECHATPAY_PUBLIC_KEY_PATH": str(folder / "pub_key.pem"), "WECHATPAY_PUBLIC_KEY_ID": PUBLIC_KEY_ID}
    else:
        certs = folder / "platform_certs"
        certs.mkdir(exist_ok=True)
        (certs / f"{keys.platform_serial}.pem").write_text(
            keys.platform_cert.public_bytes(serialization.Encoding.PEM).decode()
        )
        settings["WECHATPAY_PLATFORM_CERT_DIR"] = str(certs)
    return settings
