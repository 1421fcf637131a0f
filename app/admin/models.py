"""Trust & safety records: members' reports, the append-only audit log of admin actions, the holds
that hide postings (and remember what to give back), and the editable help pages."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import created_at_column, updated_at_column


class ReportReason(str, enum.Enum):
    FRAUD = "fraud"
    FAKE_PRODUCE = "fake_produce"
    WRONG_PRICE = "wrong_price"
    ABUSIVE = "abusive"
    OTHER = "other"


class ReportTarget(str, enum.Enum):
    POSTING = "posting"
    STOREFRONT = "storefront"
    MEMBER = "member"


class ReportStatus(str, enum.Enum):
    OPEN = "open"
    ACTIONED = "actioned"  # an admin acted (hid, suspended, revoked) or upheld it
    DISMISSED = "dismissed"


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v.value}'" for v in values) + ")"


class Report(db.Model):
    """A member's complaint about a posting, a storefront or a member. ``member_id`` is always the
    member it is about (the owner of the posting or storefront), so the member page lists them all."""

    __table_args__ = (
        CheckConstraint(_in("reason", ReportReason), name="reason_known"),
        CheckConstraint(_in("target_kind", ReportTarget), name="target_kind_known"),
        CheckConstraint(_in("status", ReportStatus), name="status_known"),
        Index("ix_report_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), index=True)
    storefront_id: Mapped[int | None] = mapped_column(ForeignKey("storefront.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(12))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(9), default=ReportStatus.OPEN.value)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    reporter = relationship("Member", foreign_keys=[reporter_id])
    member = relationship("Member", foreign_keys=[member_id])
    posting = relationship("Posting")
    storefront = relationship("Storefront")
    resolved_by = relationship("Member", foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN.value


class AuditAction(str, enum.Enum):
    HIDE_POSTING = "hide_posting"
    UNHIDE_POSTING = "unhide_posting"
    SUSPEND = "suspend"
    RESTORE = "restore"
    SUSPENSION_ENDED = "suspension_ended"  # a timed suspension ran out (a system job, no actor)
    REVOKE_VERIFICATION = "revoke_verification"
    RESOLVE_REPORT = "resolve_report"
    DISMISS_REPORT = "dismiss_report"
    EDIT_HELP = "edit_help"
    APPROVE_STATION = "approve_station"  # an information station may now post for farmers
    REFUSE_STATION = "refuse_station"


class AuditLog(db.Model):
    """Who did what to whom, when and why. Rows are only ever inserted: no route edits or deletes
    them, and migration 0012 adds database triggers that refuse UPDATE and DELETE outright."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_in("action", AuditAction), name="action_known"),
        Index("ix_audit_log_action_created_at", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)  # None: a system job
    action: Mapped[str] = mapped_column(String(24))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("posting.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    # What exactly: "7 days", "permanent", a help page "payment/zh_Hans" …
    detail: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    actor = relationship("Member", foreign_keys=[actor_id])
    member = relationship("Member", foreign_keys=[member_id])
    posting = relationship("Posting")
    report = relationship("Report")


class HoldCause(str, enum.Enum):
    MODERATION = "moderation"  # an admin hid this posting
    SUSPENSION = "suspension"  # its owner is suspended


class PostingHold(db.Model):
    """Why a posting is hidden and the status it had before, so lifting the last hold gives it back.
    A posting stays hidden while any of its holds is unreleased."""

    __table_args__ = (CheckConstraint(_in("cause", HoldCause), name="cause_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id", ondelete="CASCADE"), index=True)
    cause: Mapped[str] = mapped_column(String(10))
    previous_status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = created_at_column()
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    posting = relationship("Posting")


class HelpPage(db.Model):
    """An admin's edit of a help page in one language. Pages nobody edited come from
    app/admin/help_defaults.py, so the help centre is complete on a fresh install."""

    __table_args__ = (UniqueConstraint("slug", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)  # Markdown; rendered without raw HTML and sanitised
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    updated_at: Mapped[datetime] = updated_at_column()

    updated_by = relationship("Member")
