"""Rows of the media layer: photos kept from a form that failed (issue 25)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_common import created_at_column


class PendingUpload(db.Model):
    """A photo that arrived with a form that failed for another reason (issue 25): a posting's
    photos, a driver's proof photo, a storefront logo or a verification document. Already checked
    and cleaned (app/media/images.py), kept in the private upload folder so the member does not send
    it again over a slow link. The form carries ``token``; only ``member_id`` can use it, until
    ``created_at`` + PENDING_UPLOAD_HOURS; `flask postings expire` removes older ones."""

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(80))
    thumb_filename: Mapped[str] = mapped_column(String(80))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = created_at_column()
