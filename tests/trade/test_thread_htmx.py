"""The thread with htmx: messages and counters swap the thread in place, polling answers 204 while
nothing changed, repaints when something did, and stops (286) once the thread is closed. Offers
expire after OFFER_EXPIRY_HOURS; `flask trade expire-offers` records it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.core.clock import utcnow
from app.trade import signals
from app.trade.models import NegotiationMessage, Offer
from tests.trade.helpers import offer_data, start_thread

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}


def _poll_url(page: str) -> str:
    match = re.search(r'hx-get="([^"]+/updates[^"]*)"', page)
    assert match, "the open thread polls for updates"
    return match.group(1).replace("&amp;", "&")


def test_htmx_message_swaps_the_thread_in_place(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    login(seller)
    response = client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Fresh today"}, headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="thread"' in body and "Fresh today" in body
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_form_errors_come_back_as_422_fragments(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    login(seller)
    response = client.post(f"/negotiations/{negotiation.id}/counter", data=offer_data(unit_price="-1"), headers=HTMX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Price must be greater than 0." in body
    assert db.session.scalar(select(func.count(Offer.id))) == 1


def test_htmx_message_to_a_thread_closed_meanwhile_is_refused_in_place(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/offers/{negotiation.offers[0].id}/decline")
    login(buyer)
    response = client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Wait!"}, headers=HTMX)
    assert response.status_code == 422
    assert "This negotiation is closed." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NegotiationMessage.id))) == 0


def test_polling_is_quiet_until_something_changes_and_stops_when_the_thread_closes(
    client, db, login, buyer, seller, sell_offer
):
    negotiation = start_thread(client, login, sell_offer, buyer)
    login(seller)
    poll = _poll_url(client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True))

    unchanged = client.get(poll, headers=HTMX)
    assert unchanged.status_code == 204

    login(buyer)
    client.post(f"/negotiations/{negotiation.id}/messages", data={"body": "Are you there?"})
    login(seller)
    changed = client.get(poll, headers=HTMX)
    assert changed.status_code == 200
    body = changed.get_data(as_text=True)
    assert "Are you there?" in body and 'id="thread-entries"' in body
    assert "hx-swap-oob" not in body, "the forms are left alone while what the viewer may do is unchanged"
    poll = _poll_url(body)

    login(buyer)
    client.post(f"/negotiations/{negotiation.id}/offers/{negotiation.offers[0].id}/withdraw")
    login(seller)
    closed = client.get(poll, headers=HTMX)
    assert closed.status_code == 286
    body = closed.get_data(as_text=True)
    assert "hx-trigger" not in body
    assert 'id="thread-forms" class="thread-forms" hx-swap-oob="true"' in body
    assert "This negotiation is closed." in body


def test_polling_swaps_the_forms_when_a_counter_makes_it_your_turn(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    page = client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
    assert "Make a counter-offer" not in page, "the author waits for an answer"
    poll = _poll_url(page)
    login(seller)
    client.post(f"/negotiations/{negotiation.id}/counter", data=offer_data(unit_price="3.40"))
    login(buyer)
    response = client.get(poll, headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "hx-swap-oob" in body and "Make a counter-offer" in body and "Accept and place order" in body


def test_polling_without_htmx_leads_to_the_page(client, login, buyer, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    response = client.get(f"/negotiations/{negotiation.id}/updates")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/negotiations/{negotiation.id}")


def test_an_expired_offer_cannot_be_accepted_and_the_page_says_so(client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    offer = negotiation.offers[0]
    offer.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(seller)
    response = client.post(f"/negotiations/{negotiation.id}/offers/{offer.id}/accept")
    assert response.status_code == 409
    assert "This offer has expired." in response.get_data(as_text=True)
    page = client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
    assert "expired" in page and "hx-trigger" not in page
    login(buyer)
    assert client.get(f"/p/{sell_offer.id}/negotiate").status_code == 200, (
        "an expired thread does not block a new offer"
    )


def test_offers_expire_after_the_configured_hours(client, app, db, login, buyer, sell_offer):
    app.config["OFFER_EXPIRY_HOURS"] = 5
    negotiation = start_thread(client, login, sell_offer, buyer)
    offer = negotiation.offers[0]
    hours = (offer.expires_at.replace(tzinfo=None) - offer.created_at.replace(tzinfo=None)).total_seconds() / 3600
    assert hours == 5


def test_expire_offers_command_records_expiry_and_sends_the_signal(app, client, db, login, buyer, seller, sell_offer):
    negotiation = start_thread(client, login, sell_offer, buyer)
    offer = negotiation.offers[0]
    offer.expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    received = []
    with signals.offer_expired.connected_to(lambda sender, **ids: received.append(ids)):
        result = app.test_cli_runner().invoke(args=["trade", "expire-offers"])
    assert result.exit_code == 0, result.output
    assert "expired offers: 1" in result.output
    db.session.expire_all()
    assert (negotiation.status, negotiation.offers[0].status) == ("expired", "expired")
    assert received == [
        {"negotiation_id": negotiation.id, "offer_id": offer.id, "author_id": buyer.id, "recipient_id": seller.id}
    ]
    again = app.test_cli_runner().invoke(args=["trade", "expire-offers"])
    assert "expired offers: 0" in again.output
