"""Column helpers shared by the domain models."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import DateTime, Numeric
from sqlalchemy.orm import mapped_column

from app.core.clock import utcnow  # noqa: F401 (re-exported: models import it from here)

# Money in the currency's major unit with two decimals; quantities with three (kg to the gram).
Money = Numeric(12, 2, asdecimal=True)
Quantity = Numeric(14, 3, asdecimal=True)
PricePerKg = Numeric(14, 4, asdecimal=True)
# A quantity converted to kg: a Quantity times a unit weight needs more digits than either.
QuantityKg = Numeric(20, 3, asdecimal=True)


def created_at_column():
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def updated_at_column():
    return mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False)


__all__ = [
    "utcnow",
    "Money",
    "Quantity",
    "PricePerKg",
    "QuantityKg",
    "created_at_column",
    "updated_at_column",
    "Decimal",
]
