"""Forum forms. Lengths are checked here and again by app.forum.services (which also sees the database)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from app.forum.moderation import MAX_SUSPENSION_DAYS
from app.forum.services import BODY_MAX, REASON_MAX, REASON_MIN, TITLE_MAX, TITLE_MIN
from app.members.forms import PlainText

BODY_HINT = _l(
    "Markdown: **bold**, *italic*, > quote, - list, [link](https://…). Link a posting (/p/123) to show its card."
)


def _optional_int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _body_field():
    return TextAreaField(
        _l("Message"),
        validators=[
            InputRequired(_l("Please write something.")),
            PlainText(multiline=True),
            Length(max=BODY_MAX, message=_l("A post can be at most %(max)d characters.")),
        ],
    )


class ThreadForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            InputRequired(_l("Please give the thread a title.")),
            # Line breaks and tabs are folded into spaces by the service; other control characters are refused.
            PlainText(multiline=True),
            Length(min=TITLE_MIN, max=TITLE_MAX, message=_l("The title must be %(min)d to %(max)d characters.")),
        ],
    )
    body = _body_field()


class ReplyForm(FlaskForm):
    body = _body_field()
    # Which post the reply quotes; checked by services.reply (same thread, still visible).
    quoted_post_id = HiddenField(filters=[_optional_int])


class EditPostForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            Optional(),
            PlainText(multiline=True),
            Length(min=TITLE_MIN, max=TITLE_MAX, message=_l("The title must be %(min)d to %(max)d characters.")),
        ],
    )
    body = _body_field()


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should a moderator look at this post?"),
        validators=[
            InputRequired(_l("Please give a reason.")),
            PlainText(multiline=True),
            Length(
                min=REASON_MIN, max=REASON_MAX, message=_l("Please give a reason of %(min)d to %(max)d characters.")
            ),
        ],
    )


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason (shown to readers)"),
        validators=[InputRequired(_l("Please say why the post is hidden.")), PlainText(), Length(max=300)],
    )


class MoveForm(FlaskForm):
    category_id = SelectField(_l("Move to"), coerce=_optional_int, validators=[InputRequired(_l("Choose a category."))])


class SuspendForm(FlaskForm):
    days = IntegerField(
        _l("Days"),
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(min=1, max=MAX_SUSPENSION_DAYS, message=_l("Suspend for 1 to %(max)d days.")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        validators=[InputRequired(_l("Please give a reason for the suspension.")), PlainText(), Length(max=300)],
    )


class CategoryForm(FlaskForm):
    slug = StringField(
        _l("Short name (in the address)"),
        validators=[
            InputRequired(_l("Enter a short name.")),
            Length(max=40),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and dashes.")),
        ],
    )
    name_en = StringField(
        _l("Name (English)"), validators=[InputRequired(_l("Enter the English name.")), PlainText(), Length(max=80)]
    )
    name_zh = StringField(
        _l("Name (Chinese)"), validators=[InputRequired(_l("Enter the Chinese name.")), PlainText(), Length(max=80)]
    )
    description_en = StringField(_l("Description (English)"), validators=[Optional(), PlainText(), Length(max=300)])
    description_zh = StringField(_l("Description (Chinese)"), validators=[Optional(), PlainText(), Length(max=300)])
    position = IntegerField(
        _l("Position (lower comes first)"), default=100, validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )
