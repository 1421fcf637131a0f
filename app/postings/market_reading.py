"""What the market shows of how it read a query: one chip per understood part ("玉米 · 河南 · 出售"),
each with a plain link to the same search without it, and, when nothing matches, a correction or a
broader search that does find something — never a bare "no results"."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from app.postings.market_forms import MarketChoices, MarketFilters
from app.postings.search import any_posting_matches
from app.search.understanding import Part, Understanding, is_cjk
from app.search.vocabulary import query_vocabulary


@dataclass(frozen=True)
class Chip:
    """One understood part: ``label`` in the reader's language, ``role`` (commodity, place, grade,
    kind, text), ``typed`` (the words as typed, when the label says something else) and
    ``without`` (the query string of the same search without this part)."""

    label: str
    role: str
    typed: str
    without: str


@dataclass(frozen=True)
class Suggestion:
    """A search to try instead: a sentence and the market arguments that run it."""

    label: str
    args: dict[str, str]


def query_chips(understanding: Understanding, zh: bool) -> list[Chip]:
    """A chip per part of ``understanding``, in the order typed."""
    if not understanding.understood_anything:
        return []
    vocabulary = query_vocabulary()
    chips = []
    for part in understanding.parts:
        label = part_label(part, vocabulary, zh)
        typed = part.text if part.text.casefold() not in label.casefold() else ""
        chips.append(Chip(label=label, role=part.role, typed=typed, without=understanding.without(part)))
    return chips


def part_label(part: Part, vocabulary, zh: bool) -> str:
    """How a chip names ``part``: the commodity's or place's name in the reader's language (a city
    with its province), the kind in words, a grade and free words as typed."""
    if part.role == "commodity":
        row = vocabulary.commodities.get(part.value)
        return (row.name_zh if zh else row.name_en) if row else part.text
    if part.role == "place":
        place = part.value
        name = place.name_zh if zh or not place.name_en else place.name_en
        province = vocabulary.provinces.get(place.province_code)
        if place.level == "province" or province is None:
            return name
        return f"{name} ({province.name_zh if zh else province.name_en})"
    if part.role == "kind":
        return _("Sell offers") if part.value == "sell" else _("Buy requests")
    if part.role == "grade":
        return part.text
    return f"“{part.text}”"


def suggestions(filters: MarketFilters, understanding: Understanding, choices: MarketChoices) -> list[Suggestion]:
    """Searches to try when ``filters`` find nothing, each checked to find something: the closest
    commodity to a word that was not understood, then the same search without the place, without
    the free words and for the other kind (the page itself offers to remove the form's filters)."""
    vocabulary = query_vocabulary()
    candidates: list[tuple[str, str, str]] = []  # (label, query, kind)
    for part in understanding.of_role("text"):
        slug = None if is_cjk(part.text) else vocabulary.closest_commodity(part.text)
        row = vocabulary.commodities.get(slug) if slug else None
        if row is not None:
            name = row.name_en.lower()
            candidates.append(
                (_("Did you mean “%(word)s”?", word=name), understanding.replaced(part, name), filters.kind)
            )
    places = understanding.of_role("place")
    if places:
        candidates.append((_("Search all provinces"), understanding.without(*places), filters.kind))
    texts = understanding.of_role("text")
    if texts and len(texts) < len(understanding.parts):
        candidates.append(
            (
                _("Search without “%(words)s”", words=" ".join(part.text for part in texts)),
                understanding.without(*texts),
                filters.kind,
            )
        )
    kind = filters.kind or understanding.kind
    if kind:
        label = _("Show buy requests instead") if kind == "sell" else _("Show sell offers instead")
        candidates.append(
            (label, understanding.without(*understanding.of_role("kind")), "buy" if kind == "sell" else "sell")
        )

    found: list[Suggestion] = []
    for label, q, kind in candidates:
        trial = replace(filters, q=q, kind=kind, page=1)
        args = market_arguments(trial)
        if trial == replace(filters, page=1) or args in [s.args for s in found] or not has_results(trial, choices):
            continue
        found.append(Suggestion(label, args))
    if not found and (filters.q or filters.kind) and has_results(MarketFilters(), choices):
        found.append(Suggestion(_("See everything on the market"), {}))
    return found


def market_arguments(filters: MarketFilters) -> dict[str, str]:
    """The query string of ``filters`` (empty values left out, first page)."""
    args = {}
    for name in (
        "q",
        "kind",
        "category",
        "commodity",
        "province",
        "min_price",
        "max_price",
        "min_quantity",
        "verified",
        "sort",
    ):
        value = getattr(filters, name)
        if value not in (None, "", False):
            args[name] = "1" if value is True else str(value)
    return args


def has_results(filters: MarketFilters, choices: MarketChoices) -> bool:
    """True when the market would list at least one posting for ``filters`` (one short query)."""
    from app.postings.market import posting_query  # market.py imports this module

    return any_posting_matches(
        posting_query(filters, choices, per_page=1, understanding=query_vocabulary().understand(filters.q))
    )
