"""A NUL character that gets past a form's own checks is refused with a 400 (PostgreSQL cannot store
one in text), the transaction is rolled back, and nothing is saved — never a 500. The bad-input
corpus found such a field (the market report's name) on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.members.models import Member
from tests.factories import make_member


@pytest.mark.postgres_only
def test_a_nul_character_reaching_postgresql_is_a_400_and_saves_nothing(app, client, db):
    member = make_member(display_name="Before")

    def rename():
        member_row = db.session.get(Member, member.id)
        member_row.display_name = "After\x00"
        db.session.commit()
        return "renamed"

    app.add_url_rule("/test-only/rename", "test_only_rename", rename, methods=["GET"])
    response = client.get("/test-only/rename")
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Member.display_name).where(Member.id == member.id)) == "Before"
    assert db.session.scalar(select(func.count()).select_from(Member)) == 1


def test_the_market_report_form_names_the_bad_character(client, db, login):
    login(make_member(is_station_operator=True))
    response = client.post("/prices/report", data={"market_name": "javascript:alert(1)\x00", "price": "2.00"})
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.get_data(as_text=True)
