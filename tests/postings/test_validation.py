"""Bad input on the posting form: 422, the message beside the field, nothing saved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.postings.models import Posting
from app.postings.services import local_today
from tests.factories import make_member, make_posting
from tests.postings._helpers import form_data


def error_beside(page: str, field_id: str) -> str:
    """The error messages rendered inside the field's block."""
    match = re.search(rf'<div class="field [^"]*has-error" id="field-{field_id}">(.*?)</div>', page, re.S)
    assert match, f"no error shown beside {field_id}"
    return " ".join(re.findall(r'<p class="error"[^>]*>(.*?)</p>', match.group(1)))


def posting_count(db) -> int:
    return db.session.scalar(select(func.count(Posting.id)))


@pytest.fixture
def seller(login):
    return login(make_member())


BAD_NUMBERS = [
    ("NaN", "Enter a number such as 12 or 12.5."),
    ("nan", "Enter a number such as 12 or 12.5."),
    ("inf", "Enter a number such as 12 or 12.5."),
    ("-Infinity", "Enter a number such as 12 or 12.5."),
    ("1e309", "Enter a number such as 12 or 12.5."),
    ("1E3", "Enter a number such as 12 or 12.5."),
    ("-5", "Enter a number greater than zero."),
    ("−5", "Enter a number greater than zero."),
    ("0", "Enter a number greater than zero."),
    ("0.000", "Enter a number greater than zero."),
    ("twelve", "Enter a number such as 12 or 12.5."),
    ("1,000", "Enter a number such as 12 or 12.5."),
    ("9" * 400, "That number is too large"),
]


@pytest.mark.parametrize(
    ("value", "message"),
    BAD_NUMBERS + [("1000000000.001", "That number is too large"), ("1.2345", "at most 3 digits after")],
)
def test_bad_quantity_is_refused_beside_the_field(client, seller, db, value, message):
    response = client.post("/postings/new", data=form_data(quantity=value, min_order=""))
    assert response.status_code == 422
    assert message in error_beside(response.get_data(as_text=True), "quantity")
    assert posting_count(db) == 0


# A price says so in its own words when it is negative or zero (issue 25).
BAD_PRICES = [
    (value, "Price must be greater than 0." if message == "Enter a number greater than zero." else message)
    for value, message in BAD_NUMBERS
]


@pytest.mark.parametrize(
    ("value", "message"),
    BAD_PRICES + [("10000000.01", "That number is too large"), ("2.555", "at most 2 digits after")],
)
def test_bad_price_is_refused_beside_the_field(client, seller, db, value, message):
    response = client.post("/postings/new", data=form_data(price=value))
    assert response.status_code == 422
    assert message in error_beside(response.get_data(as_text=True), "price")
    assert posting_count(db) == 0


def test_largest_allowed_values_are_accepted(client, seller, db):
    data = form_data(quantity="1000000000", price="10000000", unit_code="kg", min_order="")
    response = client.post("/postings/new", data=data)
    assert response.status_code == 302
    assert posting_count(db) == 1


def test_price_per_kg_that_cannot_be_stored_is_refused(client, seller, db):
    response = client.post("/postings/new", data=form_data(unit_code="g", price="10000000", min_order=""))
    assert response.status_code == 422
    assert "price per kg is not realistic" in error_beside(response.get_data(as_text=True), "price")
    assert posting_count(db) == 0


