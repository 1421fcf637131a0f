"""The registry of every SMS Jishi sends: one named template each, fixed text in English and Chinese
with a few bounded variables, as the mainland providers (Alibaba Cloud SMS, Tencent Cloud SMS)
approve them — an approved template is fixed text, the provider fills in the variables and prepends
the 【签名】 signature, which counts towards the 70-character parts.

- ``{name}`` in a text is a variable; each is declared once in ``params`` with its kind and longest
  length. ``{site}`` is not a variable: it is the site's address (PUBLIC_BASE_URL), the same in every
  message, written as fixed text into the template the provider approves. Links are therefore
  ``{site}/{link}`` with ``link`` a bare path such as ``o/12``: providers refuse URLs and domains in
  variables, and accept a registered (ICP-filed) domain in the fixed text.
- ``render`` checks the parameters against the spec (kind, length, no URL) and the segment fit of
  the text with the signature, raising TemplateError — a message is never sent cut or over-long.
  ``render_fitting`` first shortens the variables marked ``shorten`` (names of commodities,
  stations) until the text fits.

Flask-free, like the rest of sms/. The provider's code per template comes from config
(SMS_TEMPLATE_CODES); docs/sms-templates.md lists every template.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from enum import Enum

from sms import limits
from sms.segments import SegmentInfo, count_segments

log = logging.getLogger(__name__)

# A variable longer than this is refused by Alibaba Cloud for "other" variables; Tencent's limits
# for an enterprise account are no stricter. Every spec stays within it.
PROVIDER_MAX_VARIABLE_LENGTH = 35
LANGUAGES = ("en", "zh")
SHORTENED_MARK = {"en": ".", "zh": "…"}


class Category(str, Enum):
    CODE = "code"  # verification and password-reset codes: urgent, sent before everything else
    EVENT = "event"  # order, offer, forum, report and admin events
    ALERT = "alert"  # price alerts and targets
    DIGEST = "digest"  # daily price digests
    REPLY = "reply"  # answers to an inbound SMS command


class Kind(str, Enum):
    NUMBER = "number"  # digits only
    CODE = "code"  # a verification code: 4 to 8 digits
    REFERENCE = "reference"  # order numbers, offer codes, report numbers: letters, digits, #, -
    MONEY = "money"  # ¥2,100 / ¥1.05, optionally "/unit"
    TEXT = "text"  # names and short phrases: no URL, no domain, no 【】, no line break
    PATH = "path"  # the path of a link on the site, after {site}/: letters, digits, - _ /


_PATTERNS = {
    Kind.NUMBER: re.compile(r"\d+"),
    Kind.CODE: re.compile(r"\d{4,8}"),
    Kind.REFERENCE: re.compile(r"[A-Za-z0-9#\-]+"),
    Kind.MONEY: re.compile(r"[+\-]?¥[0-9,]+(\.[0-9]+)?"),
    Kind.PATH: re.compile(r"[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*"),
}
# What a provider reads as a link or a contact: refused in TEXT variables.
_URL_LIKE = re.compile(
    r"(https?:|://|www\.|[A-Za-z0-9-]+\.(cn|com|net|org|top|xyz|cc|io|me|info|biz)\b|@|【|】|\n|\r)", re.IGNORECASE
)


class TemplateError(ValueError):
    """A message that cannot be sent as asked: unknown template, parameters that break the
    template's spec, or a text that does not fit its parts."""


class TemplateTooLong(TemplateError):
    """The rendered text with the signature needs more parts than the template is allowed."""

    def __init__(self, message: str, measured: SegmentInfo):
        super().__init__(message)
        self.measured = measured


@dataclass(frozen=True)
class Param:
    """One variable: its name in the texts, its kind, its longest value (in Chinese texts
    ``max_length_zh`` when names are shorter there, as catalogue names are), and whether rendering
    may shorten it to make the message fit (names yes; numbers, prices and codes never)."""

    name: str
    kind: Kind
    max_length: int
    shorten: bool = False
    max_length_zh: int | None = None

    def longest(self, lang: str) -> int:
        return self.max_length_zh if lang == "zh" and self.max_length_zh is not None else self.max_length


