"""Ask-an-expert pages: asking (a member, or a station for a farmer), a question with its answer
(and the answer form for experts), the experts' queue, the public Q&A page and one's own questions.

Authorization on every route: a question a visitor may not read is 404 (its existence is not
revealed), answering needs an expert or admin, the visibility switch the asker or their station.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.extensions import db
from app.knowledge import bp, queries, questions, services
from app.knowledge.forms import AnswerForm, AskForm, StationAskForm, VisibilityForm, commodity_choices
from app.knowledge.models import Channel, Question
from app.knowledge.questions import QuestionLimitReached
from app.knowledge.services import KnowledgeInvalid
from app.members.services import member_by_phone
from app.web.decorators import station_required


def member():
    return current_user._get_current_object()


def _question_or_404(question_id: int, token: str | None = None) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not questions.can_view(question, current_user, token):
        abort(404)
    return question


def _ask_form(form: AskForm) -> AskForm:
    form.commodity_id.choices = commodity_choices(queries.all_commodities(), _("Read it from my question"))
    return form


def _refused(form: AskForm, error: DomainError) -> None:
    db.session.rollback()
    form.body.errors = [*form.body.errors, error.message]


@bp.route("/knowledge/ask", methods=["GET", "POST"])
@login_required
def ask():
    form = _ask_form(AskForm())
    if form.validate_on_submit():
        asker = member()
        try:
            question = questions.ask(
                form.body.data,
                channel=Channel.WEB.value,
                locale=str(get_locale() or "en"),
                phone=asker.phone,
                asker=asker,
                commodity_id=form.commodity_id.data,
                is_public=form.is_public.data,
            )
        except (KnowledgeInvalid, QuestionLimitReached) as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("Your question was sent to our experts. We will tell you when it is answered."), "success")
            return redirect(url_for("knowledge.show_question", question_id=question.id), 303)
    return render_template("knowledge/ask.html", form=form, for_farmer=False), (422 if form.errors else 200)


@bp.route("/knowledge/ask/for-farmer", methods=["GET", "POST"])
@station_required
def ask_for_farmer():
    form = _ask_form(StationAskForm())
    if form.validate_on_submit():
        farmer = member_by_phone(form.farmer_e164)
        try:
            question = questions.ask(
                form.body.data,
                channel=Channel.STATION.value,
                locale=(farmer.locale if farmer is not None and farmer.locale else str(get_locale() or "zh_Hans")),
                phone=form.farmer_e164,
                asker=farmer,
                station=member(),
                commodity_id=form.commodity_id.data,
                is_public=form.is_public.data,
            )
        except (KnowledgeInvalid, QuestionLimitReached) as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("The question was sent to our experts. The answer will be texted to the farmer."), "success")
            return redirect(url_for("knowledge.show_question", question_id=question.id), 303)
    return render_template("knowledge/ask.html", form=form, for_farmer=True), (422 if form.errors else 200)


def _question_page(question: Question, token: str | None = None, answer_form: AnswerForm | None = None, status=200):
    can_answer = not question.is_answered and services.is_expert_or_admin(current_user)
    return render_template(
        "knowledge/question.html",
        question=question,
        token=token,
        can_answer=can_answer,
        answer_form=answer_form or (AnswerForm(formdata=None) if can_answer else None),
        can_change_visibility=questions.may_change_visibility(question, current_user),
        visibility_form=VisibilityForm(formdata=None),
    ), status


@bp.get("/knowledge/questions/<int:question_id>")
def show_question(question_id: int):
    return _question_page(_question_or_404(question_id))


@bp.get("/q/<int:question_id>")
def short_question(question_id: int):
    """The short link of expert notifications and public SMS replies."""
    return redirect(url_for("knowledge.show_question", question_id=question_id), 302)


@bp.get("/q/<int:question_id>/<token>")
def question_by_token(question_id: int, token: str):
    """The link texted to the asker: readable without an account, private or not."""
    question = _question_or_404(question_id, token[:32])
    return _question_page(question, token=token[:32])


@bp.post("/knowledge/questions/<int:question_id>/answer")
@login_required
def answer_question(question_id: int):
    question = _question_or_404(question_id)
    if not services.is_expert_or_admin(current_user):
        abort(403)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            questions.answer(question, member(), form.body.data)
        except KnowledgeInvalid as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, error.message]
        else:
            db.session.commit()
            flash(_("Answer sent. The asker gets it by SMS."), "success")
            return redirect(url_for("knowledge.show_question", question_id=question.id), 303)
    return _question_page(question, answer_form=form, status=422)


@bp.post("/knowledge/questions/<int:question_id>/visibility")
@login_required
def question_visibility(question_id: int):
    question = _question_or_404(question_id)
    if not questions.may_change_visibility(question, current_user):
        abort(403)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    questions.set_public(question, member(), form.public.data == "yes")
    db.session.commit()
    if question.is_public:
        flash(_("Everyone can now read this question and its answer (without your name or number)."), "success")
    else:
        flash(_("Only you, the experts and admins can read this question now."), "success")
    return redirect(url_for("knowledge.show_question", question_id=question.id), 303)


@bp.get("/knowledge/queue")
@login_required
def queue():
    if not services.is_expert_or_admin(current_user):
        abort(403)
    mine = services.expert_commodity_ids(current_user.id)
    only_mine = request.args.get("mine") == "1" and bool(mine)
    pagination = db.paginate(
        queries.waiting_questions(mine, only_mine),
        per_page=current_app.config["KNOWLEDGE_QUESTIONS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "knowledge/queue.html",
        pagination=pagination,
        mine=mine,
        only_mine=only_mine,
        expert=services.expert_of(current_user),
    )


@bp.get("/knowledge/questions")
def public_questions():
    commodity = queries.commodity_by_slug((request.args.get("commodity") or "")[:60])
    pagination = db.paginate(
        queries.public_questions(commodity.id if commodity else None),
        per_page=current_app.config["KNOWLEDGE_QUESTIONS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "knowledge/questions.html", pagination=pagination, commodity=commodity, commodities=queries.all_commodities()
    )


@bp.get("/knowledge/questions/mine")
@login_required
def my_questions():
    pagination = db.paginate(
        queries.own_questions(current_user),
        per_page=current_app.config["KNOWLEDGE_QUESTIONS_PER_PAGE"],
        error_out=False,
    )
    return render_template("knowledge/my_questions.html", pagination=pagination)
