"""Inbound SMS: the Twilio webhook and the commands feature-phone members run by text message."""

from flask import Blueprint

bp = Blueprint("inbound_sms", __name__)

from app.inbound_sms import routes  # noqa: E402,F401
