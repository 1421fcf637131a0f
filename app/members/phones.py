"""Mobile numbers: every number is stored in E.164 form (+8613800138000) so one phone is one member."""

from __future__ import annotations

import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberType

# A pasted essay is not a phone number; refuse it before the parser spends time on it.
MAX_RAW_LENGTH = 40
# Members are reached by SMS, so a landline cannot be an account. Some countries (US) do not tell
# mobile and fixed numbers apart; those are accepted.
MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def normalise_phone(raw: str | None, region: str) -> str:
    """Return ``raw`` as an E.164 number, reading numbers without a country code in ``region`` (e.g. "CN").

    Full-width digits and plus signs (typed by Chinese input methods), spaces and dashes are accepted.
    Raises ValueError when it is empty, not a valid number, or not a mobile number.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text or len(text) > MAX_RAW_LENGTH:
        raise ValueError("not a phone number")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValueError("not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