@dataclass(frozen=True)
class Template:
    name: str
    category: Category
    params: tuple[Param, ...]
    text: dict[str, str]
    segments: int = field(default=0)
    description: str = ""
    # A variant without the link, sent instead when this one does not fit (price alerts): what is
    # guaranteed to fit with the longest values is the fallback; the link comes when there is room.
    fallback: str | None = None

    @property
    def allowed_segments(self) -> int:
        """Parts this template may take: REPLY_SEGMENTS for replies, else its own (sms.limits)."""
        if self.segments:
            return self.segments
        if self.category == Category.REPLY:
            return limits.REPLY_SEGMENTS
        return limits.segments_for(self.name)

    def param(self, name: str) -> Param:
        return next(param for param in self.params if param.name == name)


@dataclass(frozen=True)
class RenderedSms:
    """A template rendered for one language: its name, its parameters (strings, as the provider
    takes them) and the text without the signature."""

    template: str
    locale: str
    params: dict[str, str]
    text: str


def language(locale: str | None) -> str:
    """The registry's language for a Babel locale: "zh" for zh / zh_Hans …, else "en"."""
    return "zh" if str(locale or "").lower().startswith("zh") else "en"


def signed(text: str, sign_name: str | None) -> str:
    """The text as the phone shows it when the provider prepends the signature."""
    return f"【{sign_name}】{text}" if sign_name else text


def measure(text: str, sign_name: str | None) -> SegmentInfo:
    """Parts the text takes with the signature (the signature makes any text UCS-2: 70 per part)."""
    return count_segments(signed(text, sign_name))


def allowed_segments(template: Template, locale: str, sign_name: str | None) -> int:
    """Parts ``template`` may take in ``locale``. An English text through a mainland provider is
    counted in 70-character parts like Chinese (the signature's 【】 make it UCS-2), where the
    templates were written for 160-character GSM-7 parts: it is allowed one more part."""
    extra = 1 if sign_name and language(locale) == "en" else 0
    return template.allowed_segments + extra


def placeholders(text: str) -> list[str]:
    """The names in ``{…}`` in ``text``, in order, ``site`` included."""
    return re.findall(r"\{([a-z_0-9]+)\}", text)


def check_param(template: Template, param: Param, value: str, lang: str = "en") -> None:
    """Raise TemplateError when ``value`` breaks ``param``'s rules in a ``lang`` text."""
    if not isinstance(value, str) or not value:
        raise TemplateError(f"{template.name}: {param.name} must be a non-empty string, not {value!r}")
    if len(value) > param.longest(lang):
        raise TemplateError(f"{template.name}: {param.name} is {len(value)} characters, over {param.longest(lang)}")
    pattern = _PATTERNS.get(param.kind)
    if pattern is not None and not pattern.fullmatch(value):
        raise TemplateError(f"{template.name}: {param.name} {value!r} is not a valid {param.kind.value}")
    if param.kind in (Kind.TEXT, Kind.MONEY) and _URL_LIKE.search(value):
        raise TemplateError(f"{template.name}: {param.name} {value!r} looks like a link or contact")


def get(name: str) -> Template:
    try:
        return REGISTRY[name]
    except KeyError:
        raise TemplateError(f"unknown SMS template {name!r}") from None


def render(
    name: str,
    locale: str,
    params: dict[str, object],
    *,
    site: str,
    sign_name: str | None = None,
    log_errors: bool = True,
) -> RenderedSms:
    """Render template ``name`` in ``locale`` with ``params`` (values are turned into strings).

    Returns a RenderedSms. Raises TemplateError for an unknown template, a missing or unexpected
    parameter, or one that breaks its spec; TemplateTooLong when the text with the signature
    ``sign_name`` needs more parts than the template is allowed. Both are logged as errors unless
    ``log_errors`` is off (a caller trying variants logs the last failure itself)."""
    try:
        return _render(name, locale, params, site, sign_name)
    except TemplateError as error:
        if log_errors:
            log.error("SMS not rendered: %s", error)
        raise


def _render(name: str, locale: str, params: dict[str, object], site: str, sign_name: str | None) -> RenderedSms:
    template = get(name)
    lang = language(locale)
    values = {key: str(value) for key, value in params.items()}
    expected = {param.name for param in template.params}
    if set(values) != expected:
        raise TemplateError(f"{name}: parameters {sorted(values)} do not match the template's {sorted(expected)}")
    for param in template.params:
        check_param(template, param, values[param.name], lang)
    text = template.text[lang].format(site=site.rstrip("/"), **values)
    measured = measure(text, sign_name)
    allowed = allowed_segments(template, locale, sign_name)
    if measured.segments > allowed:
        message = (
            f"SMS {name} ({lang}) is {measured.segments} parts ({measured.units} {measured.encoding} units "
            f"with the signature), over its {allowed}"
        )
        raise TemplateTooLong(message, measured)
    ordered = {param.name: values[param.name] for param in template.params}
    return RenderedSms(name, locale, ordered, text)


