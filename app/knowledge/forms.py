"""Knowledge-base forms. Lengths are checked here and again by the services."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.knowledge.models import Season, Topic
from app.knowledge.questions import ANSWER_MAX, QUESTION_MAX
from app.knowledge.services import BODY_MAX, EXPERT_TITLE_MAX, TITLE_MAX, TITLE_MIN
from app.members.forms import MobileNumber, PlainText
from app.members.phones import normalise_phone
from app.sms_spend.budget import DestinationRefused, check_destination

TOPIC_LABELS = {
    Topic.GROWING.value: _l("Growing"),
    Topic.PESTS.value: _l("Pests and diseases"),
    Topic.ANIMAL_HEALTH.value: _l("Animal health"),
    Topic.STORAGE.value: _l("Storage"),
}
SEASON_LABELS = {
    Season.ALL_YEAR.value: _l("All year"),
    Season.SPRING.value: _l("Spring"),
    Season.SUMMER.value: _l("Summer"),
    Season.AUTUMN.value: _l("Autumn"),
    Season.WINTER.value: _l("Winter"),
}
MARKDOWN_HINT = _l("Markdown: **bold**, *italic*, ### heading, - list, [link](https://…).")


DATABASE_ID_MAX = 2**31 - 1


def optional_int(value):
    """A database id from a form, or None (empty, not a number, or beyond the id column's range)."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= DATABASE_ID_MAX else None


def commodity_choices(commodities, empty_label) -> list[SelectChoice]:
    from app.core.formatting import localized

    return [SelectChoice("", empty_label)] + [SelectChoice(c.id, localized(c)) for c in commodities]


class ArticleForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            InputRequired(_l("Please give the article a title.")),
            PlainText(multiline=True),
            Length(min=TITLE_MIN, max=TITLE_MAX, message=_l("The title must be %(min)d to %(max)d characters.")),
        ],
    )
    commodity_id = SelectField(_l("Commodity"), coerce=optional_int, validate_choice=False)
    topic = SelectField(_l("Topic"), choices=[SelectChoice(value, label) for value, label in TOPIC_LABELS.items()])
    season = SelectField(
        _l("Season"),
        choices=[SelectChoice(value, label) for value, label in SEASON_LABELS.items()],
        default=Season.ALL_YEAR.value,
    )
    body = TextAreaField(
        _l("Article"),
        validators=[
            InputRequired(_l("Please write the article.")),
            PlainText(multiline=True),
            Length(max=BODY_MAX, message=_l("An article can be at most %(max)d characters.")),
        ],
    )


class AskForm(FlaskForm):
    body = TextAreaField(
        _l("Your question"),
        validators=[
            InputRequired(_l("Please write your question.")),
            PlainText(multiline=True),
            Length(min=3, max=QUESTION_MAX, message=_l("A question must be %(min)d to %(max)d characters.")),
        ],
    )
    commodity_id = SelectField(_l("Commodity"), coerce=optional_int, validate_choice=False)
    is_public = BooleanField(_l("Show my question and the answer on the site (without my name or number)"))


class StationAskForm(AskForm):
    """An information station asks for a farmer: the answer is texted to the farmer's number."""

    farmer_phone = StringField(
        _l("Farmer's mobile number"),
        validators=[InputRequired(_l("Enter the farmer's mobile number.")), Length(max=40)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )

    def validate_farmer_phone(self, field):
        try:
            self.farmer_e164 = normalise_phone(field.data, current_app.config["DEFAULT_PHONE_REGION"])
        except ValueError:
            raise ValidationError(_l("Enter a valid mobile number, e.g. 138 0013 8000."))
        try:
            check_destination(self.farmer_e164)
        except DestinationRefused as error:
            raise ValidationError(error.message)


class AnswerForm(FlaskForm):
    body = TextAreaField(
        _l("Answer"),
        validators=[
            InputRequired(_l("Please write the answer.")),
            PlainText(multiline=True),
            Length(min=10, max=ANSWER_MAX, message=_l("An answer must be %(min)d to %(max)d characters.")),
        ],
    )


class VisibilityForm(FlaskForm):
    public = HiddenField()


class ExpertForm(FlaskForm):
    phone = StringField(
        _l("Member's mobile number"),
        validators=[InputRequired(_l("Enter the member's mobile number.")), MobileNumber()],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    title = StringField(
        _l("Shown as (optional)"),
        validators=[Optional(), PlainText(), Length(max=EXPERT_TITLE_MAX)],
    )
    commodities = SelectMultipleField(
        _l("Commodities they answer for"),
        coerce=optional_int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )


class RevokeForm(FlaskForm):
    pass
