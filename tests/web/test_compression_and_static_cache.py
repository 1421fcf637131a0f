"""Issue 25, a farmer's phone on a rural link: pages and static files travel compressed, static URLs
carry a content fingerprint and fingerprinted files are cached for a year without revalidation."""

from __future__ import annotations

import gzip
import hashlib
import html
import os
import re
from pathlib import Path
from urllib.parse import unquote

import brotli
import pytest

from app.web.static_files import IMMUTABLE, Fingerprints
from tests.factories import make_posting

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
STATIC_URL = re.compile(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]+))"')
# The CSRF token is signed with the time, so two renders of one page differ there only.
CSRF_TOKEN = re.compile(r"(csrf_token\" value=\"|X-CSRFToken\": \")[^\"]+")


def _without_tokens(html: str) -> str:
    return CSRF_TOKEN.sub(r"\1…", html)


def _fingerprint(relative: str) -> str:
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:12]


@pytest.fixture
def market_page(db):
    for number in range(5):
        make_posting(title=f"优质玉米出售 第{number}批 Fresh maize lot {number}")
    return "/market"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("gzip, deflate, br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_pages_are_compressed_and_decompress_to_the_same_page(client, market_page, accept, encoding, decode):
    plain = client.get(market_page)
    compressed = client.get(market_page, headers={"Accept-Encoding": accept})
    assert plain.status_code == compressed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert len(compressed.data) < len(plain.data) / 3
    assert int(compressed.headers["Content-Length"]) == len(compressed.data)
    page = decode(compressed.data).decode()
    assert _without_tokens(page) == _without_tokens(plain.get_data(as_text=True))
    assert "优质玉米出售 第4批" in page


def test_htmx_fragments_and_json_are_compressed_too(client, market_page):
    fragment = client.get(market_page, headers={"HX-Request": "true", "Accept-Encoding": "br"})
    assert fragment.headers["Content-Encoding"] == "br"
    assert "HX-Request" in fragment.headers["Vary"] and "Accept-Encoding" in fragment.headers["Vary"]
    assert "优质玉米出售" in brotli.decompress(fragment.data).decode()


def test_tiny_responses_are_sent_as_they_are(client, db):
    health = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})
    assert health.status_code == 200
    assert "Content-Encoding" not in health.headers
    assert health.get_json()["status"] == "ok"


@pytest.mark.parametrize("relative", ["css/app.css", "js/htmx.min.js"])
def test_static_files_are_compressed(client, db, relative):
    url = f"/static/{relative}?v={_fingerprint(relative)}"
    for accept, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == accept
        assert decode(response.data) == (STATIC_DIR / relative).read_bytes()
        assert len(response.data) < (STATIC_DIR / relative).stat().st_size / 2


def test_pages_link_static_files_by_their_content_fingerprint(client, market_page):
    page = client.get(market_page).get_data(as_text=True)
    linked = {relative: version for _url, relative, version in STATIC_URL.findall(page)}
    assert set(linked) >= {"css/app.css", "js/htmx.min.js"}
    for relative, version in linked.items():
        assert version == _fingerprint(relative), relative
    assert not re.search(r'(?:href|src)="/static/[^"?]+"', page), "a static URL without its fingerprint"


def test_the_favicon_travels_inside_the_page(client, db):
    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="data:image/svg\+xml,([^"]+)"', page)
    assert icon, "no inline favicon"
    svg = unquote(html.unescape(icon.group(1)))
    assert svg == (STATIC_DIR / "img" / "favicon.svg").read_text().strip()


def test_fingerprinted_static_files_are_cached_for_a_year(client, db):
    page = client.get("/login").get_data(as_text=True)
    for url, _relative, _version in STATIC_URL.findall(page):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_without_the_current_fingerprint_are_revalidated(client, db):
    bare = client.get("/static/css/app.css")
    stale = client.get("/static/css/app.css?v=000000000000")
    for response in (bare, stale):
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]
        assert "no-cache" in response.headers["Cache-Control"]
    revalidated = client.get("/static/css/app.css", headers={"If-None-Match": bare.headers["ETag"]})
    assert revalidated.status_code == 304


def test_a_new_file_content_makes_a_new_url(tmp_path):
    stylesheet = tmp_path / "css" / "app.css"
    stylesheet.parent.mkdir()
    stylesheet.write_text("body{color:#111}")
    fingerprints = Fingerprints(tmp_path)
    before = fingerprints.of("css/app.css")
    assert before == hashlib.sha256(b"body{color:#111}").hexdigest()[:12]
    # Another worker or host (a new instance) computes the same URL from the content alone.
    assert Fingerprints(tmp_path).of("css/app.css") == before

    stylesheet.write_text("body{color:#222}")
    later = stylesheet.stat().st_mtime_ns + 1_000_000_000
    os.utime(stylesheet, ns=(later, later))
    after = fingerprints.of("css/app.css")
    assert after != before
    assert after == hashlib.sha256(b"body{color:#222}").hexdigest()[:12]


def test_no_fingerprint_outside_the_static_folder(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "secret.txt").write_text("not static")
    fingerprints = Fingerprints(tmp_path / "static")
    assert fingerprints.of("../secret.txt") is None
    assert fingerprints.of("missing.css") is None
