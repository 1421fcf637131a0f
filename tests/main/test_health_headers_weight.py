"""The health check, security headers on HTML pages, no inline script or style, and page weight."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.media.images import StoredImage
from tests.factories import make_posting

HTML_PAGES = ["/", "/market", "/market?q=%E7%8E%89%E7%B1%B3", "/no-such-page"]


def test_health_check_answers_json(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not used",
        "rate_limits": "per worker",
        "outbox": "ok",
        "outbox_lag_seconds": 0,
    }


@pytest.mark.parametrize("url", HTML_PAGES)
@pytest.mark.parametrize("htmx", [False, True])
def test_html_responses_carry_the_security_headers(client, db, url, htmx):
    response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"strict-origin-when-cross-origin", "same-origin", "no-referrer"}


@pytest.mark.parametrize("url", HTML_PAGES[:3])
def test_pages_have_no_inline_script_style_or_event_handlers(client, db, url):
    make_posting(title="优质玉米出售")
    page = client.get(url).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_home_and_market_pages_weigh_less_than_100_kb_with_css_and_htmx(client, db):
    for number in range(20):
        photo = StoredImage(f"photo{number}.jpg", f"photo{number}-thumb.jpg", 1200, 900)
        make_posting(
            title=f"优质玉米出售 河南 新粮 第{number}批 Fresh maize lot {number}",
            photos=[photo],
            unit_code="bag50",
            price=Decimal("125.50"),
        )
        make_posting(commodity="wheat", kind="buy", title=f"求购小麦 Wanted: wheat {number}")
    assets = sum(len(client.get(path).data) for path in ("/static/css/app.css", "/static/js/htmx.min.js"))
    for url in ("/", "/market", "/market?q=%E7%8E%89%E7%B1%B3"):
        page = client.get(url)
        assert page.status_code == 200
        total = len(page.data) + assets
        assert total < 100 * 1024, f"{url}: {total} bytes"
