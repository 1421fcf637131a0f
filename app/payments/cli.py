"""`flask payments …` commands, run by cron or by hand."""

from __future__ import annotations

import click

from app.payments import bp


@bp.cli.command("reconcile")
def reconcile_command() -> None:
    """List orders whose payment the provider sees differently from us."""
    from app.payments.services import reconcile

    mismatches = reconcile()
    for m in mismatches:
        if m.error:
            click.echo(f"{m.order.number} {m.order.payment.provider}: provider unreachable ({m.error})")
            continue
        click.echo(
            f"{m.order.number} {m.order.payment.provider}: local paid {m.local_paid} refunded {m.local_refunded}; "
            f"provider paid {m.remote_paid} refunded {m.remote_refunded}"
        )
    click.echo(f"orders that disagree: {len(mismatches)}")


@bp.cli.command("retry-refunds")
def retry_refunds_command() -> None:
    """Send provider refunds that are still pending (same idempotency key, never twice)."""
    from app.db import write_transactions
    from app.extensions import db
    from app.payments.services import retry_pending_refunds

    with write_transactions():
        done = retry_pending_refunds()
        db.session.commit()
    click.echo(f"refunds sent: {len(done)}")