def test_bad_min_order_and_unit_weight_are_refused(client, seller, db):
    response = client.post("/postings/new", data=form_data(min_order="NaN", unit_code="crate", unit_weight_kg="-2"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a number" in error_beside(page, "min_order")
    assert "Enter a number" in error_beside(page, "unit_weight_kg")


def test_min_order_above_quantity_is_refused(client, seller, db):
    response = client.post("/postings/new", data=form_data(quantity="5", min_order="6"))
    assert response.status_code == 422
    assert "cannot be more than the quantity" in error_beside(response.get_data(as_text=True), "min_order")


def test_price_or_negotiable_is_required(client, seller, db):
    response = client.post("/postings/new", data=form_data(price=""))
    assert response.status_code == 422
    assert "tick “Price negotiable”" in error_beside(response.get_data(as_text=True), "price")


def test_price_and_negotiable_together_are_refused(client, seller, db):
    response = client.post("/postings/new", data=form_data(price="2400", negotiable="y"))
    assert response.status_code == 422
    assert "not both" in error_beside(response.get_data(as_text=True), "price")


def test_sell_offer_per_crate_needs_the_weight_of_a_crate(client, seller, db):
    response = client.post("/postings/new", data=form_data(unit_code="crate", price="45", unit_weight_kg=""))
    assert response.status_code == 422
    assert "how many kg one crate weighs" in error_beside(response.get_data(as_text=True), "unit_weight_kg")
    assert posting_count(db) == 0


def test_negotiable_sell_offer_per_head_needs_no_weight(client, seller, db):
    response = client.post("/postings/new", data=form_data(unit_code="head", price="", negotiable="y", min_order=""))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("commodity_id", "", "Choose a commodity."),
        ("commodity_id", "999999", "Not a valid choice"),
        ("commodity_id", "maize", "Invalid Choice"),
        ("unit_code", "barrel", "Not a valid choice"),
        ("province_code", "", "Choose a province."),
        ("province_code", "99", "Not a valid choice"),
        ("kind", "rent", "Not a valid choice"),
        ("delivery", "drone", "Not a valid choice"),
        ("title", "", "Enter a short title."),
        ("title", "ab", "between 3 and 120"),
        ("title", "x" * 121, "between 3 and 120"),
        ("locality", "x" * 101, "longer than 100"),
        ("lot_code", "LOT 7/8", "letters, digits and hyphens"),
        ("quantity", "", "Enter the quantity."),
    ],
)
def test_bad_choices_and_texts_are_refused(client, seller, db, field, value, message):
    response = client.post("/postings/new", data=form_data(**{field: value}))
    assert response.status_code == 422
    assert message in error_beside(response.get_data(as_text=True), field)
    assert posting_count(db) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"available_until": "yesterday"}, "available_until", "Not a valid date"),
        ({"available_until": -1}, "available_until", "in the past"),
        ({"available_from": 10, "available_until": 5}, "available_until", "on or after"),
        ({"available_until": "9999-12-31"}, "available_until", "within the next year"),
        ({"available_from": "9999-12-31", "available_until": ""}, "available_from", "within the next year"),
        ({"harvest_date": 1}, "harvest_date", "cannot be in the future"),
        ({"harvest_date": "2026-02-30"}, "harvest_date", "Not a valid date"),
    ],
)
def test_bad_dates_are_refused(client, seller, db, changes, field, message):
    # Whole numbers are days from today, so the cases stay valid on any date.
    values = {
        k: (local_today() + timedelta(days=v)).isoformat() if isinstance(v, int) else v for k, v in changes.items()
    }
    response = client.post("/postings/new", data=form_data(**values))
    assert response.status_code == 422
    assert message in error_beside(response.get_data(as_text=True), field)
    assert posting_count(db) == 0


def test_lot_code_is_unique_per_owner(client, seller, db):
    make_posting(owner=seller, lot_code="LOT-1")
    make_posting(lot_code="LOT-2")
    response = client.post("/postings/new", data=form_data(lot_code="LOT-1"))
    assert response.status_code == 422
    assert "already used this lot code" in error_beside(response.get_data(as_text=True), "lot_code")
    assert posting_count(db) == 2
    other_owners_code = client.post("/postings/new", data=form_data(lot_code="LOT-2"))
    assert other_owners_code.status_code == 302


def test_refused_form_keeps_what_was_typed(client, seller, db):
    response = client.post("/postings/new", data=form_data(price="abc", description="Sun-dried, no mould"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="New-season maize, dry"' in page
    assert "Sun-dried, no mould" in page
    assert 'value="abc"' in page
    assert "Nothing has been saved yet" in page


def test_garbage_post_does_not_cause_a_server_error(client, seller, db):
    response = client.post("/postings/new", data={"quantity": ["1", "2"], "commodity_id": "\x00", "kind": ""})
    assert response.status_code == 422
    assert posting_count(db) == 0


def test_negative_price_is_refused_in_chinese_with_its_own_words(client, seller, db):
    response = client.post("/postings/new", data=form_data(price="-5"), headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "价格必须大于0" in error_beside(response.get_data(as_text=True), "price")
    assert posting_count(db) == 0
