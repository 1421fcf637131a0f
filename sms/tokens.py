"""The tolerant tokenizer behind sms.commands: one pass over the folded message that names every
piece — command word, commodity, province, unit, number, "per", currency, filler — and keeps the
pieces it could not name as ``word`` tokens, so the reader can name them back to the farmer.

Separators are spaces and any punctuation, ASCII or Chinese (，。、：；！？ …): a decimal point
between digits, a thousands comma ("2,100"), "/" (per), "#" and a minus sign before a number are
kept because they change what the message says."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sms.catalogue import Catalogue, fold
from sms.numbers import CHINESE_NUMERALS, Number, read_number
from sms.vocabulary import CURRENCY_AFTER, CURRENCY_BEFORE, FILLERS, GRADE_WORDS, KEYWORDS, PER_WORDS

_KEPT = frozenset("/#¥")
_SIGNS = frozenset("-−")
_MAX_WORD = 40


@dataclass(frozen=True)
class Token:
    """``kind``: keyword (value = (family, word)), commodity (slug), province (code), unit (Unit),
    number (sms.numbers.Number), per, currency, filler, word (unrecognised). ``start``/``end`` index
    both the folded and the original text."""

    kind: str
    value: object
    start: int
    end: int


@dataclass(frozen=True)
class Message:
    """``original`` is the NFKC text with spaces collapsed (the farmer's case and script, for notes);
    ``base`` the same folded (lower case, Simplified); ``folded`` has separators turned into spaces.
    All three have the same length."""

    original: str
    base: str
    folded: str


def _is_separator(text: str, i: int) -> bool:
    ch = text[i]
    if ch.isspace():
        return True
    category = unicodedata.category(ch)
    if not category.startswith(("P", "S")) or ch in _KEPT:
        return False
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1 : i + 2]
    if ch == "." and before.isdigit() and after.isdigit():
        return False
    if ch == "," and before.isdigit() and text[i + 1 : i + 4].isdigit() and not text[i + 4 : i + 5].isdigit():
        return False
    if ch in _SIGNS and (after.isdigit() or text[i + 1 : i + 3].strip().isdigit()):
        return False
    return True


def normalise(text: str) -> Message:
    """Fold ``text`` (NFKC, whitespace collapsed, case, Traditional → Simplified) and mark separators."""
    original = " ".join(unicodedata.normalize("NFKC", text or "").split())
    base = fold(original)
    folded = "".join(" " if _is_separator(base, i) else ch for i, ch in enumerate(base))
    return Message(original, base, folded)


_VOCABULARIES: dict[int, tuple[Catalogue, dict[str, tuple[str, object]]]] = {}


def vocabulary(catalogue: Catalogue) -> dict[str, tuple[str, object]]:
    """Every word the reader knows → (kind, value), later kinds yielding to earlier ones: command
    words, then commodities, provinces, units, per-words, currency, fillers."""
    cached = _VOCABULARIES.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1]
    words: dict[str, tuple[str, object]] = {}
    layers = [
        # Grade words (新鲜, 有机, fresh) only so that a longer grade wins over a filler inside it
        # (有机 is not the filler 有 + 机); commands that take a commodity skip them.
        ("grade", GRADE_WORDS),
        ("filler", dict.fromkeys(FILLERS, None)),
        ("currency", dict.fromkeys((*CURRENCY_BEFORE, *CURRENCY_AFTER), None)),
        ("per", dict.fromkeys(PER_WORDS, None)),
        ("unit", catalogue.units),
        ("province", catalogue.provinces),
        ("commodity", catalogue.commodities),
        ("keyword", {word: (family, word) for word, family in KEYWORDS.items()}),
    ]
    for kind, mapping in layers:
        for word, value in mapping.items():
            words[word] = (kind, value)
    if len(_VOCABULARIES) > 8:
        _VOCABULARIES.clear()
    _VOCABULARIES[id(catalogue)] = (catalogue, words)
    return words


def _longest_word(text: str, pos: int, words) -> str | None:
    """The longest known word at ``pos`` that does not end inside a Latin word."""
    rest = text[pos : pos + _MAX_WORD]
    for length in range(len(rest), 0, -1):
        key = rest[:length]
        if key in words and not (_alpha(key[-1]) and length < len(rest) and _alpha(rest[length])):
            return key
    return None


def _alpha(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _starts_number(text: str, pos: int) -> bool:
    ch = text[pos]
    return ch.isdigit() or ch in CHINESE_NUMERALS or (ch in _SIGNS and pos + 1 < len(text)) or ch == "+"


def _number(text: str, pos: int, words) -> Number | None:
    """The number at ``pos``, stopped before a unit word that starts inside it ("5千克" is 5 kg,
    not 5000 克)."""
    number = read_number(text, pos)
    if number is None:
        return None
    for inner in range(pos + 1, number.end):
        word = _longest_word(text, inner, words)
        if word is not None and inner + len(word) > number.end and words[word][0] == "unit":
            return read_number(text[:inner], pos)
    return number


def tokenize(message: Message, catalogue: Catalogue, start: int = 0) -> list[Token]:
    """The tokens of ``message.folded`` from ``start``. A numeral that is also a unit (两) is a unit
    right after a number ("一两") and a number otherwise ("两吨")."""
    text, words = message.folded, vocabulary(catalogue)
    tokens: list[Token] = []
    pos = start
    while pos < len(text):
        if text[pos] == " ":
            pos += 1
            continue
        number = _number(text, pos, words) if _starts_number(text, pos) else None
        word = _longest_word(text, pos, words)
        after_number = bool(tokens) and tokens[-1].kind == "number" and tokens[-1].end == pos
        if number is not None and (
            word is None
            or number.end - pos > len(word)
            or (number.end - pos == len(word) and not (after_number and words[word][0] == "unit"))
        ):
            tokens.append(Token("number", number, pos, number.end))
            pos = number.end
            continue
        if word is not None:
            kind, value = words[word]
            tokens.append(Token(kind, value, pos, pos + len(word)))
            pos += len(word)
            continue
        end = pos + 1
        if _latin(text[pos]):
            while end < len(text) and _latin(text[end]):
                end += 1
        if tokens and tokens[-1].kind == "word" and tokens[-1].end == pos and not _latin(text[pos]):
            previous = tokens.pop()
            tokens.append(Token("word", None, previous.start, end))
        else:
            tokens.append(Token("word", None, pos, end))
        pos = end
    return tokens


# List punctuation separates the arguments after a command word; edge punctuation is only trimmed.
LIST_PUNCTUATION = re.compile(r"[,;:，、：；。]")
EDGE_PUNCTUATION = " 。！!？?，,、；;：:.…~"


def words_of(message: Message, tokens: list[Token]) -> str:
    """The farmer's text of ``tokens``: touching tokens stay together ("5吨"), others get a space."""
    text = ""
    for previous, token in zip([None, *tokens], tokens, strict=False):
        gap = "" if previous is None or previous.end == token.start else " "
        text += gap + message.original[token.start : token.end]
    return text


def text_after(message: Message, keyword: Token) -> str:
    """The folded text after ``keyword``: list punctuation (，、：；, ; :) separates, other punctuation
    is only trimmed from the ends (a code such as "k7-q2" must fail, not lose its tail)."""
    return LIST_PUNCTUATION.sub(" ", message.base[keyword.end :]).strip(EDGE_PUNCTUATION)


def text_after_start(message: Message, keyword: Token) -> int:
    """Where the text of :func:`text_after` starts in the message."""
    text = message.base
    pos = keyword.end
    while pos < len(text) and (text[pos] in EDGE_PUNCTUATION or LIST_PUNCTUATION.match(text[pos])):
        pos += 1
    return pos
