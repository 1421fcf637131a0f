"""Logistics forms. Weights and quantities are typed as text and parsed by postings' DecimalText."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from app.logistics.acceptance import REASON_LABELS
from app.logistics.models import UPDATE_STATUSES, ShipmentMethod
from app.postings.forms import MAX_QUANTITY, DecimalText
from app.trade.orders import MAX_NOTE_LENGTH

METHOD_LABELS = {
    ShipmentMethod.CARRIER.value: _l("Carrier with a tracking number"),
    ShipmentMethod.OWN_VEHICLE.value: _l("Own vehicle"),
    ShipmentMethod.BUYER_COLLECTS.value: _l("Buyer collects"),
    ShipmentMethod.STATION_PICKUP.value: _l("Pickup at an info-station"),
}


class ShipmentForm(FlaskForm):
    method = RadioField(
        _l("How do the goods travel?"),
        choices=[SelectChoice(value, label) for value, label in METHOD_LABELS.items()],
        validators=[InputRequired(_l("Choose how the goods travel."))],
    )
    carrier = StringField(_l("Carrier code (e.g. sf-express)"), validators=[Optional(), Length(max=40)])
    tracking_number = StringField(_l("Tracking number"), validators=[Optional(), Length(max=60)])
    driver_name = StringField(_l("Driver's name"), validators=[Optional(), Length(max=80)])
    driver_phone = StringField(
        _l("Driver's phone"), validators=[Optional(), Length(max=32)], render_kw={"inputmode": "tel"}
    )
    vehicle_plate = StringField(_l("Number plate"), validators=[Optional(), Length(max=20)])
    pickup_station = StringField(_l("Info-station"), validators=[Optional(), Length(max=200)])
    destination = StringField(_l("Delivery place"), validators=[Optional(), Length(max=300)])
    expected_date = DateField(_l("Expected delivery date (optional)"), validators=[Optional()])
    weight_kg = DecimalText(_l("Weight in kg (optional)"), places=3, maximum=MAX_QUANTITY)


class TruckDetailsForm(FlaskForm):
    driver_name = StringField(
        _l("Driver's name"), validators=[InputRequired(_l("Enter the driver's name.")), Length(max=80)]
    )
    driver_phone = StringField(
        _l("Driver's phone"),
        validators=[InputRequired(_l("Enter the driver's phone number.")), Length(max=32)],
        render_kw={"inputmode": "tel"},
    )
    vehicle_plate = StringField(
        _l("Number plate"), validators=[InputRequired(_l("Enter the number plate.")), Length(max=20)]
    )


class ShipmentUpdateForm(FlaskForm):
    status = HiddenField(validators=[InputRequired(), AnyOf(UPDATE_STATUSES)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])


class DriverUpdateForm(ShipmentUpdateForm):
    photo = FileField(_l("Photo (optional)"), render_kw={"accept": "image/*", "capture": "environment"})


class AcceptanceForm(FlaskForm):
    kind = RadioField(
        _l("What did you receive?"),
        choices=[
            SelectChoice("all", _l("Everything as ordered")),
            SelectChoice("part", _l("Only part, or not as agreed")),
        ],
        validators=[InputRequired(_l("Choose one."))],
    )
    quantity_received = DecimalText(_l("Quantity received"), places=3, maximum=MAX_QUANTITY)
    reason = RadioField(
        _l("Reason"),
        choices=[SelectChoice(value, label) for value, label in REASON_LABELS.items()],
        validate_choice=False,
    )
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])


class AcceptanceDecisionForm(FlaskForm):
    decision = HiddenField(validators=[InputRequired(), AnyOf(("agree", "disagree"))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])
