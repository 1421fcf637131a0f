"""/account/notifications: a member chooses which notifications reach them by SMS and e-mail."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.notify import bp, optout, preferences
from app.notify.forms import NotificationPreferencesForm, choice_value


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_preferences():
    member = current_user._get_current_object()
    stored = preferences.choices_of(member.id)
    initial = None
    if request.method == "GET":
        initial = {"enabled": [choice_value(category, channel) for (category, channel), on in stored.items() if on]}
    form = NotificationPreferencesForm(data=initial)
    if form.validate_on_submit():
        preferences.save_choices(member.id, form.enabled_pairs())
        db.session.commit()
        flash(_("Your notification choices were saved."), "success")
        return redirect(url_for("notify.notification_preferences"), 303)
    ticked = set(form.enabled.data or ())
    return render_template(
        "notify/preferences.html",
        form=form,
        categories=list(preferences.CATEGORIES.values()),
        channels=preferences.CHANNELS,
        ticked=ticked,
        choice_value=choice_value,
        member=member,
        opted_out=optout.is_opted_out(member.phone),
    ), (422 if request.method == "POST" else 200)
