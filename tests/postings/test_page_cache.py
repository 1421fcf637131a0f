"""The posting page reuses its rendered body (app/postings/page_cache.py), yet never shows anything
out of date, and never shows one viewer what belongs to another."""

from __future__ import annotations

import re
from decimal import Decimal

from app.core.clock import utcnow
from app.media.images import StoredImage
from app.members.storefronts import ensure_storefront
from app.postings.services import change_status
from tests.factories import make_member, make_posting
from tests.postings.test_edit import edit_data


def _page(client, posting, **headers) -> str:
    response = client.get(f"/p/{posting.id}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _article(page: str) -> str:
    """The posting's article without CSRF tokens (the buy-now form has one, signed with the time
    to the second, so two renders a second apart differ only there)."""
    article = page[page.index("<article") : page.index("</article>")]
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', article)


def _bodies(app):
    return app.extensions["posting_bodies"]


def test_a_repeated_view_reuses_the_body(app, client, db, login):
    posting = make_posting(title="Maize lot 玉米")
    login(make_member(display_name="Buyer"))  # a visitor would get the whole shared page instead
    first = _page(client, posting)
    hits = _bodies(app).hits
    # The same page but for the CSRF token, which is signed with the time (to the second).
    assert _article(_page(client, posting)) == _article(first)
    assert _bodies(app).hits == hits + 1


def test_an_edit_by_the_owner_shows_at_once(app, client, db, login):
    owner = login(make_member(display_name="Edit Farm"))
    posting = make_posting(owner=owner, title="Maize, first crop", price=Decimal("2.10"), unit_code="kg")
    assert "Maize, first crop" in _page(client, posting)
    response = client.post(f"/p/{posting.id}/edit", data=edit_data(posting, title="Maize, second crop", price="2.35"))
    assert response.status_code == 302
    page = _page(client, posting)
    assert "Maize, second crop" in page and "¥2.35" in page
    assert "Maize, first crop" not in page and "¥2.10" not in page


def test_a_photo_added_or_removed_shows_at_once(client, db, login):
    from app.postings.services import add_photos

    owner = login(make_member())
    posting = make_posting(owner=owner, title="Maize")
    assert "/media/new-thumb.jpg" not in _page(client, posting)
    add_photos(posting, [StoredImage("new.jpg", "new-thumb.jpg", 800, 600)])
    db.session.commit()
    assert "/media/new-thumb.jpg" in _page(client, posting)
    # Removing the photo through the edit form (nothing else changes) shows at once too.
    data = edit_data(posting, title="Maize")
    data["remove_photos"] = [str(posting.photos[0].id)]
    assert client.post(f"/p/{posting.id}/edit", data=data).status_code == 302
    assert "/media/new-thumb.jpg" not in _page(client, posting)


def test_closing_shows_at_once(client, db):
    posting = make_posting(title="Maize to close")
    assert "not taking new orders" not in _page(client, posting)
    change_status(posting, "close", posting.owner)
    db.session.commit()
    assert "not taking new orders" in _page(client, posting)


def test_the_trusted_badge_a_new_name_and_a_storefront_show_at_once(client, db):
    farmer = make_member(display_name="Li Farm")
    posting = make_posting(owner=farmer, title="Maize")
    page = _page(client, posting)
    assert "Li Farm" in page and 'class="badge verified"' not in page and "/s/" not in page
    farmer.verified_at = utcnow()
    farmer.display_name = "Li Family Farm"
    db.session.commit()
    page = _page(client, posting)
    assert "Li Family Farm" in page and 'class="badge verified"' in page
    storefront = ensure_storefront(farmer)
    db.session.commit()
    assert f'href="/s/{storefront.slug}"' in _page(client, posting)
    storefront.slug = "li-family-farm"
    db.session.commit()
    assert 'href="/s/li-family-farm"' in _page(client, posting)


def test_a_renamed_info_station_shows_at_once(client, db):
    station = make_member(display_name="Village Station", is_station_operator=True)
    posting = make_posting(owner=make_member(display_name="Farmer Zhao"), via_station=station, title="Eggs")
    assert "via Village Station" in _page(client, posting)
    station.display_name = "East Village Station"
    db.session.commit()
    assert "via East Village Station" in _page(client, posting)


def test_each_language_has_its_own_body(client, db):
    posting = make_posting(title="Maize", price=Decimal("2.10"), unit_code="kg")
    assert "Commodity" in _page(client, posting)
    chinese = _page(client, posting, **{"Accept-Language": "zh-CN"})
    assert "品种" in chinese and "玉米" in chinese and "Commodity" not in chinese
    assert "Commodity" in _page(client, posting, **{"Accept-Language": "en"})


def test_what_one_viewer_sees_is_never_shown_to_another(app, client, db, login):
    owner = make_member(display_name="Owner Farm")
    posting = make_posting(owner=owner, title="Maize")
    login(owner)
    owners_page = _page(client, posting)
    assert "Manage this posting" in owners_page
    with app.test_client() as visitor:
        visitors_page = _page(visitor, posting)
    assert "Manage this posting" not in visitors_page and "Log in to buy" in visitors_page
    with app.test_client() as other:
        login(make_member(display_name="Buyer"), other)
        buyers_page = _page(other, posting)
    assert "Manage this posting" not in buyers_page and "Make an offer" in buyers_page
    assert "Report a problem" in buyers_page and "Report a problem" not in visitors_page


def test_the_body_cache_can_be_turned_off(app, client, db):
    app.config["POSTING_PAGE_CACHE_SIZE"] = 0
    posting = make_posting(title="Maize uncached")
    assert "Maize uncached" in _page(client, posting)
    assert "posting_bodies" not in app.extensions


CSRF_IN_PAGE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def _tokens(page: str) -> set[str]:
    return {a or b for a, b in CSRF_IN_PAGE.findall(page)}


def test_visitors_share_the_whole_page_but_each_gets_their_own_csrf_token(app, client, db):
    posting = make_posting(title="Maize for visitors")
    pages, tokens = [], []
    for _ in range(2):
        with app.test_client() as visitor:
            page = _page(visitor, posting)
            (token,) = _tokens(page)  # the same token in the hx-headers and the language form
            # The token works for this visitor's own session: the language switch accepts it.
            answer = visitor.post(
                "/lang", data={"csrf_token": token, "locale": "zh_Hans", "next": f"/p/{posting.id}"}, csrf=False
            )
            assert answer.status_code == 302
            pages.append(page)
            tokens.append(token)
    assert tokens[0] != tokens[1]
    assert pages[0].replace(tokens[0], "") == pages[1].replace(tokens[1], "")
    assert app.extensions["posting_pages"].hits == 1
    # A token taken from another visitor's page is refused.
    with app.test_client() as third:
        _page(third, posting)
        refused = third.post("/lang", data={"csrf_token": tokens[0], "locale": "zh_Hans", "next": "/"}, csrf=False)
        assert refused.status_code == 400


def test_a_shared_page_is_never_shown_to_a_signed_in_member(app, client, db, login):
    owner = make_member(display_name="Owner Farm")
    posting = make_posting(owner=owner, title="Maize")
    with app.test_client() as visitor:
        assert "Log in to buy" in _page(visitor, posting)
        assert "Log in to buy" in _page(visitor, posting)  # now from the shared page
    login(owner)
    owners_page = _page(client, posting)
    assert "Manage this posting" in owners_page and "Log in to buy" not in owners_page
    with app.test_client() as other:
        login(make_member(display_name="Buyer"), other)
        assert "Make an offer" in _page(other, posting)


def test_a_flashed_message_or_a_query_string_is_never_stored_or_lost(app, client, db):
    posting = make_posting(title="Maize")
    _page(client, posting)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your message was sent.")]
    assert "Your message was sent." in _page(client, posting)
    assert "Your message was sent." not in _page(client, posting)  # shown once, as always
    with app.test_client() as visitor:
        assert "Your message was sent." not in _page(visitor, posting)
        page = visitor.get(f"/p/{posting.id}?from=sms").get_data(as_text=True)
        assert f'value="/p/{posting.id}?from=sms"' in page


def test_what_is_left_to_order_shows_to_visitors_at_once(app, client, db, login):
    from app.postings import stock

    posting = make_posting(title="Maize", quantity=Decimal("500"), unit_code="kg", price=Decimal("2.10"))
    with app.test_client() as visitor:
        assert "Available now: 500" in _page(visitor, posting)
    stock.take_stock(posting.id, Decimal("120"))
    db.session.commit()
    with app.test_client() as visitor:
        page = _page(visitor, posting)
    assert "Available now: 380" in page and "Available now: 500" not in page