def shorten(value: str, length: int, lang: str) -> str:
    """``value`` cut to ``length`` characters, the cut marked (a GSM-7 "." in English)."""
    if len(value) <= length:
        return value
    mark = SHORTENED_MARK[lang]
    return value[: max(length - len(mark), 1)].rstrip() + mark


def render_fitting(
    name: str,
    locale: str,
    params: dict[str, object],
    *,
    site: str,
    sign_name: str | None = None,
    log_errors: bool = True,
) -> RenderedSms:
    """``render``, but first cut the shortenable variables to their longest length and, while the
    text does not fit its parts, cut the longest of them one character at a time (down to 2). Raises
    what ``render`` raises when even that is not enough."""
    template = get(name)
    lang = language(locale)
    values = {key: str(value) for key, value in params.items()}
    shortenable = [param for param in template.params if param.shorten and param.name in values]
    for param in shortenable:
        values[param.name] = shorten(values[param.name], param.longest(lang), lang)
    while True:
        try:
            return _render(name, locale, values, site, sign_name)
        except TemplateTooLong as error:
            candidates = [param for param in shortenable if len(values[param.name].rstrip(SHORTENED_MARK[lang])) > 2]
            if not candidates:
                if log_errors:
                    log.error("SMS not rendered: %s", error)
                raise
            longest = max(candidates, key=lambda param: len(values[param.name]))
            current = values[longest.name]
            values[longest.name] = shorten(current, len(current) - 1, lang)
        except TemplateError as error:
            if log_errors:
                log.error("SMS not rendered: %s", error)
            raise


def provider_text(template: Template, lang: str, site: str) -> str:
    """The text to submit to a provider: variables as ``${name}``, the site written out."""
    return re.sub(r"\{([a-z_0-9]+)\}", lambda m: "${" + m.group(1) + "}", template.text[lang]).replace(
        "${site}", site.rstrip("/")
    )


def _p(name: str, kind: Kind, max_length: int, shorten: bool = False, zh: int | None = None) -> Param:
    return Param(name, kind, max_length, shorten, zh)


# Links: the short routes /o/<order>, /n/<negotiation>, /p/<posting>; the forum, account and admin
# pages; a commodity's prices (its slug: a long one leaves the link out of a Chinese alert).
LINK = _p("link", Kind.PATH, 10)
PAGE_LINK = _p("link", Kind.PATH, 16)
PRICES_LINK = _p("link", Kind.PATH, 24)
ORDER = _p("number", Kind.REFERENCE, 8)  # J0000003
COMMODITY = _p("commodity", Kind.TEXT, 20, shorten=True, zh=6)
PRICE = _p("price", Kind.MONEY, 10)  # ¥12,345.67
AMOUNT = _p("amount", Kind.MONEY, 11)  # ¥999,999.99
UNIT = _p("unit", Kind.TEXT, 8, shorten=True, zh=2)
CODE = _p("code", Kind.CODE, 8)
MINUTES = _p("minutes", Kind.NUMBER, 3)
# Price alerts: the label is the commodity and the province ("玉米(河南)"), prices carry their unit.
# The "_short" variants (no link) take the whole label; with the link it is cut sooner.
LABEL = _p("commodity", Kind.TEXT, 24, shorten=True, zh=10)
LINKED_LABEL = _p("commodity", Kind.TEXT, 20, shorten=True, zh=5)
UNIT_PRICE = _p("price", Kind.TEXT, 12, zh=9)  # ¥9,999.99/kg, ¥999.99/斤
TARGET_PRICE = _p("target", Kind.TEXT, 12, zh=9)
CHANGE = _p("change", Kind.TEXT, 7)  # ▲100.0%
DAY = _p("day", Kind.TEXT, 5)  # 12/31
DIGEST_LABEL = _p("commodity", Kind.TEXT, 20, shorten=True, zh=2)


def _t(name: str, category: Category, params: tuple[Param, ...], en: str, zh: str, description: str = "") -> Template:
    return Template(name, category, params, {"en": en, "zh": zh}, description=description)


