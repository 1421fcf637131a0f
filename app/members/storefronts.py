"""Storefronts: one public page per member at /s/<slug> with their active postings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.members.models import Member, Storefront
from app.members.suspension import ensure_can_write

SLUG_MAX_LENGTH = 60
# Lower-case ASCII letters, digits and inner dashes, 1–60 characters (the form asks for at least 2).
SLUG_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?"
_VALID_SLUG = re.compile(SLUG_PATTERN)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class SlugTaken(ValueError):
    """Another storefront already uses the requested web address."""


@dataclass(frozen=True)
class StorefrontData:
    name: str
    slug: str
    about: str
    province_code: str | None
    locality: str


def slugify(text: str) -> str:
    """ASCII web address from a name: "Zhang's Farm" → "zhang-s-farm". Returns "" when nothing ASCII is
    left (e.g. a purely Chinese name)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_SLUG.sub("-", ascii_text).strip("-")[:50].strip("-")


def is_valid_slug(slug: str) -> bool:
    return len(slug) <= SLUG_MAX_LENGTH and bool(_VALID_SLUG.fullmatch(slug))


def _slug_in_use(slug: str, except_storefront_id: int | None = None) -> bool:
    query = select(Storefront.id).where(Storefront.slug == slug)
    if except_storefront_id is not None:
        query = query.where(Storefront.id != except_storefront_id)
    return db.session.scalar(query) is not None


def suggest_slug(member: Member) -> str:
    """A free slug for ``member``: from the display name, else ``m<id>`` (Chinese names have no ASCII
    form), with -2, -3 … appended when taken."""
    base = slugify(member.display_name)
    if len(base) < 2:
        base = f"m{member.id}"
    candidate, number = base, 1
    while _slug_in_use(candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def ensure_storefront(member: Member) -> Storefront:
    """The member's storefront, created with a name and slug from the profile if missing. Does not
    commit; ``member`` must have been flushed (it needs an id)."""
    if member.storefront is not None:
        return member.storefront
    storefront = Storefront(
        member=member, name=member.display_name[:100], slug=suggest_slug(member), about="", locality=""
    )
    db.session.add(storefront)
    db.session.flush()
    return storefront


def save_storefront(member: Member, data: StorefrontData, new_logo: str | None, remove_logo: bool) -> str | None:
    """Create or update the member's storefront. ``new_logo`` is a stored public image name.

    Returns the name of a logo image that is no longer used (delete it after committing), or None.
    Raises MemberSuspended (403) when the member is suspended; SlugTaken when another storefront has
    ``data.slug``. Does not commit.
    """
    ensure_can_write(member)
    storefront = member.storefront
    if _slug_in_use(data.slug, storefront.id if storefront else None):
        raise SlugTaken(data.slug)
    if storefront is None:
        storefront = Storefront(member=member, about="", locality="")
        db.session.add(storefront)
    storefront.name = data.name
    storefront.slug = data.slug
    storefront.about = data.about
    storefront.province_code = data.province_code or None
    storefront.locality = data.locality
    old_logo = None
    if new_logo or remove_logo:
        old_logo, storefront.logo_filename = storefront.logo_filename, new_logo
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        # Two owners saved the same slug at the same moment; the loser is told like any other clash.
        raise SlugTaken(data.slug) from error
    return old_logo


def storefront_by_slug(slug: str) -> Storefront | None:
    """The storefront at ``slug`` with its member, or None (also for strings that cannot be slugs)."""
    if not is_valid_slug(slug):
        return None
    return db.session.scalar(
        select(Storefront)
        .where(Storefront.slug == slug)
        .options(joinedload(Storefront.member), joinedload(Storefront.province))
    )
