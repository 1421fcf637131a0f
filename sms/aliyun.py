"""Alibaba Cloud SMS (阿里云短信服务, Dysmsapi 2017-05-25) through its official client
(alibabacloud-dysmsapi20170525), which signs every request itself (ACS3-HMAC-SHA256 by default).

Mainland SMS is template-only: each message names an approved template code, its parameters and an
approved 【签名】. A batch is sent in as few requests as the API allows: numbers with the same template,
signature and parameters go in one SendSms (up to 1,000 numbers, comma-separated); the rest of a
template's numbers go in SendBatchSms (up to 100 numbers, each with its own signature and
parameters). Aliyun answers one BizId per request, so a message's provider id is
``<BizId>:<number as sent>``, which its delivery report (SmsReport: biz_id + phone_number) names too.

Aliyun reports business errors with HTTP 200 and a Code other than "OK"; transport errors, throttling
and 5xx come as exceptions. Both become GatewayError: rate and balance limits, Aliyun's own faults and
settings mistakes (a wrong key is fixed by the operator, then the retry goes out) are retryable; a bad
number, a refused template or signature, or parameters the template cannot take are not."""

from __future__ import annotations

import json
import logging

import requests
from alibabacloud_dysmsapi20170525 import models as aliyun_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from darabonba.exceptions import DaraException, RetryError
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import TeaException, UnretryableException

from sms.gateways import DEFAULT_TIMEOUT, GatewayError, SendResult, TemplateOnlyGateway, TemplateSms
from sms.parallel import PerThread, chunks, run_all

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "dysmsapi.aliyuncs.com"
# Documented request limits: SendSms takes up to 1,000 comma-separated numbers, SendBatchSms up to 100.
SEND_SMS_MAX_NUMBERS = 1000
SEND_BATCH_SMS_MAX_NUMBERS = 100

# Codes worth trying again later: flow control, daily limits, an empty balance or a suspended
# account (topped up by the operator), Aliyun's own faults, and credentials the operator can fix.
RETRYABLE_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isv.DAY_LIMIT_CONTROL",
        "isv.AMOUNT_NOT_ENOUGH",
        "isv.OUT_OF_SERVICE",
        "isv.SYSTEM_ERROR",
        "isp.SYSTEM_ERROR",
        "isp.RAM_PERMISSION_DENY",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidTimeStamp.Expired",
        "SignatureNonceUsed",
        "Forbidden.RAM",
        "ServiceUnavailable",
        "InternalError",
    }
)
RETRYABLE_PREFIXES = ("isp.", "Throttling")
# Codes that blame one number: a request for many numbers that meets one is sent again number by
# number, so that one bad number does not fail the others.
NUMBER_CODES = frozenset({"isv.MOBILE_NUMBER_ILLEGAL"})


def aliyun_number(phone: str) -> str:
    """The number as Aliyun takes and reports it: 11 digits for a mainland number (from +86…, 0086…,
    86… or the bare 11 digits), the country code and number without "+" for any other."""
    digits = phone.strip().lstrip("+")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def aliyun_provider_id(biz_id: str, phone: str) -> str:
    """The provider id of one message: the request's BizId and the number (as ``aliyun_number``)."""
    return f"{biz_id}:{aliyun_number(phone)}"


def retryable_code(code: str, status: int | None = None) -> bool:
    """Whether an error with Aliyun's ``code`` (and HTTP ``status`` when it came as one) may succeed later."""
    if code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES):
        return True
    return status is not None and (status >= 500 or status == 429)


