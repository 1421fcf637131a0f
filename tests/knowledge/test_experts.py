"""The admins' expert page: appoint a member with the commodities they cover, change them, end the role."""

from __future__ import annotations

from sqlalchemy import select

from app.knowledge.models import Expert, ExpertCommodity
from app.knowledge.services import expert_commodity_ids
from tests.factories import make_member
from tests.knowledge.conftest import commodity


def test_an_admin_appoints_an_expert_for_commodities(client, login, db, admin, farmer):
    login(admin)
    maize, apple = commodity(db, "maize"), commodity(db, "apple")
    response = client.post(
        "/admin/experts",
        data={"phone": farmer.phone, "title": "County agronomist", "commodities": [str(maize.id), str(apple.id)]},
    )
    assert response.status_code == 303
    expert = db.session.get(Expert, farmer.id)
    assert (expert.granted_by_id, expert.title) == (admin.id, "County agronomist")
    assert expert_commodity_ids(farmer.id) == {maize.id, apple.id}
    page = client.get("/admin/experts").get_data(as_text=True)
    assert "Farmer Wang" in page and "County agronomist" in page
    # Appointing again replaces the commodities.
    client.post("/admin/experts", data={"phone": farmer.phone, "commodities": [str(apple.id)]})
    assert expert_commodity_ids(farmer.id) == {apple.id}


def test_the_expert_can_then_write_and_see_the_queue(client, login, db, admin, farmer):
    login(farmer)
    assert client.get("/knowledge/queue").status_code == 403
    login(admin)
    client.post("/admin/experts", data={"phone": farmer.phone})
    login(farmer)
    assert client.get("/knowledge/queue").status_code == 200
    assert client.get("/knowledge/articles/new").status_code == 200


def test_an_unknown_number_is_refused_beside_the_field(client, login, db, admin):
    login(admin)
    response = client.post("/admin/experts", data={"phone": "139 1111 2222"})
    assert response.status_code == 422
    assert "No member has this mobile number" in response.get_data(as_text=True)
    assert db.session.scalar(select(Expert)) is None


def test_ending_the_role_keeps_nothing_but_their_work(client, login, db, admin, expert):
    login(admin)
    response = client.post(f"/admin/experts/{expert.id}/revoke")
    assert response.status_code == 303
    assert db.session.get(Expert, expert.id) is None
    assert db.session.scalar(select(ExpertCommodity)) is None
    login(expert)
    assert client.get("/knowledge/queue").status_code == 403


def test_members_cannot_reach_the_expert_page(client, login, db, farmer):
    login(farmer)
    assert client.get("/admin/experts").status_code == 403
    other = make_member()
    assert client.post("/admin/experts", data={"phone": other.phone}).status_code == 403
    assert db.session.scalar(select(Expert)) is None
