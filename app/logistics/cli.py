"""`flask logistics …` commands, run by cron or by hand."""

from __future__ import annotations

import click

from app.logistics import bp


@bp.cli.command("subscribe-tracking")
def subscribe_tracking_command() -> None:
    """Send due Kuaidi100 tracking subscriptions (retried with backoff; nothing when it is off)."""
    from app.db import write_transactions
    from app.logistics import tracking

    if not tracking.configured():
        click.echo("Kuaidi100 tracking is off (KUAIDI100_KEY and KUAIDI100_SALT are not set)")
        return
    with write_transactions():
        counts = tracking.send_due_subscriptions()
    click.echo(f"subscriptions active: {counts['active']}, to retry: {counts['retry']}, failed: {counts['failed']}")
