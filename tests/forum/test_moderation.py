"""Moderation: only moderators (admins) moderate, every action is logged, and what they do changes
what members see and can do."""

from __future__ import annotations

import pytest

from app.forum.models import ForumCategory, ForumModerationLog, ForumReport, ForumSuspension
from tests.forum.conftest import HTMX, latest_post, make_thread, page_text


@pytest.fixture
def thread(client, login, author):
    return make_thread(client, login, author)


def _log_actions(db) -> list[str]:
    return list(db.session.scalars(db.select(ForumModerationLog.action).order_by(ForumModerationLog.id)))


def _moderation_requests(thread, post, member, report_id):
    return [
        ("post", f"/forum/p/{post.id}/hide", {"reason": "spam"}),
        ("post", f"/forum/p/{post.id}/restore", {}),
        ("post", f"/forum/t/{thread.id}/state", {"action": "lock"}),
        ("post", f"/forum/t/{thread.id}/state", {"action": "pin"}),
        ("get", f"/forum/t/{thread.id}/move", None),
        ("post", f"/forum/t/{thread.id}/move", {"category_id": "2"}),
        ("get", f"/forum/members/{member.id}/suspend", None),
        ("post", f"/forum/members/{member.id}/suspend", {"days": "3", "reason": "spam"}),
        ("post", f"/forum/members/{member.id}/unsuspend", {}),
        ("get", "/forum/moderation/reports", None),
        ("post", f"/forum/reports/{report_id}/dismiss", {}),
        ("get", "/forum/moderation/log", None),
        ("get", "/forum/admin/categories", None),
        ("get", "/forum/admin/categories/new", None),
        ("post", "/forum/admin/categories/new", {"slug": "x", "name_en": "X", "name_zh": "X", "position": "1"}),
    ]


def test_members_cannot_moderate(client, login, thread, author, reader, db):
    post = latest_post()
    report = ForumReport(post_id=post.id, reporter_id=reader.id, reason="spam spam")
    db.session.add(report)
    db.session.commit()
    for member in (reader, author):
        login(member)
        for method, path, data in _moderation_requests(thread, post, reader, report.id):
            response = client.get(path) if method == "get" else client.post(path, data=data)
            assert response.status_code == 403, (member.display_name, path)
            if method == "post":
                response = client.post(path, data=data, headers=HTMX)
                assert response.status_code == 403, path
    assert _log_actions(db) == []
    db.session.refresh(thread)
    assert not thread.is_locked and not thread.is_pinned and not post.is_hidden


def test_visitors_are_sent_to_log_in(app, thread):
    post = latest_post()
    visitor = app.test_client()
    response = visitor.post(f"/forum/p/{post.id}/hide", data={"reason": "spam"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_moderator_hides_and_restores_a_reply(client, login, thread, reader, moderator, db):
    login(reader)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Buy cheap watches at spam.example"})
    reply = latest_post()
    login(moderator)
    assert client.post(f"/forum/p/{reply.id}/hide", data={"reason": ""}).status_code == 422
    response = client.post(f"/forum/p/{reply.id}/hide", data={"reason": "Advertising"})
    assert response.status_code == 303
    moderator_page = page_text(client.get(f"/forum/t/{thread.id}"))
    assert "spam.example" in moderator_page and "Hidden: Advertising" in moderator_page

    login(reader)
    page = page_text(client.get(f"/forum/t/{thread.id}"))
    assert "spam.example" not in page and "This post was hidden by a moderator: Advertising" in page
    assert client.get(f"/forum/p/{reply.id}/edit").status_code == 403

    login(moderator)
    assert client.post(f"/forum/p/{reply.id}/restore").status_code == 303
    login(reader)
    assert "spam.example" in page_text(client.get(f"/forum/t/{thread.id}"))
    assert _log_actions(db) == ["hide", "restore"]


def test_hiding_the_opening_post_hides_the_thread(client, login, thread, reader, moderator, db):
    opening = latest_post()
    login(moderator)
    client.post(f"/forum/p/{opening.id}/hide", data={"reason": "Scam"})
    assert "Maize prices in Henan" in page_text(client.get("/forum/c/market-talk"))
    login(reader)
    assert client.get(f"/forum/t/{thread.id}").status_code == 404
    assert client.get(f"/forum/p/{opening.id}").status_code == 404
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "hi"}).status_code == 404
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "hi"}, headers=HTMX).status_code == 404
    assert "Maize prices in Henan" not in page_text(client.get("/forum/c/market-talk"))
    assert "Maize prices in Henan" not in page_text(client.get("/forum"))


def test_moderator_locks_pins_and_moves_a_thread(client, login, thread, author, moderator, db, categories):
    make_thread(client, login, author, title="A newer thread")
    login(moderator)
    assert client.post(f"/forum/t/{thread.id}/state", data={"action": "lock"}).status_code == 303
    assert client.post(f"/forum/t/{thread.id}/state", data={"action": "pin"}).status_code == 303
    assert client.post(f"/forum/t/{thread.id}/state", data={"action": "explode"}).status_code == 400
    db.session.refresh(thread)
    assert thread.is_locked and thread.is_pinned
    listing = page_text(client.get("/forum/c/market-talk"))
    # Pinned first even though the other thread is newer.
    assert listing.index("Maize prices in Henan") < listing.index("A newer thread")

    logistics = categories["logistics"]
    assert client.post(f"/forum/t/{thread.id}/move", data={"category_id": "999999"}).status_code == 422
    assert client.post(f"/forum/t/{thread.id}/move", data={"category_id": "abc"}).status_code == 422
    assert client.post(f"/forum/t/{thread.id}/move", data={"category_id": str(thread.category_id)}).status_code == 409
    assert client.post(f"/forum/t/{thread.id}/move", data={"category_id": str(logistics.id)}).status_code == 303
    db.session.refresh(thread)
    assert thread.category_id == logistics.id
    assert "Maize prices in Henan" in page_text(client.get("/forum/c/logistics"))
    assert client.post(f"/forum/t/{thread.id}/state", data={"action": "unlock"}).status_code == 303
    assert _log_actions(db) == ["lock", "pin", "move", "unlock"]
    log_page = page_text(client.get("/forum/moderation/log"))
    assert "locked a thread" in log_page and "moved a thread" in log_page and "market-talk → logistics" in log_page


