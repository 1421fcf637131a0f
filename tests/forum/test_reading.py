"""Reading: threads by latest activity, unread markers, forum search in both languages."""

from __future__ import annotations

from datetime import timedelta

from app.core.clock import utcnow
from tests.forum.conftest import HTMX, latest_post, make_thread, page_text


def test_category_lists_threads_by_latest_activity(client, login, author, reader):
    old = make_thread(client, login, author, title="Older thread")
    make_thread(client, login, author, title="Newer thread")
    listing = page_text(client.get("/forum/c/market-talk"))
    assert listing.index("Newer thread") < listing.index("Older thread")
    login(reader)
    client.post(f"/forum/t/{old.id}/reply", data={"body": "bump"})
    listing = page_text(client.get("/forum/c/market-talk"))
    assert listing.index("Older thread") < listing.index("Newer thread")
    assert "1 reply" in listing


def test_category_list_is_paginated(client, login, author, app):
    app.config["FORUM_THREADS_PER_PAGE"] = 2
    for number in range(3):
        make_thread(client, login, author, title=f"Thread number {number}")
    first = page_text(client.get("/forum/c/market-talk"))
    assert "Page 1 of 2" in first and "Thread number 0" not in first
    assert "Thread number 0" in page_text(client.get("/forum/c/market-talk?page=2"))
    assert client.get("/forum/c/market-talk?page=abc").status_code == 200


def test_unread_markers_for_signed_in_members(client, login, author, reader):
    thread = make_thread(client, login, author, title="Watch this thread")
    # The author has seen their own post.
    assert 'class="badge new"' not in page_text(client.get("/forum/c/market-talk"))
    login(reader)
    assert 'class="badge new"' in page_text(client.get("/forum/c/market-talk"))
    client.get(f"/forum/t/{thread.id}")
    assert 'class="badge new"' not in page_text(client.get("/forum/c/market-talk"))
    login(author)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "An update"})
    login(reader)
    assert 'class="badge new"' in page_text(client.get("/forum/c/market-talk"))
    assert 'class="badge new"' in page_text(client.get("/forum"))


def test_visitors_see_no_unread_markers(app, client, login, author):
    make_thread(client, login, author)
    assert 'class="badge new"' not in page_text(app.test_client().get("/forum/c/market-talk"))


def test_threads_older_than_the_member_are_not_new(client, login, author, db):
    from tests.factories import make_member

    thread = make_thread(client, login, author)
    thread.last_post_at = utcnow() - timedelta(days=1)
    db.session.commit()
    login(make_member(display_name="Fresh"))
    assert 'class="badge new"' not in page_text(client.get("/forum/c/market-talk"))


def test_search_finds_english_and_chinese_posts(client, login, author, reader):
    make_thread(client, login, author, title="Drying maize before storage", body="Use a dry floor and turn it daily.")
    make_thread(client, login, author, title="玉米价格", body="河南的优质玉米每斤多少钱？")
    login(reader)
    english = page_text(client.get("/forum/search?q=DRYING"))
    assert "Drying maize before storage" in english and "玉米价格" not in english
    # A commodity answers to all its names in either language (issue 16).
    both = page_text(client.get("/forum/search?q=MAIZE"))
    assert "Drying maize before storage" in both and "玉米价格" in both
    chinese = page_text(client.get("/forum/search?q=优质玉米"))
    assert "玉米价格" in chinese and "Drying maize" not in chinese
    prefix = page_text(client.get("/forum/search?q=stor"))
    assert "Drying maize before storage" in prefix
    assert "No posts match" in page_text(client.get("/forum/search?q=tractor"))


def test_search_finds_replies_and_hides_hidden_posts(client, login, author, reader, moderator):
    thread = make_thread(client, login, author, title="Weather")
    login(reader)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Hailstorm warning for Zhoukou"})
    reply = latest_post()
    assert "Hailstorm" in page_text(client.get("/forum/search?q=hailstorm"))
    login(moderator)
    client.post(f"/forum/p/{reply.id}/hide", data={"reason": "duplicate"})
    login(reader)
    assert "No posts match" in page_text(client.get("/forum/search?q=hailstorm"))


def test_search_survives_garbage_and_operators(client):
    for q in (
        '"',
        "' OR 1=1 --",
        "AND OR NOT",
        "NEAR(a b)",
        "*",
        "a:b",
        "^x",
        "\\",
        "%",
        "!!!",
        "x" * 500,
        "玉" * 300,
        "\x00",
    ):
        response = client.get("/forum/search", query_string={"q": q})
        assert response.status_code == 200, q
    assert client.get("/forum/search").status_code == 200


def test_search_with_htmx_returns_only_the_results(client, login, author):
    make_thread(client, login, author, title="Drying maize before storage")
    response = client.get("/forum/search?q=maize", headers=HTMX)
    html = page_text(response)
    assert response.status_code == 200 and 'id="forum-results"' in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
