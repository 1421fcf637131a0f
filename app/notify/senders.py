"""Senders the worker hands claimed messages to: SMS through Twilio, Alibaba Cloud or Tencent Cloud
(the gateways of the sms/ package) or the console (stores and logs; the development default), chosen
per number (mainland numbers through SMS_GATEWAY_CN), and e-mail over SMTP or to the log. A sender
returns the provider's message id or raises SendFailed."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import insert

from app.core.urls import public_url
from app.extensions import db
from app.notify.models import Channel, ConsoleSms
from sms.aliyun import AliyunSmsGateway
from sms.gateways import ConsoleGateway, ConsoleMessage, Gateway, GatewayError, SendResult, TemplateSms, TwilioGateway
from sms.routing import RoutingGateway, is_mainland
from sms.tencent import TencentSmsGateway

log = logging.getLogger("jishi.notify")


@dataclass(frozen=True)
class OutgoingMessage:
    """A claimed notification, detached from the session so sending needs no database access."""

    id: int
    channel: str
    address: str
    subject: str | None
    body: str
    html: str | None
    attempts: int
    template: str | None = None
    template_params: dict | None = None
    urgent: bool = False

    @property
    def batchable(self) -> bool:
        """An SMS rendered from a registry template: it can go out in one request with others
        of the same template (rows written before templates have only their text)."""
        return self.channel == Channel.SMS.value and self.template_params is not None


class SendFailed(Exception):
    """The provider did not take the message. ``permanent`` failures are not retried."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class _ConsoleTable:
    """The console_sms table as a ConsoleGateway's store: what the gateway "sends" is a row."""

    def append(self, message: ConsoleMessage) -> None:
        db.session.connection().execute(ConsoleSmsSender._insert, {"to": message.to, "body": message.body})


class ConsoleSmsSender:
    """Stores the SMS in the console_sms table (committed with the worker's result, so the console
    "provider" never holds a message twice) and logs it. ``gateway`` does the same for messages
    given to the sms/ interface (template batches)."""

    # One Core INSERT, built once: the worker commits after every message, and the ORM's unit of
    # work for one row cost more than the INSERT itself (bench/notify_worker.py).
    _insert = insert(ConsoleSms.__table__)

    def __init__(self) -> None:
        self.gateway = ConsoleGateway(store=_ConsoleTable())

    def send(self, message: OutgoingMessage) -> str:
        db.session.connection().execute(
            self._insert, {"notification_id": message.id, "to": message.address, "body": message.body}
        )
        log.info("SMS to %s: %s", message.address, message.body)
        return f"console-sms-{message.id}"

    def send_batch(self, messages: list[OutgoingMessage]) -> list[str | SendFailed]:
        """Store several SMS in one INSERT; one provider id per message, in order."""
        db.session.connection().execute(
            self._insert, [{"notification_id": m.id, "to": m.address, "body": m.body} for m in messages]
        )
        log.info("SMS batch of %s (%s)", len(messages), messages[0].template if messages else "")
        return [f"console-sms-{message.id}" for message in messages]


def template_sms(message: OutgoingMessage, config, provider: str) -> TemplateSms:
    """The outbox row as the gateways take it: registry template, parameters, text, and the code
    ``provider`` approved for the template (SMS_TEMPLATE_CODES) with the signature (SMS_SIGN_NAME)."""
    codes = (config.get("SMS_TEMPLATE_CODES") or {}).get(provider, {})
    return TemplateSms(
        to=message.address,
        template=message.template or "",
        params=dict(message.template_params or {}),
        text=message.body,
        provider_template_code=codes.get(message.template or ""),
        sign_name=config.get("SMS_SIGN_NAME") or None,
    )


