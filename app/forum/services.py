"""Forum business rules: who may write, threads and replies, edits, reports, read marks and the
notifications a reply sends. Moderation lives in app/forum/moderation.py.

Services take explicit arguments (no ``request``), raise DomainError (or ForumInvalid) for a refusal
and never commit: the route commits once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.forum import signals
from app.forum.markup import plain_text, render_markdown
from app.forum.models import (
    ForumCategory,
    ForumPost,
    ForumReadMark,
    ForumReport,
    ForumSuspension,
    ForumThread,
    ReportStatus,
    as_utc,
)
from app.members.models import Member
from app.members.services import ensure_can_write
from app.search.text import index_text

TITLE_MIN, TITLE_MAX = 4, 150
BODY_MAX = 20_000
REASON_MIN, REASON_MAX = 5, 500

# (slug, English, Chinese, English description, Chinese description) — the categories of issue 7.
DEFAULT_CATEGORIES = (
    ("market-talk", "Market talk", "行情交流", "Prices, demand and what sells where.", "价格、需求和各地行情。"),
    ("growing-tips", "Growing tips", "种植技术", "Seeds, soil, pests and harvest.", "种子、土壤、病虫害和收获。"),
    ("logistics", "Logistics", "物流运输", "Transport, storage and delivery.", "运输、仓储和配送。"),
    (
        "trading-help",
        "Buying & selling help",
        "买卖求助",
        "Questions about buying and selling on Jishi.",
        "在集市买卖遇到的问题。",
    ),
    ("site-feedback", "Site feedback", "网站反馈", "Ideas and problems with the site.", "对网站的建议和问题。"),
)


class ForumInvalid(DomainError):
    """Input a form could not catch (it depends on the database); shown as 422 beside the form."""

    status = 422


def seed_default_categories() -> int:
    """Add the default categories that do not exist yet (by slug). Returns how many were added."""
    existing = set(db.session.scalars(select(ForumCategory.slug)))
    added = 0
    for position, (slug, name_en, name_zh, about_en, about_zh) in enumerate(DEFAULT_CATEGORIES, start=1):
        if slug not in existing:
            db.session.add(
                ForumCategory(
                    slug=slug,
                    name_en=name_en,
                    name_zh=name_zh,
                    description_en=about_en,
                    description_zh=about_zh,
                    position=position * 10,
                )
            )
            added += 1
    db.session.flush()
    return added


def is_moderator(member) -> bool:
    """Admins moderate the forum."""
    return bool(member is not None and getattr(member, "is_authenticated", False) and member.is_admin)


def can_read(thread: ForumThread, member) -> bool:
    """A hidden thread is visible to moderators only."""
    return not thread.is_hidden or is_moderator(member)


def active_suspension(member: Member) -> ForumSuspension | None:
    """The forum suspension of ``member`` that lasts longest among those still running, or None."""
    return db.session.scalar(
        select(ForumSuspension)
        .where(ForumSuspension.member_id == member.id, ForumSuspension.ends_at > utcnow())
        .order_by(ForumSuspension.ends_at.desc())
        .limit(1)
    )


def ensure_can_post(member: Member) -> None:
    """Raise unless ``member`` may write in the forum now: MemberSuspended (403) for a site
    suspension, DomainError 403 for a forum suspension, DomainError 429 when a new member writes
    faster than FORUM_NEW_MEMBER_POSTS_PER_HOUR."""
    ensure_can_write(member)
    suspension = active_suspension(member)
    if suspension is not None:
        raise DomainError(
            _(
                "You are suspended from the forum until %(date)s: %(reason)s",
                date=as_utc(suspension.ends_at).strftime("%Y-%m-%d %H:%M UTC"),
                reason=suspension.reason,
            ),
            status=403,
        )
    _limit_new_members(member)


def _limit_new_members(member: Member) -> None:
    config = current_app.config
    now = utcnow()
    if as_utc(member.created_at) < now - timedelta(days=config["FORUM_NEW_MEMBER_DAYS"]):
        return
    if (
        db.session.scalar(select(func.count()).where(ForumPost.author_id == member.id))
        >= config["FORUM_NEW_MEMBER_POSTS"]
    ):
        return
    recent = db.session.scalar(
        select(func.count()).where(ForumPost.author_id == member.id, ForumPost.created_at > now - timedelta(hours=1))
    )
    if recent >= config["FORUM_NEW_MEMBER_POSTS_PER_HOUR"]:
        raise DomainError(
            _(
                "New members can write %(count)d forum posts an hour. Please wait a little and try again.",
                count=config["FORUM_NEW_MEMBER_POSTS_PER_HOUR"],
            ),
            status=429,
        )


def without_control_characters(text: str, keep: str = "") -> str:
    """``text`` without NUL and other control characters (PostgreSQL cannot store NUL; forms refuse
    them with a message, this is the last guard for other callers)."""
    return "".join(char for char in text or "" if char in keep or unicodedata.category(char) != "Cc")


def _clean_title(title: str) -> str:
    title = " ".join(without_control_characters(title, keep="\t\n\r").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ForumInvalid(_("The title must be %(min)d to %(max)d characters.", min=TITLE_MIN, max=TITLE_MAX))
    return title


def _clean_body(body: str) -> str:
    body = without_control_characters((body or "").replace("\r\n", "\n"), keep="\t\n").strip()
    if not body:
        raise ForumInvalid(_("Please write something."))
    if len(body) > BODY_MAX:
        raise ForumInvalid(_("A post can be at most %(max)d characters.", max=BODY_MAX))
    return body


def _fill(post: ForumPost, body: str, title: str | None = None) -> None:
    post.body = body
    post.body_html = render_markdown(body)
    post.search_text = post_search_text(post, title)


def post_search_text(post: ForumPost, title: str | None) -> str:
    """The indexed words of a post; the opening post carries the thread title (and its pinyin) so
    that a search for words of the title finds it."""
    return index_text(title or "", plain_text(post.body_html, length=BODY_MAX), pinyin_of=(title or "",))


def reindex_posts_after(after_id: int, batch_size: int) -> int | None:
    """Recompute the search text of the next ``batch_size`` posts with ids above ``after_id``.
    Returns the last id done, or None when there were none. Does not commit."""
    posts = db.session.scalars(
        select(ForumPost)
        .where(ForumPost.id > after_id)
        .order_by(ForumPost.id)
        .limit(batch_size)
        .options(joinedload(ForumPost.thread))
    ).all()
    for post in posts:
        text = post_search_text(post, post.thread.title if post.is_opening else None)
        if text != post.search_text:
            post.search_text = text
    return posts[-1].id if posts else None


def create_thread(author: Member, category: ForumCategory, title: str, body: str) -> ForumThread:
    """Open a thread in ``category`` with its first post. Returns the thread (flushed).
    Raises ForumInvalid (422) for a bad title or body and whatever ensure_can_post raises."""
    ensure_can_post(author)
    title, body = _clean_title(title), _clean_body(body)
    now = utcnow()
    thread = ForumThread(category=category, author_id=author.id, title=title, last_post_at=now, reply_count=0)
    post = ForumPost(thread=thread, author_id=author.id, is_opening=True, created_at=now)
    _fill(post, body, title)
    db.session.add_all([thread, post])
    db.session.flush()
    thread.last_post_id = post.id
    mark_read(author, thread, post.id)
    return thread


def ensure_open(thread: ForumThread, member) -> None:
    """Raise DomainError 404 when ``member`` may not see ``thread`` and 403 when it is locked (only
    moderators still answer in a locked thread)."""
    if not can_read(thread, member):
        raise DomainError(_("This thread does not exist."), status=404)
    if thread.is_locked and not is_moderator(member):
        raise DomainError(_("This thread is locked: no new replies."), status=403)


def reply(thread: ForumThread, author: Member, body: str, quoted: ForumPost | None = None) -> ForumPost:
    """Add a reply (optionally quoting ``quoted``, a visible post of the same thread) and tell the
    thread's author and the quoted post's author. Returns the post (flushed). Raises DomainError 403
    when the thread is locked (moderators may still reply), 404 when it is hidden, ForumInvalid for a
    bad body, and whatever ensure_can_post raises."""
    ensure_can_post(author)
    ensure_open(thread, author)
    if quoted is not None and (quoted.thread_id != thread.id or quoted.is_hidden):
        raise ForumInvalid(_("You can only quote a visible post of this thread."))
    body = _clean_body(body)
    now = utcnow()
    post = ForumPost(
        thread_id=thread.id, author_id=author.id, quoted_post_id=quoted.id if quoted else None, created_at=now
    )
    _fill(post, body)
    db.session.add(post)
    db.session.flush()
    # One statement, so two replies at the same moment both count.
    db.session.execute(
        update(ForumThread)
        .where(ForumThread.id == thread.id)
        .values(reply_count=ForumThread.reply_count + 1, last_post_at=now, last_post_id=post.id)
    )
    db.session.refresh(thread)
    mark_read(author, thread, post.id)
    _notify(thread, post, author, quoted)
    return post


def edit_deadline(post: ForumPost):
    return as_utc(post.created_at) + timedelta(minutes=current_app.config["FORUM_EDIT_MINUTES"])


def can_edit(post: ForumPost, member) -> bool:
    """Only the author, only while the post is visible and younger than FORUM_EDIT_MINUTES."""
    return bool(
        member is not None
        and getattr(member, "is_authenticated", False)
        and post.author_id == member.id
        and not post.is_hidden
        and utcnow() < edit_deadline(post)
    )


def edit_post(post: ForumPost, member: Member, body: str, title: str | None = None) -> ForumPost:
    """Change the text (and for an opening post the thread title). Returns the post. Raises
    DomainError 403 for anyone but the author or after the edit window, ForumInvalid for bad input."""
    ensure_can_write(member)
    if post.author_id != member.id:
        raise DomainError(_("Only the author can edit this post."), status=403)
    if not can_edit(post, member):
        raise DomainError(
            _(
                "Posts can be edited for %(minutes)d minutes after they are written.",
                minutes=current_app.config["FORUM_EDIT_MINUTES"],
            ),
            status=403,
        )
    body = _clean_body(body)
    if post.is_opening:
        post.thread.title = _clean_title(title if title is not None else post.thread.title)
    _fill(post, body, post.thread.title if post.is_opening else None)
    post.edited_at = utcnow()
    return post


def report_post(post: ForumPost, reporter: Member, reason: str) -> ForumReport:
    """Report ``post`` to the moderators. Returns the report. Raises ForumInvalid for a reason that
    is too short or long, DomainError 409 when the member already reported it or reports their own."""
    ensure_can_write(reporter)
    reason = " ".join(without_control_characters(reason, keep="\t\n\r").split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ForumInvalid(_("Please give a reason of %(min)d to %(max)d characters.", min=REASON_MIN, max=REASON_MAX))
    if post.author_id == reporter.id:
        raise DomainError(_("You cannot report your own post."))
    exists = db.session.scalar(
        select(ForumReport.id).where(ForumReport.post_id == post.id, ForumReport.reporter_id == reporter.id)
    )
    if exists is not None:
        raise DomainError(_("You have already reported this post. A moderator will look at it."))
    report = ForumReport(post_id=post.id, reporter_id=reporter.id, reason=reason, status=ReportStatus.OPEN.value)
    db.session.add(report)
    return report


def mark_read(member, thread: ForumThread, post_id: int | None) -> None:
    """Remember that ``member`` has seen ``thread`` up to ``post_id`` (never moves backwards)."""
    if post_id is None or not getattr(member, "is_authenticated", False):
        return
    mark = db.session.get(ForumReadMark, (member.id, thread.id))
    if mark is None:
        db.session.add(ForumReadMark(member_id=member.id, thread_id=thread.id, last_read_post_id=post_id))
    elif mark.last_read_post_id < post_id:
        mark.last_read_post_id = post_id


@dataclass(frozen=True)
class CategoryData:
    slug: str
    name_en: str
    name_zh: str
    description_en: str
    description_zh: str
    position: int


def save_category(data: CategoryData, category: ForumCategory | None = None) -> ForumCategory:
    """Create (``category`` None) or change a category. Returns it (flushed). Raises ForumInvalid
    when another category already uses the slug."""
    clash = db.session.scalar(select(ForumCategory.id).where(ForumCategory.slug == data.slug))
    if clash is not None and (category is None or clash != category.id):
        raise ForumInvalid(_("Another category already uses this short name."))
    category = category or ForumCategory()
    for name, value in vars(data).items():
        setattr(category, name, value)
    db.session.add(category)
    db.session.flush()
    return category


def _notify(thread: ForumThread, post: ForumPost, author: Member, quoted: ForumPost | None) -> None:
    """Announce the reply (forum.signals.post_replied): notify tells the thread's author and the
    quoted post's author, never the person who wrote it. Receivers join the reply's transaction."""
    signals.post_replied.send(
        signals.SENDER,
        thread_id=thread.id,
        post_id=post.id,
        author_id=author.id,
        thread_author_id=thread.author_id,
        quoted_author_id=quoted.author_id if quoted is not None else None,
    )
