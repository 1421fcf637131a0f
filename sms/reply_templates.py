"""The replies to SMS commands as registry templates (Category.REPLY; sms/templates.py adds them to
its REGISTRY): one template per distinct answer, fixed text in English and Chinese with bounded
variables, at most sms.limits.REPLY_SEGMENTS parts with the signature (an English text one more
through a mainland provider, as for every template).

What a reply lists — prices, offers, orders — goes in a fixed number of slots (``price1`` …,
``offer1`` …, ``order1`` …), one template per count; names are ``shorten``-able; links are
``{site}/{link}``. app/inbound_sms/replies.py builds the parameters (its docstring says how to add
a reply); docs/sms-templates.md lists every template. A name ending in ``_short`` is the variant
without the link of the template named without it (the registry's ``fallback``, as for price alerts):
a draft's reply drops its link when the link does not fit beside what the farmer wrote.
"""

from __future__ import annotations

from sms.template_spec import Category, Kind, Param, Template
from sms.template_spec import param as _p
from sms.template_spec import template as _template

# /p/<posting>, /o/<order>, /n/<negotiation>, /signup; /prices/<slug> for a commodity's prices.
LINK = _p("link", Kind.PATH, 12)
PRICES_LINK = _p("link", Kind.PATH, 24)
POSTING = _p("number", Kind.NUMBER, 9)
ORDER = _p("number", Kind.REFERENCE, 12)  # J0000003 (what the farmer typed, as J + 7 digits or more)
OFFER_CODE = _p("code", Kind.REFERENCE, 12)  # K7M2 (a code as typed: 2 to 12 letters and digits)
COMMODITY = _p("commodity", Kind.TEXT, 20, shorten=True, zh=6)
QUANTITY = _p("quantity", Kind.TEXT, 10)  # 12,500.5
UNIT = _p("unit", Kind.TEXT, 10, shorten=True, zh=7)  # "head", "袋(50公斤)" (English: t, kg, jin… by code)
# The price per the posting's unit ("¥2,100/t"), followed where it applies by the price as written
# and the weight of a counted unit: "¥50/crate (¥1.67/jin) (15 kg/crate)" (cut at the end if longer).
TERMS = _p("price", Kind.TEXT, 35, shorten=True, zh=26)
# A draft's number, quantity and names: what fits two parts beside both commands and the link.
DRAFT = _p("number", Kind.NUMBER, 8)
DRAFT_COMMODITY = _p("commodity", Kind.TEXT, 17, shorten=True, zh=6)
EXAMPLE = _p("example", Kind.TEXT, 35)  # "e.g. SHIP J0000003 SF SF1234567890": a fixed phrase per command
PRICE_LABEL = _p("commodity", Kind.TEXT, 35, shorten=True, zh=12)  # "maize (Henan)", "玉米 (河南)"
DAY = _p("day", Kind.TEXT, 5)  # 11-26
PRICE_SLOTS = 4
OFFER_SLOTS = 3
ORDER_SLOTS = 4


def _reply(name: str, params: tuple[Param, ...], en: str, zh: str, description: str = "") -> Template:
    return _template(name, Category.REPLY, params, en, zh, description)


def _slots(prefix: str, count: int, length: int, zh: int, last_shortened: bool = False) -> tuple[Param, ...]:
    """``prefix1`` … ``prefix<count>``: text variables of ``length`` characters (``zh`` in Chinese)."""
    return tuple(
        _p(f"{prefix}{n}", Kind.TEXT, length, shorten=last_shortened and n == count, zh=zh) for n in range(1, count + 1)
    )


def _joined(prefix: str, count: int, separator: str) -> str:
    return separator.join(f"{{{prefix}{n}}}" for n in range(1, count + 1))


