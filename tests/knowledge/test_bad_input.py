"""Hostile input in every knowledge form never causes a server error and never stores markup that
runs (the site-wide corpus in tests/e2e covers the pages too; this one runs in seconds)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.knowledge.models import Article, Question

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[x](javascript:alert(1))",
    "x" * 40_000,
    "玉米\u202e\u200b发黄",
    "' OR 1=1 --",
    'NEAR(玉米 发黄) AND OR NOT * " ^',
    "99999999999999999999",
    "-1",
    "🌽" * 50,
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_knowledge_form_or_search_fails_with_hostile_input(
    client, login, db, admin, expert, farmer, station, payload
):
    for member, path, data in (
        (
            expert,
            "/knowledge/articles/new",
            {"title": payload, "commodity_id": payload, "topic": payload, "season": payload, "body": payload},
        ),
        (
            expert,
            "/knowledge/articles/new",
            {
                "title": "Valid title",
                "commodity_id": payload,
                "topic": "growing",
                "season": "all",
                "body": payload + " enough text here",
            },
        ),
        (farmer, "/knowledge/ask", {"body": payload, "commodity_id": payload, "is_public": payload}),
        (station, "/knowledge/ask/for-farmer", {"farmer_phone": payload, "body": payload, "commodity_id": payload}),
        (admin, "/admin/experts", {"phone": payload, "title": payload, "commodities": [payload, "1"]}),
    ):
        login(member)
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)
    for query in ({"q": payload}, {"commodity": payload, "topic": payload, "season": payload}):
        assert client.get("/knowledge", query_string=query).status_code < 500
    assert client.get("/knowledge/questions", query_string={"commodity": payload}).status_code < 500
    for article in db.session.scalars(select(Article)):
        html = article.body_html
        assert "<script" not in html and "<img src=x" not in html and 'href="javascript' not in html
    for question in db.session.scalars(select(Question)):
        page = client.get(f"/knowledge/questions/{question.id}").get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
