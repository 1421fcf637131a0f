"""Cross-site scripting: every payload goes through the real forms (thread title and body, reply,
edit, report, search) and the pages that show it must hold no script, no event handler attribute
and no javascript:/data:/vbscript: URL. The Markdown renderer is also checked payload by payload."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.forum.markup import render_markdown, safe_html
from app.web.static_files import favicon_data_uri
from tests.forum.conftest import HTMX, latest_post, page_text, post_thread, posts_region

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="/media/a.jpg" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<a href=javascript&colon;alert(1)>x</a>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<base href=javascript:alert(1)//>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](<javascript:alert(1)>)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](https://evil.example/track.png)",
    "![x](//evil.example/track.png)",
    '![x" onerror="alert(1)](/media/a.jpg)',
    '![x](/media/a.jpg" onerror="alert(1))',
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    '[x](https://ok.example/"onmouseover="alert(1))',
    "**<script>alert(1)</script>**",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "> <img src=x onerror=alert(1)>",
    "- <a href=javascript:alert(1)>x</a>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<a href="#" onmouseover="alert(1)">hover</a>',
    "[x](https://ok.example)<script>alert(1)</script>",
    "<img src=`x`onerror=alert(1)>",
    "<img/src/onerror=alert(1)>",
    "<a/href=javascript:alert(1)>x</a>",
    "javascript:alert(1)",
    "<x onclick=alert(1)>click",
    "<<script>script>alert(1)<</script>/script>",
    "<script\x00>alert(1)</script>",
    "<svg/onload=alert`1`>",
]
NUL = "\x00"
BAD_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "svg",
    "math",
    "input",
    "frame",
    "frameset",
    "applet",
}
BAD_URL = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)
# The one data: URL a page may carry: the site's own favicon, written into <head> by base.html
# (app/web/static_files.py), never anything a member typed.
SITE_FAVICON = favicon_data_uri(Path(__file__).resolve().parents[2] / "static")


class _Scanner(HTMLParser):
    """Collect every script, event handler and script URL in a piece of HTML, and with ``strict``
    (for what members wrote) every tag outside the forum's allowlist that could do harm."""

    def __init__(self, strict: bool):
        super().__init__(convert_charrefs=True)
        self.strict = strict
        self.problems: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "inline")
        elif self.strict and tag in BAD_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name.lower() in {"href", "src", "action", "formaction", "srcdoc", "style", "xlink:href"} and value:
                cleaned = re.sub(r"[\x00-\x20]", "", value)
                own_favicon = tag == "link" and dict(attrs).get("rel") == "icon" and value == SITE_FAVICON
                if (BAD_URL.match(cleaned) and not own_favicon) or name.lower() in {"srcdoc", "style"}:
                    self.problems.append(f"{tag}[{name}={value!r}]")
            if tag == "img" and name == "src" and value and not value.startswith(("/media/", "/static/")):
                self.problems.append(f"img[src={value!r}]")


def scan(html: str, strict: bool = True) -> _Scanner:
    scanner = _Scanner(strict)
    scanner.feed(html)
    scanner.close()
    return scanner


def assert_page_is_safe(html: str, page: bool = True) -> None:
    """No script but the site's own, no handler, no script URL anywhere; and nothing but allowed
    markup inside the bodies of posts (the page's own forms are outside them)."""
    scanner = scan(html, strict=False)
    assert scanner.problems == []
    # The only script on any page is htmx from our static folder (base.html); fragments have none.
    # (its URL carries the file's fingerprint, ?v=…, app/web/static_files.py).
    assert [src.split("?v=")[0] for src in scanner.scripts] == (["/static/js/htmx.min.js"] if page else [])
    for body in re.findall(r'<div class="forum-body">(.*?)</div>', html, re.S):
        strict = scan(body)
        assert strict.problems == [] and strict.scripts == []


def test_there_are_at_least_fifty_payloads():
    assert len(set(PAYLOADS)) >= 50


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renderer_neutralises(payload):
    html = render_markdown(payload)
    scanner = scan(html)
    assert scanner.problems == [] and scanner.scripts == []
    # Sanitising stored HTML again changes nothing that matters and still finds nothing.
    assert scan(str(safe_html(html))).problems == []


