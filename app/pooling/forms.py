"""Pooled-supply forms. Numbers are typed as text and parsed by postings' DecimalText; a station's
farmer lines are a fixed number of rows (no JavaScript needed), empty rows ignored."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.members.phones import normalise_phone
from app.pooling.services import MAX_FARMERS, FarmerLot
from app.postings.forms import MAX_PRICE, MAX_QUANTITY, DecimalText
from app.trade.forms import DELIVERY_LABELS
from app.trade.orders import MAX_NOTE_LENGTH

FARMER_ROWS = 8  # rows shown on the form; a station pooling more sends the form again for the rest


class PoolForm(FlaskForm):
    min_part_quantity = DecimalText(
        _l("Smallest part a seller may offer"),
        places=3,
        maximum=MAX_QUANTITY,
        validators=[InputRequired(_l("Enter the smallest part you accept."))],
    )


class _PartFields(FlaskForm):
    unit_price = DecimalText(
        _l("Price per unit (¥)"),
        places=2,
        maximum=MAX_PRICE,
        not_positive_message=_l("Price must be greater than 0."),
        validators=[InputRequired(_l("Enter your price."))],
    )
    delivery = RadioField(_l("Delivery"), choices=[], validators=[InputRequired(_l("Choose a delivery option."))])
    note = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])

    def limit_delivery(self, options: list[str]) -> None:
        self.delivery.choices = [SelectChoice(option, DELIVERY_LABELS[option]) for option in options]
        if options and not self.delivery.data:
            self.delivery.data = options[0]


class PartForm(_PartFields):
    quantity = DecimalText(
        _l("Quantity of your part"),
        places=3,
        maximum=MAX_QUANTITY,
        validators=[InputRequired(_l("Enter the quantity."))],
    )


class FarmerLine(Form):
    """One farmer of a pooled part (a plain wtforms Form: the outer form carries the CSRF token)."""

    phone = StringField(
        _l("Farmer's mobile number"), validators=[Optional(), Length(max=40)], render_kw={"inputmode": "tel"}
    )
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=80)])
    quantity = DecimalText(_l("Quantity"), places=3, maximum=MAX_QUANTITY)


class PooledPartForm(_PartFields):
    farmers = FieldList(FormField(FarmerLine), min_entries=FARMER_ROWS, max_entries=MAX_FARMERS)

    def validate_farmers(self, field):
        """Each filled row needs a valid mobile number and a quantity; the lots are kept on the form."""
        self.lots: list[FarmerLot] = []
        region = current_app.config["DEFAULT_PHONE_REGION"]
        for row in field.entries:
            line = row.form
            phone, number = (line.phone.data or "").strip(), line.quantity.number
            if not phone and number is None and not line.quantity.errors:
                continue
            if not phone:
                line.phone.errors.append(_l("Enter the farmer's mobile number."))
                continue
            try:
                e164 = normalise_phone(phone, region)
            except ValueError:
                line.phone.errors.append(_l("Enter a valid mobile number, e.g. 138 0013 8000."))
                continue
            if number is None:
                if not line.quantity.errors:
                    line.quantity.errors.append(_l("Enter the quantity."))
                continue
            self.lots.append(FarmerLot(phone=e164, quantity=number, name=(line.name.data or "").strip()))
        if any(row.form.errors for row in field.entries):
            raise ValidationError(_l("Check the farmers' lines marked below."))
        if not self.lots:
            raise ValidationError(_l("List at least one farmer and their quantity."))
