"""The contract's text, rendered from a versioned template (templates/contracts/text/contract-<n>.<lang>.txt)
in Chinese, which prevails, and in English. The text is plain: what a party reads on the page, in the
PDF and what its SHA-256 is taken of, character for character."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from jinja2 import Environment, StrictUndefined

from app.contracts.terms import ContractTerms, Party

# Bump when the wording changes: versions accepted under an older template keep their text.
TEMPLATE_VERSION = "1"
LANGUAGES = ("zh", "en")


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _yuan(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _environment() -> Environment:
    """Autoescape off: the output is plain text (never HTML), shown escaped by the page template."""
    environment = Environment(
        loader=current_app.jinja_loader, autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True
    )
    environment.filters.update(yuan=_yuan, plain=_plain, cn_date=_cn_date, iso_date=_iso_date)
    return environment


def render_text(language: str, terms: ContractTerms, buyer: Party, seller: Party, version: int) -> str:
    template = _environment().get_template(f"contracts/text/contract-{TEMPLATE_VERSION}.{language}.txt")
    return template.render(terms=terms, buyer=buyer, seller=seller, version=version)
