"""Admin reports: figures grouped by any combination of commodity, category, province and month
(local months, cancelled orders left out), the date range, settlement statements with refunds and
fees, CSV downloads, admin-only access and garbage parameters refused with 400."""

from __future__ import annotations

import csv
import io
import itertools
import re
from decimal import Decimal

import pytest
from sqlalchemy import event

from app.market import reports
from tests.factories import make_member, make_posting
from tests.market.report_data import make_order, resolve_with_refund, utc

RANGE = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def people(db):
    return {
        "a": make_member(display_name="Seller An"),
        "b": make_member(display_name="Buyer Bai"),
        "c": make_member(display_name="Buyer Cao"),
        "d": make_member(display_name="Seller Du"),
        "admin": make_member(display_name="Admin", is_admin=True, is_seller=False, is_buyer=False),
    }


@pytest.fixture
def orders(people):
    """Four orders in Q1 2026 (Henan 41 / Hunan 43; maize and rice are grains, apple is fruit)."""
    a, b, c, d = (people[k] for k in "abcd")
    return [
        make_order(
            a, b, "maize", "100.00", utc(2026, 1, 10), province="41", status="completed", completed=utc(2026, 1, 20)
        ),
        # 17:00 UTC on 31 January is 01:00 on 1 February in China: a February order.
        make_order(
            a, c, "rice", "250.50", utc(2026, 1, 31, 17), province="43", status="completed", completed=utc(2026, 2, 3)
        ),
        make_order(d, b, "maize", "49.99", utc(2026, 2, 15), province="43", status="cancelled"),
        make_order(d, c, "apple", "1000.00", utc(2026, 3, 5), province="41", status="placed"),
    ]


def _rows(report):
    """{(dimension labels…): (orders, gmv, active members)} in English names."""

    def label(value):
        return value if isinstance(value, str) or value is None else value.name_en

    return {
        tuple(label(row.values[d]) for d in report.dimensions): (row.orders, row.gmv, row.active_members)
        for row in report.rows
    }


def test_orders_and_gmv_by_local_month_leave_out_cancelled_orders(app, orders):
    report = reports.build_report(("month",), *_days())
    assert _rows(report) == {
        ("2026-01",): (1, Decimal("100.00"), 2),  # An and Bai
        ("2026-02",): (1, Decimal("250.50"), 4),  # An, Cao, and Du/Bai whose order was cancelled
        ("2026-03",): (1, Decimal("1000.00"), 2),
    }
    assert (report.total.orders, report.total.gmv, report.total.active_members) == (3, Decimal("1350.50"), 4)


def test_grouping_by_commodity_and_province(app, orders):
    report = reports.build_report(("commodity", "province"), *_days())
    assert _rows(report) == {
        ("Apple", "Henan"): (1, Decimal("1000.00"), 2),
        ("Maize", "Henan"): (1, Decimal("100.00"), 2),
        ("Maize", "Hunan"): (0, Decimal("0.00"), 2),
        ("Rice", "Hunan"): (1, Decimal("250.50"), 2),
    }


def test_grouping_by_category_adds_up_commodities(app, orders):
    report = reports.build_report(("category",), *_days())
    assert _rows(report) == {
        ("Fruit",): (1, Decimal("1000.00"), 2),
        ("Grains",): (2, Decimal("350.50"), 4),
    }


@pytest.mark.parametrize(
    "dimensions", [combo for size in range(5) for combo in itertools.combinations(reports.DIMENSIONS, size)]
)
def test_every_combination_of_dimensions_adds_up_to_the_total(app, orders, dimensions):
    report = reports.build_report(dimensions, *_days())
    assert (report.total.orders, report.total.gmv, report.total.active_members) == (3, Decimal("1350.50"), 4)
    if dimensions:
        assert sum(row.orders for row in report.rows) == 3
        assert sum((row.gmv for row in report.rows), Decimal(0)) == Decimal("1350.50")
    # One row per distinct combination of the orders' (and the cancelled order's) values.
    facts = [
        ("maize", "grains", "41", "2026-01"),
        ("rice", "grains", "43", "2026-02"),
        ("maize", "grains", "43", "2026-02"),
        ("apple", "fruit", "41", "2026-03"),
    ]
    positions = [reports.DIMENSIONS.index(d) for d in dimensions]
    expected = {tuple(fact[p] for p in positions) for fact in facts}
    assert len(report.rows) == (len(expected) if dimensions else 0)


def test_date_range_keeps_only_orders_placed_in_it(app, orders):
    report = reports.build_report(
        ("month",), reports.parse_day("2026-02-01", "Start date"), reports.parse_day("2026-02-28", "End date")
    )
    assert _rows(report) == {("2026-02",): (1, Decimal("250.50"), 4)}


