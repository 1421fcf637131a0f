"""The reader's language, for services that word a message (SMS replies, e-mails, flashes)."""

from __future__ import annotations

from flask_babel import get_locale


def normalise_locale(value: str | None) -> str | None:
    """Map anything a browser or a person may send (zh, zh-CN, zh_Hans, en-GB) to a supported locale."""
    if not value:
        return None
    value = value.replace("-", "_").lower()
    if value.startswith("zh"):
        return "zh_Hans"
    if value.startswith("en"):
        return "en"
    return None


def is_chinese() -> bool:
    """True when the current reader's language is Chinese."""
    locale = get_locale()
    return bool(locale and locale.language == "zh")
