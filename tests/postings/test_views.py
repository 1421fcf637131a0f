"""Views of posting pages are counted per day for the seller's dashboard — not the owner's own
views, not drafts — and shown there."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.postings.models import PostingViewDay
from app.postings.services import local_today
from app.postings.views import most_viewed, record_view
from tests.factories import make_member, make_posting


def _views(db, posting) -> int:
    db.session.expire_all()
    return sum(db.session.scalars(select(PostingViewDay.views).where(PostingViewDay.posting_id == posting.id)))


def test_visitors_and_other_members_are_counted_the_owner_is_not(client, db, login):
    seller = make_member(display_name="Viewed seller")
    posting = make_posting(owner=seller)
    client.get(f"/p/{posting.id}")
    client.get(f"/p/{posting.id}")
    login(make_member(display_name="Curious buyer"))
    client.get(f"/p/{posting.id}")
    login(seller)
    client.get(f"/p/{posting.id}")
    assert _views(db, posting) == 3


def test_drafts_and_missing_postings_count_nothing(client, db, login):
    seller = make_member()
    draft = make_posting(owner=seller, publish=False)
    login(seller)
    assert client.get(f"/p/{draft.id}").status_code == 200
    assert client.get("/p/999999").status_code == 404
    assert db.session.scalar(select(PostingViewDay.posting_id)) is None


def test_most_viewed_adds_up_days_and_the_last_week(db):
    seller = make_member()
    popular, quiet = make_posting(owner=seller, title="Popular"), make_posting(owner=seller, title="Quiet")
    today = local_today()
    for day in [today, today, today, today - timedelta(days=10), today - timedelta(days=40)]:  # 40: too old
        record_view(popular.id, (seller.id,), None, day)
    record_view(quiet.id, (seller.id,), None, today - timedelta(days=2))
    assert record_view(quiet.id, (seller.id,), seller.id, today) is False
    ranking = most_viewed(seller.id, today)
    assert [(p.title, views, week) for p, views, week in ranking] == [("Popular", 4, 3), ("Quiet", 1, 1)]


def test_dashboard_shows_the_views(client, db, login):
    seller = make_member(display_name="Dash seller", is_seller=True, is_buyer=False)
    posting = make_posting(owner=seller, title="Golden maize lot")
    for _ in range(2):
        client.get(f"/p/{posting.id}")
    login(seller)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Views of my postings" in page
    row = page[page.index("Golden maize lot") :][:200]
    assert "<td>2</td>" in row
