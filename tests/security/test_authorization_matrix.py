"""Authorization matrix: every route that names an object in its URL, every method, requested by a
signed-in member who has nothing to do with that object (an outsider) → 403 or 404, and nothing in
the database changes. Routes come from app.url_map; a route missing from ACCESS fails the first test,
so a new route cannot ship without a decision here."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from tests.security.world import World

# Who may use a route, by endpoint:
#   "party"  — only the people the object belongs to (owner, the two sides of a trade): outsider → 403/404
#   "admin"  — administrators only: a member who is not one → 403/404
#   "public" — anyone may read or use it; the reason is given
#   "signed" — machine callers proving themselves with a signature or a secret in the URL
#   "self"   — the URL names no one else's object: the page shows the signed-in member's own data
PARTY, ADMIN, PUBLIC, SIGNED, SELF = "party", "admin", "public", "signed", "self"
ACCESS: dict[str, tuple[str, str]] = {
    # postings
    "postings.show_posting": (PUBLIC, "an active posting is on the public market"),
    "postings.edit_posting": (PARTY, ""),
    "postings.change_status": (PARTY, ""),
    "postings.pending_photo": (PARTY, "a kept photo's thumbnail, its sender's only"),
    "postings.autosave_draft": (SELF, "the URL names a form (new or station); the draft is the member's own"),
    "postings.discard_draft": (SELF, "the URL names a form (new or station); the draft is the member's own"),
    "postings.storefront": (PUBLIC, "storefronts are public pages"),
    "members.follow_store": (PUBLIC, "any signed-in member may follow another member's public storefront"),
    "members.unfollow_store": (PUBLIC, "removes only the signed-in member's own follow of that storefront"),
    "main.media": (PUBLIC, "posting photos and logos are public; identity documents are served elsewhere"),
    # trade
    "trade.buy_now": (PUBLIC, "any member may buy from an active fixed-price offer"),
    "trade.start_negotiation": (PUBLIC, "any member may make an offer on an active posting"),
    "trade.show_negotiation": (PARTY, ""),
    "trade.negotiation_updates": (PARTY, ""),
    "trade.counter_offer": (PARTY, ""),
    "trade.post_message": (PARTY, ""),
    "trade.accept_offer": (PARTY, ""),
    "trade.decline_offer": (PARTY, ""),
    "trade.withdraw_offer": (PARTY, ""),
    "trade.show_order": (PARTY, ""),
    "trade.change_order_status": (PARTY, ""),
    "trade.open_dispute": (PARTY, ""),
    "trade.resolve_dispute": (ADMIN, ""),
    "trade.review_order": (PARTY, ""),
    "trade.delivery_note": (PARTY, ""),
    "trade.add_to_basket": (PUBLIC, "any member may put an active fixed-price offer in their own basket"),
    "trade.change_basket_item": (PARTY, ""),
    "trade.request_basket_quote": (PARTY, "built from the member's own basket: no lots of that seller there → 404"),
    "trade.show_basket_quote": (PARTY, ""),
    "trade.answer_basket_quote": (PARTY, ""),
    "trade.accept_basket_quote": (PARTY, ""),
    "trade.decline_basket_quote": (PARTY, ""),
    "trade.withdraw_basket_quote": (PARTY, ""),
    "trade.trace_lot": (PUBLIC, "the traceability page of a lot code is printed on the delivery note for anyone"),
    # pooled supply (app/pooling)
    "pooling.parts_page": (PUBLIC, "a buy request's progress is public; parts are listed only to their parties"),
    "pooling.open_pool": (PARTY, ""),
    "pooling.offer_part": (PUBLIC, "any member may offer a part of an active pooled buy request"),
    "pooling.offer_pooled_part": (PUBLIC, "any approved information station may pool its own farmers' lots"),
    "pooling.answer_part": (PARTY, ""),
    # purchase contracts: the order's two parties only (admins too get 404)
    "contracts.show_contract": (PARTY, ""),
    "contracts.show_version": (PARTY, ""),
    "contracts.accept_contract": (PARTY, ""),
    "contracts.contract_pdf_current": (PARTY, ""),
    "contracts.contract_pdf_version": (PARTY, ""),
    # payments and logistics
    "payments.start_payment": (PARTY, ""),
    "payments.record_transfer_reference": (PARTY, ""),
    "payments.record_refund_reference": (PARTY, ""),
    "payments.send_failed_refund_again": (ADMIN, ""),
    "payments.payment_return": (PARTY, ""),
    "payments.check_payment": (PARTY, ""),
    "payments.retry_split": (ADMIN, ""),
    "payments.payment_webhook": (
        SIGNED,
        "Stripe-Signature / WeChat Pay signature / Alipay RSA2 sign / provider secret",
    ),
    "logistics.accept_delivery": (PARTY, ""),
    "logistics.decide_acceptance": (PARTY, ""),
    "logistics.new_shipment": (PARTY, ""),
    "logistics.update_shipment": (PARTY, ""),
    "logistics.driver_link": (PARTY, ""),
    "logistics.driver_page": (SIGNED, "the unguessable token in the URL is the driver's credential"),
    "logistics.carrier_webhook": (SIGNED, "HMAC of the carrier's shared secret"),
    "logistics.kuaidi100_push": (SIGNED, "MD5 sign of the push with the shipment's own salt"),
    "logistics.truck_details": (PARTY, ""),
    # SMS short links: a bare redirect that reads nothing; the page it leads to checks the party
    "notify.short_order": (PUBLIC, "redirects to /orders/<id> without reading the order"),
    "notify.short_negotiation": (PUBLIC, "redirects to /negotiations/<id> without reading it"),
    "notify.short_basket_quote": (PUBLIC, "redirects to /basket-quotes/<id> without reading it"),
    "notify.retry": (ADMIN, ""),
    "notify.unsubscribe": (
        SIGNED,
        "the token is a member id and category signed with SECRET_KEY; a forged one is a 404",
    ),
    # admin pages of other domains
    "catalogue.edit_commodity": (ADMIN, ""),
    "catalogue.add_commodity_alias": (ADMIN, ""),
    "catalogue.remove_commodity_alias": (ADMIN, ""),
    "members.decide_verification": (ADMIN, ""),
    "members.verification_document": (ADMIN, ""),
    "members.reset_password_link": (SIGNED, "the single-use token e-mailed to the member is the credential"),
    # saved searches and price alerts belong to one member; a station's village list to one station
    "postings.delete_saved_search": (PARTY, ""),
    "market.delete_price_alert": (PARTY, ""),
    "market.station_remove_number": (PARTY, ""),
    "market.commodity_prices": (PUBLIC, "reference prices are open data"),
    "market.my_statement": (SELF, "the period is not an object: the statement is the signed-in seller's own"),
    "market.admin_statement": (ADMIN, ""),
    # forum: anyone reads, any member posts, replies and reports; only the author edits
    "forum.category": (PUBLIC, "forum categories are public reading"),
    "forum.show_thread": (PUBLIC, "visible threads are public reading (hidden ones 404)"),
    "forum.show_post": (PUBLIC, "redirects to the post in its public thread"),
    "forum.new_thread": (PUBLIC, "any signed-in member may start a thread"),
    "forum.reply": (PUBLIC, "any signed-in member may reply to an open thread"),
    "forum.report_post": (PUBLIC, "any signed-in member may report a post"),
    "forum.edit_post": (PARTY, ""),
    "forum.hide_post": (ADMIN, ""),
    "forum.restore_post": (ADMIN, ""),
    "forum.thread_state": (ADMIN, ""),
    "forum.move_thread": (ADMIN, ""),
    "forum.dismiss_report": (ADMIN, ""),
    "forum.suspend_member": (ADMIN, ""),
    "forum.unsuspend_member": (ADMIN, ""),
    "forum.edit_category": (ADMIN, ""),
    # trust & safety
    "admin.report_posting": (PUBLIC, "any signed-in member may report a posting"),
    "admin.report_storefront": (PUBLIC, "any signed-in member may report a storefront"),
    "admin.report_member": (PUBLIC, "any signed-in member may report a member"),
    "admin.help_page": (PUBLIC, "help pages are for everyone"),
    "admin.edit_help": (ADMIN, ""),
    "admin.member": (ADMIN, ""),
    "admin.suspend": (ADMIN, ""),
    "admin.restore": (ADMIN, ""),
    "admin.revoke_verification": (ADMIN, ""),
    "admin.approve_station": (ADMIN, ""),
    "admin.refuse_station": (ADMIN, ""),
    "admin.hide_posting": (ADMIN, ""),
    "admin.unhide_posting": (ADMIN, ""),
    "admin.report": (ADMIN, ""),
    "admin.decide_report": (ADMIN, ""),
    # knowledge base and ask an expert
    "knowledge.show_article": (PUBLIC, "articles are public reading"),
    "knowledge.edit_article": (PARTY, ""),
    "knowledge.show_question": (PARTY, ""),
    "knowledge.question_by_token": (PARTY, ""),
    "knowledge.short_question": (PUBLIC, "redirects to /knowledge/questions/<id> without reading the question"),
    "knowledge.answer_question": (PARTY, ""),
    "knowledge.question_visibility": (PARTY, ""),
    "knowledge.revoke_expert": (ADMIN, ""),
}


def _object_rules(app):
    # Rules whose URL carries a value (arguments that come only from a rule's defaults do not count).
    for rule in app.url_map.iter_rules():
        if rule._converters and rule.endpoint != "static":
            yield rule


def test_every_route_with_an_object_in_its_url_has_a_decision(app):
    missing = sorted({rule.endpoint for rule in _object_rules(app)} - set(ACCESS))
    assert not missing, f"add these endpoints to ACCESS in {__file__}: {missing}"
    stale = sorted(set(ACCESS) - {rule.endpoint for rule in _object_rules(app)})
    assert not stale, f"ACCESS names endpoints that no longer exist: {stale}"


def _row_counts() -> dict[str, int]:
    _db.session.rollback()
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
        if not table.name.endswith("_fts")
    }


def test_outsiders_are_refused_on_every_party_and_admin_route(app, client, db, login):
    world = World()
    login(world.outsider)
    before = _row_counts()
    allowed = []
    for rule in _object_rules(app):
        kind, _reason = ACCESS.get(rule.endpoint, (None, ""))
        if kind not in (PARTY, ADMIN):
            continue
        url = rule.build(world.url_values(rule), append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method == "POST":  # with a valid CSRF token: the refusal must come from authorization
                response = client.post(url, data={"note": "x", "action": "cancel"})
            else:
                response = client.open(url, method=method)
            if response.status_code not in (403, 404):
                allowed.append(f"{method} {url} -> {response.status_code}")
    assert not allowed, "outsider was not refused:\n" + "\n".join(allowed)
    assert _row_counts() == before, "an outsider's request changed the database"


def test_the_matrix_would_notice_an_open_door(app, client, db, login):
    """The parties themselves get through, so the refusals above are about who asks, not broken URLs."""
    world = World()
    login(world.buyer)
    assert client.get(f"/orders/{world.order.id}").status_code == 200
    assert client.get(f"/negotiations/{world.negotiation.id}").status_code == 200
    login(world.seller)
    assert client.get(f"/p/{world.posting.id}/edit").status_code == 200
    login(world.outsider)
    followed = client.get(f"/o/{world.order.id}")
    assert followed.status_code == 302 and client.get(followed.headers["Location"]).status_code in (403, 404)


@pytest.mark.parametrize("endpoint", sorted(e for e, (kind, _r) in ACCESS.items() if kind in (PUBLIC, SIGNED, SELF)))
def test_public_and_signed_routes_say_why(endpoint):
    assert ACCESS[endpoint][1], f"{endpoint} is {ACCESS[endpoint][0]}: give the reason"
