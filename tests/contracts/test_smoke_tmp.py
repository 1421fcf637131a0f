from tests.factories import make_order


def test_smoke(client, db, login, buyer, seller, sell_offer):
    order = make_order(sell_offer, buyer, quantity="10")
    login(buyer)
    r = client.get(f"/orders/{order.id}/contract?lang=zh")
    print(r.get_data(as_text=True)[-4000:])
    assert r.status_code == 200
    r = client.get(f"/orders/{order.id}/contract.pdf")
    assert r.status_code == 200, r.get_data(as_text=True)
