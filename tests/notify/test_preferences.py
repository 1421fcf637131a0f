"""/account/notifications: a signed-in member ticks what they get by SMS and e-mail; defaults show
when nothing was saved; account messages cannot be switched off; forged choices are refused; the
registry knows the category of every event the handlers send."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.notify import handlers, preferences
from app.notify.models import NotificationPreference
from tests.factories import make_member

URL = "/account/notifications"


@pytest.fixture
def member(db):
    return make_member(email="choosy@example.com")


def stored(db, member) -> dict[tuple[str, str], bool]:
    db.session.commit()
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.member_id == member.id))
    return {(row.category, row.channel): row.enabled for row in rows}


def test_page_needs_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_page_shows_defaults_with_forum_sms_off_and_account_locked(client, login, member):
    login(member)
    page = client.get(URL).get_data(as_text=True)
    assert "Offers and orders" in page and "Forum" in page and "Account and security" in page
    assert 'value="trade:sms" checked' in page and 'value="forum:email" checked' in page
    assert 'value="forum:sms">' in page  # forum SMS start switched off
    assert 'value="account:' not in page and "checked disabled" in page


def test_saving_switches_channels_off_and_on(client, login, member, db):
    login(member)
    response = client.post(URL, data={"enabled": ["trade:email", "payments:sms", "forum:sms"]})
    assert response.status_code == 303 and response.headers["Location"].endswith(URL)

    choices = stored(db, member)
    assert choices[("trade", "email")] and not choices[("trade", "sms")]
    assert choices[("payments", "sms")] and not choices[("payments", "email")]
    assert choices[("forum", "sms")] and not choices[("market", "sms")]
    assert ("account", "sms") not in choices
    page = client.get(URL).get_data(as_text=True)
    assert "Your notification choices were saved." in page
    assert 'value="trade:sms">' in page and 'value="trade:email" checked' in page

    client.post(URL, data={"enabled": ["trade:sms"]})
    assert stored(db, member)[("trade", "sms")] and not stored(db, member)[("trade", "email")]
    assert preferences.wanted_channels(member.id, "offer_made", ("sms", "email")) == ("sms",)


def test_unticking_everything_keeps_account_messages(client, login, member, db):
    login(member)
    assert client.post(URL, data={}).status_code == 303
    assert not any(stored(db, member).values())
    assert preferences.wanted_channels(member.id, "order_paid", ("sms", "email")) == ()
    assert preferences.wanted_channels(member.id, "station_posting_confirm", ("sms", "email")) == ("sms", "email")


@pytest.mark.parametrize("forged", ["account:sms", "trade:fax", "nonsense", "trade:sms:x", ""])
def test_forged_choices_are_refused_and_nothing_is_saved(client, login, member, db, forged):
    login(member)
    response = client.post(URL, data={"enabled": ["trade:email", forged]})
    assert response.status_code == 422
    assert "Choose from the listed notifications only." in response.get_data(as_text=True)
    assert stored(db, member) == {}


def test_post_without_csrf_token_is_refused(client, login, member, db):
    login(member)
    response = client.post(URL, data={"enabled": ["trade:email"]}, csrf=False)
    assert response.status_code == 400
    assert stored(db, member) == {}


def test_account_page_links_to_the_preferences(client, login, member):
    login(member)
    assert URL in client.get("/account").get_data(as_text=True)


def test_chinese_page(client, login, member):
    login(member)
    response = client.get(URL, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200


def test_every_event_the_handlers_send_has_a_category():
    events = {
        "offer_made",
        "offer_countered",
        "offer_accepted",
        "offer_declined",
        "offer_withdrawn",
        "offer_expired",
        "order_placed",
        "dispute_resolved",
        "partial_acceptance_agreed",
        *handlers.ORDER_STEP_EVENTS,
    }
    assert events <= set(preferences.EVENT_CATEGORIES)
    assert set(preferences.EVENT_CATEGORIES.values()) <= set(preferences.CATEGORIES)


def test_register_event_adds_and_refuses_conflicts(monkeypatch):
    monkeypatch.setattr(preferences, "EVENT_CATEGORIES", dict(preferences.EVENT_CATEGORIES))
    preferences.register_event("forum_reply", "forum")
    preferences.register_event("forum_reply", "forum")  # importing twice is harmless
    assert preferences.category_of("forum_reply").name == "forum"
    with pytest.raises(ValueError, match="already"):
        preferences.register_event("forum_reply", "market")
    with pytest.raises(ValueError, match="unknown notification category"):
        preferences.register_event("x", "gossip")
    assert preferences.category_of("never_registered") is None


def test_save_choices_refuses_unknown_pairs(db, member):
    with pytest.raises(ValueError):
        preferences.save_choices(member.id, {("gossip", "sms")})
