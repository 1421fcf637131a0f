"""Help centre: /help and its pages in English and Chinese, linked from the footer and the trade
steps; admins edit pages in Markdown, rendered without raw HTML and sanitised."""

from __future__ import annotations

import pytest

from app.admin.help_defaults import PAGES, SLUGS
from app.admin.models import HelpPage
from tests.admin.helpers import audit_rows, count
from tests.factories import make_member
from tests.trade.helpers import place_order_by_buy_now, start_thread


def _zh(client):
    client.post("/lang", data={"locale": "zh_Hans", "next": "/"})


def test_the_help_centre_lists_every_page_and_the_footer_links_to_it(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/help"' in home
    index = client.get("/help").get_data(as_text=True)
    for slug in SLUGS:
        assert f'href="/help/{slug}"' in index
        page = client.get(f"/help/{slug}")
        assert page.status_code == 200 and PAGES["en"][slug][0] in page.get_data(as_text=True)
    assert client.get("/help/nothing-here").status_code == 404


def test_pages_come_in_chinese_for_chinese_readers(client):
    _zh(client)
    page = client.get("/help/negotiation").get_data(as_text=True)
    assert "议价怎么进行" in page and "请留在集市交易" in page


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_sms_page_lists_every_command_keyword_in_both_languages(locale):
    from sms.vocabulary import KEYWORDS, OPT_IN_WORDS, OPT_OUT_WORDS

    body = PAGES[locale]["sms"][1]
    for keyword in sorted(set(KEYWORDS) | OPT_OUT_WORDS | OPT_IN_WORDS):
        assert (keyword.upper() if keyword.isascii() else keyword) in body, keyword


def test_each_trade_step_links_to_its_help_page(client, login, buyer, seller, sell_offer):
    login(buyer)
    assert 'href="/help/negotiation"' in client.get(f"/p/{sell_offer.id}/negotiate").get_data(as_text=True)
    assert 'href="/help/buying"' in client.get(f"/p/{sell_offer.id}/buy").get_data(as_text=True)
    negotiation = start_thread(client, login, sell_offer, buyer)
    assert 'href="/help/negotiation"' in client.get(f"/negotiations/{negotiation.id}").get_data(as_text=True)
    order = place_order_by_buy_now(client, login, sell_offer, make_member(display_name="Buyer Sun"))
    login(seller)
    assert 'href="/help/buying"' in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_an_admin_edits_a_page_in_markdown_and_script_never_survives(client, login, admin):
    login(admin)
    form = client.get("/admin/help/payment/zh_Hans")
    assert form.status_code == 200 and "如何付款" in form.get_data(as_text=True)
    body = (
        "**Pay only on the order page.**\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) "
        "<img src=x onerror=alert(3)>\n\n- bank transfer\n- cash"
    )
    response = client.post(
        "/admin/help/payment/en", data={"title": "Paying safely", "body": body, "reason": "Scam wave"}
    )
    assert response.status_code == 303
    page = client.get("/help/payment").get_data(as_text=True)
    assert "Paying safely" in page and "<strong>Pay only on the order page.</strong>" in page
    assert "<li>bank transfer</li>" in page
    assert "<script>alert" not in page and 'href="javascript' not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)" in page  # shown as text, never run
    # The Chinese page is untouched, the edit is recorded.
    _zh(client)
    assert "如何付款" in client.get("/help/payment").get_data(as_text=True)
    assert [(row.action, row.detail, row.reason) for row in audit_rows()] == [("edit_help", "payment/en", "Scam wave")]


def test_help_edits_reject_bad_input_and_unknown_pages(client, login, admin):
    login(admin)
    for data, message in [
        ({"title": "", "body": "x", "reason": "r"}, "This field is required"),
        ({"title": "t", "body": "", "reason": "r"}, "This field is required"),
        ({"title": "t", "body": "x", "reason": ""}, "Give a reason"),
        ({"title": "t" * 121, "body": "x", "reason": "r"}, "120"),
    ]:
        response = client.post("/admin/help/posting/en", data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    assert client.post("/admin/help/posting/fr", data={"title": "t", "body": "x", "reason": "r"}).status_code == 404
    assert client.get("/admin/help/nothing/en").status_code == 404
    assert count(HelpPage) == 0 and audit_rows() == []


def test_members_cannot_edit_help_pages(client, login, buyer):
    login(buyer)
    assert (
        client.post("/admin/help/posting/en", data={"title": "Hacked", "body": "x", "reason": "r"}).status_code == 403
    )
    assert count(HelpPage) == 0
