"""From an event's context to the SMS template and its parameters (sms/templates.py).

Every outbound SMS is one named template of the registry, rendered from string parameters: this
module turns the context an event hands to ``enqueue`` (catalogue objects, Decimals, links) into
those parameters in the reader's language — names localised, money as ¥2,100, links as a path on
the site — and picks the template's variant where the wording differs (a price or "negotiable", a
report actioned or not, a digest with or without its change). The signature (SMS_SIGN_NAME) and the
site (PUBLIC_BASE_URL) come from config.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, format_date

from app.core.formatting import localized, money, quantity
from sms import templates
from sms.templates import RenderedSms, TemplateError

log = logging.getLogger("sms.templates")


def site() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def sign_name() -> str | None:
    return current_app.config.get("SMS_SIGN_NAME") or None


def link_path(url: str | None) -> str:
    """The path of a link on the site, as the {site}/{link} of a template takes it. Raises
    TemplateError for a link elsewhere (a variable may not carry a foreign URL)."""
    base = site() + "/"
    if not url or not url.startswith(base):
        raise TemplateError(f"SMS links must be on {base}, not {url!r}")
    return url[len(base) :]


def render(name: str, locale: str, params: dict, log_errors: bool = True) -> RenderedSms:
    """Render registry template ``name`` with the configured site and signature, shortening names
    until it fits. Raises TemplateError / TemplateTooLong (logged unless ``log_errors`` is off)."""
    return templates.render_fitting(name, locale, params, site=site(), sign_name=sign_name(), log_errors=log_errors)


def _chinese() -> bool:
    from flask_babel import get_locale

    return str(get_locale() or "en").startswith("zh")


def _order(context: dict) -> dict:
    return {"number": context["number"], "link": link_path(context["link"])}


def _offer(context: dict) -> dict:
    return {"commodity": localized(context["commodity"]), "link": link_path(context["link"])}


def _priced_offer(context: dict) -> dict:
    return {**_offer(context), "price": money(context["price"]), "unit": localized(context["unit"])}


def _new_match(context: dict) -> tuple[str, dict]:
    if context.get("price") is None:
        return "new_match_negotiable", _offer(context)
    return "new_match", _priced_offer(context)


def _station(context: dict) -> tuple[str, dict]:
    params = {
        "station": context["station"],
        "quantity": quantity(context["quantity"]),
        "unit": localized(context["unit"]),
        "commodity": localized(context["commodity"]),
        "number": context["number"],
    }
    if context.get("price") is None:
        return "station_posting_confirm_negotiable", params
    return "station_posting_confirm", {**params, "price": money(context["price"])}


def _report(context: dict) -> tuple[str, dict]:
    name = "report_actioned" if context.get("actioned") else "report_dismissed"
    return name, {"number": context["number"], "link": link_path(context["link"])}


def _label(context: dict) -> str:
    """ "玉米(河南)" / "maize (Henan)": the commodity, and the province for a province's price."""
    key = "zh" if _chinese() else "en"
    label = context["commodity_names"][key]
    regions = context.get("region_names")
    if regions:
        label += f"({regions['zh']})" if key == "zh" else f" ({regions['en']})"
    return label


def unit_price(per_kg: Decimal) -> str:
    """Chinese readers get prices per 斤, others per kg."""
    if _chinese():
        return f"{money(Decimal(per_kg) / 2)}/斤"
    return f"{money(per_kg)}/kg"


def change_text(pct) -> str:
    """▲3.2% / ▼1% in Chinese; +3.2% / -1% in English (GSM-7)."""
    pct = Decimal(pct)
    if pct > 0:
        return f"{'▲' if _chinese() else '+'}{pct}%"
    if pct < 0:
        return f"{'▼' if _chinese() else '-'}{-pct}%"
    return "0%"


def _with_optional_link(name: str, params: dict, context: dict) -> tuple[str, dict]:
    if context.get("url"):
        return name, {**params, "link": link_path(context["url"])}
    return f"{name}_short", params


def _price_alert(context: dict) -> tuple[str, dict]:
    params = {
        "commodity": _label(context),
        "price": unit_price(context["price_per_kg"]),
        "change": change_text(context["change_pct"]),
    }
    return _with_optional_link("price_alert", params, context)


def _price_target(context: dict) -> tuple[str, dict]:
    params = {
        "commodity": _label(context),
        "price": unit_price(context["price_per_kg"]),
        "target": unit_price(context["target_per_kg"]),
    }
    name = "price_target_up" if context.get("direction") == "up" else "price_target_down"
    return _with_optional_link(name, params, context)


def _price_digest(context: dict) -> tuple[str, dict]:
    params = {
        "commodity": _label(context),
        "day": format_date(context["day"], "M/d"),
        "price": unit_price(context["price_per_kg"]),
    }
    if context.get("change_pct") is None:
        return _with_optional_link("price_digest_no_change", params, context)
    return _with_optional_link("price_digest", {**params, "change": change_text(context["change_pct"])}, context)


