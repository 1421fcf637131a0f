"""Account views: sign-up, login, logout, profile and password change."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh as refresh_locale
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.core.i18n import normalise_locale
from app.extensions import db, limiter, login_manager
from app.members import bp, codes, services
from app.members.forms import ChangePasswordForm, LoginForm, ProfileForm, SignupForm
from app.members.models import Member
from app.members.passwords import WeakPassword
from app.members.phones import normalise_phone
from app.sms_spend import budget as sms_budget
from app.web.redirects import safe_next

login_manager.login_view = "members.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
# The message is a lazy string; make it a plain one in the visitor's language before it is flashed.
login_manager.localize_callback = str


@login_manager.user_loader
def load_member(session_token: str):
    return db.session.scalar(select(Member).where(Member.session_token == session_token))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _login_failed(response) -> bool:
    """Only failed logins count (the form shown again, 422): members who log in successfully from a
    shared address (an info-station, a carrier's NAT) never use up that address's allowance."""
    return response.status_code == 422


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _phone_or_none(raw: str | None) -> str | None:
    try:
        return normalise_phone(raw, current_app.config["DEFAULT_PHONE_REGION"])
    except ValueError:
        return None


def _account_key() -> str:
    """Rate-limit key for one account (the normalised mobile number), so that guessing one member's
    password from many addresses is limited too. Numbers that do not parse share one key per address."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    phone = _phone_or_none(request.form.get("phone"))
    return f"phone:{phone}" if phone else f"ip:{get_remote_address()}"


def _current_locale() -> str:
    from flask_babel import get_locale

    return normalise_locale(str(get_locale() or "")) or "en"


def _form_status() -> int:
    # A form shown after a failed post is an error response; the first display is not.
    return 422 if request.method == "POST" else 200


def _printable(value: str, limit: int) -> str:
    return "".join(char for char in value[:limit] if char.isprintable())


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignupForm()
    if request.method == "GET":
        form.locale.data = _current_locale()
    human = {}
    if form.validate_on_submit():
        refusal = _signup_sms_refusal(form.phone.data)
        if refusal is not None:
            db.session.commit()  # the used-up question, or a full SMS budget's alert for the admins
            human, status = refusal
            if status == 429:
                form.form_errors.append(human.pop("message"))
            return render_template("members/signup.html", form=form, **human), status
        # The answer is the same whether or not the number was free: an account is created only for a
        # new number, nothing changes for a registered one, and either way the visitor is sent to log in.
        member = services.register_member(
            phone=form.phone.data,
            password=form.password.data,
            display_name=form.display_name.data,
            email=form.email.data,
            kinds=services.Kinds(**form.kind_flags()),
            locale=form.locale.data,
        )
        if member is not None:
            # The code goes to the number's owner, so sending it tells the visitor nothing.
            try:
                codes.send_phone_verification(member, get_remote_address())
            except codes.CodeLimitReached:
                pass  # the member can ask for one on the verification page later
        db.session.commit()
        session["locale"] = form.locale.data
        # Whoever logs in next in this browser lands on the phone verification page (when needed).
        session["verify_phone_after_login"] = True
        flash(_("If this number was not registered yet, your account is ready: log in."), "success")
        return redirect(url_for("members.login", phone=form.phone.data))
    return render_template("members/signup.html", form=form, **human), _form_status()


def _signup_sms_refusal(phone: str) -> tuple[dict, int] | None:
    """Why no account may be made now, decided alike for free and registered numbers before either
    is known: ({"human_question": …}, 422) when a human check must be answered first, or
    ({"message": …}, 429) when an SMS budget is full. None when the sign-up may go on."""
    from app.members.code_routes import human_check_blocks, human_check_context

    if human_check_blocks(phone):
        return human_check_context("human_answer" in request.form), 422
    try:
        sms_budget.check(sms_budget.CODE, phone, address=get_remote_address())
    except sms_budget.BudgetExceeded as error:
        return {"message": error.message}, 429
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_address_limit, methods=["POST"], deduct_when=_login_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, deduct_when=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET":
        form.phone.data = _printable(request.args.get("phone", ""), 40)
        form.next.data = _printable(request.args.get("next", ""), 2000)
    if form.validate_on_submit():
        member = services.authenticate(_phone_or_none(form.phone.data), form.password.data)
        if member is not None:
            login_user(member, remember=form.remember.data)
            # The locale of this request was chosen while nobody was logged in (from the browser);
            # choose again so the welcome is in the member's language, like the page it lands on.
            refresh_locale()
            flash(_("Welcome, %(name)s.", name=member.display_name), "success")
            if session.pop("verify_phone_after_login", False) and not member.phone_is_verified and not form.next.data:
                return redirect(url_for("members.verify_phone"))
            return redirect(safe_next(form.next.data))
        form.form_errors.append(_("Wrong mobile number or password."))
    return render_template("members/login.html", form=form), _form_status()


@bp.post("/logout")
def logout():
    """Log out everywhere: the session token changes, so every session and remember-me cookie of this
    member stops working, including copies of this browser's cookies."""
    if current_user.is_authenticated:
        services.end_all_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))


def _profile_values(member: Member) -> dict:
    kinds = [
        name
        for name, flag in (
            ("seller", member.is_seller),
            ("buyer", member.is_buyer),
            ("station", member.is_station_operator),
        )
        if flag
    ]
    return {
        "display_name": member.display_name,
        "email": member.email or "",
        "kinds": kinds,
        "locale": normalise_locale(member.locale) or _current_locale(),
    }


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    member = current_user._get_current_object()
    initial = _profile_values(member) if request.method == "GET" else None
    form = ProfileForm(data=initial, kinds_required=not member.is_admin)
    if form.validate_on_submit():
        services.update_profile(
            member,
            display_name=form.display_name.data,
            email=form.email.data,
            kinds=services.Kinds(**form.kind_flags()),
            locale=form.locale.data,
        )
        db.session.commit()
        session["locale"] = form.locale.data
        flash(_("Your profile was saved."), "success")
        return redirect(url_for("members.profile"))
    return render_template("members/profile.html", form=form, member=member), _form_status()


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)
def change_password():
    member = current_user._get_current_object()
    form = ChangePasswordForm(phone=member.phone)
    if form.validate_on_submit():
        try:
            services.change_password(member, form.current_password.data, form.new_password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("This is not your current password."))
        except WeakPassword as error:
            form.new_password.errors.append(str(error.message))
        else:
            db.session.commit()
            # Other sessions ended with the old token; this browser continues with the new one, and
            # keeps its remember-me cookie if it had one.
            remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(member, remember=remember_cookie in request.cookies, fresh=True)
            flash(_("Your password was changed. You were logged out on every other device."), "success")
            return redirect(url_for("members.profile"))
    return render_template("members/change_password.html", form=form), _form_status()
