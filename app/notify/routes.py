"""Admin outbox page, the development SMS inbox, and the short links that SMS messages carry."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.notify import bp, services
from app.notify.models import Channel, ConsoleSms, NotificationStatus
from app.web.decorators import admin_required

STATUSES = [status.value for status in NotificationStatus]
CHANNELS = [channel.value for channel in Channel]


def _choice(name: str, allowed: list[str]) -> str | None:
    value = request.args.get(name, "")
    return value if value in allowed else None


@bp.get("/admin/notifications")
@admin_required
def outbox():
    status = _choice("status", STATUSES)
    channel = _choice("channel", CHANNELS)
    pagination = db.paginate(
        services.outbox_query(status, channel), per_page=current_app.config["NOTIFY_PER_PAGE"], error_out=False
    )
    return render_template(
        "notify/outbox.html",
        pagination=pagination,
        status=status,
        channel=channel,
        statuses=STATUSES,
        channels=CHANNELS,
        status_labels=_status_labels(),
        delivery_labels=_delivery_labels(),
        channel_labels={"sms": _("SMS"), "email": _("E-mail")},
    )


def _status_labels() -> dict[str, str]:
    return {
        "pending": _("Pending"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "failed": _("Failed, will retry"),
        "dead": _("Given up"),
        "skipped": _("Not sent (policy)"),
    }


def _delivery_labels() -> dict[str, str]:
    return {
        "queued": _("Queued at Twilio"),
        "sending": _("Sending"),
        "sent": _("Sent to carrier"),
        "delivered": _("Delivered"),
        "undelivered": _("Not delivered"),
        "failed": _("Failed at Twilio"),
    }


@bp.post("/admin/notifications/<int:notification_id>/retry")
@admin_required
def retry(notification_id: int):
    services.retry(notification_id)
    db.session.commit()
    flash(_("The notification will be sent again."), "success")
    filters = {
        k: v for k, v in (("status", _choice("status", STATUSES)), ("channel", _choice("channel", CHANNELS))) if v
    }
    return redirect(url_for("notify.outbox", **filters), 303)


@bp.get("/dev/sms")
@login_required
def sms_inbox():
    """What the console SMS sender stored: for admins, and for everyone signed in while DEBUG is on."""
    if not (current_user.is_admin or current_app.debug):
        abort(403)
    pagination = db.paginate(
        select(ConsoleSms).order_by(ConsoleSms.id.desc()),
        per_page=current_app.config["NOTIFY_PER_PAGE"],
        error_out=False,
    )
    return render_template("notify/sms_inbox.html", pagination=pagination)


@bp.get("/o/<int:order_id>")
def short_order(order_id: int):
    return redirect(url_for("trade.show_order", order_id=order_id))


@bp.get("/bq/<int:quote_id>")
def short_basket_quote(quote_id: int):
    return redirect(url_for("trade.show_basket_quote", quote_id=quote_id))


@bp.get("/n/<int:negotiation_id>")
def short_negotiation(negotiation_id: int):
    return redirect(url_for("trade.show_negotiation", negotiation_id=negotiation_id))
