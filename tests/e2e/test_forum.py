"""The forum at 360×740 in Chromium: a grower opens a thread, a buyer replies in place (htmx, no
reload), quotes in place, then quotes again without JavaScript (plain form, redirect); every page fits
the phone screen and nothing is blocked by the Content-Security-Policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core.clock import utcnow
from app.extensions import db
from app.forum.services import seed_default_categories
from tests.e2e.helpers import horizontal_overflow, log_in, open_menu
from tests.factories import DEFAULT_PASSWORD, make_member

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    assert horizontal_overflow(page) == 0, f"{page.url} scrolls sideways at 360 px"


def test_thread_and_replies_at_phone_size(app, open_page, live_server):
    seed_default_categories()
    db.session.commit()
    old = utcnow() - timedelta(days=30)
    grower = make_member(display_name="Grower Wang", created_at=old)
    buyer = make_member(display_name="Buyer Li", created_at=old)

    page, problems = open_page()
    log_in(page, live_server, grower.phone, DEFAULT_PASSWORD)
    page.goto(live_server("/"))
    open_menu(page)
    page.get_by_role("link", name="Forum").first.click()
    _fits(page)
    page.get_by_role("link", name="Growing tips").click()
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("When to plant maize in Henan?")
    page.get_by_label("Message").fill("Soil is still **cold** here. <script>alert(1)</script>")
    page.get_by_role("button", name="Post thread").click()
    expect(page.locator("h1")).to_have_text("When to plant maize in Henan?")
    expect(page.locator(".forum-body strong")).to_have_text("cold")
    expect(page.locator(".forum-body")).to_contain_text("<script>alert(1)</script>")
    _fits(page)
    assert problems.all(page) == []

    buyer_page, buyer_problems = open_page()
    log_in(buyer_page, live_server, buyer.phone, DEFAULT_PASSWORD)
    buyer_page.goto(page.url)
    buyer_page.get_by_label("Message").fill("Wait until mid-April, *then* plant.")
    url_before = buyer_page.url
    buyer_page.get_by_role("button", name="Post reply").click()
    # The reply appears in place: same URL, no reload, an empty form for the next one.
    expect(buyer_page.locator("#forum-posts .forum-post")).to_have_count(2)
    expect(buyer_page.locator("#forum-posts .forum-post").nth(1)).to_contain_text("Wait until mid-April")
    expect(buyer_page.locator("#forum-posts .forum-post em").last).to_have_text("then")
    expect(buyer_page.get_by_label("Message")).to_have_value("")
    assert buyer_page.url == url_before
    _fits(buyer_page)

    # An empty reply is refused beside the form (422 swapped in place).
    buyer_page.get_by_role("button", name="Post reply").click()
    expect(buyer_page.locator("#reply-box .error")).to_have_text("Please write something.")
    assert buyer_problems.all(buyer_page, expected_statuses=(422,)) == []

    # Quote in place: the reply box fills with the quoted post, no page change.
    buyer_page.locator("#forum-posts .forum-post").first.get_by_role("link", name="Quote").click()
    expect(buyer_page.get_by_label("Message")).to_have_value(re.compile(r"^> \[Grower Wang\]"))
    assert buyer_page.url == url_before
    buyer_page.get_by_label("Message").press("Control+End")
    buyer_page.get_by_label("Message").type("Agreed.")
    buyer_page.get_by_role("button", name="Post reply").click()
    expect(buyer_page.locator("#forum-posts .forum-post")).to_have_count(3)
    expect(buyer_page.locator("#forum-posts .forum-post").last.locator("blockquote")).to_contain_text(
        "Soil is still cold here."
    )
    assert buyer_problems.all(buyer_page, expected_statuses=(422,)) == []

    # Quote-reply without JavaScript: a plain link, a plain form, a redirect to the new post.
    plain_page, plain_problems = open_page(java_script_enabled=False)
    log_in(plain_page, live_server, buyer.phone, DEFAULT_PASSWORD)
    plain_page.goto(page.url)
    plain_page.locator("#forum-posts .forum-post").first.get_by_role("link", name="Quote").click()
    expect(plain_page.get_by_label("Message")).to_have_value(
        f"> [Grower Wang](/forum/p/{plain_page.url.split('quote=')[1]}):\n>\n> Soil is still **cold** here. <script>alert(1)</script>\n\n"
    )
    plain_page.get_by_label("Message").press("Control+End")
    plain_page.get_by_label("Message").type("Cold soil rots the seed.")
    plain_page.get_by_role("button", name="Post reply").click()
    expect(plain_page.locator(".flash")).to_contain_text("Your reply is posted.")
    expect(plain_page.locator("#forum-posts .forum-post")).to_have_count(4)
    expect(plain_page.locator("#forum-posts .forum-post").last.locator("blockquote")).to_contain_text(
        "Soil is still cold here."
    )
    _fits(plain_page)
    assert plain_problems.all() == []

    # The grower sees the thread as having new replies.
    page.goto(live_server("/forum/c/growing-tips"))
    expect(page.locator(".badge.new")).to_have_count(1)
    _fits(page)
