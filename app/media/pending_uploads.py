"""Photos kept from a form that failed for another reason (issue 25).

On a rural link a 4 MB photo takes minutes to send; a form refused because the title was too short
must not make the farmer send it again. The photo that arrived is checked and cleaned like any
other (app/media/images.py), stored in the private upload folder and recorded as a PendingUpload
of the member; the form shows its thumbnail with "keep this photo" (a token in the form) and the
next submission uses it. Only the member who sent it can see or use it, for PENDING_UPLOAD_HOURS;
`flask postings expire` removes older ones with their files. Used by every form that uploads
photos: postings, a driver's delivery update, the storefront logo and the verification document.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

from app.core.clock import utcnow
from app.extensions import db
from app.media.images import ImageRejected, StoredImage, delete_image, save_image, upload_dir
from app.media.models import PendingUpload


def _oldest_allowed():
    return utcnow() - timedelta(hours=current_app.config["PENDING_UPLOAD_HOURS"])


def keep(member_id: int, files: Iterable) -> tuple[list[PendingUpload], list[str]]:
    """Check, clean and store each uploaded file as a pending upload of ``member_id``.

    Returns (the pending uploads made, in order; the refusal message of each file refused, naming
    it). Does not commit.
    """
    kept, refused = [], []
    for upload in files:
        try:
            image = save_image(upload, private=True)
        except ImageRejected as error:
            refused.append(f"{upload.filename}: {error.message}")
            continue
        pending = PendingUpload(
            token=secrets.token_urlsafe(32),
            member_id=member_id,
            filename=image.filename,
            thumb_filename=image.thumb_filename,
            width=image.width,
            height=image.height,
        )
        db.session.add(pending)
        kept.append(pending)
    db.session.flush()
    return kept, refused


def owned(member_id: int, tokens: Iterable[str]) -> list[PendingUpload]:
    """The member's unexpired pending uploads named by ``tokens``, in the tokens' order; tokens of
    someone else, expired or unknown are left out."""
    wanted = [token for token in dict.fromkeys(tokens) if token and len(token) <= 43]
    if not wanted:
        return []
    rows = db.session.scalars(
        select(PendingUpload).where(
            PendingUpload.token.in_(wanted),
            PendingUpload.member_id == member_id,
            PendingUpload.created_at >= _oldest_allowed(),
        )
    ).all()
    by_token = {row.token: row for row in rows}
    return [by_token[token] for token in wanted if token in by_token]


def thumbnail_path(member_id: int, token: str) -> Path | None:
    """The file of the member's pending upload's thumbnail, or None (not theirs, expired, unknown)."""
    found = owned(member_id, [token])
    return upload_dir(private=True) / found[0].thumb_filename if found else None


def claim(pendings: Iterable[PendingUpload], private: bool = False) -> list[StoredImage]:
    """Turn pending uploads into stored images (posting photos, a logo; with ``private`` a document
    that stays in the private folder): copy their files to the public folder unless ``private``,
    and delete the rows. Returns the stored images. Does not commit: on a rollback the rows come
    back and the private files are still there; after a commit, call :func:`forget_files` with the
    same pending uploads unless ``private`` (then the files are the document's own)."""
    private_dir, public_dir = upload_dir(private=True), upload_dir()
    images = []
    for pending in pendings:
        for name in (pending.filename, pending.thumb_filename):
            if not private:
                shutil.copyfile(private_dir / name, public_dir / name)
        images.append(StoredImage(pending.filename, pending.thumb_filename, pending.width, pending.height))
        db.session.delete(pending)
    db.session.flush()
    return images


def forget_files(filenames: Iterable[str]) -> None:
    """Delete the private copies of claimed or expired pending uploads."""
    for name in filenames:
        delete_image(name, private=True)


def remove_expired() -> int:
    """Delete pending uploads older than PENDING_UPLOAD_HOURS and their files (nothing can use them
    any more: :func:`owned` leaves them out). Returns how many. Does not commit."""
    expired = db.session.scalars(select(PendingUpload).where(PendingUpload.created_at < _oldest_allowed())).all()
    names = [row.filename for row in expired]
    db.session.execute(delete(PendingUpload).where(PendingUpload.id.in_([row.id for row in expired])))
    forget_files(names)
    return len(names)
