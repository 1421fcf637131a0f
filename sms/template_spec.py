"""The shape of an SMS template (sms/templates.py is the registry of them): its category, the
kinds of its variables, a variable's spec and the template itself, with the two helpers every
template list is written with (``param``, ``template``). Apart from the registry so that lists of
templates in other modules (sms/reply_templates.py) can be written without importing it.
Flask-free, like the rest of sms/."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from sms import limits


class Category(str, Enum):
    CODE = "code"  # verification and password-reset codes: urgent, sent before everything else
    EVENT = "event"  # order, offer, forum, report and admin events
    ALERT = "alert"  # price alerts and targets
    DIGEST = "digest"  # daily price digests
    REPLY = "reply"  # answers to an inbound SMS command


class Kind(str, Enum):
    NUMBER = "number"  # digits only
    CODE = "code"  # a verification code: 4 to 8 digits
    REFERENCE = "reference"  # order numbers, offer codes, report numbers: letters, digits, #, -
    MONEY = "money"  # ¥2,100 / ¥1.05, optionally "/unit"
    TEXT = "text"  # names and short phrases: no URL, no domain, no 【】, no line break
    PATH = "path"  # the path of a link on the site, after {site}/: letters, digits, - _ /


@dataclass(frozen=True)
class Param:
    """One variable: its name in the texts, its kind, its longest value (in Chinese texts
    ``max_length_zh`` when names are shorter there, as catalogue names are), and whether rendering
    may shorten it to make the message fit (names yes; numbers, prices and codes never)."""

    name: str
    kind: Kind
    max_length: int
    shorten: bool = False
    max_length_zh: int | None = None

    def longest(self, lang: str) -> int:
        return self.max_length_zh if lang == "zh" and self.max_length_zh is not None else self.max_length


@dataclass(frozen=True)
class Template:
    name: str
    category: Category
    params: tuple[Param, ...]
    text: dict[str, str]
    segments: int = field(default=0)
    description: str = ""
    # A variant without the link, sent instead when this one does not fit (price alerts): what is
    # guaranteed to fit with the longest values is the fallback; the link comes when there is room.
    fallback: str | None = None

    @property
    def allowed_segments(self) -> int:
        """Parts this template may take: REPLY_SEGMENTS for replies, else its own (sms.limits)."""
        if self.segments:
            return self.segments
        if self.category == Category.REPLY:
            return limits.REPLY_SEGMENTS
        return limits.segments_for(self.name)

    def param(self, name: str) -> Param:
        return next(param for param in self.params if param.name == name)


def param(name: str, kind: Kind, max_length: int, shorten: bool = False, zh: int | None = None) -> Param:
    return Param(name, kind, max_length, shorten, zh)


def template(
    name: str, category: Category, params: tuple[Param, ...], en: str, zh: str, description: str = ""
) -> Template:
    return Template(name, category, params, {"en": en, "zh": zh}, description=description)
