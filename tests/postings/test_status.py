"""The posting lifecycle: publish, pause, resume, close, renew, expiry; owner only; illegal moves are 409."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.postings.models import Posting
from app.postings.services import expire_due_postings, local_today
from tests.factories import make_member, make_posting


@pytest.fixture
def owner(login):
    return login(make_member())


def status_of(db, posting_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Posting, posting_id).status


def post_action(client, posting, action, **extra):
    return client.post(f"/p/{posting.id}/status", data={"action": action, **extra})


def test_owner_pauses_resumes_and_closes(client, owner, db):
    posting = make_posting(owner=owner)
    response = post_action(client, posting, "pause")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/p/{posting.id}")
    assert status_of(db, posting.id) == "paused"
    assert "The posting is now paused." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert post_action(client, posting, "resume").status_code == 302
    assert status_of(db, posting.id) == "active"
    assert post_action(client, posting, "close").status_code == 302
    assert status_of(db, posting.id) == "closed"


def test_owner_publishes_a_draft(client, owner, db):
    posting = make_posting(owner=owner, publish=False)
    assert post_action(client, posting, "publish").status_code == 302
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert posting.status == "active" and posting.published_at is not None
    assert posting.available_until >= local_today()


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("draft", "pause"),
        ("draft", "resume"),
        ("draft", "close"),
        ("draft", "renew"),
        ("active", "publish"),
        ("active", "resume"),
        ("paused", "pause"),
        ("paused", "publish"),
        ("closed", "pause"),
        ("closed", "resume"),
        ("closed", "close"),
        ("expired", "pause"),
        ("expired", "resume"),
    ],
)
def test_illegal_transition_is_refused_with_409(client, owner, db, start, action):
    posting = make_posting(owner=owner, publish=start != "draft")
    posting.status = start
    db.session.commit()
    response = post_action(client, posting, action)
    assert response.status_code == 409
    assert "cannot be changed that way" in response.get_data(as_text=True)
    assert status_of(db, posting.id) == start


def test_unknown_action_is_a_bad_request(client, owner, db):
    posting = make_posting(owner=owner)
    response = post_action(client, posting, "delete")
    assert response.status_code == 400
    assert status_of(db, posting.id) == "active"


def test_other_members_cannot_change_status(client, login, db):
    posting = make_posting()
    login(make_member())
    assert post_action(client, posting, "close").status_code == 404
    assert status_of(db, posting.id) == "active"


def test_status_change_needs_csrf_token(client, owner, db):
    posting = make_posting(owner=owner)
    response = client.post(f"/p/{posting.id}/status", data={"action": "close"}, csrf=False)
    assert response.status_code == 400
    assert status_of(db, posting.id) == "active"


def test_status_change_returns_to_a_safe_next_page(client, owner, db):
    posting = make_posting(owner=owner)
    response = post_action(client, posting, "pause", next="/account/postings?status=active")
    assert response.headers["Location"] == "/account/postings?status=active"
    response = post_action(client, posting, "resume", next="https://evil.example/")
    assert "evil" not in response.headers["Location"]


def test_expire_marks_only_postings_past_their_until_date(db, app):
    today = local_today()
    due = make_posting(title="Due maize")
    paused_due = make_posting(title="Paused due maize")
    current = make_posting(title="Current maize")
    for posting in (due, paused_due):
        posting.available_until = today - timedelta(days=1)
    paused_due.status = "paused"
    current.available_until = today
    draft = make_posting(publish=False)
    draft.available_until = today - timedelta(days=5)
    db.session.commit()

    assert expire_due_postings(today) == 2
    db.session.commit()
    assert status_of(db, due.id) == "expired"
    assert status_of(db, paused_due.id) == "expired"
    assert status_of(db, current.id) == "active"
    assert status_of(db, draft.id) == "draft"


def test_expire_command(app, db):
    posting = make_posting()
    posting.available_until = local_today() - timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["postings", "expire"])
    assert result.exit_code == 0, result.output
    assert "expired postings: 1" in result.output
    assert status_of(db, posting.id) == "expired"
    again = app.test_cli_runner().invoke(args=["postings", "expire"])
    assert "expired postings: 0" in again.output


def test_renew_reactivates_an_expired_posting(client, owner, db, app):
    posting = make_posting(owner=owner)
    posting.available_until = local_today() - timedelta(days=3)
    db.session.commit()
    expire_due_postings()
    db.session.commit()
    assert post_action(client, posting, "renew").status_code == 302
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert posting.status == "active"
    assert posting.available_until == local_today() + timedelta(days=app.config["POSTING_DEFAULT_DAYS"])


def test_renew_reopens_a_closed_posting(client, owner, db):
    posting = make_posting(owner=owner)
    post_action(client, posting, "close")
    assert post_action(client, posting, "renew").status_code == 302
    assert status_of(db, posting.id) == "active"


def test_renew_extends_an_active_posting_from_its_until_date(client, owner, db, app):
    posting = make_posting(owner=owner)
    until = posting.available_until
    post_action(client, posting, "renew")
    db.session.expire_all()
    posting = db.session.get(Posting, posting.id)
    assert posting.status == "active"
    assert posting.available_until == until + timedelta(days=app.config["POSTING_DEFAULT_DAYS"])


def test_renew_keeps_a_paused_posting_paused(client, owner, db):
    posting = make_posting(owner=owner)
    post_action(client, posting, "pause")
    post_action(client, posting, "renew")
    assert status_of(db, posting.id) == "paused"


def test_my_postings_lists_and_filters_by_status(client, owner, db):
    make_posting(owner=owner, title="Active maize")
    paused = make_posting(owner=owner, title="Paused apples", commodity="apple")
    paused.status = "paused"
    make_posting(owner=owner, title="Draft wheat", commodity="wheat", publish=False)
    make_posting(title="Somebody else's maize")
    db.session.commit()

    page = client.get("/account/postings").get_data(as_text=True)
    assert "Active maize" in page and "Paused apples" in page and "Draft wheat" in page
    assert "Somebody else" not in page
    assert 'value="pause"' in page and 'value="resume"' in page and 'value="publish"' in page

    paused_only = client.get("/account/postings?status=paused").get_data(as_text=True)
    assert "Paused apples" in paused_only and "Active maize" not in paused_only
    assert client.get("/account/postings?status=nonsense").status_code == 200
    assert client.get("/account/postings?page=abc").status_code == 200


def test_my_postings_needs_login(client):
    response = client.get("/account/postings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