def test_suspension_form_refuses_bad_input(client, login, reader, moderator, db):
    login(moderator)
    for data in (
        {"days": "0", "reason": "x"},
        {"days": "366", "reason": "x"},
        {"days": "abc", "reason": "x"},
        {"days": "3", "reason": ""},
        {"days": "", "reason": "spam"},
        {"days": "99999999999999999999", "reason": "x"},
    ):
        response = client.post(f"/forum/members/{reader.id}/suspend", data=data)
        assert response.status_code == 422, data
    assert client.post("/forum/members/999999/suspend", data={"days": "3", "reason": "x"}).status_code == 404
    assert client.post(f"/forum/members/{moderator.id}/suspend", data={"days": "3", "reason": "x"}).status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumSuspension)) == 0


def test_moderator_suspends_for_n_days_and_lifts_it(client, login, thread, reader, moderator, db):
    login(moderator)
    response = client.post(f"/forum/members/{reader.id}/suspend", data={"days": "7", "reason": "Insults"})
    assert response.status_code == 303
    suspension = db.session.scalars(db.select(ForumSuspension)).one()
    from app.core.clock import utcnow
    from app.forum.models import as_utc

    days = (as_utc(suspension.ends_at) - utcnow()).total_seconds() / 86400
    assert 6.99 < days <= 7
    assert "Insults" in page_text(client.get(f"/forum/members/{reader.id}/suspend"))
    assert client.post(f"/forum/members/{reader.id}/unsuspend").status_code == 303
    assert client.post(f"/forum/members/{reader.id}/unsuspend").status_code == 409
    login(reader)
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "I am back"}).status_code == 303
    assert _log_actions(db) == ["suspend", "unsuspend"]


def test_report_queue_and_dismissal(client, login, thread, reader, moderator, db):
    post = latest_post()
    login(reader)
    client.post(f"/forum/p/{post.id}/report", data={"reason": "Fake prices"})
    login(moderator)
    queue = page_text(client.get("/forum/moderation/reports"))
    assert "Fake prices" in queue and "Buyer Li" in queue
    report = db.session.scalars(db.select(ForumReport)).one()
    assert client.post(f"/forum/reports/{report.id}/dismiss").status_code == 303
    assert client.post(f"/forum/reports/{report.id}/dismiss").status_code == 409
    assert client.post("/forum/reports/999999/dismiss").status_code == 404
    assert "No open reports." in page_text(client.get("/forum/moderation/reports"))
    assert _log_actions(db) == ["dismiss_report"]


def test_hiding_a_post_closes_its_reports(client, login, thread, reader, moderator, db):
    post = latest_post()
    login(reader)
    client.post(f"/forum/p/{post.id}/report", data={"reason": "Fake prices"})
    login(moderator)
    client.post(f"/forum/p/{post.id}/hide", data={"reason": "Fake prices"})
    assert db.session.scalars(db.select(ForumReport.status)).one() == "resolved"


def test_admin_manages_categories(client, login, moderator, db):
    login(moderator)
    data = {
        "slug": "seeds",
        "name_en": "Seeds",
        "name_zh": "种子",
        "description_en": "",
        "description_zh": "",
        "position": "5",
    }
    assert client.post("/forum/admin/categories/new", data=data).status_code == 303
    category = db.session.scalars(db.select(ForumCategory).where(ForumCategory.slug == "seeds")).one()
    assert category.name_zh == "种子"
    page = page_text(client.get("/forum"))
    assert page.index("Seeds") < page.index("Market talk")
    duplicate = client.post("/forum/admin/categories/new", data={**data, "name_en": "Other"})
    assert duplicate.status_code == 422 and "Another category already uses this short name." in page_text(duplicate)
    bad = client.post("/forum/admin/categories/new", data={**data, "slug": "Bad Slug!"})
    assert bad.status_code == 422 and "Use lower-case letters, digits and dashes." in page_text(bad)
    assert (
        client.post(
            f"/forum/admin/categories/{category.id}", data={**data, "name_en": "Seeds and saplings"}
        ).status_code
        == 303
    )
    db.session.refresh(category)
    assert category.name_en == "Seeds and saplings"
    assert client.get("/forum/admin/categories/999999").status_code == 404


def test_categories_are_seeded_in_both_languages(client, categories):
    assert set(categories) == {"market-talk", "growing-tips", "logistics", "trading-help", "site-feedback"}
    english = page_text(client.get("/forum"))
    chinese = page_text(client.get("/forum", headers={"Accept-Language": "zh-CN"}))
    for name in ("Market talk", "Growing tips", "Logistics", "Buying &amp; selling help", "Site feedback"):
        assert name in english
    for name in ("行情交流", "种植技术", "物流运输", "买卖求助", "网站反馈"):
        assert name in chinese


def test_flask_seed_adds_missing_forum_categories_once(app, db, categories):
    db.session.delete(categories["logistics"])
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--no-demo"])
    assert first.exit_code == 0 and "forum categories: +1" in first.output
    second = runner.invoke(args=["seed", "--no-demo"])
    assert "forum categories: +0" in second.output
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumCategory)) == 5
