"""Forum tables: categories, threads, posts (Markdown source + sanitised HTML), reports, read marks,
forum suspensions and the moderation log."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.extensions import db
from app.models_common import created_at_column


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes (stored in UTC); PostgreSQL aware ones. Compare them as aware."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class ForumCategory(db.Model):
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str] = mapped_column(String(80))
    description_en: Mapped[str] = mapped_column(String(300), default="")
    description_zh: Mapped[str] = mapped_column(String(300), default="")
    # Admins order the category list; lower first.
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at_column()

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def description(self, locale: str) -> str:
        return self.description_zh if locale.startswith("zh") else self.description_en


class ForumThread(db.Model):
    __tablename__ = "forum_thread"
    __table_args__ = (
        CheckConstraint("reply_count >= 0", name="reply_count_nonnegative"),
        Index("ix_forum_thread_category_activity", "category_id", "is_pinned", "last_post_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_category.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # Set when a moderator hides the opening post: the whole thread disappears for members.
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # Denormalised so category pages sort and show "new" markers without counting posts.
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    last_post_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = created_at_column()

    category: Mapped[ForumCategory] = relationship()
    author = relationship("Member", foreign_keys=[author_id])


class ForumPost(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (Index("ix_forum_post_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    is_opening: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # What the author typed (Markdown) and the sanitised HTML made from it when it was saved.
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    quoted_post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = created_at_column()
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    thread: Mapped[ForumThread] = relationship()
    author = relationship("Member", foreign_keys=[author_id])


class ReportStatus(str, Enum):
    OPEN = "open"
    RESOLVED = "resolved"


class ForumReport(db.Model):
    __tablename__ = "forum_report"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id"),
        CheckConstraint("status IN ('open', 'resolved')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN.value, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    post: Mapped[ForumPost] = relationship()
    reporter = relationship("Member", foreign_keys=[reporter_id])


class ForumReadMark(db.Model):
    """How far a member has read a thread: the newest post id they have seen."""

    __tablename__ = "forum_read_mark"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"), primary_key=True)
    last_read_post_id: Mapped[int] = mapped_column(Integer)


class ForumSuspension(db.Model):
    """A member barred from posting in the forum until ``ends_at`` (site-wide suspension is separate)."""

    __tablename__ = "forum_suspension"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(String(300))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    member = relationship("Member", foreign_keys=[member_id])


class ModerationAction(str, Enum):
    HIDE = "hide"
    RESTORE = "restore"
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    MOVE = "move"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    DISMISS_REPORT = "dismiss_report"


class ForumModerationLog(db.Model):
    __tablename__ = "forum_moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_thread.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = created_at_column()

    moderator = relationship("Member", foreign_keys=[moderator_id])
    member = relationship("Member", foreign_keys=[member_id])
    thread = relationship(ForumThread)
