"""`flask market …` commands (the blueprint's CLI group), run by cron."""

from __future__ import annotations

from datetime import date, timedelta

import click

from app.db import write_transactions
from app.extensions import db
from app.market import bp
from app.market.alerts import send_due_alerts
from app.market.rollup import rollup_day
from app.postings.services import local_today


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use a date like 2026-11-26") from None


@bp.cli.command("rollup")
@click.option("--date", "day", help="Local day to recompute (YYYY-MM-DD); default today.")
@click.option(
    "--days",
    default=1,
    show_default=True,
    type=click.IntRange(1, 366),
    help="Also recompute this many days back from --date.",
)
def rollup_command(day: str | None, days: int) -> None:
    """Recompute price observations and reference prices of a day. Running it twice changes nothing."""
    last = _parse_day(day) or local_today()
    with write_transactions():
        for offset in range(days - 1, -1, -1):
            current = last - timedelta(days=offset)
            count = rollup_day(current)
            db.session.commit()
            click.echo(f"{current.isoformat()}: {count} reference prices")


@bp.cli.command("send-digests")
@click.option("--force", is_flag=True, help="Send the digest now, even before MARKET_DIGEST_HOUR.")
def send_digests_command(force: bool) -> None:
    """Send today's price digest (once a day, from MARKET_DIGEST_HOUR local time) and any threshold
    or target alerts not yet sent today. Run it every hour or so; repeats send nothing twice."""
    sent = send_due_alerts(force=force)
    if sent is None:
        raise click.ClickException("another send-digests run is sending today's alerts; nothing sent")
    click.echo(f"digests: {sent[0]}, alerts: {sent[1]}")
