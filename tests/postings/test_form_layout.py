"""The posting form on a phone (issue 25): required fields marked with * and aria-required (with a
legend saying what * means), the rarely used fields inside "More details" (opened when one of them
has an error), and an error summary at the top linking to each field in error."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_member
from tests.postings._helpers import form_data

REQUIRED = ["commodity_id", "title", "quantity", "unit_code", "price", "province_code"]
RARE = ["variety", "grade", "min_order", "available_from", "available_until", "lot_code", "harvest_date"]


@pytest.fixture
def seller(login):
    return login(make_member())


def details_block(page: str) -> str:
    match = re.search(r'<details class="more-details"[^>]*>(.*?)</details>', page, re.S)
    assert match, "no More details section"
    return match.group(0)


def field_block(page: str, field_id: str) -> str:
    match = re.search(rf'<div class="field[^"]*" id="field-{field_id}">(.*?)</div>', page, re.S)
    assert match, field_id
    return match.group(1)


def test_required_fields_are_marked_and_the_legend_says_so(client, seller):
    page = client.get("/postings/new").get_data(as_text=True)
    assert "marks a field you must fill in." in page
    for name in REQUIRED:
        block = field_block(page, name)
        # The stylesheet draws the * after label.required; the label's text stays the field's name.
        assert re.search(rf'<label for="{name}" class="required">[^<*]+</label>', block), name
        assert 'aria-required="true"' in block, name
    for name in ("description", "locality", "photos"):
        assert 'class="required"' not in field_block(page, name), name
    # Radio groups say it on their fieldset.
    assert '<fieldset aria-required="true"><legend class="required">I want to</legend>' in page


def test_the_stylesheet_draws_the_required_mark():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert 'label.required::after,legend.required::after{content:" *"' in css


def test_rare_fields_sit_in_more_details_closed_by_default(client, seller):
    page = client.get("/postings/new").get_data(as_text=True)
    block = details_block(page)
    assert "More details (optional)" in block
    assert '<details class="more-details">' in block  # closed
    for name in RARE:
        assert f'id="field-{name}"' in block, name
    for name in REQUIRED + ["description", "photos"]:
        assert f'id="field-{name}"' not in block, name


def test_more_details_opens_when_one_of_its_fields_has_an_error(client, seller):
    response = client.post("/postings/new", data=form_data(lot_code="bad code!"))
    assert response.status_code == 422
    block = details_block(response.get_data(as_text=True))
    assert block.startswith('<details class="more-details" open>')


def test_error_summary_links_to_each_field_in_error(client, seller):
    response = client.post("/postings/new", data=form_data(title="", price="-3", kind=None, lot_code="bad code!"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-box error-summary"[^>]*>(.*?)</div>', page, re.S).group(1)
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary))
    assert links["title"].startswith("Title: ")
    assert links["price"] == "Price per unit (¥): Price must be greater than 0."
    assert links["field-kind"].startswith("I want to: ")
    assert links["lot_code"].startswith("Lot code: ")
    # Every link leads to an element on the page.
    for target in links:
        assert f'id="{target}"' in page, target


def test_the_summary_is_in_chinese_for_a_chinese_phone(client, seller):
    response = client.post("/postings/new", data=form_data(price="-3"), headers={"Accept-Language": "zh-CN"})
    page = response.get_data(as_text=True)
    assert re.search(r'<a href="#price">[^<]*价格必须大于0。</a>', page)
    assert "更多信息（选填）" in page


def test_without_errors_there_is_no_summary(client, seller):
    assert "error-summary" not in client.get("/postings/new").get_data(as_text=True)
