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
from dataclasses import dataclass, replace

from sms.reply_templates import REPLY_TEMPLATES
from sms.segments import SegmentInfo, count_segments
from sms.template_spec import Category, Kind, Param, Template
from sms.template_spec import param as _p
from sms.template_spec import template as _t

log = logging.getLogger(__name__)

# A variable longer than this is refused by Alibaba Cloud for "other" variables; Tencent's limits
# for an enterprise account are no stricter. Every spec stays within it.
PROVIDER_MAX_VARIABLE_LENGTH = 35
LANGUAGES = ("en", "zh")
SHORTENED_MARK = {"en": ".", "zh": "…"}


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


def without_links(value: str) -> str:
    """``value`` on one line without what a provider reads as a link or a contact (web addresses,
    e-mail, 【】): free text such as an answer's first words, made fit for a TEXT variable."""
    return " ".join(_URL_LIKE.sub(" ", value or "").split())


def looks_like_link(value: str) -> bool:
    """True when ``value`` has what a provider reads as a link or a contact (refused in a TEXT
    variable): callers putting a member's own words in a reply check it first."""
    return bool(_URL_LIKE.search(value))


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


# Links: the short routes /o/<order>, /n/<negotiation>, /p/<posting>; the forum, account and admin
# pages; a commodity's prices (its slug: a long one leaves the link out of a Chinese alert).
LINK = _p("link", Kind.PATH, 10)
PAGE_LINK = _p("link", Kind.PATH, 16)
PARTY_NAME = _p("name", Kind.TEXT, 20, shorten=True, zh=6)  # a member's display name
LOT_COUNT = _p("count", Kind.NUMBER, 2)  # a basket holds at most 30 lots
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
# A storefront's name in "new goods from a store you follow".
STORE = _p("store", Kind.TEXT, 20, shorten=True, zh=6)
# Ask an expert: the question's number, its link with the secret token, the answer's first words.
QUESTION = _p("number", Kind.NUMBER, 9)
QUESTION_LINK = _p("link", Kind.PATH, 24)  # q/123456789/abcdefghijkl
EXCERPT = _p("excerpt", Kind.TEXT, 35, shorten=True, zh=30)


