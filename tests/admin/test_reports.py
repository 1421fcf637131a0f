"""Reports: any signed-in member reports a posting, a storefront or a member; the report reaches the
admins' queue with the item in context; the decision is recorded and the reporter is told."""

from __future__ import annotations

from sqlalchemy import select

from app.admin.models import Report
from app.extensions import db
from app.notify.models import Notification
from tests.admin.helpers import audit_rows, count
from tests.factories import make_member


def _report(client, path, reason="fraud", details="Asked me to pay a deposit to a personal card."):
    return client.post(path, data={"reason": reason, "details": details})


def test_a_member_reports_a_posting_and_it_reaches_the_queue_in_context(client, login, buyer, admin, sell_offer):
    login(buyer)
    form = client.get(f"/p/{sell_offer.id}/report")
    assert form.status_code == 200 and "Fake or not as described produce" in form.get_data(as_text=True)
    response = _report(client, f"/p/{sell_offer.id}/report", reason="fake_produce", details="Rice is last year's.")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/p/{sell_offer.id}")
    report = db.session.scalars(select(Report)).one()
    assert (report.target_kind, report.posting_id, report.member_id, report.status) == (
        "posting",
        sell_offer.id,
        sell_offer.owner_id,
        "open",
    )

    login(admin)
    queue = client.get("/admin/reports").get_data(as_text=True)
    assert f"#{report.id}" in queue and "Fake or not as described produce" in queue
    page = client.get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert "Fragrant rice, new crop" in page and "Farmer Wang" in page and "Rice is last year&#39;s." in page
    assert "Buyer Li" in page


def test_storefronts_and_members_can_be_reported_too(client, login, buyer, seller):
    login(buyer)
    assert _report(client, "/s/wang-farm/report", reason="wrong_price").status_code == 303
    assert (
        _report(client, f"/members/{seller.id}/report", reason="abusive", details="Insults in messages").status_code
        == 303
    )
    kinds = sorted((r.target_kind, r.member_id) for r in db.session.scalars(select(Report)))
    assert kinds == [("member", seller.id), ("storefront", seller.id)]
    page = client.get("/account/reports").get_data(as_text=True)
    assert "Wrong or misleading price" in page and "Abusive behaviour" in page and "Open" in page


def test_bad_reports_are_refused_with_a_message_and_nothing_is_stored(client, login, buyer, seller, sell_offer):
    login(buyer)
    cases = [
        ({"reason": "", "details": ""}, 422, "Choose a reason"),
        ({"reason": "spam", "details": ""}, 422, "Not a valid choice"),
        ({"reason": "other", "details": ""}, 422, "Tell us what is wrong"),
        ({"reason": "fraud", "details": "x" * 2001}, 422, "2000"),
        ({"reason": "fraud", "details": "bad\x00byte"}, 422, "control characters"),
    ]
    for data, status, message in cases:
        response = client.post(f"/p/{sell_offer.id}/report", data=data)
        assert response.status_code == status, data
        assert message in response.get_data(as_text=True), data
    assert client.post("/p/999999/report", data={"reason": "fraud"}).status_code == 404
    assert client.post("/s/no-such-shop/report", data={"reason": "fraud"}).status_code == 404
    assert client.post("/members/999999/report", data={"reason": "fraud"}).status_code == 404
    assert count(Report) == 0


def test_members_cannot_report_themselves_or_the_same_thing_twice_while_open(client, login, buyer, seller, sell_offer):
    login(seller)
    assert _report(client, f"/p/{sell_offer.id}/report").status_code == 409
    login(buyer)
    assert _report(client, f"/p/{sell_offer.id}/report").status_code == 303
    again = _report(client, f"/p/{sell_offer.id}/report")
    assert again.status_code == 409 and "already reported" in again.get_data(as_text=True)
    assert count(Report) == 1


