"""Session cookies signed with a serializer built once per key (app/web/sessions.py): a rotated
SECRET_KEY still ends old sessions, and SECRET_KEY_FALLBACKS still keeps them during a rotation."""

from __future__ import annotations

from tests.main.test_language import html_lang


def test_rotating_the_secret_key_keeps_sessions_only_through_the_fallbacks(app, client, db):
    client.post("/lang", data={"locale": "zh_Hans", "next": "/"})
    assert html_lang(client.get("/")) == "zh-Hans"
    old_key = app.config["SECRET_KEY"]

    app.config["SECRET_KEY"] = "rotated-" + old_key
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert html_lang(client.get("/")) == "zh-Hans"  # signed with the old key: still accepted

    app.config["SECRET_KEY_FALLBACKS"] = []
    assert html_lang(client.get("/")) == "en"  # the old key is gone: the cookie is ignored
