"""Money, quantities and catalogue names as the reader sees them (pages, SMS, e-mail alike)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from app.core.i18n import is_chinese

JIN_PER_KG = Decimal(2)


def money(value: Decimal | None, places: int = 2) -> str:
    """Format an amount in the site currency, e.g. ¥1,234.50."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    amount = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return "¥" + format_decimal(amount, format="#,##0." + "0" * places)


def quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros: 5, 2.5, 0.125."""
    if value is None:
        return ""
    normalised = Decimal(value).normalize()
    return format_decimal(normalised, format="#,##0.###")


def localized(obj) -> str:
    """The English or Chinese name of a catalogue object (commodity, category, unit, region)."""
    if obj is None:
        return ""
    return obj.name(str(get_locale() or "en"))


def per_kg_label(price_per_kg: Decimal | None) -> str:
    """Price per kg, and per 斤 for Chinese readers."""
    if price_per_kg is None:
        return ""
    text = _("%(price)s/kg", price=money(price_per_kg))
    if is_chinese():
        text += " · " + _("%(price)s/jin", price=money(Decimal(price_per_kg) / JIN_PER_KG))
    return text
