"""Dashboard and report views: a member's own dashboard and settlement statements, the admins'
grouped reports and settlement statements per seller. Every report page downloads as CSV with
``?format=csv`` (app/web/csv_export.py).

Only read: nothing here writes or commits. A member only ever sees figures of their own orders and
postings (the queries take the signed-in member, never an id from the URL); admin pages are behind
admin_required (403 for members).
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.formatting import money
from app.extensions import db
from app.market import bp, dashboards, reports
from app.market.charts_small import bar_chart
from app.members.models import Member
from app.postings.services import local_today
from app.postings.services import status_label as posting_status_label
from app.trade.labels import NEGOTIATION_STATUS, ORDER_STATUS
from app.web.csv_export import csv_response
from app.web.decorators import admin_required

DIMENSION_LABELS = {
    "commodity": lambda: _("Commodity"),
    "category": lambda: _("Category"),
    "province": lambda: _("Province"),
    "month": lambda: _("Month"),
}


@bp.context_processor
def _report_helpers():
    return {"dimension_label": lambda name: DIMENSION_LABELS[name]()}


def _wants_csv() -> bool:
    return request.args.get("format") == "csv"


# ---------------------------------------------------------------------------------------------
# A member's dashboard


@bp.get("/dashboard")
@login_required
def dashboard():
    member = current_user._get_current_object()
    show_seller, show_buyer = dashboards.sections(member)
    seller = dashboards.seller_dashboard(member) if show_seller else None
    buyer = dashboards.buyer_dashboard(member) if show_buyer else None
    charts = {}
    if seller is not None:
        charts["revenue"] = bar_chart(
            [(point.month, point.amount) for point in seller.revenue_by_month],
            _("Revenue by month, last 12 months"),
            money,
        )
    if buyer is not None:
        charts["spend"] = bar_chart(
            [(point.month, point.amount) for point in buyer.spend_by_month],
            _("Spend by month, last 12 months"),
            money,
        )
    return render_template(
        "market/dashboard.html",
        seller=seller,
        buyer=buyer,
        charts=charts,
        current_month=local_today().strftime("%Y-%m"),
        posting_status_name=posting_status_label,
        offer_status_name=lambda status: str(NEGOTIATION_STATUS.get(status, status)),
        order_status_name=lambda status: str(ORDER_STATUS.get(status, status)),
    )


@bp.get("/dashboard/statements/<period>")
@login_required
def my_statement(period: str):
    member = current_user._get_current_object()
    return _statement_page(member, reports.parse_period(period), own=True)


# ---------------------------------------------------------------------------------------------
# Admin reports


@bp.get("/admin/trade-reports")
@admin_required
def admin_reports():
    # A first visit (no arguments) groups by month; a submitted form with nothing ticked shows totals.
    chosen = request.args.getlist("by") if request.args else ["month"]
    dimensions = reports.parse_dimensions(chosen)
    first_day = reports.parse_day(request.args.get("from"), _("Start date"))
    last_day = reports.parse_day(request.args.get("to"), _("End date"))
    report = reports.build_report(dimensions, first_day, last_day)
    if _wants_csv():
        return _report_csv(report)
    # Built here rather than with url_with(): that keeps only the first of the repeated "by" values.
    csv_url = url_for(
        "market.admin_reports",
        by=list(dimensions),
        format="csv",
        **{"from": request.args.get("from", ""), "to": request.args.get("to", "")},
    )
    return render_template("market/report.html", report=report, dimensions=reports.DIMENSIONS, csv_url=csv_url)


@bp.get("/admin/trade-reports/settlements")
@admin_required
def admin_settlements():
    period = reports.parse_period(request.args.get("period") or local_today().strftime("%Y-%m"))
    rows = reports.settlements(period)
    if _wants_csv():
        return csv_response(
            f"settlements-{period.text}.csv",
            [
                _("Period"),
                _("Seller number"),
                _("Seller"),
                _("Phone"),
                _("Orders"),
                _("Sales"),
                _("Refunds"),
                _("Net"),
                _("Fee rate (%)"),
                _("Fee"),
                _("Payout"),
                _("Paid out"),
            ],
            (
                [
                    period.text,
                    row.seller.id,
                    row.seller.display_name,
                    row.seller.phone,
                    row.orders,
                    row.sales,
                    row.refunds,
                    row.net,
                    row.fee_percent,
                    row.fee,
                    row.payout,
                    "" if row.paid_out is None else row.paid_out,
                ]
                for row in rows
            ),
        )
    return render_template(
        "market/report_settlements.html",
        period=period,
        rows=rows,
        fee_percent=reports.fee_percent(),
        pays_out=any(row.paid_out is not None for row in rows),
    )


@bp.get("/admin/trade-reports/settlements/<int:seller_id>")
@admin_required
def admin_statement(seller_id: int):
    seller = db.session.get(Member, seller_id)
    if seller is None:
        abort(404)
    period = reports.parse_period(request.args.get("period") or local_today().strftime("%Y-%m"))
    return _statement_page(seller, period, own=False)


def _statement_page(seller: Member, period, own: bool):
    summary, lines = reports.statement(seller, period)
    if _wants_csv():
        return csv_response(
            f"statement-{seller.id}-{period.text}.csv",
            [_("Date"), _("Kind"), _("Order"), _("Goods"), _("Buyer"), _("Amount")],
            _statement_rows(summary, lines),
        )
    return render_template("market/report_statement.html", summary=summary, lines=lines, own=own)


def _statement_rows(summary, lines):
    for line in lines:
        yield [
            format_date(line.moment, "yyyy-MM-dd"),
            _("Sale") if line.kind == "sale" else _("Refund"),
            line.order.number,
            line.order.title,
            line.order.buyer.display_name,
            line.amount,
        ]
    yield ["", "", "", "", _("Sales"), summary.sales]
    yield ["", "", "", "", _("Refunds"), -summary.refunds]
    yield ["", "", "", "", _("Net"), summary.net]
    yield ["", "", "", "", _("Fee (%(percent)s%%)", percent=summary.fee_percent), -summary.fee]
    yield ["", "", "", "", _("Payout"), summary.payout]


def _report_csv(report):
    locale = str(get_locale() or "en")
    header = [DIMENSION_LABELS[name]() for name in report.dimensions]
    header += [_("Orders"), _("GMV"), _("Active members"), _("Sell postings"), _("Buy postings")]

    def label(value) -> str:
        if value is None:
            return _("Unknown")
        return value if isinstance(value, str) else value.name(locale)

    def figures(row):
        return [row.orders, row.gmv, row.active_members, row.sell_postings, row.buy_postings]

    rows = [[label(row.values[name]) for name in report.dimensions] + figures(row) for row in report.rows]
    total_labels = [_("Total")] + [""] * (len(report.dimensions) - 1) if report.dimensions else []
    rows.append(total_labels + figures(report.total))
    dims = "-".join(report.dimensions) or "total"
    return csv_response(f"report-{dims}.csv", header, rows)
