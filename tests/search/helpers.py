"""Reading the market's results the way a person would: the titles of the cards, in order."""

from __future__ import annotations

import html
import re

TITLE_RE = re.compile(r'<strong class="title">(.*?)</strong>', re.S)


def titles(response) -> list[str]:
    return [html.unescape(title) for title in TITLE_RE.findall(response.get_data(as_text=True))]


def search(client, htmx: bool = True, **params) -> list[str]:
    """Titles shown for /market?params (fetched as htmx active search by default)."""
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get("/market", query_string=params, headers=headers)
    assert response.status_code == 200, response.status_code
    return titles(response)
