"""NUL bytes and invalid UTF-8 in paths, query strings and forms get the site's own pages (in the
visitor's language, a fragment for htmx), never a 500 or a bare error. Raw bytes that are not HTTP
never reach the app: gunicorn answers them with the site's bilingual 400 page (app/web/gunicorn_errors.py)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.factories import make_member, make_posting
from tests.live_gunicorn import gunicorn

BAD = ["%00", "%FF%FE", "%C0%AF", "a%00b%FF"]


@pytest.mark.parametrize("bad", BAD)
def test_bad_bytes_in_a_query_string_get_ordinary_pages(client, db, bad):
    make_posting(title="Yellow maize")
    for path in (
        f"/market?q={bad}",
        f"/market?commodity={bad}&page={bad}",
        f"/forum?q={bad}",
        f"/login?next={bad}&phone={bad}",
        f"/?{bad}={bad}",
    ):
        response = client.get(path)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        assert "<html" in response.get_data(as_text=True), path


@pytest.mark.parametrize("bad", BAD)
def test_bad_bytes_in_a_path_are_the_sites_404(client, db, bad):
    for path in (f"/p/{bad}", f"/market/{bad}", f"/{bad}", f"/s/{bad}", f"/media/{bad}"):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "We could not find that page" in response.get_data(as_text=True)


def test_bad_bytes_in_a_path_are_a_chinese_404_fragment_for_htmx(client, db):
    with client.session_transaction() as session:
        session["locale"] = "zh_Hans"
    response = client.get("/p/%00%FF", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" not in body and "We could not find" not in body


@pytest.mark.parametrize(
    "body",
    [
        b"phone=138%0000138000&password=a%00b",
        b"phone=%FF%FE&password=%C0%AF",
        b"phone=\xff\x00&password=\xfe",
    ],
)
def test_bad_bytes_in_a_login_form_are_a_failed_login(client, db, body):
    make_member(phone="+8613800138000")
    token = client.csrf_token()
    response = client.post(
        "/login",
        data=body + b"&csrf_token=" + token.encode(),
        content_type="application/x-www-form-urlencoded",
        csrf=False,
    )
    assert response.status_code == 422
    assert "Wrong mobile number or password" in response.get_data(as_text=True) or "Enter" in response.get_data(
        as_text=True
    )


def test_bad_bytes_in_a_signup_form_are_shown_beside_the_field(client, db):
    token = client.csrf_token().encode()
    body = (
        b"phone=138+0013+8000&password=tall+maize+2026&confirm=tall+maize+2026&kinds=seller&locale=en"
        b"&display_name=Zhang%00%FF\xfe+Farm&csrf_token=" + token
    )
    response = client.post("/signup", data=body, content_type="application/x-www-form-urlencoded", csrf=False)
    assert response.status_code == 422
    assert "<html" in response.get_data(as_text=True)


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.slow
def test_raw_bad_bytes_get_the_sites_bilingual_400_from_gunicorn(database_url, tmp_path, db):
    with gunicorn(database_url, tmp_path) as base:
        port = urlsplit(base).port
        answers = [
            _raw(port, b"GET /market?q=a\x00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            _raw(port, b"GET /mar\xffket HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            _raw(port, b"GET /market HTTP/1.1\r\nHost: x\r\nX-Note: a\x00b\r\nConnection: close\r\n\r\n"),
        ]
    for answer in answers:
        head, _, page = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), head
        assert b"Content-Type: text/html; charset=utf-8" in head
        text = page.decode()
        assert "The request could not be understood" in text and "无法识别该请求" in text
        assert 'href="/"' in text
