"""Safe redirect targets."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    """Only same-site relative paths are followed after a form, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and not urlsplit(target).netloc:
        return target
    return url_for(default_endpoint)
