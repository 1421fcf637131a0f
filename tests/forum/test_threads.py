"""Threads and replies through the app: posting, bad input, htmx in place, quoting, editing rules,
locked threads and suspended members."""

from __future__ import annotations

from datetime import timedelta

from app.core.clock import utcnow
from app.forum.models import ForumPost, ForumThread
from tests.factories import make_posting
from tests.forum.conftest import HTMX, latest_post, make_thread, page_text, post_thread


def test_member_opens_a_thread_and_reads_it(client, login, author, db):
    login(author)
    response = post_thread(client, title="Maize prices in Henan", body="**Good** harvest, ¥1.20 per jin?")
    assert response.status_code == 303
    thread = db.session.scalars(db.select(ForumThread)).one()
    assert response.headers["Location"].endswith(f"/forum/t/{thread.id}")
    assert thread.category.slug == "market-talk" and thread.author_id == author.id and thread.reply_count == 0
    page = page_text(client.get(f"/forum/t/{thread.id}"))
    assert "Maize prices in Henan" in page and "<strong>Good</strong> harvest" in page and "Grower Wang" in page


def test_visitor_must_log_in_to_post(client):
    response = post_thread(client)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_thread_form_refuses_bad_input_with_messages(client, login, author, db):
    login(author)
    for data, message in [
        ({"title": "", "body": "text"}, "Please give the thread a title."),
        ({"title": "abc", "body": "text"}, "The title must be 4 to 150 characters."),
        ({"title": "x" * 151, "body": "text"}, "The title must be 4 to 150 characters."),
        ({"title": "Good title", "body": ""}, "Please write something."),
        ({"title": "Good title", "body": "   \n  "}, "Please write something."),
        ({"title": "Good title", "body": "x" * 20_001}, "A post can be at most 20000 characters."),
    ]:
        response = client.post("/forum/c/market-talk/new", data=data)
        assert response.status_code == 422, data
        assert message in page_text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumThread)) == 0


def test_unknown_category_and_thread_are_404(client, login, author):
    login(author)
    assert post_thread(client, slug="no-such-category").status_code == 404
    assert client.get("/forum/c/no-such-category").status_code == 404
    assert client.get("/forum/t/999999").status_code == 404
    assert client.get("/forum/t/99999999999").status_code == 404
    assert client.get("/forum/p/424242").status_code == 404


def test_post_without_csrf_token_is_refused(client, login, author, db):
    login(author)
    response = client.post("/forum/c/market-talk/new", data={"title": "Good title", "body": "x"}, csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumThread)) == 0


def test_reply_without_javascript_redirects_to_the_new_post(client, login, author, reader, db):
    thread = make_thread(client, login, author)
    login(reader)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "About ¥1.10 here."})
    assert response.status_code == 303
    post = latest_post()
    assert response.headers["Location"].endswith(f"/forum/p/{post.id}")
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 302 and followed.headers["Location"].endswith(
        f"/forum/t/{thread.id}?page=1#post-{post.id}"
    )
    db.session.refresh(thread)
    assert thread.reply_count == 1 and thread.last_post_id == post.id


def test_reply_in_place_with_htmx_returns_the_post_and_a_fresh_form(client, login, author, reader):
    thread = make_thread(client, login, author)
    login(reader)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "In place *reply*"}, headers=HTMX)
    assert response.status_code == 200
    html = page_text(response)
    assert 'hx-swap-oob="beforeend:#forum-posts"' in html and "<em>reply</em>" in html
    assert 'id="reply-box"' in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_bad_reply_with_htmx_is_422_with_the_message(client, login, author, reader, db):
    thread = make_thread(client, login, author)
    login(reader)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": ""}, headers=HTMX)
    assert response.status_code == 422
    assert "Please write something." in page_text(response) and 'id="reply-box"' in page_text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumPost)) == 1


def test_plain_bad_reply_shows_the_form_again(client, login, author, reader):
    thread = make_thread(client, login, author)
    login(reader)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "x" * 20_001})
    assert response.status_code == 422 and "A post can be at most 20000 characters." in page_text(response)


def test_locked_thread_refuses_replies(client, login, author, reader, moderator, db):
    thread = make_thread(client, login, author)
    thread.is_locked = True
    db.session.commit()
    login(reader)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Let me in"})
    assert response.status_code == 403 and "This thread is locked" in page_text(response)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Let me in"}, headers=HTMX)
    assert response.status_code == 403 and "This thread is locked" in page_text(response)
    assert "Post reply" not in page_text(client.get(f"/forum/t/{thread.id}"))
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumPost)) == 1
    # Moderators can still answer in a locked thread.
    login(moderator)
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "Locked because of spam."}).status_code == 303


