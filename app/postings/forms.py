"""Posting forms. Every rule that needs only the submitted values lives here; rules that need the
database (lot code already used, commodity exists) are checked again by postings.services."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from app.catalogue.services import all_regions, all_units, categories_with_commodities
from app.members.phones import normalise_phone
from app.postings.models import DeliveryOption, PostingKind
from app.postings.services import MAX_PRICE, MAX_QUANTITY, MAX_UNIT_WEIGHT_KG, PostingData, local_today
from app.sms_spend.budget import DestinationRefused, check_destination

# Dates further ahead than this are typos (and would overflow date arithmetic when renewed).
MAX_DAYS_AHEAD = 366
_PLAIN_NUMBER = re.compile(r"(\d+(\.\d*)?|\.\d+)", re.ASCII)
# A minus sign (ASCII, the Unicode minus, a full-width one after NFKC) before a plain number.
_NEGATIVE_NUMBER = re.compile(r"[-\u2212]\s*(\d+(\.\d*)?|\.\d+)", re.ASCII)


def _optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


def _unit_label(unit, locale: str) -> str:
    if unit.kg_per_unit is None or unit.code == "kg":
        return unit.name(locale)
    return f"{unit.name(locale)} ({unit.kg_per_unit.normalize():f} kg)"


def _initial_values(posting) -> dict:
    """What an edit form shows before anything is submitted."""
    names = (
        "kind",
        "commodity_id",
        "title",
        "description",
        "variety",
        "grade",
        "quantity",
        "unit_code",
        "unit_weight_kg",
        "min_order",
        "price",
        "province_code",
        "locality",
        "available_from",
        "available_until",
        "delivery",
        "lot_code",
        "harvest_date",
    )
    values = {name: getattr(posting, name) for name in names}
    values["negotiable"] = posting.price is None
    return values


class DecimalText(StringField):
    """A positive decimal typed as text. Refuses NaN, infinity, exponents, signs, zero, too many
    decimal places and values above ``maximum`` — each with its own message.

    Full-width digits (from Chinese keyboards) are accepted.
    """

    def __init__(
        self,
        label=None,
        validators=None,
        places: int = 2,
        maximum: Decimal = MAX_PRICE,
        not_positive_message=None,
        **kwargs,
    ):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.maximum = maximum
        # What a negative number or zero is told: a price field says so in its own words.
        self.not_positive_message = not_positive_message or _l("Enter a number greater than zero.")
        self.number: Decimal | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.number = None
        text = unicodedata.normalize("NFKC", self.data or "").strip()
        self.data = text
        if not text:
            return
        # Only plain digits reach Decimal(), so "NaN", "inf", "1e309" and signs never become numbers.
        if _NEGATIVE_NUMBER.fullmatch(text):
            raise ValueError(self.not_positive_message)
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValueError(_l("Enter a number such as 12 or 12.5."))
        number = Decimal(text)
        if number <= 0:
            raise ValueError(self.not_positive_message)
        if number > self.maximum:
            raise ValueError(_l("That number is too large (at most %(max)s).", max=f"{self.maximum:,}"))
        if -number.as_tuple().exponent > self.places:
            raise ValueError(_l("Use at most %(n)s digits after the decimal point.", n=self.places))
        self.number = number

    def process_data(self, value):
        self.number = Decimal(value) if value is not None else None
        self.data = "" if value is None else f"{Decimal(value).normalize():f}"


class PostingForm(FlaskForm):
    kind = RadioField(
        _l("I want to"),
        choices=[
            SelectChoice(PostingKind.SELL.value, _l("Sell (供)")),
            SelectChoice(PostingKind.BUY.value, _l("Buy (求)")),
        ],
        default=PostingKind.SELL.value,
        validators=[InputRequired(_l("Choose sell or buy."))],
    )
    commodity_id = SelectField(
        _l("Commodity"), coerce=_optional_int, validators=[InputRequired(_l("Choose a commodity."))]
    )
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a short title.")), Length(min=3, max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    variety = StringField(_l("Variety"), validators=[Optional(), Length(max=80)])
    grade = StringField(_l("Grade"), validators=[Optional(), Length(max=40)])
    quantity = DecimalText(
        _l("Quantity"), places=3, maximum=MAX_QUANTITY, validators=[InputRequired(_l("Enter the quantity."))]
    )
    unit_code = SelectField(_l("Unit"), validators=[InputRequired(_l("Choose a unit."))], default="kg")
    unit_weight_kg = DecimalText(_l("Weight of one unit in kg"), places=3, maximum=MAX_UNIT_WEIGHT_KG)
    min_order = DecimalText(_l("Minimum order (in the same unit)"), places=3, maximum=MAX_QUANTITY)
    price = DecimalText(
        _l("Price per unit (¥)"), places=2, maximum=MAX_PRICE, not_positive_message=_l("Price must be greater than 0.")
    )
    negotiable = BooleanField(_l("Price negotiable"))
    province_code = SelectField(_l("Province"), validators=[InputRequired(_l("Choose a province."))])
    locality = StringField(_l("County / town"), validators=[Optional(), Length(max=100)])
    available_from = DateField(_l("Available from"), validators=[Optional()])
    available_until = DateField(_l("Available until"), validators=[Optional()])
    delivery = RadioField(
        _l("Delivery"),
        choices=[
            SelectChoice(DeliveryOption.COLLECT.value, _l("Buyer collects")),
            SelectChoice(DeliveryOption.DELIVER.value, _l("Seller delivers")),
            SelectChoice(DeliveryOption.EITHER.value, _l("Either")),
        ],
        default=DeliveryOption.EITHER.value,
        validators=[InputRequired(_l("Choose a delivery option."))],
    )
    photos = MultipleFileField(_l("Photos (JPEG, PNG or WebP, up to 6)"))
    remove_photos = SelectMultipleField(_l("Remove photos"), coerce=int, choices=[])
    lot_code = StringField(
        _l("Lot code"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use only letters, digits and hyphens.")),
        ],
    )
    harvest_date = DateField(_l("Harvest date"), validators=[Optional()])
    publish = SubmitField(_l("Publish"))
    save_draft = SubmitField(_l("Save as draft"))
    save = SubmitField(_l("Save changes"))

    def __init__(self, *args, posting=None, today: date | None = None, **kwargs):
        if posting is not None:
            kwargs.setdefault("data", _initial_values(posting))
        super().__init__(*args, **kwargs)
        self.posting = posting
        self.today = today or local_today()
        locale = str(get_locale() or "en")
        self.units = {unit.code: unit for unit in all_units()}
        self.commodity_id.choices = [SelectChoice("", _l("Choose a commodity"))] + [
            SelectChoice(commodity.id, commodity.name(locale), optgroup=category.name(locale))
            for category in categories_with_commodities()
            for commodity in category.commodities
        ]
        self.unit_code.choices = [SelectChoice(unit.code, _unit_label(unit, locale)) for unit in self.units.values()]
        self.province_code.choices = [SelectChoice("", _l("Choose a province"))] + [
            SelectChoice(region.code, region.name(locale)) for region in all_regions()
        ]
        photos = posting.photos if posting is not None else []
        self.remove_photos.choices = [SelectChoice(photo.id, str(photo.position + 1)) for photo in photos]

    @property
    def uploads(self) -> list:
        """The files actually chosen (browsers send one empty part when none is chosen)."""
        return [f for f in (self.photos.data or []) if f and getattr(f, "filename", "")]

    @property
    def existing_photo_count(self) -> int:
        return len(self.posting.photos) if self.posting is not None else 0

    @property
    def wants_publish(self) -> bool:
        # Pressing Enter submits the first button (Publish), so only an explicit draft stays a draft.
        return not self.save_draft.data

    def validate_photos(self, field):
        limit = current_app.config["MAX_PHOTOS_PER_POSTING"]
        kept = self.existing_photo_count - len(set(self.remove_photos.data or []))
        # Photos kept from an earlier attempt (app/media/pending_uploads.py) count too.
        if kept + len(getattr(self, "pending", [])) + len(self.uploads) > limit:
            raise ValidationError(_l("A posting can have at most %(n)s photos.", n=limit))

    def validate_price(self, field):
        if self.negotiable.data and field.number is not None:
            raise ValidationError(_l("Enter a price or tick “Price negotiable”, not both."))
        if not self.negotiable.data and field.number is None and not field.errors:
            raise ValidationError(_l("Enter a price per unit, or tick “Price negotiable”."))

    def validate_unit_weight_kg(self, field):
        unit = self.units.get(self.unit_code.data)
        needs_weight = (
            unit is not None
            and unit.kg_per_unit is None
            and self.kind.data == PostingKind.SELL.value
            and not self.negotiable.data
        )
        if needs_weight and field.number is None and not field.errors:
            raise ValidationError(
                _l(
                    "Say how many kg one %(unit)s weighs, so buyers can compare prices.",
                    unit=unit.name(str(get_locale() or "en")),
                )
            )

    def validate_min_order(self, field):
        if field.number is not None and self.quantity.number is not None and field.number > self.quantity.number:
            raise ValidationError(_l("The minimum order cannot be more than the quantity."))

    def validate_available_from(self, field):
        if field.data and field.data > self.today + timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError(_l("Choose a date within the next year."))

    def validate_available_until(self, field):
        if not field.data:
            return
        unchanged = self.posting is not None and field.data == self.posting.available_until
        if field.data < self.today and not unchanged:
            raise ValidationError(_l("This date is in the past."))
        if field.data > self.today + timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError(_l("Choose a date within the next year."))
        if self.available_from.data and field.data < self.available_from.data:
            raise ValidationError(_l("“Available until” must be on or after “Available from”."))

    def validate_harvest_date(self, field):
        if field.data and field.data > self.today:
            raise ValidationError(_l("The harvest date cannot be in the future."))

    def to_data(self) -> PostingData:
        """The validated values as PostingData (call only after ``validate()`` succeeded)."""
        unit = self.units[self.unit_code.data]
        return PostingData(
            kind=self.kind.data,
            commodity_id=self.commodity_id.data,
            title=self.title.data,
            description=self.description.data or "",
            variety=self.variety.data or "",
            grade=self.grade.data or "",
            quantity=self.quantity.number,
            unit_code=unit.code,
            unit_weight_kg=self.unit_weight_kg.number if unit.kg_per_unit is None else None,
            min_order=self.min_order.number,
            price=None if self.negotiable.data else self.price.number,
            province_code=self.province_code.data,
            locality=self.locality.data or "",
            available_from=self.available_from.data,
            available_until=self.available_until.data,
            delivery=self.delivery.data,
            lot_code=(self.lot_code.data or "").strip() or None,
            harvest_date=self.harvest_date.data,
        )


class StationPostingForm(PostingForm):
    """An info-station operator posts for a farmer known only by mobile number."""

    farmer_phone = StringField(
        _l("Farmer's mobile number"),
        validators=[InputRequired(_l("Enter the farmer's mobile number.")), Length(max=40)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    farmer_name = StringField(_l("Farmer's name (optional)"), validators=[Optional(), Length(max=80)])

    def validate_farmer_phone(self, field):
        try:
            self.farmer_e164 = normalise_phone(field.data, current_app.config["DEFAULT_PHONE_REGION"])
        except ValueError:
            raise ValidationError(_l("Enter a valid mobile number, e.g. 138 0013 8000."))

        try:
            check_destination(self.farmer_e164)
        except DestinationRefused as error:
            raise ValidationError(error.message)
