"""A member's dashboard: only their own figures, revenue and spend by local month (refunds in the
month decided), top commodities, offers received, open negotiations, small SVG charts with a table
alternative, and a number of queries that does not grow with the number of orders."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import pytz
from sqlalchemy import event

from app.core.clock import utcnow
from app.market import dashboards
from app.market.charts_small import bar_chart
from tests.factories import make_member, make_posting
from tests.market.report_data import make_order, resolve_with_refund
from tests.trade.helpers import place_order_by_buy_now, start_thread, walk


def local_month(moment) -> str:
    return moment.astimezone(pytz.timezone("Asia/Shanghai")).strftime("%Y-%m")


@pytest.fixture
def people(db):
    return {
        "an": make_member(display_name="Seller An"),
        "du": make_member(display_name="Seller Du"),
        "bai": make_member(display_name="Buyer Bai", is_seller=False),
        "cao": make_member(display_name="Buyer Cao", is_seller=False),
        "admin": make_member(display_name="Admin", is_admin=True),
    }


@pytest.fixture
def sales(people):
    """An sold maize (100.00) and rice (250.50) to Bai; Du sold apples (1000.00) to Cao."""
    moment = utcnow() - timedelta(hours=2)
    an, du, bai, cao = (people[k] for k in ("an", "du", "bai", "cao"))
    return [
        make_order(an, bai, "maize", "100.00", moment - timedelta(days=1), status="completed", completed=moment),
        make_order(an, bai, "rice", "250.50", moment - timedelta(days=1), status="completed", completed=moment),
        make_order(du, cao, "apple", "1000.00", moment - timedelta(days=1), status="completed", completed=moment),
        make_order(an, cao, "rice", "9.99", moment, status="placed"),
    ]


def test_dashboard_needs_login(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_seller_sees_only_their_own_sales(client, login, people, sales):
    login(people["an"])
    text = client.get("/dashboard").get_data(as_text=True)
    assert "¥350.50" in text  # revenue over 12 months
    assert "Maize" in text and "Rice" in text
    assert "Apple" not in text and "¥1,000.00" not in text

    login(people["du"])
    text = client.get("/dashboard").get_data(as_text=True)
    assert "¥1,000.00" in text and "Apple" in text
    assert "¥350.50" not in text and "Maize" not in text


def test_seller_figures_by_status_and_top_commodities(app, people, sales):
    seller = dashboards.seller_dashboard(people["an"])
    assert seller.orders_by_status == {"completed": 2, "placed": 1}
    assert [(f.commodity.slug, f.orders, f.amount) for f in seller.top_commodities] == [
        ("rice", 1, Decimal("250.50")),
        ("maize", 1, Decimal("100.00")),
    ]
    this_month = local_month(sales[0].completed_at)
    assert len(seller.revenue_by_month) == 12 and seller.revenue_by_month[-1].month == this_month
    assert seller.revenue_by_month[-1].amount == Decimal("350.50")
    assert sum(point.amount for point in seller.revenue_by_month[:-1]) == 0
    assert seller.postings_by_status == {"active": 3}


def test_a_refund_lowers_revenue_and_spend_in_the_month_it_was_decided(app, people, sales):
    long_ago = utcnow() - timedelta(days=70)
    old = make_order(
        people["an"],
        people["bai"],
        "maize",
        "500.00",
        long_ago - timedelta(days=1),
        status="completed",
        completed=long_ago,
    )
    resolve_with_refund(old, people["admin"], "120.00", utcnow() - timedelta(hours=1))
    seller = dashboards.seller_dashboard(people["an"])
    by_month = {point.month: point.amount for point in seller.revenue_by_month}
    assert by_month[local_month(long_ago)] == Decimal("500.00")
    assert by_month[local_month(utcnow())] == Decimal("350.50") - Decimal("120.00")
    buyer = dashboards.buyer_dashboard(people["bai"])
    assert {point.month: point.amount for point in buyer.spend_by_month}[local_month(utcnow())] == Decimal("230.50")


def test_revenue_chart_is_svg_with_a_bar_per_month_and_a_table(client, login, people, sales):
    login(people["an"])
    text = client.get("/dashboard").get_data(as_text=True)
    chart = re.search(r'<svg class="chart".*?</svg>', text, re.S).group(0)
    assert 'aria-label="Revenue by month, last 12 months"' in chart
    bars = re.findall(r'<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', chart)
    assert len(bars) == 12
    assert [float(height) for _y, height in bars[:-1]] == [0.0] * 11 and float(bars[-1][1]) > 100
    assert f"<title>{local_month(sales[0].completed_at)}: ¥350.50</title>" in chart
    assert f"<td>{local_month(sales[0].completed_at)}</td><td>¥350.50</td>" in text


def test_buyer_sees_spend_and_only_their_own_open_negotiations(client, login, people, sales):
    posting = make_posting(
        owner=people["du"], commodity="peanut", title="Red-skin peanuts", unit_code="kg", price=Decimal("9.00")
    )
    thread = start_thread(client, login, posting, people["bai"])
    text = client.get("/dashboard").get_data(as_text=True)  # still logged in as Bai
    assert "Red-skin peanuts" in text and f"/negotiations/{thread.id}" in text
    assert "¥350.50" in text  # Bai's spend
    assert "Selling" not in text  # Bai only buys

    login(people["cao"])
    text = client.get("/dashboard").get_data(as_text=True)
    assert "Red-skin peanuts" not in text and "¥1,000.00" in text


def test_seller_sees_offers_received_and_interest_in_postings(client, login, people):
    posting = make_posting(
        owner=people["du"], commodity="peanut", title="Red-skin peanuts", unit_code="kg", price=Decimal("9.00")
    )
    start_thread(client, login, posting, people["bai"])
    start_thread(client, login, posting, people["cao"])
    seller = dashboards.seller_dashboard(people["du"])
    assert seller.offers_received == {"open": 2}
    assert [(item.posting.title, item.negotiations, item.open_negotiations) for item in seller.interest] == [
        ("Red-skin peanuts", 2, 2)
    ]
    login(people["du"])
    assert "2 negotiations" in client.get("/dashboard").get_data(as_text=True)
    # The buyers' own offers are not "received" by them.
    assert dashboards.seller_dashboard(people["bai"]).offers_received == {}


def test_an_order_completed_through_the_app_shows_as_revenue(client, login, people):
    seller, buyer = people["du"], people["bai"]
    posting = make_posting(
        owner=seller, commodity="peanut", unit_code="kg", quantity=Decimal("50"), price=Decimal("8.40")
    )
    order = place_order_by_buy_now(client, login, posting, buyer, quantity="5")
    walk(
        client,
        login,
        order,
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    )
    login(seller)
    text = client.get("/dashboard").get_data(as_text=True)
    assert "¥42.00" in text and "Peanut" in text


def test_query_count_does_not_grow_with_orders(app, client, login, db, people, sales):
    def count_queries() -> int:
        statements = []

        def record(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            login(people["an"])
            assert client.get("/dashboard").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    before = count_queries()
    for days in range(1, 8):
        moment = utcnow() - timedelta(days=days * 20)
        make_order(
            people["an"],
            people["cao"],
            ["maize", "rice", "apple", "peanut"][days % 4],
            "10.00",
            moment,
            status="completed",
            completed=moment,
        )
    assert count_queries() == before


def test_bar_chart_scales_bars_and_escapes_labels():
    chart = str(
        bar_chart([("<b>", Decimal("50")), ("2026-03", Decimal("100")), ("x", Decimal("-5"))], 'Sales "&" <more>')
    )
    assert 'aria-label="Sales &#34;&amp;&#34; &lt;more&gt;"' in chart
    assert "<b>" not in chart and "&lt;b&gt;" in chart
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', chart)]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2) and heights[2] == 0.0
    assert ">03</text>" in chart  # a month label shows its month number
    assert str(bar_chart([], "Empty")) == ""
