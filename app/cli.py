"""Top-level CLI commands: ``flask seed`` loads the catalogue and the demo data."""
from __future__ import annotations

import click


def register(app) -> None:
    from app.catalogue.cli import catalogue_cli

    app.cli.add_command(catalogue_cli)

    @app.cli.command("seed")
    @click.option("--demo/--no-demo", default=True, help="Also load demo members and postings.")
    def seed(demo: bool) -> None:
        """Load the catalogue and (by default) demo data. Running it twice changes nothing."""
        from app.catalogue.services import load_catalogue
        from app.db import write_transactions
        from app.extensions import db

        with write_transactions():
            added = load_catalogue()
            db.session.commit()
            click.echo("catalogue: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
            if demo:
                from app.demo import load_demo_data

                created = load_demo_data()
                db.session.commit()
                click.echo(f"demo data: {created}")