class GatewaySmsSender:
    """Sends through any sms.gateways.Gateway as template messages: ``send_template`` one by
    one, ``send_template_batch`` for the worker's groups of one template (providers that take
    many numbers in one request answer them together; free-text gateways send the rendered text)."""

    def __init__(self, gateway: Gateway, config, status_callback: str | None = None):
        self.gateway, self.config, self.status_callback = gateway, config, status_callback

    def send(self, message: OutgoingMessage) -> str:
        try:
            return self.gateway.send_template(
                template_sms(message, self.config, self.gateway.name), self.status_callback
            ).provider_id
        except GatewayError as error:
            raise SendFailed(error.message, permanent=not error.retryable) from error

    def send_batch(self, messages: list[OutgoingMessage]) -> list[str | SendFailed]:
        results = self.gateway.send_template_batch(
            [template_sms(message, self.config, self.gateway.name) for message in messages]
        )
        if len(results) != len(messages):
            raise SendFailed(f"{self.gateway.name} answered {len(results)} results for {len(messages)} messages")
        return [
            result.provider_id
            if isinstance(result, SendResult)
            else SendFailed(result.message, permanent=not result.retryable)
            for result in results
        ]


class TwilioSmsSender(GatewaySmsSender):
    """Sends through Twilio's Messages API (the rendered text), asking for delivery reports at /sms/status.

    ``http_client`` replaces the twilio library's HTTP transport (tests record requests with it)."""

    def __init__(self, config, status_callback: str, http_client=None):
        problem = twilio_settings_problem(config)
        if problem:
            raise RuntimeError(problem)
        gateway = TwilioGateway(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            from_number=config.get("TWILIO_FROM_NUMBER"),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
            status_callback=status_callback,
            http_client=http_client,
        )
        # A bad number (21211) or an unsubscribed one (21610) will never work; 5xx and 429 may.
        super().__init__(gateway, config)


def twilio_settings_problem(config) -> str | None:
    """Why SMS_GATEWAY=twilio cannot work with ``config`` (a message naming the missing settings),
    or None when it can."""
    missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not config.get(name)]
    if not (config.get("TWILIO_FROM_NUMBER") or config.get("TWILIO_MESSAGING_SERVICE_SID")):
        missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    if not missing:
        return None
    return f"SMS_GATEWAY 'twilio' needs these settings: {', '.join(missing)}"


# The TemplateSms name of a free text wrapped for a template-only provider, and its one parameter.
FREE_TEXT_TEMPLATE = "text"
FREE_TEXT_PARAM = "content"


class TemplateOnlySmsSender:
    """Sends through a provider that takes approved templates only (Alibaba Cloud, Tencent Cloud).

    A free text (what the worker hands over today, such as the reply to an SMS command) goes as the
    approved one-parameter template ``text_template_code`` (None: refused, permanently)."""

    def __init__(self, gateway, text_template_code: str | None, sign_name: str | None):
        self.gateway = gateway
        self.text_template_code = text_template_code or None
        self.sign_name = sign_name or None

    def send(self, message: OutgoingMessage) -> str:
        template = TemplateSms(
            to=message.address,
            template=FREE_TEXT_TEMPLATE,
            params={FREE_TEXT_PARAM: message.body},
            text=message.body,
            provider_template_code=self.text_template_code,
            sign_name=self.sign_name,
        )
        try:
            return self.gateway.send_template(template).provider_id
        except GatewayError as error:
            raise SendFailed(error.message, permanent=not error.retryable) from error


class TemplateProviderSender(GatewaySmsSender):
    """Alibaba Cloud or Tencent Cloud: a registry template goes as the code the provider approved
    for it (SMS_TEMPLATE_CODES[provider]) with its parameters, several of one template in one
    request (``send_batch``); a row without template parameters (written before the registry, or a
    free-text command reply) goes as the approved one-parameter text template."""

    def __init__(self, gateway: Gateway, config, text_template_code: str | None):
        super().__init__(gateway, config)
        self.free_text = TemplateOnlySmsSender(gateway, text_template_code, config.get("SMS_SIGN_NAME"))

    def send(self, message: OutgoingMessage) -> str:
        if message.template_params is None:
            return self.free_text.send(message)
        return super().send(message)


