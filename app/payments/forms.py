"""Payment forms on the order page: choosing how to pay, the buyer's transfer reference, and the
reference of a refund made by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.payments.services import MAX_REFERENCE_LENGTH

METHOD_LABELS = {"bank_transfer": _l("Bank transfer"), "cash": _l("Cash on delivery")}


DEVICE_LABELS = {
    "auto": _l("Decide from this device"),
    "desktop": _l("Computer: Alipay's web page (scan or log in)"),
    "phone": _l("Phone: open the Alipay app"),
}


class StartPaymentForm(FlaskForm):
    provider = RadioField(_l("How will you pay?"), choices=[], validators=[InputRequired()], validate_choice=False)
    # Alipay has a checkout for computers and one for phones; the user agent decides unless the
    # buyer chooses.
    device = RadioField(
        _l("Alipay checkout for"),
        choices=[SelectChoice(value, label) for value, label in DEVICE_LABELS.items()],
        default="auto",
        validators=[Optional()],
    )


class TransferReferenceForm(FlaskForm):
    method = RadioField(
        _l("Paid by"),
        choices=[SelectChoice(value, label) for value, label in METHOD_LABELS.items()],
        default="bank_transfer",
        validators=[InputRequired()],
    )
    reference = StringField(_l("Transfer reference"), validators=[Optional(), Length(max=MAX_REFERENCE_LENGTH)])


class RefundReferenceForm(FlaskForm):
    reference = StringField(_l("Refund reference"), validators=[InputRequired(), Length(max=MAX_REFERENCE_LENGTH)])
