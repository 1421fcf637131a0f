"""A photo that arrived with a posting form that failed for another reason is kept (issue 25): shown
as a thumbnail with "keep this photo", used by the next submission without being sent again, only
by its sender, only for PENDING_UPLOAD_HOURS, and removed by `flask postings expire`."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from app.core.clock import utcnow
from app.extensions import db as _db
from app.media.models import PendingUpload
from app.postings.models import Posting, PostingPhoto
from tests.factories import make_member
from tests.postings._helpers import form_data, photo


def private_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "private"
    return {p.name for p in folder.glob("*") if p.is_file()} if folder.exists() else set()


def kept_tokens(page: str) -> list[str]:
    return re.findall(r'name="keep_photo" value="([^"]+)" checked', page)


def fail_with_a_photo(client, **changes):
    return client.post(
        "/postings/new",
        data=form_data(title="", photos=[photo("IMG_1.jpg", size=(2000, 1500), gps=True)], **changes),
        content_type="multipart/form-data",
    )


def test_a_photo_sent_with_a_failing_form_is_kept_and_used_on_the_next_try(client, login, db, app):
    login(make_member())
    response = fail_with_a_photo(client)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    [token] = kept_tokens(page)
    assert "Keep this photo" in page and "Photos already received" in page
    pending = db.session.scalars(select(PendingUpload)).one()
    assert pending.token == token and max(pending.width, pending.height) <= 1600
    assert pending.filename in private_files(app)
    assert db.session.scalar(select(func.count(Posting.id))) == 0

    # The next try sends no file at all, only the token.
    again = client.post("/postings/new", data=form_data(keep_photo=token), content_type="multipart/form-data")
    assert again.status_code == 302
    posting = db.session.scalars(select(Posting)).one()
    [stored] = posting.photos
    assert stored.filename == pending.filename
    assert (Path(app.config["UPLOAD_DIR"]) / stored.filename).exists()
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 0
    assert private_files(app) == set()


def test_the_thumbnail_is_shown_to_its_sender_only(client, login, db):
    sender = login(make_member())
    [token] = kept_tokens(fail_with_a_photo(client).get_data(as_text=True))
    thumbnail = client.get(f"/postings/pending-photos/{token}")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    assert "no-store" in thumbnail.headers["Cache-Control"]

    login(make_member())
    assert client.get(f"/postings/pending-photos/{token}").status_code == 404
    assert client.get("/postings/pending-photos/not-a-token").status_code == 404
    client.get("/logout")
    assert sender is not None


def test_someone_elses_token_is_ignored(client, login, db):
    login(make_member())
    [token] = kept_tokens(fail_with_a_photo(client).get_data(as_text=True))
    login(make_member())
    response = client.post("/postings/new", data=form_data(keep_photo=token), content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(PostingPhoto.id))) == 0
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 1


def test_unticking_keep_leaves_the_photo_out(client, login, db):
    login(make_member())
    fail_with_a_photo(client)
    response = client.post("/postings/new", data=form_data(), content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(PostingPhoto.id))) == 0


def test_a_second_failure_keeps_the_kept_photo_and_adds_the_new_one(client, login, db):
    login(make_member())
    [first] = kept_tokens(fail_with_a_photo(client).get_data(as_text=True))
    response = client.post(
        "/postings/new",
        data=form_data(title="", keep_photo=first, photos=[photo("IMG_2.jpg")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    tokens = kept_tokens(response.get_data(as_text=True))
    assert len(tokens) == 2 and tokens[0] == first
    done = client.post("/postings/new", data={**form_data(), "keep_photo": tokens}, content_type="multipart/form-data")
    assert done.status_code == 302
    assert db.session.scalar(select(func.count(PostingPhoto.id))) == 2


def test_kept_photos_count_towards_the_six(client, login, db, app):
    login(make_member())
    [token] = kept_tokens(fail_with_a_photo(client).get_data(as_text=True))
    six_more = [photo(f"p{i}.jpg") for i in range(app.config["MAX_PHOTOS_PER_POSTING"])]
    response = client.post(
        "/postings/new", data=form_data(keep_photo=token, photos=six_more), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "at most 6 photos" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Posting.id))) == 0


def test_a_bad_file_is_not_kept_and_says_why(client, login, db):
    login(make_member())
    response = client.post(
        "/postings/new",
        data=form_data(title="", photos=[(__import__("io").BytesIO(b"%PDF-1.4 not an image"), "scan.jpg")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "scan.jpg: This file is not a readable image" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 0


def test_an_expired_pending_photo_is_not_used_and_is_cleaned_up(client, login, db, app):
    login(make_member())
    [token] = kept_tokens(fail_with_a_photo(client).get_data(as_text=True))
    hours = app.config["PENDING_UPLOAD_HOURS"]
    _db.session.execute(update(PendingUpload).values(created_at=utcnow() - timedelta(hours=hours, minutes=1)))
    _db.session.commit()
    assert client.get(f"/postings/pending-photos/{token}").status_code == 404
    response = client.post("/postings/new", data=form_data(keep_photo=token), content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(PostingPhoto.id))) == 0

    result = app.test_cli_runner().invoke(args=["postings", "expire"])
    assert "removed pending photos: 1" in result.output
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 0
    assert private_files(app) == set()


def test_a_kept_photo_also_serves_the_edit_form(client, login, db):
    from tests.factories import make_posting

    owner = login(make_member())
    posting = make_posting(owner=owner)
    response = client.post(
        f"/p/{posting.id}/edit",
        data=form_data(title="", save="Save changes", photos=[photo("IMG_3.jpg")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    [token] = kept_tokens(response.get_data(as_text=True))
    done = client.post(
        f"/p/{posting.id}/edit",
        data=form_data(save="Save changes", keep_photo=token),
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    _db.session.refresh(posting)
    assert len(posting.photos) == 1