def test_visitors_must_log_in_and_hidden_postings_cannot_be_reported(client, login, buyer, admin, sell_offer):
    response = client.post(f"/p/{sell_offer.id}/report", data={"reason": "fraud"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(admin)
    client.post(f"/admin/postings/{sell_offer.id}/hide", data={"posting-reason": "Fake photos"})
    login(buyer)
    assert client.get(f"/p/{sell_offer.id}/report").status_code == 404
    assert count(Report) == 0


def test_upholding_a_report_hides_the_posting_records_it_and_tells_the_reporter(
    client, login, buyer, admin, sell_offer
):
    buyer.email = "li@example.com"
    db.session.commit()
    login(buyer)
    _report(client, f"/p/{sell_offer.id}/report")
    report = db.session.scalars(select(Report)).one()
    login(admin)
    response = client.post(
        f"/admin/reports/{report.id}/decide",
        data={"decision": "hide_posting", "reason": "Seller could not show the goods", "length": "days", "days": "7"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert report.status == "actioned" and report.resolved_by_id == admin.id
    assert sell_offer.status == "hidden"
    assert [(row.action, row.report_id) for row in audit_rows()] == [
        ("hide_posting", report.id),
        ("resolve_report", report.id),
    ]
    told = list(db.session.scalars(select(Notification).where(Notification.member_id == buyer.id)))
    assert {n.channel for n in told} == {"sms", "email"}
    assert all(n.event == "report_outcome" for n in told)
    sms = next(n for n in told if n.channel == "sms")
    assert f"#{report.id}" in sms.body and "took action" in sms.body
    email = next(n for n in told if n.channel == "email")
    assert "Seller could not show the goods" in email.body
    assert f"#{report.id}" in client.get("/admin/reports?status=actioned").get_data(as_text=True)
    assert f"#{report.id}" not in client.get("/admin/reports").get_data(as_text=True)
    login(buyer)
    assert "Seller could not show the goods" in client.get("/account/reports").get_data(as_text=True)


def test_a_report_can_suspend_the_member_or_be_dismissed_and_the_reporter_hears_in_their_language(
    client, login, buyer, stranger, admin, seller
):
    buyer.locale = "zh_Hans"
    db.session.commit()
    login(buyer)
    _report(client, f"/members/{seller.id}/report")
    login(stranger)
    _report(client, "/s/wang-farm/report", reason="other", details="Just don't like them")
    first, second = db.session.scalars(select(Report).order_by(Report.id)).all()
    login(admin)
    assert (
        client.post(
            f"/admin/reports/{first.id}/decide",
            data={"decision": "suspend", "length": "days", "days": "30", "reason": "Card scam confirmed"},
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/admin/reports/{second.id}/decide", data={"decision": "dismiss", "reason": "No rule broken"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert seller.is_suspended() and (first.status, second.status) == ("actioned", "dismissed")
    assert [row.action for row in audit_rows()] == ["suspend", "resolve_report", "dismiss_report"]
    zh_sms = db.session.scalars(
        select(Notification).where(Notification.member_id == buyer.id, Notification.channel == "sms")
    ).one()
    # Rendered in the reporter's language (the text itself comes with the merged translations).
    assert zh_sms.locale == "zh_Hans" and f"#{first.id}" in zh_sms.body
    stranger_sms = db.session.scalars(select(Notification).where(Notification.member_id == stranger.id)).one()
    assert "no rule broken" in stranger_sms.body


def test_decisions_reject_bad_input_and_cannot_be_taken_twice(client, login, buyer, admin, seller, sell_offer):
    login(buyer)
    _report(client, f"/members/{seller.id}/report")
    report = db.session.scalars(select(Report)).one()
    login(admin)
    for data, message in [
        ({"decision": "ban", "reason": "x"}, "Not a valid choice"),
        ({"decision": "dismiss", "reason": ""}, "Give a reason"),
        ({"decision": "suspend", "length": "days", "days": "", "reason": "x"}, "Give the number of days"),
    ]:
        response = client.post(f"/admin/reports/{report.id}/decide", data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    # A member report has no posting to hide.
    assert (
        client.post(f"/admin/reports/{report.id}/decide", data={"decision": "hide_posting", "reason": "x"}).status_code
        == 409
    )
    assert (
        client.post(
            f"/admin/reports/{report.id}/decide", data={"decision": "uphold", "reason": "Warned by phone"}
        ).status_code
        == 303
    )
    again = client.post(f"/admin/reports/{report.id}/decide", data={"decision": "dismiss", "reason": "x"})
    assert again.status_code == 409 and "already been decided" in again.get_data(as_text=True)
    assert client.post("/admin/reports/999999/decide", data={"decision": "dismiss", "reason": "x"}).status_code == 404
    assert [row.action for row in audit_rows()] == ["resolve_report"]
    assert count(Notification, Notification.member_id == buyer.id) >= 1


def test_report_filing_is_rate_limited(client, login, seller):
    reporter = login(make_member(display_name="Angry"))
    shops = []
    for n in range(11):
        owner = make_member(display_name=f"Shop {n}")
        shops.append(owner)
    statuses = [_report(client, f"/members/{owner.id}/report").status_code for owner in shops]
    assert statuses[:10] == [303] * 10 and statuses[10] == 429
    assert count(Report, Report.reporter_id == reporter.id) == 10
