"""Member forms: sign-up, login, profile, password, verification and storefront.

Rules that need only the submitted values live here; rules that need the database (slug taken, current
password right) are enforced by the services and shown beside the field by the routes.
"""

from __future__ import annotations

import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.catalogue.services import all_regions
from app.members.passwords import MAX_LENGTH as PASSWORD_MAX
from app.members.passwords import WeakPassword, check_password
from app.members.payees import normalise_account_number
from app.members.phones import normalise_phone
from app.members.storefronts import SLUG_PATTERN
from app.sms_spend.budget import DestinationRefused, check_destination

KIND_CHOICES = (
    SelectChoice("seller", _l("Farmer or co-operative: I sell produce")),
    SelectChoice("buyer", _l("Buyer or business: I buy produce")),
    SelectChoice("station", _l("Information-station operator: I post for farmers")),
)
# Language names are written in their own language so that everybody can find theirs.
LANGUAGE_CHOICES = (SelectChoice("en", "English"), SelectChoice("zh_Hans", "中文（简体）"))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PlainText:
    """Refuses control characters (NUL bytes and the like) that no keyboard types and that
    PostgreSQL cannot store; ``multiline`` fields may keep line breaks and tabs."""

    def __init__(self, multiline: bool = False):
        self.allowed = {"\n", "\r", "\t"} if multiline else set()

    def __call__(self, form, field):
        if any(unicodedata.category(char) == "Cc" and char not in self.allowed for char in field.data or ""):
            raise ValidationError(_l("Remove the invisible control characters from this text."))


class MobileNumber:
    """Parses the field as a mobile number and replaces its data with the E.164 form."""

    def __call__(self, form, field):
        try:
            field.data = normalise_phone(field.data, current_app.config["DEFAULT_PHONE_REGION"])
        except ValueError:
            raise ValidationError(_l("Enter a valid mobile number, for example 138 0013 8000."))


class TextableNumber:
    """After MobileNumber: refuses a number in a country Jishi does not send SMS to
    (SMS_ALLOWED_COUNTRY_CODES), for forms whose answer is an SMS (sign-up, reset, station)."""

    def __call__(self, form, field):
        if field.errors:
            return
        try:
            check_destination(field.data)
        except DestinationRefused as error:
            raise ValidationError(error.message)


