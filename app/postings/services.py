"""Posting writes: create and update from explicit data, photos, the status lifecycle and expiry.

Routes, the CLI, demo data and other domains call these functions; nothing else writes ``Posting``
rows, so ``price_per_kg`` and ``search_text`` always agree with what the posting says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytz
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import selectinload

from app.catalogue.models import Commodity, Region, Unit
from app.core import transitions
from app.core.clock import utcnow
from app.extensions import db
from app.media.images import ImageRejected, StoredImage, delete_image, save_image

# A module import: app.members.services imports this package through the storefronts, so the name
# is looked up at call time.
from app.members import services as member_services
from app.members.models import Member
from app.postings import policy, signals
from app.postings.models import DeliveryOption, Posting, PostingKind, PostingPhoto, PostingStatus

# The rules live in app.postings.policy; these names stay importable here for the other domains.
from app.postings.policy import PUBLIC_STATUSES, TRANSITIONS, can_edit, can_view, status_label  # noqa: F401
from app.search.text import index_text

MAX_QUANTITY = Decimal("1000000000")
MAX_PRICE = Decimal("10000000")
MAX_UNIT_WEIGHT_KG = Decimal("100000")
_LIMITS = {
    "quantity": MAX_QUANTITY,
    "price": MAX_PRICE,
    "min_order": MAX_QUANTITY,
    "unit_weight_kg": MAX_UNIT_WEIGHT_KG,
}
PRICE_PER_KG_QUANTUM = Decimal("0.0001")
QUANTITY_KG_QUANTUM = Decimal("0.001")
# The price_per_kg column is Numeric(14, 4); anything at or above this is a typo, not a price.
MAX_PRICE_PER_KG = Decimal("10000000000")

DRAFT, ACTIVE, PAUSED, CLOSED, EXPIRED = (
    PostingStatus.DRAFT.value,
    PostingStatus.ACTIVE.value,
    PostingStatus.PAUSED.value,
    PostingStatus.CLOSED.value,
    PostingStatus.EXPIRED.value,
)


class PostingInvalid(ValueError):
    """The data breaks a posting rule; ``field`` names the form field the message belongs beside."""

    def __init__(self, field_name: str, message):
        super().__init__(str(message))
        self.field = field_name
        self.message = message


@dataclass
class PostingData:
    """Everything a poster states about a posting (photos are added separately)."""

    kind: str
    commodity_id: int
    title: str
    quantity: Decimal
    unit_code: str
    province_code: str
    description: str = ""
    variety: str = ""
    grade: str = ""
    unit_weight_kg: Decimal | None = None
    min_order: Decimal | None = None
    price: Decimal | None = None  # None means negotiable
    locality: str = ""
    available_from: date | None = None
    available_until: date | None = None
    delivery: str = DeliveryOption.EITHER.value
    lot_code: str | None = None
    harvest_date: date | None = None


def local_today() -> date:
    """Today's date where the market is (TIMEZONE), which decides when postings expire."""
    return datetime.now(pytz.timezone(current_app.config["TIMEZONE"])).date()


def default_until(today: date) -> date:
    return today + timedelta(days=current_app.config["POSTING_DEFAULT_DAYS"])


def compute_price_per_kg(price: Decimal | None, unit: Unit, unit_weight_kg: Decimal | None) -> Decimal | None:
    """Price per kg from a price per unit; None when negotiable or the unit's weight is unknown."""
    if price is None:
        return None
    weight = unit.kg_per_unit if unit.kg_per_unit is not None else unit_weight_kg
    if weight is None or weight <= 0:
        return None
    return (Decimal(price) / Decimal(weight)).quantize(PRICE_PER_KG_QUANTUM, rounding=ROUND_HALF_UP)


def compute_quantity_kg(quantity: Decimal, unit: Unit, unit_weight_kg: Decimal | None) -> Decimal | None:
    """A quantity in kg, by the unit's weight or the weight stated for a count unit; None when
    neither is known."""
    weight = unit.kg_per_unit if unit.kg_per_unit is not None else unit_weight_kg
    if weight is None or weight <= 0:
        return None
    return (Decimal(quantity) * Decimal(weight)).quantize(QUANTITY_KG_QUANTUM, rounding=ROUND_HALF_UP)


def build_search_text(posting: Posting) -> str:
    """The indexed words of a posting: its own text and place, every commodity name and alias, the
    province names, and the title's pinyin (app/search/text.py folds Traditional and plurals)."""
    commodity, province = posting.commodity, posting.province
    return index_text(
        posting.title,
        posting.description or "",
        posting.variety or "",
        posting.grade or "",
        posting.locality or "",
        *(commodity.all_names() if commodity else ()),
        *((province.name_en, province.name_zh) if province else ()),
        pinyin_of=(posting.title, posting.variety or ""),
    )


