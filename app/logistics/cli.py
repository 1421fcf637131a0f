"""`flask logistics …` commands, run by cron or by hand."""

from __future__ import annotations

import click

from app.db import write_transactions
from app.extensions import db
from app.logistics import bp, tracking
from app.logistics.kuaidi100 import BadPush, Kuaidi100Unavailable


@bp.cli.command("subscribe-tracking")
def subscribe_tracking_command() -> None:
    """Send due Kuaidi100 tracking subscriptions (retried with backoff; nothing when it is off)."""
    if not tracking.configured():
        click.echo("Kuaidi100 tracking is off (KUAIDI100_KEY and KUAIDI100_SALT are not set)")
        return
    with write_transactions():
        counts = tracking.send_due_subscriptions()
    click.echo(f"subscriptions active: {counts['active']}, to retry: {counts['retry']}, failed: {counts['failed']}")


@bp.cli.command("refresh-tracking")
@click.argument("shipment_id", type=int)
def refresh_tracking_command(shipment_id: int) -> None:
    """Ask Kuaidi100 for a shipment's track now (实时查询) and apply it like a push, e.g. after the
    callback was unreachable for longer than Kuaidi100 keeps retrying."""
    if not tracking.configured():
        raise click.ClickException("Kuaidi100 tracking is off (KUAIDI100_KEY and KUAIDI100_SALT are not set)")
    with write_transactions():
        try:
            applied = tracking.refresh_from_query(shipment_id)
        except (Kuaidi100Unavailable, BadPush) as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
    click.echo(f"new checkpoints: {applied['checkpoints']}, status moves: {applied['moves']}")
