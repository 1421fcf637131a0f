"""Models of app.inbound_sms."""
from __future__ import annotations