class KindsField(SelectMultipleField):
    """Checkboxes for what a member does; only the listed kinds can be chosen (never admin)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {choice.value for choice in KIND_CHOICES}
        if any(value not in allowed for value in self.data or ()):
            raise ValidationError(_l("Choose from the listed kinds only."))


def _phone_field():
    return StringField(
        _l("Mobile number"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your mobile number.")), MobileNumber()],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": 40},
    )


def _display_name_field():
    return StringField(
        _l("Your name or your farm's name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter a name.")), Length(max=80), PlainText()],
        render_kw={"autocomplete": "name", "maxlength": 80},
    )


def _email_field():
    return StringField(
        _l("Email (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=254),
            PlainText(),
            Email(_l("Enter a valid email address or leave it empty.")),
        ],
        render_kw={"type": "email", "autocomplete": "email", "maxlength": 254},
    )


def _kinds_field():
    return KindsField(_l("I am a…"), choices=KIND_CHOICES)


def _locale_field():
    return RadioField(_l("Language"), choices=LANGUAGE_CHOICES, validators=[InputRequired(_l("Choose a language."))])


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(_l("Enter a password."))],
        render_kw={"autocomplete": "new-password", "minlength": 8, "maxlength": PASSWORD_MAX},
    )


def _confirm_field(target: str):
    return PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo(target, _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX},
    )


class KindsMixin:
    """At least one kind, unless the member is an admin (who may only administer)."""

    kinds_required = True

    def validate_kinds(self, field):
        if self.kinds_required and not field.data:
            raise ValidationError(_l("Choose at least one."))

    def kind_flags(self) -> dict[str, bool]:
        chosen = set(self.kinds.data or ())
        return {
            "is_seller": "seller" in chosen,
            "is_buyer": "buyer" in chosen,
            "is_station_operator": "station" in chosen,
        }


class SignupForm(KindsMixin, FlaskForm):
    phone = _phone_field()

    def validate_phone(self, field):
        # The field's own validators ran first: its data is E.164 here unless they failed.
        TextableNumber()(self, field)

    password = _new_password_field(_l("Password"))
    confirm = _confirm_field("password")
    display_name = _display_name_field()
    email = _email_field()
    kinds = _kinds_field()
    locale = _locale_field()

    def validate_password(self, field):
        # The phone field has been validated first (fields validate in order), so its data is E.164 when valid.
        try:
            check_password(field.data or "", phone=None if self.phone.errors else self.phone.data)
        except WeakPassword as error:
            raise ValidationError(error.message)


class LoginForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your mobile number."))],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "username", "maxlength": 40},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this phone"))
    next = HiddenField()


class ProfileForm(KindsMixin, FlaskForm):
    display_name = _display_name_field()
    email = _email_field()
    kinds = _kinds_field()
    locale = _locale_field()

    def __init__(self, *args, kinds_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds_required = kinds_required


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field(_l("New password"))
    confirm = _confirm_field("new_password")

    def __init__(self, *args, phone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member_phone = phone

    def validate_new_password(self, field):
        try:
            check_password(field.data or "", phone=self.member_phone)
        except WeakPassword as error:
            raise ValidationError(error.message)


class VerificationForm(FlaskForm):
    legal_name = StringField(
        _l("Name on the licence or ID card"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the name as it is on the licence or ID card.")),
            Length(max=100),
            PlainText(),
        ],
        render_kw={"maxlength": 100, "autocomplete": "name"},
    )
    licence_number = StringField(
        _l("Business licence or ID card number"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the number.")), Length(min=4, max=60), PlainText()],
        render_kw={"autocomplete": "off", "maxlength": 60},
    )
    note = TextAreaField(
        _l("Note for the reviewer (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=1000), PlainText(multiline=True)],
        render_kw={"maxlength": 1000, "rows": 3},
    )
    document = FileField(
        _l("Photo of the licence or ID card (optional)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=(SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))),
        validators=[InputRequired(_l("Choose approve or reject."))],
    )
    reason = TextAreaField(
        _l("Reason (required when rejecting)"),
        filters=[_strip],
        validators=[Length(max=1000), PlainText(multiline=True)],
        render_kw={"maxlength": 1000, "rows": 2},
    )

    def validate_reason(self, field):
        if self.decision.data == "reject" and not field.data:
            raise ValidationError(_l("Say why the request is rejected; the member will read it."))


class StorefrontForm(FlaskForm):
    name = StringField(
        _l("Storefront name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter a name.")), Length(max=100), PlainText()],
        render_kw={"maxlength": 100},
    )
    slug = StringField(
        _l("Web address"),
        filters=[lambda value: _strip(value).lower() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter a web address.")),
            Length(min=2, max=60),
            Regexp(
                f"^{SLUG_PATTERN}$",
                message=_l("Use lower-case letters a–z, digits and dashes (not at the start or end)."),
            ),
        ],
        render_kw={"maxlength": 60, "autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"},
    )
    province_code = SelectField(_l("Province"), validators=[Optional()])
    locality = StringField(
        _l("County, town or village"),
        filters=[_strip],
        validators=[Length(max=100), PlainText()],
        render_kw={"maxlength": 100},
    )
    about = TextAreaField(
        _l("About us"),
        filters=[_strip],
        validators=[Length(max=4000), PlainText(multiline=True)],
        render_kw={"maxlength": 4000, "rows": 6},
    )
    logo = FileField(_l("Logo or photo (optional)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_logo = BooleanField(_l("Remove the current logo"))

    def __init__(self, *args, locale: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(r.code, r.name(locale)) for r in all_regions()
        ]


class PayeeForm(FlaskForm):
    """The bank account a seller is paid into by hand (app/members/payees.py)."""

    holder_name = StringField(
        _l("Account holder"),
        filters=[_strip],
        validators=[InputRequired(_l("Enter the name on the account.")), Length(max=80), PlainText()],
        render_kw={"maxlength": 80, "autocomplete": "name"},
    )
    bank_name = StringField(
        _l("Bank and branch"),
        filters=[_strip],
        validators=[InputRequired(_l("Enter the bank.")), Length(max=80), PlainText()],
        render_kw={"maxlength": 80},
    )
    account_number = StringField(
        _l("Account number"),
        filters=[_strip],
        validators=[InputRequired(_l("Enter the account number.")), Length(max=60)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 60},
    )

    def validate_account_number(self, field):
        digits = normalise_account_number(field.data)
        if digits is None:
            raise ValidationError(_l("Enter the account number as 8 to 30 digits (spaces are fine)."))
        self.account_digits = digits
