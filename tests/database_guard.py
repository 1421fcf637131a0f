"""The suite empties whatever database it is pointed at (PostgreSQL: DROP SCHEMA public CASCADE, then
TRUNCATE before every test). Pointing TEST_DATABASE_URL at a real database by mistake must stop the run
before anything is touched, so the database's own name has to say it is for tests."""

from __future__ import annotations

import re
from pathlib import PurePath

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# "test", "test_jishi", "jishi_test", "test-2": the word test at either end of the name.
TEST_DATABASE_NAME = re.compile(r"^test([_-].*)?$|^.*[_-]test$", re.IGNORECASE)


class NotATestDatabase(Exception):
    """TEST_DATABASE_URL names a database whose name does not mark it as disposable."""


def check_test_database_url(url: str | None) -> None:
    """Return quietly when ``url`` is empty (the suite then uses its own SQLite file) or names a
    database called test, test_…, or …_test (a SQLite file: its stem); raise NotATestDatabase
    otherwise, naming the database and the rule."""
    if not url:
        return
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise NotATestDatabase(f"TEST_DATABASE_URL is not a database URL ({error})") from None
    database = parsed.database or ""
    name = PurePath(database).stem if parsed.get_backend_name() == "sqlite" else database
    if parsed.get_backend_name() == "sqlite" and database in ("", ":memory:"):
        return
    if not TEST_DATABASE_NAME.match(name):
        raise NotATestDatabase(
            f"refusing to run the tests against database {name!r} ({parsed.render_as_string(hide_password=True)}): "
            "the suite drops and empties every table of TEST_DATABASE_URL, so its name must be 'test' "
            "or start with 'test_' or end with '_test'"
        )
