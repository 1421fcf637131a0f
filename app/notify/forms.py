"""The notification preferences form: one checkbox per (category, channel) a member may switch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.notify.preferences import CATEGORIES, CHANNELS


def choice_value(category: str, channel: str) -> str:
    return f"{category}:{channel}"


def switchable_choices() -> list[SelectChoice]:
    """One choice per checkbox: categories a member may switch off, on each channel."""
    return [
        SelectChoice(choice_value(category.name, channel), f"{category.label} ({channel})")
        for category in CATEGORIES.values()
        if not category.locked
        for channel in CHANNELS
    ]


class ChoicesField(SelectMultipleField):
    """Ticked checkboxes; an unknown or locked value (a forged post) is refused, never ignored."""

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or ()):
            raise ValidationError(_l("Choose from the listed notifications only."))


class NotificationPreferencesForm(FlaskForm):
    enabled = ChoicesField(_l("Send me"), choices=switchable_choices, validate_choice=True)

    def enabled_pairs(self) -> set[tuple[str, str]]:
        return {tuple(value.split(":", 1)) for value in self.enabled.data or ()}