def test_stored_html_is_sanitised_again_on_the_way_out():
    html = str(safe_html('<p onclick="alert(1)">hi<script>alert(1)</script><a href="javascript:alert(1)">x</a></p>'))
    assert scan(html).problems == [] and scan(html).scripts == [] and "hi" in html


def test_every_payload_posted_through_the_forum_renders_safely(client, login, author, reader, moderator, db):
    login(author)
    thread_ids = []
    posted = []
    for number, payload in enumerate(PAYLOADS):
        # Titles are plain text (escaped); bodies are Markdown. Both carry the payload.
        response = post_thread(client, title=f"T{number} {payload}"[:150], body=payload)
        if NUL in payload:
            # PostgreSQL cannot store NUL: the form refuses it with a message instead.
            assert response.status_code == 422 and "Remove the invisible control characters" in page_text(response)
            assert_page_is_safe(page_text(response))
            continue
        assert response.status_code == 303, (payload, page_text(response)[:300])
        thread_ids.append(int(response.headers["Location"].rsplit("/", 1)[1]))
        posted.append(payload)
    assert len(posted) >= 50
    login(reader)
    for thread_id, payload in zip(thread_ids, posted, strict=True):
        # A reply quoting the opening post, in place with htmx: the fragment is checked too.
        opening = db.session.scalars(
            db.select(db.text("id FROM forum_post WHERE thread_id = :t ORDER BY id").bindparams(t=thread_id))
        ).first()
        fragment = client.post(
            f"/forum/t/{thread_id}/reply",
            data={"body": f"> {payload}\n\n{payload}", "quoted_post_id": str(opening)},
            headers=HTMX,
        )
        assert fragment.status_code == 200, payload
        assert_page_is_safe(page_text(fragment), page=False)
        quote_form = client.get(f"/forum/t/{thread_id}/reply?quote={opening}")
        assert_page_is_safe(page_text(quote_form))
        page = page_text(client.get(f"/forum/t/{thread_id}"))
        assert_page_is_safe(page)
        assert "<script>alert" not in posts_region(page)
    for viewer in (reader, moderator):
        login(viewer)
        for path in ("/forum", "/forum/c/market-talk", "/forum/search?q=alert", "/forum/search?q=" + PAYLOADS[0]):
            response = client.get(path)
            assert response.status_code == 200
            assert_page_is_safe(page_text(response))


def test_payloads_in_edits_reports_and_moderation_pages_render_safely(client, login, author, reader, moderator):
    login(author)
    post_thread(client, title="Plain title", body="plain")
    post = latest_post()
    for payload in PAYLOADS[:20]:
        assert client.post(
            f"/forum/p/{post.id}/edit", data={"body": payload, "title": payload[:150] or "x" * 5}
        ).status_code in (303, 422)
        assert_page_is_safe(page_text(client.get(f"/forum/t/{post.thread_id}")))
    login(reader)
    assert client.post(f"/forum/p/{post.id}/report", data={"reason": PAYLOADS[3]}).status_code == 303
    login(moderator)
    assert client.post(f"/forum/p/{post.id}/hide", data={"reason": PAYLOADS[0]}).status_code == 303
    for path in ("/forum/moderation/log", "/forum/moderation/reports", f"/forum/t/{post.thread_id}"):
        assert_page_is_safe(page_text(client.get(path)))
    login(reader)
    assert client.get(f"/forum/t/{post.thread_id}").status_code == 404


def test_links_get_nofollow_and_only_own_images_are_kept():
    html = render_markdown(
        "[a](https://ok.example) ![own](/media/p_1.jpg) ![static](/static/img/logo.svg) ![far](https://evil.example/x.png)"
    )
    assert '<a href="https://ok.example" rel="nofollow ugc noopener">a</a>' in html
    assert 'src="/media/p_1.jpg"' in html and 'src="/static/img/logo.svg"' in html
    assert "evil.example" not in html


def test_the_scanner_itself_catches_unsafe_markup():
    # Guards the guard: were the scanner blind, every test above would pass for nothing.
    for html in (
        "<img src=x onerror=alert(1)>",
        '<a href=" javascript:alert(1)">x</a>',
        "<svg></svg>",
        '<img src="https://evil/x.png">',
    ):
        assert scan(html).problems, html
    assert scan("<script>alert(1)</script>").scripts == ["inline"]
