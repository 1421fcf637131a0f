"""E-mail goes out over SMTP (plain, STARTTLS or SSL) to a local aiosmtpd server; refusals and an
unreachable server are recorded as failures."""

from __future__ import annotations

import socket
import ssl
import subprocess
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from app.notify import worker
from app.notify.senders import OutgoingMessage, SendFailed, SmtpEmailSender, senders_from_config
from app.notify.services import enqueue
from tests.factories import make_member
from tests.notify.conftest import notifications

CONTEXT = {
    "number": "J0000042",
    "title": "Rice",
    "link": "http://jishi.test/o/42",
    "url": "http://jishi.test/orders/42",
}


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def start(inbox, **kwargs):
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


def mail_config(port, **changes):
    config = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_DEFAULT_SENDER": "Jishi <noreply@jishi.example>",
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_TIMEOUT_SECONDS": 5,
    }
    config.update(changes)
    return config


def message(address="li@example.com"):
    return OutgoingMessage(
        id=7,
        channel="email",
        address=address,
        subject="Order J0000042 shipped",
        body="Hello Li,\n\nShipped.\n",
        html="<p>Shipped.</p>",
        attempts=1,
    )


def test_worker_delivers_text_and_html_email_through_smtp(app, db):
    inbox = Inbox()
    controller = start(inbox)
    try:
        app.config.update(mail_config(controller.port, MAIL_BACKEND="smtp"))
        member = make_member(email="li@example.com", display_name="Li")
        enqueue(member, "order_shipped", CONTEXT)
        db.session.commit()
        senders = senders_from_config(app.config)
        assert isinstance(senders["email"], SmtpEmailSender)
        worker.run_once(senders)
    finally:
        controller.stop()
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["li@example.com"]
    email = message_from_bytes(envelope.content, policy=policy.default)
    assert email["Subject"] == "Order J0000042 shipped"
    assert email["From"] == "Jishi <noreply@jishi.example>"
    assert "Hello Li," in email.get_body(("plain",)).get_content()
    assert 'href="http://jishi.test/orders/42"' in email.get_body(("html",)).get_content()
    row = notifications(channel="email")[0]
    assert row.status == "sent" and row.provider_id == email["Message-ID"]


def test_starttls(certificate):
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = start(inbox, tls_context=server_context, require_starttls=True)
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        sender = SmtpEmailSender(mail_config(controller.port, MAIL_USE_TLS=True, MAIL_SSL_CONTEXT=client_context))
        sender.send(message())
        plain = SmtpEmailSender(mail_config(controller.port))
        with pytest.raises(SendFailed):  # the server insists on STARTTLS
            plain.send(message())
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 1


def test_implicit_ssl(certificate):
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = start(inbox, ssl_context=server_context)
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        SmtpEmailSender(mail_config(controller.port, MAIL_USE_SSL=True, MAIL_SSL_CONTEXT=client_context)).send(
            message()
        )
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 1


def test_refused_recipient_is_a_permanent_failure():
    inbox = Inbox()
    controller = start(inbox)
    try:
        with pytest.raises(SendFailed) as refused:
            SmtpEmailSender(mail_config(controller.port)).send(message("nobody@example.com"))
    finally:
        controller.stop()
    assert refused.value.permanent


def test_unreachable_server_is_a_temporary_failure():
    with pytest.raises(SendFailed) as failed:
        SmtpEmailSender(mail_config(free_port())).send(message())
    assert not failed.value.permanent
