"""An information station posts for a farmer; the farmer publishes it by answering the SMS."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.members.models import Member
from app.notify.models import Notification
from app.postings.models import Posting
from app.postings.services import discard_draft
from sms.segments import count_segments
from tests.factories import make_member
from tests.postings._helpers import form_data, photo

FARMER_PHONE = "+8613912345678"


@pytest.fixture
def station(login):
    return login(make_member(display_name="Liuzhuang Station", is_station_operator=True))


def _post_for_farmer(client, **changes):
    data = form_data(**{"farmer_phone": "139 1234 5678", "farmer_name": "", "title": "Maize", **changes})
    return client.post("/station/postings/new", data=data)


def _messages(db, event="station_posting_confirm") -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.event == event).order_by(Notification.id)))


def test_station_posting_stays_a_draft_and_the_farmer_gets_an_sms(client, station, db):
    response = _post_for_farmer(client)  # the form's Publish button cannot publish for the farmer
    assert response.status_code == 302
    posting = db.session.scalars(select(Posting)).one()
    assert posting.status == "draft" and posting.via_station_id == station.id
    [sms] = _messages(db)
    assert sms.channel == "sms" and sms.address == FARMER_PHONE and sms.member_id == posting.owner_id
    assert sms.body == (
        f"Jishi: Liuzhuang Station posted 20 tonne Maize at ¥2,400.00/tonne for you. "
        f"Reply YES {posting.id} to publish, NO {posting.id} to discard."
    )
    assert count_segments(sms.body).segments <= 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Waiting for Farmer ****5678 to confirm by SMS (reply YES {posting.id})." in page
    assert 'value="publish"' not in page  # no Publish button for the station


def test_farmer_with_an_email_also_gets_it_by_email_in_their_language(client, station, db):
    make_member(phone=FARMER_PHONE, email="zhang@example.com", locale="zh_Hans", phone_verified_at=None)
    response = _post_for_farmer(client)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    rows = _messages(db)
    assert sorted(row.channel for row in rows) == ["email", "sms"]
    assert all(row.locale == "zh_Hans" for row in rows)
    email = next(row for row in rows if row.channel == "email")
    posting = db.session.scalars(select(Posting)).one()
    assert "Liuzhuang Station" in email.subject and email.html and str(posting.id) in email.body


def test_station_cannot_publish_the_farmers_draft_on_the_web(client, station, db):
    _post_for_farmer(client)
    posting = db.session.scalars(select(Posting)).one()
    response = client.post(f"/p/{posting.id}/status", data={"action": "publish"})
    assert response.status_code == 403
    assert f"replying YES {posting.id}" in response.get_data(as_text=True)
    assert client.post(f"/p/{posting.id}/edit", data=form_data(title="Edited")).status_code == 403
    db.session.expire_all()
    assert db.session.get(Posting, posting.id).status == "draft"
    # The station may still correct the draft.
    edited = client.post(f"/p/{posting.id}/edit", data=form_data(title="Edited", publish=None, save_draft="Save"))
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(Posting, posting.id).title == "Edited"


def test_farmer_yes_publishes_and_verifies_the_phone(client, station, text_in, db):
    _post_for_farmer(client)
    posting = db.session.scalars(select(Posting)).one()
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    assert farmer.phone_verified_at is None
    reply = text_in(FARMER_PHONE, f"确认 {posting.id}")
    assert str(posting.id) in reply
    db.session.expire_all()
    assert db.session.get(Posting, posting.id).status == "active"
    assert db.session.get(Member, farmer.id).phone_verified_at is not None
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "Waiting for" not in page


def test_farmer_no_discards_the_draft(client, station, text_in, db):
    _post_for_farmer(client)
    posting = db.session.scalars(select(Posting)).one()
    text_in(FARMER_PHONE, f"NO {posting.id}")
    db.session.expire_all()
    assert db.session.get(Posting, posting.id) is None


def test_only_the_farmer_can_confirm_not_the_station_by_sms(client, station, text_in, db):
    _post_for_farmer(client)
    posting = db.session.scalars(select(Posting)).one()
    assert text_in(station.phone, f"YES {posting.id}").startswith("You have no draft")
    db.session.expire_all()
    assert db.session.get(Posting, posting.id).status == "draft"


def test_opted_out_farmer_gets_no_sms(client, station, text_in, db):
    text_in(FARMER_PHONE, "STOP")
    _post_for_farmer(client)
    assert [row for row in _messages(db) if row.channel == "sms"] == []
    assert db.session.scalars(select(Posting)).one().status == "draft"


def test_farmer_no_also_deletes_the_drafts_photo_files(app, client, station, text_in, db):
    response = client.post(
        "/station/postings/new",
        content_type="multipart/form-data",
        data=form_data(farmer_phone="139 1234 5678", farmer_name="", photos=[photo()]),
    )
    assert response.status_code == 302
    posting = db.session.scalars(select(Posting)).one()
    [stored] = posting.photos
    files = [Path(app.config["UPLOAD_DIR"]) / name for name in (stored.filename, stored.thumb_filename)]
    assert all(path.exists() for path in files)
    text_in(FARMER_PHONE, f"NO {posting.id}")
    assert not any(path.exists() for path in files)


def test_discarding_is_only_for_drafts(db, sell_offer):
    with pytest.raises(DomainError):
        discard_draft(sell_offer, sell_offer.owner)
