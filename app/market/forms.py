"""Market price forms: a manual market report, a member's price alert, a station's village list.

Rules that need the database (commodity and province exist, a weight unit) are checked again by the
services; the forms give the messages beside the fields."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.catalogue.services import all_regions, all_units, categories_with_commodities
from app.market.market_reports import MAX_PRICE
from app.market.models import SubscriptionChannel
from app.market.subscriptions import MAX_TARGET_PER_KG
from app.members.forms import PlainText
from app.members.phones import normalise_phone
from app.postings.forms import DecimalText


def _optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


def _locale() -> str:
    return str(get_locale() or "en")


def commodity_choices(empty_label) -> list[SelectChoice]:
    locale = _locale()
    return [SelectChoice("", empty_label)] + [
        SelectChoice(commodity.id, commodity.name(locale), optgroup=category.name(locale))
        for category in categories_with_commodities()
        for commodity in category.commodities
    ]


def province_choices(empty_label) -> list[SelectChoice]:
    locale = _locale()
    return [SelectChoice("", empty_label)] + [
        SelectChoice(region.code, region.name(locale)) for region in all_regions()
    ]


class MarketReportForm(FlaskForm):
    market_name = StringField(
        _l("Market"), validators=[InputRequired(_l("Enter the market's name.")), Length(max=100), PlainText()]
    )
    commodity_id = SelectField(
        _l("Commodity"), coerce=_optional_int, validators=[InputRequired(_l("Choose a commodity."))]
    )
    province_code = SelectField(_l("Province"), validators=[InputRequired(_l("Choose a province."))])
    price = DecimalText(
        _l("Price (¥)"), places=2, maximum=MAX_PRICE, validators=[InputRequired(_l("Enter the price."))]
    )
    unit_code = SelectField(_l("Per"), validators=[InputRequired(_l("Choose a unit."))])
    observed_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        locale = _locale()
        self.commodity_id.choices = commodity_choices(_l("Choose a commodity"))
        self.province_code.choices = province_choices(_l("Choose a province"))
        # Only units with a fixed weight can become a price per kg.
        self.unit_code.choices = [
            SelectChoice(unit.code, unit.name(locale)) for unit in all_units() if unit.kg_per_unit is not None
        ]
        if not self.is_submitted():
            self.observed_on.data = today
            self.unit_code.data = "jin" if locale.startswith("zh") else "kg"


class SubscriptionForm(FlaskForm):
    commodity_id = SelectField(
        _l("Commodity"), coerce=_optional_int, validators=[InputRequired(_l("Choose a commodity."))]
    )
    province_code = SelectField(_l("Province"), validators=[Optional()])
    target_price = DecimalText(
        _l("Target price per kg (¥, optional)"), places=2, maximum=MAX_TARGET_PER_KG, validators=[Optional()]
    )
    threshold_percent = DecimalText(
        _l("Alert when the price moves more than (%, optional)"), places=1, validators=[Optional()]
    )
    channel = RadioField(
        _l("Send by"),
        choices=[
            SelectChoice(SubscriptionChannel.SMS.value, _l("SMS")),
            SelectChoice(SubscriptionChannel.EMAIL.value, _l("E-mail")),
        ],
        default=SubscriptionChannel.SMS.value,
        validators=[InputRequired()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commodity_id.choices = commodity_choices(_l("Choose a commodity"))
        self.province_code.choices = province_choices(_l("All of China"))

    def validate_threshold_percent(self, field):
        if field.number is not None and field.number > 100:
            raise ValidationError(_l("Enter a percentage up to 100."))


class StationNumbersForm(FlaskForm):
    """Add one village number for one or more commodities."""

    phone = StringField(
        _l("Mobile number"),
        validators=[InputRequired(_l("Enter a mobile number.")), Length(max=40)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    commodity_ids = SelectMultipleField(
        _l("Commodities"), coerce=int, validators=[InputRequired(_l("Choose at least one commodity."))]
    )
    province_code = SelectField(_l("Province"), validators=[Optional()])
    locale = RadioField(
        _l("Language"),
        choices=[SelectChoice("zh_Hans", "中文"), SelectChoice("en", "English")],
        default="zh_Hans",
        validators=[InputRequired()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commodity_ids.choices = commodity_choices("")[1:]
        self.province_code.choices = province_choices(_l("All of China"))
        self.e164 = None

    def validate_phone(self, field):
        try:
            self.e164 = normalise_phone(field.data, current_app.config["DEFAULT_PHONE_REGION"])
        except ValueError:
            raise ValidationError(_l("Enter a valid mobile number, e.g. 138 0013 8000.")) from None