_C, _E, _A, _D, _R = Category.CODE, Category.EVENT, Category.ALERT, Category.DIGEST, Category.REPLY
# Replies to CONTRACT J3: the contract's version, the first 8 hex digits of the SHA-256 of the text
# accepted, and the contract page (orders/<id>/contract).
CONTRACT_VERSION = _p("version", Kind.NUMBER, 3)
CONTRACT_HASH = _p("hash", Kind.REFERENCE, 8)
CONTRACT_LINK = _p("link", Kind.PATH, 28)  # orders/2147483647/contract
# The order number as the party typed it (J + 7 digits or more), as in every other command reply.
CONTRACT_ORDER = _p("number", Kind.REFERENCE, 12)

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
    # Pooled supply (拼单): parts of a big buy request (app/pooling).
    # Basket price requests: the other party's name, how many lots, the request (/bq/<id>).
    _t(
        "basket_quote_requested",
        _E,
        (PARTY_NAME, LOT_COUNT, PAGE_LINK),
        "Jishi: {name} asks your price for {count} lots. Answer: {site}/{link}",
        "集市：{name}请您报价{count}个货品： {site}/{link}",
        "tells a seller that a buyer asked for a price for all their lots in the basket",
    ),
    _t(
        "basket_quote_priced",
        _E,
        (PARTY_NAME, LOT_COUNT, PAGE_LINK),
        "Jishi: {name} priced your {count} lots. Accept or decline: {site}/{link}",
        "集市：{name}已为{count}个货品报价，请确认： {site}/{link}",
        "tells the buyer that the seller priced every lot of their request",
    ),
    _t(
        "basket_quote_declined",
        _E,
        (PARTY_NAME, LOT_COUNT, PAGE_LINK),
        "Jishi: {name} declined the price request for {count} lots. {site}/{link}",
        "集市：{name}拒绝了{count}个货品的报价。 {site}/{link}",
        "tells one party that the other declined a basket price request",
    ),
    _t(
        "basket_quote_withdrawn",
        _E,
        (PARTY_NAME, LOT_COUNT, PAGE_LINK),
        "Jishi: {name} withdrew the price request for {count} lots. {site}/{link}",
        "集市：{name}撤回了{count}个货品的报价请求。 {site}/{link}",
        "tells the seller that the buyer withdrew an unanswered price request",
    ),
    _t(
        "part_offered",
        _E,
        (COMMODITY, PRICE, UNIT, LINK),
        "Jishi: a part was offered for your {commodity} request at {price}/{unit}. {site}/{link}",
        "集市：您的{commodity}求购收到拼单，{price}/{unit}。 {site}/{link}",
        "tells a buyer that a seller or station offered a part of their pooled buy request",
    ),
    _t(
        "part_accepted",
        _E,
        (COMMODITY, ORDER, LINK),
        "Jishi: your part of the {commodity} request was accepted. Order {number}: {site}/{link}",
        "集市：您的{commodity}拼单已被接受，订单{number}： {site}/{link}",
        "tells the seller (or station) that the buyer accepted their part",
    ),
    _t(
        "part_declined",
        _E,
        (COMMODITY, LINK),
        "Jishi: your part of the {commodity} request was declined. {site}/{link}",
        "集市：您的{commodity}拼单被拒绝。 {site}/{link}",
        "tells the seller (or station) that the buyer declined their part",
    ),
    _t(
        "part_lapsed",
        _E,
        (COMMODITY, LINK),
        "Jishi: the {commodity} request was filled by other parts; yours is closed. {site}/{link}",
        "集市：{commodity}求购已由其他拼单补足，您的拼单已关闭。 {site}/{link}",
        "tells a seller that the request was filled before the buyer answered their part",
    ),
    _t(
        "part_withdrawn",
        _E,
        (COMMODITY, LINK),
        "Jishi: a seller withdrew a part of your {commodity} request. {site}/{link}",
        "集市：您的{commodity}求购有一份拼单被卖家撤回。 {site}/{link}",
        "tells the buyer that a seller withdrew a part before it was answered",
    ),
    _t(
        "pool_share_sold",
        _E,
        (COMMODITY, AMOUNT),
        "Jishi: your {commodity} in an information station's pooled part was sold. Your pay-out: {amount}.",
        "集市：您在信息站拼单中的{commodity}已售出，您应得{amount}。",
        "tells each farmer of a station's pooled part that it was sold, with their pay-out",
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
    # New goods from a followed store: at most one per follower, store and day.
    _t(
        "store_new_goods",
        _E,
        (STORE, COMMODITY, LINK),
        "Jishi: {store}, a store you follow, has new {commodity}. See: {site}/{link}",
        "集市：您关注的{store}上新{commodity}，详情： {site}/{link}",
        "a store the member follows posted new goods (one a store a day)",
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
    # Ask an expert (issue 24 point 5). The question's link carries its secret token (q/<id>/<token>),
    # so an SMS asker without an account reads the answer; the excerpt is the answer's first words.
    _t(
        "knowledge_question_new",
        _E,
        (COMMODITY, QUESTION, PAGE_LINK),
        "Jishi experts: a new {commodity} question {number} is waiting. Answer: {site}/{link}",
        "集市专家：新的{commodity}问题{number}待解答： {site}/{link}",
        "to the experts of the question's commodity (all experts when none covers it)",
    ),
    _t(
        "knowledge_question_new_general",
        _E,
        (QUESTION, PAGE_LINK),
        "Jishi experts: a new question {number} is waiting. Answer: {site}/{link}",
        "集市专家：新问题{number}待解答： {site}/{link}",
        "the same, for a question about no particular commodity",
    ),
    _t(
        "knowledge_answer",
        _E,
        (QUESTION, EXCERPT, QUESTION_LINK),
        "Jishi: expert answer to your question {number}: {excerpt} Full answer: {site}/{link}",
        "集市：问题{number}的专家答复：{excerpt} 详见 {site}/{link}",
        "to the asker (or the farmer a station asked for) when an expert answered; two parts",
    ),
    _t(
        "knowledge_answer_private",
        _E,
        (QUESTION, EXCERPT, QUESTION_LINK),
        "Jishi: expert answer to your question {number}: {excerpt} Full answer: {site}/{link} "
        "Reply PUBLIC {number} to share it.",
        "集市：问题{number}的专家答复：{excerpt} 详见 {site}/{link} 回复“公开 {number}”即可公开。",
        "the same, for a private question: how to make it public; two parts",
    ),
    _t(
        "knowledge_question_received",
        _R,
        (QUESTION, QUESTION_LINK),
        "Jishi: question {number} received. An expert will answer by SMS. "
        "Reply PUBLIC {number} to let others read the answer too. {site}/{link}",
        "集市：已收到问题{number}，专家解答后短信告诉您。回复“公开 {number}”可让他人也看到答复。 {site}/{link}",
        "reply to ASK / 问",
    ),
    _t(
        "knowledge_question_empty",
        _R,
        (PAGE_LINK,),
        "Jishi: write your question after ASK, e.g. ASK maize yellow leaves. Or ask here: {site}/{link}",
        "集市：请在“问”后写下问题，例如：问 玉米 叶子发黄。也可在网上提问： {site}/{link}",
        "reply to ASK / 问 without a question",
    ),
    _t(
        "knowledge_question_limit",
        _R,
        (_p("count", Kind.NUMBER, 3), PAGE_LINK),
        "Jishi: you asked {count} questions in the last day. Please wait for their answers. "
        "Farming tips: {site}/{link}",
        "集市：您一天内已提问{count}次，请等待专家答复。农技知识： {site}/{link}",
        "reply to ASK / 问 over the daily limit",
    ),
    _t(
        "knowledge_question_published",
        _R,
        (QUESTION, PAGE_LINK),
        "Jishi: question {number} and its answer can now be read by everyone. {site}/{link}",
        "集市：问题{number}及其答复已公开。 {site}/{link}",
        "reply to PUBLIC n / 公开 n",
    ),
    _t(
        "knowledge_question_unknown",
        _R,
        (QUESTION,),
        "Jishi: no question {number} was asked from this number.",
        "集市：此号码没有提过问题{number}。",
        "reply to PUBLIC n / 公开 n for someone else's (or no) question",
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

# Replies to SMS commands are listed apart (sms/reply_templates.py), one per distinct answer.
_TEMPLATES += REPLY_TEMPLATES
_TEMPLATES += [
    # Replies to an inbound SMS command.
    _t(
        "contract_accepted",
        _R,
        (CONTRACT_ORDER, CONTRACT_VERSION, CONTRACT_HASH, CONTRACT_LINK),
        "Jishi: you accepted the contract of order {number}, version {version} (SHA-256 {hash}...). {site}/{link}",
        "集市：您已确认订单{number}的购销合同第{version}版（SHA-256 {hash}…）。 {site}/{link}",
        "reply to CONTRACT J3: the party's acceptance was recorded",
    ),
    _t(
        "contract_already_accepted",
        _R,
        (CONTRACT_ORDER, CONTRACT_VERSION, CONTRACT_LINK),
        "Jishi: you already accepted version {version} of the contract of order {number}. {site}/{link}",
        "集市：您已确认过订单{number}的购销合同第{version}版。 {site}/{link}",
        "reply to CONTRACT J3 sent again",
    ),
    _t(
        "contract_phone_unverified",
        _R,
        (CONTRACT_ORDER,),
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
