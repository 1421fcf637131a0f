"""`flask admin end-suspensions` — lift timed suspensions that ran out (cron, e.g. every 15 minutes)."""

from __future__ import annotations

import click

from app.admin import bp
from app.admin.services import end_lapsed_suspensions
from app.extensions import db


@bp.cli.command("end-suspensions")
def end_suspensions_command() -> None:
    """Clear lapsed suspensions, show the postings they hid again and record each in the audit log."""
    ended = end_lapsed_suspensions()
    db.session.commit()
    click.echo(f"suspensions ended: {ended}")
