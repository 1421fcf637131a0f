"""`flask payments …` commands, run by cron or by hand."""

from __future__ import annotations

import click

from app.db import write_transactions
from app.extensions import db
from app.payments import bp
from app.payments.providers.base import ProviderError
from app.payments.services import reconcile, retry_pending_refunds
from app.payments.settlement import reconcile_day, run_due, splitting_names
from app.postings.services import local_today


@bp.cli.command("reconcile")
def reconcile_command() -> None:
    """List orders whose payment the provider sees differently from us."""
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
    """Follow provider refunds that are still pending: send again those never accepted (same
    idempotency key, never twice), ask about those the provider is still making."""
    with write_transactions():
        followed = retry_pending_refunds()
        db.session.commit()
    statuses = [entry.status for entry in followed]
    click.echo(
        f"refunds made: {statuses.count('succeeded')}; still pending: {statuses.count('pending')}; "
        f"failed: {statuses.count('failed')}"
    )


@bp.cli.command("settle")
def settle_command() -> None:
    """Request, follow and finish split settlements (分账) that are due; safe to run often (cron)."""
    with write_transactions():
        handled = run_due()
    for row in handled:
        note = f" ({row.last_error})" if row.last_error else ""
        click.echo(f"{row.out_request_no} {row.provider}: {row.state}{note}")
    click.echo(f"split settlements handled: {len(handled)}")


@bp.cli.command("reconcile-splits")
@click.option("--day", "day_text", help="The statement day, YYYY-MM-DD (default: yesterday, local time).")
@click.option("--provider", "provider_name", help="One provider (default: every enabled one that splits).")
def reconcile_splits_command(day_text: str | None, provider_name: str | None) -> None:
    """List differences between the providers' split statements for a day and Jishi's settlements."""
    from datetime import date, timedelta

    try:
        day = date.fromisoformat(day_text) if day_text else local_today() - timedelta(days=1)
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--day") from error
    names = [provider_name] if provider_name else splitting_names()
    count = 0
    for name in names:
        try:
            differences = reconcile_day(name, day)
        except ProviderError as error:
            raise click.ClickException(f"{name} could not be asked: {error}") from error
        for d in differences:
            local = "nothing" if d.local_minor is None else f"{d.local_minor} fen {d.local_state}"
            remote = "nothing" if d.remote_minor is None else f"{d.remote_minor} fen {d.remote_state}"
            click.echo(f"{d.kind} {d.out_request_no} {d.account}: jishi {local}; {name} {remote}")
        count += len(differences)
    click.echo(f"differences: {count}")
