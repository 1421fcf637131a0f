"""``flask members create-admin`` for operators."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import write_transactions
from app.extensions import db
from app.members.passwords import WeakPassword
from app.members.phones import normalise_phone
from app.members.services import create_admin

members_cli = AppGroup("members", help="Member accounts.")


@members_cli.command("create-admin")
@click.option(
    "--phone", required=True, help="Mobile number; without a country code it is read in DEFAULT_PHONE_REGION."
)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.password_option("--password", help="Password (asked for when omitted, so it stays out of the shell history).")
def create_admin_command(phone: str, display_name: str, password: str) -> None:
    """Create an admin account, or make the member with this number an admin."""
    try:
        e164 = normalise_phone(phone, current_app.config["DEFAULT_PHONE_REGION"])
    except ValueError:
        raise click.BadParameter("not a valid mobile number", param_hint="--phone")
    if not display_name.strip() or len(display_name) > 80:
        raise click.BadParameter("give a name of 1 to 80 characters", param_hint="--name")
    with write_transactions():
        try:
            member, created = create_admin(e164, display_name.strip(), password)
        except WeakPassword as error:
            raise click.BadParameter(str(error.message), param_hint="--password")
        db.session.commit()
    click.echo(f"{'created admin' if created else 'made admin'} {member.phone} (member #{member.id})")
