"""Info-station operators post for farmers identified only by mobile number."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.members.models import Member
from app.postings.models import Posting
from tests.factories import make_member
from tests.postings._helpers import form_data

FARMER_PHONE = "+8613912345678"


@pytest.fixture
def station(login):
    return login(make_member(display_name="Liuzhuang Info Station", is_station_operator=True))


def station_form(**changes) -> dict:
    return form_data(**{"farmer_phone": "139 1234 5678", "farmer_name": "", **changes})


def test_station_posting_creates_a_placeholder_farmer(client, station, db):
    response = client.post("/station/postings/new", data=station_form())
    assert response.status_code == 302
    posting = db.session.scalars(select(Posting)).one()
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    assert farmer is not None
    assert posting.owner_id == farmer.id and posting.via_station_id == station.id
    assert farmer.password_hash is None and not farmer.is_active
    assert farmer.display_name == "Farmer ****5678"
    assert farmer.is_seller and farmer.created_by_station_id == station.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "via Liuzhuang Info Station" in page
    assert "Farmer ****5678" in page


def test_station_posting_uses_the_given_farmer_name(client, station, db):
    client.post("/station/postings/new", data=station_form(farmer_name="Old Zhang"))
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    assert farmer.display_name == "Old Zhang"


def test_station_posting_reuses_the_member_with_that_phone(client, station, db):
    existing = make_member(phone=FARMER_PHONE, display_name="Zhang Wei")
    response = client.post(
        "/station/postings/new", data=station_form(farmer_phone="+86 139-1234-5678", farmer_name="Other")
    )
    assert response.status_code == 302
    posting = db.session.scalars(select(Posting)).one()
    assert posting.owner_id == existing.id
    assert db.session.scalar(select(func.count(Member.id)).where(Member.phone == FARMER_PHONE)) == 1
    db.session.expire_all()
    assert db.session.get(Member, existing.id).display_name == "Zhang Wei"
    assert db.session.get(Member, existing.id).password_hash is not None


def test_second_posting_for_the_same_farmer_reuses_the_placeholder(client, station, db):
    client.post("/station/postings/new", data=station_form())
    client.post("/station/postings/new", data=station_form(title="Second lot of maize"))
    owners = set(db.session.scalars(select(Posting.owner_id)))
    assert len(owners) == 1
    assert db.session.scalar(select(func.count(Member.id))) == 2


@pytest.mark.parametrize("phone", ["", "12345", "not a phone", "+86 1391234567899999", "+44 20 7946 0018"])
def test_bad_farmer_phone_is_refused_beside_the_field(client, station, db, phone):
    response = client.post("/station/postings/new", data=station_form(farmer_phone=phone))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="field-farmer_phone"' in page and "has-error" in page
    assert db.session.scalar(select(func.count(Posting.id))) == 0
    assert db.session.scalar(select(func.count(Member.id))) == 1


def test_refused_station_posting_creates_no_farmer(client, station, db):
    response = client.post("/station/postings/new", data=station_form(price="inf"))
    assert response.status_code == 422
    assert db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE)) is None


def test_refused_station_posting_on_a_service_rule_creates_no_farmer(client, station, db):
    # The per-kg check runs in the service, after the farmer record was added to the session.
    response = client.post("/station/postings/new", data=station_form(unit_code="g", price="10000000", min_order=""))
    assert response.status_code == 422
    assert "not realistic" in response.get_data(as_text=True)
    assert db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE)) is None


def test_lot_codes_are_unique_per_farmer_not_per_station(client, station, db):
    assert client.post("/station/postings/new", data=station_form(lot_code="L-1")).status_code == 302
    other_farmer = station_form(lot_code="L-1", farmer_phone="+8613800000999")
    assert client.post("/station/postings/new", data=other_farmer).status_code == 302
    same_farmer_again = client.post("/station/postings/new", data=station_form(lot_code="L-1"))
    assert same_farmer_again.status_code == 422
    assert db.session.scalar(select(func.count(Posting.id))) == 2


def test_members_who_are_not_operators_are_refused(client, login, db):
    login(make_member())
    assert client.get("/station/postings/new").status_code == 403
    assert client.post("/station/postings/new", data=station_form()).status_code == 403
    assert db.session.scalar(select(func.count(Posting.id))) == 0


def test_station_form_asks_for_the_farmer(client, station):
    page = client.get("/station/postings/new").get_data(as_text=True)
    assert "Farmer&#39;s mobile number" in page or "Farmer's mobile number" in page
    assert 'inputmode="tel"' in page


def test_operator_can_see_and_edit_postings_made_for_farmers(client, station, db):
    client.post("/station/postings/new", data=station_form(publish=None, save_draft="Save as draft"))
    posting = db.session.scalars(select(Posting)).one()
    assert posting.status == "draft"
    assert client.get(f"/p/{posting.id}").status_code == 200
    mine = client.get("/account/postings").get_data(as_text=True)
    assert "New-season maize, dry" in mine and "for Farmer ****5678" in mine
    # The station corrects the draft; only the farmer publishes it (by SMS, tests/inbound_sms/test_station.py).
    edit = form_data(title="Maize typed in by the station", publish=None, save_draft="Save changes")
    assert client.post(f"/p/{posting.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert posting.title == "Maize typed in by the station" and posting.status == "draft"


def test_another_operator_cannot_edit_a_farmers_posting(client, station, login, db):
    client.post("/station/postings/new", data=station_form())
    posting = db.session.scalars(select(Posting)).one()
    login(make_member(is_station_operator=True))
    assert client.get(f"/p/{posting.id}/edit").status_code == 404
    assert client.post(f"/p/{posting.id}/status", data={"action": "close"}).status_code == 404
