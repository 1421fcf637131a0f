"""Catalogue admin forms: add a commodity, rename it, add an alias."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# People type lists with ASCII or Chinese commas, the Chinese enumeration comma or a bar.
ALIAS_SEPARATORS_RE = re.compile(r"[,，、|;；]+")
ALIAS_MAX_LENGTH = 80
MAX_ALIASES_AT_ONCE = 20


def split_aliases(text: str | None) -> list[str]:
    """The distinct, stripped aliases in a comma/、-separated list, in the order typed."""
    parts = (part.strip() for part in ALIAS_SEPARATORS_RE.split(text or ""))
    return list(dict.fromkeys(part for part in parts if part))


class AliasList:
    """Validates a separated list of aliases: each within the length limit, not too many at once."""

    def __call__(self, form, field) -> None:
        aliases = split_aliases(field.data)
        if len(aliases) > MAX_ALIASES_AT_ONCE:
            raise ValidationError(_l("Add at most %(count)d aliases at once.", count=MAX_ALIASES_AT_ONCE))
        too_long = [alias for alias in aliases if len(alias) > ALIAS_MAX_LENGTH]
        if too_long:
            raise ValidationError(_l("Each alias may be at most %(max)d characters.", max=ALIAS_MAX_LENGTH))


def no_control_characters(form, field) -> None:
    """NUL bytes and other control characters are never typed and PostgreSQL cannot store NUL."""
    if any(unicodedata.category(char) == "Cc" for char in field.data or ""):
        raise ValidationError(_l("Remove the invisible control characters from this text."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CommodityNamesForm(FlaskForm):
    name_en = StringField(
        _l("English name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the English name.")), Length(max=80), no_control_characters],
    )
    name_zh = StringField(
        _l("Chinese name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the Chinese name.")), Length(max=80), no_control_characters],
    )


class NewCommodityForm(CommodityNamesForm):
    slug = StringField(
        _l("Slug"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter a slug.")),
            Length(min=2, max=60),
            Regexp(SLUG_RE, message=_l("Use lowercase letters a–z, digits and single dashes, e.g. red-pepper.")),
        ],
    )
    category_id = SelectField(_l("Category"), coerce=int, validate_choice=True)
    default_unit_code = SelectField(_l("Default unit"), validate_choice=True, default="kg")
    aliases_en = StringField(_l("English aliases"), filters=[_strip], validators=[AliasList(), no_control_characters])
    aliases_zh = StringField(_l("Chinese aliases"), filters=[_strip], validators=[AliasList(), no_control_characters])


class AliasForm(FlaskForm):
    text = StringField(
        _l("New alias"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the alias.")), Length(max=ALIAS_MAX_LENGTH), no_control_characters],
    )
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("zh", _l("Chinese")), SelectChoice("en", _l("English"))],
        validate_choice=True,
    )
