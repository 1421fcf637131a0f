"""The database itself allows one order per accepted offer (migration 0015, issue 23).

Before it, simultaneous SMS acceptances made two orders for one offer: the second request's ORM
"moved" the thread's one-to-one order link, writing NULL into the first order's negotiation_id, so
the UNIQUE index on negotiation_id never saw two equal values. Now an order names its offer and its
thread together or was bought now, and offer_id is unique; the ORM no longer rewrites another
order's link. Runs on SQLite (triggers) and PostgreSQL (CHECK constraints)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.members.models import Member
from app.postings.models import Posting
from app.trade import negotiations
from app.trade.models import Negotiation, Offer, Order
from app.trade.orders import place_order
from tests.trade.concurrency import assert_stock_adds_up
from tests.trade.helpers import place_order_by_buy_now


@pytest.fixture
def accepted(db, seller, buyer, sell_offer):
    """The buyer's 10 kg offer, accepted by the seller: one order, 90 kg left."""
    negotiation = negotiations.start_negotiation(
        sell_offer, buyer, negotiations.OfferTerms(Decimal("10"), Decimal("3.20"), "collect")
    )
    order = negotiations.accept_offer(negotiation, negotiation.latest_offer.id, seller)
    db.session.commit()
    return order


def _refused(db, statement: str, **values) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement), values)
        db.session.flush()
    db.session.rollback()


def test_a_second_order_for_the_same_offer_is_refused_and_leaves_the_first_intact(db, accepted, sell_offer):
    negotiation = db.session.get(Negotiation, accepted.negotiation_id)
    offer = db.session.get(Offer, accepted.offer_id)
    assert negotiation.order.id == accepted.id  # loaded, as the losing request had it
    with pytest.raises(IntegrityError):
        place_order(
            buyer=db.session.get(Member, negotiation.buyer_id),
            seller=db.session.get(Member, negotiation.seller_id),
            posting=sell_offer,
            quantity=offer.quantity,
            unit_price=offer.unit_price,
            delivery=offer.delivery,
            actor=db.session.get(Member, negotiation.seller_id),
            negotiation=negotiation,
            offer=offer,
        )
    db.session.rollback()
    orders = db.session.execute(select(Order.id, Order.negotiation_id, Order.offer_id)).all()
    assert orders == [(accepted.id, negotiation.id, offer.id)]
    assert db.session.get(Posting, sell_offer.id).quantity_available == Decimal("90")
    assert_stock_adds_up()


def test_an_order_from_an_offer_cannot_lose_its_thread(db, accepted):
    _refused(db, "UPDATE trade_order SET negotiation_id = NULL WHERE id = :id", id=accepted.id)
    _refused(db, "UPDATE trade_order SET offer_id = NULL WHERE id = :id", id=accepted.id)
    assert db.session.get(Order, accepted.id).negotiation_id is not None


def test_an_order_either_comes_from_an_offer_or_was_bought_now(client, db, login, accepted, buyer, sell_offer):
    _refused(db, "UPDATE trade_order SET bought_now = :yes WHERE id = :id", yes=True, id=accepted.id)
    bought = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="5")
    assert bought.bought_now and bought.offer_id is None and bought.negotiation_id is None
    _refused(db, "UPDATE trade_order SET bought_now = :no WHERE id = :id", no=False, id=bought.id)
    _refused(
        db,
        "UPDATE trade_order SET offer_id = :offer, negotiation_id = :thread, bought_now = :no WHERE id = :id",
        offer=accepted.offer_id,
        thread=accepted.negotiation_id,
        no=False,
        id=bought.id,
    )
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2


def test_the_migration_stops_at_duplicate_orders_of_one_offer_and_names_them(app, db, accepted):
    """Damage done before 0015 (the twin order with NULL negotiation_id) is a decision about money
    and stock: the upgrade refuses and names both orders; once resolved it goes through."""
    from alembic import command
    from flask_migrate import downgrade, upgrade

    columns = (
        "lot_code, buyer_id, seller_id, posting_id, sell_posting_id, buy_posting_id, offer_id, title, "
        "commodity_id, unit_code, origin_province_code, quantity, unit_price, total, delivery, bought_now, "
        "status, created_at, updated_at"
    )
    order_id = accepted.id
    db.session.commit()
    db.session.remove()
    downgrade(revision="0014")
    try:
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    f"INSERT INTO trade_order ({columns}) SELECT 'TWIN' || lot_code, "
                    + columns.split(", ", 1)[1]
                    + " FROM trade_order WHERE id = :id"
                ),
                {"id": order_id},
            )
            twin = connection.scalar(text("SELECT id FROM trade_order WHERE lot_code LIKE 'TWIN%'"))
        with pytest.raises(RuntimeError, match=rf"trade_order rows \[{order_id}, {twin}\] are duplicate orders"):
            # Alembic itself: flask_migrate.upgrade logs the error and exits instead of raising it.
            command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM order_event WHERE order_id = :id"), {"id": twin})
            connection.execute(text("DELETE FROM trade_order WHERE id = :id"), {"id": twin})
    finally:
        upgrade()
        db.engine.dispose()
    _refused(db, "UPDATE trade_order SET negotiation_id = NULL WHERE id = :id", id=order_id)
