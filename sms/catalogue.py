"""The catalogue as plain data for the SMS parser: name → commodity slug, unit word → unit,
province name → region code. app/notify builds one from the database; tests build one from the CSVs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sms.numbers import CHINESE_NUMERALS
from sms.vocabulary import EXTRA_UNIT_WORDS, commodity_names, fold

__all__ = ["Catalogue", "EXTRA_UNIT_WORDS", "Unit", "fold"]

_PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")


@dataclass(frozen=True)
class Unit:
    """A unit of quantity; ``kg_per_unit`` is None for count units (head, crate, piece)."""

    code: str
    kg_per_unit: Decimal | None


@dataclass(frozen=True)
class Catalogue:
    """Lookup tables keyed by folded names. Use :meth:`build` rather than filling them by hand."""

    commodities: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, Unit] = field(default_factory=dict)
    provinces: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        commodities: Iterable[tuple[str, Iterable[str]]],
        units: Iterable[tuple[str, Decimal | str | None, Iterable[str]]],
        provinces: Iterable[tuple[str, Iterable[str]]],
        places: Iterable[tuple[str, Iterable[str]]] = (),
    ) -> Catalogue:
        """Build from ``(slug, names)``, ``(code, kg_per_unit, names)`` and ``(code, names)`` rows.

        Names are folded (Traditional → Simplified too) and commodities also answer to their pinyin
        (sms.vocabulary); unit codes count as names; provinces also answer to their short form
        (河南省 → 河南, 广西壮族自治区 → 广西). ``places`` are ``(province code, names)`` of cities and
        counties (烟台 → 37): a province's own name is never shadowed, nor a unit word or a name
        that reads as a number and a unit (a numeral before a unit word or another numeral). Empty
        names are ignored."""
        commodity_map = commodity_names(commodities)
        unit_map: dict[str, Unit] = {}
        for code, kg, names in units:
            unit = Unit(code, Decimal(str(kg)) if kg not in (None, "") else None)
            for name in (code, *names, *EXTRA_UNIT_WORDS.get(code, ())):
                if name.strip():
                    unit_map[fold(name).strip()] = unit
        province_map: dict[str, str] = {}
        for code, names in provinces:
            for name in names:
                name = fold(name).strip()
                if not name:
                    continue
                province_map[name] = code
                short = _short_province(name)
                if short:
                    province_map.setdefault(short, code)
        for code, names in places:
            for name in names:
                name = fold(name).strip()
                if name and name not in unit_map and name not in commodity_map and not _reads_as_number(name, unit_map):
                    province_map.setdefault(name, code)
        return cls(commodity_map, unit_map, province_map)


def _reads_as_number(name: str, unit_map: Mapping[str, Unit]) -> bool:
    return name[0] in CHINESE_NUMERALS and (
        name[1:2] in CHINESE_NUMERALS
        or any(name[1:].startswith(word) for word in unit_map if word and not word.isascii())
    )


def _short_province(name: str) -> str | None:
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            short = name[: -len(suffix)]
            # Autonomous regions carry an ethnic name (广西壮族, 新疆维吾尔); the short name is 2 characters.
            return short[:2] if len(short) > 3 else short
    return None
