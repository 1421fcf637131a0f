"""The SMS budget: the one place that decides whether a stranger may make us send another SMS.

Every outbound SMS that an unauthenticated or newly registered party can cause — sign-up and
verification codes, password-reset codes, an info-station's "post for a farmer" confirmation —
calls ``spend`` before its outbox row is written (issue 23: SMS pumping). ``spend``

* refuses a number outside SMS_ALLOWED_COUNTRY_CODES (``DestinationRefused``, 422);
* counts one SMS against every budget the send falls under — the number, its prefix (the first
  SMS_BUDGET_PREFIX_DIGITS digits of the E.164 form), the client address (codes only), the station
  (station confirmations only) and the whole site — per clock hour (UTC) and per local day
  (NOTIFY_TIMEZONE), and refuses with ``BudgetExceeded`` (429) when any of them is full.

Counting is one ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < limit
RETURNING count`` per budget, inside a savepoint: the database row lock makes concurrent requests
of every gunicorn worker and host agree, and a refusal by one budget gives back what the others
had just counted. The counters commit (or roll back) with the caller's transaction, so an SMS that
is never written is never counted.

A refusal alerts the admins once per budget window: a row in ``sms_budget_alert`` (unique per
budget, key and window) and the ``budget_reached`` signal, on which app.notify writes an e-mail/SMS
to every admin to its outbox. Both are in the caller's session: **the caller commits after a
refusal** before it answers.

``human_check_needed`` tells the code forms when an address or a number prefix has asked for
SMS_HUMAN_CHECK_AFTER_PER_ADDRESS / _PER_PREFIX codes this hour; app/sms_spend/human_check.py then
asks a question before the next code (app/sms_spend/human_check.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import phonenumbers
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.clock import local_day_start, utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.sms_spend.models import SmsBudgetAlert, SmsBudgetCounter
from app.sms_spend.signals import SENDER, budget_reached

# What caused the SMS: decides which budgets it counts against.
CODE = "code"  # sign-up / verification and password-reset codes: asked for by anyone
STATION = "station"  # an info-station's confirmation SMS to a farmer

# Budget names, in the order they are counted (always the same order, so that two requests never
# wait for each other's counter rows in opposite orders).
ADDRESS, STATION_BUDGET, NUMBER, PREFIX, SITE = "address", "station", "number", "prefix", "site"
# Not a budget: one-use counters of answered human-check questions (use_once).
HUMAN_CHECK = "check"
HOUR, DAY = "hour", "day"

BUDGET_LABELS = {
    ADDRESS: _l("codes asked for from one address"),
    STATION_BUDGET: _l("SMS sent for one information station"),
    NUMBER: _l("SMS to one number"),
    PREFIX: _l("SMS to one number range"),
    SITE: _l("SMS the whole site may send"),
}


class DestinationRefused(DomainError):
    """Jishi does not send SMS to this country (SMS_ALLOWED_COUNTRY_CODES)."""

    status = 422


class BudgetExceeded(DomainError):
    """One of the SMS budgets is full for this window. ``budget`` and ``period`` say which; the
    message says when to try again. The admins' alert (if this window had none yet) is in the
    session: commit before answering."""

    status = 429

    def __init__(self, message, budget: str, period: str):
        super().__init__(message)
        self.budget = budget
        self.period = period


@dataclass(frozen=True)
class Budget:
    name: str
    key: str
    period: str
    window_start: datetime
    limit: int


def _setting(name: str) -> int:
    return int(current_app.config[name])


def allowed_country_codes() -> tuple[int, ...]:
    """The country calling codes SMS may go to (SMS_ALLOWED_COUNTRY_CODES, e.g. "86" or "86,852")."""
    raw = current_app.config["SMS_ALLOWED_COUNTRY_CODES"]
    return tuple(int(part) for part in str(raw).replace(" ", "").split(",") if part.strip("+").isdigit())


def country_allowed(phone: str) -> bool:
    """True when the E.164 ``phone`` is in a country we send SMS to."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    return number.country_code in allowed_country_codes()


