"""Choosing the language: the switch, the member's preference and the browser's Accept-Language."""

from __future__ import annotations

import pytest

from app.members.models import Member
from tests.factories import make_member


def html_lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_switching_to_chinese_is_remembered_and_returns_to_the_same_page(client, db):
    response = client.post("/lang", data={"locale": "zh_Hans", "next": "/market?q=%E7%8E%89%E7%B1%B3"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/market?q=%E7%8E%89%E7%B1%B3"
    with client.session_transaction() as session:
        assert session["locale"] == "zh_Hans"
    assert html_lang(client.get("/market")) == "zh-Hans"
    client.post("/lang", data={"locale": "en", "next": "/"})
    assert html_lang(client.get("/")) == "en"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", ""]
)
def test_language_switch_never_redirects_to_another_site(client, db, next_url):
    response = client.post("/lang", data={"locale": "zh_Hans", "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_unknown_language_changes_nothing(client, db):
    client.post("/lang", data={"locale": "fr", "next": "/"})
    with client.session_transaction() as session:
        assert "locale" not in session
    assert html_lang(client.get("/")) == "en"


def test_language_switch_needs_the_csrf_token(client, db):
    assert client.post("/lang", data={"locale": "zh_Hans"}, csrf=False).status_code == 400


def test_a_signed_in_member_keeps_the_choice_on_the_profile(client, db, login):
    member = login(make_member())
    client.post("/lang", data={"locale": "zh_Hans", "next": "/"})
    assert db.session.get(Member, member.id).locale == "zh_Hans"


@pytest.mark.parametrize(
    "accept, lang",
    [("zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans"), ("zh", "zh-Hans"), ("en-GB,en;q=0.8", "en"), ("fr, de", "en"), ("", "en")],
)
def test_browser_language_is_used_until_one_is_chosen(client, db, accept, lang):
    assert html_lang(client.get("/", headers={"Accept-Language": accept})) == lang


def test_a_chosen_language_beats_the_browsers(client, db):
    client.post("/lang", data={"locale": "en", "next": "/"})
    assert html_lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "en"
