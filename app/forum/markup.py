"""Forum Markdown → safe HTML, and the posting links a post refers to.

Two independent layers, so that a bug in one is not an XSS hole: markdown-it-py renders with raw HTML
disabled (any ``<tag>`` typed by a member comes out as text), then nh3 (ammonia) keeps only an
allowlist of tags and attributes. Links keep http(s) or same-site paths and get
``rel="nofollow ugc noopener"``; images are kept only when they come from Jishi's own uploads
(/media/…) or static files — an outside image would let anyone track readers (and the CSP would block
it anyway). The result is stored with the post and rendered with ``Markup``; nothing else a member
typed is ever marked safe.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
LINK_REL = "nofollow ugc noopener"
OWN_IMAGE_PREFIXES = ("/media/", "/static/")
MAX_POSTING_CARDS = 3

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["strikethrough", "table"]
)
# Headings inside a post must not compete with the page's own h1/h2.
_HEADING_RE = re.compile(r"<(/?)h[12]>")
_POSTING_PATH_RE = re.compile(r"(?<![\w/.-])(?P<base>https?://[^\s/()<>\]]+)?/(?:p|postings)/(?P<id>\d{1,9})(?![\w/])")


def _is_same_site_path(value: str) -> bool:
    # "//host/x" and "/\host" are other sites to a browser even though they start with a slash.
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Last word on URLs (nh3 has already removed unknown schemes such as javascript:)."""
    if tag == "a" and attribute == "href":
        if re.match(r"https?://", value, re.IGNORECASE) or _is_same_site_path(value) or value.startswith("#"):
            return value
        return None
    if tag == "img" and attribute == "src":
        path = urlsplit(value).path if _is_same_site_path(value) else ""
        if path.startswith(OWN_IMAGE_PREFIXES) and ".." not in path and path == value.split("?")[0]:
            return value
        return None
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() and len(value) < 7 else None
    return value


def render_markdown(source: str) -> str:
    """Sanitised HTML for the Markdown ``source`` (a str to store; wrap it in :class:`Markup` to show)."""
    html = _markdown.render(source or "")
    html = _HEADING_RE.sub(lambda m: f"<{m.group(1)}h3>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def safe_html(stored_html: str) -> Markup:
    """The stored, already sanitised HTML of a post, ready for a template.

    Sanitised again on the way out: a row written by an older version (or by hand) cannot bypass the
    allowlist. nh3 is fast enough (microseconds per post) that this costs nothing noticeable."""
    return Markup(
        nh3.clean(
            stored_html or "",
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https"},
            link_rel=LINK_REL,
            attribute_filter=_attribute_filter,
        )
    )


def plain_text(stored_html: str, length: int = 200) -> str:
    """The words of a post without markup, cut to ``length`` characters (for search results)."""
    text = " ".join(Markup(stored_html or "").striptags().split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def posting_ids(source: str, public_base_url: str = "") -> list[int]:
    """Ids of Jishi postings linked in ``source`` (``/p/12``, ``/postings/12``, or the same on the
    site's public address), in order, without repeats, at most MAX_POSTING_CARDS."""
    own_host = urlsplit(public_base_url).netloc.lower()
    found: list[int] = []
    for match in _POSTING_PATH_RE.finditer(source or ""):
        base = match.group("base")
        if base and urlsplit(base).netloc.lower() != own_host:
            continue
        posting_id = int(match.group("id"))
        if posting_id not in found:
            found.append(posting_id)
        if len(found) == MAX_POSTING_CARDS:
            break
    return found


def quote_markdown(author_name: str, body: str, link: str) -> str:
    """The Markdown a reply starts with when it quotes a post: a link to it and its lines as ``>``."""
    name = re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", author_name)
    lines = (body or "").strip().splitlines() or [""]
    quoted = "\n".join("> " + line for line in lines)
    return f"> [{name}]({link}):\n>\n{quoted}\n\n"
