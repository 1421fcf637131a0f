"""Every admin route — this package's and the admin pages other domains own — refuses visitors (to
the login page) and members (403/404), for every method it answers. The list comes from the app's
URL map, so a new /admin route is covered the day it is added."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_member

# A value of the right type for each converter: ids that do not exist, a slug that does not either.
SAMPLE_VALUES = {"int": "1"}
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")


def _admin_rules(app) -> list[tuple[str, str, str, bool]]:
    """(method, path with sample arguments, endpoint, has arguments) for every rule under /admin."""
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            path = ARGUMENT.sub(lambda match: SAMPLE_VALUES.get(match.group(1), "x"), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                rules.append((method, path, rule.endpoint, bool(rule.arguments)))
    return rules


def test_the_admin_url_map_includes_other_domains_admin_pages(app):
    endpoints = {endpoint for _m, _p, endpoint, _a in _admin_rules(app)}
    assert {"admin.members", "admin.audit_csv", "admin.decide_report", "members.verification_queue"} <= endpoints
    assert any(not endpoint.startswith(("admin.", "members.")) for endpoint in endpoints)


def test_visitors_are_sent_to_the_login_page_everywhere_in_admin(app, client):
    token = client.csrf_token()
    for method, path, _endpoint, _has_arguments in _admin_rules(app):
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, path, response.status_code)
        assert "/login" in response.headers["Location"], (method, path)


@pytest.mark.parametrize(
    "kinds",
    [
        {"is_seller": True, "is_buyer": True},
        {"is_station_operator": True, "is_seller": False, "is_buyer": False},
    ],
)
def test_members_who_are_not_admins_are_refused_on_every_admin_route(app, client, login, kinds):
    member = login(make_member(display_name="Curious member", **kinds))
    for method, path, endpoint, _has_arguments in _admin_rules(app):
        response = client.open(path, method=method, data={"csrf_token": client.csrf_token()})
        assert response.status_code in (403, 404), (method, path, endpoint, response.status_code)
    assert member.is_admin is False


def test_an_admin_reaches_every_admin_page_without_arguments(app, client, login, admin):
    login(admin)
    for method, path, _endpoint, has_arguments in _admin_rules(app):
        if method == "GET" and not has_arguments:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)


def test_the_admin_overview_links_to_the_admin_pages_of_other_domains(client, login, admin):
    login(admin)
    page = client.get("/admin").get_data(as_text=True)
    assert "/admin/verifications" in page
    assert "/admin/disputes" in page