def test_postings_are_counted_by_kind_and_province_when_published(app, db, people, orders):
    old_sell = make_posting(owner=people["a"], commodity="rice", province_code="43")
    old_buy = make_posting(owner=people["b"], commodity="rice", kind="buy", province_code="43")
    for posting in (old_sell, old_buy):
        posting.published_at = utc(2026, 2, 10)
    db.session.commit()
    report = reports.build_report(("province", "month"), *_days())
    rows = {
        (row.values["province"].name_en, row.values["month"]): (row.sell_postings, row.buy_postings)
        for row in report.rows
    }
    assert rows[("Hunan", "2026-02")] == (1, 1)
    assert rows[("Henan", "2026-01")] == (0, 0)
    # The postings behind the orders were published today, outside the range.
    assert (report.total.sell_postings, report.total.buy_postings) == (1, 1)


def test_report_page_shows_the_figures_and_the_csv_matches(client, login, people, orders):
    login(people["admin"])
    page = client.get("/admin/trade-reports", query_string={"by": ["commodity", "month"], **RANGE})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "¥1,350.50" in text and "Rice" in text and "2026-02" in text

    csv_link = re.search(r'href="([^"]*format=csv[^"]*)"', text).group(1).replace("&amp;", "&")
    assert csv_link.count("by=") == 2
    download = client.get(csv_link)
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert download.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert rows[0] == ["Commodity", "Month", "Orders", "GMV", "Active members", "Sell postings", "Buy postings"]
    assert ["Rice", "2026-02", "1", "250.50", "2", "0", "0"] in rows
    assert rows[-1] == ["Total", "", "3", "1350.50", "4", "0", "0"]


def test_csv_names_are_chinese_for_a_chinese_admin(client, login, people, orders, db):
    people["admin"].locale = "zh_Hans"
    db.session.commit()
    login(people["admin"])
    download = client.get("/admin/trade-reports", query_string={"by": ["province"], "format": "csv", **RANGE})
    text = download.data.decode("utf-8-sig")
    assert "河南省" in text and "湖南省" in text


