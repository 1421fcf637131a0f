"""``flask catalogue load``."""

import click
from flask.cli import AppGroup

from app.catalogue.services import load_catalogue
from app.db import write_transactions
from app.extensions import db

catalogue_cli = AppGroup("catalogue", help="Commodity catalogue.")


@catalogue_cli.command("load")
def load_command():
    """Load the bundled catalogue (idempotent)."""
    with write_transactions():
        added = load_catalogue()
        db.session.commit()
    click.echo("catalogue: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
