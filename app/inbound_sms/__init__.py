"""Inbound SMS: the Twilio, Alibaba Cloud and Tencent Cloud webhooks and the commands feature-phone
members run by text message."""

from flask import Blueprint

bp = Blueprint("inbound_sms", __name__)

from app.inbound_sms import provider_routes, routes  # noqa: E402,F401