class RoutedSmsSender:
    """Mainland numbers (+86) to ``mainland``, every other number to ``default``. ``gateway`` routes
    the same way for template batches (sms.routing.RoutingGateway)."""

    def __init__(self, default, mainland):
        self.default, self.mainland = default, mainland
        self.gateway = RoutingGateway(default.gateway, mainland.gateway)

    def send(self, message: OutgoingMessage) -> str:
        return (self.mainland if is_mainland(message.address) else self.default).send(message)

    def send_batch(self, messages: list[OutgoingMessage]) -> list[str | SendFailed]:
        """Each route's messages as one batch of its sender (one at a time where it has no batch),
        results in the order given."""
        results: list[str | SendFailed | None] = [None] * len(messages)
        for sender, mainland in ((self.mainland, True), (self.default, False)):
            positions = [i for i, message in enumerate(messages) if is_mainland(message.address) == mainland]
            if not positions:
                continue
            group = [messages[i] for i in positions]
            if hasattr(sender, "send_batch"):
                answers = sender.send_batch(group)
            else:
                answers = [_send_one(sender, message) for message in group]
            for position, answer in zip(positions, answers, strict=True):
                results[position] = answer
        return results  # type: ignore[return-value]


def _send_one(sender, message: OutgoingMessage) -> str | SendFailed:
    try:
        return sender.send(message)
    except SendFailed as error:
        return error


def _endpoint(url: str) -> tuple[str, str]:
    """(host[:port], protocol) of a provider endpoint setting: "https://host", "http://127.0.0.1:8080"
    or a bare host (https)."""
    for protocol in ("https", "http"):
        if url.startswith(f"{protocol}://"):
            return url[len(protocol) + 3 :].rstrip("/"), protocol
    return url.rstrip("/"), "https"


def aliyun_settings_problem(config) -> str | None:
    """Why SMS_GATEWAY_CN=aliyun cannot work with ``config``, or None when it can."""
    names = ("ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME")
    missing = [name for name in names if not config.get(name)]
    return f"SMS_GATEWAY_CN 'aliyun' needs these settings: {', '.join(missing)}" if missing else None


def tencent_settings_problem(config) -> str | None:
    """Why SMS_GATEWAY_CN=tencent cannot work with ``config``, or None when it can."""
    names = ("TENCENT_SMS_SECRET_ID", "TENCENT_SMS_SECRET_KEY", "TENCENT_SMS_SDK_APP_ID", "SMS_SIGN_NAME")
    missing = [name for name in names if not config.get(name)]
    return f"SMS_GATEWAY_CN 'tencent' needs these settings: {', '.join(missing)}" if missing else None


SMS_GATEWAYS = ("console", "twilio")
SMS_GATEWAYS_CN = ("console", "twilio", "aliyun", "tencent")
_SETTINGS_PROBLEM = {
    "twilio": twilio_settings_problem,
    "aliyun": aliyun_settings_problem,
    "tencent": tencent_settings_problem,
}


def sms_settings_problem(config) -> str | None:
    """Why SMS_GATEWAY and SMS_GATEWAY_CN cannot work with ``config`` (an unknown name or the
    missing settings of a chosen provider), or None when they can."""
    default = config.get("SMS_GATEWAY") or "console"
    mainland = config.get("SMS_GATEWAY_CN") or default
    if default not in SMS_GATEWAYS:
        return f"SMS_GATEWAY {default!r} is not available (known: {', '.join(SMS_GATEWAYS)})"
    if mainland not in SMS_GATEWAYS_CN:
        return f"SMS_GATEWAY_CN {mainland!r} is not available (known: {', '.join(SMS_GATEWAYS_CN)})"
    for name in dict.fromkeys((default, mainland)):
        if name in _SETTINGS_PROBLEM and (problem := _SETTINGS_PROBLEM[name](config)):
            return problem
    return None


