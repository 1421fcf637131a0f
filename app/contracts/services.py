"""Purchase contract services: the contract as an order's terms stand now, its earlier versions,
and a party's acceptance (on the website or by SMS).

Nothing is written until a party accepts: reading a contract renders it from the order. The first
acceptance of a text stores it as a version (number, both texts and their SHA-256, the terms'
fingerprint); the other party's acceptance of the same text completes it. When the order's terms
change after a version was stored, the contract shown is version n + 1, rendered afresh, and
accepting it stores it; stored versions never change. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.contracts.models import ContractAcceptance, ContractVersion
from app.contracts.terms import ContractTerms, contract_terms, party, terms_fingerprint
from app.contracts.texts import LANGUAGES, TEMPLATE_VERSION, render_text, sha256_of
from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.members.services import ensure_can_write
from app.trade.models import Order, OrderStatus

WEB, SMS = "web", "sms"


@dataclass
class Contract:
    """A contract version as a party sees it: stored (``version`` set) or rendered from the order's
    current terms and not yet accepted by anyone (``version`` None)."""

    order: Order
    number: int
    terms_sha256: str
    texts: dict[str, str]
    hashes: dict[str, str]
    version: ContractVersion | None = None

    @property
    def acceptances(self) -> list[ContractAcceptance]:
        return list(self.version.acceptances) if self.version is not None else []

    def accepted_by(self, member) -> ContractAcceptance | None:
        member_id = getattr(member, "id", None)
        return next((a for a in self.acceptances if a.member_id == member_id), None)

    @property
    def accepted_roles(self) -> set[str]:
        return {acceptance.role for acceptance in self.acceptances}

    @property
    def is_signed(self) -> bool:
        """Both parties accepted this version."""
        return self.accepted_roles == {"buyer", "seller"}


def _stored(version: ContractVersion) -> Contract:
    return Contract(
        order=version.order,
        number=version.number,
        terms_sha256=version.terms_sha256,
        texts={"zh": version.text_zh, "en": version.text_en},
        hashes={"zh": version.sha256_zh, "en": version.sha256_en},
        version=version,
    )


def versions_of(order: Order) -> list[ContractVersion]:
    """The order's stored versions, newest first."""
    return list(
        db.session.scalars(
            select(ContractVersion).where(ContractVersion.order_id == order.id).order_by(ContractVersion.number.desc())
        )
    )


def _render(order: Order, terms: ContractTerms, number: int) -> Contract:
    buyer, seller = party(order.buyer, "buyer"), party(order.seller, "seller")
    texts = {language: render_text(language, terms, buyer, seller, number) for language in LANGUAGES}
    return Contract(
        order=order,
        number=number,
        terms_sha256=terms_fingerprint(terms),
        texts=texts,
        hashes={language: sha256_of(text) for language, text in texts.items()},
    )


def current_contract(order: Order) -> Contract:
    """The contract for the order's terms as they stand: the latest stored version while the terms
    are unchanged, else the next version rendered from the order (not stored)."""
    latest = next(iter(versions_of(order)), None)
    terms = contract_terms(order)
    if latest is not None and latest.terms_sha256 == terms_fingerprint(terms):
        return _stored(latest)
    return _render(order, terms, (latest.number + 1) if latest is not None else 1)


def stored_version(order: Order, number: int) -> Contract | None:
    version = db.session.scalar(
        select(ContractVersion).where(ContractVersion.order_id == order.id, ContractVersion.number == number)
    )
    return _stored(version) if version is not None else None


def acceptance_refusal(contract: Contract, member) -> str | None:
    """Why ``member`` may not accept ``contract`` now, or None."""
    order = contract.order
    if not order.is_party(member):
        return str(_l("Only the buyer and the seller can accept this contract."))
    if order.status == OrderStatus.CANCELLED.value:
        return str(_l("This order was cancelled, so its contract cannot be accepted."))
    if contract.accepted_by(member) is not None:
        return str(_l("You have already accepted version %(number)s of this contract.", number=contract.number))
    return None


def accept_contract(
    order: Order,
    member: Member,
    *,
    language: str,
    text_sha256: str,
    channel: str = WEB,
    now: datetime | None = None,
) -> ContractAcceptance:
    """Record ``member``'s acceptance of the contract text whose SHA-256 is ``text_sha256`` in
    ``language``. Returns the acceptance (the version stored when this is its first).

    Raises DomainError (409) when that text is no longer the current contract (the order's terms
    changed meanwhile), when the member is not a party, the order is cancelled or the member
    accepted this version already; MemberSuspended (403) for a suspended member."""
    if language not in LANGUAGES:
        raise DomainError(str(_l("Unknown contract language.")), 400)
    ensure_can_write(member)
    # Order → contract: one acceptance at a time per order, so the version number is decided once.
    transitions.lock(order)
    contract = current_contract(order)
    if contract.hashes[language] != text_sha256:
        raise DomainError(
            str(
                _l(
                    "The contract changed while you were reading it (the order's terms were updated). "
                    "Read version %(number)s and accept it if you agree.",
                    number=contract.number,
                )
            )
        )
    refused = acceptance_refusal(contract, member)
    if refused is not None:
        raise DomainError(refused)
    version = contract.version
    if version is None:
        version = ContractVersion(
            order_id=order.id,
            number=contract.number,
            template=TEMPLATE_VERSION,
            terms_sha256=contract.terms_sha256,
            text_zh=contract.texts["zh"],
            text_en=contract.texts["en"],
            sha256_zh=contract.hashes["zh"],
            sha256_en=contract.hashes["en"],
        )
        db.session.add(version)
    acceptance = ContractAcceptance(
        version=version,
        member_id=member.id,
        role=order.role_of(member),
        channel=channel,
        language=language,
        text_sha256=text_sha256,
        accepted_at=now or utcnow(),
    )
    db.session.add(acceptance)
    db.session.flush()
    return acceptance


def accept_current(order: Order, member: Member, language: str, channel: str, now: datetime | None = None):
    """Accept the current contract in ``language`` without having been shown a hash (SMS: the reply
    names the version and the start of its SHA-256). Returns (acceptance, contract)."""
    transitions.lock(order)
    contract = current_contract(order)
    acceptance = accept_contract(
        order, member, language=language, text_sha256=contract.hashes[language], channel=channel, now=now
    )
    return acceptance, contract
