"""Price views: the price table, a commodity's 90-day chart, the open-data API, market reports,
members' price alerts, a station's village list and its printable notice board."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.catalogue.models import Commodity, Region
from app.catalogue.services import all_regions
from app.core.errors import DomainError
from app.core.formatting import localized
from app.core.urls import public_url
from app.extensions import db, limiter
from app.market import bp, charts, open_data, subscriptions
from app.market.forms import MarketReportForm, StationNumbersForm, SubscriptionForm
from app.market.market_reports import can_report, recent_reports, record_market_report
from app.market.prices import latest_reference, latest_references, reference_series
from app.postings.services import local_today
from app.trade.qr import qr_svg
from app.web.decorators import station_required
from app.web.errors import render_error
from app.web.htmx import render_page_or_fragment

CHART_DAYS = 90


def _form_status() -> int:
    # A form shown again after a failed post is an error response; the first display is not.
    return 422 if request.method == "POST" else 200


def _province_arg() -> Region | None:
    """The ?province= filter: None for the whole country; 400 for an unknown code."""
    code = (request.args.get("province") or "").strip()
    if not code:
        return None
    region = db.session.get(Region, code) if len(code) == 2 else None
    if region is None:
        raise DomainError(_("Unknown province."), status=400)
    return region


@bp.context_processor
def _market_helpers():
    return {"region_name": _region_name}


def _region_name(code: str | None) -> str:
    """A province's name in the reader's language; "All of China" for national prices."""
    region = db.session.get(Region, code) if code else None
    return localized(region) if region is not None else _("All of China")


@bp.errorhandler(429)
def _too_many_requests(error):
    if request.path.startswith("/api/"):
        return jsonify(error="rate limit exceeded: " + str(error.description)), 429
    return render_error(429)


@bp.get("/prices")
def prices():
    region = _province_arg()
    quotes = latest_references(region.code if region else None)
    return render_page_or_fragment(
        "market/prices.html",
        "market/_partials/_price_table.html",
        quotes=quotes,
        region=region,
        regions=all_regions(),
        today=local_today(),
        can_report=can_report(current_user),
    )


@bp.get("/prices/<slug>")
def commodity_prices(slug: str):
    commodity = db.session.scalar(select(Commodity).where(Commodity.slug == slug))
    if commodity is None:
        abort(404)
    region = _province_arg()
    province_code = region.code if region else None
    end = local_today()
    start = end - timedelta(days=CHART_DAYS - 1)
    series = [row for row in reference_series([commodity.id], province_code, start, end) if row.headline_per_kg]
    chart = charts.line_chart([(row.day, row.headline_per_kg) for row in series], start, end)
    return render_template(
        "market/commodity.html",
        commodity=commodity,
        region=region,
        regions=all_regions(),
        chart=chart,
        series=list(reversed(series)),
        chart_days=CHART_DAYS,
        quote=latest_reference(commodity.id, province_code, end),
        start=start,
        end=end,
    )


def _api_limit() -> str:
    return current_app.config["PRICES_API_RATE_LIMIT"]


@bp.get("/api/prices")
@limiter.limit(_api_limit)
def api_prices():
    try:
        query = open_data.parse_query(request.args)
    except open_data.BadParameter as error:
        return jsonify(error=str(error)), 400
    rows = open_data.rows_for(query)
    if query.format == "csv":
        filename = f"jishi-prices-{query.start.isoformat()}-{query.end.isoformat()}.csv"
        return Response(
            open_data.to_csv(rows).encode("utf-8"),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Content-Type": "text/csv; charset=utf-8",
            },
        )
    return jsonify(
        {
            "from": query.start.isoformat(),
            "to": query.end.isoformat(),
            "province": "all" if query.all_areas else query.province_code,
            "fields": list(open_data.FIELDS),
            "rows": rows,
        }
    )


@bp.route("/prices/report", methods=["GET", "POST"])
@station_required
def new_market_report():
    today = local_today()
    form = MarketReportForm(today=today)
    if form.validate_on_submit():
        report = record_market_report(
            current_user._get_current_object(),
            market_name=form.market_name.data,
            commodity_id=form.commodity_id.data,
            province_code=form.province_code.data,
            price=form.price.number,
            unit_code=form.unit_code.data,
            observed_on=form.observed_on.data,
            today=today,
        )
        db.session.commit()
        flash(_("Market price saved. Thank you!"), "success")
        return redirect(url_for("market.commodity_prices", slug=report.commodity.slug))
    return render_template("market/report_form.html", form=form, reports=recent_reports()), _form_status()


@bp.route("/account/price-alerts", methods=["GET", "POST"])
@login_required
def price_alerts():
    member = current_user._get_current_object()
    form = SubscriptionForm()
    if form.validate_on_submit():
        _subscription, created = subscriptions.save_member_subscription(
            member,
            form.commodity_id.data,
            form.province_code.data or None,
            target_price_per_kg=form.target_price.number,
            threshold_percent=form.threshold_percent.number,
            channel=form.channel.data,
        )
        db.session.commit()
        flash(_("Price alert added.") if created else _("Price alert updated."), "success")
        return redirect(url_for("market.price_alerts"))
    return render_template(
        "market/alerts.html", form=form, subscriptions=subscriptions.member_subscriptions(member)
    ), _form_status()


@bp.post("/account/price-alerts/<int:subscription_id>/delete")
@login_required
def delete_price_alert(subscription_id: int):
    subscription = subscriptions.owned_subscription(current_user._get_current_object(), subscription_id)
    db.session.delete(subscription)
    db.session.commit()
    flash(_("Price alert removed."), "success")
    return redirect(url_for("market.price_alerts"))


@bp.route("/station/price-list", methods=["GET", "POST"])
@station_required
def station_price_list():
    station = current_user._get_current_object()
    form = StationNumbersForm()
    if form.validate_on_submit():
        added = 0
        for commodity_id in form.commodity_ids.data:
            _subscription, created = subscriptions.subscribe_phone(
                form.e164, commodity_id, form.province_code.data or None, form.locale.data, station=station
            )
            added += created
        db.session.commit()
        flash(_("Number added for %(n)s commodities.", n=added), "success")
        return redirect(url_for("market.station_price_list"))
    return render_template(
        "market/station_list.html", form=form, subscriptions=subscriptions.station_subscriptions(station)
    ), _form_status()


@bp.post("/station/price-list/<int:subscription_id>/delete")
@station_required
def station_remove_number(subscription_id: int):
    subscription = subscriptions.station_subscription(current_user._get_current_object(), subscription_id)
    db.session.delete(subscription)
    db.session.commit()
    flash(_("Number removed from the list."), "success")
    return redirect(url_for("market.station_price_list"))


@bp.get("/station/notice-board")
@station_required
def notice_board():
    station = current_user._get_current_object()
    region = _province_arg()
    if region is None and station.storefront is not None:
        region = station.storefront.province
    province_code = region.code if region else None
    today = local_today()
    commodity_ids = subscriptions.station_commodity_ids(station)
    commodities = (
        db.session.scalars(select(Commodity).where(Commodity.id.in_(commodity_ids)).order_by(Commodity.name_zh)).all()
        if commodity_ids
        else []
    )
    rows = [(commodity, latest_reference(commodity.id, province_code, today)) for commodity in commodities]
    page_url = public_url("market.prices", province=province_code) if province_code else public_url("market.prices")
    # Chinese by default: the sheet hangs on a village wall (?lang=en for an English copy).
    locale = "en" if request.args.get("lang") == "en" else "zh_Hans"
    with force_locale(locale):
        return render_template(
            "market/notice_board.html",
            rows=rows,
            region=region,
            today=today,
            page_url=page_url,
            qr=qr_svg(page_url, _("QR code: today's prices on Jishi")),
        )
