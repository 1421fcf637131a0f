"""The open-data API /api/prices: filters, JSON and CSV shapes, CSV escaping, bad parameters, rate limit."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from app.catalogue.models import Commodity
from app.catalogue.services import find_commodity
from app.market.open_data import FIELDS, safe_cell
from app.postings.services import local_today
from tests.market.price_data import reference


@pytest.fixture
def prices(db):
    today = local_today()
    reference("maize", today, "2.5000")
    reference("maize", today, "2.4000", province="41")
    reference("maize", today - timedelta(days=3), "2.2000")
    reference("maize", today - timedelta(days=40), "1.9000")
    reference("rice", today, "4.1000", trade_price_per_kg=Decimal("4.1000"), trade_volume_kg=Decimal("12.500"))
    return today


def test_json_defaults_to_national_rows_of_the_last_30_days(client, prices):
    response = client.get("/api/prices")
    assert response.status_code == 200
    data = response.get_json()
    assert data["fields"] == list(FIELDS)
    assert data["to"] == prices.isoformat()
    assert data["from"] == (prices - timedelta(days=29)).isoformat()
    assert [(r["date"], r["commodity"], r["province"]) for r in data["rows"]] == [
        ((prices - timedelta(days=3)).isoformat(), "maize", None),
        (prices.isoformat(), "maize", None),
        (prices.isoformat(), "rice", None),
    ]
    rice = data["rows"][2]
    assert rice["trade_price_per_kg"] == "4.1000" and rice["trade_volume_kg"] == "12.500"
    assert rice["commodity_name_zh"] == "大米" and rice["observations"] == 1
    assert set(rice) == set(FIELDS)


def test_filters_by_commodity_province_and_dates(client, prices):
    rows = client.get("/api/prices?commodity=maize&province=41").get_json()["rows"]
    assert [(r["province"], r["report_price_per_kg"]) for r in rows] == [("41", "2.4000")]

    start = (prices - timedelta(days=50)).isoformat()
    end = (prices - timedelta(days=1)).isoformat()
    rows = client.get(f"/api/prices?commodity=maize&from={start}&to={end}").get_json()["rows"]
    assert [r["report_price_per_kg"] for r in rows] == ["1.9000", "2.2000"]

    rows = client.get("/api/prices?commodity=maize,rice&province=all").get_json()["rows"]
    assert sorted((r["commodity"], r["province"] or "") for r in rows if r["date"] == prices.isoformat()) == [
        ("maize", ""),
        ("maize", "41"),
        ("rice", ""),
    ]


def test_csv_has_a_bom_a_header_and_the_same_rows(client, prices):
    response = client.get("/api/prices?format=csv&commodity=rice")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(FIELDS)
    assert rows[1][:5] == [prices.isoformat(), "rice", "Rice", "大米", ""]
    assert rows[1][FIELDS.index("trade_price_per_kg")] == "4.1000"
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Maize", "Maize"),
        ("2.5000", "2.5000"),
        (None, ""),
        (7, "7"),
    ],
)
def test_csv_cells_that_look_like_formulas_are_escaped(value, expected):
    assert safe_cell(value) == expected


def test_csv_escapes_a_formula_in_a_commodity_name(client, db):
    maize = find_commodity("maize")
    evil = Commodity(
        slug="evil",
        name_en="=cmd|' /C calc'!A0",
        name_zh="@中文",
        category_id=maize.category_id,
        default_unit_code="kg",
    )
    db.session.add(evil)
    db.session.commit()
    reference("evil", local_today(), "1.0000")
    text = client.get("/api/prices?format=csv&commodity=evil").get_data().decode("utf-8")
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
    assert row[2] == "'=cmd|' /C calc'!A0"
    assert row[3] == "'@中文"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("commodity=unobtainium", "commodity"),
        ("province=99", "province"),
        ("province=4", "province"),
        ("province=%27%3B--", "province"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-11-20&to=2026-11-01", "from must not be after to"),
        ("from=2020-01-01&to=2026-01-01", "at most 366 days"),
        ("format=xml", "format"),
        ("commodity=" + ",".join(["maize"] * 51), "at most 50"),
    ],
)
def test_bad_parameters_get_a_400_json_error(client, db, query, message):
    response = client.get("/api/prices?" + query)
    assert response.status_code == 400
    assert response.is_json
    assert message in response.get_json()["error"]


def test_the_api_is_rate_limited(client, app, db):
    app.config["PRICES_API_RATE_LIMIT"] = "2 per minute"
    headers = {"X-Forwarded-For": "203.0.113.9"}
    environ = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/api/prices", environ_base=environ, headers=headers).status_code == 200
    assert client.get("/api/prices", environ_base=environ, headers=headers).status_code == 200
    response = client.get("/api/prices", environ_base=environ, headers=headers)
    assert response.status_code == 429
    assert "rate limit" in response.get_json()["error"]