class AliyunSmsGateway(TemplateOnlyGateway):
    """Sends template SMS through Alibaba Cloud's SendSms and SendBatchSms.

    ``endpoint`` is host[:port] (tests point it at a local server with ``protocol="http"``);
    ``sign_name`` is used for messages that carry none; a batch that needs several requests sends up
    to ``concurrency`` at once. Free text (``send``) is refused: every mainland SMS is an approved
    template."""

    name = "aliyun"
    label = "Aliyun SMS"

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        *,
        endpoint: str | None = None,
        protocol: str = "https",
        sign_name: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        concurrency: int = 4,
    ):
        if not access_key_id or not access_key_secret:
            raise ValueError("Aliyun SMS needs an AccessKey ID and secret")
        self.sign_name = sign_name or None
        self.concurrency = concurrency
        milliseconds = int(timeout * 1000)
        config = dict(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            endpoint=endpoint or DEFAULT_ENDPOINT,
            protocol=protocol,
            connect_timeout=milliseconds,
            read_timeout=milliseconds,
        )
        self.clients = PerThread(lambda: Client(Config(**config)))
        self.runtime = RuntimeOptions(connect_timeout=milliseconds, read_timeout=milliseconds)

    def send_template_batch(self, messages: list[TemplateSms]) -> list[SendResult | GatewayError]:
        results: list[SendResult | GatewayError | None] = [None] * len(messages)
        by_template: dict[str, list[int]] = {}
        for index, message in enumerate(messages):
            problem = self._problem(message)
            if problem:
                results[index] = GatewayError(False, problem)
            else:
                by_template.setdefault(message.provider_template_code, []).append(index)
        jobs = []
        for indexes in by_template.values():
            same_text: dict[tuple[str, str], list[int]] = {}
            for index in indexes:
                same_text.setdefault(self._text_key(messages[index]), []).append(index)
            singles = []
            for group in same_text.values():
                if len(group) == 1:
                    singles.extend(group)
                    continue
                for chunk in chunks(group, SEND_SMS_MAX_NUMBERS):
                    jobs.append(lambda chunk=chunk: self._send_sms(messages, chunk, results))
            if len(singles) == 1:
                jobs.append(lambda singles=singles: self._send_sms(messages, singles, results))
            else:
                for chunk in chunks(singles, SEND_BATCH_SMS_MAX_NUMBERS):
                    jobs.append(lambda chunk=chunk: self._send_batch_sms(messages, chunk, results))
        run_all(jobs, self.concurrency)
        return results  # type: ignore[return-value]  # every index was filled above

    def _problem(self, message: TemplateSms) -> str | None:
        if not message.provider_template_code:
            return f"template {message.template!r} has no Aliyun template code"
        if not (message.sign_name or self.sign_name):
            return "no SMS signature (签名) is configured"
        if not aliyun_number(message.to).isdigit():
            return f"{message.to!r} is not a phone number"
        return None

    def _text_key(self, message: TemplateSms) -> tuple[str, str]:
        return (message.sign_name or self.sign_name or "", self._params_json(message))

    @staticmethod
    def _params_json(message: TemplateSms) -> str:
        return json.dumps(message.params, ensure_ascii=False, separators=(",", ":"))

    def _send_sms(self, messages, indexes, results) -> None:
        """One SendSms for the messages at ``indexes`` (same template, signature and parameters)."""
        first = messages[indexes[0]]
        numbers = [aliyun_number(messages[index].to) for index in indexes]
        request = aliyun_models.SendSmsRequest(
            phone_numbers=",".join(numbers),
            sign_name=first.sign_name or self.sign_name,
            template_code=first.provider_template_code,
            template_param=self._params_json(first) if first.params else None,
        )
        self._record(
            lambda: self.clients.get().send_sms_with_options(request, self.runtime), messages, indexes, numbers, results
        )

    def _send_batch_sms(self, messages, indexes, results) -> None:
        """One SendBatchSms for the messages at ``indexes`` (same template, each its own parameters)."""
        chosen = [messages[index] for index in indexes]
        numbers = [aliyun_number(message.to) for message in chosen]
        request = aliyun_models.SendBatchSmsRequest(
            phone_number_json=json.dumps(numbers),
            sign_name_json=json.dumps([m.sign_name or self.sign_name for m in chosen], ensure_ascii=False),
            template_code=chosen[0].provider_template_code,
            template_param_json=json.dumps([m.params for m in chosen], ensure_ascii=False, separators=(",", ":")),
        )
        self._record(
            lambda: self.clients.get().send_batch_sms_with_options(request, self.runtime),
            messages,
            indexes,
            numbers,
            results,
        )

    def _record(self, call, messages, indexes, numbers, results) -> None:
        try:
            biz_id = self._call(call)
        except GatewayError as error:
            if len(indexes) > 1 and error.message.split(":", 1)[0] in NUMBER_CODES:
                # One bad number fails the whole request: find it by sending each on its own.
                for index in indexes:
                    self._send_sms(messages, [index], results)
                return
            for index in indexes:
                results[index] = error
            return
        for index, number in zip(indexes, numbers, strict=True):
            results[index] = SendResult(aliyun_provider_id(biz_id, number))

    @staticmethod
    def _call(call) -> str:
        """Run one API call; returns its BizId or raises GatewayError (message "<Code>: <detail>")."""
        try:
            response = call()
        except AlibabaCloudException as error:
            code = error.code or "Unknown"
            raise GatewayError(retryable_code(code, error.status_code), f"{code}: {error.message}") from error
        except (RetryError, UnretryableException, requests.RequestException, OSError) as error:
            raise GatewayError(True, f"Aliyun unreachable: {error.__class__.__name__}: {error}") from error
        except (DaraException, TeaException, ValueError) as error:
            # An answer the client could not read: the message may or may not have been taken.
            raise GatewayError(True, f"Aliyun answer unreadable: {error.__class__.__name__}: {error}") from error
        except Exception as error:  # the client failed in a way it does not document: retry later
            log.exception("Aliyun SMS client failed")
            raise GatewayError(True, f"Aliyun client failed: {error.__class__.__name__}: {error}") from error
        body = response.body
        code = (body.code or "Unknown") if body is not None else "Unknown"
        if code != "OK" or not body.biz_id:
            message = body.message if body is not None else ""
            raise GatewayError(retryable_code(code), f"{code}: {message}")
        return body.biz_id
