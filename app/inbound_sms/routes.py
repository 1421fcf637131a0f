"""Routes of app.inbound_sms."""
from app.inbound_sms import bp  # noqa: F401