def _listing_replies() -> list[Template]:
    """Price answers with 1-4 price slots, offers with 1-3, orders with 1-4 (and "n more")."""
    found = []
    for count in range(1, PRICE_SLOTS + 1):
        found.append(
            _reply(
                f"reply_price_{count}",
                (PRICE_LABEL, DAY, *_slots("price", count, 24, 14), PRICES_LINK),
                f"{{commodity}} {{day}}: {_joined('price', count, ', ')}. {{site}}/{{link}}",
                f"{{commodity}} {{day}}：{_joined('price', count, ', ')}。{{site}}/{{link}}",
                f"PRICE with {count} of: traded or reported, asking, bid price, change vs 7 days",
            )
        )
    for count in range(1, OFFER_SLOTS + 1):
        found.append(
            _reply(
                f"reply_offers_{count}",
                _slots("offer", count, 35, 30),
                f"Offers: {_joined('offer', count, '; ')}. Reply ACCEPT, DECLINE or COUNTER + code",
                f"报价：{_joined('offer', count, '；')}。回复“接受”“拒绝”或“还价”加代码",
                f"OFFERS: {count} open offer(s), each code, commodity, quantity and price",
            )
        )
    found.append(
        _reply(
            f"reply_offers_{OFFER_SLOTS}_more",
            (*_slots("offer", OFFER_SLOTS, 35, 30), _p("more", Kind.NUMBER, 3)),
            f"Offers: {_joined('offer', OFFER_SLOTS, '; ')}; {{more}} more on the website. "
            "Reply ACCEPT, DECLINE or COUNTER + code",
            f"报价：{_joined('offer', OFFER_SLOTS, '；')}；另有{{more}}个请上网查看。回复“接受”“拒绝”或“还价”加代码",
            "OFFERS: the first open offers and how many more",
        )
    )
    for count in range(1, ORDER_SLOTS + 1):
        slots = _slots("order", count, 26, 16)
        found.append(
            _reply(
                f"reply_orders_{count}",
                slots,
                f"Orders: {_joined('order', count, '; ')}.",
                f"订单：{_joined('order', count, '；')}。",
                f"ORDERS: {count} open order(s), each with the command it waits for",
            )
        )
        found.append(
            _reply(
                f"reply_orders_{count}_more",
                (*slots, _p("more", Kind.NUMBER, 4)),
                f"Orders: {_joined('order', count, '; ')}; {{more}} more on the website.",
                f"订单：{_joined('order', count, '；')}；另有{{more}}个请上网查看。",
                "ORDERS: the newest open orders and how many more",
            )
        )
    return found


# A parse error's problem, with the command's example as its variable: reason → (English, Chinese).
ERROR_PROBLEMS = {
    "missing_commodity": ("Which commodity?", "哪种农产品？"),
    "unknown_commodity": ("Unknown commodity.", "未知品种。"),
    "unknown_province": ("Unknown province.", "未知省份。"),
    "missing_quantity": ("Missing quantity.", "缺少数量。"),
    "missing_unit": ("Missing unit (t, kg, jin…).", "缺少单位（吨、公斤、斤…）。"),
    "unknown_unit": ("Unknown unit.", "未知单位。"),
    "unit_mismatch": ("Price and quantity units do not match.", "价格和数量单位不一致。"),
    "missing_price": ("Missing price.", "缺少价格。"),
    "not_positive": ("Numbers must be above zero.", "数字必须大于零。"),
    "too_large": ("That number is too large.", "数字太大。"),
    "too_precise": ("Too many decimals.", "小数位太多。"),
    "bad_number": ("Could not read a number.", "无法识别数字。"),
    "missing_number": ("Which draft number?", "哪个草稿编号？"),
    "missing_order_number": ("Which order? Reply ORDERS.", "哪个订单？回复“订单”查看。"),
    "bad_order_number": ("Could not read the order number.", "无法识别订单号。"),
    "bare_order_number": ("Order numbers start with J.", "订单号以J开头。"),
    "missing_code": ("Which offer code? Reply OFFERS.", "哪个报价代码？请回复“报价”。"),
    "bad_code": ("Could not read the code. Reply OFFERS.", "无法识别代码。请回复“报价”。"),
    "not_understood": ("Could not read all of that.", "有部分内容无法识别。"),
    "unreadable": ("Could not read that.", "无法识别。"),  # a reason this list does not know yet
}


def _error_replies() -> list[Template]:
    found = [
        _reply(f"reply_error_{reason}", (EXAMPLE,), f"{en} {{example}}", f"{zh} {{example}}", f"a command's {reason}")
        for reason, (en, zh) in ERROR_PROBLEMS.items()
    ]
    found.append(
        _reply(
            "reply_error_not_understood_text",
            (_p("text", Kind.TEXT, 30, shorten=True), EXAMPLE),
            "Not understood: {text}. {example}",
            "未识别：{text}。 {example}",
            "a command with words it could not read, quoted",
        )
    )
    return found


