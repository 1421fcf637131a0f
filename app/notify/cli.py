"""`flask notify worker` — sends the outbox (long-running, or `--once` for cron and tests); `flask notify
prune-sms-budget` — drops old SMS-budget counters; `flask notify prune-follow-alerts` — drops old
day claims and read site notices of followed stores."""

from __future__ import annotations

import click

from app.extensions import db
from app.notify import bp, follow_handlers, worker
from app.notify.senders import senders_from_config
from app.sms_spend import budget as sms_budget


@bp.cli.command("worker")
@click.option("--once", is_flag=True, help="Process the rows that are due now, then exit.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=None, help="Rows claimed at a time.")
@click.option(
    "--sleep",
    "sleep_seconds",
    type=click.IntRange(0, 3600),
    default=None,
    help="Seconds to wait when nothing is due (default NOTIFY_WORKER_SLEEP_SECONDS).",
)
def worker_command(once: bool, batch_size: int | None, sleep_seconds: int | None) -> None:
    """Send due notifications, retrying failures with backoff; several workers may run at once."""
    from flask import current_app

    try:
        senders = senders_from_config(current_app.config)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    # SIGTERM (systemd stop/restart) and Ctrl+C: finish the message in hand, give back the rest, exit.
    with worker.stop_on_signals() as stop:
        if once:
            totals = worker.run_once(senders, batch_size=batch_size, should_stop=stop)
            click.echo(
                f"sent {totals['sent']}, failed {totals['failed']}, dead {totals['dead']}"
                + (" (stopped early)" if stop() else "")
            )
            return
        click.echo("notify worker running (Ctrl+C to stop)")
        worker.run_forever(senders, sleep_seconds=sleep_seconds, batch_size=batch_size, should_stop=stop)


@bp.cli.command("prune-sms-budget")
@click.option("--keep-days", type=click.IntRange(1, 365), default=2, help="Keep windows younger than this.")
def prune_sms_budget_command(keep_days: int) -> None:
    """Delete SMS-budget counters of windows that ended long ago (a daily cron job)."""
    removed = sms_budget.prune(keep_days=keep_days)
    db.session.commit()
    click.echo(f"removed {removed} SMS-budget counters")


@bp.cli.command("prune-follow-alerts")
@click.option("--keep-days", type=click.IntRange(1, 365), default=2, help="Keep day claims younger than this.")
@click.option(
    "--keep-notice-days", type=click.IntRange(1, 3650), default=90, help="Keep read site notices younger than this."
)
def prune_follow_alerts_command(keep_days: int, keep_notice_days: int) -> None:
    """Delete old once-a-day claims of followed stores and old read site notices (a daily cron job)."""
    claims, notices = follow_handlers.prune(keep_days=keep_days, keep_notice_days=keep_notice_days)
    db.session.commit()
    click.echo(f"removed {claims} follow-alert day claims and {notices} read site notices")
