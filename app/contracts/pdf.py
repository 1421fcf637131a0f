"""The contract as a PDF (fpdf2), with the CJK font the settings name embedded as a subset: the
frozen text exactly as accepted, then its SHA-256 and who accepted it when."""

from __future__ import annotations

import os
from datetime import datetime

from flask import current_app

from app.contracts.services import Contract
from app.core.errors import DomainError
from app.trade.models import as_aware

FONT_FAMILY = "contract-cjk"


class ContractFontMissing(DomainError):
    """The CJK font for contract PDFs is not installed (status 503: a setup problem, not the user's)."""

    status = 503


def font_path() -> str:
    """The configured CJK font file; raises ContractFontMissing naming the setting and the package."""
    path = current_app.config["CONTRACT_FONT_PATH"]
    if not path or not os.path.isfile(path):
        raise ContractFontMissing(
            f"The contract PDF font {path!r} is missing: install Debian's fonts-wqy-microhei "
            "(make install-fonts) or set CONTRACT_FONT_PATH to a TrueType font with Chinese glyphs."
        )
    return path


def _moment(value: datetime) -> str:
    return as_aware(value).strftime("%Y-%m-%d %H:%M UTC")


def contract_pdf(contract: Contract, language: str, labels: dict[str, str]) -> bytes:
    """The PDF of ``contract`` in ``language``. ``labels`` are the captions in the reader's language
    (sha256, accepted, buyer, seller, not_accepted, web, sms, draft). Raises ContractFontMissing."""
    # Imported here: fpdf2 and fontTools take seconds to import on a busy machine, and only this
    # download needs them, not every worker's start.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"{contract.order.number}-V{contract.number}")
    pdf.set_creator("Jishi")
    pdf.add_font(FONT_FAMILY, fname=font_path(), collection_font_number=current_app.config["CONTRACT_FONT_INDEX"])
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    lines = contract.texts[language].split("\n")
    pdf.set_font(FONT_FAMILY, size=16)
    pdf.multi_cell(0, 10, lines[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=10.5)
    for line in lines[1:]:
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=9)
    pdf.multi_cell(0, 5, f"SHA-256: {contract.hashes[language]}", new_x="LMARGIN", new_y="NEXT")
    if contract.version is None:
        pdf.multi_cell(0, 5, labels["draft"], new_x="LMARGIN", new_y="NEXT")
    for role in ("buyer", "seller"):
        acceptance = next((a for a in contract.acceptances if a.role == role), None)
        if acceptance is None:
            line = f"{labels[role]}: {labels['not_accepted']}"
        else:
            line = (
                f"{labels[role]}: {labels['accepted']} {acceptance.member.display_name}, "
                f"{_moment(acceptance.accepted_at)}, {labels[acceptance.channel]}, "
                f"{acceptance.language.upper()} SHA-256 {acceptance.text_sha256}"
            )
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
