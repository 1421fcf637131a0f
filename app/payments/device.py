"""Which way of paying suits the buyer's device: a QR code to scan with the phone (WeChat Pay
Native) on a desktop, or the provider's phone page (WeChat Pay H5) in a phone's browser. The order
page guesses from the User-Agent and offers a link to switch (``?pay_on=phone`` / ``?pay_on=desktop``);
the start form carries the choice, so the guess never decides alone."""

from __future__ import annotations

import re

from flask import request

PHONE = re.compile(r"Mobile|Android|iPhone|iPod|HarmonyOS|Windows Phone", re.IGNORECASE)
# WeChat's own browser: H5 payment is refused there (it is for other browsers); the QR code works
# with a long press.
WECHAT_BROWSER = re.compile(r"MicroMessenger", re.IGNORECASE)
CHOICES = ("phone", "desktop")


def guessed(user_agent: str | None) -> str:
    """ "phone" or "desktop" for a User-Agent."""
    agent = user_agent or ""
    return "phone" if PHONE.search(agent) and not WECHAT_BROWSER.search(agent) else "desktop"


def pay_on() -> str:
    """ "phone" or "desktop" for the current request: the buyer's explicit choice (query string or
    form), else the guess from the User-Agent."""
    choice = request.values.get("pay_on", "")
    return choice if choice in CHOICES else guessed(request.headers.get("User-Agent"))
