"""Backup and restore of the database and the uploaded files, as one folder with a manifest.

SQLite is copied with SQLite's online backup API (a consistent copy while the site runs, WAL
included); PostgreSQL with ``pg_dump --format=custom`` (consistent snapshot) and ``pg_restore
--clean``. Uploads go into a tar.gz. The manifest records the schema revision and a SHA-256 of each
file, and restore refuses a damaged or foreign backup before touching anything."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import make_url, text

from app.extensions import db

MANIFEST = "manifest.json"
UPLOADS_ARCHIVE = "uploads.tar.gz"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


class BackupError(RuntimeError):
    """The backup cannot be made or restored; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(url) -> str:
    """The SQLAlchemy URL as a libpq connection string for pg_dump / pg_restore."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _schema_revision() -> str | None:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_backup(target_dir: str | Path) -> Path:
    """Write a new backup folder ``jishi-backup-<UTC time>`` inside ``target_dir`` and return its
    path. Raises BackupError when the database tools fail."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(target_dir) / f"jishi-backup-{stamp}"
    folder.mkdir(parents=True)
    if url.get_backend_name() == "sqlite":
        database_file = folder / SQLITE_FILE
        source = sqlite3.connect(_sqlite_path(url))
        destination = sqlite3.connect(database_file)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        database_file = folder / POSTGRES_FILE
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(database_file), _libpq_url(url)])
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")

    uploads = Path(current_app.config["UPLOAD_DIR"])
    with tarfile.open(folder / UPLOADS_ARCHIVE, "w:gz") as archive:
        if uploads.is_dir():
            for path in sorted(uploads.rglob("*")):
                archive.add(path, arcname=str(path.relative_to(uploads)), recursive=False)

    files = {name: _sha256(folder / name) for name in (database_file.name, UPLOADS_ARCHIVE)}
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(),
        "dialect": url.get_backend_name(),
        "schema_revision": _schema_revision(),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return folder


def read_manifest(folder: str | Path) -> dict:
    """The checked manifest of the backup in ``folder``; raises BackupError when it is missing,
    unreadable or when a file's checksum does not match."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{folder} is not a Jishi backup: {error}") from error
    for name, expected in files.items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"{name} is missing or damaged (checksum mismatch)")
    return manifest


def restore_backup(folder: str | Path) -> dict:
    """Replace the configured database and the uploads folder with the backup in ``folder``.
    Returns the manifest. Raises BackupError (before changing anything) for a damaged backup or one
    made from another kind of database."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if manifest["dialect"] != url.get_backend_name():
        raise BackupError(
            f"this is a {manifest['dialect']} backup; the configured database is {url.get_backend_name()}"
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old file or tables open
    if manifest["dialect"] == "sqlite":
        source = sqlite3.connect(folder / SQLITE_FILE)
        destination = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                _libpq_url(url),
                str(folder / POSTGRES_FILE),
            ]
        )

    uploads = Path(current_app.config["UPLOAD_DIR"])
    if uploads.exists():
        shutil.rmtree(uploads)
    uploads.mkdir(parents=True)
    with tarfile.open(folder / UPLOADS_ARCHIVE, "r:gz") as archive:
        archive.extractall(uploads, filter="data")  # "data" refuses absolute paths and ../ escapes
    return manifest


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()[:500]}") from error
