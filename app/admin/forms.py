"""Forms of the admin area, the report form and the help editor. Rules that need the database are in
the services, which raise ActionInvalid; the routes show those beside the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.admin.models import ReportReason
from app.admin.reports import MAX_DETAILS_LENGTH, reason_label
from app.admin.services import MAX_REASON_LENGTH, MAX_SUSPENSION_DAYS
from app.members.forms import PlainText


def _strip(value):
    return value.strip() if isinstance(value, str) else value


_REASON_LABEL = _l("Reason (kept in the audit log)")


def _reason_field(label=_REASON_LABEL):
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(_l("Give a reason. It is kept in the audit log.")),
            Length(max=MAX_REASON_LENGTH),
            PlainText(multiline=True),
        ],
    )


class ReportForm(FlaskForm):
    reason = RadioField(_l("What is wrong?"), choices=[], validators=[InputRequired(_l("Choose a reason."))])
    details = TextAreaField(
        _l('Tell us more (optional, required for "Something else")'),
        filters=[_strip],
        validators=[Length(max=MAX_DETAILS_LENGTH), PlainText(multiline=True)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels are lazy strings: built per request so they follow the reader's language.
        self.reason.choices = [SelectChoice(reason.value, reason_label(reason.value)) for reason in ReportReason]


class ReasonForm(FlaskForm):
    reason = _reason_field()


class SuspendForm(FlaskForm):
    length = RadioField(
        _l("How long"),
        choices=[SelectChoice("days", _l("For a number of days")), SelectChoice("permanent", _l("Permanently"))],
        default="days",
        validators=[InputRequired(_l("Choose how long."))],
    )
    days = IntegerField(_l("Days"), default=7, validators=[Optional(), NumberRange(1, MAX_SUSPENSION_DAYS)])
    reason = _reason_field()

    def needs_days(self) -> bool:
        return self.length.data != "permanent"

    def validate(self, extra_validators=None) -> bool:
        # An empty "days" passes Optional(), which also stops inline validators, so it is checked here.
        valid = super().validate(extra_validators)
        if self.needs_days() and self.days.data is None and not self.days.errors:
            self.days.errors.append(_l("Give the number of days (1 to %(n)s).", n=MAX_SUSPENSION_DAYS))
            return False
        return valid

    @property
    def suspension_days(self) -> int | None:
        return None if self.length.data == "permanent" else self.days.data


class DecideReportForm(SuspendForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("dismiss", _l("Dismiss: no rule broken")),
            SelectChoice("uphold", _l("Uphold: action taken elsewhere or a warning given")),
            SelectChoice("hide_posting", _l("Uphold and hide the posting")),
            SelectChoice("suspend", _l("Uphold and suspend the member")),
        ],
        validators=[InputRequired(_l("Choose what to do."))],
    )
    reason = _reason_field(_l("Note (kept in the audit log and sent to the reporter)"))
    # Only read when suspending; dismissing or hiding a posting needs no length.
    length = RadioField(
        _l("How long"), choices=SuspendForm.length.kwargs["choices"], default="days", validators=[Optional()]
    )

    def needs_days(self) -> bool:
        return self.decision.data == "suspend" and super().needs_days()


class HelpPageForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[DataRequired(), Length(max=120), PlainText()])
    body = TextAreaField(
        _l("Text (Markdown: **bold**, lists with -, tables, links)"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=20_000), PlainText(multiline=True)],
    )
    reason = _reason_field(_l("What changed and why (kept in the audit log)"))
