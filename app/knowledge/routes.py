"""Knowledge-base pages: the article list with search and filters, an article, writing and editing
(experts and admins). Question pages are in app/knowledge/question_routes.py, the admins' expert
page in app/knowledge/expert_routes.py.

Authorization is on the server for every route: writing needs an expert or admin (403 otherwise),
editing services.can_edit.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.forum.markup import plain_text, safe_html
from app.knowledge import bp, queries, services
from app.knowledge.forms import MARKDOWN_HINT, SEASON_LABELS, TOPIC_LABELS, ArticleForm, commodity_choices
from app.knowledge.models import Article
from app.knowledge.services import ArticleData, KnowledgeInvalid


@bp.app_context_processor
def _knowledge_helpers():
    return {
        "knowledge_html": lambda stored: safe_html(stored or ""),
        "knowledge_excerpt": plain_text,
        "topic_label": lambda value: str(TOPIC_LABELS.get(value, value)),
        "season_label": lambda value: str(SEASON_LABELS.get(value, value)),
        "knowledge_is_expert": lambda: services.is_expert_or_admin(current_user),
    }


def member():
    return current_user._get_current_object()


def _article_or_404(article_id: int) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        abort(404)
    return article


@bp.get("/knowledge")
def index():
    chosen = queries.ArticleFilter(
        q=(request.args.get("q") or "")[:200],
        commodity=(request.args.get("commodity") or "")[:60],
        topic=request.args.get("topic") if request.args.get("topic") in TOPIC_LABELS else "",
        season=request.args.get("season") if request.args.get("season") in SEASON_LABELS else "",
    )
    found = queries.articles(chosen)
    pagination = db.paginate(
        found.statement, per_page=current_app.config["KNOWLEDGE_ARTICLES_PER_PAGE"], error_out=False
    )
    return render_template(
        "knowledge/index.html",
        chosen=chosen,
        pagination=pagination,
        understood=found.understood_commodities,
        commodities=queries.commodities_with_articles(),
        topics=TOPIC_LABELS,
        seasons=SEASON_LABELS,
        can_write=services.can_write_articles(current_user),
    )


@bp.get("/knowledge/articles/<int:article_id>")
def show_article(article_id: int):
    article = _article_or_404(article_id)
    return render_template("knowledge/article.html", article=article, can_edit=services.can_edit(article, current_user))


def _article_form(form: ArticleForm) -> ArticleForm:
    form.commodity_id.choices = commodity_choices(queries.all_commodities(), _("Farming in general"))
    return form


def _article_data(form: ArticleForm) -> ArticleData:
    return ArticleData(
        title=form.title.data or "",
        body=form.body.data or "",
        topic=form.topic.data,
        season=form.season.data,
        commodity_id=form.commodity_id.data,
    )


def _show_error(form: ArticleForm, error: KnowledgeInvalid) -> None:
    db.session.rollback()
    field = getattr(form, error.field, None) or form.body
    field.errors = [*field.errors, error.message]


@bp.route("/knowledge/articles/new", methods=["GET", "POST"])
@login_required
def new_article():
    if not services.can_write_articles(current_user):
        abort(403)
    form = _article_form(ArticleForm())
    if form.validate_on_submit():
        try:
            article = services.create_article(member(), _article_data(form))
        except KnowledgeInvalid as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Article published."), "success")
            return redirect(url_for("knowledge.show_article", article_id=article.id), 303)
    status = 422 if form.errors else 200
    return render_template("knowledge/edit_article.html", form=form, article=None, hint=MARKDOWN_HINT), status


@bp.route("/knowledge/articles/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit_article(article_id: int):
    article = _article_or_404(article_id)
    if not services.can_edit(article, current_user):
        abort(403)
    form = _article_form(ArticleForm(obj=article if request.method == "GET" else None))
    if form.validate_on_submit():
        try:
            services.update_article(article, member(), _article_data(form))
        except KnowledgeInvalid as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Article saved."), "success")
            return redirect(url_for("knowledge.show_article", article_id=article.id), 303)
    status = 422 if form.errors else 200
    return render_template("knowledge/edit_article.html", form=form, article=article, hint=MARKDOWN_HINT), status
