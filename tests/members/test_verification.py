"""Trusted members: requests, the admin queue, recorded decisions and private documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.members.models import VerificationRequest
from tests.factories import make_member
from tests.members.helpers import png_upload, text_of, text_upload


def _request(client, licence="91410100MA44XYZ123", document=None, note="", legal_name="周口刘家庄果粮合作社"):
    data = {"legal_name": legal_name, "licence_number": licence, "note": note}
    if document is not None:
        data["document"] = document
    return client.post("/account/verification", data=data, content_type="multipart/form-data")


def _pending(member, db, licence="91410100MA44XYZ123", document_filename=None) -> VerificationRequest:
    request = VerificationRequest(
        member_id=member.id, licence_number=licence, status="pending", document_filename=document_filename, note=""
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_member_requests_verification_with_a_private_document(app, client, db, login):
    member = make_member()
    login(member)

    response = _request(client, document=png_upload(), note="Co-op licence, page 1")

    assert response.status_code == 302 and response.location == "/account/verification"
    request = db.session.scalar(select(VerificationRequest))
    assert (request.member_id, request.status, request.licence_number, request.note) == (
        member.id,
        "pending",
        "91410100MA44XYZ123",
        "Co-op licence, page 1",
    )
    page = text_of(client.get("/account/verification"))
    assert "Thank you. An admin will review your request." in page
    assert "waiting for review" in page
    private_dir = Path(app.config["UPLOAD_DIR"]) / "private"
    assert (private_dir / request.document_filename).is_file()
    # Never reachable through the public media route.
    assert client.get(f"/media/{request.document_filename}").status_code == 404
    assert client.get(f"/media/private/{request.document_filename}").status_code == 404


def test_verification_page_shows_status_and_history(client, db, login):
    member = make_member()
    login(member)
    db.session.add(
        VerificationRequest(
            member_id=member.id,
            licence_number="OLD-1234",
            status="rejected",
            decision_reason="Photo unreadable",
            note="",
        )
    )
    db.session.commit()

    body = text_of(client.get("/account/verification"))

    assert "OLD-1234" in body and "Rejected" in body and "Photo unreadable" in body
    assert 'name="licence_number"' in body  # may ask again after a rejection


def test_second_request_while_one_is_pending_is_refused(client, db, login):
    member = make_member()
    login(member)
    _request(client)

    page = client.get("/account/verification")
    second = _request(client, licence="ANOTHER-9999")

    assert 'name="licence_number"' not in text_of(page)
    assert second.status_code == 409
    assert "You already have a request waiting for review." in text_of(second)
    assert db.session.scalar(select(func.count(VerificationRequest.id))) == 1


def test_verification_request_refuses_bad_input(app, client, db, login):
    login(make_member())

    not_image = _request(client, document=text_upload())
    empty = _request(client, licence="")
    nul = _request(client, licence="1234\x005678")
    huge = _request(client, licence="9" * 5000)

    assert [r.status_code for r in (not_image, empty, nul, huge)] == [422] * 4
    assert "not a readable image" in text_of(not_image)
    assert "Enter the number." in text_of(empty)
    assert "control characters" in text_of(nul)
    assert "between 4 and 60 characters" in text_of(huge)
    assert db.session.scalar(select(func.count(VerificationRequest.id))) == 0
    assert not any((Path(app.config["UPLOAD_DIR"]) / "private").glob("*"))


def test_admin_queue_lists_pending_requests_with_member_details(client, db, login):
    applicant = make_member(display_name="Henan Maize Co-op", phone="+8613700137000")
    _pending(applicant, db, licence="LIC-777")
    login(make_member(is_admin=True, display_name="Admin"))

    body = text_of(client.get("/admin/verifications"))

    assert "Henan Maize Co-op" in body and "+8613700137000" in body and "LIC-777" in body
    assert "Approve" in body and "Reject" in body


def test_admin_approval_makes_the_member_trusted_and_is_recorded(client, db, login):
    applicant = make_member(display_name="Henan Maize Co-op")
    request = _pending(applicant, db)
    admin = login(make_member(is_admin=True, display_name="Admin Liu"))

    response = client.post(
        f"/admin/verifications/{request.id}", data={"decision": "approve", "reason": "Licence checked"}
    )

    assert response.status_code == 302 and response.location == "/admin/verifications"
    db.session.refresh(request)
    db.session.refresh(applicant)
    assert request.status == "approved"
    assert request.decided_by_id == admin.id and request.decided_at is not None
    assert request.decision_reason == "Licence checked"
    assert applicant.verified_at is not None
    queue = text_of(client.get("/admin/verifications"))
    assert "Henan Maize Co-op is now a trusted member." in queue
    assert "Admin Liu" in queue  # the audit trail shows who decided


def test_admin_rejection_needs_a_reason(client, db, login):
    applicant = make_member()
    request = _pending(applicant, db)
    login(make_member(is_admin=True))

    response = client.post(f"/admin/verifications/{request.id}", data={"decision": "reject", "reason": "  "})

    assert response.status_code == 422
    assert "Say why the request is rejected" in text_of(response)
    db.session.refresh(request)
    assert request.status == "pending" and request.decided_at is None


def test_admin_rejection_is_recorded_and_shown_to_the_member(app, client, db, login):
    applicant = make_member()
    request = _pending(applicant, db)
    admin = login(make_member(is_admin=True))

    client.post(
        f"/admin/verifications/{request.id}",
        data={"decision": "reject", "reason": "The licence number does not match the photo."},
    )

    db.session.refresh(request)
    db.session.refresh(applicant)
    assert (request.status, request.decided_by_id, request.decision_reason) == (
        "rejected",
        admin.id,
        "The licence number does not match the photo.",
    )
    assert applicant.verified_at is None
    member_browser = app.test_client()
    login(applicant, member_browser)
    assert "does not match the photo" in text_of(member_browser.get("/account/verification"))


def test_decision_with_htmx_returns_only_the_updated_entry(client, db, login):
    request = _pending(make_member(display_name="Fragment Farm"), db)
    login(make_member(is_admin=True))

    response = client.post(
        f"/admin/verifications/{request.id}", data={"decision": "approve", "reason": ""}, headers={"HX-Request": "true"}
    )

    body = text_of(response)
    assert response.status_code == 200
    assert "<html" not in body and f'id="verification-{request.id}"' in body and "Approved" in body
    assert "HX-Request" in response.headers.get("Vary", "")


def test_decision_with_htmx_shows_errors_in_place(client, db, login):
    request = _pending(make_member(), db)
    login(make_member(is_admin=True))

    response = client.post(
        f"/admin/verifications/{request.id}", data={"decision": "reject", "reason": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "<html" not in text_of(response) and "Say why the request is rejected" in text_of(response)


def test_a_request_cannot_be_decided_twice(client, db, login):
    request = _pending(make_member(), db)
    login(make_member(is_admin=True))
    client.post(f"/admin/verifications/{request.id}", data={"decision": "approve", "reason": ""})

    again = client.post(f"/admin/verifications/{request.id}", data={"decision": "reject", "reason": "Changed my mind"})

    assert again.status_code == 409
    db.session.refresh(request)
    assert request.status == "approved"


def test_admin_cannot_decide_on_their_own_request(client, db, login):
    admin = login(make_member(is_admin=True))
    request = _pending(admin, db)

    response = client.post(f"/admin/verifications/{request.id}", data={"decision": "approve", "reason": ""})

    assert response.status_code == 403
    db.session.refresh(admin)
    assert admin.verified_at is None


def test_unknown_request_is_404_and_bad_decision_is_422(client, db, login):
    request = _pending(make_member(), db)
    login(make_member(is_admin=True))

    assert client.post("/admin/verifications/999999", data={"decision": "approve"}).status_code == 404
    assert client.post("/admin/verifications/99999999999999999999", data={"decision": "approve"}).status_code == 404
    assert client.get("/admin/verifications/2147483648/document").status_code == 404
    assert client.post(f"/admin/verifications/{request.id}", data={"decision": "promote-to-admin"}).status_code == 422


def test_admin_sees_the_private_document_and_nobody_caches_it(client, db, login):
    applicant = make_member()
    login(applicant)
    _request(client, document=png_upload())
    request = db.session.scalar(select(VerificationRequest))
    client.post("/logout")
    login(make_member(is_admin=True))

    full = client.get(f"/admin/verifications/{request.id}/document")
    thumb = client.get(f"/admin/verifications/{request.id}/document?size=thumb")

    assert full.status_code == 200 and full.mimetype == "image/png"
    assert "no-store" in full.headers["Cache-Control"]
    assert thumb.status_code == 200


@pytest.mark.parametrize("path", ["/admin/verifications", "/admin/verifications/{id}/document"])
def test_non_admin_gets_403_on_admin_pages(client, db, login, path):
    applicant = make_member()
    request = _pending(applicant, db, document_filename="missing.png")
    login(make_member(is_admin=False))

    assert client.get(path.format(id=request.id)).status_code == 403


def test_non_admin_cannot_decide(client, db, login):
    applicant = make_member()
    request = _pending(applicant, db)
    login(applicant)

    response = client.post(f"/admin/verifications/{request.id}", data={"decision": "approve", "reason": ""})

    assert response.status_code == 403
    db.session.refresh(applicant)
    assert applicant.verified_at is None


def test_visitors_are_sent_to_login_from_admin_pages(client, db):
    request = _pending(make_member(), db)

    assert client.get("/admin/verifications").status_code == 302
    assert client.get(f"/admin/verifications/{request.id}/document").status_code == 302
    assert client.post(f"/admin/verifications/{request.id}", data={"decision": "approve"}).status_code == 302


def test_decision_without_csrf_token_is_refused(client, db, login):
    request = _pending(make_member(), db)
    login(make_member(is_admin=True))

    response = client.post(f"/admin/verifications/{request.id}", data={"decision": "approve"}, csrf=False)

    assert response.status_code == 400
    db.session.refresh(request)
    assert request.status == "pending"
