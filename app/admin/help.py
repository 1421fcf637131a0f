"""Help centre pages: the shipped text (app/admin/help_defaults.py) unless an admin edited the page in
that language. Markdown is rendered with raw HTML switched off and the result sanitised by nh3, so an
admin's text can format but never run script or break the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import nh3
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select

from app.admin import services
from app.admin.help_defaults import PAGES, SLUGS
from app.admin.models import AuditAction, HelpPage
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member

LOCALES = tuple(PAGES)
MAX_TITLE_LENGTH = 120
MAX_BODY_LENGTH = 20_000
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


@dataclass(frozen=True)
class Page:
    slug: str
    locale: str
    title: str
    body: str
    edited_at: datetime | None = None
    edited_by: Member | None = None


def page_locale(locale: str | None) -> str:
    """The help language for a UI locale (Chinese for any zh, else English)."""
    return "zh_Hans" if (locale or "").lower().startswith("zh") else "en"


def get_page(slug: str, locale: str) -> Page | None:
    """The page in ``locale``: the admin's edit when there is one, else the shipped text; None for an
    unknown slug."""
    if slug not in SLUGS:
        return None
    locale = locale if locale in LOCALES else "en"
    edited = db.session.scalar(select(HelpPage).where(HelpPage.slug == slug, HelpPage.locale == locale))
    if edited is not None:
        return Page(slug, locale, edited.title, edited.body, edited.updated_at, edited.updated_by)
    title, body = PAGES[locale][slug]
    return Page(slug, locale, title, body)


def index(locale: str) -> list[Page]:
    return [get_page(slug, locale) for slug in SLUGS]


def render(markdown_text: str) -> Markup:
    """Markdown → sanitised HTML (no raw HTML, no script, links limited to http(s) and mailto)."""
    html = _markdown.render(markdown_text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
    # After sanitising, so no admin text can add markup: wide tables scroll inside a 360 px screen.
    clean = clean.replace("<table>", '<div class="table-wrap"><table>').replace("</table>", "</table></div>")
    return Markup(clean)


def save_page(slug: str, locale: str, title: str, body: str, admin: Member, reason: str) -> HelpPage:
    """Store an admin's version of a page and record it in the audit log. Returns the row.

    Raises DomainError 404 for an unknown slug or locale; services.ActionInvalid for an empty or too
    long title or body, or no reason."""
    if slug not in SLUGS or locale not in LOCALES:
        raise DomainError(_l("We could not find that page."), status=404)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise services.ActionInvalid("title", _l("A title of 1 to %(n)s characters.", n=MAX_TITLE_LENGTH))
    if not body or len(body) > MAX_BODY_LENGTH:
        raise services.ActionInvalid("body", _l("A text of 1 to %(n)s characters.", n=MAX_BODY_LENGTH))
    reason = services.clean_reason(reason)
    page = db.session.scalar(select(HelpPage).where(HelpPage.slug == slug, HelpPage.locale == locale).with_for_update())
    if page is None:
        page = HelpPage(slug=slug, locale=locale)
        db.session.add(page)
    page.title, page.body, page.updated_by_id = title, body, admin.id
    db.session.flush()
    services.record(AuditAction.EDIT_HELP, admin, reason, detail=f"{slug}/{locale}")
    return page