def refresh_search_text(posting: Posting) -> None:
    """Recompute ``posting.search_text`` (after a change to it or to its commodity's names). No commit."""
    posting.search_text = build_search_text(posting)


def reindex_postings_after(after_id: int, batch_size: int) -> int | None:
    """Recompute the search text of the next ``batch_size`` postings with ids above ``after_id``
    (every status: a draft is published later with the text it has). Returns the last id done, or
    None when there were none. Does not commit (the CLI commits each batch)."""
    postings = db.session.scalars(
        select(Posting)
        .where(Posting.id > after_id)
        .order_by(Posting.id)
        .limit(batch_size)
        .options(selectinload(Posting.commodity).selectinload(Commodity.aliases), selectinload(Posting.province))
    ).all()
    for posting in postings:
        text = build_search_text(posting)
        if text != posting.search_text:
            posting.search_text = text
    return postings[-1].id if postings else None


def reindex_commodity_postings(commodity_id: int) -> int:
    """Recompute the search text of every posting of a commodity (e.g. after an alias was added).

    Returns how many postings were updated. Does not commit.
    """
    db.session.flush()
    commodity = db.session.get(Commodity, commodity_id)
    if commodity is not None:
        db.session.refresh(commodity, ["aliases"])
    postings = db.session.scalars(select(Posting).where(Posting.commodity_id == commodity_id)).all()
    for posting in postings:
        refresh_search_text(posting)
    return len(postings)


def create_posting(
    owner: Member,
    data: PostingData,
    *,
    publish: bool = True,
    via_station: Member | None = None,
    photos: Iterable[StoredImage] = (),
    today: date | None = None,
) -> Posting:
    """Create a posting owned by ``owner`` (active when ``publish``, else a draft). Returns it, flushed.

    Raises PostingInvalid when the data breaks a rule that needs the database (unknown commodity,
    unit or province, lot code already used by this owner, absurd price per kg); MemberSuspended
    (403) when the owner or the station is suspended. Does not commit.
    """
    for writer in (owner, via_station):
        if writer is not None:
            member_services.ensure_can_write(writer)
    today = today or local_today()
    posting = Posting(owner=owner, via_station=via_station, status=DRAFT, owner_verified=owner.verified_at is not None)
    _apply(posting, data, today)
    db.session.add(posting)
    add_photos(posting, photos)
    if publish:
        _publish(posting, today)
    db.session.flush()
    return posting


def update_posting(
    posting: Posting,
    data: PostingData,
    *,
    editor: Member,
    remove_photo_ids: Iterable[int] = (),
    new_photos: Iterable[StoredImage] = (),
    today: date | None = None,
) -> list[str]:
    """``editor`` applies an edit: new field values, photos removed and added. Status is left as it is.

    Returns the file names of removed photos, to be deleted with ``delete_photo_files`` only after
    the commit succeeds (so a failed edit never loses a photo). Raises MemberSuspended (403) when the
    editor is suspended; DomainError (403) when they may not edit it (policy.edit_refusal);
    PostingInvalid (see ``create_posting``) or when the photos would exceed MAX_PHOTOS_PER_POSTING.
    Does not commit.
    """
    member_services.ensure_can_write(editor)
    refused = policy.edit_refusal(posting, editor)
    if refused is not None:
        raise refused
    today = today or local_today()
    _apply(posting, data, today)
    removing = set(remove_photo_ids)
    removed = [photo for photo in posting.photos if photo.id in removing]
    new_photos = list(new_photos)
    limit = current_app.config["MAX_PHOTOS_PER_POSTING"]
    if len(posting.photos) - len(removed) + len(new_photos) > limit:
        raise PostingInvalid("photos", _l("A posting can have at most %(n)s photos.", n=limit))
    for photo in removed:
        posting.photos.remove(photo)
    add_photos(posting, new_photos)
    db.session.flush()
    return [photo.filename for photo in removed]


def add_photos(posting: Posting, photos: Iterable[StoredImage]) -> None:
    """Append stored images to a posting after its existing photos. Raises PostingInvalid over the limit."""
    photos = list(photos)
    limit = current_app.config["MAX_PHOTOS_PER_POSTING"]
    if len(posting.photos) + len(photos) > limit:
        raise PostingInvalid("photos", _l("A posting can have at most %(n)s photos.", n=limit))
    position = max((p.position for p in posting.photos), default=-1) + 1
    for offset, image in enumerate(photos):
        posting.photos.append(
            PostingPhoto(
                position=position + offset,
                filename=image.filename,
                thumb_filename=image.thumb_filename,
                width=image.width,
                height=image.height,
            )
        )


def delete_photo_files(filenames: Iterable[str]) -> None:
    """Remove stored photo files (and thumbnails) that no posting refers to any more."""
    for name in filenames:
        delete_image(name)


