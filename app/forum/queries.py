"""Read side of the forum: category overview, thread lists by latest activity, a thread's posts,
unread markers, the page a post is on, forum search and the postings a post links to."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.forum.markup import posting_ids
from app.forum.models import ForumCategory, ForumPost, ForumReadMark, ForumReport, ForumThread, ReportStatus, as_utc
from app.forum.services import is_moderator
from app.postings.queries import posting_for_page
from app.postings.services import can_view
from app.search.engines import SearchIndex
from app.search.service import Search, SearchService
from app.search.understanding import expanded_groups
from app.search.vocabulary import query_vocabulary

FORUM_SEARCH = SearchService(SearchIndex(ForumPost.__table__, fts_table="forum_post_fts", title_column=None))


def categories() -> list[ForumCategory]:
    return list(db.session.scalars(select(ForumCategory).order_by(ForumCategory.position, ForumCategory.id)))


def category_activity(viewer) -> dict[int, tuple[int, object]]:
    """category id → (visible thread count, time of the latest post)."""
    statement = select(ForumThread.category_id, func.count(), func.max(ForumThread.last_post_at)).group_by(
        ForumThread.category_id
    )
    if not is_moderator(viewer):
        statement = statement.where(ForumThread.is_hidden.is_(False))
    return {category_id: (count, latest) for category_id, count, latest in db.session.execute(statement)}


def _visible_threads(viewer) -> Select:
    statement = select(ForumThread).options(joinedload(ForumThread.author), joinedload(ForumThread.category))
    if not is_moderator(viewer):
        statement = statement.where(ForumThread.is_hidden.is_(False))
    return statement


def threads_in(category_id: int, viewer) -> Select:
    """Threads of a category: pinned first, then by latest activity."""
    return (
        _visible_threads(viewer)
        .where(ForumThread.category_id == category_id)
        .order_by(ForumThread.is_pinned.desc(), ForumThread.last_post_at.desc(), ForumThread.id.desc())
    )


def latest_threads(viewer, limit: int = 10) -> list[ForumThread]:
    statement = _visible_threads(viewer).order_by(ForumThread.last_post_at.desc(), ForumThread.id.desc()).limit(limit)
    return list(db.session.scalars(statement))


def thread_posts(thread_id: int) -> Select:
    return (
        select(ForumPost)
        .where(ForumPost.thread_id == thread_id)
        .options(joinedload(ForumPost.author))
        .order_by(ForumPost.id)
    )


def last_page(thread_id: int) -> int:
    """The number of the last page of a thread (1 for a thread with a single page)."""
    count = db.session.scalar(select(func.count()).where(ForumPost.thread_id == thread_id)) or 1
    return (count - 1) // current_app.config["FORUM_POSTS_PER_PAGE"] + 1


def post_page(post: ForumPost) -> int:
    """The page of its thread that shows ``post``."""
    before = db.session.scalar(
        select(func.count()).where(ForumPost.thread_id == post.thread_id, ForumPost.id < post.id)
    )
    return before // current_app.config["FORUM_POSTS_PER_PAGE"] + 1


def unread_thread_ids(member, threads) -> set[int]:
    """Ids of ``threads`` with posts ``member`` has not seen. Threads whose last post is older than
    the member's account count as read, so a new member does not find the whole forum "new"."""
    if not getattr(member, "is_authenticated", False) or not threads:
        return set()
    ids = [thread.id for thread in threads]
    marks = dict(
        db.session.execute(
            select(ForumReadMark.thread_id, ForumReadMark.last_read_post_id).where(
                ForumReadMark.member_id == member.id, ForumReadMark.thread_id.in_(ids)
            )
        ).all()
    )
    joined = as_utc(member.created_at)
    unread = set()
    for thread in threads:
        mark = marks.get(thread.id)
        if mark is None:
            if as_utc(thread.last_post_at) > joined:
                unread.add(thread.id)
        elif thread.last_post_id is not None and thread.last_post_id > mark:
            unread.add(thread.id)
    return unread


def search_posts(query: str, viewer) -> tuple[Select, Search] | None:
    """Visible posts of visible threads matching ``query`` (both languages: CJK bigrams and words),
    best first; None when the query holds no searchable word."""
    # Read as the market reads it, but matched as words (posts have no commodity or province):
    # a commodity answers to all its names, so 棒子, yumi and corn find a post about 玉米.
    vocabulary = query_vocabulary()
    search = FORUM_SEARCH.search_terms(expanded_groups(vocabulary.understand(query), vocabulary))
    if search is None:
        return None
    statement = select(ForumPost).join(ForumThread, ForumThread.id == ForumPost.thread_id)
    statement = search.apply(statement).options(joinedload(ForumPost.thread), joinedload(ForumPost.author))
    if not is_moderator(viewer):
        statement = statement.where(and_(ForumPost.is_hidden.is_(False), ForumThread.is_hidden.is_(False)))
    return statement.order_by(*search.ranking(), ForumPost.id.desc()), search


def posting_cards(posts, viewer) -> dict[int, list]:
    """post id → the postings it links to that ``viewer`` may see (each loaded once per page)."""
    base_url = current_app.config["PUBLIC_BASE_URL"]
    loaded: dict[int, object] = {}
    cards: dict[int, list] = {}
    for post in posts:
        if post.is_hidden:
            continue
        for posting_id in posting_ids(post.body, base_url):
            if posting_id not in loaded:
                posting = posting_for_page(posting_id)
                loaded[posting_id] = posting if posting is not None and can_view(posting, viewer) else None
            if loaded[posting_id] is not None:
                cards.setdefault(post.id, []).append(loaded[posting_id])
    return cards


def open_report_count() -> int:
    return db.session.scalar(select(func.count()).where(ForumReport.status == ReportStatus.OPEN.value)) or 0
