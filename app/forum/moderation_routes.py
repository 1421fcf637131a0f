"""Forum moderation views (moderators are admins): hide/restore posts, lock/pin/move threads,
suspend members from the forum, the report queue, the moderation log and category management.

Every view is behind ``admin_required`` (403 for members) and every service checks again.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from app.core.errors import DomainError
from app.core.i18n import is_chinese
from app.extensions import db
from app.forum import bp, moderation, queries, services
from app.forum.forms import CategoryForm, HideForm, MoveForm, SuspendForm
from app.forum.models import ForumCategory, ForumModerationLog, ForumReport, ReportStatus
from app.forum.routes import member, post_or_404, thread_or_404
from app.forum.services import CategoryData, ForumInvalid
from app.members.models import Member
from app.web.decorators import admin_required
from app.web.redirects import safe_next


def _back(default: str):
    """Where the moderator came from (a same-site ``next``), else ``default``."""
    target = request.form.get("next")
    return redirect(safe_next(target, default_endpoint="forum.index") if target else default, 303)


@bp.post("/forum/p/<int:post_id>/hide")
@admin_required
def hide_post(post_id: int):
    post = post_or_404(post_id)
    form = HideForm()
    if not form.validate_on_submit():
        raise DomainError(_("Please say why the post is hidden."), status=422)
    moderation.set_hidden(post, member(), True, form.reason.data)
    db.session.commit()
    flash(_("The post is hidden."), "success")
    return _back(url_for("forum.show_post", post_id=post.id))


@bp.post("/forum/p/<int:post_id>/restore")
@admin_required
def restore_post(post_id: int):
    post = post_or_404(post_id)
    moderation.set_hidden(post, member(), False)
    db.session.commit()
    flash(_("The post is visible again."), "success")
    return _back(url_for("forum.show_post", post_id=post.id))


@bp.post("/forum/t/<int:thread_id>/state")
@admin_required
def thread_state(thread_id: int):
    """Lock, unlock, pin or unpin (``action`` in the form)."""
    thread = thread_or_404(thread_id)
    action = request.form.get("action", "")
    changes = {
        "lock": (moderation.set_locked, True, _("The thread is locked.")),
        "unlock": (moderation.set_locked, False, _("The thread is open for replies again.")),
        "pin": (moderation.set_pinned, True, _("The thread is pinned.")),
        "unpin": (moderation.set_pinned, False, _("The thread is no longer pinned.")),
    }
    if action not in changes:
        raise DomainError(_("Unknown moderation action."), status=400)
    change, value, message = changes[action]
    change(thread, member(), value)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("forum.show_thread", thread_id=thread.id), 303)


@bp.route("/forum/t/<int:thread_id>/move", methods=["GET", "POST"])
@admin_required
def move_thread(thread_id: int):
    thread = thread_or_404(thread_id)
    form = MoveForm()
    form.category_id.choices = [SelectChoice(c.id, c.name(_locale())) for c in queries.categories()]
    if request.method == "GET":
        form.category_id.data = thread.category_id
    if form.validate_on_submit():
        target = db.session.get(ForumCategory, form.category_id.data)
        moderation.move_thread(thread, member(), target)
        db.session.commit()
        flash(_("The thread was moved."), "success")
        return redirect(url_for("forum.show_thread", thread_id=thread.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("forum/moderation/move.html", thread=thread, form=form), status


def _member_or_404(member_id: int) -> Member:
    found = db.session.get(Member, member_id)
    if found is None:
        abort(404)
    return found


@bp.route("/forum/members/<int:member_id>/suspend", methods=["GET", "POST"])
@admin_required
def suspend_member(member_id: int):
    target = _member_or_404(member_id)
    form = SuspendForm()
    if form.validate_on_submit():
        moderation.suspend(target, member(), form.days.data, form.reason.data)
        db.session.commit()
        flash(
            _("%(name)s cannot post in the forum for %(days)d days.", name=target.display_name, days=form.days.data),
            "success",
        )
        return redirect(url_for("forum.moderation_log"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "forum/moderation/suspend.html", target=target, form=form, suspension=services.active_suspension(target)
    ), status


@bp.post("/forum/members/<int:member_id>/unsuspend")
@admin_required
def unsuspend_member(member_id: int):
    target = _member_or_404(member_id)
    moderation.lift_suspension(target, member())
    db.session.commit()
    flash(_("%(name)s can post in the forum again.", name=target.display_name), "success")
    return redirect(url_for("forum.suspend_member", member_id=target.id), 303)


@bp.get("/forum/moderation/reports")
@admin_required
def reports():
    pagination = db.paginate(
        select(ForumReport)
        .where(ForumReport.status == ReportStatus.OPEN.value)
        .options(joinedload(ForumReport.post), joinedload(ForumReport.reporter))
        .order_by(ForumReport.id),
        per_page=current_app.config["FORUM_THREADS_PER_PAGE"],
        error_out=False,
    )
    return render_template("forum/moderation/reports.html", pagination=pagination)


@bp.post("/forum/reports/<int:report_id>/dismiss")
@admin_required
def dismiss_report(report_id: int):
    report = db.session.get(ForumReport, report_id)
    if report is None:
        abort(404)
    moderation.dismiss_report(report, member())
    db.session.commit()
    flash(_("The report is closed."), "success")
    return redirect(url_for("forum.reports"), 303)


@bp.get("/forum/moderation/log")
@admin_required
def moderation_log():
    pagination = db.paginate(
        select(ForumModerationLog)
        .options(joinedload(ForumModerationLog.moderator), joinedload(ForumModerationLog.member))
        .order_by(ForumModerationLog.id.desc()),
        per_page=current_app.config["FORUM_THREADS_PER_PAGE"],
        error_out=False,
    )
    return render_template("forum/moderation/log.html", pagination=pagination)


@bp.get("/forum/admin/categories")
@admin_required
def categories():
    return render_template("forum/moderation/categories.html", categories=queries.categories())


@bp.route("/forum/admin/categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/forum/admin/categories/<int:category_id>", methods=["GET", "POST"])
@admin_required
def edit_category(category_id: int | None):
    category = None
    if category_id is not None:
        category = db.session.get(ForumCategory, category_id)
        if category is None:
            abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        data = CategoryData(
            slug=form.slug.data,
            name_en=form.name_en.data.strip(),
            name_zh=form.name_zh.data.strip(),
            description_en=(form.description_en.data or "").strip(),
            description_zh=(form.description_zh.data or "").strip(),
            position=form.position.data,
        )
        try:
            services.save_category(data, category)
        except ForumInvalid as error:
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, error.message]
        else:
            db.session.commit()
            flash(_("The category is saved."), "success")
            return redirect(url_for("forum.categories"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("forum/moderation/category_form.html", form=form, category=category), status


def _locale() -> str:

    return "zh_Hans" if is_chinese() else "en"
