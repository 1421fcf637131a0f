"""The posting rules have one owner (app/postings/policy.py) and the services enforce them whoever
calls: these tests call the services directly, as an SMS command, the CLI or a future API would, and
check the same refusals the pages give (the route tests are in test_status.py, test_station.py and
tests/admin/test_suspension.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.members.services import MemberSuspended
from app.postings import policy
from app.postings.models import Posting
from app.postings.services import PostingData, change_status, discard_draft, update_posting
from tests.factories import make_member, make_posting


def _same_data(posting: Posting, **changes) -> PostingData:
    values = dict(
        kind=posting.kind,
        commodity_id=posting.commodity_id,
        title=posting.title,
        quantity=posting.quantity,
        unit_code=posting.unit_code,
        province_code=posting.province_code,
        price=posting.price,
    )
    values.update(changes)
    return PostingData(**values)


def _suspend(member) -> None:
    member.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()


def test_a_suspended_owner_cannot_change_status_edit_or_discard_through_the_services(db):
    owner = make_member(display_name="Owner")
    active = make_posting(owner=owner, title="Active maize")
    draft = make_posting(owner=owner, title="Draft maize", publish=False)
    _suspend(owner)
    for posting, action in ((active, "close"), (active, "pause"), (active, "renew"), (draft, "publish")):
        with pytest.raises(MemberSuspended) as refused:
            change_status(posting, action, owner)
        assert refused.value.status == 403 and "Your account is suspended" in refused.value.message
    with pytest.raises(MemberSuspended):
        update_posting(active, _same_data(active, title="Changed while suspended"), editor=owner)
    with pytest.raises(MemberSuspended):
        discard_draft(draft, owner)
    db.session.rollback()
    assert db.session.execute(select(Posting.title, Posting.status).order_by(Posting.id)).all() == [
        ("Active maize", "active"),
        ("Draft maize", "draft"),
    ]


def test_a_member_who_may_not_edit_is_refused_by_the_services(db):
    posting = make_posting(title="Someone's maize")
    stranger = make_member(display_name="Stranger")
    for call in (
        lambda: change_status(posting, "close", stranger),
        lambda: update_posting(posting, _same_data(posting, title="Mine now"), editor=stranger),
        lambda: discard_draft(make_posting(owner=posting.owner, publish=False), stranger),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.status == 403
    db.session.rollback()
    assert db.session.get(Posting, posting.id).status == "active"


def test_a_station_cannot_publish_the_farmers_draft_through_the_service(db):
    station = make_member(display_name="Village Station", is_station_operator=True)
    farmer = make_member(display_name="Farmer Qin", password=None)
    draft = make_posting(owner=farmer, via_station=station, publish=False)
    assert policy.awaits_farmer(draft, station) and not policy.awaits_farmer(draft, farmer)
    assert "publish" not in policy.available_actions(draft, station)
    with pytest.raises(DomainError) as refused:
        change_status(draft, "publish", station)
    assert refused.value.status == 403
    assert f"replying YES {draft.id}" in refused.value.message
    # The farmer (no password: they act by SMS) may.
    assert policy.available_actions(draft, farmer) == ["publish"]
    change_status(draft, "publish", farmer)
    assert draft.status == "active"


def test_the_buttons_and_the_service_agree_for_every_status_and_action(db):
    owner = make_member()
    for status in ("draft", "active", "paused", "closed", "expired"):
        posting = make_posting(owner=owner, publish=False)
        posting.status = status
        db.session.commit()
        shown = policy.available_actions(posting, owner)
        for action in policy.TRANSITIONS:
            refused = policy.status_refusal(posting, action, owner)
            assert (action in shown) == (refused is None), (status, action)
            if refused is not None:
                with pytest.raises(DomainError) as raised:
                    change_status(posting, action, owner)
                assert (raised.value.status, raised.value.message) == (refused.status, refused.message)
                db.session.rollback()


def test_an_unknown_action_is_a_bad_request(db):
    posting = make_posting()
    with pytest.raises(DomainError) as refused:
        change_status(posting, "explode", posting.owner)
    assert refused.value.status == 400
