"""The SMS parser's catalogue built straight from the reference CSVs, as app/notify builds it from the
database: every real alias, unit word and province name takes part in the tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import settings

from sms.catalogue import Catalogue

# Property tests: the same examples on every run (a CI failure can be re-run as it was), no time limit
# per example (CI shares two cores with PostgreSQL and browsers), and no example database on disk.
settings.register_profile("jishi", derandomize=True, deadline=None, database=None)
settings.load_profile("jishi")

DATA = Path(__file__).resolve().parents[2] / "app" / "catalogue" / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.build(
        commodities=[
            (
                row["slug"],
                [row["name_en"], row["name_zh"], *row["aliases_en"].split("|"), *row["aliases_zh"].split("|")],
            )
            for row in _rows("commodities.csv")
        ],
        units=[(row["code"], row["kg_per_unit"], [row["name_en"], row["name_zh"]]) for row in _rows("units.csv")],
        provinces=[(row["code"], [row["name_en"], row["name_zh"]]) for row in _rows("regions-cn.csv")],
    )
