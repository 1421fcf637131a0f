"""Forms for one-time codes: phone verification, asking for a password reset and choosing a new one."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Email, Length, Regexp, ValidationError

from app.members.codes import CODE_DIGITS
from app.members.forms import MobileNumber, PlainText, TextableNumber, _confirm_field, _new_password_field, _phone_field
from app.members.passwords import WeakPassword, check_password


def _digits_only(value):
    # A Chinese keyboard types full-width digits, and people copy codes with spaces ("123 456").
    if not isinstance(value, str):
        return value
    return "".join(unicodedata.normalize("NFKC", value).split())


def _code_field():
    return StringField(
        _l("Code from the SMS"),
        filters=[_digits_only],
        validators=[
            DataRequired(_l("Enter the code from the SMS.")),
            Regexp(rf"^\d{{{CODE_DIGITS}}}$", message=_l("The code has 6 digits.")),
        ],
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "maxlength": 20,
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )


class PhoneCodeForm(FlaskForm):
    code = _code_field()


class NewPasswordMixin:
    """New password and its repetition, checked by the password rules against ``member_phone``."""

    member_phone: str | None = None

    def validate_new_password(self, field):
        phone = getattr(self, "phone", None)
        if phone is not None:
            # The phone field has been validated first, so its data is E.164 when valid.
            member_phone = None if phone.errors else phone.data
        else:
            member_phone = self.member_phone
        try:
            check_password(field.data or "", phone=member_phone)
        except WeakPassword as error:
            raise ValidationError(error.message)


class ForgotPasswordForm(FlaskForm):
    """One field: a mobile number gets an SMS code, an e-mail address gets a link."""

    identifier = StringField(
        _l("Mobile number or e-mail address"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired(_l("Enter your mobile number or e-mail address.")), Length(max=254), PlainText()],
        render_kw={"autocomplete": "username", "maxlength": 254, "autocapitalize": "none", "spellcheck": "false"},
    )

    @property
    def is_email(self) -> bool:
        return "@" in (self.identifier.data or "")

    def validate_identifier(self, field):
        if self.is_email:
            Email(_l("Enter a valid e-mail address, or your mobile number."))(self, field)
            field.data = field.data.lower()
        else:
            MobileNumber()(self, field)
            TextableNumber()(self, field)


class ResetByCodeForm(NewPasswordMixin, FlaskForm):
    phone = _phone_field()
    code = _code_field()
    new_password = _new_password_field(_l("New password"))
    confirm = _confirm_field("new_password")


class ResetByLinkForm(NewPasswordMixin, FlaskForm):
    new_password = _new_password_field(_l("New password"))
    confirm = _confirm_field("new_password")

    def __init__(self, *args, phone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member_phone = phone
