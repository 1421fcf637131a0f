"""``flask postings expire``: run daily (cron or systemd timer) so postings expire after their until-date;
it also removes photos kept from failed posting forms after PENDING_UPLOAD_HOURS and half-typed posting
drafts untouched for POSTING_DRAFT_DAYS (app/media/pending_uploads.py, drafts.py)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.db import write_transactions
from app.extensions import db
from app.media import pending_uploads
from app.postings import drafts
from app.postings.services import expire_due_postings

postings_cli = AppGroup("postings", help="Posting maintenance jobs.")


@postings_cli.command("expire")
def expire() -> None:
    """Mark active and paused postings whose until-date has passed as expired; remove expired
    pending photos and stale drafts."""
    with write_transactions():
        count = expire_due_postings()
        db.session.commit()
        photos = pending_uploads.remove_expired()
        stale = drafts.remove_stale()
        db.session.commit()
    click.echo(f"expired postings: {count}")
    click.echo(f"removed pending photos: {photos}, stale drafts: {stale}")
