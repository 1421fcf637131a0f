"""Following a store (issue 24): the button on a storefront (plain form and htmx), never on one's own
store, login and CSRF required; the "stores I follow" page with unfollow and the site notices; the
follower count on the storefront and on the seller's dashboard."""

from __future__ import annotations

from sqlalchemy import func, select

from app.members.models import StoreFollow
from app.members.storefronts import ensure_storefront
from tests.factories import make_member, make_posting
from tests.members.helpers import text_of


def _shop(db, name="Zhang Family Farm", **overrides):
    seller = make_member(display_name=name, **overrides)
    storefront = ensure_storefront(seller)
    storefront.name = name
    db.session.commit()
    return storefront


def _follows(db, follower_id=None) -> int:
    query = select(func.count(StoreFollow.id))
    if follower_id is not None:
        query = query.where(StoreFollow.follower_id == follower_id)
    db.session.commit()
    return db.session.scalar(query)


def test_a_visitor_sees_the_count_and_a_login_link_but_no_follow_form(client, db):
    shop = _shop(db)
    page = client.get(f"/s/{shop.slug}")
    assert page.status_code == 200
    text = text_of(page)
    assert "0 followers" in text and "Log in to follow this store" in text
    assert f'action="/s/{shop.slug}/follow"' not in page.get_data(as_text=True)


def test_following_without_logging_in_goes_to_the_login_page(client, db):
    shop = _shop(db)
    response = client.post(f"/s/{shop.slug}/follow")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _follows(db) == 0


def test_a_member_follows_a_store_with_the_plain_form_and_sees_the_count(client, db, login):
    shop = _shop(db)
    buyer = login(make_member(display_name="Li Buyer"))
    page = client.get(f"/s/{shop.slug}")
    assert f'action="/s/{shop.slug}/follow"' in page.get_data(as_text=True)

    response = client.post(f"/s/{shop.slug}/follow", data={"next": f"/s/{shop.slug}"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/s/{shop.slug}")
    assert _follows(db, buyer.id) == 1
    page = client.get(f"/s/{shop.slug}")
    text = text_of(page)
    assert "You follow Zhang Family Farm now." in text and "1 follower" in text
    assert "Unfollow Zhang Family Farm" in text

    client.post(f"/s/{shop.slug}/follow", data={"next": f"/s/{shop.slug}"})  # twice: still one follow
    assert _follows(db) == 1


def test_htmx_follow_and_unfollow_swap_the_button(client, db, login):
    shop = _shop(db)
    buyer = login(make_member())
    headers = {"HX-Request": "true", "HX-Target": f"follow-{shop.member_id}"}
    response = client.post(f"/s/{shop.slug}/follow", headers=headers)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div class="follow-store"') and "<html" not in html
    assert "1 follower" in html and f'hx-post="/s/{shop.slug}/unfollow"' in html

    response = client.post(f"/s/{shop.slug}/unfollow", headers=headers)
    assert "0 followers" in response.get_data(as_text=True)
    assert _follows(db, buyer.id) == 0


def test_no_follow_button_on_ones_own_store_and_a_forged_post_is_refused(client, db, login):
    shop = _shop(db)
    login(shop.member)
    page = client.get(f"/s/{shop.slug}")
    assert "/follow" not in page.get_data(as_text=True) and "0 followers" in text_of(page)
    response = client.post(f"/s/{shop.slug}/follow")
    assert response.status_code == 400 and "You cannot follow your own store." in text_of(response)
    assert _follows(db) == 0


def test_a_follow_without_the_csrf_token_is_refused(client, db, login):
    shop = _shop(db)
    login(make_member())
    response = client.post(f"/s/{shop.slug}/follow", csrf=False)
    assert response.status_code == 400
    assert _follows(db) == 0


def test_an_unknown_store_is_404(client, db, login):
    login(make_member())
    assert client.post("/s/no-such-store/follow").status_code == 404
    assert client.post("/s/no-such-store/unfollow").status_code == 404


def test_the_following_page_lists_stores_and_unfollows(client, db, login):
    first = _shop(db, "Zhang Family Farm")
    second = _shop(db, "Wang Orchard")
    buyer = login(make_member())
    for shop in (first, second):
        client.post(f"/s/{shop.slug}/follow", follow_redirects=True)  # the storefront shows "You follow …"
    page = client.get("/account/following")
    text = text_of(page)
    assert page.status_code == 200
    assert text.index("Wang Orchard") < text.index("Zhang Family Farm")  # latest follow first

    response = client.post(f"/s/{first.slug}/unfollow", data={"next": "/account/following"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/account/following")
    text = text_of(client.get("/account/following"))
    assert "You no longer follow Zhang Family Farm." in text
    assert _follows(db, buyer.id) == 1


def test_the_following_page_needs_a_login(client, db):
    response = client.get("/account/following")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_posting_shows_as_a_notice_that_can_be_marked_read(client, db, login):
    shop = _shop(db)
    buyer = login(make_member())
    client.post(f"/s/{shop.slug}/follow")
    posting = make_posting(shop.member, "maize", title="Dry maize, 20 t")
    text = text_of(client.get("/account/following"))
    assert "Zhang Family Farm posted: Dry maize, 20 t" in text and "Mark 1 new notice as read" in text
    assert f'href="/p/{posting.id}"' in client.get("/account/following").get_data(as_text=True)

    assert client.post("/account/following/read").status_code == 303
    text = text_of(client.get("/account/following"))
    assert "Zhang Family Farm posted: Dry maize, 20 t" in text and "new notice" not in text
    assert buyer.id


def test_the_seller_dashboard_shows_the_follower_count(client, db, login):
    shop = _shop(db)
    for _ in range(3):
        follower = make_member()
        db.session.add(StoreFollow(follower_id=follower.id, seller_id=shop.member_id))
    db.session.commit()
    login(shop.member)
    text = text_of(client.get("/dashboard"))
    assert "3 members follow your store." in text


def test_the_pages_speak_chinese(client, db, login):
    shop = _shop(db)
    login(make_member(locale="zh_Hans"))
    client.post(f"/s/{shop.slug}/follow")
    page = text_of(client.get(f"/s/{shop.slug}", headers={"Accept-Language": "zh-CN"}))
    assert "取消关注" in page
    assert "我关注的店铺" in text_of(client.get("/account/following"))
