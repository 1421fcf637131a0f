"""Exact reading of the numbers farmers text: Arabic (2100, 2,100, 1.05, full-width digits after
NFKC), Chinese numerals (两, 三千, 一万二, mixes such as 3万5 and 1万2千) and money forms (1块2,
一块五, 8毛, 1块2毛5, 1元2角). Every value is a Decimal built from the digits written; nothing is
rounded, and a form this module cannot read whole is not read at all (the caller names it).

Written here rather than taken from cn2an or jionlp's money parser: the reader needs exact
Decimals, mixed Arabic/Chinese forms, the spoken money forms, and a clear "not read" for anything
else, so that a number is never half-read; a small reader whose every form is in the test table
(tests/sms/test_numbers.py round-trips every Chinese numeral to 100,000) is easier to keep exact than
a general converter with its own normalisation rules, and adds no dependency."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERALS = frozenset(_DIGITS) | frozenset(_SMALL) | frozenset(_LARGE)
_ARABIC = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?|\.\d+")
_MONEY_MAJOR = ("块钱", "块", "元")
_MONEY_MINOR = ("毛钱", "毛", "角")
_SIGNS = "-−"


@dataclass(frozen=True)
class Number:
    """A number read at ``start``..``end`` of the text. ``money`` when written with 块/元/毛/角,
    ``negative`` when a minus sign stood before it (the caller refuses it)."""

    value: Decimal
    start: int
    end: int
    money: bool = False
    negative: bool = False


def _atom(text: str, pos: int) -> tuple[str, Decimal, int] | None:
    """One piece of a number at ``pos``: ("arabic", value, end), ("digit", value, end) for 一…九
    and 两/零, ("small", multiplier, end) for 十/百/千, ("large", multiplier, end) for 万/亿."""
    if pos >= len(text):
        return None
    found = _ARABIC.match(text, pos)
    if found:
        return "arabic", Decimal(found.group().replace(",", "")), found.end()
    ch = text[pos]
    if ch in _DIGITS:
        return "digit", Decimal(_DIGITS[ch]), pos + 1
    if ch in _SMALL:
        return "small", Decimal(_SMALL[ch]), pos + 1
    if ch in _LARGE:
        return "large", Decimal(_LARGE[ch]), pos + 1
    return None


def _integer_part(text: str, pos: int) -> tuple[Decimal, int, bool] | None:
    """Read a (possibly mixed Arabic/Chinese) number at ``pos``. Returns (value, end, abbreviated?)
    or None. Two bare digits in a row end the number ("一两" is 1 then 两), so a unit word that is
    also a numeral is left to the caller."""
    total = Decimal(0)  # everything above the current 万/亿 group
    section = Decimal(0)  # the current group below 万
    current: Decimal | None = None
    last_multiplier: Decimal | None = None
    after_zero = False
    end = pos
    start = pos
    while True:
        atom = _atom(text, end)
        if atom is None:
            break
        kind, value, atom_end = atom
        if kind in ("arabic", "digit"):
            if current is not None:
                break
            if kind == "arabic" and end != start and last_multiplier is None:
                break
            if kind == "digit" and value == 0:
                after_zero = True
                end = atom_end
                continue
            current = value
        elif kind == "small":
            if last_multiplier is not None and value >= last_multiplier and current is None:
                break
            section += (current if current is not None else Decimal(1)) * value
            current, last_multiplier, after_zero = None, value, False
        else:
            section += current if current is not None else Decimal(0)
            if section == 0 and total == 0:
                if end == start:
                    break
            total = (total + section) * value if value > Decimal(10_000) else total + section * value
            section, current, last_multiplier, after_zero = Decimal(0), None, value, False
        end = atom_end
    if end == start:
        return None
    abbreviated = False
    if current is not None:
        # "3万5" is 35,000 and "一千五" 1,500: a single digit right after a multiplier is the next
        # place down; after a 零 ("一千零五") or with more digits ("3万500") it is taken as written.
        if (
            last_multiplier is not None
            and not after_zero
            and current == current.to_integral_value()
            and 0 < current < 10
            and last_multiplier >= 10
        ):
            current = current * last_multiplier / 10
            abbreviated = True
        section += current
    elif last_multiplier is None and not after_zero:
        return None
    return total + section, end, abbreviated


def _starts_with(text: str, pos: int, words) -> str | None:
    return next((w for w in words if text.startswith(w, pos)), None)


def read_number(text: str, pos: int) -> Number | None:
    """The number starting at ``pos`` of the folded text (spaces after a minus sign allowed), or None.

    Money forms: "1块2" = 1.2, "一块五" = 1.5, "8毛" = 0.8, "1块2毛5" = 1.25, "1元2角" = 1.2,
    "2100元" = 2100 (``money`` True). A bare digit after 元 is not read as tenths ("1元2" stops at
    元): only 块 has that spoken form."""
    start = pos
    negative = False
    if pos < len(text) and text[pos] in _SIGNS + "+":
        negative = text[pos] in _SIGNS
        pos += 1
        while pos < len(text) and text[pos] == " ":
            pos += 1
    integer = _integer_part(text, pos)
    if integer is None:
        return None
    value, end, _ = integer
    value, end = _chinese_decimals(text, end, value)
    money = False
    major = _starts_with(text, end, _MONEY_MAJOR)
    minor = _starts_with(text, end, _MONEY_MINOR)
    if minor and value == value.to_integral_value() and value < 10:
        # "8毛", "5毛5": tenths, then an optional digit of hundredths (分).
        value, end, money = value / 10, end + len(minor), True
        cents = _single_digit(text, end)
        if cents is not None:
            value, end = value + cents[0] / 100, cents[1]
        end = _skip(text, end, ("分",))
        return Number(_tidy(value), start, end, True, negative)
    if major:
        end, money = end + len(major), True
        tenths = _single_digit(text, end)
        if tenths is not None and value == value.to_integral_value():
            after = tenths[1]
            minor = _starts_with(text, after, _MONEY_MINOR)
            if minor or major.startswith("块"):
                value, end = value + tenths[0] / 10, after + (len(minor) if minor else 0)
                cents = _single_digit(text, end)
                if minor and cents is not None:
                    value, end = value + cents[0] / 100, _skip(text, cents[1], ("分",))
        end = _skip(text, end, ("钱",))
    return Number(_tidy(value), start, end, money, negative)


def _chinese_decimals(text: str, pos: int, value: Decimal) -> tuple[Decimal, int]:
    """ "三点五" → 3.5: digits after 点 are read one by one (零点零五 → 0.05)."""
    if not text.startswith("点", pos) or value != value.to_integral_value():
        return value, pos
    digits = ""
    end = pos + 1
    while end < len(text) and text[end] in _DIGITS:
        digits += str(_DIGITS[text[end]])
        end += 1
    if not digits:
        return value, pos
    return value + Decimal(f"0.{digits}"), end


def _tidy(value: Decimal) -> Decimal:
    """Drop fraction zeros that multiplying introduced ("1.5万" → 15000, not 15000.0)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _single_digit(text: str, pos: int) -> tuple[Decimal, int] | None:
    """One digit (Arabic or Chinese) at ``pos`` not followed by another digit, or None."""
    if pos >= len(text):
        return None
    ch = text[pos]
    value = int(ch) if ch.isascii() and ch.isdigit() else _DIGITS.get(ch)
    if value is None:
        return None
    following = text[pos + 1 : pos + 2]
    # "一块二一斤": a 一 after the digit is "per", not a further digit, when no numeral follows it.
    per_one = (
        following == "一" and text[pos + 2 : pos + 3] not in CHINESE_NUMERALS and not text[pos + 2 : pos + 3].isdigit()
    )
    if following and not per_one and (following.isdigit() or following in CHINESE_NUMERALS or following == "."):
        return None
    return Decimal(value), pos + 1


def _skip(text: str, pos: int, words) -> int:
    word = _starts_with(text, pos, words)
    return pos + len(word) if word else pos


def format_number(value: Decimal) -> str:
    """``value`` as plain digits without exponent or trailing zeros ("2100", "1.05"): what a reply
    prints, and what read_number reads back to the same Decimal."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
