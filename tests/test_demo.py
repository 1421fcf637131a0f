"""Demo data: `flask seed` loads it once; running it again creates nothing; the demo accounts work."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import DEMO_ACCOUNTS, FARMER_PHONE, PLACEHOLDER_FARMER_PHONE, STATION_PHONE, load_demo_data
from app.members.models import Member, Storefront, VerificationRequest
from app.postings.models import Posting


def _row_counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Member, Storefront, VerificationRequest, Posting)
    }


def _load(db) -> dict[str, int]:
    created = load_demo_data()
    db.session.commit()
    return created


def test_second_run_creates_nothing(db):
    first = _load(db)
    after_first = _row_counts(db)
    second = _load(db)
    assert first["members"] == 5 and first["postings"] >= 12
    assert set(second.values()) == {0}
    assert _row_counts(db) == after_first
    assert after_first["Posting"] == first["postings"]


def test_seed_command_twice_reports_nothing_new_and_prints_accounts(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "members +0" in second.output and "postings +0" in second.output
    for _role, phone, password in DEMO_ACCOUNTS:
        assert phone in second.output and password in second.output


def test_demo_postings_have_prices_per_kg_and_searchable_text(db):
    _load(db)
    postings = db.session.scalars(select(Posting)).all()
    assert {p.kind for p in postings} == {"sell", "buy"}
    assert {"jin", "t"} <= {p.unit_code for p in postings}
    assert all(p.search_text for p in postings)
    # All active but the pooled request, which three farmers' pooled part filled (and so closed).
    from app.demo import POOLED_TITLE

    assert {p.title for p in postings if p.status != "active"} == {POOLED_TITLE}
    by_jin = next(p for p in postings if p.unit_code == "jin" and p.price is not None and p.commodity.slug == "maize")
    assert by_jin.price_per_kg == by_jin.price * 2
    maize = [p for p in postings if p.commodity.slug == "maize"]
    assert len(maize) >= 3
    assert all({"玉米", "苞米", "corn"} <= set(p.search_text.split()) for p in maize)
    assert any(p.price is None for p in postings)  # a negotiable one


def test_demo_members_have_their_roles(db):
    _load(db)
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    assert farmer.is_seller and farmer.is_verified and farmer.storefront is not None
    decision = db.session.scalar(select(VerificationRequest).where(VerificationRequest.member_id == farmer.id))
    assert decision.status == "approved" and decision.decided_by.is_admin and decision.decision_reason
    station = db.session.scalar(select(Member).where(Member.phone == STATION_PHONE))
    placeholder = db.session.scalar(select(Member).where(Member.phone == PLACEHOLDER_FARMER_PHONE))
    assert station.is_station_operator and station.is_approved_station  # the demo station may post for farmers
    assert placeholder.password_hash is None and placeholder.created_by_station_id == station.id
    via_station = db.session.scalars(select(Posting).where(Posting.owner_id == placeholder.id)).all()
    assert via_station and all(p.via_station_id == station.id for p in via_station)


def test_demo_admin_can_log_in_with_documented_password(client, db):
    _load(db)
    role, phone, password = next(account for account in DEMO_ACCOUNTS if account[0] == "admin")
    response = client.post("/login", data={"phone": phone.removeprefix("+86"), "password": password})
    assert response.status_code == 302
    assert client.get("/admin/commodities").status_code == 200


def test_every_demo_account_can_log_in(app, db):
    _load(db)
    for _role, phone, password in DEMO_ACCOUNTS:
        client = app.test_client()
        response = client.post("/login", data={"phone": phone, "password": password})
        assert response.status_code == 302, phone
        assert client.get("/account").status_code == 200


def test_demo_data_is_visible_on_market_and_storefront(client, db):
    _load(db)
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    market = client.get("/market?q=苞米").get_data(as_text=True)
    assert "优质玉米出售" in market and "Wanted: corn for our feed mill" in market
    storefront = client.get(f"/s/{farmer.storefront.slug}")
    assert storefront.status_code == 200
    assert "优质玉米出售" in storefront.get_data(as_text=True)


def test_the_demo_co_op_has_a_payee_account(db):
    from app.demo import DEMO_PAYEE
    from app.members.payees import payee_of

    _load(db)
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    assert payee_of(farmer.id).account_number == DEMO_PAYEE[2]


def test_the_demo_buyer_and_station_follow_the_co_op_and_see_its_new_goods(client, db, login):
    from app.demo import BUYER_PHONE
    from app.members.follows import follower_count, is_following

    created = _load(db)
    assert created["follows"] == 2
    farmer = db.session.scalar(select(Member).where(Member.phone == FARMER_PHONE))
    buyer = db.session.scalar(select(Member).where(Member.phone == BUYER_PHONE))
    assert is_following(buyer.id, farmer.id) and follower_count(farmer.id) == 2
    login(buyer)
    page = client.get("/account/following").get_data(as_text=True)
    assert farmer.storefront.name in page and "优质玉米出售" in page


def test_the_demo_has_a_pooled_request_filled_by_three_farmers_through_the_station(client, login, db):
    from app.demo import BUYER_PHONE, POOLED_FARMERS, POOLED_TITLE
    from app.pooling.models import PoolPart
    from app.trade.models import Order

    _load(db)
    buyer = db.session.scalar(select(Member).where(Member.phone == BUYER_PHONE))
    station = db.session.scalar(select(Member).where(Member.phone == STATION_PHONE))
    request = db.session.scalar(select(Posting).where(Posting.title == POOLED_TITLE))
    [part] = db.session.scalars(select(PoolPart).where(PoolPart.posting_id == request.id)).all()
    assert (part.seller_id, part.pooled, part.status) == (station.id, True, "accepted")
    farmers = {share.farmer.phone: share.quantity for share in part.shares}
    assert farmers == {phone: int(tonnes) for phone, _name, tonnes in POOLED_FARMERS}
    assert all(share.farmer.created_by_station_id == station.id for share in part.shares)
    order = db.session.get(Order, part.order_id)
    assert (order.buyer_id, order.seller_id, order.quantity) == (buyer.id, station.id, 30)
    assert (request.quantity_filled, request.status) == (30, "closed")
    login(buyer)
    page = client.get(f"/p/{request.id}/parts").get_data(as_text=True)
    assert "pooled by an information station for 3 farmers" in page


def test_demo_knowledge_has_an_expert_articles_and_public_answers(db, client):
    from app.knowledge.models import Article, Expert, Question

    created = _load(db)
    assert (created["experts"], created["articles"], created["questions"]) == (1, 5, 3)
    assert db.session.scalar(select(func.count()).select_from(Expert)) == 1
    articles = db.session.scalars(select(Article)).all()
    assert all(article.search_text and article.body_html for article in articles)
    public = [q for q in db.session.scalars(select(Question)) if q.is_public and q.is_answered]
    assert len(public) == 2
    page = client.get("/knowledge", query_string={"q": "苞米 发黄"}).get_data(as_text=True)
    assert "玉米叶子发黄怎么办" in page
    qa = client.get("/knowledge/questions").get_data(as_text=True)
    assert all(f'/knowledge/questions/{q.id}"' in qa for q in public)


def test_demo_buyer_has_one_basket_order_of_two_lots(db):
    from app.demo import BUYER_PHONE
    from app.trade.lines import lines_of
    from app.trade.models import Order

    first = _load(db)
    assert first["basket_orders"] == 1
    assert _load(db)["basket_orders"] == 0
    buyer = db.session.scalar(select(Member).where(Member.phone == BUYER_PHONE))
    # The demo buyer has other orders too (the pooled request's, the signed contract's).
    baskets = [
        order for order in db.session.scalars(select(Order).where(Order.buyer_id == buyer.id)) if order.is_basket
    ]
    [order] = baskets
    lines = lines_of(order)
    assert len(lines) == 2 and order.total == sum(line.total for line in lines)


def test_the_demo_has_an_order_whose_contract_both_parties_accepted(db):
    from app.contracts.models import ContractAcceptance, ContractVersion
    from app.demo import BUYER_PHONE

    created = _load(db)
    assert created["contracts"] == 1
    version = db.session.scalars(select(ContractVersion)).one()
    acceptances = db.session.scalars(select(ContractAcceptance)).all()
    assert {(a.role, a.channel, a.language) for a in acceptances} == {("buyer", "web", "en"), ("seller", "sms", "zh")}
    assert {a.text_sha256 for a in acceptances} == {version.sha256_en, version.sha256_zh}
    assert version.order.buyer.phone == BUYER_PHONE and version.order.status == "confirmed"
    assert "购销合同" in version.text_zh and "刘家庄果粮合作社" in version.text_zh
    assert _load(db)["contracts"] == 0