def _draft(
    name: str, en_tail: str, zh_tail: str, extra: tuple[Param, ...] = (), description: str = ""
) -> list[Template]:
    """A draft read from SELL/BUY: "Draft 12: 5 t maize ¥2,100/t. <tail> <link>" (Chinese: 玉米 5吨 …),
    and its ``_short`` variant without the link, sent when the link does not fit."""
    params = (DRAFT, QUANTITY, UNIT, DRAFT_COMMODITY, TERMS, *extra)
    en = "Draft {number}: {quantity} {unit} {commodity} {price}. " + en_tail
    zh = "草稿{number}：{commodity} {quantity}{unit} {price}。" + zh_tail
    return [
        _reply(name, (*params, LINK), en + " {site}/{link}", zh + "{site}/{link}", description),
        _reply(f"{name}_short", params, en, zh.rstrip(), description + " (no room for the link)"),
    ]


_TEXTS = [
    # Help, limits, opt-out and opt-in.
    _reply(
        "reply_help",
        (),
        "Jishi: PRICE maize | SELL maize 5t 2100 | BUY wheat 20t 2500 | YES 12/NO 12 | OFFERS | "
        "ACCEPT/DECLINE/COUNTER code | ORDERS | CONFIRM/DECLINE/SHIP/PAID J3 | RECEIVED J3 | SUB maize | "
        "UNSUB | STOP",
        "集市短信：价格 玉米｜卖 玉米 5吨 2100｜买 小麦 20吨 2500｜确认 12/取消 12｜报价｜接受/拒绝/还价 代码｜订单｜"
        "确认/拒绝/发货/收款 J3｜收货 J3｜订阅 玉米｜取消订阅｜退订",
        "HELP, and any text that is no command",
    ),
    _reply(
        "reply_too_many",
        (),
        "Jishi: too many messages. Please try again in an hour.",
        "集市：短信太多，请一小时后再试。",
        "the first text over the hourly limit",
    ),
    _reply(
        "reply_signup",
        (LINK,),
        "Jishi: this number is not registered. Sign up to post and trade: {site}/{link}",
        "集市：此号码未注册。注册后可发布和交易：{site}/{link}",
        "a members' command from an unknown number",
    ),
    _reply(
        "reply_suspended",
        (),
        "Jishi: your account is suspended, so you cannot post or trade. You can still check PRICE.",
        "集市：您的账户已被暂停，不能发布或交易，仍可查询价格。",
    ),
    _reply(
        "reply_opted_out",
        (),
        "Jishi: you will get no more SMS from us. Reply START to resume.",
        "集市：您将不再收到我们的短信。回复 START 恢复。",
        "STOP (not sent: the worker never texts a stopped number)",
    ),
    _reply(
        "reply_opted_in", (), "Jishi: SMS resumed. Reply HELP for commands.", "集市：短信已恢复。回复“帮助”查看指令。"
    ),
    _reply(
        "reply_opt_out_hint",
        (),
        "Jishi: to stop all SMS from us, reply STOP on its own. Reply HELP for commands.",
        "集市：回复 退订 确认停止接收短信（只发“退订”两字）。回复 帮助 查看指令。",
    ),
    _reply(
        "reply_already_opted_in",
        (),
        "Jishi: you already get our SMS. To publish a draft, reply YES and its number, e.g. YES 12.",
        "集市：您已在接收我们的短信。发布草稿请回复“确认”加编号，例如“确认 12”。",
    ),
    _reply(
        "reply_unavailable",
        (),
        "Jishi: we could not answer this by SMS. Please see {site}",
        "集市：无法用短信答复，请上网查看 {site}",
        "any reply that could not be rendered (logged)",
    ),
    # SELL / BUY drafts, YES / NO.
    *_draft(
        "reply_draft",
        "Reply YES {number} to publish, NO {number} to discard.",
        "回复“确认 {number}”发布，“取消 {number}”删除。",
        description="SELL/BUY: the draft as read",
    ),
    *_draft(
        "reply_draft_unread",
        "Not understood: {unread}. Reply YES {number} to publish, NO {number} to discard.",
        "未识别：{unread}。回复“确认 {number}”发布，“取消 {number}”删除。",
        (_p("unread", Kind.TEXT, 30, shorten=True, zh=20),),
        "SELL/BUY: the draft as read and the words before the quantity it did not understand",
    ),
    *_draft(
        "reply_draft_counted",
        "YES {number} publishes, NO {number} discards.",
        "回复“确认 {number}”发布，“取消 {number}”删除。 ",
        description="SELL/BUY in a counted unit (head, crate) with its weight",
    ),
    *_draft(
        "reply_draft_counted_no_weight",
        "No kg per {unit}, so no per-kg price comparison. YES {number} publishes.",
        "未写每{unit}几公斤，无法按公斤比价。回复“确认 {number}”发布。 ",
        description="SELL/BUY in a counted unit without its weight",
    ),
    _reply(
        "reply_published",
        (POSTING, QUANTITY, UNIT, COMMODITY, _p("price", Kind.TEXT, 24, zh=20), LINK),
        "Published {number}: {quantity} {unit} {commodity} {price}. {site}/{link}",
        "已发布{number}：{commodity} {quantity}{unit} {price}。{site}/{link}",
        "YES n",
    ),
    _reply(
        "reply_published_negotiable",
        (POSTING, QUANTITY, UNIT, COMMODITY, LINK),
        "Published {number}: {quantity} {unit} {commodity}. {site}/{link}",
        "已发布{number}：{commodity} {quantity}{unit}。{site}/{link}",
        "YES n for a draft without a price (an info station's)",
    ),
    _reply("reply_discarded", (POSTING,), "Draft {number} discarded.", "草稿{number}已删除。", "NO n"),
    _reply(
        "reply_no_such_draft",
        (POSTING,),
        "You have no draft {number}. Reply HELP for commands.",
        "您没有草稿{number}。回复“帮助”查看指令。",
    ),
    _reply(
        "reply_already_published",
        (POSTING, LINK),
        "Posting {number} is already published: {site}/{link}",
        "信息{number}已发布：{site}/{link}",
    ),
    _reply("reply_not_a_draft", (POSTING,), "Posting {number} is not a draft any more.", "信息{number}已不是草稿。"),
    _reply(
        "reply_province_needed_sell",
        (),
        "Which province? Add it at the end, e.g. SELL maize 5t 2100 Henan",
        "哪个省？请加在最后，例：卖 玉米 5吨 2100 河南",
    ),
    _reply(
        "reply_province_needed_buy",
        (),
        "Which province? Add it at the end, e.g. BUY wheat 20t 2500 Henan",
        "哪个省？请加在最后，例：买 小麦 20吨 2500 河南",
    ),
    # Offers.
    _reply("reply_no_offers", (), "Jishi: no open offers for you.", "集市：您没有待回复的报价。"),
    _reply(
        "reply_no_such_offer",
        (OFFER_CODE,),
        "No open offer {code} for you. Reply OFFERS to list them.",
        "没有给您的报价{code}。回复“报价”查看。",
    ),
    _reply(
        "reply_offer_already_accepted",
        (OFFER_CODE, ORDER, LINK),
        "Offer {code} is already accepted. Order {number}: {site}/{link}",
        "报价{code}已接受过。订单{number}：{site}/{link}",
    ),
    _reply("reply_offer_already_declined", (OFFER_CODE,), "Offer {code} is already declined.", "报价{code}已拒绝过。"),
    _reply(
        "reply_offer_already_countered",
        (OFFER_CODE, LINK),
        "Offer {code} is already answered with a counter-offer: {site}/{link}",
        "报价{code}已还过价：{site}/{link}",
    ),
    _reply(
        "reply_offer_ambiguous",
        (),
        "Several offers match that code. Please answer on the website.",
        "多个报价对应此代码，请在网站上回复。",
    ),
    _reply(
        "reply_offer_accepted",
        (ORDER, LINK),
        "Accepted. Order {number}: {site}/{link}",
        "已接受。订单{number}：{site}/{link}",
        "ACCEPT code",
    ),
    _reply("reply_offer_declined", (OFFER_CODE,), "Offer {code} declined.", "已拒绝报价{code}。", "DECLINE code"),
    _reply(
        "reply_offer_countered",
        (_p("price", Kind.MONEY, 10), UNIT, LINK),
        "Counter-offer sent: {price}/{unit}. {site}/{link}",
        "已还价：{price}/{unit}。{site}/{link}",
        "COUNTER code price",
    ),
    # Orders.
    _reply(
        "reply_no_such_order",
        (ORDER,),
        "You have no order {number}. Reply ORDERS to list yours.",
        "您没有订单{number}。回复“订单”查看。",
    ),
    _reply(
        "reply_order_already",
        (ORDER, _p("status", Kind.TEXT, 24, zh=12)),
        "Order {number} is already {status}.",
        "订单{number}已是“{status}”状态。",
        "an order step taken before",
    ),
    _reply(
        "reply_order_confirmed",
        (ORDER, LINK),
        "Order {number} confirmed. When the goods leave, reply SHIP {number}. {site}/{link}",
        "订单{number}已确认。发货后回复“发货 {number}”。 {site}/{link}",
    ),
    _reply(
        "reply_order_declined",
        (ORDER, LINK),
        "Order {number} declined and cancelled. {site}/{link}",
        "订单{number}已拒绝并取消。 {site}/{link}",
    ),
    _reply(
        "reply_order_shipped_with",
        (ORDER, _p("detail", Kind.TEXT, 24, shorten=True), LINK),
        "Order {number} shipped ({detail}). {site}/{link}",
        "订单{number}已发货（{detail}）。 {site}/{link}",
        "SHIP with a waybill or a note",
    ),
    _reply(
        "reply_order_shipped",
        (ORDER, LINK),
        "Order {number} shipped. The buyer replies RECEIVED {number} on arrival. {site}/{link}",
        "订单{number}已发货。买家到货后回复“收货 {number}”。 {site}/{link}",
    ),
    _reply(
        "reply_order_paid",
        (ORDER, LINK),
        "Payment for order {number} recorded. {site}/{link}",
        "订单{number}已确认收款。 {site}/{link}",
    ),
    _reply(
        "reply_order_received",
        (ORDER, LINK),
        "Order {number} received. Thank you. {site}/{link}",
        "订单{number}已确认收货，谢谢。 {site}/{link}",
    ),
    _reply("reply_no_orders", (), "Jishi: you have no open orders.", "集市：您没有进行中的订单。"),
    *[
        _reply(
            "reply_not_done" + (f"_{count}" if count > 1 else ""),
            _slots("reason", count, 35, 35, last_shortened=True),
            "Not done: " + _joined("reason", count, " "),
            "未完成：" + _joined("reason", count, ""),
            "a command the trade, posting or member rules refused, with their reason"
            + (f" (over 35 characters: in {count} variables)" if count > 1 else ""),
        )
        for count in (1, 2, 3)
    ],
    # Prices and subscriptions.
    _reply(
        "reply_price_none",
        (PRICE_LABEL, DAY, PRICES_LINK),
        "{commodity} {day}: no trades. {site}/{link}",
        "{commodity} {day}：暂无成交。{site}/{link}",
    ),
    _reply(
        "reply_no_prices",
        (COMMODITY, PRICES_LINK),
        "No {commodity} prices today. See {site}/{link}",
        "今日暂无{commodity}价格。详见{site}/{link}",
    ),
    _reply(
        "reply_subscribed",
        (PRICE_LABEL, _p("command", Kind.TEXT, 20, zh=6)),
        "Subscribed: daily {commodity} prices. Reply UNSUB {command} to stop.",
        "已订阅每日{commodity}价格。回复“取消订阅 {command}”停止。",
        "SUB commodity [province]",
    ),
    _reply("reply_unsubscribed", (), "Price alerts stopped.", "价格提醒已停止。"),
    _reply("reply_unsubscribed_none", (), "You had no such price alert.", "您没有这项价格提醒。"),
]

REPLY_TEMPLATES: list[Template] = [*_TEXTS, *_listing_replies(), *_error_replies()]
