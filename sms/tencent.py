"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11) through its official client
(tencentcloud-sdk-python-sms), which signs every request itself (TC3-HMAC-SHA256).

Mainland SMS is template-only: each message names an approved template id, its parameters (an
ordered list, {1}, {2} … in the template) and an approved 【签名】. SendSms takes up to 200 numbers
that share the template, signature and parameters, and answers one status per number
(SendStatusSet); each number's SerialNo is its provider id, which the delivery report names as
``sid``. A batch is sent in as few requests as that allows.

The API answers errors with HTTP 200 and a Response.Error (the client raises
TencentCloudSDKException); per-number failures come as a Code other than "Ok" in SendStatusSet.
Both become GatewayError: frequency and balance limits, Tencent's own faults and settings mistakes
are retryable; a bad or blocked number, an unapproved template or signature, or parameters the
template cannot take are not."""

from __future__ import annotations

import logging

from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from sms.gateways import DEFAULT_TIMEOUT, GatewayError, SendResult, TemplateOnlyGateway, TemplateSms
from sms.parallel import PerThread, chunks, run_all

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "sms.tencentcloudapi.com"
DEFAULT_REGION = "ap-guangzhou"
# Documented: at most 200 numbers in one SendSms.
SEND_SMS_MAX_NUMBERS = 200

RETRYABLE_CODES = frozenset(
    {
        "FailedOperation.InsufficientBalanceInSmsPackage",
        "FailedOperation.MarketingSendTimeConstraint",
        "FailedOperation.JsonParseFail",
        "RequestLimitExceeded",
        "ClientNetworkError",
        "ServerNetworkError",
        "InternalError",
    }
)
RETRYABLE_PREFIXES = (
    "LimitExceeded.",
    "InternalError.",
    "AuthFailure.",
    "UnauthorizedOperation.",
    "RequestLimitExceeded.",
)
# Families of codes that retrying cannot help (the number, template, signature or parameters).
PERMANENT_FAMILIES = frozenset(
    {"FailedOperation", "InvalidParameter", "InvalidParameterValue", "MissingParameter", "UnsupportedOperation"}
)


def retryable_code(code: str) -> bool:
    """Whether a Tencent error ``code`` (request-level or one number's) may succeed later. Codes of
    no known family (the client's own, such as a network error or an unreadable answer) are."""
    if code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES):
        return True
    return code.split(".", 1)[0] not in PERMANENT_FAMILIES


class TencentSmsGateway(TemplateOnlyGateway):
    """Sends template SMS through Tencent Cloud's SendSms for the SMS application ``sdk_app_id``.

    ``endpoint`` is host[:port] (tests point it at a local server with ``protocol="http"``);
    ``sign_name`` is used for messages that carry none; a batch that needs several requests sends up
    to ``concurrency`` at once. Free text (``send``) is refused: every mainland SMS is an approved
    template."""

    name = "tencent"
    label = "Tencent Cloud SMS"

    def __init__(
        self,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        *,
        region: str | None = None,
        endpoint: str | None = None,
        protocol: str = "https",
        sign_name: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        concurrency: int = 4,
    ):
        if not secret_id or not secret_key or not sdk_app_id:
            raise ValueError("Tencent Cloud SMS needs a SecretId, a SecretKey and an SmsSdkAppId")
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name or None
        self.concurrency = concurrency

        def client() -> SmsClient:
            http = HttpProfile(
                protocol=protocol, endpoint=endpoint or DEFAULT_ENDPOINT, reqTimeout=int(timeout), keepAlive=True
            )
            return SmsClient(
                credential.Credential(secret_id, secret_key), region or DEFAULT_REGION, ClientProfile(httpProfile=http)
            )

        self.clients = PerThread(client)

    def send_template_batch(self, messages: list[TemplateSms]) -> list[SendResult | GatewayError]:
        results: list[SendResult | GatewayError | None] = [None] * len(messages)
        groups: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}
        for index, message in enumerate(messages):
            problem = self._problem(message)
            if problem:
                results[index] = GatewayError(False, problem)
                continue
            key = (message.provider_template_code, message.sign_name or self.sign_name, tuple(message.params.values()))
            groups.setdefault(key, []).append(index)
        jobs = [
            lambda key=key, chunk=chunk: self._send(*key, [messages[i].to for i in chunk], chunk, results)
            for key, indexes in groups.items()
            for chunk in chunks(indexes, SEND_SMS_MAX_NUMBERS)
        ]
        run_all(jobs, self.concurrency)
        return results  # type: ignore[return-value]  # every index was filled above

    def _problem(self, message: TemplateSms) -> str | None:
        if not message.provider_template_code:
            return f"template {message.template!r} has no Tencent template id"
        if not (message.sign_name or self.sign_name):
            return "no SMS signature (签名) is configured"
        if not message.to.startswith("+") or not message.to[1:].isdigit():
            return f"{message.to!r} is not an E.164 phone number"
        return None

    def _send(self, template_id, sign_name, params, numbers, indexes, results) -> None:
        request = tencent_models.SendSmsRequest()
        request.PhoneNumberSet = list(numbers)
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = list(params)
        try:
            response = self.clients.get().SendSms(request)
        except Exception as error:  # the client wraps every failure in TencentCloudSDKException
            code = getattr(error, "code", None) or error.__class__.__name__
            failure = GatewayError(retryable_code(code), f"{code}: {getattr(error, 'message', error)}")
            for index in indexes:
                results[index] = failure
            return
        statuses: dict[str, list] = {}
        for status in response.SendStatusSet or []:
            statuses.setdefault(status.PhoneNumber, []).append(status)
        for index, number in zip(indexes, numbers, strict=True):
            found = statuses.get(number)
            if not found:
                results[index] = GatewayError(True, f"Tencent answered no status for {number}")
                continue
            status = found.pop(0)
            if status.Code == "Ok" and status.SerialNo:
                results[index] = SendResult(status.SerialNo)
            else:
                code = status.Code or "Unknown"
                results[index] = GatewayError(retryable_code(code), f"{code}: {status.Message}")
