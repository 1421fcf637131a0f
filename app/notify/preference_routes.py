"""/account/notifications: a member chooses which notifications reach them by SMS and e-mail; and the
one-click unsubscribe link of e-mails (/unsubscribe/<token>)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.members.models import Member
from app.notify import bp, optout, preferences
from app.notify.forms import NotificationPreferencesForm, choice_value
from app.notify.models import Channel
from app.notify.unsubscribe import read_token


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


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """An e-mail's unsubscribe link: GET asks (a mail scanner opening links changes nothing), POST
    switches that category's e-mail off. No login needed: the signed token is the proof."""
    found = read_token(token)
    if found is None:
        abort(404)
    member_id, category_name = found
    category = preferences.CATEGORIES[category_name]
    done = False
    if request.method == "POST":
        if db.session.get(Member, member_id) is None:
            abort(404)
        preferences.switch_off(member_id, category_name, Channel.EMAIL.value)
        db.session.commit()
        done = True
    return render_template("notify/unsubscribe.html", category=category, token=token, done=done)
