"""Replies and quotes notify through the outbox, by the member's preferences (forum SMS start off)."""

from __future__ import annotations

from app.notify.models import Notification
from tests.forum.conftest import latest_post, make_thread


def _notifications(db, event=None):
    statement = db.select(Notification).order_by(Notification.id)
    if event:
        statement = statement.where(Notification.event == event)
    return list(db.session.scalars(statement))


def test_reply_tells_the_thread_author_by_email_not_sms(client, login, author, reader, db):
    thread = make_thread(client, login, author, title="Seed suppliers")
    login(reader)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Try the co-op"})
    reply = latest_post()
    rows = _notifications(db)
    assert [(row.member_id, row.event, row.channel) for row in rows] == [(author.id, "forum_reply", "email")]
    assert "Buyer Li replied to your thread “Seed suppliers”" in rows[0].body
    assert f"/forum/p/{reply.id}" in rows[0].body


def test_member_who_turned_forum_sms_on_gets_an_sms(client, login, author, reader, db):
    from app.notify.preferences import save_choices

    save_choices(author.id, {("forum", "sms"), ("forum", "email")})
    db.session.commit()
    thread = make_thread(client, login, author)
    login(reader)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Try the co-op"})
    assert sorted(row.channel for row in _notifications(db, "forum_reply")) == ["email", "sms"]


def test_quote_tells_the_quoted_author_and_nobody_twice(client, login, author, reader, moderator, db):
    thread = make_thread(client, login, author)
    login(reader)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "My first answer"})
    reader_post = latest_post()
    login(moderator)
    client.post(
        f"/forum/t/{thread.id}/reply",
        data={"body": "> My first answer\n\nAgreed", "quoted_post_id": str(reader_post.id)},
    )
    quotes = _notifications(db, "forum_quote")
    assert [row.member_id for row in quotes] == [reader.id]
    assert "Admin Chen quoted your post" in quotes[0].body
    # The thread author was told about both replies, once each.
    assert [row.member_id for row in _notifications(db, "forum_reply")] == [author.id, author.id]


def test_quoting_the_thread_author_sends_one_message(client, login, author, reader, db):
    thread = make_thread(client, login, author)
    opening = latest_post()
    login(reader)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "> quote\n\nyes", "quoted_post_id": str(opening.id)})
    assert [(row.member_id, row.event) for row in _notifications(db)] == [(author.id, "forum_quote")]


def test_no_message_for_replying_to_yourself(client, login, author, db):
    thread = make_thread(client, login, author)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Update: sold out"})
    assert _notifications(db) == []
