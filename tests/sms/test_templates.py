"""The SMS template registry (sms/templates.py): every template fits its parts in both languages
with the longest realistic parameters and the signature, and parameters keep the providers' rules."""

from __future__ import annotations

import pytest

from sms import templates
from sms.templates import REGISTRY, Category, Kind, TemplateError, TemplateTooLong

SITE = "https://www.jishi.cn"  # PUBLIC_BASE_URL: the production address, 20 characters
SIGN = "集市"


def longest_value(param: templates.Param, lang: str) -> str:
    """The longest realistic value of ``param`` in a ``lang`` text, in its widest characters."""
    length = param.longest(lang)
    if param.kind in (Kind.NUMBER, Kind.CODE):
        return "9" * length
    if param.kind == Kind.REFERENCE:
        return "J" + "9" * (length - 1)
    if param.kind == Kind.MONEY:
        return "¥" + "9" * (length - 4) + ".99"
    if param.kind == Kind.PATH:
        return "p/" + "9" * (length - 2)
    return ("长" if lang == "zh" else "W") * length


def longest_params(template: templates.Template, lang: str) -> dict[str, str]:
    return {param.name: longest_value(param, lang) for param in template.params}


@pytest.mark.parametrize("name", sorted(REGISTRY))
@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_every_template_fits_its_parts_with_the_longest_params_and_the_signature(name, locale):
    template = REGISTRY[name]
    lang = templates.language(locale)
    if template.fallback:
        # The link is optional here: when the longest values leave no room for it, the variant
        # without it is sent (checked in its own run of this test).
        fallback = REGISTRY[template.fallback]
        assert [p.name for p in fallback.params] == [p.name for p in template.params if p.name != "link"]
        try:
            templates.render(name, locale, longest_params(template, lang), site=SITE, sign_name=SIGN, log_errors=False)
        except TemplateError:
            return
    rendered = templates.render(name, locale, longest_params(template, lang), site=SITE, sign_name=SIGN)
    measured = templates.measure(rendered.text, SIGN)
    assert measured.segments <= templates.allowed_segments(template, locale, SIGN), (name, lang, rendered.text)
    # And without a signature (the free-text route), in the parts the template was written for.
    plain = templates.render(name, locale, longest_params(template, lang), site=SITE)
    assert templates.measure(plain.text, None).segments <= template.allowed_segments, (name, lang, plain.text)


def test_events_alerts_and_codes_take_one_part_and_replies_at_most_two():
    for template in REGISTRY.values():
        if template.category == Category.REPLY:
            assert template.allowed_segments <= 2, template.name
        elif template.name.startswith("station_posting_confirm") or template.name == "sms_budget_reached":
            assert template.allowed_segments == 2  # a station's name and both reply commands; admins only
        elif template.name.startswith("knowledge_answer"):
            assert template.allowed_segments == 2  # the answer's first words and its link
        else:
            assert template.allowed_segments == 1, template.name


def test_every_template_has_both_languages_with_the_same_variables_declared_once():
    for template in REGISTRY.values():
        declared = {param.name for param in template.params}
        assert len(declared) == len(template.params), template.name
        for lang in templates.LANGUAGES:
            used = set(templates.placeholders(template.text[lang])) - {"site"}
            assert used == declared, (template.name, lang)
            assert "http" not in template.text[lang] and "【" not in template.text[lang]
        assert all(
            param.longest(lang) <= templates.PROVIDER_MAX_VARIABLE_LENGTH
            for lang in templates.LANGUAGES
            for param in template.params
        )
        # A link is the site (fixed text) and a path variable, never a whole URL in a variable.
        if "link" in declared:
            assert all("{site}/{link}" in template.text[lang] for lang in templates.LANGUAGES)
            assert template.param("link").kind == Kind.PATH


@pytest.mark.parametrize(
    "value",
    ["http://evil.example/x", "see www.evil.cn", "evil.com", "a【b】", "line\nbreak", "mail@x"],
)
@pytest.mark.sms_over_limit
def test_text_variables_refuse_links_contacts_and_signature_brackets(value):
    with pytest.raises(TemplateError, match="looks like a link"):
        templates.render("offer_declined", "en", {"commodity": value[:20], "link": "n/1"}, site=SITE)


