"""``flask postings expire``: run daily (cron or systemd timer) so postings expire after their until-date."""

from __future__ import annotations

import click
from flask.cli import AppGroup

postings_cli = AppGroup("postings", help="Posting maintenance jobs.")


@postings_cli.command("expire")
def expire() -> None:
    """Mark active and paused postings whose until-date has passed as expired."""
    from app.db import write_transactions
    from app.extensions import db
    from app.postings.services import expire_due_postings

    with write_transactions():
        count = expire_due_postings()
        db.session.commit()
    click.echo(f"expired postings: {count}")
