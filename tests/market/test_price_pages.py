"""/prices and /prices/<commodity>: the table with ▲▼ against 7 days, the province filter, and the
90-day SVG chart with its points, <title>/<desc> and table alternative."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from app.market.charts import line_chart
from app.postings.services import local_today
from tests.market.price_data import history, reference


def test_chart_geometry_places_each_day_and_value():
    start = date(2026, 1, 1)
    end = start + timedelta(days=10)
    chart = line_chart(
        [(start + timedelta(days=5), Decimal("3")), (start, Decimal("2")), (end, Decimal("4"))], start, end
    )
    # x runs 48 → 352 over 10 days (30.4 per day); y runs 176 (value 2) → 10 (value 4).
    assert chart.polyline == "48.0,176.0 200.0,93.0 352.0,10.0"
    assert [t.value for t in chart.y_ticks] == [
        Decimal("2.00"),
        Decimal("2.50"),
        Decimal("3.00"),
        Decimal("3.50"),
        Decimal("4.00"),
    ]


def test_a_flat_series_sits_in_the_middle_and_days_outside_are_dropped():
    start = date(2026, 1, 1)
    chart = line_chart(
        [(start, Decimal("5")), (start - timedelta(days=1), Decimal("9"))], start, start + timedelta(days=1)
    )
    assert chart.polyline == "48.0,93.0"


def test_prices_table_shows_change_against_seven_days(client, db):
    today = local_today()
    history("maize", today, "2.0000")
    reference("maize", today, "2.2000")
    history("rice", today, "4.0000")
    reference("rice", today, "3.6000")
    page = client.get("/prices", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Maize" in page and "Rice" in page
    assert re.search(r"▲</span><span class=\"visually-hidden\">up</span> 10.0%", page)
    assert re.search(r"▼</span><span class=\"visually-hidden\">down</span> 10.0%", page)
    assert "¥2.20/kg" in page


def test_prices_are_per_jin_in_chinese(client, db):
    reference("maize", local_today(), "2.2000")
    page = client.get("/prices", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "¥1.10/斤" in page


def test_province_filter_shows_that_provinces_prices(client, db):
    today = local_today()
    reference("maize", today, "2.2000")
    reference("rice", today, "3.3000", province="43")
    page = client.get("/prices?province=43", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Rice" in page and "Maize" not in page
    assert client.get("/prices?province=99").status_code == 400
    assert client.get("/prices?province=<script>").status_code == 400


def test_commodity_page_draws_the_90_day_chart_with_a_table(client, db):
    today = local_today()
    reference("maize", today - timedelta(days=89), "2.0000")
    reference("maize", today - timedelta(days=45), "3.0000")
    reference("maize", today, "4.0000")
    reference("maize", today - timedelta(days=120), "9.0000")  # outside the 90 days
    response = client.get("/prices/maize", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    # x: 48 + days since the first × 304 / 89 (44 days → 198.3); y: value 2 → 176, 4 → 10.
    assert '<polyline points="48.0,176.0 198.3,93.0 352.0,10.0"' in svg
    assert svg.count("<circle") == 3
    assert '<title id="chart-title">Maize price per kg, last 90 days</title>' in svg
    assert "3 days with prices between ¥2.00 and ¥4.00 per kg" in svg
    assert "9.00" not in svg
    table = page[page.index("<table") :]
    assert table.count("<tr>") == 4  # header + three days
    assert "¥4.00/kg" in table


def test_commodity_page_without_prices_and_unknown_commodity(client, db):
    page = client.get("/prices/maize", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No prices yet" in page and "No prices in this period." in page
    assert client.get("/prices/unobtainium").status_code == 404


def test_province_filter_returns_only_the_table_to_htmx(client, db):
    reference("rice", local_today(), "3.3000", province="43")
    response = client.get("/prices?province=43", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="price-table"')
    assert "Rice" in page and "<html" not in page
    assert "HX-Request" in response.headers["Vary"]
