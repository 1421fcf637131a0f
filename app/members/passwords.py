"""Password rules: 8–128 characters and not one that attackers try first.

The rules follow NIST SP 800-63B: a length range, no composition rules, and a block list of passwords
known from leaks plus the easy patterns people use (a birthday, one repeated character, the phone
number itself).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common_passwords.txt"
_EIGHT_DIGITS = re.compile(r"\d{8}")


class WeakPassword(ValueError):
    """The password breaks a rule; ``message`` is shown beside the password field."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The block list, case-folded, read once per process."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip() and not line.startswith("#"))


def _fold(password: str) -> str:
    # Full-width "１２３４５６７８" from a Chinese keyboard is the same weak password as "12345678".
    return unicodedata.normalize("NFKC", password).casefold()


def _looks_like_a_date(folded: str) -> bool:
    if not _EIGHT_DIGITS.fullmatch(folded):
        return False
    try:
        day = date(int(folded[:4]), int(folded[4:6]), int(folded[6:]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2099


def check_password(password: str, phone: str | None = None) -> None:
    """Return nothing when ``password`` is acceptable for the member with ``phone`` (E.164).

    Raises WeakPassword with a message for the form otherwise.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword(_l("Use at least %(min)d characters.", min=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_l("Use at most %(max)d characters.", max=MAX_LENGTH))
    if any(unicodedata.category(char) == "Cc" for char in password):
        raise WeakPassword(_l("The password contains characters that cannot be typed."))
    folded = _fold(password)
    national_digits = (phone or "").lstrip("+")[-8:]
    if (
        folded in common_passwords()
        or len(set(folded)) < 3
        or _looks_like_a_date(folded)
        or (len(national_digits) == 8 and national_digits in folded)
    ):
        raise WeakPassword(_l("This password is too common or too easy to guess. Please choose another one."))


def hash_password(password: str) -> str:
    """Hash with werkzeug (its default scrypt unless PASSWORD_HASH_METHOD says otherwise: tests use a
    cheaper scrypt cost so the suite does not spend minutes hashing)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
