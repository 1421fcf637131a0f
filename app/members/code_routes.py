"""One-time code views: verify the mobile number, forgot password, reset by SMS code or e-mailed link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from app.extensions import db, limiter
from app.members import bp, codes
from app.members.code_forms import ForgotPasswordForm, PhoneCodeForm, ResetByCodeForm, ResetByLinkForm
from app.members.models import OneTimeCode
from app.members.passwords import WeakPassword
from app.members.phones import normalise_phone
from app.sms_spend import budget as sms_budget
from app.sms_spend import human_check

# The e-mailed token is kept in the session, not in the URL of the form page, so that it does not
# leak through the Referer header or the browser history once the link has been opened.
RESET_LINK_SESSION_KEY = "password_reset_link"


class HumanCheckRequired(Exception):
    """The form must show the human-check question before a code is sent."""


def _code_limit() -> str:
    return current_app.config["CODE_RATE_LIMIT"]


def _phone_key() -> str:
    """Rate-limit key for guessing one number's reset code from many addresses."""
    try:
        phone = normalise_phone(request.form.get("phone"), current_app.config["DEFAULT_PHONE_REGION"])
    except ValueError:
        return f"ip:{get_remote_address()}"
    return f"phone:{phone}"


def _member_key() -> str:
    return f"member:{current_user.id}" if current_user.is_authenticated else f"ip:{get_remote_address()}"


def _printable(value: str, limit: int) -> str:
    return "".join(char for char in value[:limit] if char.isprintable())


def human_check_blocks(phone: str) -> bool:
    """True when this request must first answer a human check (many codes from this address or to
    this number range this hour) and did not: a new question is then in the session for the form."""

    address = get_remote_address()
    if not sms_budget.human_check_needed(phone, address):
        return False
    if human_check.passes(request.form.get("human_answer")):
        return False
    human_check.new_question()
    return True


def human_check_context(answered: bool) -> dict:
    """Template values for members/_partials/_human_check.html."""

    question = human_check.question_text()
    error = _("That answer is not right. Please try the new question.") if answered and question else None
    return {"human_question": question, "human_error": error}


def _verify_page(form: PhoneCodeForm, status: int, limit_message: str | None = None, human: dict | None = None):
    member = current_user._get_current_object()
    latest = codes.latest_code(OneTimeCode.VERIFY_PHONE, member.phone)
    return render_template(
        "members/verify_phone.html",
        form=form,
        member=member,
        pending=latest if codes.usable(latest) else None,
        limit_message=limit_message,
        minutes=codes.code_minutes(),
        **(human or {}),
    ), status


@bp.route("/account/phone", methods=["GET", "POST"])
@login_required
@limiter.limit(_code_limit, methods=["POST"], key_func=_member_key)
def verify_phone():
    member = current_user._get_current_object()
    form = PhoneCodeForm()
    if member.phone_is_verified and request.method == "POST":
        flash(_("Your mobile number is already verified."), "info")
        return redirect(url_for("members.profile"))
    if form.validate_on_submit():
        try:
            codes.verify_phone(member, form.code.data)
        except codes.CodeRejected as error:
            db.session.commit()  # the wrong try counts
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your mobile number is verified. Jishi can now send you SMS."), "success")
            return redirect(url_for("members.profile"))
    return _verify_page(form, 422 if request.method == "POST" else 200)


@bp.post("/account/phone/code")
@login_required
@limiter.limit(_code_limit, key_func=_member_key)
def send_phone_code():
    member = current_user._get_current_object()
    if not member.phone_is_verified and human_check_blocks(member.phone):
        db.session.commit()
        return _verify_page(
            PhoneCodeForm(formdata=None), 422, human=human_check_context("human_answer" in request.form)
        )
    try:
        codes.send_phone_verification(member, get_remote_address())
    except codes.CodeLimitReached as error:
        db.session.commit()  # a full SMS budget's alert for the admins
        return _verify_page(PhoneCodeForm(formdata=None), 429, limit_message=error.message)
    db.session.commit()
    flash(
        _(
            "We sent a 6-digit code to %(phone)s. It works for %(minutes)s minutes.",
            phone=member.phone,
            minutes=codes.code_minutes(),
        ),
        "success",
    )
    return redirect(url_for("members.verify_phone"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if request.method == "GET":
        form.identifier.data = _printable(request.args.get("phone", ""), 40)
    status = 422 if request.method == "POST" else 200
    human = {}
    if form.validate_on_submit():
        try:
            if form.is_email:
                codes.request_password_reset_by_email(form.identifier.data, get_remote_address())
            elif human_check_blocks(form.identifier.data):
                human = human_check_context("human_answer" in request.form)
                raise HumanCheckRequired()
            else:
                codes.request_password_reset_by_sms(form.identifier.data, get_remote_address())
        except HumanCheckRequired:
            db.session.commit()  # the used-up question
        except codes.CodeLimitReached as error:
            db.session.commit()  # a full SMS budget's alert for the admins
            form.form_errors.append(error.message)
            status = 429
        else:
            db.session.commit()
            # The same words whether or not the number or address is registered.
            if form.is_email:
                flash(
                    _(
                        "If an account uses this e-mail address, we sent it a link to choose a new password. "
                        "The link works for %(minutes)s minutes.",
                        minutes=codes.link_minutes(),
                    ),
                    "success",
                )
                return redirect(url_for("members.forgot_password"))
            flash(
                _(
                    "If this number is registered, we sent it a 6-digit code by SMS. It works for %(minutes)s minutes.",
                    minutes=codes.code_minutes(),
                ),
                "success",
            )
            return redirect(url_for("members.reset_password", phone=form.identifier.data))
    return render_template("members/forgot_password.html", form=form, **human), status


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"])
@limiter.limit(_code_limit, methods=["POST"], key_func=_phone_key)
def reset_password():
    form = ResetByCodeForm()
    if request.method == "GET":
        form.phone.data = _printable(request.args.get("phone", ""), 40)
    if form.validate_on_submit():
        try:
            member = codes.reset_password_with_code(form.phone.data, form.code.data, form.new_password.data)
        except WeakPassword as error:
            form.new_password.errors.append(str(error.message))
        except codes.CodeRejected as error:
            db.session.commit()  # the wrong try counts
            form.code.errors.append(error.message)
        else:
            return _password_was_reset(member)
    return render_template("members/reset_password.html", form=form, by_link=False), (
        422 if request.method == "POST" else 200
    )


@bp.get("/password/reset/<token>")
def reset_password_link(token: str):
    """The link from the e-mail: checked (not used up), then kept in the session for the form."""
    codes.reset_link(token)
    session[RESET_LINK_SESSION_KEY] = token
    return redirect(url_for("members.reset_password_by_email"))


@bp.route("/password/reset/email", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"])
def reset_password_by_email():
    token = session.get(RESET_LINK_SESSION_KEY)
    link = codes.reset_link(token)
    form = ResetByLinkForm(phone=link.member.phone)
    if form.validate_on_submit():
        try:
            member = codes.reset_password_with_link(token, form.new_password.data)
        except WeakPassword as error:
            form.new_password.errors.append(str(error.message))
        else:
            session.pop(RESET_LINK_SESSION_KEY, None)
            return _password_was_reset(member)
    return render_template("members/reset_password.html", form=form, by_link=True), (
        422 if request.method == "POST" else 200
    )


def _password_was_reset(member):
    db.session.commit()
    if current_user.is_authenticated:
        logout_user()
    flash(
        _("Your password was changed and every phone or computer was logged out. Log in with the new password."),
        "success",
    )
    return redirect(url_for("members.login", phone=member.phone))
