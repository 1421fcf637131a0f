"""SMS segment arithmetic (3GPP TS 23.038 / 23.040).

A message is GSM-7 when every character is in the GSM 03.38 default alphabet or its extension table
(extension characters are sent as ESC + char, so they cost 2 septets). Any other character turns the
whole message into UCS-2, measured in UTF-16 code units (so an emoji costs 2). A single segment holds
160 septets / 70 units; a concatenated message loses room to the user-data header: 153 / 67 per part.
Carriers never split an escape sequence or a surrogate pair across two parts, so we pack whole
characters into parts, which can make a long message one part longer than a naive division says.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}

# Characters that must stay attached to the character before them (accents, emoji modifiers, ZWJ).
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


@dataclass(frozen=True)
class SegmentInfo:
    """How a text travels as SMS: ``units`` are septets (GSM-7) or UTF-16 code units (UCS-2);
    ``per_segment`` is the room per part for this message (160/70 when it fits in one, else 153/67)."""

    encoding: str
    units: int
    segments: int
    per_segment: int


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` can be sent in the GSM-7 alphabet (basic or extension)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _char_units(ch: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def count_segments(text: str) -> SegmentInfo:
    """Return the encoding, total units and number of parts needed to send ``text``.

    An empty text still costs one (empty) segment."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    single, multi = LIMITS[encoding]
    sizes = [_char_units(ch, encoding) for ch in text]
    units = sum(sizes)
    if units <= single:
        return SegmentInfo(encoding, units, 1, single)
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return SegmentInfo(encoding, units, segments, multi)


def fits(text: str, max_segments: int) -> bool:
    """True when ``text`` needs at most ``max_segments`` parts."""
    return count_segments(text).segments <= max_segments


def _clean_cut(text: str, end: int) -> int:
    """Move ``end`` back so the cut does not separate a character from its combining marks or
    joiners, and prefer a word boundary when one is close (Latin text; CJK has no spaces)."""
    while 0 < end < len(text) and (
        unicodedata.combining(text[end]) or text[end] in _JOINERS or text[end - 1] in _JOINERS
    ):
        end -= 1
    if 0 < end < len(text) and not text[end].isspace() and not text[end - 1].isspace():
        space = text.rfind(" ", max(0, end - 15), end)
        if space > 0:
            end = space
    return end


def truncate_to_segments(text: str, max_segments: int, suffix: str = "") -> str:
    """Return ``text`` unchanged when it fits in ``max_segments`` parts; otherwise the longest clean
    prefix of it followed by ``suffix`` (e.g. " … https://jishi.cn/p/12") that fits.

    The cut works on whole characters, so it never splits a surrogate pair or a GSM escape sequence.
    Raises ValueError when ``max_segments`` < 1 or the suffix alone does not fit."""
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    if fits(text, max_segments):
        return text
    if not fits(suffix, max_segments):
        raise ValueError("suffix does not fit in the allowed segments")
    # Adding characters never lowers the part count, so the longest fitting prefix can be bisected.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + suffix, max_segments):
            low = middle
        else:
            high = middle - 1
    end = _clean_cut(text, low)
    return text[:end].rstrip() + suffix