@pytest.mark.sms_over_limit
def test_parameters_are_checked_against_their_kind_and_length():
    render = templates.render
    with pytest.raises(TemplateError, match="not a valid code"):
        render("phone_code", "en", {"code": "12ab56", "minutes": "10"}, site=SITE)
    with pytest.raises(TemplateError, match="over 3"):
        render("phone_code", "en", {"code": "123456", "minutes": "1000"}, site=SITE)
    with pytest.raises(TemplateError, match="not a valid path"):
        render("order_paid", "en", {"number": "J0000001", "link": "evil.cn/x"}, site=SITE)
    with pytest.raises(TemplateError, match="do not match"):
        render("order_paid", "en", {"number": "J0000001"}, site=SITE)
    with pytest.raises(TemplateError, match="unknown SMS template"):
        render("no_such_template", "en", {}, site=SITE)
    with pytest.raises(TemplateError, match="over 6"):
        render("offer_declined", "zh_Hans", {"commodity": "长" * 7, "link": "n/1"}, site=SITE)


@pytest.mark.sms_over_limit
def test_rendering_refuses_a_text_over_its_parts_and_logs_it(caplog):
    long_site = "https://" + "x" * 80 + ".cn"
    with pytest.raises(TemplateTooLong):
        templates.render("order_paid", "zh_Hans", {"number": "J0000001", "link": "o/1"}, site=long_site, sign_name=SIGN)
    assert "order_paid (zh) is 2 parts" in caplog.text


@pytest.mark.sms_over_limit
def test_render_fitting_shortens_names_until_the_message_fits():
    long_site = "https://" + "x" * 15 + ".cn"
    params = {"commodity": "长" * 30, "price": "¥12,345.67", "unit": "公斤", "link": "n/1234567"}
    rendered = templates.render_fitting("offer_made", "zh_Hans", params, site=long_site, sign_name=SIGN)
    assert rendered.params["commodity"].endswith("…") and len(rendered.params["commodity"]) < 6
    assert templates.measure(rendered.text, SIGN).segments == 1
    # Prices and numbers are never shortened: what cannot fit is refused, not sent cut.
    with pytest.raises(TemplateTooLong):
        templates.render_fitting(
            "order_paid", "zh_Hans", {"number": "J0000001", "link": "o/1"}, site="https://" + "x" * 80, sign_name=SIGN
        )


def test_the_provider_text_has_dollar_variables_and_the_site_written_out():
    text = templates.provider_text(REGISTRY["order_paid"], "zh", SITE)
    assert text == "集市：订单${number}已付款。 https://www.jishi.cn/${link}"


def test_params_come_back_in_the_order_the_template_declares():
    rendered = templates.render(
        "offer_made", "en", {"unit": "t", "link": "n/1", "price": "¥2,100", "commodity": "maize"}, site=SITE
    )
    assert list(rendered.params) == ["commodity", "price", "unit", "link"]
    assert rendered.text == "Jishi: new offer for your maize: ¥2,100/t. Reply: https://www.jishi.cn/n/1"


def test_the_docs_list_every_template_with_its_chinese_text():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "sms-templates.md").read_text(encoding="utf-8")
    for template in REGISTRY.values():
        assert f"`{template.name}`" in page, template.name
        assert templates.provider_text(template, "zh", SITE).replace("|", "\\|") in page, template.name


@pytest.mark.parametrize(
    "name",
    sorted(name for name, t in REGISTRY.items() if t.fallback and t.category in (Category.ALERT, Category.DIGEST)),
)
def test_an_alert_keeps_its_link_for_an_ordinary_commodity_in_both_languages(name):
    template = REGISTRY[name]
    for locale, label, price in (("zh_Hans", "玉米", "¥1.20/斤"), ("en", "Maize (Henan)", "¥2.40/kg")):
        params = {
            "commodity": label,
            "price": price,
            "target": price,
            "change": "+3.5%",
            "day": "12/7",
            "link": "prices/maize",
        }
        wanted = {param.name: params[param.name] for param in template.params}
        rendered = templates.render(name, locale, wanted, site=SITE, sign_name=SIGN)
        assert rendered.text.endswith("https://www.jishi.cn/prices/maize")
