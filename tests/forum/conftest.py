"""Forum test data: the default categories, two established members, a brand-new member and an
admin (moderator), and helpers that write through the real routes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.core.clock import utcnow
from app.extensions import db as _db
from app.forum.models import ForumCategory, ForumPost, ForumThread
from app.forum.services import seed_default_categories
from tests.factories import make_member

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def categories(db):
    seed_default_categories()
    db.session.commit()
    return {category.slug: category for category in db.session.scalars(db.select(ForumCategory))}


def _established(**overrides):
    # Members older than FORUM_NEW_MEMBER_DAYS are not rate-limited as newcomers.
    return make_member(created_at=utcnow() - timedelta(days=60), **overrides)


@pytest.fixture
def author(db):
    return _established(display_name="Grower Wang", email="wang@example.com")


@pytest.fixture
def reader(db):
    return _established(display_name="Buyer Li", email="li@example.com")


@pytest.fixture
def newcomer(db):
    return make_member(display_name="New Zhao")


@pytest.fixture
def moderator(db):
    return _established(display_name="Admin Chen", is_admin=True)


def post_thread(
    client, title="Maize prices in Henan", body="What are you getting per jin?", slug="market-talk", **kwargs
):
    return client.post(f"/forum/c/{slug}/new", data={"title": title, "body": body}, **kwargs)


def latest_thread() -> ForumThread:
    return _db.session.scalars(_db.select(ForumThread).order_by(ForumThread.id.desc())).first()


def latest_post() -> ForumPost:
    return _db.session.scalars(_db.select(ForumPost).order_by(ForumPost.id.desc())).first()


def make_thread(client, login, member, **kwargs) -> ForumThread:
    """A thread opened by ``member`` through the form (the client stays logged in as them)."""
    login(member)
    response = post_thread(client, **kwargs)
    assert response.status_code == 303, response.get_data(as_text=True)
    return latest_thread()


def page_text(response) -> str:
    return response.get_data(as_text=True)


def posts_region(html: str) -> str:
    """The part of a thread page that holds the posts (the site's own scripts are outside it)."""
    match = re.search(r'<div id="forum-posts".*?(?=<p id="reply-status")', html, re.S)
    assert match, "no post list on the page"
    return match.group(0)
