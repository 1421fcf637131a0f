"""The suite refuses a TEST_DATABASE_URL whose name does not say it is a test database, before it
connects (it would drop that database's public schema)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.database_guard import NotATestDatabase, check_test_database_url

PROJECT_DIR = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test_jishi",
        "postgresql+psycopg://postgres@127.0.0.1:5432/jishi_test",
        "postgresql://u:secret@db.internal/TEST-ci",
        "sqlite:////tmp/run/test.db",
        "sqlite:///jishi_test.sqlite",
        "sqlite://",
    ],
)
def test_test_databases_are_accepted(url):
    check_test_database_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:5432/jishi",
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        "postgresql+psycopg://postgres@127.0.0.1:5432/contest",
        "postgresql+psycopg://postgres@127.0.0.1:5432/testing_prod",
        "postgresql+psycopg://postgres@127.0.0.1:5432/",
        "sqlite:///instance/jishi.db",
        "not a url",
    ],
)
def test_other_databases_are_refused_with_the_rule(url):
    with pytest.raises(NotATestDatabase) as refusal:
        check_test_database_url(url)
    assert "TEST_DATABASE_URL" in str(refusal.value)


def test_a_password_is_not_printed_in_the_refusal():
    with pytest.raises(NotATestDatabase) as refusal:
        check_test_database_url("postgresql://jishi:hunter2@127.0.0.1/jishi")
    assert "hunter2" not in str(refusal.value) and "'jishi'" in str(refusal.value)


@pytest.mark.slow
def test_pytest_stops_before_touching_a_database_not_named_for_tests(tmp_path):
    # An address nobody listens on: if the guard let the run through, the session fixture's connect
    # would fail with a different error (and on a real server would drop its schema).
    environment = {**os.environ, "TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/jishi"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_config.py"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4, result.stdout + result.stderr
    assert "refusing to run the tests against database 'jishi'" in result.stderr
