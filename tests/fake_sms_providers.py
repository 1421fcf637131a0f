"""Local stand-ins for Alibaba Cloud SMS and Tencent Cloud SMS on 127.0.0.1, for the tests and for
bench/sms_providers_bench.py. Each speaks the provider's documented API as its official client sends
it, and checks the request's signature the way the provider does before anything else:

- Alibaba Cloud (Dysmsapi 2017-05-25): RPC actions SendSms (numbers comma-separated in the query) and
  SendBatchSms (JSON arrays in a form body), signed with ACS3-HMAC-SHA256 (the Authorization header
  over the canonical request: method, path, sorted query, the signed headers, and the body's
  SHA-256 in x-acs-content-sha256). Business errors answer HTTP 200 with a Code other than "OK";
  a bad signature answers 400 SignatureDoesNotMatch.
- Tencent Cloud (SMS 2021-01-11): SendSms with a JSON body, signed with TC3-HMAC-SHA256 (a key
  derived from the SecretKey, the date and the service). Every answer is HTTP 200; errors are
  Response.Error, per-number outcomes are SendStatusSet.

They also write the callbacks each provider would push (delivery reports, replies) in its
documented JSON, for the tests to post to the app."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import socket
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 in a daemon thread; ``url`` is its base address."""

    def __init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # Headers and body leave in two writes: without this, Nagle's algorithm holds the
                # body until the client's delayed ACK, 40 ms per kept-alive request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, payload = outer.handle(self.command, self.path, self.headers, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet: the bench sends thousands of requests
                pass

        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    def handle(self, method, path, headers, body):  # pragma: no cover - overridden
        raise NotImplementedError


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeAliyunSms(_Server):
    """Alibaba Cloud SMS for one AccessKey. ``templates`` maps an approved template code to the
    parameter names it declares; ``signs`` are the approved signatures. ``fail_next`` holds codes
    to answer to the next requests instead of sending (e.g. "isv.BUSINESS_LIMIT_CONTROL").

    ``requests`` records each accepted call: action, numbers, signs, template code, params (one
    dict per number); ``sent`` is every (BizId, number, signed text) sent."""

    def __init__(self, access_key_id: str, access_key_secret: str, *, templates: dict, signs: set[str]):
        super().__init__()
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.templates, self.signs = templates, signs
        self.fail_next: list[str] = []
        self.requests: list[dict] = []
        self.sent: list[tuple[str, str, str]] = []
        self.refused_signatures = 0
        self._biz = itertools.count(100_000_001)
        self._nonces: set[str] = set()

    # --- the signature -------------------------------------------------------------------------
    def signature_problem(self, method: str, path: str, headers, body: bytes) -> str | None:
        authorization = headers.get("Authorization") or ""
        found = re.fullmatch(
            r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})", authorization
        )
        if not found:
            return "IncompleteSignature"
        credential, signed_headers, signature = found.groups()
        if credential != self.access_key_id:
            return "InvalidAccessKeyId.NotFound"
        if headers.get("x-acs-content-sha256") != _sha256_hex(body):
            return "SignatureDoesNotMatch"
        names = signed_headers.split(";")
        if "host" not in names or "x-acs-date" not in names or "x-acs-signature-nonce" not in names:
            return "SignatureDoesNotMatch"
        nonce = headers.get("x-acs-signature-nonce") or ""
        url = urlsplit(path)
        query = sorted(parse_qsl(url.query, keep_blank_values=True))
        canonical_query = "&".join(f"{quote(key, safe='~')}={quote(value, safe='~')}" for key, value in query)
        canonical_headers = "".join(f"{name}:{(headers.get(name) or '').strip()}\n" for name in names)
        canonical_request = "\n".join(
            [method, url.path or "/", canonical_query, canonical_headers, signed_headers, _sha256_hex(body)]
        )
        string_to_sign = f"ACS3-HMAC-SHA256\n{_sha256_hex(canonical_request.encode())}"
        expected = hmac.new(self.access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return "SignatureDoesNotMatch"
        with self.lock:
            if nonce in self._nonces:
                return "SignatureNonceUsed"
            self._nonces.add(nonce)
        return None

    # --- the API ---------------------------------------------------------------------------------
    def handle(self, method, path, headers, body):
        request_id = str(uuid.uuid4()).upper()
        problem = self.signature_problem(method, path, headers, body)
        if problem:
            with self.lock:
                self.refused_signatures += 1
            return 400, {"RequestId": request_id, "Code": problem, "Message": "signature refused"}
        action = headers.get("x-acs-action")
        params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
        with self.lock:
            if self.fail_next:
                code = self.fail_next.pop(0)
                return 200, {"RequestId": request_id, "Code": code, "Message": f"scripted {code}"}
        try:
            if action == "SendSms":
                numbers = params.get("PhoneNumbers", "").split(",")
                signs = [params.get("SignName", "")] * len(numbers)
                values = json.loads(params.get("TemplateParam") or "{}")
                per_number = [values] * len(numbers)
                limit = 1000
            elif action == "SendBatchSms":
                numbers = json.loads(params.get("PhoneNumberJson", "[]"))
                signs = json.loads(params.get("SignNameJson", "[]"))
                per_number = json.loads(params.get("TemplateParamJson") or "[]") or [{}] * len(numbers)
                limit = 100
            else:
                return 404, {"RequestId": request_id, "Code": "InvalidAction.NotFound", "Message": action}
        except (ValueError, TypeError):
            return 200, {"RequestId": request_id, "Code": "isv.INVALID_JSON_PARAM", "Message": "bad JSON"}
        code = self._check(numbers, signs, params.get("TemplateCode", ""), per_number, limit)
        if code:
            return 200, {"RequestId": request_id, "Code": code, "Message": code}
        biz_id = f"{next(self._biz)}^0"
        template = params["TemplateCode"]
        with self.lock:
            self.requests.append(
                {"action": action, "numbers": numbers, "signs": signs, "template": template, "params": per_number}
            )
            for number, sign, values in zip(numbers, signs, per_number, strict=True):
                self.sent.append((biz_id, number, f"【{sign}】" + json.dumps(values, ensure_ascii=False)))
        return 200, {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": biz_id}

    def _check(self, numbers, signs, template, per_number, limit) -> str | None:
        if not numbers or len(numbers) > limit:
            return "isv.MOBILE_COUNT_OVER_LIMIT"
        if len(signs) != len(numbers) or len(per_number) != len(numbers):
            return "isv.INVALID_PARAMETERS"
        if template not in self.templates:
            return "isv.SMS_TEMPLATE_ILLEGAL"
        if any(sign not in self.signs for sign in signs):
            return "isv.SMS_SIGNATURE_ILLEGAL"
        wanted = set(self.templates[template])
        if any(not isinstance(values, dict) or not wanted <= set(values) for values in per_number):
            return "isv.TEMPLATE_MISSING_PARAMETERS"
        if any(not MAINLAND_MOBILE.match(number) for number in numbers):
            return "isv.MOBILE_NUMBER_ILLEGAL"
        return None

    # --- what Aliyun pushes back (HTTP 批量推送) ---------------------------------------------------
    @staticmethod
    def report(biz_id: str, number: str, *, success: bool = True, err_code: str = "DELIVERED") -> dict:
        """One SmsReport item for the message (BizId, number) as Aliyun documents it."""
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return {
            "phone_number": number,
            "send_time": now,
            "report_time": now,
            "success": success,
            "err_code": err_code,
            "err_msg": "用户接收成功" if success else "用户接收失败",
            "sms_size": "1",
            "biz_id": biz_id,
            "out_id": "",
        }

    @staticmethod
    def reply(number: str, content: str, sequence_id: int, sign_name: str = "集市") -> dict:
        """One SmsUp item: a text from ``number`` to our signature's number."""
        return {
            "phone_number": number,
            "send_time": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "content": content,
            "sign_name": sign_name,
            "dest_code": "1234",
            "sequence_id": sequence_id,
        }


class FakeTencentSms(_Server):
    """Tencent Cloud SMS for one SecretId/SecretKey and one SMS application ``sdk_app_id``.
    ``templates`` maps an approved template id to its number of parameters; ``signs`` are the
    approved signatures; ``fail_numbers`` maps an E.164 number to the per-number Code it gets;
    ``fail_next`` holds request-level error codes for the next requests.

    ``requests`` records each accepted SendSms; ``sent`` is every (SerialNo, E.164 number)."""

    def __init__(self, secret_id: str, secret_key: str, sdk_app_id: str, *, templates: dict, signs: set[str]):
        super().__init__()
        self.secret_id, self.secret_key, self.sdk_app_id = secret_id, secret_key, sdk_app_id
        self.templates, self.signs = templates, signs
        self.fail_numbers: dict[str, str] = {}
        self.fail_next: list[str] = []
        self.requests: list[dict] = []
        self.sent: list[tuple[str, str]] = []
        self.refused_signatures = 0
        self._serial = itertools.count(1)

    def signature_problem(self, method: str, path: str, headers, body: bytes) -> str | None:
        authorization = headers.get("Authorization") or ""
        found = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
            r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
            authorization,
        )
        if not found:
            return "AuthFailure.SignatureFailure"
        secret_id, date, signed_headers, signature = found.groups()
        if secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound"
        timestamp = headers.get("X-TC-Timestamp") or ""
        if not timestamp.isdigit():
            return "AuthFailure.SignatureFailure"
        if abs(datetime.now(UTC).timestamp() - int(timestamp)) > 300:
            return "AuthFailure.SignatureExpire"
        if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
            return "AuthFailure.SignatureFailure"
        names = signed_headers.split(";")
        if "host" not in names:
            return "AuthFailure.SignatureFailure"
        url = urlsplit(path)
        canonical_headers = "".join(f"{name}:{(headers.get(name) or '').strip().lower()}\n" for name in names)
        canonical_request = "\n".join(
            [method, url.path or "/", url.query, canonical_headers, signed_headers, _sha256_hex(body)]
        )
        scope = f"{date}/sms/tc3_request"
        string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256_hex(canonical_request.encode())}"

        def sign(key: bytes, message: str) -> bytes:
            return hmac.new(key, message.encode(), hashlib.sha256).digest()

        key = sign(sign(sign(f"TC3{self.secret_key}".encode(), date), "sms"), "tc3_request")
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return "AuthFailure.SignatureFailure"
        return None

    def handle(self, method, path, headers, body):
        request_id = str(uuid.uuid4())
        problem = self.signature_problem(method, path, headers, body)
        if problem:
            with self.lock:
                self.refused_signatures += 1
            return 200, {
                "Response": {"Error": {"Code": problem, "Message": "signature refused"}, "RequestId": request_id}
            }
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            return 200, self._error("InvalidAction", "unknown action", request_id)
        with self.lock:
            if self.fail_next:
                code = self.fail_next.pop(0)
                return 200, self._error(code, f"scripted {code}", request_id)
        try:
            request = json.loads(body)
        except ValueError:
            return 200, self._error("FailedOperation.JsonParseFail", "bad JSON", request_id)
        numbers = request.get("PhoneNumberSet") or []
        params = request.get("TemplateParamSet") or []
        template = request.get("TemplateId")
        if request.get("SmsSdkAppId") != self.sdk_app_id:
            return 200, self._error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "app id", request_id)
        if not numbers or len(numbers) > 200:
            return 200, self._error("LimitExceeded.PhoneNumberCountLimit", "1 to 200 numbers", request_id)
        if template not in self.templates:
            return 200, self._error("FailedOperation.TemplateIncorrectOrUnapproved", "template", request_id)
        if request.get("SignName") not in self.signs:
            return 200, self._error("FailedOperation.SignatureIncorrectOrUnapproved", "sign", request_id)
        if len(params) != self.templates[template]:
            return 200, self._error("InvalidParameterValue.TemplateParameterFormatError", "params", request_id)
        statuses = []
        with self.lock:
            self.requests.append(
                {"numbers": numbers, "template": template, "sign": request["SignName"], "params": params}
            )
            for number in numbers:
                code = self.fail_numbers.get(number)
                if code is None and not (number.startswith("+86") and MAINLAND_MOBILE.match(number[3:])):
                    code = "InvalidParameterValue.IncorrectPhoneNumber"
                if code:
                    statuses.append(self._status("", number, code, "refused", 0))
                    continue
                serial = f"2433:{next(self._serial):028d}"
                self.sent.append((serial, number))
                statuses.append(self._status(serial, number, "Ok", "send success", 1))
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    @staticmethod
    def _status(serial, number, code, message, fee) -> dict:
        return {
            "SerialNo": serial,
            "PhoneNumber": number,
            "Fee": fee,
            "SessionContext": "",
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }

    @staticmethod
    def _error(code, message, request_id) -> dict:
        return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}

    # --- what Tencent pushes back (回调) ----------------------------------------------------------
    @staticmethod
    def report(serial: str, number: str, *, success: bool = True) -> dict:
        """One delivery report (短信下发状态) item as Tencent documents it."""
        return {
            "user_receive_time": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "nationcode": "86",
            "mobile": number.removeprefix("+86"),
            "report_status": "SUCCESS" if success else "FAIL",
            "errmsg": "DELIVRD" if success else "MK:0005",
            "description": "用户短信送达成功" if success else "用户短信送达失败",
            "sid": serial,
        }

    @staticmethod
    def reply(number: str, text: str, at: int | None = None, sign: str = "集市") -> dict:
        """One reply (短信回复) as Tencent documents it: who, what and when (Unix seconds)."""
        return {
            "extend": "",
            "mobile": number.removeprefix("+86"),
            "nationcode": "86",
            "sign": sign,
            "text": text,
            "time": at if at is not None else int(datetime.now(UTC).timestamp()),
        }