def test_site_suspended_member_cannot_post(client, login, author, reader, db):
    thread = make_thread(client, login, author)
    reader.suspended_until = utcnow() + timedelta(days=2)
    db.session.commit()
    login(reader)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "hello"})
    assert response.status_code == 403 and "Your account is suspended" in page_text(response)
    assert post_thread(client).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumPost)) == 1


def test_forum_suspended_member_cannot_post_but_can_read(client, login, author, reader, moderator, db):
    thread = make_thread(client, login, author)
    login(moderator)
    response = client.post(f"/forum/members/{reader.id}/suspend", data={"days": "3", "reason": "Spam links"})
    assert response.status_code == 303
    login(reader)
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "more spam"})
    assert (
        response.status_code == 403
        and "suspended from the forum" in page_text(response)
        and "Spam links" in page_text(response)
    )
    assert post_thread(client).status_code == 403
    assert client.get(f"/forum/t/{thread.id}").status_code == 200


def test_forum_suspension_ends_after_its_days(client, login, author, reader, moderator, db):
    from app.forum.models import ForumSuspension

    thread = make_thread(client, login, author)
    db.session.add(
        ForumSuspension(
            member_id=reader.id, moderator_id=moderator.id, reason="old", ends_at=utcnow() - timedelta(minutes=1)
        )
    )
    db.session.commit()
    login(reader)
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "back again"}).status_code == 303


def test_new_members_first_posts_are_rate_limited(client, login, newcomer, app, db):
    login(newcomer)
    limit = app.config["FORUM_NEW_MEMBER_POSTS_PER_HOUR"]
    for number in range(limit):
        assert post_thread(client, title=f"Question number {number}").status_code == 303
    response = post_thread(client, title="One too many")
    assert response.status_code == 429 and "New members can write" in page_text(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(ForumThread)) == limit


def test_established_members_are_not_rate_limited(client, login, author, app):
    login(author)
    for number in range(app.config["FORUM_NEW_MEMBER_POSTS_PER_HOUR"] + 2):
        assert post_thread(client, title=f"Question number {number}").status_code == 303


def test_quote_reply_prefills_the_quote_and_links_the_quoted_post(client, login, author, reader, db):
    thread = make_thread(client, login, author, body="Rain is coming\nnext week")
    opening = latest_post()
    login(reader)
    page = page_text(client.get(f"/forum/t/{thread.id}/reply?quote={opening.id}"))
    assert "&gt; Rain is coming" in page and f'name="quoted_post_id" type="hidden" value="{opening.id}"' in page
    response = client.post(
        f"/forum/t/{thread.id}/reply",
        data={"body": "> Rain is coming\n\nGood news", "quoted_post_id": str(opening.id)},
    )
    assert response.status_code == 303
    reply = latest_post()
    assert reply.quoted_post_id == opening.id and "<blockquote>" in reply.body_html


def test_quoting_a_post_of_another_thread_is_refused(client, login, author, reader):
    first = make_thread(client, login, author, title="First thread")
    first_post = latest_post()
    second = make_thread(client, login, author, title="Second thread")
    login(reader)
    response = client.post(f"/forum/t/{second.id}/reply", data={"body": "x", "quoted_post_id": str(first_post.id)})
    assert response.status_code == 422 and "You can only quote a visible post of this thread." in page_text(response)
    assert client.get(f"/forum/t/{second.id}/reply?quote={first_post.id}").status_code == 422
    assert client.post(f"/forum/t/{first.id}/reply", data={"body": "x", "quoted_post_id": "garbage"}).status_code == 303


def test_only_the_author_edits_and_only_within_30_minutes(client, login, author, reader, db):
    thread = make_thread(client, login, author, body="first text")
    post = latest_post()
    login(reader)
    assert client.get(f"/forum/p/{post.id}/edit").status_code == 403
    assert client.post(f"/forum/p/{post.id}/edit", data={"body": "hijacked", "title": "Hijacked!"}).status_code == 403
    db.session.refresh(post)
    assert post.body == "first text"

    login(author)
    assert "Edit" in page_text(client.get(f"/forum/t/{thread.id}"))
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "_better_ text", "title": "Maize prices, updated"})
    assert response.status_code == 303
    db.session.refresh(post)
    db.session.refresh(thread)
    assert post.body_html.strip() == "<p><em>better</em> text</p>" and post.edited_at is not None
    assert thread.title == "Maize prices, updated"

    post.created_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "too late", "title": "Maize prices"})
    assert response.status_code == 403
    db.session.refresh(post)
    assert post.body == "_better_ text"
    assert f"/forum/p/{post.id}/edit" not in page_text(client.get(f"/forum/t/{thread.id}"))


