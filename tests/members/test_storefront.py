"""Storefronts: created for sellers, public page with badge and postings, owner-only edit."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, select

from app.core.clock import utcnow
from app.members.models import Member, Storefront
from app.members.storefronts import ensure_storefront, slugify
from tests.factories import make_member
from tests.members.helpers import add_posting, png_upload, signup_data, text_of, text_upload


def _shop(db, **member_overrides) -> Storefront:
    member = make_member(**member_overrides)
    storefront = ensure_storefront(member)
    db.session.commit()
    return storefront


def _edit_data(**overrides) -> dict:
    data = {
        "name": "Zhang Family Farm",
        "slug": "zhang-farm",
        "province_code": "41",
        "locality": "Zhoukou",
        "about": "",
    }
    data.update(overrides)
    return data


@contextmanager
def _count_queries(db):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zhang Family Farm", "zhang-family-farm"),
        ("Café Ōsaka & Sons", "cafe-osaka-sons"),
        ("  --Green--  ", "green"),
        ("张家农场", ""),
    ],
)
def test_slugify_makes_ascii_web_addresses(name, expected):
    assert slugify(name) == expected


def test_seller_signup_opens_a_storefront_named_after_them(client, db):
    client.post("/signup", data=signup_data(display_name="Zhang Family Farm", kinds=["seller"]))

    storefront = db.session.scalar(select(Storefront))
    assert storefront.name == "Zhang Family Farm" and storefront.slug == "zhang-family-farm"
    assert client.get("/s/zhang-family-farm").status_code == 200


def test_chinese_name_gets_a_fallback_slug_and_duplicates_get_a_number(client, db):
    client.post("/signup", data=signup_data(phone="13800138000", display_name="张家农场"))
    client.post("/signup", data=signup_data(phone="13900139000", display_name="Zhang Family Farm"))
    client.post("/signup", data=signup_data(phone="13700137000", display_name="Zhang family farm!"))

    members = {m.phone: m for m in db.session.scalars(select(Member))}
    chinese = members["+8613800138000"]
    assert chinese.storefront.slug == f"m{chinese.id}"
    assert members["+8613900139000"].storefront.slug == "zhang-family-farm"
    assert members["+8613700137000"].storefront.slug == "zhang-family-farm-2"


def test_storefront_page_shows_name_region_about_badge_and_member_since(client, db):
    storefront = _shop(db, display_name="Henan Maize Co-op", verified_at=utcnow())
    storefront.province_code = "41"
    storefront.locality = "Zhoukou, Xihua county"
    storefront.about = "We grow maize.\nCollect from our yard <b>any day</b>."
    db.session.commit()

    response = client.get(f"/s/{storefront.slug}")

    body = text_of(response)
    assert response.status_code == 200
    assert "Henan Maize Co-op" in body
    assert "Henan" in body and "Zhoukou, Xihua county" in body
    assert "We grow maize.\nCollect from our yard &lt;b&gt;any day&lt;/b&gt;." in body
    assert 'class="pre-line about"' in body
    assert "Trusted member" in body
    assert "Member since" in body


def test_unverified_storefront_has_no_badge(client, db):
    storefront = _shop(db)

    assert "Trusted member" not in text_of(client.get(f"/s/{storefront.slug}"))


def test_storefront_lists_only_the_members_active_postings_of_both_kinds(client, db):
    storefront = _shop(db, display_name="Li Orchard")
    owner = storefront.member
    add_posting(owner, kind="sell", title="Fresh maize 50 t", minutes_ago=5)
    add_posting(owner, kind="buy", title="Wanted: maize seed", minutes_ago=1)
    add_posting(owner, kind="sell", status="draft", title="Draft offer hidden")
    add_posting(owner, kind="sell", status="closed", title="Closed offer hidden")
    add_posting(make_member(display_name="Someone Else"), title="Other seller maize")

    body = text_of(client.get(f"/s/{storefront.slug}"))

    assert "Fresh maize 50 t" in body and "Wanted: maize seed" in body
    assert body.index("Wanted: maize seed") < body.index("Fresh maize 50 t")  # newest first
    assert "Draft offer hidden" not in body and "Closed offer hidden" not in body and "Other seller maize" not in body


def test_storefront_without_postings_says_so(client, db):
    storefront = _shop(db)

    assert "Nothing is offered or wanted here right now." in text_of(client.get(f"/s/{storefront.slug}"))


def test_storefront_page_loads_cards_without_a_query_per_posting(client, db):
    storefront = _shop(db)
    page = f"/s/{storefront.slug}"
    add_posting(storefront.member, title="first")
    db.session.rollback()  # both measured requests start from a closed transaction, as in production
    with _count_queries(db) as few:
        client.get(page)
    variety = [("wheat", "kg", "13"), ("rice", "jin", "11"), ("apple", "box", "37"), ("maize", "t", "23")]
    for number in range(8):
        commodity, unit, province = variety[number % 4]
        add_posting(
            storefront.member,
            kind="buy" if number % 2 else "sell",
            title=f"more {number}",
            commodity=commodity,
            unit_code=unit,
            province_code=province,
        )
    db.session.rollback()

    with _count_queries(db) as many:
        response = client.get(page)

    assert "more 7" in text_of(response)
    assert len(many) == len(few)


def test_storefront_postings_are_paginated(app, client, db):
    app.config["POSTINGS_PER_PAGE"] = 2
    storefront = _shop(db)
    for number in range(3):
        add_posting(storefront.member, title=f"offer number {number}", minutes_ago=number)

    first = text_of(client.get(f"/s/{storefront.slug}"))
    second = text_of(client.get(f"/s/{storefront.slug}?page=2"))
    beyond = client.get(f"/s/{storefront.slug}?page=99999999999999999999")

    assert "offer number 0" in first and "offer number 2" not in first
    assert "offer number 2" in second
    assert beyond.status_code == 200


@pytest.mark.parametrize("slug", ["no-such-shop", "a", "UPPER", "x" * 500, "%00", "bad%00slug", "中文"])
def test_unknown_or_impossible_slug_is_404(client, db, slug):
    _shop(db)

    assert client.get(f"/s/{slug}").status_code == 404


def test_owner_edits_storefront_and_changes_its_address(client, db, login):
    storefront = _shop(db, display_name="Old Name")
    login(storefront.member)
    old_slug = storefront.slug

    response = client.post(
        "/account/storefront",
        data=_edit_data(name="Zhang Family Farm", slug="Zhang-Farm ", about="Line one\nLine two"),
        content_type="multipart/form-data",
    )

    assert response.status_code == 302 and response.location == "/s/zhang-farm"
    db.session.refresh(storefront)
    assert (storefront.name, storefront.slug, storefront.province_code, storefront.locality) == (
        "Zhang Family Farm",
        "zhang-farm",
        "41",
        "Zhoukou",
    )
    assert storefront.about == "Line one\nLine two"
    assert "Your storefront was saved." in text_of(client.get("/s/zhang-farm"))
    assert client.get(f"/s/{old_slug}").status_code == 404


def test_first_edit_creates_a_storefront_for_a_buyer(client, db, login):
    member = login(make_member(display_name="Wuhan Foods Ltd", is_seller=False, is_buyer=True))
    form = text_of(client.get("/account/storefront"))
    assert 'value="wuhan-foods-ltd"' in form

    response = client.post(
        "/account/storefront",
        data=_edit_data(name="Wuhan Foods Ltd", slug="wuhan-foods"),
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert db.session.scalar(select(Storefront.slug).where(Storefront.member_id == member.id)) == "wuhan-foods"


def test_slug_of_another_storefront_is_refused_and_nothing_changes(client, db, login):
    _shop(db, display_name="Taken Farm")
    mine = _shop(db, display_name="My Farm")
    login(mine.member)

    response = client.post(
        "/account/storefront", data=_edit_data(name="Renamed", slug="taken-farm"), content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert "This web address is already taken." in text_of(response)
    assert 'value="Renamed"' in text_of(response)  # what was typed is kept
    db.session.refresh(mine)
    assert (mine.name, mine.slug) == ("My Farm", "my-farm")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "-bad-"}, "Use lower-case letters"),
        ({"slug": "has space"}, "Use lower-case letters"),
        ({"slug": "中文"}, "Use lower-case letters"),
        ({"slug": "x"}, "between 2 and 60 characters"),
        ({"name": ""}, "Enter a name."),
        ({"name": "n" * 5000}, "cannot be longer than 100 characters"),
        ({"about": "a" * 4001}, "cannot be longer than 4000 characters"),
        ({"about": "evil\x00text"}, "control characters"),
        ({"province_code": "99"}, "Not a valid choice"),
    ],
)
def test_storefront_edit_refuses_bad_input(client, db, login, overrides, message):
    mine = _shop(db, display_name="My Farm")
    login(mine.member)

    response = client.post("/account/storefront", data=_edit_data(**overrides), content_type="multipart/form-data")

    assert response.status_code == 422
    assert message in text_of(response)
    db.session.refresh(mine)
    assert (mine.name, mine.slug) == ("My Farm", "my-farm")


def test_owner_uploads_a_logo_shown_on_the_storefront(app, client, db, login):
    mine = _shop(db, display_name="My Farm")
    login(mine.member)

    client.post(
        "/account/storefront",
        data=_edit_data(slug="my-farm", logo=png_upload("logo.png", (800, 600))),
        content_type="multipart/form-data",
    )

    db.session.refresh(mine)
    assert mine.logo_filename
    assert f"/media/{mine.logo_thumb_filename}" in text_of(client.get("/s/my-farm"))
    assert client.get(f"/media/{mine.logo_filename}").status_code == 200


def test_replacing_and_removing_the_logo_deletes_the_old_files(app, client, db, login):
    mine = _shop(db, display_name="My Farm")
    login(mine.member)
    upload_dir = Path(app.config["UPLOAD_DIR"])
    client.post(
        "/account/storefront", data=_edit_data(slug="my-farm", logo=png_upload()), content_type="multipart/form-data"
    )
    db.session.refresh(mine)
    first = mine.logo_filename

    client.post(
        "/account/storefront", data=_edit_data(slug="my-farm", logo=png_upload()), content_type="multipart/form-data"
    )
    db.session.refresh(mine)
    second = mine.logo_filename
    client.post(
        "/account/storefront", data=_edit_data(slug="my-farm", remove_logo="y"), content_type="multipart/form-data"
    )
    db.session.refresh(mine)

    assert second != first and not (upload_dir / first).exists()
    assert mine.logo_filename is None and not (upload_dir / second).exists()


def test_non_image_logo_is_refused_and_the_storefront_kept(client, db, login):
    mine = _shop(db, display_name="My Farm")
    login(mine.member)

    response = client.post(
        "/account/storefront",
        data=_edit_data(name="Changed", logo=text_upload("logo.jpg")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "not a readable image" in text_of(response)
    db.session.refresh(mine)
    assert mine.name == "My Farm" and mine.logo_filename is None


def test_only_the_owner_sees_the_edit_link(app, client, db, login):
    mine = _shop(db, display_name="My Farm")
    login(mine.member)
    visitor = app.test_client()

    assert "Edit your storefront" in text_of(client.get("/s/my-farm"))
    assert "Edit your storefront" not in text_of(visitor.get("/s/my-farm"))


def test_visitor_cannot_edit_a_storefront(client, db):
    mine = _shop(db, display_name="My Farm")

    response = client.post(
        "/account/storefront", data=_edit_data(name="Hijacked", slug="hijacked"), content_type="multipart/form-data"
    )

    assert response.status_code == 302 and response.location.startswith("/login")
    db.session.refresh(mine)
    assert mine.name == "My Farm"


def test_storefront_edit_without_csrf_token_is_refused(client, db, login):
    mine = _shop(db, display_name="My Farm")
    login(mine.member)

    response = client.post(
        "/account/storefront", data=_edit_data(name="Changed"), content_type="multipart/form-data", csrf=False
    )

    assert response.status_code == 400
    db.session.refresh(mine)
    assert mine.name == "My Farm"
