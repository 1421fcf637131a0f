"""A refused htmx request is shown to the person, not silently dropped."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.members.verification import decide_verification, request_verification
from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, make_member

pytestmark = pytest.mark.browser


def test_a_conflict_during_an_htmx_action_appears_in_the_alert_area(app, live_server, open_page):
    admin = make_member(is_admin=True, display_name="Admin One")
    other_admin = make_member(is_admin=True, display_name="Admin Two")
    farmer = make_member(display_name="Zhang San")
    pending = request_verification(farmer, "91410000MA00000001", "", None)
    db.session.commit()

    page, problems = open_page()
    log_in(page, live_server, admin.phone, DEFAULT_PASSWORD)
    page.goto(live_server("/admin/verifications"))
    page.evaluate("window.__noReload = 1")

    # Meanwhile another admin decides the same request.
    decide_verification(pending.id, other_admin, approve=True, reason="")
    db.session.commit()

    page.get_by_role("button", name="Approve").click()
    alert = page.locator("#htmx-alerts .error-box")
    alert.wait_for()
    assert "409" in alert.inner_text()
    assert page.evaluate("window.__noReload") == 1
    # htmx itself logs the 409 to the console ("Response Status Error Code 409"); nothing else may go wrong.
    unexpected = [p for p in problems.all(page, expected_statuses=(409,)) if "Error Code 409" not in p]
    assert not unexpected
