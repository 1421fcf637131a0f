"""The new-posting form keeps a draft on the server (issue 25): htmx saves it a moment after each
change, a form that comes back with errors saves it too (without JavaScript), it is restored when
the form is opened again, and removed once the posting is created or the member starts again."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from app.core.clock import utcnow
from app.extensions import db as _db
from app.postings.models import PostingDraft
from tests.factories import make_member
from tests.postings._helpers import form_data

HX = {"HX-Request": "true"}


def drafts(db) -> int:
    return db.session.scalar(select(func.count(PostingDraft.id)))


def value_of(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page
    )
    return match.group(1) if match else None


def test_autosave_keeps_what_was_typed_and_the_form_comes_back_with_it(client, login, db):
    login(make_member())
    page = client.get("/postings/new").get_data(as_text=True)
    assert 'hx-post="/postings/draft/new"' in page and 'hx-trigger="change delay:2s from:closest form"' in page

    response = client.post(
        "/postings/draft/new", data={"title": "红富士苹果", "quantity": "3", "kind": "sell"}, headers=HX
    )
    assert response.status_code == 200
    assert "Draft kept" in response.get_data(as_text=True)
    assert drafts(db) == 1

    again = client.get("/postings/new").get_data(as_text=True)
    assert value_of(again, "title") == "红富士苹果"
    assert value_of(again, "quantity") == "3"
    assert "We kept what you typed earlier" in again
    assert "error-summary" not in again  # a restored draft is not a failed form


def test_one_draft_per_member_and_form(client, login, db):
    login(make_member())
    client.post("/postings/draft/new", data={"title": "first"}, headers=HX)
    client.post("/postings/draft/new", data={"title": "second"}, headers=HX)
    assert drafts(db) == 1
    assert value_of(client.get("/postings/new").get_data(as_text=True), "title") == "second"


def test_a_failed_form_without_javascript_keeps_a_draft(client, login, db):
    login(make_member())
    response = client.post("/postings/new", data=form_data(price="-1"))
    assert response.status_code == 422
    assert drafts(db) == 1
    assert value_of(client.get("/postings/new").get_data(as_text=True), "title") == "New-season maize, dry"


def test_publishing_clears_the_draft(client, login, db):
    login(make_member())
    client.post("/postings/draft/new", data={"title": "draft maize"}, headers=HX)
    assert client.post("/postings/new", data=form_data()).status_code == 302
    assert drafts(db) == 0
    assert value_of(client.get("/postings/new").get_data(as_text=True), "title") in (None, "")


def test_start_again_forgets_the_draft(client, login, db):
    login(make_member())
    client.post("/postings/draft/new", data={"title": "draft maize"}, headers=HX)
    response = client.post("/postings/draft/new/discard")
    assert response.status_code == 303 and response.headers["Location"] == "/postings/new"
    assert drafts(db) == 0


def test_drafts_are_each_members_own(client, login, db):
    login(make_member())
    client.post("/postings/draft/new", data={"title": "mine"}, headers=HX)
    login(make_member())
    page = client.get("/postings/new").get_data(as_text=True)
    assert "mine" not in page and "We kept what you typed" not in page


def test_an_empty_form_is_not_a_draft(client, login, db):
    login(make_member())
    client.post("/postings/draft/new", data={"kind": "sell", "unit_code": "kg", "delivery": "either"}, headers=HX)
    assert drafts(db) == 0


def test_autosave_refuses_unknown_forms_missing_tokens_and_visitors(client, login, db):
    assert client.post("/postings/draft/new", data={"title": "x"}).status_code == 302  # to the login page
    login(make_member())
    assert client.post("/postings/draft/other", data={"title": "x"}).status_code == 404
    assert client.post("/postings/draft/station", data={"title": "x"}).status_code == 404  # not a station
    assert client.post("/postings/draft/new", data={"title": "x"}, csrf=False).status_code == 400
    assert drafts(db) == 0


def test_the_station_form_has_its_own_draft(client, login, db):
    login(make_member(is_station_operator=True))
    client.post("/postings/draft/station", data={"farmer_phone": "13900139000", "title": "farmer maize"}, headers=HX)
    client.post("/postings/draft/new", data={"title": "my own"}, headers=HX)
    assert drafts(db) == 2
    page = client.get("/station/postings/new").get_data(as_text=True)
    assert value_of(page, "farmer_phone") == "13900139000" and value_of(page, "title") == "farmer maize"


def test_an_old_draft_is_not_restored_and_is_cleaned_up(client, login, db, app):
    login(make_member())
    client.post("/postings/draft/new", data={"title": "long ago"}, headers=HX)
    days = app.config["POSTING_DRAFT_DAYS"]
    _db.session.execute(update(PostingDraft).values(updated_at=utcnow() - timedelta(days=days, hours=1)))
    _db.session.commit()
    assert "long ago" not in client.get("/postings/new").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["postings", "expire"])
    assert "stale drafts: 1" in result.output
    assert drafts(db) == 0


def test_very_long_or_odd_values_are_cut_not_refused(client, login, db):
    login(make_member())
    response = client.post("/postings/draft/new", data={"title": "麦" * 5000 + "\x00", "unknown": "x"}, headers=HX)
    assert response.status_code == 200
    draft = db.session.scalars(select(PostingDraft)).one()
    assert len(draft.fields) < 1000 and "unknown" not in draft.fields and "\\u0000" not in draft.fields
