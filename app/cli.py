"""Top-level CLI commands: ``flask seed`` loads the catalogue and the demo data."""

from __future__ import annotations

import click

from app.catalogue.cli import catalogue_cli
from app.catalogue.services import load_catalogue
from app.db import write_transactions
from app.demo import DEMO_ACCOUNTS, PLACEHOLDER_FARMER_PHONE, load_demo_data
from app.extensions import db
from app.forum.services import seed_default_categories
from app.market.rollup import rollup_day
from app.members.cli import members_cli
from app.ops.cli import backup_cli
from app.ops.search_cli import search_cli
from app.postings.cli import postings_cli


def register(app) -> None:
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(members_cli)
    app.cli.add_command(postings_cli)
    app.cli.add_command(search_cli)

    app.cli.add_command(backup_cli)

    @app.cli.command("seed")
    @click.option("--demo/--no-demo", default=True, help="Also load demo members and postings.")
    def seed(demo: bool) -> None:
        """Load the catalogue and (by default) demo data. Running it twice changes nothing."""
        with write_transactions():
            added = load_catalogue()
            db.session.commit()
            click.echo("catalogue: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
            click.echo(f"forum categories: +{seed_default_categories()}")
            db.session.commit()
            if demo:
                created = load_demo_data()
                db.session.commit()
                click.echo("demo data: " + ", ".join(f"{k} +{v}" for k, v in created.items()))
                # Today's reference prices from the demo postings, so /prices is not empty (idempotent).
                click.echo(f"reference prices today: {rollup_day()}")
                db.session.commit()
                click.echo("demo accounts (phone / password):")
                for role, phone, password in DEMO_ACCOUNTS:
                    click.echo(f"  {role:<38} {phone}  {password}")
                click.echo(f"  {'farmer posted for by the station':<38} {PLACEHOLDER_FARMER_PHONE}  (no password)")