_C, _E, _A, _D = Category.CODE, Category.EVENT, Category.ALERT, Category.DIGEST
_R = Category.REPLY
# Replies to CONTRACT J3: the contract's version, the first 8 hex digits of the SHA-256 of the text
# accepted, and the contract page (orders/<id>/contract).
CONTRACT_VERSION = _p("version", Kind.NUMBER, 3)
CONTRACT_HASH = _p("hash", Kind.REFERENCE, 8)
CONTRACT_LINK = _p("link", Kind.PATH, 24)

_TEMPLATES = [
    # Codes.
    _t(
        "phone_code",
        _C,
        (CODE, MINUTES),
        "Jishi code: {code}. Valid {minutes} min. Never share it.",
        "集市验证码：{code}，{minutes}分钟内有效，请勿告诉他人。",
        "verifies a member's mobile number",
    ),
    _t(
        "password_reset_code",
        _C,
        (CODE, MINUTES),
        "Jishi password reset code: {code}. Valid {minutes} min. Not you? Ignore this SMS.",
        "集市重置密码验证码：{code}，{minutes}分钟内有效。非本人操作请忽略。",
        "resets a password by SMS",
    ),
    # Orders.
    _t(
        "order_placed",
        _E,
        (ORDER, COMMODITY, LINK),
        "Jishi: new order {number} for your {commodity}. Please confirm: {site}/{link}",
        "集市：您的{commodity}有新订单{number}，请确认： {site}/{link}",
        "to the seller when a buyer orders",
    ),
    _t(
        "order_confirmed",
        _E,
        (ORDER, LINK),
        "Jishi: order {number} was confirmed by the seller. {site}/{link}",
        "集市：订单{number}已被卖家确认。 {site}/{link}",
    ),
    _t(
        "order_paid",
        _E,
        (ORDER, LINK),
        "Jishi: payment for order {number} was recorded. {site}/{link}",
        "集市：订单{number}已付款。 {site}/{link}",
    ),
    _t(
        "order_shipped",
        _E,
        (ORDER, LINK),
        "Jishi: order {number} has been shipped. {site}/{link}",
        "集市：订单{number}已发货。 {site}/{link}",
    ),
    _t(
        "order_delivered",
        _E,
        (ORDER, LINK),
        "Jishi: order {number} was delivered. {site}/{link}",
        "集市：订单{number}已送达。 {site}/{link}",
    ),
    _t(
        "order_completed",
        _E,
        (ORDER, LINK),
        "Jishi: order {number} is complete. Leave a review: {site}/{link}",
        "集市：订单{number}已完成，欢迎评价： {site}/{link}",
    ),
    _t(
        "order_cancelled",
        _E,
        (ORDER, LINK),
        "Jishi: order {number} was cancelled. {site}/{link}",
        "集市：订单{number}已取消。 {site}/{link}",
    ),
    _t(
        "partial_acceptance_agreed",
        _E,
        (ORDER, AMOUNT, LINK),
        "Jishi: seller agreed to partial acceptance of order {number}. Due: {amount}. {site}/{link}",
        "集市：订单{number}部分验收已同意，应付{amount} {site}/{link}",
    ),
    _t(
        "dispute_opened",
        _E,
        (ORDER, LINK),
        "Jishi: a dispute was opened on order {number}. {site}/{link}",
        "集市：订单{number}有纠纷待处理。 {site}/{link}",
    ),
    _t(
        "dispute_resolved",
        _E,
        (ORDER, _p("refund", Kind.MONEY, 11), LINK),
        "Jishi: the dispute on order {number} was resolved. Refund: {refund}. {site}/{link}",
        "集市：订单{number}纠纷已处理，退款{refund}。 {site}/{link}",
    ),
    # Offers.
    _t(
        "offer_made",
        _E,
        (COMMODITY, PRICE, UNIT, LINK),
        "Jishi: new offer for your {commodity}: {price}/{unit}. Reply: {site}/{link}",
        "集市：您的{commodity}有新报价{price}/{unit}，回复： {site}/{link}",
    ),
    _t(
        "offer_countered",
        _E,
        (COMMODITY, PRICE, UNIT, LINK),
        "Jishi: counter-offer for {commodity}: {price}/{unit}. Reply: {site}/{link}",
        "集市：{commodity}收到还价{price}/{unit}，回复： {site}/{link}",
    ),
    _t(
        "offer_accepted",
        _E,
        (COMMODITY, ORDER, LINK),
        "Jishi: your offer on {commodity} was accepted. Order {number}: {site}/{link}",
        "集市：您的{commodity}报价已被接受，订单{number}： {site}/{link}",
    ),
    _t(
        "offer_declined",
        _E,
        (COMMODITY, LINK),
        "Jishi: your offer on {commodity} was declined. {site}/{link}",
        "集市：您的{commodity}报价被拒绝。 {site}/{link}",
    ),
    _t(
        "offer_expired",
        _E,
        (COMMODITY, LINK),
        "Jishi: the offer on {commodity} expired unanswered. {site}/{link}",
        "集市：{commodity}报价已过期未答复。 {site}/{link}",
    ),
    _t(
        "offer_withdrawn",
        _E,
        (COMMODITY, LINK),
        "Jishi: the offer on {commodity} was withdrawn. {site}/{link}",
        "集市：{commodity}报价已撤回。 {site}/{link}",
    ),
    # Matches for a saved search.
    _t(
        "new_match",
        _E,
        (COMMODITY, PRICE, UNIT, LINK),
        "Jishi: new {commodity} offer at {price}/{unit}. See: {site}/{link}",
        "集市：新{commodity}供应，{price}/{unit}，详情： {site}/{link}",
    ),
    _t(
        "new_match_negotiable",
        _E,
        (COMMODITY, LINK),
        "Jishi: new {commodity} offer, price negotiable. See: {site}/{link}",
        "集市：新{commodity}供应，价格面议，详情： {site}/{link}",
    ),
    # Forum, reports, admins.
    _t(
        "forum_reply",
        _E,
        (PAGE_LINK,),
        "Jishi forum: a new reply to your thread. {site}/{link}",
        "集市论坛：您的帖子有新回复。 {site}/{link}",
    ),
    _t(
        "forum_quote",
        _E,
        (PAGE_LINK,),
        "Jishi forum: someone quoted your post. {site}/{link}",
        "集市论坛：有人引用了您的帖子。 {site}/{link}",
    ),
    _t(
        "report_actioned",
        _E,
        (_p("number", Kind.NUMBER, 9), PAGE_LINK),
        "Jishi: thank you. We reviewed your report #{number} and took action. {site}/{link}",
        "集市：谢谢！您的举报#{number}已处理。 {site}/{link}",
    ),
    _t(
        "report_dismissed",
        _E,
        (_p("number", Kind.NUMBER, 9), PAGE_LINK),
        "Jishi: we reviewed your report #{number} and found no rule broken. {site}/{link}",
        "集市：您的举报#{number}已审核，未发现违规。 {site}/{link}",
    ),
    _t(
        "sms_budget_reached",
        _E,
        (_p("budget", Kind.TEXT, 8), _p("period", Kind.TEXT, 4), _p("limit", Kind.NUMBER, 7), PAGE_LINK),
        "Jishi admin: SMS budget reached ({budget}, {period}, {limit}). SMS are being refused. See {site}/{link}",
        "集市管理：短信额度已用完（{budget}，{period}，{limit}），短信正被拒绝。详见 {site}/{link}",
        "to admins when an SMS budget window is full",
    ),
    # Info-station postings: two parts (the station's name and both reply commands).
    _t(
        "station_posting_confirm",
        _E,
        (
            _p("station", Kind.TEXT, 24, shorten=True),
            _p("quantity", Kind.TEXT, 10),
            UNIT,
            COMMODITY,
            PRICE,
            _p("number", Kind.NUMBER, 9),
        ),
        "Jishi: {station} posted {quantity} {unit} {commodity} at {price}/{unit} for you. "
        "Reply YES {number} to publish, NO {number} to discard.",
        "集市：{station}为您发布了{commodity} {quantity}{unit}，{price}/{unit}。回复“确认 {number}”发布，“取消 {number}”删除。",
    ),
    _t(
        "station_posting_confirm_negotiable",
        _E,
        (
            _p("station", Kind.TEXT, 24, shorten=True),
            _p("quantity", Kind.TEXT, 10),
            UNIT,
            COMMODITY,
            _p("number", Kind.NUMBER, 9),
        ),
        "Jishi: {station} posted {quantity} {unit} {commodity} for you. "
        "Reply YES {number} to publish, NO {number} to discard.",
        "集市：{station}为您发布了{commodity} {quantity}{unit}。回复“确认 {number}”发布，“取消 {number}”删除。",
    ),
    # Price alerts: one part; the "_short" variants leave the link out when the names need the room.
    _t(
        "price_alert",
        _A,
        (LINKED_LABEL, UNIT_PRICE, CHANGE, PRICES_LINK),
        "Jishi alert: {commodity} {price} today, {change} vs 7-day avg {site}/{link}",
        "集市提醒:{commodity}今日{price},较7日均价{change} {site}/{link}",
    ),
    _t(
        "price_alert_short",
        _A,
        (LABEL, UNIT_PRICE, CHANGE),
        "Jishi alert: {commodity} {price} today, {change} vs 7-day avg",
        "集市提醒:{commodity}今日{price},较7日均价{change}",
    ),
    _t(
        "price_target_up",
        _A,
        (LINKED_LABEL, UNIT_PRICE, TARGET_PRICE, PRICES_LINK),
        "Jishi: {commodity} rose to {price}, reaching your target {target} {site}/{link}",
        "集市:{commodity}涨至{price},已达目标价{target} {site}/{link}",
    ),
    _t(
        "price_target_up_short",
        _A,
        (LABEL, UNIT_PRICE, TARGET_PRICE),
        "Jishi: {commodity} rose to {price}, reaching your target {target}",
        "集市:{commodity}涨至{price},已达目标价{target}",
    ),
    _t(
        "price_target_down",
        _A,
        (LINKED_LABEL, UNIT_PRICE, TARGET_PRICE, PRICES_LINK),
        "Jishi: {commodity} fell to {price}, reaching your target {target} {site}/{link}",
        "集市:{commodity}跌至{price},已达目标价{target} {site}/{link}",
    ),
    _t(
        "price_target_down_short",
        _A,
        (LABEL, UNIT_PRICE, TARGET_PRICE),
        "Jishi: {commodity} fell to {price}, reaching your target {target}",
        "集市:{commodity}跌至{price},已达目标价{target}",
    ),
    _t(
        "price_digest",
        _D,
        (DIGEST_LABEL, DAY, UNIT_PRICE, CHANGE, PRICES_LINK),
        "Jishi {commodity} {day}: {price} {change} vs 7-day avg {site}/{link}",
        "集市:{commodity} {day} {price} 较7日均价{change} {site}/{link}",
    ),
    _t(
        "price_digest_short",
        _D,
        (LABEL, DAY, UNIT_PRICE, CHANGE),
        "Jishi {commodity} {day}: {price} {change} vs 7-day avg",
        "集市:{commodity} {day} {price} 较7日均价{change}",
    ),
    _t(
        "price_digest_no_change",
        _D,
        (LINKED_LABEL, DAY, UNIT_PRICE, PRICES_LINK),
        "Jishi {commodity} {day}: {price} {site}/{link}",
        "集市:{commodity} {day} {price} {site}/{link}",
    ),
    _t(
        "price_digest_no_change_short",
        _D,
        (LABEL, DAY, UNIT_PRICE),
        "Jishi {commodity} {day}: {price}",
        "集市:{commodity} {day} {price}",
    ),
]

