"""Posting photos: cleaned and resized on upload, refused when not images, at most six, 413 when too big."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from app.postings.models import Posting, PostingPhoto
from tests.factories import make_member
from tests.postings._helpers import form_data, photo


def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def stored_files(app) -> set[str]:
    return {p.name for p in upload_dir(app).glob("*") if p.is_file()}


def test_phone_photo_is_stored_without_exif_resized_with_thumbnail(client, login, db, app):
    login(make_member())
    response = client.post(
        "/postings/new",
        data=form_data(photos=[photo("IMG_0001.jpg", size=(3200, 2400), gps=True)]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    posting = db.session.scalars(select(Posting)).one()
    [stored] = posting.photos
    assert stored.filename != "IMG_0001.jpg" and stored.filename.endswith(".jpg")
    with Image.open(upload_dir(app) / stored.filename) as image:
        assert max(image.size) <= 1600
        assert (stored.width, stored.height) == image.size
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
    with Image.open(upload_dir(app) / stored.thumb_filename) as thumb:
        assert max(thumb.size) <= app.config["THUMB_MAX_PX"]
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert f'href="/media/{stored.filename}"' in page
    assert f'src="/media/{stored.thumb_filename}"' in page
    assert client.get(f"/media/{stored.filename}").status_code == 200


def test_non_image_is_refused_beside_the_photo_field(client, login, db, app):
    login(make_member())
    response = client.post(
        "/postings/new",
        data=form_data(photos=[photo("good.jpg"), (io.BytesIO(b"%PDF-1.4 not a photo"), "scan.jpg")]),
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "scan.jpg" in page and "not a readable image" in page
    assert 'id="field-photos"' in page
    assert db.session.scalar(select(func.count(Posting.id))) == 0
    assert stored_files(app) == set(), "the good photo of a refused form must not stay on disk"


def test_gif_is_refused(client, login, db):
    login(make_member())
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="GIF")
    buffer.seek(0)
    response = client.post(
        "/postings/new", data=form_data(photos=[(buffer, "anim.gif")]), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Only JPEG, PNG and WebP" in response.get_data(as_text=True)


def test_seven_photos_are_refused(client, login, db, app):
    login(make_member())
    response = client.post(
        "/postings/new",
        data=form_data(photos=[photo(f"p{i}.jpg") for i in range(7)]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "at most 6 photos" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Posting.id))) == 0
    assert stored_files(app) == set()


def test_six_photos_are_accepted_in_order(client, login, db):
    login(make_member())
    response = client.post(
        "/postings/new",
        data=form_data(photos=[photo(f"p{i}.jpg") for i in range(6)]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    posting = db.session.scalars(select(Posting)).one()
    assert [p.position for p in posting.photos] == [0, 1, 2, 3, 4, 5]


def test_oversized_request_gets_a_friendly_413_page(client, login, db, app):
    login(make_member())
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    big = io.BytesIO(b"\xff\xd8" + b"0" * 50_000)
    response = client.post(
        "/postings/new", data=form_data(photos=[(big, "huge.jpg")]), content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The upload is too large" in page
    assert "<html" in page
    assert db.session.scalar(select(func.count(Posting.id))) == 0


def test_photo_over_the_per_file_limit_is_refused_beside_the_field(client, login, db, app):
    login(make_member())
    app.config["MAX_PHOTO_BYTES"] = 1024 * 1024
    big = io.BytesIO(b"\xff\xd8" + b"0" * (1024 * 1024 + 10))
    response = client.post(
        "/postings/new", data=form_data(photos=[(big, "big.jpg")]), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "at most 1 MB" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PostingPhoto.id))) == 0
