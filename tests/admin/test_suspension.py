"""Suspension: a suspended member can log in and read their orders but every web write path —
postings, offers and quotes, counters, messages, accepting, buying, confirming orders, reviews,
storefront edits — answers 403 and writes nothing; their active postings are hidden while it runs
and come back on restore or when a timed suspension lapses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.admin.models import AuditLog, PostingHold
from app.admin.services import end_lapsed_suspensions
from app.core.clock import utcnow
from app.extensions import db
from app.members.models import Member, Storefront
from app.postings.models import Posting
from app.trade.models import Negotiation, NegotiationMessage, Offer, Order, Review
from tests.admin.helpers import audit_rows, count, suspend
from tests.factories import make_member, make_posting
from tests.postings._helpers import form_data
from tests.trade.helpers import offer_data, place_order_by_buy_now, start_thread, walk

SUSPENDED_TEXT = "Your account is suspended"


def _assert_refused(response):
    assert response.status_code == 403, response.status_code
    assert SUSPENDED_TEXT in response.get_data(as_text=True)


def _snapshot() -> dict:
    return {model.__name__: count(model) for model in (Posting, Negotiation, Offer, NegotiationMessage, Order, Review)}


def test_suspending_hides_active_and_paused_postings_and_restore_brings_them_back(
    client, login, admin, seller, sell_offer
):
    paused = make_posting(owner=seller, commodity="wheat", title="Wheat, paused")
    paused.status = "paused"
    draft = make_posting(owner=seller, commodity="apple", title="Apples draft", publish=False)
    db.session.commit()

    response = suspend(client, login, admin, seller, days="7")
    assert response.status_code == 303
    db.session.expire_all()
    assert seller.is_suspended()
    assert (sell_offer.status, paused.status, draft.status) == ("hidden", "hidden", "draft")

    login(admin)
    page = client.get(f"/admin/members/{seller.id}").get_data(as_text=True)
    assert "Suspended until" in page and "Sold mouldy maize" in page
    # Buyers can no longer find or open it.
    login(make_member(display_name="Shopper"))
    assert client.get(f"/p/{sell_offer.id}").status_code == 404
    assert "Fragrant rice" not in client.get("/market?q=rice").get_data(as_text=True)
    assert "Fragrant rice" not in client.get("/s/wang-farm").get_data(as_text=True)

    login(admin)
    response = client.post(
        f"/admin/members/{seller.id}/restore", data={"restore-reason": "Refund proven; first offence"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert not seller.is_suspended()
    assert (sell_offer.status, paused.status, draft.status) == ("active", "paused", "draft")
    assert [row.action for row in audit_rows()] == ["suspend", "restore"]
    assert all(hold.released_at is not None for hold in db.session.scalars(select(PostingHold)))


def test_a_permanent_suspension_has_no_end_date(client, login, admin, seller):
    response = suspend(client, login, admin, seller, days="", length="permanent")
    assert response.status_code == 303
    db.session.expire_all()
    assert seller.suspended_permanently and seller.suspended_until is None and seller.is_suspended()
    assert audit_rows("suspend")[0].detail == "permanent"


def test_suspended_member_can_log_in_and_read_their_orders(client, login, admin, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    suspend(client, login, admin, buyer)
    login(buyer)
    assert client.get("/orders").status_code == 200
    page = client.get(f"/orders/{order.id}")
    assert page.status_code == 200 and order.number in page.get_data(as_text=True)
    assert client.get("/negotiations").status_code == 200


def test_posting_write_paths_refuse_a_suspended_member(client, login, admin, seller, sell_offer):
    station = seller  # also an approved operator for the station form
    station.is_station_operator = True
    station.station_review = "approved"
    db.session.commit()
    suspend(client, login, admin, seller)
    login(seller)
    before = _snapshot()
    title_before = sell_offer.title
    _assert_refused(client.get("/postings/new"))
    _assert_refused(client.post("/postings/new", data=form_data()))
    _assert_refused(client.post("/station/postings/new", data={**form_data(), "farmer_phone": "13912345678"}))
    _assert_refused(client.post(f"/p/{sell_offer.id}/edit", data=form_data(title="Changed while suspended")))
    _assert_refused(client.post(f"/p/{sell_offer.id}/status", data={"action": "close"}))
    _assert_refused(client.post("/account/storefront", data={"name": "New name", "slug": "new-slug"}))
    db.session.expire_all()
    assert _snapshot() == before
    assert sell_offer.title == title_before and sell_offer.status == "hidden"
    assert db.session.scalar(select(Storefront.name).where(Storefront.member_id == seller.id)) == "Wang Family Farm"


def test_trade_write_paths_refuse_a_suspended_member(client, login, admin, buyer, seller, sell_offer, buy_request):
    negotiation = start_thread(client, login, sell_offer, buyer)
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/counter", data=offer_data(unit_price="3.40"))
    counter = db.session.scalars(select(Offer).order_by(Offer.id.desc())).first()
    other_order = place_order_by_buy_now(client, login, sell_offer, make_member(display_name="Buyer Sun"))
    suspend(client, login, admin, buyer)

    login(buyer)
    before = _snapshot()
    _assert_refused(client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Still there?"}))
    _assert_refused(client.post(f"/negotiations/{negotiation.id}/counter", data=offer_data(unit_price="3.30")))
    _assert_refused(client.post(f"/negotiations/{negotiation.id}/offers/{counter.id}/accept"))
    _assert_refused(client.get(f"/p/{sell_offer.id}/buy"))
    _assert_refused(client.post(f"/p/{sell_offer.id}/buy", data={"quantity": "5", "delivery": "collect"}))
    db.session.expire_all()
    assert _snapshot() == before
    assert negotiation.status == "open" and counter.status == "open"

    # A suspended seller may not confirm a new order either.
    suspend(client, login, admin, seller)
    login(seller)
    _assert_refused(client.post(f"/orders/{other_order.id}/step", data={"action": "confirm", "note": ""}))
    db.session.expire_all()
    assert other_order.status == "placed"


def test_offers_and_quotes_are_refused_before_anything_is_written(
    client, login, admin, buyer, seller, sell_offer, buy_request
):
    suspend(client, login, admin, seller)
    login(seller)
    _assert_refused(client.get(f"/p/{buy_request.id}/negotiate"))
    _assert_refused(client.post(f"/p/{buy_request.id}/negotiate", data=offer_data()))
    suspend(client, login, admin, buyer, days="3")
    restore = client.post(f"/admin/members/{seller.id}/restore", data={"restore-reason": "Mistaken identity"})
    assert restore.status_code == 303
    login(buyer)
    _assert_refused(client.post(f"/p/{sell_offer.id}/negotiate", data=offer_data()))
    assert count(Negotiation) == 0 and count(Offer) == 0


def test_reviews_are_refused_while_suspended(client, login, admin, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(
        client,
        login,
        order,
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    )
    suspend(client, login, admin, buyer)
    login(buyer)
    _assert_refused(client.post(f"/orders/{order.id}/review", data={"rating": "1", "comment": "Revenge review"}))
    assert count(Review) == 0


def test_a_lapsed_suspension_ends_by_the_cron_job_and_shows_the_postings_again(
    client, login, admin, seller, sell_offer
):
    suspend(client, login, admin, seller, days="2")
    db.session.expire_all()
    assert sell_offer.status == "hidden"
    assert end_lapsed_suspensions(now=utcnow() + timedelta(days=1)) == 0
    assert end_lapsed_suspensions(now=utcnow() + timedelta(days=3)) == 1
    db.session.commit()
    db.session.expire_all()
    assert sell_offer.status == "active" and seller.suspended_until is None
    ended = audit_rows("suspension_ended")
    assert len(ended) == 1 and ended[0].actor_id is None and ended[0].member_id == seller.id


def test_a_posting_hidden_by_an_admin_stays_hidden_after_the_owner_is_restored(
    client, login, admin, seller, sell_offer
):
    login(admin)
    assert (
        client.post(
            f"/admin/postings/{sell_offer.id}/hide", data={"posting-reason": "Photos stolen from another farm"}
        ).status_code
        == 303
    )
    suspend(client, login, admin, seller)
    client.post(f"/admin/members/{seller.id}/restore", data={"restore-reason": "Appeal accepted"})
    db.session.expire_all()
    assert sell_offer.status == "hidden"
    client.post(f"/admin/postings/{sell_offer.id}/unhide", data={"posting-reason": "Owner sent own photos"})
    db.session.expire_all()
    assert sell_offer.status == "active"
    assert [row.action for row in audit_rows()] == ["hide_posting", "suspend", "restore", "unhide_posting"]


def test_suspend_form_rejects_bad_input_with_messages(client, login, admin, seller):
    for data, message in [
        ({"length": "days", "days": "0", "reason": "x"}, "between 1 and 3650"),
        ({"length": "days", "days": "abc", "reason": "x"}, "Not a valid integer"),
        ({"length": "days", "days": "", "reason": "x"}, "Give the number of days"),
        ({"length": "days", "days": "7", "reason": "   "}, "Give a reason"),
        ({"length": "forever", "days": "7", "reason": "x"}, "Not a valid choice"),
    ]:
        login(admin)
        response = client.post(f"/admin/members/{seller.id}/suspend", data=data)
        assert response.status_code == 422, data
        assert message.lower() in response.get_data(as_text=True).lower(), (data, message)
    db.session.expire_all()
    assert not seller.is_suspended() and audit_rows() == []


def test_admins_cannot_suspend_themselves_or_other_admins(client, login, admin):
    response = suspend(client, login, admin, admin)
    assert response.status_code == 403
    assert not db.session.get(Member, admin.id).is_suspended()
    assert count(AuditLog) == 0


def test_restore_and_revoke_refuse_when_there_is_nothing_to_undo(client, login, admin, buyer):
    login(admin)
    assert client.post(f"/admin/members/{buyer.id}/restore", data={"restore-reason": "why not"}).status_code == 409
    assert client.post(f"/admin/members/{buyer.id}/revoke-verification", data={"revoke-reason": "x"}).status_code == 409
    assert client.post("/admin/members/999999/restore", data={"restore-reason": "x"}).status_code == 404
    assert count(AuditLog) == 0


def test_an_htmx_message_from_a_suspended_member_is_refused_in_place(client, login, admin, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    suspend(client, login, admin, buyer)
    login(buyer)
    response = client.post(
        f"/negotiations/{negotiation.id}/messages",
        data={"body": "Pay me on WeChat"},
        headers={"HX-Request": "true", "HX-Target": "thread"},
    )
    # The thread's htmx refusals come back as 422 with the reason inside the thread (trade convention).
    assert response.status_code == 422 and SUSPENDED_TEXT in response.get_data(as_text=True)
    assert count(NegotiationMessage) == 0
