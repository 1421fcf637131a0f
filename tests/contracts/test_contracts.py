"""Purchase contracts (issue 24 point 4): both parties read the contract of their order, in Chinese
(which prevails) or English; accepting records who, when and the SHA-256 of the exact text; a text
that changed meanwhile is refused with 409; a change of the order's terms after acceptance makes a
new version while the old one stays readable; nobody else sees any of it."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from app.contracts.models import ContractAcceptance, ContractVersion
from app.logistics.acceptance import accept_delivery, decide_partial_acceptance
from tests.contracts.conftest import form_fields, shown_text
from tests.factories import make_order


def _accept(client, order, page: str, agree: bool = True):
    data = form_fields(page)
    if agree:
        data["agree"] = "y"
    return client.post(f"/orders/{order.id}/contract/accept", data=data)


def test_the_contract_names_parties_goods_terms_and_shows_the_hash_of_its_text(client, login, buyer, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)
    text = shown_text(page)
    for expected in (
        "购销合同",
        f"订单号：{order.number}",
        "买方（甲方）：Buyer Li",
        "卖方（乙方）：Farmer Wang（Wang Family Farm）",
        "已认证会员，营业执照号 91410100MA44XXXX1K",
        "买方资质：未认证",
        "规格：Meixiang 2；等级：一级",
        "数量：10公斤；单价：人民币 3.50 元/公斤；金额：人民币 35.00 元",
        "交货方式：甲方到乙方处自提",
        "交货日期：不迟于",
        "第三条 付款",
        "人民法院",
    ):
        assert expected in text, expected
    assert hashlib.sha256(text.encode()).hexdigest() in page

    english = client.get(f"/orders/{order.id}/contract?lang=en").get_data(as_text=True)
    assert "PURCHASE CONTRACT" in shown_text(english)
    assert "Quantity: 10 kilogram; unit price: CNY 3.50 per kilogram; amount: CNY 35.00" in shown_text(english)
    assert "The Chinese text prevails" in shown_text(english)


def test_the_order_page_links_its_contract_for_the_parties(client, login, buyer, order):
    login(buyer)
    assert f"/orders/{order.id}/contract" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_both_parties_accept_and_each_acceptance_records_who_when_and_the_hash(client, db, login, buyer, seller, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)
    sha = form_fields(page)["sha256"]
    response = _accept(client, order, page)
    assert response.status_code == 303
    assert "You accepted version 1" in client.get(response.headers["Location"]).get_data(as_text=True)

    login(seller)
    page = client.get(f"/orders/{order.id}/contract?lang=en").get_data(as_text=True)
    assert _accept(client, order, page).status_code == 303
    page = client.get(f"/orders/{order.id}/contract?lang=en").get_data(as_text=True)
    assert "Both parties accepted this version." in page

    version = db.session.query(ContractVersion).one()
    assert version.number == 1 and version.sha256_zh == sha
    assert hashlib.sha256(version.text_zh.encode()).hexdigest() == sha
    assert hashlib.sha256(version.text_en.encode()).hexdigest() == version.sha256_en
    rows = {a.role: a for a in db.session.query(ContractAcceptance).all()}
    assert rows["buyer"].member_id == buyer.id and rows["buyer"].language == "zh" and rows["buyer"].text_sha256 == sha
    assert rows["seller"].member_id == seller.id and rows["seller"].text_sha256 == version.sha256_en
    assert all(a.channel == "web" and a.accepted_at is not None for a in rows.values())


def test_accepting_needs_the_tick_and_twice_is_refused(client, db, login, buyer, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract").get_data(as_text=True)
    response = _accept(client, order, page, agree=False)
    assert response.status_code == 422 and "Tick the box" in response.get_data(as_text=True)
    assert _accept(client, order, page).status_code == 303
    again = _accept(client, order, page)
    assert again.status_code == 409
    assert "already accepted version 1" in again.get_data(as_text=True)
    assert db.session.query(ContractAcceptance).count() == 1


def test_a_text_that_changed_while_the_party_read_it_is_refused_with_409(client, db, login, buyer, seller, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract").get_data(as_text=True)
    seller.display_name = "Farmer Wang Senior"
    db.session.commit()
    response = _accept(client, order, page)
    assert response.status_code == 409
    assert "The contract changed while you were reading it" in response.get_data(as_text=True)
    assert db.session.query(ContractVersion).count() == 0


def test_a_forged_hash_or_language_is_refused(client, db, login, buyer, order):
    login(buyer)
    url = f"/orders/{order.id}/contract/accept"
    assert client.post(url, data={"language": "zh", "sha256": "0" * 64, "agree": "y"}).status_code == 409
    assert client.post(url, data={"language": "fr", "sha256": "0" * 64, "agree": "y"}).status_code == 400
    assert client.post(url, data={"language": "zh", "sha256": "nope", "agree": "y"}).status_code == 400
    assert db.session.query(ContractAcceptance).count() == 0


def test_accepting_without_the_csrf_token_is_refused(client, db, login, buyer, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract").get_data(as_text=True)
    data = {**form_fields(page), "agree": "y"}
    assert client.post(f"/orders/{order.id}/contract/accept", data=data, csrf=False).status_code == 400
    assert db.session.query(ContractAcceptance).count() == 0


def test_a_cancelled_order_s_contract_cannot_be_accepted(client, db, login, buyer, seller, sell_offer):
    order = make_order(sell_offer, buyer, quantity="5", status="cancelled")
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract").get_data(as_text=True)
    assert 'name="sha256"' not in page
    data = {"language": "en", "sha256": hashlib.sha256(b"x").hexdigest(), "agree": "y"}
    assert client.post(f"/orders/{order.id}/contract/accept", data=data).status_code == 409


def test_changed_terms_after_acceptance_make_version_2_and_version_1_stays_readable(
    client, db, login, buyer, seller, sell_offer
):
    order = make_order(sell_offer, buyer, quantity="10", status="delivered")
    login(buyer)
    first_page = client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)
    assert _accept(client, order, first_page).status_code == 303
    login(seller)
    assert (
        _accept(client, order, client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)).status_code
        == 303
    )
    first = db.session.query(ContractVersion).one()
    first_text, first_sha = first.text_zh, first.sha256_zh

    # The buyer received 8 kg of the 10 and the seller agreed: the amount due is now ¥28.00.
    accept_delivery(order, buyer, partial=True, quantity_received=Decimal("8"), reason="short_weight")
    decide_partial_acceptance(order, seller, agree=True)
    db.session.commit()

    page = client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)
    assert "Version 2" in page and "both parties need to accept this new version" in page
    assert "实收数量 8公斤，应付金额人民币 28.00 元" in shown_text(page)
    assert "合同编号：J" in shown_text(page) and "-V2" in shown_text(page)
    assert _accept(client, order, page).status_code == 303
    numbers = sorted(v.number for v in db.session.query(ContractVersion).all())
    assert numbers == [1, 2]

    old = client.get(f"/orders/{order.id}/contract/v1?lang=zh")
    assert old.status_code == 200
    old_page = old.get_data(as_text=True)
    assert shown_text(old_page) == first_text and first_sha in old_page
    assert "This is an earlier version" in old_page and 'name="sha256"' not in old_page
    db.session.refresh(first)
    assert first.text_zh == first_text and first.sha256_zh == first_sha and len(first.acceptances) == 2


def test_an_unchanged_order_keeps_its_version_however_often_it_is_read(client, db, login, buyer, seller, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract").get_data(as_text=True)
    assert _accept(client, order, page).status_code == 303
    # The seller edits the posting's wording afterwards: the accepted text stays as it was.
    order.posting.grade = "特级"
    db.session.commit()
    login(seller)
    page = client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)
    assert "Version 1" in page and "等级：一级" in shown_text(page)
    assert db.session.query(ContractVersion).count() == 1


def test_strangers_and_admins_get_404_on_every_contract_route(client, db, login, buyer, stranger, admin, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract").get_data(as_text=True)
    assert _accept(client, order, page).status_code == 303
    for outsider in (stranger, admin):
        login(outsider)
        for url in (
            f"/orders/{order.id}/contract",
            f"/orders/{order.id}/contract/v1",
            f"/orders/{order.id}/contract.pdf",
            f"/orders/{order.id}/contract/v1.pdf",
        ):
            assert client.get(url).status_code == 404, (outsider.display_name, url)
        data = {**form_fields(page), "agree": "y"}
        assert client.post(f"/orders/{order.id}/contract/accept", data=data).status_code == 404
    assert db.session.query(ContractAcceptance).count() == 1


def test_signed_out_visitors_are_sent_to_log_in(client, order):
    response = client.get(f"/orders/{order.id}/contract")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_version_that_does_not_exist_is_404(client, login, buyer, order):
    login(buyer)
    assert client.get(f"/orders/{order.id}/contract/v1").status_code == 404
    assert client.get(f"/orders/{order.id}/contract/v9.pdf").status_code == 404


def test_a_basket_orders_contract_lists_every_lot_and_the_whole_amount(client, db, login, buyer, seller, sell_offer):
    from app.trade import baskets
    from tests.factories import make_posting

    second = make_posting(
        owner=seller, title="Sticky rice", quantity=Decimal("50"), unit_code="kg", price=Decimal("4.00")
    )
    baskets.add_to_basket(buyer, sell_offer, Decimal("10"))
    baskets.add_to_basket(buyer, second, Decimal("5"))
    delivery = baskets.basket_groups(buyer.id)[0].delivery_choices[0]
    order, _placed = baskets.place_basket_order(buyer, seller.id, delivery, "contract-basket-page-1")
    db.session.commit()

    login(buyer)
    text = shown_text(client.get(f"/orders/{order.id}/contract?lang=en").get_data(as_text=True))
    assert "Quantity: 10 kilogram; unit price: CNY 3.50 per kilogram; amount: CNY 35.00" in text
    assert "(Sticky rice)" in text
    assert "Quantity: 5 kilogram; unit price: CNY 4.00 per kilogram; amount: CNY 20.00" in text
    assert order.total == Decimal("55.00")
