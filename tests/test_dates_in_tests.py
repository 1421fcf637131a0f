"""A guard that keeps the suite passing on any date: a calendar date written into a test is how a test
starts failing months later (issue 15: an "expected date" of 2026-12-01 that the form rightly refused
once that day had passed). Tests compute dates from the clock (``local_today() + timedelta(days=7)``)
or pass a fixed clock to the code under test (``now=``/``today=`` arguments).

A module may still hold literal dates where they cannot go stale — a fixed clock passed as an
argument, data formatting, bad input — and then it is listed below with the reason. A new module
with a literal date fails here until someone writes down why that date is safe on every day.
`make test-future` and `make test-past` run the suite 400 days ahead and back to prove it."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
ISO_DATE = re.compile(r"(?<!\d)(20\d\d)-(\d\d)-(\d\d)(?!\d)")
# A date before the project existed is in the past on any day the suite runs.
LONG_AGO = date(2021, 1, 1)

REVIEWED = {
    "notify/test_policy.py": "quiet hours and caps are checked at a fixed `now=` passed to the policy",
    "web/test_csv_export.py": "formats fixed dates and times as CSV cells; no clock involved",
    "postings/test_view_buffer.py": "views are counted for a fixed `today` passed to the buffer",
    "logistics/test_carrier_webhook.py": "a carrier's event time is stored as sent; nothing compares it with today",
    "inbound_sms/test_replies.py": "a reference price recorded for a fixed day, read back for that day",
    "market/test_price_pages.py": "price history for fixed days, asked for by explicit from/to ranges",
    "market/test_open_data.py": "explicit from/to ranges and bad input (month 13, reversed, too long)",
    "market/test_reports.py": "reports over explicit from/to ranges; the expected error messages quote the example date",
    "market/test_rollup.py": "the command's error message quotes its example date",
    "fake_sms_providers.py": "2021-01-11 is Tencent Cloud's SMS API version string, not a day",
    "logistics/test_kuaidi100.py": "a checkpoint's Beijing time converted to UTC; nothing compares it with today",
    "payments/alipay_fake.py": "times inside Alipay's payloads (notify_time, gmt_payment) are stored as sent",
    "payments/test_alipay_checkout_and_notify.py": "a payment time inside a notification, stored as sent",
    "payments/test_alipay_refunds_and_split.py": "bills of explicit days asked for by that day",
    "payments/test_split_settlement.py": "rows of a split bill for an explicit day, reconciled for that day",
    "payments/wechat_fake.py": "times inside WeChat's payloads and bills, stored as sent",
    "payments/wechat_helpers.py": "a refund's success_time inside a notification, stored as sent",
}


def _literal_dates(tree: ast.AST) -> list[tuple[int, date]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in ISO_DATE.finditer(node.value):
                try:
                    found.append((node.lineno, date(*map(int, match.groups()))))
                except ValueError:
                    pass  # 2026-13-01 and 2026-02-30 are bad input, not dates
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
            "date",
            "datetime",
        ):
            numbers = [
                arg.value for arg in node.args[:3] if isinstance(arg, ast.Constant) and isinstance(arg.value, int)
            ]
            if len(numbers) >= 2 and 2000 <= numbers[0] <= 2099:
                found.append((node.lineno, date(numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1)))
    return [(line, day) for line, day in found if day >= LONG_AGO]


def test_no_test_module_writes_a_calendar_date_that_can_go_stale():
    unreviewed = []
    for path in sorted(TESTS_DIR.rglob("*.py")):
        relative = path.relative_to(TESTS_DIR).as_posix()
        if relative in REVIEWED or path == Path(__file__):
            continue
        for line, day in _literal_dates(ast.parse(path.read_text(encoding="utf-8"))):
            unreviewed.append(f"tests/{relative}:{line}: {day.isoformat()}")
    assert not unreviewed, (
        "literal dates in tests go stale; compute them from the clock (local_today() + timedelta) "
        "or pass a fixed now=/today=, and list the module in REVIEWED only if the date is safe on any day:\n"
        + "\n".join(unreviewed)
    )


def test_every_reviewed_module_still_holds_a_literal_date():
    # An entry whose dates are gone would let a new, unreviewed date in later without a look.
    stale = [name for name in REVIEWED if not _literal_dates(ast.parse((TESTS_DIR / name).read_text(encoding="utf-8")))]
    assert not stale


def test_the_guard_finds_the_kinds_of_date_tests_write():
    source = (
        'a = "2027-05-01"\nb = date(2030, 1, 2)\nc = datetime(2026, 11, 3, 8, 0)\nd = "2026-13-01"\ne = "2019-01-01"\n'
    )
    assert [line for line, _ in _literal_dates(ast.parse(source))] == [1, 2, 3]
