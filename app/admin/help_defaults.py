"""The help centre as shipped, in English and Simplified Chinese (Markdown). An admin's edit of a page
(a HelpPage row) replaces the text below for that language; deleting nothing is ever needed.

This is content, not interface text, so it lives here rather than in the translation catalogue: an
admin edits it on the site, and both languages are written out in full.
"""

from __future__ import annotations

# Slug → the order of the help centre's index.
SLUGS = ("posting", "buying", "negotiation", "payment", "contracts", "shipping", "disputes", "sms")

PAGES: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "posting": (
            "How to post",
            """\
Anyone who sells can post a **sell offer** (供); anyone who buys can post a **buy request** (求).

1. Choose **Post** in the menu.
2. Pick the commodity by any name you use for it (玉米, 苞米 or "corn" all work).
3. Give the quantity and unit, a price per unit or "negotiable", the province and where the goods are.
4. Add up to six photos. We remove the location data from them.
5. Publish, or save a draft that only you can see.

You can edit, pause, close or renew a posting from **My postings**. Postings end on their
"available until" date. Without a smartphone? An information station can post for you by your
mobile number, or use the SMS commands.
""",
        ),
        "buying": (
            "How to buy",
            """\
1. Search the **Market**: type what you call it, as you would say it — "河南玉米", "新鲜地瓜", "烟台苹果 收购",
   "yumi", "apples" or Traditional characters all work. The page shows how it read your words (commodity,
   province or city, quality, sell or buy); tap × on a part to search without it. Then filter by
   province, price per kg or quantity.
2. Check the seller: the ✔ **Trusted member** badge (licence checked by Jishi), *member since*,
   completed orders and rating are on every posting and storefront.
3. A fixed price? Use **Buy now**. Otherwise **Make an offer**.
4. The seller confirms the order; then you pay (see *Payment*) and follow the delivery.
5. When the goods arrive, confirm receipt. You can review the seller after completion.

Keep every step on Jishi: only then can we help you in a dispute.
""",
        ),
        "negotiation": (
            "How negotiation works",
            """\
An offer names a quantity, a unit price and delivery (you collect or the seller delivers).

- The other side can **accept**, **decline** or send a **counter-offer**. Only the latest open offer
  can be accepted, and only by the other party.
- Offers lapse after a while if nobody answers.
- Accepting creates the order at once; the stock is reserved for you.
- Messages in the thread are private between you two (admins may read them to settle a dispute).

**Stay on Jishi.** If someone asks you to call, pay or chat somewhere else, we show a warning. Trades
agreed outside Jishi have no order record, no payment protection and no dispute help.
""",
        ),
        "payment": (
            "How payment works",
            """\
After the seller confirms the order, the buyer chooses how to pay on the order page:

- **Bank transfer or cash on delivery**: once the seller has confirmed the order, the order page
  shows the seller's **payee account** (account holder, bank, account number) and whether the seller
  is a trusted member. Pay into that account quoting the order number, then type the transfer
  reference. The seller checks the account and marks the payment as received.
- **Card or online payment** where enabled: you are sent to the payment page and come back to the order.

Never pay into an account sent to you in a message or by phone: the order page is the only place
that shows how to pay. When a message in a negotiation carries an account number that differs from
the seller's registered payee account, we show a warning — do not pay into it, and report it.
Refunds from a dispute go back the same way you paid.

**Sellers:** register your payee account under **Account → Payee account**. Buyers see it only on
their own orders after you confirm them; it is never shown on your postings or storefront.
""",
        ),
        "contracts": (
            "Purchase contracts",
            """\
Every order has a **purchase contract** (购销合同): open the order and choose **Purchase contract**.
It names both parties and whether each is a trusted member (with the business licence Jishi
checked), the goods with their spec and grade, the quantity, price and total, how and by when the
goods are delivered, how payment is made, and how disputes are settled.

- **Accept** it on the contract page (tick the box), or by SMS from your verified phone:
  `CONTRACT J0000003` or `合同 J3`. We record who accepted, when, and the SHA-256 fingerprint of the
  exact text — shown under the contract — so nobody can change it afterwards.
- The **Chinese text prevails**; the English text is a translation for reference. You may accept
  either; both belong to the same version.
- If the order's terms change after you accepted (for example the seller agreed to a partial
  acceptance), a **new version** appears and both parties accept it again. Earlier versions stay on
  the contract page, readable by the two of you only.
- **Download PDF** gives you the contract with its fingerprint and the acceptances, to print or keep.
""",
        ),
        "shipping": (
            "How shipping works",
            """\
The seller adds the shipment on the order page: the carrier or their own truck, the tracking number
and the expected date. For the common express carriers (SF, ZTO, YTO, Yunda, STO, JD, EMS, Deppon,
J&T …) the carrier's track then appears on the order page by itself, through Kuaidi100. For a truck
the seller enters the driver's mobile number and the number plate (such as 豫A12345); only the buyer
and the seller see them. A driver can update the status from a link without an account.

The order moves to *shipped* and then *delivered*. The buyer checks the goods and confirms receipt,
or accepts part of them (for example 9 of 10 t) — the seller agrees to the lower amount or the buyer
opens a dispute.
""",
        ),
        "disputes": (
            "Disputes",
            """\
If goods do not arrive, are not as described or the quantity is short, the buyer can **open a
dispute** on the order page within the dispute window after delivery. Say what happened; photos help.

An admin reads the order, its timeline and the negotiation, may contact both sides, and decides a
full, partial or no refund. Both sides are told the outcome.

To report a fake seller, a scam or abuse, use **Report** on the posting, the storefront or the
negotiation. You are told what we did.
""",
        ),
        "sms": (
            "SMS commands",
            """\
Send these to the Jishi number. English and Chinese keywords both work; Chinese keywords need no space.

| Command | Example | What it does |
| --- | --- | --- |
| SELL / 卖 (出售, 供应, 卖出) | `SELL maize 5t 2100` · `卖，玉米，5吨，1块2一斤` | Draft a sell offer (we reply with its number and what we read) |
| BUY / 买 (求购, 收购, 采购, 收) | `BUY wheat 20t 2500` · `求购 小麦 20吨` | Draft a buy request |
| YES / CONFIRM / 确认 (确定, 发布, 好, 是) + number | `YES 12` · `确认 12` | Publish draft 12 |
| NO / CANCEL / 取消 (不要, 删除) + number | `NO 12` · `取消 12` | Discard draft 12 |
| PRICE / PRICES / 价格 (行情, 价钱, 多少钱, 多少钱一斤, 啥价) | `PRICE maize Henan` · `河南玉米价格` · `玉米多少钱一斤` | Latest prices |
| OFFERS / 报价 | `OFFERS` · `报价` | Open offers on your postings, each with a code |
| ACCEPT / 接受 (同意) + code | `ACCEPT K7Q2` · `同意 K7Q2` | Accept that offer |
| DECLINE / 拒绝 + code | `DECLINE K7Q2` · `拒绝 K7Q2` | Decline it |
| COUNTER / 还价 + code + price | `COUNTER K7Q2 2000` · `还价 K7Q2 1.1元/斤` | Counter-offer a new price |
| ORDERS / ORDER / 订单 (我的订单) | `ORDERS` · `订单` | Your open orders, each with the command it waits for from you |
| CONFIRM / 确认 + order number | `CONFIRM J0000003` · `确认 J3` | Seller: confirm the order |
| DECLINE / 拒绝 + order number | `DECLINE J0000003` · `拒绝 J3` | Seller: decline (cancel) the order |
| SHIP / SHIPPED / DISPATCH / DISPATCHED / 发货 (已发货, 确认发货, 发车) + order number [+ carrier and waybill, or plate] | `SHIP J3 SF SF1234567890` · `发货 J3 豫A12345` | Seller: mark the order shipped |
| PAID / 收款 (已收款, 确认收款, 收到款, 收到钱, 款已收, 已收到款) + order number | `PAID J3` · `收款 J3` | Seller: cash or transfer received |
| RECEIVED / DELIVERED / 收货 (已收货, 确认收货, 收到货, 到货, 货已收到) + order number | `RECEIVED J3` · `确认收货 J3` | Buyer: goods received |
| CONTRACT / 合同 (同意合同, 接受合同, 确认合同, 签合同, 签署合同) + order number | `CONTRACT J3` · `合同 J3` | Buyer or seller: accept the order's current purchase contract |
| SUB / SUBSCRIBE / 订阅 | `SUB maize Henan` · `订阅玉米价格` | Price alerts for a commodity |
| UNSUB / 取消订阅 | `UNSUB maize` · `取消订阅` | Stop price alerts (all of them when bare) |
| HELP / INFO / 帮助 | `HELP` · `帮助` | This list, short |
| STOP / STOPALL / UNSUBSCRIBE / CANCEL / END / QUIT / N / TD / 退订 / 取消 — the word alone | `STOP` · `退订` | No more SMS from Jishi |
| START / UNSTOP / YES — the word alone | `START` | SMS again, after STOP |

Write as you would say it: any punctuation, Traditional characters, pinyin (`yumi`), local names
(`棒子`, `地瓜`), Chinese numbers (`两吨`, `3万5斤`) and money (`1块2`, `一块五`, `8毛`) all work. The reply
always repeats the quantity, unit and price we read, and names any part we could not read.

Prices are per the unit you name (`/jin`, `元/斤`); without one they are per the quantity's unit.

**Counted units**: head (`头`, `只`), bag (`袋`), box (`箱`), crate (`筐`), piece (`个`, `件`), bunch (`把`) are priced per
unit. Add how heavy one is so buyers can compare per kg: `卖 苹果 20筐 每筐30斤 120` (15 kg per crate at ¥120 a
crate) or `SELL apple 20 crates 15 kg per crate 120`. Without it the reply says per-kg comparison is unavailable.

**Order numbers** start with J (`J0000003`, or short `J3`); a number without J is a draft number. Only the
seller confirms, declines, ships and records payment; only the buyer confirms receipt. Sending a step
twice does it once: the second reply says it is already done.
""",
        ),
    },
    "zh_Hans": {
        "posting": (
            "如何发布",
            """\
卖家可以发布**供应**（供），买家可以发布**求购**（求）。

1. 点菜单里的**发布**。
2. 用您习惯的叫法选品种（玉米、苞米或 corn 都行）。
3. 填写数量和单位、单价或"面议"、省份和货物所在地。
4. 最多上传六张照片，我们会删除照片里的位置信息。
5. 发布，或者先存为只有您能看到的草稿。

在**我的发布**里可以修改、暂停、关闭或续期。到了"供应截止"日期会自动过期。没有智能手机？
可以请信息站用您的手机号代发，或者用短信指令。
""",
        ),
        "buying": (
            "如何购买",
            """\
1. 在**市场**里搜索您平时的叫法，怎么说就怎么输入："河南玉米"、"新鲜地瓜"、"烟台苹果 收购"、拼音"yumi"、
   英文或繁体字都可以。页面会显示它是怎么理解的（品种、省份或城市、品质、出售还是求购），点某一项旁边的
   × 就去掉这一项再搜。然后再按省份、每公斤价格或数量筛选。
2. 看清卖家：每个发布和店铺都显示 ✔ **认证会员**（集市已核验执照）、注册时间、完成订单数和评分。
3. 一口价的点**立即购买**，否则点**出价**。
4. 卖家确认订单后付款（见"付款"），然后跟踪发货。
5. 收到货后确认收货。订单完成后可以评价卖家。

每一步都请在集市上完成，出了纠纷我们才能帮您。
""",
        ),
        "negotiation": (
            "议价怎么进行",
            """\
出价包括数量、单价和交货方式（买家自提或卖家送货）。

- 对方可以**接受**、**拒绝**或**还价**。只有最新的有效出价可以被接受，而且只能由对方接受。
- 没人回复的出价过一段时间会失效。
- 接受后马上生成订单，库存为您保留。
- 议价里的消息只有你们双方能看到（处理纠纷时管理员可以查看）。

**请留在集市交易。** 如果有人让您打电话、加微信或去别处付款，我们会提醒您。在集市外谈成的交易
没有订单记录、没有付款保障，也无法申请纠纷处理。
""",
        ),
        "payment": (
            "如何付款",
            """\
卖家确认订单后，买家在订单页选择付款方式：

- **银行转账或货到付款**：卖家确认订单后，订单页显示卖家的**收款账户**（户名、开户行、账号）以及卖家是否为
  认证会员。按订单号备注转账到这个账户，然后填写转账流水号。卖家核对后标记"已收款"。
- **在线支付**（如已开通）：跳转到支付页面，付完回到订单。

千万不要付款到别人在消息里或电话里给您的账户：只有订单页显示怎么付款。如果议价消息里的账号与卖家登记的
收款账户不一致，我们会显示警告——请不要付款，并举报。纠纷退款按原路退回。

**卖家：**请在**账户 → 收款账户**登记您的收款账户。买家只有在您确认订单后才能在自己的订单上看到它；
它永远不会显示在您的供求信息或店铺页面上。
""",
        ),
        "contracts": (
            "购销合同",
            """\
每个订单都有一份**购销合同**：打开订单，点**购销合同**。合同写明双方名称及是否为认证会员（附集市核验过的营业执照号）、
货物的规格和等级、数量、单价和金额、交货方式和日期、付款方式以及争议解决办法。

- 在合同页勾选后点**确认**，或用已验证的手机发短信：`合同 J3`（也可以发`同意合同 J3`、`CONTRACT J3`）。
  我们记录谁确认、何时确认，以及合同原文的 SHA-256 指纹（显示在合同下方），事后谁也改不了。
- **以中文文本为准**，英文文本为参考译文。确认哪一种都可以，两者属于同一版本。
- 确认后如果订单条款变了（比如卖家同意了部分收货），会生成**新版本**，双方需重新确认。旧版本保留在合同页，只有双方能看。
- 点**下载PDF**可以保存或打印合同，上面有指纹和双方的确认记录。
""",
        ),
        "shipping": (
            "如何发货",
            """\
卖家在订单页添加发货信息：物流公司或自家货车、运单号和预计到达日期。常用快递（顺丰、中通、
圆通、韵达、申通、京东、EMS、德邦、极兔等）的物流轨迹会经快递100自动显示在订单页。自家货车请填写
司机手机号和车牌号（如 豫A12345），只有买卖双方能看到。司机不用注册，用链接就能更新状态。

订单会变成"已发货"，然后"已送达"。买家验货后确认收货，也可以只收一部分（比如 10 吨收 9 吨）——
卖家同意按少的金额结算，或者买家申请纠纷。
""",
        ),
        "disputes": (
            "纠纷处理",
            """\
如果货没到、货不对板或数量不足，买家可以在送达后的期限内在订单页**申请纠纷**，说明情况，
有照片更好。

管理员会查看订单、时间线和议价记录，必要时联系双方，然后决定全额、部分或不退款，并通知双方。

要举报假卖家、骗局或辱骂，请在发布、店铺或议价页点**举报**。处理结果会通知您。
""",
        ),
        "sms": (
            "短信指令",
            """\
把下面的指令发到集市的号码。中英文关键词都可以，中文关键词后面不用空格。

| 指令 | 例子 | 作用 |
| --- | --- | --- |
| 卖 / SELL（出售、供应、卖出） | `卖，玉米，5吨，1块2一斤` · `SELL maize 5t 2100` | 起草供应（回复草稿编号和读到的内容） |
| 买 / BUY（求购、收购、采购、收） | `求购 小麦 20吨` · `BUY wheat 20t 2500` | 起草求购 |
| 确认 / YES / CONFIRM（确定、发布、好、是）+ 编号 | `确认 12` · `YES 12` | 发布 12 号草稿 |
| 取消 / NO / CANCEL（不要、删除）+ 编号 | `取消 12` · `NO 12` | 删除 12 号草稿 |
| 价格 / PRICE / PRICES（行情、价钱、多少钱、多少钱一斤、啥价） | `河南玉米价格` · `玉米多少钱一斤` · `PRICE maize Henan` | 查最新价格 |
| 报价 / OFFERS | `报价` · `OFFERS` | 查看您收到的出价，每个有代码 |
| 接受 / ACCEPT（同意）+ 代码 | `同意 K7Q2` · `ACCEPT K7Q2` | 接受这个出价 |
| 拒绝 / DECLINE + 代码 | `拒绝 K7Q2` · `DECLINE K7Q2` | 拒绝 |
| 还价 / COUNTER + 代码 + 价格 | `还价 K7Q2 1.1元/斤` · `COUNTER K7Q2 2000` | 还一个新价格 |
| 订单 / ORDERS / ORDER（我的订单） | `订单` · `ORDERS` | 查看进行中的订单，以及每个订单等您发的指令 |
| 确认 / CONFIRM + 订单号 | `确认 J0000003` · `CONFIRM J3` | 卖家：确认订单 |
| 拒绝 / DECLINE + 订单号 | `拒绝 J3` · `DECLINE J3` | 卖家：拒绝（取消）订单 |
| 发货 / SHIP / SHIPPED / DISPATCH / DISPATCHED（已发货、确认发货、发车）+ 订单号 [+ 快递和单号，或车牌] | `发货 J3 顺丰 SF1234567890` · `发货 J3 豫A12345` | 卖家：标记已发货 |
| 收款 / PAID（已收款、确认收款、收到款、收到钱、款已收、已收到款）+ 订单号 | `收款 J3` · `PAID J3` | 卖家：已收到现金或转账 |
| 收货 / RECEIVED / DELIVERED（已收货、确认收货、收到货、到货、货已收到）+ 订单号 | `确认收货 J3` · `RECEIVED J3` | 买家：已收到货 |
| 合同 / CONTRACT（同意合同、接受合同、确认合同、签合同、签署合同）+ 订单号 | `合同 J3` · `CONTRACT J3` | 买家或卖家：确认订单当前的购销合同 |
| 订阅 / SUB / SUBSCRIBE | `订阅玉米价格` · `SUB maize Henan` | 订阅价格提醒 |
| 取消订阅 / UNSUB | `取消订阅 玉米` · `取消订阅` | 停止价格提醒（不带品种则全部停止） |
| 帮助 / HELP / INFO | `帮助` · `HELP` | 简短指令列表 |
| 退订 / TD / 取消 / STOP / STOPALL / UNSUBSCRIBE / CANCEL / END / QUIT / N —— 只发这一个词 | `退订` · `STOP` | 不再接收集市短信 |
| START / UNSTOP / YES —— 只发这一个词 | `START` | 退订后重新接收短信 |

怎么说就怎么写：标点、繁体字、拼音（`yumi`）、方言叫法（`棒子`、`地瓜`）、中文数字（`两吨`、`3万5斤`）和钱数
（`1块2`、`一块五`、`8毛`）都能看懂。回复总会写出我们读到的数量、单位和价格，没看懂的部分也会指出来。

价格按您写的单位计算（`元/斤`、`/jin`）；不写单位就按数量的单位。

**按个数卖**：头（`只`）、袋、箱、筐、个（`件`）、把都按每个计价。写上每个多重，买家才能按公斤比价：
`卖 苹果 20筐 每筐30斤 120`（每筐15公斤，每筐¥120）。不写的话，回复会提醒无法按公斤比价。

**订单号**以J开头（`J0000003`，也可简写`J3`）；不带J的数字是草稿编号。只有卖家能确认、拒绝、发货和确认收款，
只有买家能确认收货。同一步发两次只会做一次，第二次回复会说明已经做过。
""",
        ),
    },
}
