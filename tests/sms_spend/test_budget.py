"""SMS spend is bounded (issue 23, SMS pumping): stations act for farmers only once an admin approved
them, every SMS a stranger or a station can cause counts against per-number, per-range, per-address,
per-station and site-wide budgets, foreign numbers get no SMS, many codes need a human check, and
the admins are alerted once per full window. app/sms_spend/budget.py owns the rule."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import create_app
from app.admin.models import AuditLog
from app.members.models import Member
from app.notify.models import Notification
from app.postings.models import Posting
from app.sms_spend import budget as sms_budget
from app.sms_spend.models import SmsBudgetAlert, SmsBudgetCounter
from config import TestingConfig
from tests.factories import make_member
from tests.members.helpers import signup_data
from tests.postings._helpers import form_data

QUESTION = re.compile(r"what is (\d+) plus (\d+)\?")
ZH = {"Accept-Language": "zh-CN"}


def _sms(db, event: str | None = None) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).where(Notification.channel == "sms").order_by(Notification.id)
    if event:
        query = query.where(Notification.event == event)
    return list(db.session.scalars(query))


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _forgot(client, phone: str, address: str = "10.9.0.1", **data):
    return client.post("/password/forgot", data={"identifier": phone, **data}, **_from(address))


def _station_post(client, farmer: str):
    return client.post("/station/postings/new", data=form_data(farmer_phone=farmer, farmer_name=""))


def _alerts(db) -> list[SmsBudgetAlert]:
    db.session.expire_all()
    return list(db.session.scalars(select(SmsBudgetAlert)))


@pytest.fixture
def no_resend_wait(app):
    app.config.update(CODE_RESEND_SECONDS=0, CODES_PER_NUMBER_PER_HOUR=100, CODES_PER_IP_PER_HOUR=100)


# --- approval ---------------------------------------------------------------------------------------


def test_a_station_that_signs_up_waits_for_an_admin_and_cannot_post_for_farmers(client, db):
    client.post("/signup", data=signup_data(phone="138 0013 8000", kinds=["station"]))
    station = db.session.scalar(select(Member).where(Member.phone == "+8613800138000"))
    assert station.is_station_operator and station.station_review == "pending"
    client.post("/login", data={"phone": "138 0013 8000", "password": signup_data()["password"]})
    assert client.get("/station/postings/new").status_code == 403
    assert _station_post(client, "139 1234 5678").status_code == 403
    assert _sms(db, "station_posting_confirm") == []
    assert db.session.scalar(select(func.count(Posting.id))) == 0
    assert "Post for a farmer" not in client.get("/").get_data(as_text=True)
    assert "waits for an admin's approval" in client.get("/account").get_data(as_text=True)


def test_admin_approves_a_station_in_the_queue_with_an_audit_row(client, db, login):
    station = make_member(
        display_name="Qiaotou Station", is_station_operator=True, station_review="pending", station_reviewed_at=None
    )
    admin = login(make_member(display_name="Admin", is_admin=True))
    page = client.get("/admin/stations").get_data(as_text=True)
    assert "Qiaotou Station" in page and "Waiting for a decision" in page
    assert "Qiaotou Station" in client.get("/admin/stations", headers=ZH).get_data(as_text=True)
    assert "等待" in client.get("/admin/stations", headers=ZH).get_data(as_text=True)
    refused = client.post(f"/admin/stations/{station.id}/approve", data={f"station{station.id}-reason": ""})
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    response = client.post(
        f"/admin/stations/{station.id}/approve", data={f"station{station.id}-reason": "Known to the county office"}
    )
    assert response.status_code == 303
    db.session.refresh(station)
    assert station.is_approved_station and station.station_reviewed_at is not None
    entry = db.session.scalars(select(AuditLog)).one()
    assert (entry.action, entry.actor_id, entry.member_id, entry.reason) == (
        "approve_station",
        admin.id,
        station.id,
        "Known to the county office",
    )
    assert "Approved an information station" in client.get("/admin/audit").get_data(as_text=True)
    login(station)
    assert _station_post(client, "139 1234 5678").status_code == 302
    assert len(_sms(db, "station_posting_confirm")) == 1


def test_admin_refuses_a_station_and_it_stays_unable_to_post(client, db, login):
    station = make_member(is_station_operator=True, station_review="pending", station_reviewed_at=None)
    login(make_member(is_admin=True))
    response = client.post(
        f"/admin/stations/{station.id}/refuse", data={f"station{station.id}-reason": "Nobody knows this station"}
    )
    assert response.status_code == 303
    again = client.post(f"/admin/stations/{station.id}/refuse", data={f"station{station.id}-reason": "again"})
    assert again.status_code == 409
    db.session.refresh(station)
    assert station.station_review == "refused" and not station.is_approved_station
    assert db.session.scalars(select(AuditLog.action)).all() == ["refuse_station"]
    login(station)
    assert _station_post(client, "139 1234 5678").status_code == 403


def test_the_station_pages_are_for_admins_only(client, login):
    station = make_member(is_station_operator=True, station_review="pending", station_reviewed_at=None)
    login(make_member())
    assert client.get("/admin/stations").status_code == 403
    assert (
        client.post(f"/admin/stations/{station.id}/approve", data={f"station{station.id}-reason": "me"}).status_code
        == 403
    )


# --- budgets ----------------------------------------------------------------------------------------


def test_per_station_budget_refuses_the_next_posting_with_429_and_writes_nothing(app, client, db, login):
    app.config.update(SMS_BUDGET_STATION_PER_HOUR=2)
    login(make_member(is_station_operator=True))
    assert [_station_post(client, f"139 1234 56{n:02d}").status_code for n in range(2)] == [302, 302]
    refused = _station_post(client, "139 1234 5699")
    assert refused.status_code == 429
    assert "Your information station has sent as many SMS as it may for now." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Posting.id))) == 2
    assert db.session.scalar(select(Member).where(Member.phone == "+8613912345699")) is None
    assert len(_sms(db, "station_posting_confirm")) == 2
    chinese = client.post(
        "/station/postings/new", data=form_data(farmer_phone="139 1234 5698", farmer_name=""), headers=ZH
    )
    assert chinese.status_code == 429 and "您的信息站目前发送的短信已达上限。" in chinese.get_data(as_text=True)


def test_per_station_daily_budget(app, client, db, login):
    app.config.update(SMS_BUDGET_STATION_PER_DAY=1)
    login(make_member(is_station_operator=True))
    assert _station_post(client, "139 1234 5601").status_code == 302
    assert _station_post(client, "139 1234 5602").status_code == 429
    assert [(alert.budget, alert.period) for alert in _alerts(db)] == [("station", "day")]


def test_per_number_budget_counts_codes_from_every_address(app, client, db, no_resend_wait):
    app.config.update(SMS_BUDGET_NUMBER_PER_HOUR=2)
    make_member(phone="+8613800138000")
    statuses = [_forgot(client, "138 0013 8000", f"10.9.1.{n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    page = _forgot(client, "138 0013 8000", "10.9.1.9").get_data(as_text=True)
    assert "Too many SMS were sent to this number. Please try again in an hour." in page
    assert len(_sms(db, "password_reset_code")) == 2


def test_per_number_budget_counts_a_strangers_number_alike(app, client, db, no_resend_wait):
    app.config.update(SMS_BUDGET_NUMBER_PER_HOUR=1)
    assert _forgot(client, "139 0013 9000", "10.9.2.1").status_code == 302
    assert _forgot(client, "139 0013 9000", "10.9.2.2").status_code == 429
    assert _sms(db) == []


def test_per_prefix_budget_covers_a_whole_number_range(app, client, db, no_resend_wait):
    app.config.update(SMS_BUDGET_PREFIX_PER_HOUR=2)
    for n in range(4):
        make_member(phone=f"+861391234{n:04d}")
    other_range = make_member(phone="+8613700137000")
    statuses = [_forgot(client, f"+861391234{n:04d}", f"10.9.3.{n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert _forgot(client, other_range.phone, "10.9.3.9").status_code == 302
    assert sms_budget.used("prefix", "+8613912", "hour") == 2


def test_per_address_budget(app, client, db, no_resend_wait):
    app.config.update(SMS_BUDGET_ADDRESS_PER_HOUR=2)
    for n in range(3):
        make_member(phone=f"+86138001380{n:02d}")
    statuses = [_forgot(client, f"+86138001380{n:02d}", "10.9.4.1").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert "Too many codes were asked for from your network." in _forgot(client, "+8613800138002", "10.9.4.1").get_data(
        as_text=True
    )


def test_site_wide_budget_refuses_sign_up_before_an_account_is_made(app, client, db):
    app.config.update(SMS_BUDGET_SITE_PER_HOUR=2)
    for n in range(2):
        response = client.post("/signup", data=signup_data(phone=f"138 0013 80{n:02d}"), **_from(f"10.9.5.{n}"))
        assert response.status_code == 302
    refused = client.post("/signup", data=signup_data(phone="138 0013 8099"), **_from("10.9.5.9"))
    assert refused.status_code == 429
    assert "Jishi has sent as many SMS as it may for now. Please try again in an hour." in refused.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Member).where(Member.phone == "+8613800138099")) is None
    assert len(_sms(db, "phone_code")) == 2
    # A new browser: the sign-ups above kept their chosen language in this one's session.
    chinese = app.test_client().post(
        "/signup", data=signup_data(phone="138 0013 8098"), headers=ZH, **_from("10.9.5.8")
    )
    assert chinese.status_code == 429 and "短信" in chinese.get_data(as_text=True)


def test_site_wide_daily_budget_covers_codes_and_station_sms_together(app, client, db, login, no_resend_wait):
    app.config.update(SMS_BUDGET_SITE_PER_DAY=2)
    make_member(phone="+8613800138000")
    assert _forgot(client, "138 0013 8000").status_code == 302
    login(make_member(is_station_operator=True))
    assert _station_post(client, "139 1234 5601").status_code == 302
    assert _station_post(client, "139 1234 5602").status_code == 429
    assert "Please try again tomorrow." in _station_post(client, "139 1234 5603").get_data(as_text=True)


# --- countries --------------------------------------------------------------------------------------


def test_foreign_numbers_get_no_sms_by_default(client, db, login):
    signup = client.post("/signup", data=signup_data(phone="+44 7911 123456"))
    assert signup.status_code == 422
    assert "Jishi can only send SMS to mobile numbers starting with +86." in signup.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Member.id))) == 0
    forgot = _forgot(client, "+371 2012 3456")
    assert forgot.status_code == 422 and "+86" in forgot.get_data(as_text=True)
    login(make_member(is_station_operator=True))
    station = _station_post(client, "+234 803 123 4567")
    assert station.status_code == 422 and "starting with +86" in station.get_data(as_text=True)
    assert _sms(db) == []
    with pytest.raises(sms_budget.DestinationRefused):
        sms_budget.spend(sms_budget.CODE, "+447911123456", address="10.0.0.1")


def test_allowed_countries_come_from_the_config(app, client, db):
    app.config.update(SMS_ALLOWED_COUNTRY_CODES="86,44")
    assert client.post("/signup", data=signup_data(phone="+44 7911 123456")).status_code == 302
    assert [row.address for row in _sms(db, "phone_code")] == ["+447911123456"]


# --- human check ------------------------------------------------------------------------------------


def _answer(page: str) -> str:
    first, second = QUESTION.search(page).groups()
    return str(int(first) + int(second))


def test_many_codes_from_one_address_need_a_human_check_that_works_once(app, client, db, no_resend_wait):
    app.config.update(SMS_HUMAN_CHECK_AFTER_PER_ADDRESS=2)
    for n in range(4):
        make_member(phone=f"+86138001380{n:02d}")
    assert [_forgot(client, f"+86138001380{n:02d}").status_code for n in range(2)] == [302, 302]
    asked = _forgot(client, "+8613800138002")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422 and "Please answer in digits" in page
    assert len(_sms(db)) == 2
    wrong = _forgot(client, "+8613800138002", human_answer="1000")
    assert wrong.status_code == 422 and "That answer is not right" in wrong.get_data(as_text=True)
    answer = _answer(wrong.get_data(as_text=True))
    solved_cookie = client.get_cookie("session").value
    assert _forgot(client, "+8613800138002", human_answer=answer).status_code == 302
    assert len(_sms(db)) == 3
    # The same solved question again, by replaying the session cookie: refused.
    client.set_cookie("session", solved_cookie)
    assert _forgot(client, "+8613800138003", human_answer=answer).status_code == 422
    assert len(_sms(db)) == 3
    chinese = client.post(
        "/password/forgot", data={"identifier": "+8613800138003"}, headers=ZH, **_from("10.9.0.1")
    ).get_data(as_text=True)
    assert "请" in chinese


def test_many_codes_to_one_number_range_need_a_human_check_on_sign_up(app, client, db):
    app.config.update(SMS_HUMAN_CHECK_AFTER_PER_PREFIX=1)
    assert client.post("/signup", data=signup_data(phone="139 1234 0001"), **_from("10.9.6.1")).status_code == 302
    asked = client.post("/signup", data=signup_data(phone="139 1234 0002"), **_from("10.9.6.2"))
    assert asked.status_code == 422 and "Please answer in digits" in asked.get_data(as_text=True)
    assert db.session.scalar(select(Member).where(Member.phone == "+8613912340002")) is None
    answered = client.post(
        "/signup",
        data=signup_data(phone="139 1234 0002", human_answer=_answer(asked.get_data(as_text=True))),
        **_from("10.9.6.2"),
    )
    assert answered.status_code == 302
    assert len(_sms(db, "phone_code")) == 2


def test_the_verify_page_asks_the_human_check_too(app, client, db, login, no_resend_wait):
    app.config.update(SMS_HUMAN_CHECK_AFTER_PER_ADDRESS=1)
    login(make_member(phone_verified_at=None))
    assert client.post("/account/phone/code").status_code == 302
    asked = client.post("/account/phone/code")
    assert asked.status_code == 422 and "Please answer in digits" in asked.get_data(as_text=True)
    answered = client.post("/account/phone/code", data={"human_answer": _answer(asked.get_data(as_text=True))})
    assert answered.status_code == 302
    assert len(_sms(db, "phone_code")) == 2


# --- admin alert ------------------------------------------------------------------------------------


def test_admins_are_alerted_once_per_budget_window_not_per_refusal(app, client, db, login, no_resend_wait):
    app.config.update(SMS_BUDGET_NUMBER_PER_HOUR=1)
    admins = [
        make_member(display_name="Admin one", is_admin=True, email="one@jishi.test"),
        make_member(display_name="Admin two", is_admin=True),
    ]
    make_member(phone="+8613800138000")
    assert _forgot(client, "138 0013 8000", "10.9.7.1").status_code == 302
    assert [_forgot(client, "138 0013 8000", f"10.9.7.{n}").status_code for n in range(2, 7)] == [429] * 5
    alerts = _alerts(db)
    assert [(alert.budget, alert.key, alert.period, alert.allowed) for alert in alerts] == [
        ("number", "+8613800138000", "hour", 1)
    ]
    db.session.expire_all()
    warnings = db.session.scalars(select(Notification).where(Notification.event == "sms_budget_reached")).all()
    assert sorted((row.member_id, row.channel) for row in warnings) == sorted(
        [(admins[0].id, "sms"), (admins[0].id, "email"), (admins[1].id, "sms")]
    )
    assert "+8613800138000" in next(row.body for row in warnings if row.channel == "email")
    login(admins[1])
    page = client.get("/admin/sms-budget").get_data(as_text=True)
    assert "+8613800138000" in page and "SMS to one number" in page
    assert "1 SMS budget alert today" in client.get("/admin").get_data(as_text=True)
    assert "短信" in client.get("/admin/sms-budget", headers=ZH).get_data(as_text=True)


# --- concurrency ------------------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.slow
def test_concurrent_code_requests_at_a_budget_of_k_send_exactly_k(app, db, database_url, tmp_path):
    racers, budget = 10, 4
    for n in range(racers):
        make_member(phone=f"+86138001380{n:02d}")
    race_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path / "race-uploads"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": racers, "max_overflow": 2, "pool_timeout": 60},
        SMS_BUDGET_SITE_PER_HOUR=budget,
        WTF_CSRF_ENABLED=False,
    )
    start = threading.Barrier(racers)

    def ask(number):
        client = race_app.test_client()
        start.wait(timeout=60)
        with race_app.app_context():
            return client.post(
                "/password/forgot",
                data={"identifier": f"+86138001380{number:02d}"},
                environ_base={"REMOTE_ADDR": f"10.8.0.{number}"},
            ).status_code

    try:
        with ThreadPoolExecutor(racers) as pool:
            statuses = list(pool.map(ask, range(racers)))
    finally:
        with race_app.app_context():
            from app.extensions import db as race_db

            race_db.engine.dispose()
    db.session.rollback()
    assert sorted(statuses) == [302] * budget + [429] * (racers - budget)
    assert len(_sms(db, "password_reset_code")) == budget
    assert (
        db.session.scalar(
            select(SmsBudgetCounter.count).where(SmsBudgetCounter.budget == "site", SmsBudgetCounter.period == "hour")
        )
        == budget
    )
    assert len(_alerts(db)) == 1


def test_old_counters_are_pruned_by_the_cli(app, db):
    from datetime import timedelta

    from app.core.clock import utcnow

    sms_budget.spend(sms_budget.CODE, "+8613800138000", address="10.0.0.1", now=utcnow() - timedelta(days=5))
    sms_budget.spend(sms_budget.CODE, "+8613800138000", address="10.0.0.1")
    db.session.commit()
    # address, number, prefix and site, each per hour and per day
    assert db.session.scalar(select(func.count(SmsBudgetCounter.id))) == 16
    result = app.test_cli_runner().invoke(args=["notify", "prune-sms-budget"])
    assert result.exit_code == 0 and "removed 8 SMS-budget counters" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(SmsBudgetCounter.id))) == 8
    assert sms_budget.used("site", "*", "hour") == 1
