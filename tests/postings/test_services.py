"""postings.services used directly, as other domains (catalogue admin, demo data, trade) use it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.models import CommodityAlias, Unit
from app.catalogue.services import find_commodity
from app.core.errors import DomainError
from app.postings.models import Posting
from app.postings.services import (
    PostingData,
    PostingInvalid,
    change_status,
    compute_price_per_kg,
    create_posting,
    find_or_create_farmer,
    reindex_commodity_postings,
)
from tests.factories import make_member, make_posting


def data(**changes) -> PostingData:
    values = dict(
        kind="sell",
        commodity_id=find_commodity("maize").id,
        title="Maize",
        quantity=Decimal("1"),
        unit_code="kg",
        province_code="41",
        price=Decimal("2"),
    )
    values.update(changes)
    return PostingData(**values)


@pytest.mark.parametrize(
    ("unit_code", "price", "unit_weight", "expected"),
    [
        ("kg", "3.33", None, Decimal("3.33")),
        ("jin", "1.00", None, Decimal("2")),
        ("t", "2500", None, Decimal("2.5")),
        ("liang", "0.99", None, Decimal("19.8")),
        ("box", "10", "3", Decimal("3.3333")),
        ("box", "10", None, None),
        ("kg", None, None, None),
    ],
)
def test_compute_price_per_kg(db, unit_code, price, unit_weight, expected):
    unit = db.session.get(Unit, unit_code)
    result = compute_price_per_kg(
        Decimal(price) if price else None, unit, Decimal(unit_weight) if unit_weight else None
    )
    assert result == expected
    if result is not None:
        assert result.as_tuple().exponent == -4


def test_adding_an_alias_and_reindexing_makes_postings_findable_by_it(db):
    posting = make_posting(commodity="maize", title="Yellow grain")
    other = make_posting(commodity="apple", title="Red fruit")
    assert "yumi" not in posting.search_text
    maize = find_commodity("maize")
    db.session.add(CommodityAlias(commodity_id=maize.id, text="yumi", language="en"))
    assert reindex_commodity_postings(maize.id) == 1
    db.session.commit()
    db.session.expire_all()
    assert "yumi" in db.session.get(Posting, posting.id).search_text
    assert "yumi" not in db.session.get(Posting, other.id).search_text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"commodity_id": 999999}, "commodity_id"),
        ({"unit_code": "barrel"}, "unit_code"),
        ({"province_code": "99"}, "province_code"),
        ({"kind": "rent"}, "kind"),
        ({"delivery": "drone"}, "delivery"),
        ({"quantity": Decimal("0")}, "quantity"),
        ({"quantity": Decimal("NaN")}, "quantity"),
        ({"quantity": Decimal("1e309")}, "quantity"),
        ({"price": Decimal("-Infinity")}, "price"),
        ({"price": Decimal("10000000.01")}, "price"),
        ({"min_order": Decimal("-1")}, "min_order"),
        ({"unit_code": "box", "unit_weight_kg": Decimal("1e6")}, "unit_weight_kg"),
        ({"title": "  "}, "title"),
        ({"unit_code": "g", "price": Decimal("10000000")}, "price"),
    ],
)
def test_service_refuses_data_that_breaks_a_rule(db, changes, field):
    owner = make_member()
    with pytest.raises(PostingInvalid) as refused:
        create_posting(owner, data(**changes))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalars(select(Posting)).all() == []


def test_illegal_transition_raises_domain_error_409(db):
    posting = make_posting(publish=False)
    with pytest.raises(DomainError) as refused:
        change_status(posting, "pause", posting.owner)
    assert refused.value.status == 409


def test_find_or_create_farmer_is_idempotent(db):
    station = make_member(is_station_operator=True)
    first = find_or_create_farmer("+8613700001234", station)
    db.session.commit()
    again = find_or_create_farmer("+8613700001234", station, "Another name")
    assert again.id == first.id and again.display_name == "Farmer ****1234"
