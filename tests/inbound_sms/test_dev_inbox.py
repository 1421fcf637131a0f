"""The development SMS inbox's "reply as this phone" form runs the same commands as /sms/inbound."""

from __future__ import annotations

from sqlalchemy import select

from app.inbound_sms.models import InboundSms
from app.postings.models import Posting
from tests.factories import make_member


def test_admin_replies_as_a_phone_and_sees_the_answer(client, login, db, admin, seller):
    login(admin)
    page = client.get("/dev/sms").get_data(as_text=True)
    assert 'action="/dev/sms/reply"' in page and 'name="csrf_token"' in page
    response = client.post("/dev/sms/reply", data={"phone": seller.phone, "body": "SELL maize 5t 2100"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/dev/sms?phone=%2B{seller.phone[1:]}")
    posting = db.session.scalars(select(Posting)).one()
    assert posting.owner_id == seller.id and posting.status == "draft"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Reply to {seller.phone}: Draft {posting.id}: 5 t maize" in page
    assert f'value="{seller.phone}"' in page  # the form keeps the phone for the next message
    row = db.session.scalars(select(InboundSms)).one()
    assert row.message_sid is None and row.command == "sell"


def test_reply_form_needs_csrf(client, login, db, admin):
    login(admin)
    response = client.post("/dev/sms/reply", data={"phone": "+8613912340001", "body": "HELP"}, csrf=False)
    assert response.status_code == 400
    assert db.session.scalars(select(InboundSms)).all() == []


def test_reply_form_refuses_garbage_with_a_message(client, login, db, admin):
    login(admin)
    for data in ({"phone": "not a phone", "body": "HELP"}, {"phone": "+8613912340001", "body": "  "}, {}):
        response = client.post("/dev/sms/reply", data=data)
        assert response.status_code == 400
        assert "Enter a mobile number and a message." in response.get_data(as_text=True)
    assert db.session.scalars(select(InboundSms)).all() == []


def test_members_cannot_reply_as_a_phone_unless_debug(app, client, login, db, seller):
    login(make_member())
    response = client.post("/dev/sms/reply", data={"phone": seller.phone, "body": "SELL maize 5t 2100"})
    assert response.status_code == 403
    assert db.session.scalars(select(Posting)).all() == []
    client.post("/logout")
    assert client.post("/dev/sms/reply", data={"phone": seller.phone, "body": "HELP"}).status_code in (302, 401)
