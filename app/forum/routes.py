"""Forum reading and writing: category overview, category thread lists, thread pages, new threads,
replies (in place with htmx, Post/Redirect/Get without JS), quote-replies, edits, reports, search.

Moderation views are in app/forum/moderation_routes.py. Authorization is on the server for every
route, fragments included: hidden threads are 404 for members, writing needs a login plus
services.ensure_can_post, editing needs services.can_edit.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.forum import bp, queries, services
from app.forum.forms import BODY_HINT, EditPostForm, ReplyForm, ReportForm, ThreadForm
from app.forum.markup import plain_text, quote_markdown, safe_html
from app.forum.models import ForumCategory, ForumPost, ForumThread, ModerationAction
from app.forum.services import ForumInvalid
from app.web.htmx import render_page_or_fragment, wants_fragment

MODERATION_ACTION_LABELS = {
    ModerationAction.HIDE.value: _l("hid a post"),
    ModerationAction.RESTORE.value: _l("restored a post"),
    ModerationAction.LOCK.value: _l("locked a thread"),
    ModerationAction.UNLOCK.value: _l("unlocked a thread"),
    ModerationAction.PIN.value: _l("pinned a thread"),
    ModerationAction.UNPIN.value: _l("unpinned a thread"),
    ModerationAction.MOVE.value: _l("moved a thread"),
    ModerationAction.SUSPEND.value: _l("suspended a member"),
    ModerationAction.UNSUSPEND.value: _l("lifted a suspension"),
    ModerationAction.DISMISS_REPORT.value: _l("dismissed a report"),
}


@bp.app_context_processor
def _forum_helpers():
    # Available to every template so that the nav and the fragments share them.
    return {
        "forum_post_html": lambda post: safe_html(post.body_html),
        "forum_excerpt": plain_text,
        "forum_can_edit": lambda post: services.can_edit(post, current_user),
        "forum_is_moderator": lambda: services.is_moderator(current_user),
        "forum_body_hint": BODY_HINT,
        "forum_edit_deadline": services.edit_deadline,
        "moderation_action_label": lambda action: str(MODERATION_ACTION_LABELS.get(action, action)),
    }


def member():
    return current_user._get_current_object()


def _category_or_404(slug: str) -> ForumCategory:
    category = db.session.scalar(select(ForumCategory).where(ForumCategory.slug == slug))
    if category is None:
        abort(404)
    return category


def thread_or_404(thread_id: int) -> ForumThread:
    """The thread if the current visitor may read it; 404 otherwise (a hidden thread is not revealed)."""
    thread = db.session.get(ForumThread, thread_id)
    if thread is None or not services.can_read(thread, current_user):
        abort(404)
    return thread


def post_or_404(post_id: int) -> ForumPost:
    post = db.session.get(ForumPost, post_id)
    if post is None or not services.can_read(post.thread, current_user):
        abort(404)
    return post


@bp.get("/forum")
def index():
    latest = queries.latest_threads(current_user)
    return render_template(
        "forum/index.html",
        categories=queries.categories(),
        activity=queries.category_activity(current_user),
        latest=latest,
        unread=queries.unread_thread_ids(current_user, latest),
    )


@bp.get("/forum/c/<slug>")
def category(slug: str):
    category = _category_or_404(slug)
    pagination = db.paginate(
        queries.threads_in(category.id, current_user),
        per_page=current_app.config["FORUM_THREADS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "forum/category.html",
        category=category,
        pagination=pagination,
        unread=queries.unread_thread_ids(current_user, pagination.items),
    )


def _thread_context(thread: ForumThread, page: int, reply_form: ReplyForm | None = None) -> dict:
    pagination = db.paginate(
        queries.thread_posts(thread.id), page=page, per_page=current_app.config["FORUM_POSTS_PER_PAGE"], error_out=False
    )
    return {
        "thread": thread,
        "pagination": pagination,
        "posts": pagination.items,
        "cards": queries.posting_cards(pagination.items, current_user),
        "reply_form": reply_form or ReplyForm(formdata=None),
        "is_last_page": pagination.page >= pagination.pages,
        "reply_in_place": True,
    }


@bp.get("/forum/t/<int:thread_id>")
def show_thread(thread_id: int):
    thread = thread_or_404(thread_id)
    last = queries.last_page(thread.id)
    page = last if request.args.get("page") == "last" else request.args.get("page", 1, type=int)
    if not 1 <= page <= last:
        return redirect(url_for("forum.show_thread", thread_id=thread.id, page=last))
    context = _thread_context(thread, page)
    if context["posts"]:
        services.mark_read(current_user, thread, max(post.id for post in context["posts"]))
        db.session.commit()
    return render_template("forum/thread.html", **context)


@bp.get("/forum/p/<int:post_id>")
def show_post(post_id: int):
    """A stable link to one post (notifications, quotes, search results): its page and anchor."""
    post = post_or_404(post_id)
    return redirect(
        url_for("forum.show_thread", thread_id=post.thread_id, page=queries.post_page(post), _anchor=f"post-{post.id}")
    )


@bp.route("/forum/c/<slug>/new", methods=["GET", "POST"])
@login_required
def new_thread(slug: str):
    category = _category_or_404(slug)
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = services.create_thread(member(), category, form.title.data, form.body.data)
        except ForumInvalid as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, error.message]
        else:
            db.session.commit()
            flash(_("Your thread is posted."), "success")
            return redirect(url_for("forum.show_thread", thread_id=thread.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("forum/new_thread.html", category=category, form=form), status


@bp.route("/forum/t/<int:thread_id>/reply", methods=["GET", "POST"])
@login_required
def reply(thread_id: int):
    """GET: the reply form on its own page (``?quote=<post id>`` starts it with the quoted post).
    POST: add the reply; htmx gets the new post plus a fresh form, others a redirect to the post."""
    thread = thread_or_404(thread_id)
    if request.method == "GET":
        services.ensure_open(thread, current_user)
        form = _quoting_form(thread, request.args.get("quote", type=int))
        # With htmx the quote lands in the reply box already on the thread page.
        return render_page_or_fragment(
            "forum/reply.html",
            "forum/_partials/_reply_form.html",
            thread=thread,
            reply_form=form,
            reply_in_place=wants_fragment(),
        )
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            quoted = _quoted_post(thread, form.quoted_post_id.data)
            post = services.reply(thread, member(), form.body.data, quoted)
        except ForumInvalid as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, error.message]
        else:
            db.session.commit()
            if wants_fragment():
                return _reply_added(thread, post)
            flash(_("Your reply is posted."), "success")
            return redirect(url_for("forum.show_post", post_id=post.id), 303)
    if wants_fragment():
        return render_page_or_fragment(
            "forum/reply.html",
            "forum/_partials/_reply_form.html",
            422,
            thread=thread,
            reply_form=form,
            reply_in_place=True,
        )
    return _reply_page(thread, form, 422)


def _quoted_post(thread: ForumThread, post_id: int | None) -> ForumPost | None:
    if post_id is None:
        return None
    post = db.session.get(ForumPost, post_id)
    if post is None or post.thread_id != thread.id or post.is_hidden:
        raise ForumInvalid(_("You can only quote a visible post of this thread."))
    return post


def _quoting_form(thread: ForumThread, post_id: int | None) -> ReplyForm:
    form = ReplyForm(formdata=None)
    if post_id is not None:
        post = _quoted_post(thread, post_id)
        form.quoted_post_id.data = post.id
        form.body.data = quote_markdown(
            post.author.display_name, post.body, url_for("forum.show_post", post_id=post.id)
        )
    return form


def _reply_page(thread: ForumThread, form: ReplyForm, status: int = 200):
    return render_template("forum/reply.html", thread=thread, reply_form=form, reply_in_place=False), status


def _reply_added(thread: ForumThread, post: ForumPost):
    """The new post (appended to the list out of band) and an empty form in place of the old one."""
    return render_page_or_fragment(
        "forum/reply.html",
        "forum/_partials/_reply_added.html",
        thread=thread,
        post=post,
        cards=queries.posting_cards([post], current_user),
        reply_form=ReplyForm(formdata=None),
        reply_in_place=True,
        # The form was on the last page, so the new post's Quote link can fill it in place too.
        is_last_page=True,
    )


@bp.route("/forum/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = post_or_404(post_id)
    if not services.can_edit(post, current_user):
        abort(403)
    form = EditPostForm(obj=None if request.method == "POST" else post)
    if request.method == "GET" and post.is_opening:
        form.title.data = post.thread.title
    if form.validate_on_submit():
        try:
            services.edit_post(post, member(), form.body.data, form.title.data if post.is_opening else None)
        except ForumInvalid as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, error.message]
        else:
            db.session.commit()
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("forum.show_post", post_id=post.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("forum/edit_post.html", post=post, form=form), status


@bp.route("/forum/p/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report_post(post_id: int):
    post = post_or_404(post_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report_post(post, member(), form.reason.data)
        except ForumInvalid as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            db.session.commit()
            flash(_("Thank you. A moderator will look at this post."), "success")
            return redirect(url_for("forum.show_post", post_id=post.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("forum/report.html", post=post, form=form), status


@bp.get("/forum/search")
def search():
    q = (request.args.get("q") or "").strip()[:200]
    found = queries.search_posts(q, current_user) if q else None
    pagination = None
    if found is not None:
        statement, _search = found
        pagination = db.paginate(statement, per_page=current_app.config["FORUM_POSTS_PER_PAGE"], error_out=False)
    return render_page_or_fragment(
        "forum/search.html", "forum/_partials/_search_results.html", q=q, pagination=pagination
    )


from app.forum import moderation_routes  # noqa: E402,F401  (registers the moderation views on bp)