def check_destination(phone: str) -> None:
    """Raise DestinationRefused when SMS may not go to ``phone``'s country."""
    if not country_allowed(phone):
        codes = ", ".join(f"+{code}" for code in allowed_country_codes())
        raise DestinationRefused(_("Jishi can only send SMS to mobile numbers starting with %(codes)s.", codes=codes))


def number_prefix(phone: str) -> str:
    """The number range ``phone`` belongs to: "+" and its first SMS_BUDGET_PREFIX_DIGITS digits.
    Pumping fraud buys whole ranges of premium numbers, so the range has a budget of its own."""
    return phone[: 1 + _setting("SMS_BUDGET_PREFIX_DIGITS")]


def hour_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _budgets(kind: str, phone: str, address: str | None, station_id: int | None, now: datetime) -> list[Budget]:
    windows = ((HOUR, hour_start(now)), (DAY, local_day_start(now)))
    keys = []
    if kind == CODE and address:
        keys.append((ADDRESS, address[:64]))
    if kind == STATION and station_id is not None:
        keys.append((STATION_BUDGET, str(station_id)))
    keys += [(NUMBER, phone), (PREFIX, number_prefix(phone)), (SITE, "*")]
    return [
        Budget(name, key, period, start, _setting(f"SMS_BUDGET_{name.upper()}_PER_{period.upper()}"))
        for name, key in keys
        for period, start in windows
    ]


def _insert(values: dict):
    dialect = db.session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(SmsBudgetCounter).values(**values)


def _take_one(budget: Budget) -> bool:
    """Count one SMS against ``budget`` when it has room; False (nothing counted) when it is full."""
    if budget.limit <= 0:
        return False
    statement = _insert(
        {
            "budget": budget.name,
            "key": budget.key,
            "period": budget.period,
            "window_start": budget.window_start,
            "count": 1,
        }
    )
    statement = statement.on_conflict_do_update(
        index_elements=["budget", "key", "period", "window_start"],
        set_={"count": SmsBudgetCounter.count + 1},
        where=SmsBudgetCounter.count < budget.limit,
    ).returning(SmsBudgetCounter.count)
    return db.session.execute(statement).first() is not None


class _Full(Exception):
    def __init__(self, budget: Budget):
        self.budget = budget


def spend(
    kind: str, phone: str, *, address: str | None = None, station_id: int | None = None, now: datetime | None = None
) -> None:
    """Count one SMS of ``kind`` (CODE or STATION) to the E.164 ``phone``, caused from the client
    ``address`` or by the station ``station_id``. Returns nothing when every budget had room.

    Raises DestinationRefused (422, nothing counted) for a country we do not send to, and
    BudgetExceeded (429) when a budget is full: nothing is counted then, but the admins' alert for
    that window may have been added to the session — the caller commits before answering.
    Does not commit."""
    check_destination(phone)
    now = now or utcnow()
    budgets = _budgets(kind, phone, address, station_id, now)
    try:
        with db.session.begin_nested():
            for budget in budgets:
                if not _take_one(budget):
                    raise _Full(budget)
    except _Full as full:
        _refuse(full.budget, now)


def check(
    kind: str, phone: str, *, address: str | None = None, station_id: int | None = None, now: datetime | None = None
) -> None:
    """Raise as ``spend`` would, without counting anything: for a form that must answer alike
    before it knows whether an SMS will be sent (sign-up). Does not commit."""
    check_destination(phone)
    now = now or utcnow()
    for budget in _budgets(kind, phone, address, station_id, now):
        if used(budget.name, budget.key, budget.period, now) >= budget.limit:
            _refuse(budget, now)


def used(name: str, key: str, period: str, now: datetime | None = None) -> int:
    """How many SMS the budget ``name``/``key`` has counted in the current ``period`` window."""
    now = now or utcnow()
    start = hour_start(now) if period == HOUR else local_day_start(now)
    return (
        db.session.scalar(
            select(SmsBudgetCounter.count).where(
                SmsBudgetCounter.budget == name,
                SmsBudgetCounter.key == key,
                SmsBudgetCounter.period == period,
                SmsBudgetCounter.window_start == start,
            )
        )
        or 0
    )