def test_edit_refuses_bad_input(client, login, author):
    make_thread(client, login, author)
    post = latest_post()
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "", "title": "Maize prices"})
    assert response.status_code == 422 and "Please write something." in page_text(response)
    response = client.post(f"/forum/p/{post.id}/edit", data={"body": "ok", "title": "ab"})
    assert response.status_code == 422 and "The title must be 4 to 150 characters." in page_text(response)


def test_a_posting_link_renders_as_a_card(client, login, author, reader, db):
    posting = make_posting(owner=reader, commodity="maize", title="Dry maize, 20 t")
    make_thread(client, login, author, body=f"Look at this offer: /p/{posting.id} and [again](/postings/{posting.id})")
    page = page_text(client.get(f"/forum/t/{latest_post().thread_id}"))
    assert page.count('class="card forum-posting-card"') == 1
    card = page.split('class="card forum-posting-card"')[1].split("</aside>")[0]
    assert "Dry maize, 20 t" in card and "Maize" in card and "¥2,500.00" in card and "Buyer Li" in card
    assert f'href="/p/{posting.id}"' in card


def test_a_draft_posting_link_shows_no_card_to_others(client, login, author, reader):
    draft = make_posting(owner=reader, title="Secret draft", publish=False)
    make_thread(client, login, author, body=f"/p/{draft.id}")
    page = page_text(client.get(f"/forum/t/{latest_post().thread_id}"))
    assert "forum-posting-card" not in page and "Secret draft" not in page


def test_member_reports_a_post_once_with_a_reason(client, login, author, reader, db):
    from app.forum.models import ForumReport

    make_thread(client, login, author)
    post = latest_post()
    login(reader)
    assert client.post(f"/forum/p/{post.id}/report", data={"reason": "bad"}).status_code == 422
    assert client.post(f"/forum/p/{post.id}/report", data={"reason": ""}).status_code == 422
    assert client.post(f"/forum/p/{post.id}/report", data={"reason": "x" * 501}).status_code == 422
    response = client.post(f"/forum/p/{post.id}/report", data={"reason": "Selling fake seeds"})
    assert response.status_code == 303
    again = client.post(f"/forum/p/{post.id}/report", data={"reason": "Selling fake seeds"})
    assert again.status_code == 409 and "already reported" in page_text(again)
    report = db.session.scalars(db.select(ForumReport)).one()
    assert report.reason == "Selling fake seeds" and report.reporter_id == reader.id and report.status == "open"
    login(author)
    assert client.post(f"/forum/p/{post.id}/report", data={"reason": "my own post"}).status_code == 409


def test_long_threads_are_paginated_and_page_last_works(client, login, author, reader, app, db):
    app.config["FORUM_POSTS_PER_PAGE"] = 3
    thread = make_thread(client, login, author)
    login(reader)
    for number in range(6):
        client.post(f"/forum/t/{thread.id}/reply", data={"body": f"reply number {number}"})
    first = page_text(client.get(f"/forum/t/{thread.id}"))
    assert "Page 1 of 3" in first and "reply number 5" not in first and "Post reply" not in first
    last = client.get(f"/forum/t/{thread.id}?page=last")
    assert "Page 3 of 3" in page_text(last) and "reply number 5" in page_text(last) and "Post reply" in page_text(last)
    beyond = client.get(f"/forum/t/{thread.id}?page=99")
    assert beyond.status_code == 302 and beyond.headers["Location"].endswith("page=3")
    reply = latest_post()
    assert client.get(f"/forum/p/{reply.id}").headers["Location"].endswith(f"page=3#post-{reply.id}")


def test_quote_with_htmx_fills_the_reply_box_in_place(client, login, author, reader):
    thread = make_thread(client, login, author, body="Rain is coming")
    opening = latest_post()
    login(reader)
    page = page_text(client.get(f"/forum/t/{thread.id}"))
    assert f'hx-get="/forum/t/{thread.id}/reply?quote={opening.id}"' in page
    response = client.get(f"/forum/t/{thread.id}/reply?quote={opening.id}", headers=HTMX)
    html = page_text(response)
    assert response.status_code == 200 and "<html" not in html
    assert (
        'id="reply-box"' in html and f'hx-post="/forum/t/{thread.id}/reply"' in html and "&gt; Rain is coming" in html
    )


def test_locked_and_hidden_threads_refuse_the_reply_form(client, login, author, reader, db):
    thread = make_thread(client, login, author)
    opening = latest_post()
    thread.is_locked = True
    db.session.commit()
    login(reader)
    assert client.get(f"/forum/t/{thread.id}/reply?quote={opening.id}", headers=HTMX).status_code == 403
    assert client.get(f"/forum/t/{thread.id}/reply").status_code == 403
    thread.is_hidden = True
    db.session.commit()
    assert client.get(f"/forum/t/{thread.id}/reply?quote={opening.id}", headers=HTMX).status_code == 404
    assert client.get(f"/forum/t/{thread.id}/reply").status_code == 404