def store_uploads(files: Iterable) -> list[StoredImage]:
    """Validate and store uploaded photo files. Returns the stored images in upload order.

    Raises PostingInvalid("photos", …) naming the file when one is refused; the photos of this call
    that were already stored are deleted again first, so a refused upload leaves nothing behind.
    """
    stored: list[StoredImage] = []
    for upload in files:
        try:
            stored.append(save_image(upload))
        except ImageRejected as error:
            delete_photo_files(image.filename for image in stored)
            raise PostingInvalid(
                "photos", _("%(file)s: %(reason)s", file=upload.filename, reason=error.message)
            ) from error
    return stored


def find_or_create_farmer(phone: str, station: Member, display_name: str = "") -> Member:
    """The member with this E.164 ``phone``, or a new minimal one created for the info-station.

    A new record has no password (it cannot log in until the farmer claims the number), is a seller,
    remembers which station created it and is called ``display_name`` or "Farmer ****1234". An
    existing member is returned unchanged. Does not commit.
    """
    member = db.session.scalar(select(Member).where(Member.phone == phone))
    if member is not None:
        return member
    name = (display_name or "").strip() or _("Farmer ****%(last4)s", last4=phone[-4:])
    member = Member(
        phone=phone,
        display_name=name[:80],
        password_hash=None,
        is_seller=True,
        created_by_station_id=station.id,
    )
    try:
        # A savepoint, so that another request registering the same number at the same moment
        # leaves us with their member instead of an error.
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError:
        member = db.session.scalar(select(Member).where(Member.phone == phone))
        if member is None:
            raise
    return member


