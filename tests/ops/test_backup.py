"""Backup and restore through `flask backup`: a backup taken from the test database restores into
an empty database (another SQLite file, or a scratch PostgreSQL database) with members, postings
and uploaded files intact; damaged or foreign backups are refused before anything changes."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from app import create_app
from app.extensions import db as _db
from app.members.models import Member
from app.postings.models import Posting
from config import TestingConfig
from tests.factories import make_member, make_posting


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """An empty database of the same kind as the test database, dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"jishi_restore_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _backup(app, target: Path) -> Path:
    result = app.test_cli_runner().invoke(args=["backup", "create", str(target)])
    assert result.exit_code == 0, result.output
    return Path(result.output.strip())


def test_backup_restores_database_and_uploads_into_an_empty_database(app, db, tmp_path, scratch_database_url):
    farmer = make_member(display_name="刘家庄合作社")
    make_posting(owner=farmer, title="优质玉米 backup test")
    upload = Path(app.config["UPLOAD_DIR"]) / "photo-abc.jpg"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"\xff\xd8 not really a jpeg")
    db.session.commit()
    # Read now: touching an expired object of this session inside the other app's context would
    # make the session load it from that app's database.
    farmer_phone = farmer.phone

    folder = _backup(app, tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["dialect"] == make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert manifest["schema_revision"]

    restored_uploads = tmp_path / "restored-uploads"
    restored = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=scratch_database_url, UPLOAD_DIR=str(restored_uploads))
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(folder), "--yes"])
        assert result.exit_code == 0, result.output
        assert _db.session.scalar(select(Member.display_name).where(Member.phone == farmer_phone)) == "刘家庄合作社"
        assert _db.session.scalar(select(Posting.title)) == "优质玉米 backup test"
        assert (
            _db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == manifest["schema_revision"]
        )
        _db.session.remove()
        _db.engine.dispose()
    assert (restored_uploads / "photo-abc.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"


def test_restore_refuses_a_damaged_backup_and_changes_nothing(app, db, tmp_path, scratch_database_url):
    make_member()
    folder = _backup(app, tmp_path / "backups")
    database_file = next(p for p in folder.iterdir() if p.name.startswith("database."))
    database_file.write_bytes(database_file.read_bytes()[:-10] + b"corrupted!")
    uploads = tmp_path / "keep-uploads"
    uploads.mkdir()
    (uploads / "keep.jpg").write_bytes(b"keep me")

    restored = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=scratch_database_url, UPLOAD_DIR=str(uploads))
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(folder), "--yes"])
    assert result.exit_code != 0
    assert "damaged" in result.output
    assert (uploads / "keep.jpg").read_bytes() == b"keep me"


def test_restore_needs_yes_and_refuses_a_backup_of_another_database_kind(app, db, tmp_path):
    folder = _backup(app, tmp_path / "backups")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["backup", "restore", str(folder)])
    assert refused.exit_code != 0 and "--yes" in refused.output

    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["dialect"] = "postgresql" if manifest["dialect"] == "sqlite" else "sqlite"
    manifest_path.write_text(json.dumps(manifest))
    foreign = runner.invoke(args=["backup", "restore", str(folder), "--yes"])
    assert foreign.exit_code != 0 and "backup" in foreign.output


def test_a_folder_without_manifest_is_not_a_backup(app, db, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0 and "not a Jishi backup" in result.output
