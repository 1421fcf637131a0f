"""Outbound SMS gateways: one ``send`` interface, a console gateway for development and tests, and
Twilio. Errors come back as GatewayError with ``retryable`` so the outbox worker knows whether to
back off and retry or to give up on the message at once."""

from __future__ import annotations

import abc
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

log = logging.getLogger(__name__)

# Twilio error codes that are 4xx but worth retrying later: rate limits and queue overflow.
RETRYABLE_TWILIO_CODES = frozenset({20429, 30001})
DEFAULT_TIMEOUT = 15.0


@dataclass(frozen=True)
class SendResult:
    """The provider's id for the accepted message (Twilio's Message SID)."""

    provider_id: str


class GatewayError(Exception):
    """Sending failed. ``retryable`` is False when retrying cannot help (bad number, unsubscribed);
    ``code`` is the provider's error code when it gave one."""

    def __init__(self, retryable: bool, message: str, code: int | None = None):
        super().__init__(message)
        self.retryable, self.message, self.code = retryable, message, code


class Gateway(abc.ABC):
    """Sends one SMS. Implementations raise GatewayError, never provider-specific exceptions."""

    name = "gateway"

    @abc.abstractmethod
    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        """Send ``body`` to the E.164 number ``to``; returns the provider id or raises GatewayError."""

    def send_template(self, message: TemplateSms, status_callback: str | None = None) -> SendResult:
        """Send a template message; free-text gateways send its rendered text. Raises GatewayError."""
        return self.send(message.to, message.text, status_callback)

    def send_template_batch(self, messages: list[TemplateSms]) -> list[SendResult | GatewayError]:
        """Send several template messages, one result per message in the same order (a SendResult,
        or the GatewayError that message met). Gateways whose provider takes many numbers in one
        request override this; the default sends one at a time."""
        results: list[SendResult | GatewayError] = []
        for message in messages:
            try:
                results.append(self.send_template(message))
            except GatewayError as error:
                results.append(error)
        return results


@dataclass(frozen=True)
class TemplateSms:
    """One outbound SMS as mainland providers take it: a registered template and its parameters.

    ``template`` is Jishi's template name (see the template registry), ``params`` its parameters in
    the order the template declares them, ``text`` the text rendered from them without the
    signature (what gateways that take free text send), ``provider_template_code`` the code the
    provider approved for this template (from config; None for free-text gateways) and
    ``sign_name`` the approved 【签名】 the provider prepends (None where none applies)."""

    to: str
    template: str
    params: dict[str, str]
    text: str
    provider_template_code: str | None = None
    sign_name: str | None = None


class TemplateOnlyGateway(Gateway):
    """A provider that sends approved templates only (Alibaba Cloud, Tencent Cloud): free text is
    refused for good, and one template message is a batch of one. Subclasses implement
    ``send_template_batch``."""

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        raise GatewayError(False, f"{self.label} sends approved templates only, not free text")

    def send_template(self, message: TemplateSms, status_callback: str | None = None) -> SendResult:
        [result] = self.send_template_batch([message])
        if isinstance(result, GatewayError):
            raise result
        return result

    @abc.abstractmethod
    def send_template_batch(self, messages: list[TemplateSms]) -> list[SendResult | GatewayError]:
        """One result per message, in order (see Gateway.send_template_batch)."""


@dataclass(frozen=True)
class ConsoleMessage:
    to: str
    body: str
    status_callback: str | None
    provider_id: str
    sent_at: datetime


@dataclass
class ConsoleGateway(Gateway):
    """Development gateway: appends each message to ``store`` (a list by default, or anything with
    ``append``, such as the dev SMS inbox) and logs it. Nothing leaves the machine."""

    store: list = field(default_factory=list)
    name = "console"

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        provider_id = "CONSOLE" + uuid.uuid4().hex
        self.store.append(ConsoleMessage(to, body, status_callback, provider_id, datetime.now(UTC)))
        log.info("SMS to %s (%s): %s", to, provider_id, body)
        return SendResult(provider_id)


class TwilioGateway(Gateway):
    """Sends through Twilio's Messages API with the twilio library.

    Give ``from_number`` or ``messaging_service_sid``; when both are set the Messaging Service is used
    (it picks the sender from its pool). ``status_callback`` is the default delivery-status URL.
    ``http_client`` replaces the library's HTTP transport (tests intercept requests with it)."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        http_client: HttpClient | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        if not account_sid or not auth_token:
            raise ValueError("Twilio needs an account SID and an auth token")
        if not from_number and not messaging_service_sid:
            raise ValueError("Twilio needs a from-number or a Messaging Service SID")
        self.from_number = from_number or None
        self.messaging_service_sid = messaging_service_sid or None
        self.status_callback = status_callback or None
        # The library's default transport has no timeout; a hung socket would stall the worker.
        transport = http_client or TwilioHttpClient(timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=transport)

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        callback = status_callback or self.status_callback
        try:
            message = self.client.messages.create(to=to, body=body, status_callback=callback, **sender)
        except (TwilioRestException, TwilioServiceException) as error:
            raise _map_api_error(error) from error
        except (TwilioException, requests.RequestException, OSError) as error:
            # Transport failures and unreadable responses: the message may not have been accepted.
            raise GatewayError(True, f"Twilio unreachable: {error.__class__.__name__}: {error}") from error
        return SendResult(message.sid)


def _map_api_error(error: TwilioRestException | TwilioServiceException) -> GatewayError:
    """Twilio answered with an error: classic (TwilioRestException) or RFC 9457 (TwilioServiceException)."""
    status, code = int(error.status), error.code
    retryable = status >= 500 or status == 429 or code in RETRYABLE_TWILIO_CODES
    detail = getattr(error, "msg", None) or getattr(error, "detail", None) or getattr(error, "title", "")
    return GatewayError(retryable, f"Twilio {status} error {code}: {detail}", code)


def validate_twilio_signature(url: str, params: dict, signature: str | None, auth_token: str) -> bool:
    """True when ``signature`` (the X-Twilio-Signature header) signs ``url`` + ``params`` with
    ``auth_token``. ``url`` must be the public URL Twilio called (PUBLIC_BASE_URL + path + query)."""
    if not signature or not auth_token:
        return False
    return RequestValidator(auth_token).validate(url, params, signature)
