"""The audit log: a row for every admin action (who, when, what, why), filters and a CSV export; no
route can change or delete a row, and the database itself refuses UPDATE and DELETE."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.admin.models import AuditAction
from app.core.clock import utcnow
from app.extensions import db
from tests.admin.helpers import audit_rows, suspend
from tests.factories import make_member


def _every_action(client, login, admin, seller, sell_offer, buyer):
    """Take each action an admin can take through the site once."""
    login(admin)
    steps = [
        (f"/admin/postings/{sell_offer.id}/hide", {"posting-reason": '=HYPERLINK("http://evil")'}),
        (f"/admin/postings/{sell_offer.id}/unhide", {"posting-reason": "Seller fixed the photos"}),
        (f"/admin/members/{seller.id}/suspend", {"length": "days", "days": "3", "reason": "Fake invoices, 假发票"}),
        (f"/admin/members/{seller.id}/restore", {"restore-reason": "Appeal accepted"}),
        (f"/admin/members/{seller.id}/revoke-verification", {"revoke-reason": "Licence expired"}),
        (
            "/admin/help/payment/en",
            {"title": "How payment works", "body": "Pay on the order page.", "reason": "Shorter"},
        ),
    ]
    for path, data in steps:
        response = client.post(path, data=data)
        assert response.status_code == 303, (path, response.status_code, response.get_data(as_text=True)[:300])
    login(buyer)
    client.post(f"/members/{seller.id}/report", data={"reason": "fraud", "details": "Card scam"})
    from app.admin.models import Report

    report = db.session.query(Report).one()
    login(admin)
    assert (
        client.post(
            f"/admin/reports/{report.id}/decide", data={"decision": "dismiss", "reason": "No proof"}
        ).status_code
        == 303
    )


def test_every_admin_action_leaves_one_row_with_who_what_and_why(client, login, admin, seller, sell_offer, buyer):
    before = utcnow()
    _every_action(client, login, admin, seller, sell_offer, buyer)
    rows = audit_rows()
    assert [row.action for row in rows] == [
        "hide_posting",
        "unhide_posting",
        "suspend",
        "restore",
        "revoke_verification",
        "edit_help",
        "dismiss_report",
    ]
    assert all(row.actor_id == admin.id and row.reason for row in rows)
    assert all(row.created_at.replace(tzinfo=before.tzinfo) >= before.replace(microsecond=0) for row in rows)
    assert {row.member_id for row in rows if row.action != "edit_help"} == {seller.id}
    assert rows[5].detail == "payment/en"

    page = client.get(f"/admin/members/{seller.id}").get_data(as_text=True)
    for reason in ("Seller fixed the photos", "Fake invoices, 假发票", "Appeal accepted", "Licence expired"):
        assert reason in page


def test_the_audit_page_filters_by_action_actor_member_and_dates(client, login, admin, seller, sell_offer, buyer):
    _every_action(client, login, admin, seller, sell_offer, buyer)
    other_admin = make_member(display_name="Admin Ma", is_admin=True)
    suspend(client, login, other_admin, buyer, reason="Spam offers")
    login(admin)
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert "8 entries" in everything
    only_suspensions = client.get("/admin/audit?action=suspend").get_data(as_text=True)
    assert "2 entries" in only_suspensions and "Spam offers" in only_suspensions
    by_actor = client.get("/admin/audit?actor=Admin+Ma").get_data(as_text=True)
    assert "1 entry" in by_actor and "Spam offers" in by_actor
    by_member = client.get(f"/admin/audit?member={buyer.id}").get_data(as_text=True)
    assert "1 entry" in by_member
    today = utcnow().date().isoformat()
    assert "8 entries" in client.get(f"/admin/audit?since={today}&until={today}").get_data(as_text=True)
    assert "0 entries" in client.get("/admin/audit?until=2000-01-01").get_data(as_text=True)
    # Garbage filters are ignored, never a 500.
    garbage = client.get("/admin/audit?action=drop+table&since=yesterday&member=abc&actor=%25%27%22")
    assert garbage.status_code == 200


def test_the_csv_export_is_excel_safe_and_follows_the_filters(client, login, admin, seller, sell_offer, buyer):
    _every_action(client, login, admin, seller, sell_offer, buyer)
    response = client.get("/admin/audit.csv?action=hide_posting")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and "hide_posting" in lines[1] and "Admin Chen" in lines[1]
    # A reason that looks like a formula is written as text.
    assert "'=HYPERLINK" in lines[1]
    everything = client.get("/admin/audit.csv").get_data().decode("utf-8")
    assert "假发票" in everything and len(everything.strip().splitlines()) == 8


def test_no_route_can_change_or_delete_an_audit_row(app, client, login, admin, seller, sell_offer, buyer):
    _every_action(client, login, admin, seller, sell_offer, buyer)
    rows_before = [(row.id, row.action, row.reason) for row in audit_rows()]
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert audit_rules and all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in audit_rules)
    login(admin)
    row_id = rows_before[0][0]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in ("/admin/audit", f"/admin/audit/{row_id}", "/admin/audit.csv"):
            response = client.open(path, method=method, data={"csrf_token": client.csrf_token(), "reason": "x"})
            assert response.status_code in (404, 405), (method, path, response.status_code)
    db.session.expire_all()
    assert [(row.id, row.action, row.reason) for row in audit_rows()] == rows_before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET reason = 'nothing happened'",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(client, login, admin, buyer, statement):
    suspend(client, login, admin, buyer)
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    rows = audit_rows()
    assert len(rows) == 1 and rows[0].reason == "Sold mouldy maize to three buyers"


def test_action_names_in_the_model_and_the_labels_agree(app):
    from app.admin.routes import action_label

    with app.test_request_context():
        assert all(action_label(action.value) != action.value for action in AuditAction)
