"""``flask backup create DIR`` and ``flask backup restore FOLDER --yes``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.ops.backup import BackupError, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Back up or restore the database and the uploads.")


@backup_cli.command("create")
@click.argument("target_dir", type=click.Path(file_okay=False))
def create(target_dir: str) -> None:
    """Write a backup folder into TARGET_DIR and print its path."""
    try:
        folder = create_backup(target_dir)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(str(folder))


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Really replace the current database and uploads.")
def restore(folder: str, yes: bool) -> None:
    """Replace the database and the uploads with the backup in FOLDER (stop the site and workers first)."""
    if not yes:
        raise click.ClickException("restore replaces all current data; add --yes to go ahead")
    try:
        manifest = restore_backup(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"restored {manifest['dialect']} backup of {manifest['created_at']} (schema {manifest['schema_revision']})"
    )