def test_reports_are_for_admins_only(client, login, people):
    urls = (
        "/admin/trade-reports",
        "/admin/trade-reports?format=csv",
        "/admin/trade-reports/settlements?period=2026",
        f"/admin/trade-reports/settlements/{people['a'].id}?period=2026&format=csv",
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(people["a"])
    for url in urls:
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"by": "seller"}, "Unknown report grouping"),
        ({"by": "month", "from": "2026-13-01"}, "Start date: enter a date like 2026-03-31."),
        ({"by": "month", "to": "yesterday"}, "End date: enter a date like 2026-03-31."),
        ({"by": "month", "from": "20260301"}, "Start date: enter a date like 2026-03-31."),
        ({"by": "month", "from": "0001-01-01"}, "Start date: enter a date like 2026-03-31."),
        ({"by": "month", "to": "9999-12-31"}, "End date: enter a date like 2026-03-31."),
        ({"by": "month", "from": "2026-03-01", "to": "2026-02-01"}, "The start date is after the end date."),
    ],
)
def test_report_garbage_is_refused_with_400(client, login, people, query, message):
    login(people["admin"])
    response = client.get("/admin/trade-reports", query_string=query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_report_with_nothing_ticked_shows_totals_only(client, login, people, orders):
    login(people["admin"])
    response = client.get("/admin/trade-reports", query_string=RANGE)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "¥1,350.50" in text and "2026-02" not in text
    csv_link = re.search(r'href="([^"]*format=csv[^"]*)"', text).group(1).replace("&amp;", "&")
    rows = list(csv.reader(io.StringIO(client.get(csv_link).data.decode("utf-8-sig"))))
    assert rows == [
        ["Orders", "GMV", "Active members", "Sell postings", "Buy postings"],
        ["3", "1350.50", "4", "0", "0"],
    ]


# ---------------------------------------------------------------------------------------------
# Settlement statements


@pytest.fixture
def settled(people, orders):
    """Seller An: Jan 100.00 (completed 20 Jan) and 80.00 (completed 25 Jan, 30.00 refunded on
    10 Feb); Feb 250.50 (completed 3 Feb) and 40.00 (never completed, dispute resolved 12 Feb
    without refund). Seller Du: completed at 16:30 UTC on 31 Jan, which is February in China."""
    a, b, c, d, admin = (people[k] for k in ("a", "b", "c", "d", "admin"))
    refunded = make_order(a, b, "rice", "80.00", utc(2026, 1, 22), status="completed", completed=utc(2026, 1, 25))
    resolve_with_refund(refunded, admin, "30.00", utc(2026, 2, 10))
    never_completed = make_order(a, c, "maize", "40.00", utc(2026, 2, 1), status="delivered")
    resolve_with_refund(never_completed, admin, None, utc(2026, 2, 12), outcome="none")
    make_order(d, b, "apple", "70.00", utc(2026, 1, 20), status="completed", completed=utc(2026, 1, 31, 16, 30))
    return people


def test_monthly_settlement_counts_sales_when_completed_and_refunds_when_decided(app, settled):
    january = {s.seller.display_name: s for s in reports.settlements(reports.parse_period("2026-01"))}
    assert set(january) == {"Seller An"}
    assert (january["Seller An"].orders, january["Seller An"].sales, january["Seller An"].refunds) == (
        2,
        Decimal("180.00"),
        Decimal("0.00"),
    )

    february = {s.seller.display_name: s for s in reports.settlements(reports.parse_period("2026-02"))}
    an = february["Seller An"]
    assert (an.orders, an.sales, an.refunds_count, an.refunds, an.net) == (
        2,
        Decimal("290.50"),
        1,
        Decimal("30.00"),
        Decimal("260.50"),
    )
    assert (february["Seller Du"].orders, february["Seller Du"].sales) == (1, Decimal("70.00"))
    assert an.fee == Decimal("0.00") and an.payout == Decimal("260.50")


def test_annual_settlement_adds_up_the_months_and_applies_the_fee(app, settled):
    app.config["MARKET_FEE_PERCENT"] = Decimal("2.5")
    year = {s.seller.display_name: s for s in reports.settlements(reports.parse_period("2026"))}
    an = year["Seller An"]
    assert (an.orders, an.sales, an.refunds, an.net) == (4, Decimal("470.50"), Decimal("30.00"), Decimal("440.50"))
    assert an.fee == Decimal("11.01")  # 11.0125 rounded half-up
    assert an.payout == Decimal("429.49")
    february = {s.seller.display_name: s for s in reports.settlements(reports.parse_period("2026-02"))}
    assert february["Seller An"].fee == Decimal("6.51")  # 2.5 % of 260.50 = 6.5125


def test_statement_page_and_csv_list_each_sale_and_refund(client, login, settled):
    app_admin, an = settled["admin"], settled["a"]
    login(app_admin)
    page = client.get(f"/admin/trade-reports/settlements/{an.id}", query_string={"period": "2026-02"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Rice lot" in text and "¥260.50" in text and "Refund" in text

    download = client.get(
        f"/admin/trade-reports/settlements/{an.id}", query_string={"period": "2026-02", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Kind", "Order", "Goods", "Buyer", "Amount"]
    amounts = [row[5] for row in rows[1:-5]]
    assert sorted(amounts) == sorted(["250.50", "-30.00", "40.00"])
    assert rows[-3][4:] == ["Net", "260.50"] and rows[-1][4:] == ["Payout", "260.50"]
    # Dates are local: the refund decided on 10 Feb at 12:00 UTC.
    assert ["2026-02-10", "Refund"] == rows[[row[5] for row in rows].index("-30.00")][:2]


def test_settlement_list_page_and_csv(client, login, settled):
    login(settled["admin"])
    page = client.get("/admin/trade-reports/settlements", query_string={"period": "2026-02"})
    assert page.status_code == 200
    assert "Seller An" in page.get_data(as_text=True) and "Seller Du" in page.get_data(as_text=True)
    download = client.get("/admin/trade-reports/settlements", query_string={"period": "2026-02", "format": "csv"})
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    an = next(row for row in rows if row[2] == "Seller An")
    # The last column, paid out by split settlements, is empty while no payment service splits.
    assert an[0] == "2026-02" and an[4:] == ["2", "290.50", "30.00", "260.50", "0", "0.00", "260.50", ""]
    # The phone starts with "+": escaped so a spreadsheet does not read it as a formula.
    assert an[3].startswith("'+86")


@pytest.mark.parametrize("period", ["abc", "2026-13", "2026-00", "26-01", "1999", "2026-1", "2026-01-01"])
def test_bad_periods_are_refused_with_400(client, login, people, period):
    login(people["admin"])
    assert client.get("/admin/trade-reports/settlements", query_string={"period": period}).status_code == 400
    login(people["a"])
    assert client.get(f"/dashboard/statements/{period}").status_code == 400


def test_statement_of_an_unknown_seller_is_404(client, login, people):
    login(people["admin"])
    assert client.get("/admin/trade-reports/settlements/999999?period=2026").status_code == 404


def test_a_seller_sees_only_their_own_statement(client, login, settled):
    login(settled["d"])
    page = client.get("/dashboard/statements/2026-02")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Apple lot" in text and "¥70.00" in text
    assert "Rice lot" not in text and "¥260.50" not in text


def _days():
    return reports.parse_day(RANGE["from"], "Start date"), reports.parse_day(RANGE["to"], "End date")


def test_report_query_count_does_not_grow_with_groups(app, db, people, orders):
    def count_queries() -> int:
        statements = []
        record = lambda _conn, _cursor, statement, *_rest: statements.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            reports.build_report(reports.DIMENSIONS)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len([statement for statement in statements if statement.startswith("SELECT")])

    before = count_queries()
    for month, commodity, province in [(4, "wheat", "11"), (5, "peanut", "44"), (6, "tomato", "51")]:
        make_order(people["a"], people["c"], commodity, "5.00", utc(2026, month, 2), province=province)
    # Three grouped queries, three for the totals, one per catalogue dimension for the names.
    assert count_queries() == before == 9
