"""The acceptance form: the language and SHA-256 of the text the party read, and their tick."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import AnyOf, DataRequired, Regexp

from app.contracts.texts import LANGUAGES


class AcceptContractForm(FlaskForm):
    language = HiddenField(validators=[AnyOf(LANGUAGES)])
    sha256 = HiddenField(validators=[Regexp(r"^[0-9a-f]{64}$")])
    agree = BooleanField(
        _l("I have read this contract and accept it."),
        validators=[DataRequired(message=_l("Tick the box to accept the contract."))],
    )