def _sms_sender(name: str, config, twilio_http_client=None):
    if name == "console":
        return ConsoleSmsSender()
    if name == "twilio":
        return TwilioSmsSender(config, public_url("notify.sms_status"), http_client=twilio_http_client)
    if name == "aliyun":
        host, protocol = _endpoint(config.get("ALIYUN_SMS_ENDPOINT") or "https://dysmsapi.aliyuncs.com")
        gateway = AliyunSmsGateway(
            config["ALIYUN_SMS_ACCESS_KEY_ID"],
            config["ALIYUN_SMS_ACCESS_KEY_SECRET"],
            endpoint=host,
            protocol=protocol,
            sign_name=config["SMS_SIGN_NAME"],
        )
        return TemplateProviderSender(gateway, config, config.get("ALIYUN_SMS_TEXT_TEMPLATE_CODE"))
    host, protocol = _endpoint(config.get("TENCENT_SMS_ENDPOINT") or "https://sms.tencentcloudapi.com")
    gateway = TencentSmsGateway(
        config["TENCENT_SMS_SECRET_ID"],
        config["TENCENT_SMS_SECRET_KEY"],
        config["TENCENT_SMS_SDK_APP_ID"],
        region=config.get("TENCENT_SMS_REGION"),
        endpoint=host,
        protocol=protocol,
        sign_name=config["SMS_SIGN_NAME"],
    )
    return TemplateProviderSender(gateway, config, config.get("TENCENT_SMS_TEXT_TEMPLATE_ID"))


class ConsoleEmailSender:
    """Logs the e-mail instead of sending it (development default)."""

    def send(self, message: OutgoingMessage) -> str:
        log.info("E-mail to %s: %s\n%s", message.address, message.subject, message.body)
        return f"console-email-{message.id}"


class SmtpEmailSender:
    """Sends multipart (text + HTML) e-mail through the MAIL_* server, with STARTTLS or SSL."""

    def __init__(self, config):
        self.server = config["MAIL_SERVER"]
        self.port = config["MAIL_PORT"]
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.use_tls = config.get("MAIL_USE_TLS", False)
        self.use_ssl = config.get("MAIL_USE_SSL", False)
        self.sender = config["MAIL_DEFAULT_SENDER"]
        self.timeout = config.get("MAIL_TIMEOUT_SECONDS", 20)
        self.ssl_context = config.get("MAIL_SSL_CONTEXT") or ssl.create_default_context()

    def build(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.address
        email["Subject"] = message.subject or ""
        email["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[-1].strip("> "))
        email.set_content(message.body)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        return email

    def send(self, message: OutgoingMessage) -> str:
        email = self.build(message)
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.server, self.port, timeout=self.timeout, context=self.ssl_context)
            else:
                smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
            with smtp:
                if self.use_tls and not self.use_ssl:
                    smtp.starttls(context=self.ssl_context)
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            raise SendFailed(f"recipient refused: {error.recipients}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from error
        return email["Message-ID"]


def senders_from_config(config, *, twilio_http_client=None) -> dict[str, object]:
    """The sender for each channel named by SMS_GATEWAY, SMS_GATEWAY_CN and MAIL_BACKEND; raises
    RuntimeError for a name this module does not know or for a chosen provider's missing settings.
    Twilio needs an app context (its status callback URL is built from PUBLIC_BASE_URL and the URL map)."""
    if problem := sms_settings_problem(config):
        raise RuntimeError(problem)
    default = config.get("SMS_GATEWAY") or "console"
    mainland = config.get("SMS_GATEWAY_CN") or default
    sms_sender = _sms_sender(default, config, twilio_http_client)
    if mainland != default:
        sms_sender = RoutedSmsSender(sms_sender, _sms_sender(mainland, config, twilio_http_client))
    backend = config["MAIL_BACKEND"]
    if backend == "console":
        email_sender = ConsoleEmailSender()
    elif backend == "smtp":
        email_sender = SmtpEmailSender(config)
    else:
        raise RuntimeError(f"MAIL_BACKEND {backend!r} is not available (known: console, smtp)")
    return {Channel.SMS.value: sms_sender, Channel.EMAIL.value: email_sender}
