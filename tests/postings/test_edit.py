"""Editing a posting: owner only, photos kept/removed/added up to six, a failed edit changes nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.postings.models import Posting
from tests.factories import make_member, make_posting
from tests.postings._helpers import form_data, photo


def create_with_photos(client, count: int) -> Posting:
    from app.extensions import db

    response = client.post(
        "/postings/new",
        data=form_data(photos=[photo(f"p{i}.jpg") for i in range(count)]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return db.session.scalars(select(Posting)).one()


def edit_data(posting: Posting, **changes) -> dict:
    data = form_data(**changes)
    data.pop("publish")
    data["save"] = "Save changes"
    return data


@pytest.fixture
def owner(login):
    return login(make_member(display_name="Owner Farm"))


def test_edit_form_shows_current_values(client, owner):
    posting = make_posting(owner=owner, title="Yellow maize", price=None, min_order=Decimal("2.5"))
    page = client.get(f"/p/{posting.id}/edit").get_data(as_text=True)
    assert 'value="Yellow maize"' in page
    assert 'value="2.5"' in page
    assert re.search(r'<input checked id="negotiable" name="negotiable" type="checkbox"', page)
    assert "Save changes" in page


def test_owner_edits_and_derived_fields_follow(client, owner, db):
    posting = make_posting(owner=owner)
    data = edit_data(posting, title="Maize, sun-dried", unit_code="jin", price="1.20", min_order="")
    response = client.post(f"/p/{posting.id}/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/p/{posting.id}")
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert posting.title == "Maize, sun-dried"
    assert posting.price_per_kg == Decimal("2.4")
    assert "sun" in posting.search_text and "dried" in posting.search_text
    assert posting.status == "active"


def test_other_members_get_404_on_edit(client, login, db):
    posting = make_posting(title="Original title")
    login(make_member())
    assert client.get(f"/p/{posting.id}/edit").status_code == 404
    response = client.post(f"/p/{posting.id}/edit", data=edit_data(posting, title="Hijacked"))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Posting, posting.id).title == "Original title"


def test_visitor_is_sent_to_login_on_edit(client):
    posting = make_posting()
    response = client.get(f"/p/{posting.id}/edit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_edit_of_unknown_posting_is_404(client, owner):
    assert client.get("/p/999999/edit").status_code == 404


def test_edit_keeps_photos_removes_some_and_adds_new(client, owner, db, app):
    posting = create_with_photos(client, 3)
    first, second, third = posting.photos
    removed_file = Path(app.config["UPLOAD_DIR"]) / second.filename
    assert removed_file.exists()
    response = client.post(
        f"/p/{posting.id}/edit",
        data=edit_data(posting, remove_photos=[str(second.id)], photos=[photo("new1.jpg"), photo("new2.jpg")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert len(posting.photos) == 4
    assert [p.id for p in posting.photos[:2]] == [first.id, third.id]
    assert not removed_file.exists()


def test_edit_refuses_more_than_six_photos_in_total(client, owner, db, app):
    posting = create_with_photos(client, 5)
    files_before = set(Path(app.config["UPLOAD_DIR"]).iterdir())
    response = client.post(
        f"/p/{posting.id}/edit",
        data=edit_data(posting, photos=[photo("a.jpg"), photo("b.jpg")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "at most 6 photos" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Posting, posting.id).photos) == 5
    assert set(Path(app.config["UPLOAD_DIR"]).iterdir()) == files_before


def test_removing_one_makes_room_for_another(client, owner, db):
    posting = create_with_photos(client, 6)
    response = client.post(
        f"/p/{posting.id}/edit",
        data=edit_data(posting, remove_photos=[str(posting.photos[0].id)], photos=[photo("swap.jpg")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Posting, posting.id).photos) == 6


def test_failed_edit_changes_nothing(client, owner, db, app):
    posting = create_with_photos(client, 2)
    before = {c: getattr(posting, c) for c in ("title", "price", "quantity", "price_per_kg", "search_text", "status")}
    photo_ids = [p.id for p in posting.photos]
    files_before = set(Path(app.config["UPLOAD_DIR"]).iterdir())
    response = client.post(
        f"/p/{posting.id}/edit",
        data=edit_data(
            posting, title="Changed title", price="NaN", remove_photos=[str(photo_ids[0])], photos=[photo("n.jpg")]
        ),
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Changed title"' in page, "what the member typed is shown again"
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert {c: getattr(posting, c) for c in before} == before
    assert [p.id for p in posting.photos] == photo_ids
    assert set(Path(app.config["UPLOAD_DIR"]).iterdir()) == files_before


def test_failed_edit_on_a_database_rule_changes_nothing(client, owner, db, app):
    make_posting(owner=owner, lot_code="USED-1")
    posting = make_posting(owner=owner, title="Keep me")
    response = client.post(f"/p/{posting.id}/edit", data=edit_data(posting, title="Lost?", lot_code="USED-1"))
    assert response.status_code == 422
    assert "already used this lot code" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Posting, posting.id).title == "Keep me"


def test_editing_a_draft_can_publish_it(client, owner, db):
    posting = make_posting(owner=owner, publish=False)
    data = form_data()
    response = client.post(f"/p/{posting.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Posting, posting.id).status == "active"


def test_editing_a_draft_as_draft_keeps_it_a_draft(client, owner, db):
    posting = make_posting(owner=owner, publish=False)
    data = form_data(publish=None, save_draft="Save as draft", title="Still drafting")
    assert client.post(f"/p/{posting.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert posting.status == "draft" and posting.title == "Still drafting"


def test_expired_posting_can_be_edited_without_changing_its_past_until_date(client, owner, db):
    from datetime import timedelta

    from app.postings.services import expire_due_postings, local_today

    posting = make_posting(owner=owner)
    posting.available_until = local_today() - timedelta(days=3)
    expire_due_postings()
    db.session.commit()
    assert posting.status == "expired"
    data = edit_data(posting, title="Old maize", available_from="", available_until=posting.available_until.isoformat())
    response = client.post(f"/p/{posting.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert posting.title == "Old maize" and posting.status == "expired"


def test_quantity_edit_keeps_sold_units_sold(client, owner, db):
    # app/postings/stock.py moves the available stock with an edited quantity; the edit must reach it.
    posting = make_posting(owner=owner, quantity=Decimal("20"), min_order=None)
    posting.quantity_available = Decimal("12")  # 8 were sold through trade
    db.session.commit()
    assert client.post(f"/p/{posting.id}/edit", data=edit_data(posting, quantity="30", min_order="")).status_code == 302
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert (posting.quantity, posting.quantity_available) == (Decimal("30"), Decimal("22"))
