"""What moves a cached page's stamp is registered by the domains that own the rows
(app/caching/stamps.py), and every change to those rows moves updated_at — the invariant every
cache key of docs/caching.md relies on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.caching import stamps
from app.core.clock import utcnow
from app.media.images import StoredImage
from app.members.models import Member, Storefront
from app.postings.models import Posting, PostingPhoto
from app.postings.services import add_photos
from app.trade.models import Order
from tests.factories import make_posting


def _backdate(db, posting):
    """Set updated_at an hour back, so that a move is visible whatever the clock's resolution."""
    posting.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    return posting.updated_at


def test_the_owning_domains_register_what_cached_pages_read(app):
    stamped, touches = stamps.registered()
    assert {Posting, Member, Storefront} <= stamped
    assert touches[PostingPhoto] == "posting"


def test_a_key_builder_naming_an_unregistered_model_fails_loudly(app):
    with pytest.raises(LookupError, match="Order"):
        stamps.require(Posting, Order)
    stamps.require(Posting, Member, Storefront)  # the models the posting page's keys read


def test_adding_a_photo_moves_the_postings_stamp(app, db):
    posting = make_posting()
    before = _backdate(db, posting)
    add_photos(posting, [StoredImage("a.jpg", "a-thumb.jpg", 800, 600)])
    db.session.commit()
    assert posting.updated_at > before


def test_removing_a_photo_alone_moves_the_postings_stamp(app, db):
    posting = make_posting(photos=[StoredImage("a.jpg", "a-thumb.jpg", 800, 600)])
    before = _backdate(db, posting)
    posting.photos.remove(posting.photos[0])
    db.session.commit()
    assert posting.updated_at > before
    assert db.session.query(PostingPhoto).filter_by(posting_id=posting.id).count() == 0


def test_changing_a_photo_row_moves_its_postings_stamp(app, db):
    posting = make_posting(photos=[StoredImage("a.jpg", "a-thumb.jpg", 800, 600)])
    before = _backdate(db, posting)
    posting.photos[0].position = 7
    db.session.commit()
    assert posting.updated_at > before


def test_a_flush_that_changes_nothing_leaves_the_stamp(app, db):
    posting = make_posting()
    before = _backdate(db, posting)
    posting.title = posting.title  # set, but not changed
    db.session.commit()
    assert posting.updated_at == before
