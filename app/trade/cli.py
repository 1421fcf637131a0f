"""`flask trade …` commands (the blueprint's CLI group), run by cron or a worker."""

from __future__ import annotations

import click

from app.db import write_transactions
from app.extensions import db
from app.trade import bp
from app.trade.negotiations import expire_due_offers


@bp.cli.command("expire-offers")
def expire_offers_command() -> None:
    """Record open offers past OFFER_EXPIRY_HOURS as expired and close their threads."""
    with write_transactions():
        count = expire_due_offers()
        db.session.commit()
    click.echo(f"expired offers: {count}")
