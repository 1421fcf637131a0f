"""Catalogue admin: admins add commodities and aliases; search text follows alias changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalogue.models import Category, Commodity, CommodityAlias
from app.catalogue.services import find_commodity
from app.postings.models import Posting
from tests.factories import make_member, make_posting


@pytest.fixture
def admin(login):
    return login(make_member(display_name="Admin Wang", is_admin=True))


def _commodity(db, slug: str) -> Commodity | None:
    db.session.expire_all()
    return db.session.scalar(select(Commodity).where(Commodity.slug == slug))


def _new_commodity_form(db, **changes) -> dict:
    fruit = db.session.scalar(select(Category).where(Category.slug == "fruit"))
    data = {
        "slug": "dragon-fruit",
        "name_en": "Dragon fruit",
        "name_zh": "火龙果",
        "category_id": str(fruit.id),
        "default_unit_code": "kg",
        "aliases_en": "pitaya, pitahaya",
        "aliases_zh": "红龙果、仙蜜果",
    }
    data.update(changes)
    return data


def _search_tokens(db, posting_id: int) -> set[str]:
    db.session.expire_all()
    return set(db.session.get(Posting, posting_id).search_text.split())


# --- access ------------------------------------------------------------------------------------------


def test_visitor_is_sent_to_login(client):
    response = client.get("/admin/commodities")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/admin/commodities", "/admin/commodities/1"])
def test_member_who_is_not_admin_is_refused(client, login, path):
    login(make_member(display_name="Farmer Li"))
    assert client.get(path).status_code == 403


def test_member_who_is_not_admin_cannot_add_commodity(client, login, db):
    login(make_member(display_name="Farmer Li"))
    response = client.post("/admin/commodities", data=_new_commodity_form(db))
    assert response.status_code == 403
    assert _commodity(db, "dragon-fruit") is None


def test_member_who_is_not_admin_cannot_add_alias(client, login, db):
    login(make_member(display_name="Farmer Li"))
    maize = find_commodity("maize")
    response = client.post(f"/admin/commodities/{maize.id}/aliases", data={"text": "六谷", "language": "zh"})
    assert response.status_code == 403
    assert "六谷" not in find_commodity("maize").all_names()


# --- list and add ------------------------------------------------------------------------------------


def test_admin_sees_commodities_by_category_with_names_and_aliases(client, admin):
    response = client.get("/admin/commodities")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Grains" in page and "粮食" in page
    assert "Maize" in page and "玉米" in page and "苞米" in page and "corn" in page
    assert page.index('id="category-grains"') < page.index("Maize") < page.index('id="category-fruit"')


def test_admin_adds_commodity_with_aliases_in_both_languages(client, admin, db):
    response = client.post("/admin/commodities", data=_new_commodity_form(db))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/commodities")
    commodity = _commodity(db, "dragon-fruit")
    assert commodity.name_en == "Dragon fruit" and commodity.name_zh == "火龙果"
    assert commodity.category.slug == "fruit" and commodity.default_unit_code == "kg"
    assert sorted((a.language, a.text) for a in commodity.aliases) == [
        ("en", "pitahaya"),
        ("en", "pitaya"),
        ("zh", "仙蜜果"),
        ("zh", "红龙果"),
    ]
    page = client.get("/admin/commodities").get_data(as_text=True)
    assert "Added Dragon fruit / 火龙果." in page
    assert "红龙果" in page
    assert find_commodity("pitaya").slug == "dragon-fruit"


def test_admin_adds_commodity_without_aliases(client, admin, db):
    response = client.post("/admin/commodities", data=_new_commodity_form(db, aliases_en="", aliases_zh=""))
    assert response.status_code == 302
    assert _commodity(db, "dragon-fruit").aliases == []


@pytest.mark.parametrize(
    "slug",
    ["Dragon-Fruit", "dragon fruit", "火龙果", "dragon_fruit", "-dragon", "dragon--fruit", "x", "a" * 61, ""],
)
def test_bad_slug_is_refused_beside_the_field(client, admin, db, slug):
    response = client.post("/admin/commodities", data=_new_commodity_form(db, slug=slug))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="slug-error"' in page
    assert "火龙果" in page  # what was typed is kept
    assert db.session.scalar(select(Commodity).where(Commodity.name_en == "Dragon fruit")) is None


def test_taken_slug_is_refused(client, admin, db):
    response = client.post("/admin/commodities", data=_new_commodity_form(db, slug="maize"))
    assert response.status_code == 422
    assert "This slug is already taken." in response.get_data(as_text=True)
    assert _commodity(db, "maize").name_en == "Maize"


def test_name_of_another_commodity_is_refused(client, admin, db):
    response = client.post("/admin/commodities", data=_new_commodity_form(db, name_zh="苞米"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name_zh-error"' in page and "Maize" in page
    assert _commodity(db, "dragon-fruit") is None


def test_alias_claimed_by_another_commodity_is_refused(client, admin, db):
    response = client.post("/admin/commodities", data=_new_commodity_form(db, aliases_en="pitaya, CORN"))
    assert response.status_code == 422
    assert 'id="aliases_en-error"' in response.get_data(as_text=True)
    assert _commodity(db, "dragon-fruit") is None


def test_alias_repeating_own_name_is_refused(client, admin, db):
    response = client.post("/admin/commodities", data=_new_commodity_form(db, aliases_zh="火龙果"))
    assert response.status_code == 422
    assert "listed twice" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name_en": ""}, "name_en"),
        ({"name_zh": "   "}, "name_zh"),
        ({"name_en": "x" * 81}, "name_en"),
        ({"category_id": "999999"}, "category_id"),
        ({"category_id": "fruit"}, "category_id"),
        ({"default_unit_code": "bushel"}, "default_unit_code"),
        ({"aliases_en": "a" * 81}, "aliases_en"),
        ({"aliases_zh": "、".join(f"别名{i}" for i in range(21))}, "aliases_zh"),
        ({"name_en": "Dragon\x00fruit"}, "name_en"),
        ({"aliases_zh": "红龙\x07果"}, "aliases_zh"),
    ],
)
def test_invalid_new_commodity_is_refused_with_message(client, admin, db, changes, field):
    response = client.post("/admin/commodities", data=_new_commodity_form(db, **changes))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _commodity(db, "dragon-fruit") is None


def test_adding_commodity_needs_csrf_token(client, admin, db):
    response = client.post("/admin/commodities", data=_new_commodity_form(db), csrf=False)
    assert response.status_code == 400
    assert _commodity(db, "dragon-fruit") is None


# --- edit names and aliases ---------------------------------------------------------------------------


def test_admin_renames_commodity_and_postings_are_found_by_new_name(client, admin, db):
    posting = make_posting(commodity="sorghum", title="Red grain, dry")
    sorghum = find_commodity("sorghum")
    response = client.post(f"/admin/commodities/{sorghum.id}", data={"name_en": "Great millet", "name_zh": "高粱米"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/commodities/{sorghum.id}")
    assert _commodity(db, "sorghum").name_en == "Great millet"
    tokens = _search_tokens(db, posting.id)
    assert {"great", "高粱米"} <= tokens or {"great", "粱米"} <= tokens


def test_renaming_to_another_commodities_name_is_refused(client, admin, db):
    sorghum = find_commodity("sorghum")
    response = client.post(f"/admin/commodities/{sorghum.id}", data={"name_en": "Maize", "name_zh": "高粱"})
    assert response.status_code == 422
    assert 'id="name_en-error"' in response.get_data(as_text=True)
    assert _commodity(db, "sorghum").name_en == "Sorghum"


def test_empty_names_are_refused(client, admin, db):
    sorghum = find_commodity("sorghum")
    response = client.post(f"/admin/commodities/{sorghum.id}", data={"name_en": "", "name_zh": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name_en-error"' in page and 'id="name_zh-error"' in page
    assert _commodity(db, "sorghum").name_zh == "高粱"


def test_edit_page_lists_aliases_with_their_language(client, admin):
    maize = find_commodity("maize")
    response = client.get(f"/admin/commodities/{maize.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "苞米" in page and "包谷" in page and "corn" in page
    assert "Chinese" in page and "English" in page


def test_admin_adds_alias_and_postings_become_searchable_by_it(client, admin, db):
    posting = make_posting(commodity="maize", title="Dry grain from Henan")
    maize = find_commodity("maize")
    assert "六谷" not in _search_tokens(db, posting.id)
    response = client.post(f"/admin/commodities/{maize.id}/aliases", data={"text": "六谷", "language": "zh"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/commodities/{maize.id}")
    alias = db.session.scalar(select(CommodityAlias).where(CommodityAlias.text == "六谷"))
    assert alias.language == "zh" and alias.commodity_id == maize.id
    assert "六谷" in _search_tokens(db, posting.id)
    assert "Alias “六谷” added." in client.get(f"/admin/commodities/{maize.id}").get_data(as_text=True)


def test_admin_adds_english_alias(client, admin, db):
    posting = make_posting(commodity="maize", title="优质玉米出售")
    maize = find_commodity("maize")
    response = client.post(f"/admin/commodities/{maize.id}/aliases", data={"text": "Indian corn", "language": "en"})
    assert response.status_code == 302
    assert {"indian", "corn"} <= _search_tokens(db, posting.id)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "苞米", "language": "zh"}, "already has that name or alias"),
        ({"text": "CORN", "language": "en"}, "already has that name or alias"),
        ({"text": "玉米", "language": "zh"}, "already has that name or alias"),
        ({"text": "黄豆", "language": "zh"}, "Soybean"),
        ({"text": "", "language": "zh"}, "Enter the alias."),
        ({"text": "长" * 81, "language": "zh"}, 'id="text-error"'),
        ({"text": "六谷", "language": "fr"}, 'id="language-error"'),
        ({"text": "玉\x00茭", "language": "zh"}, "control characters"),
    ],
)
def test_bad_alias_is_refused_beside_the_field(client, admin, db, data, message):
    maize = find_commodity("maize")
    before = sorted(find_commodity("maize").all_names())
    response = client.post(f"/admin/commodities/{maize.id}/aliases", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(find_commodity("maize").all_names()) == before


def test_admin_removes_alias_and_search_text_forgets_it(client, admin, db):
    posting = make_posting(commodity="maize", title="Yellow grain")
    maize = find_commodity("maize")
    assert "苞米" in _search_tokens(db, posting.id)
    alias = next(a for a in maize.aliases if a.text == "苞米")
    response = client.post(f"/admin/commodities/{maize.id}/aliases/{alias.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert "苞米" not in find_commodity("maize").all_names()
    assert "苞米" not in _search_tokens(db, posting.id)


def test_removing_alias_of_another_commodity_is_not_found(client, admin, db):
    maize, soybean = find_commodity("maize"), find_commodity("soybean")
    alias = soybean.aliases[0]
    response = client.post(f"/admin/commodities/{maize.id}/aliases/{alias.id}/remove")
    assert response.status_code == 404
    db.session.expire_all()
    assert alias.text in find_commodity("soybean").all_names()


def test_removing_alias_needs_csrf_token(client, admin, db):
    maize = find_commodity("maize")
    alias = maize.aliases[0]
    response = client.post(f"/admin/commodities/{maize.id}/aliases/{alias.id}/remove", csrf=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert alias.text in find_commodity("maize").all_names()


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/admin/commodities/999999"),
        ("post", "/admin/commodities/999999/aliases"),
        ("post", "/admin/commodities/999999/aliases/1/remove"),
    ],
)
def test_unknown_commodity_is_not_found(client, admin, method, path):
    assert getattr(client, method)(path).status_code == 404


def test_absurd_commodity_id_is_not_found(client, admin):
    assert client.get("/admin/commodities/99999999999999999999").status_code == 404
    response = client.post("/admin/commodities/99999999999999999999/aliases", data={"text": "x", "language": "en"})
    assert response.status_code == 404