def human_check_needed(phone: str, address: str | None, now: datetime | None = None) -> bool:
    """True when ``address`` asked for SMS_HUMAN_CHECK_AFTER_PER_ADDRESS codes this hour, or
    ``phone``'s number range got SMS_HUMAN_CHECK_AFTER_PER_PREFIX SMS this hour: the next code
    waits for a human check."""
    now = now or utcnow()
    if address and used(ADDRESS, address[:64], HOUR, now) >= _setting("SMS_HUMAN_CHECK_AFTER_PER_ADDRESS"):
        return True
    return used(PREFIX, number_prefix(phone), HOUR, now) >= _setting("SMS_HUMAN_CHECK_AFTER_PER_PREFIX")


def _refuse(budget: Budget, now: datetime) -> None:
    _alert_admins_once(budget, now)
    if budget.period == HOUR:
        wait = _("Please try again in an hour.")
    else:
        wait = _("Please try again tomorrow.")
    if budget.name == SITE:
        message = _("Jishi has sent as many SMS as it may for now.")
    elif budget.name == STATION_BUDGET:
        message = _("Your information station has sent as many SMS as it may for now.")
    elif budget.name == ADDRESS:
        message = _("Too many codes were asked for from your network.")
    else:
        message = _("Too many SMS were sent to this number.")
    raise BudgetExceeded(f"{message} {wait}", budget.name, budget.period)


def _alert_admins_once(budget: Budget, now: datetime) -> None:
    """Write the alert row for this budget window, and tell every admin through the outbox, unless
    the window already has one (the unique constraint decides, also between workers)."""
    statement = _insert_alert(
        {
            "budget": budget.name,
            "key": budget.key,
            "period": budget.period,
            "window_start": budget.window_start,
            "allowed": budget.limit,
            "created_at": now,
        }
    )
    if db.session.execute(statement).first() is None:
        return
    budget_reached.send(
        SENDER,
        budget=budget.name,
        key=budget.key,
        period=budget.period,
        limit=budget.limit,
        window_start=budget.window_start,
    )


def _insert_alert(values: dict):
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(SmsBudgetAlert).values(**values)
    return statement.on_conflict_do_nothing(index_elements=["budget", "key", "period", "window_start"]).returning(
        SmsBudgetAlert.id
    )


def recent_alerts(days: int = 7, now: datetime | None = None) -> list[SmsBudgetAlert]:
    """Alerts of the last ``days`` days, newest first (the admin page)."""
    since = (now or utcnow()) - timedelta(days=days)
    return list(
        db.session.scalars(
            select(SmsBudgetAlert)
            .where(SmsBudgetAlert.created_at >= since)
            .order_by(SmsBudgetAlert.id.desc())
            .limit(200)
        )
    )


def busiest_counters(now: datetime | None = None, limit: int = 30) -> list[SmsBudgetCounter]:
    """This hour's and today's counters, fullest first (the admin page)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(SmsBudgetCounter)
            .where(SmsBudgetCounter.budget != HUMAN_CHECK)
            .where(
                ((SmsBudgetCounter.period == HOUR) & (SmsBudgetCounter.window_start == hour_start(now)))
                | ((SmsBudgetCounter.period == DAY) & (SmsBudgetCounter.window_start == local_day_start(now)))
            )
            .order_by(SmsBudgetCounter.count.desc(), SmsBudgetCounter.id)
            .limit(limit)
        )
    )


def limit_of(name: str, period: str) -> int:
    """The configured size of budget ``name`` per ``period``."""
    return _setting(f"SMS_BUDGET_{name.upper()}_PER_{period.upper()}")


def prune(now: datetime | None = None, keep_days: int = 2) -> int:
    """Delete counters whose window began more than ``keep_days`` ago (``flask notify
    prune-sms-budget``). Returns how many. The caller commits."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    return db.session.execute(delete(SmsBudgetCounter).where(SmsBudgetCounter.window_start < cutoff)).rowcount


def use_once(key: str, issued: datetime) -> bool:
    """True the first time ``key`` (a human-check question) is used, False ever after: a counter of
    size one, so that a replayed session cookie cannot pass the human check twice."""
    if not key:
        return False
    return _take_one(Budget(HUMAN_CHECK, key, HOUR, issued.replace(microsecond=0), 1))
