"""Safe redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """Only same-site relative paths are followed after a form, never another host."""
    # Control characters (CR/LF, NUL, tab) are refused too: they would either split the Location header
    # (a 500) or be dropped by browsers, turning "/\t/evil.example" into "//evil.example".
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(char) < 32 or ord(char) == 127 for char in target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for(default_endpoint)