_TEMPLATES += [
    # Replies to an inbound SMS command.
    _t(
        "contract_accepted",
        _R,
        (ORDER, CONTRACT_VERSION, CONTRACT_HASH, CONTRACT_LINK),
        "Jishi: you accepted the contract of order {number}, version {version} (SHA-256 {hash}...). {site}/{link}",
        "集市：您已确认订单{number}的购销合同第{version}版（SHA-256 {hash}…）。 {site}/{link}",
        "reply to CONTRACT J3: the party's acceptance was recorded",
    ),
    _t(
        "contract_already_accepted",
        _R,
        (ORDER, CONTRACT_VERSION, CONTRACT_LINK),
        "Jishi: you already accepted version {version} of the contract of order {number}. {site}/{link}",
        "集市：您已确认过订单{number}的购销合同第{version}版。 {site}/{link}",
        "reply to CONTRACT J3 sent again",
    ),
    _t(
        "contract_phone_unverified",
        _R,
        (ORDER,),
        "Jishi: verify this phone number on the website before accepting the contract of order {number} by SMS.",
        "集市：请先在网站上验证本手机号，再以短信确认订单{number}的购销合同。",
        "reply to CONTRACT J3 from a number the member has not verified",
    ),
]

REGISTRY: dict[str, Template] = {}
for _template in _TEMPLATES:
    _short = f"{_template.name}_short"
    if any(other.name == _short for other in _TEMPLATES):
        _template = replace(_template, fallback=_short)
    REGISTRY[_template.name] = _template
