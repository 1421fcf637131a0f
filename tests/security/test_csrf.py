"""Every state-changing route refuses a request without a CSRF token, before it touches anything."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from tests.factories import make_member

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Webhooks authenticate with a provider signature instead of a browser session (none exist yet).
SIGNED_WEBHOOK_PREFIXES = ("/hooks/", "/sms/")


def _state_changing_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SIGNED_WEBHOOK_PREFIXES):
            continue
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            yield rule, method


def _url_for_rule(rule) -> str:
    # Arguments a rule gets from its defaults (e.g. "new" pages sharing a view) have no converter.
    values = {
        arg: (1 if isinstance(converter, IntegerConverter) else "x1") for arg, converter in rule._converters.items()
    }
    return rule.build({**(rule.defaults or {}), **values}, append_unknown=False)[1]


def test_app_has_state_changing_routes(app):
    assert list(_state_changing_rules(app)), "no POST routes found: the matrix below would prove nothing"


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "admin"])
def test_every_state_changing_route_without_csrf_token_is_refused(app, client, login, signed_in):
    if signed_in:
        login(make_member(is_admin=True))
    refused = []
    for rule, method in _state_changing_rules(app):
        url = _url_for_rule(rule)
        response = client.open(url, method=method, data={"anything": "1"})
        if response.status_code != 400:
            refused.append(f"{method} {url} -> {response.status_code}")
    assert not refused, "routes accepting a request without CSRF token: " + ", ".join(refused)