def set_owner_verified(member_id: int, verified: bool) -> int:
    """Copy a member's trusted-member badge onto their postings (Posting.owner_verified, what the
    market's "trusted sellers only" filter reads). Called through the members domain's
    member_verification_changed signal (app/postings/subscribers.py). Their updated_at moves, so
    cached market results computed before are not used again. Returns how many postings changed.
    Does not commit."""
    result = db.session.execute(
        update(Posting)
        .where(Posting.owner_id == member_id, Posting.owner_verified.is_not(verified))
        .values(owner_verified=verified, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def change_status(posting: Posting, action: str, actor: Member, today: date | None = None) -> Posting:
    """``actor`` applies a lifecycle action (publish, pause, resume, close, renew). Returns the posting.

    Renew moves the until-date POSTING_DEFAULT_DAYS past the later of today and the current
    until-date, and reactivates an expired or closed posting. The change is a compare-and-set of the
    status (and until-date) this request read (app/core/transitions.py): of simultaneous requests
    (two "YES 12" texts, a double-clicked Publish) one changes the posting and sends its signal.
    Raises MemberSuspended (403) when the actor is suspended; what policy.status_refusal returns
    (403 not an editor or a station publishing a farmer's draft, 400 unknown action, 409 not allowed
    from the current status); TransitionLost (409) when another request changed the posting first.
    Does not commit.
    """
    member_services.ensure_can_write(actor)
    refused = policy.status_refusal(posting, action, actor)
    if refused is not None:
        raise refused
    today = today or local_today()
    target = TRANSITIONS[action][posting.status]
    values: dict = {"status": target}
    if action == "publish":
        values.update(_published_values(posting, today))
    elif action == "renew":
        start = max(posting.available_until or today, today)
        values["available_until"] = start + timedelta(days=current_app.config["POSTING_DEFAULT_DAYS"])
        values["published_at"] = posting.published_at or utcnow()
    db.session.flush()  # an edit saved with the action goes first
    if not transitions.compare_and_set(posting, values, expected=("status", "available_until")):
        raise transitions.TransitionLost(_why_not_now(posting))
    if action == "publish":
        _announce_published(posting)
    return posting


def _why_not_now(posting: Posting) -> str:
    """The reason a request that lost a compare-and-set on ``posting`` reads: its status now."""
    try:
        db.session.refresh(posting)
    except InvalidRequestError:  # discarded meanwhile (a draft's "NO 12")
        return _("This posting no longer exists.")
    return policy.cannot_change(posting.status)


def discard_draft(posting: Posting, actor: Member) -> list[str]:
    """``actor`` deletes a draft that was never published (SMS "NO 12", a farmer refusing a
    station's posting).

    Returns the file names of its photos, to be deleted with ``delete_photo_files`` after the commit.
    The row is locked first, so of simultaneous discards and publishes of one draft one happens.
    Raises MemberSuspended (403) when the actor is suspended; what policy.discard_refusal returns
    (403 not an editor, 409 not a draft: published ones are closed instead); TransitionLost (409)
    when another request published or discarded it first. Does not commit.
    """
    member_services.ensure_can_write(actor)
    refused = policy.discard_refusal(posting, actor)
    if refused is not None:
        raise refused
    status_now = db.session.scalar(select(Posting.status).where(Posting.id == posting.id).with_for_update())
    if status_now != DRAFT:
        raise transitions.TransitionLost(_why_not_now(posting))
    filenames = [photo.filename for photo in posting.photos]
    db.session.delete(posting)
    db.session.flush()
    return filenames


def expire_due_postings(today: date | None = None) -> int:
    """Mark active and paused postings whose until-date is before ``today`` as expired.

    Returns how many postings expired. Does not commit.
    """
    today = today or local_today()
    result = db.session.execute(
        update(Posting)
        .where(
            Posting.status.in_([ACTIVE, PAUSED]),
            Posting.available_until < today,
        )
        .values(status=EXPIRED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return result.rowcount or 0


def _publish(posting: Posting, today: date) -> None:
    """Publish a posting being created (not yet in the database, so no other request can race it)."""
    for name, value in _published_values(posting, today).items():
        setattr(posting, name, value)
    _announce_published(posting)


def _published_values(posting: Posting, today: date) -> dict:
    values = {"status": ACTIVE, "published_at": utcnow()}
    if posting.available_until is None or posting.available_until < today:
        values["available_until"] = default_until(today)
    return values


def _announce_published(posting: Posting) -> None:
    # Subscribers read the posting by id, so it must have one and be visible to their queries.
    db.session.flush()
    signals.posting_published.send(signals.SENDER, posting_id=posting.id, owner_id=posting.owner_id, kind=posting.kind)


def _apply(posting: Posting, data: PostingData, today: date) -> None:
    """Copy ``data`` onto ``posting`` after checking what only the database can tell."""
    if data.kind not in {k.value for k in PostingKind}:
        raise PostingInvalid("kind", _l("Choose sell or buy."))
    if data.delivery not in {d.value for d in DeliveryOption}:
        raise PostingInvalid("delivery", _l("Choose a delivery option."))
    commodity = db.session.get(Commodity, data.commodity_id)
    if commodity is None:
        raise PostingInvalid("commodity_id", _l("Choose a commodity from the list."))
    unit = db.session.get(Unit, data.unit_code)
    if unit is None:
        raise PostingInvalid("unit_code", _l("Choose a unit from the list."))
    province = db.session.get(Region, data.province_code)
    if province is None:
        raise PostingInvalid("province_code", _l("Choose a province from the list."))
    if not (data.title or "").strip():
        raise PostingInvalid("title", _l("Enter a short title."))
    if data.quantity is None:
        raise PostingInvalid("quantity", _l("Enter the quantity."))
    for name, maximum in _LIMITS.items():
        value = getattr(data, name)
        if value is not None and not (value.is_finite() and 0 < value <= maximum):
            raise PostingInvalid(name, _l("Enter a number greater than zero and at most %(max)s.", max=f"{maximum:,}"))
    lot_code = (data.lot_code or "").strip() or None
    if lot_code and _lot_code_taken(posting, lot_code):
        raise PostingInvalid("lot_code", _l("You already used this lot code on another posting."))
    unit_weight = data.unit_weight_kg if unit.kg_per_unit is None else None
    price_per_kg = compute_price_per_kg(data.price, unit, unit_weight)
    if price_per_kg is not None and price_per_kg >= MAX_PRICE_PER_KG:
        raise PostingInvalid("price", _l("That price per kg is not realistic. Please check the price and unit."))

    posting.kind = data.kind
    posting.commodity = commodity
    posting.unit = unit
    posting.province = province
    posting.title = data.title.strip()
    posting.description = (data.description or "").strip()
    posting.variety = (data.variety or "").strip()
    posting.grade = (data.grade or "").strip()
    posting.quantity = data.quantity
    posting.unit_weight_kg = unit_weight
    posting.min_order = data.min_order
    posting.price = data.price
    posting.price_per_kg = price_per_kg
    posting.quantity_kg = compute_quantity_kg(data.quantity, unit, unit_weight)
    posting.locality = (data.locality or "").strip()
    posting.available_from = data.available_from
    posting.available_until = data.available_until or posting.available_until or default_until(today)
    posting.delivery = data.delivery
    posting.lot_code = lot_code
    posting.harvest_date = data.harvest_date
    refresh_search_text(posting)


def _lot_code_taken(posting: Posting, lot_code: str) -> bool:
    owner_id = posting.owner_id if posting.owner_id is not None else posting.owner.id
    query = select(Posting.id).where(Posting.owner_id == owner_id, Posting.lot_code == lot_code)
    if posting.id is not None:
        query = query.where(Posting.id != posting.id)
    return db.session.scalar(query.limit(1)) is not None