def _knowledge_question(context: dict) -> tuple[str, dict]:
    params = {"number": context["number"], "link": link_path(context["link"])}
    if context.get("commodity") is None:
        return "knowledge_question_new_general", params
    return "knowledge_question_new", {**params, "commodity": localized(context["commodity"])}


def _knowledge_answer(context: dict) -> tuple[str, dict]:
    """The answer's first words (what a farmer without a browser reads) and the link to it all."""
    excerpt = templates.without_links(context["answer"]) or "…"
    name = "knowledge_answer" if context.get("public") else "knowledge_answer_private"
    return name, {"number": context["number"], "excerpt": excerpt, "link": link_path(context["link"])}


def _fixed(*keys: str) -> Callable[[dict], dict]:
    def build(context: dict) -> dict:
        return {key: (link_path(context[key]) if key == "link" else context[key]) for key in keys}

    return build


def _named(name: str, build: Callable[[dict], dict]) -> Callable[[dict], tuple[str, dict]]:
    return lambda context: (name, build(context))


# The name an event passes to ``enqueue`` (its e-mail template's too) → (registry name, params).
BUILDERS: dict[str, Callable[[dict], tuple[str, dict]]] = {
    "phone_code": _named("phone_code", _fixed("code", "minutes")),
    "password_reset_code": _named("password_reset_code", _fixed("code", "minutes")),
    **{
        name: _named(name, _order)
        for name in (
            "order_confirmed",
            "order_paid",
            "order_shipped",
            "order_delivered",
            "order_completed",
            "order_cancelled",
            "dispute_opened",
        )
    },
    "order_placed": _named("order_placed", lambda c: {**_order(c), "commodity": localized(c["commodity"])}),
    "partial_acceptance_agreed": _named(
        "partial_acceptance_agreed", lambda c: {**_order(c), "amount": money(c["amount_due"])}
    ),
    "dispute_resolved": _named("dispute_resolved", lambda c: {**_order(c), "refund": money(Decimal(c["refund"]))}),
    "offer_made": _named("offer_made", _priced_offer),
    "offer_countered": _named("offer_countered", _priced_offer),
    "offer_accepted": _named("offer_accepted", lambda c: {**_offer(c), "number": c["number"]}),
    "offer_declined": _named("offer_declined", _offer),
    "offer_expired": _named("offer_expired", _offer),
    "offer_withdrawn": _named("offer_withdrawn", _offer),
    "new_match": _new_match,
    "store_new_goods": _named(
        "store_new_goods",
        lambda c: {"store": c["store"], "commodity": localized(c["commodity"]), "link": link_path(c["link"])},
    ),
    "basket_quote_requested": _named("basket_quote_requested", _fixed("name", "count", "link")),
    "basket_quote_priced": _named("basket_quote_priced", _fixed("name", "count", "link")),
    "basket_quote_declined": _named("basket_quote_declined", _fixed("name", "count", "link")),
    "basket_quote_withdrawn": _named("basket_quote_withdrawn", _fixed("name", "count", "link")),
    "part_offered": _named("part_offered", _priced_offer),
    "part_accepted": _named("part_accepted", lambda c: {**_offer(c), "number": c["number"]}),
    "part_declined": _named("part_declined", _offer),
    "part_lapsed": _named("part_lapsed", _offer),
    "part_withdrawn": _named("part_withdrawn", _offer),
    "pool_share_sold": _named(
        "pool_share_sold", lambda c: {"commodity": localized(c["commodity"]), "amount": money(c["amount"])}
    ),
    "forum_reply": _named("forum_reply", _fixed("link")),
    "forum_quote": _named("forum_quote", _fixed("link")),
    "report_outcome": _report,
    "sms_budget_reached": _named("sms_budget_reached", _fixed("budget", "period", "limit", "link")),
    "station_posting_confirm": _station,
    "knowledge_question": _knowledge_question,
    "knowledge_answer": _knowledge_answer,
    "price_alert": _price_alert,
    "price_target": _price_target,
    "price_digest": _price_digest,
}


def template_params(template: str, locale: str, context: dict) -> tuple[str, dict]:
    """(registry template, parameters) for the SMS of ``template`` (an event's message name) in
    ``locale``. Raises TemplateError for a name without an SMS."""
    try:
        build = BUILDERS[template]
    except KeyError:
        raise TemplateError(f"no SMS template for {template!r}") from None
    with force_locale(locale):
        name, params = build(context)
    return name, {key: str(value) for key, value in params.items()}


def render_sms(template: str, locale: str, context: dict, log_errors: bool = True) -> RenderedSms:
    """The SMS for ``template`` in ``locale``: registry template, parameters and text. Raises
    TemplateError (an over-long text: TemplateTooLong), logged unless ``log_errors`` is off."""
    try:
        name, params = template_params(template, locale, context)
    except TemplateError as error:
        if log_errors:
            log.error("SMS not rendered: %s", error)
        raise
    return render(name, locale, params, log_errors)
