"""Creating sell offers and buy requests through the form, and the derived price per kg."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.postings.models import Posting
from tests.factories import make_member
from tests.postings._helpers import form_data


def only_posting(db) -> Posting:
    postings = db.session.scalars(select(Posting)).all()
    assert len(postings) == 1
    return postings[0]


def test_visitor_is_sent_to_login_for_new_posting(client):
    response = client.get("/postings/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_new_posting_form_lists_commodities_grouped_by_category(client, login):
    login(make_member())
    page = client.get("/postings/new").get_data(as_text=True)
    assert '<optgroup label="Grains">' in page
    assert ">Maize</option>" in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="photos"' in page and "multiple" in page


def test_farmer_publishes_sell_offer(client, login, db):
    farmer = login(make_member(display_name="Wang Farm"))
    response = client.post("/postings/new", data=form_data())
    posting = only_posting(db)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/p/{posting.id}")
    assert posting.owner_id == farmer.id
    assert posting.kind == "sell" and posting.status == "active"
    assert posting.published_at is not None
    assert posting.quantity == Decimal("20") and posting.min_order == Decimal("5")
    assert posting.price == Decimal("2400.00")
    assert posting.price_per_kg == Decimal("2.4")
    assert posting.locality == "Zhoukou, Shangshui county"
    assert "玉米" in posting.search_text and "苞米" in posting.search_text and "corn" in posting.search_text
    assert "henan" in posting.search_text and "河南" in posting.search_text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your posting is published." in page
    assert "New-season maize, dry" in page


def test_buyer_publishes_buy_request_with_negotiable_price(client, login, db):
    login(make_member(display_name="Mill Co"))
    response = client.post(
        "/postings/new", data=form_data(kind="buy", title="Wanted: maize for feed", price="", negotiable="y")
    )
    assert response.status_code == 302
    posting = only_posting(db)
    assert posting.kind == "buy" and posting.status == "active"
    assert posting.price is None and posting.price_per_kg is None
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "Price negotiable" in page
    assert "Buyer" in page


def test_buy_request_with_count_unit_needs_no_unit_weight(client, login, db):
    login(make_member())
    response = client.post("/postings/new", data=form_data(kind="buy", unit_code="crate", price="30"))
    assert response.status_code == 302
    posting = only_posting(db)
    assert posting.unit_weight_kg is None and posting.price_per_kg is None


@pytest.mark.parametrize(
    ("unit", "price", "unit_weight", "per_kg"),
    [
        ("t", "2400", "", Decimal("2.4")),
        ("jin", "1.35", "", Decimal("2.7")),
        ("kg", "3.99", "", Decimal("3.99")),
        ("crate", "45", "12.5", Decimal("3.6")),
        ("lb", "1", "", Decimal("2.2046")),
    ],
)
def test_price_per_kg_is_derived_from_the_unit(client, login, db, unit, price, unit_weight, per_kg):
    login(make_member())
    response = client.post(
        "/postings/new", data=form_data(unit_code=unit, price=price, unit_weight_kg=unit_weight, min_order="")
    )
    assert response.status_code == 302
    posting = only_posting(db)
    assert posting.price_per_kg == per_kg
    if unit == "crate":
        assert posting.unit_weight_kg == Decimal("12.5")
    else:
        assert posting.unit_weight_kg is None


def test_unit_weight_is_ignored_for_units_with_a_fixed_weight(client, login, db):
    login(make_member())
    client.post("/postings/new", data=form_data(unit_code="kg", price="3", unit_weight_kg="99"))
    posting = only_posting(db)
    assert posting.unit_weight_kg is None and posting.price_per_kg == Decimal("3")


def test_saving_a_draft_does_not_publish(client, login, db):
    login(make_member())
    data = form_data()
    del data["publish"]
    data["save_draft"] = "Save as draft"
    response = client.post("/postings/new", data=data)
    assert response.status_code == 302
    posting = only_posting(db)
    assert posting.status == "draft" and posting.published_at is None
    assert "Saved as a draft" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_available_until_defaults_to_posting_default_days(client, login, db, app):
    from datetime import timedelta

    from app.postings.services import local_today

    login(make_member())
    client.post("/postings/new", data=form_data(available_until="", available_from=""))
    posting = only_posting(db)
    assert posting.available_until == local_today() + timedelta(days=app.config["POSTING_DEFAULT_DAYS"])


def test_full_width_digits_are_accepted(client, login, db):
    login(make_member())
    response = client.post("/postings/new", data=form_data(quantity="１２.５", price="２４００", min_order=""))
    assert response.status_code == 302
    assert only_posting(db).quantity == Decimal("12.5")


def test_lot_code_and_harvest_date_are_stored_and_shown(client, login, db):
    from app.postings.services import local_today

    login(make_member())
    harvest = local_today().replace(day=1)
    client.post("/postings/new", data=form_data(lot_code="HN-2026-07", harvest_date=harvest.isoformat()))
    posting = only_posting(db)
    assert posting.lot_code == "HN-2026-07" and posting.harvest_date == harvest
    page = client.get(f"/p/{posting.id}").get_data(as_text=True)
    assert "HN-2026-07" in page and "Harvest date" in page


def test_new_posting_refuses_missing_csrf_token(client, login, db):
    login(make_member())
    response = client.post("/postings/new", data=form_data(), csrf=False)
    assert response.status_code == 400
    assert db.session.scalars(select(Posting)).all() == []
