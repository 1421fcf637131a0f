"""The help centre as shipped, in English and Simplified Chinese (Markdown). An admin's edit of a page
(a HelpPage row) replaces the text below for that language; deleting nothing is ever needed.

This is content, not interface text, so it lives here rather than in the translation catalogue: an
admin edits it on the site, and both languages are written out in full.
"""

from __future__ import annotations

# Slug → the order of the help centre's index.
SLUGS = (
    "posting",
    "buying",
    "basket",
    "following",
    "negotiation",
    "pooled-supply",
    "payment",
    "contracts",
    "shipping",
    "disputes",
    "sms",
    "knowledge",
)

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
        "following": (
            "Following a store",
            """\
Like a seller's goods? Open their store page (the seller's name on a posting leads there) and choose
**Follow**. You need to be logged in; you cannot follow your own store.

- When a store you follow posts a new **sell offer**, it appears under **Account → Stores I follow**.
- We also tell you by SMS and e-mail, **at most once a day per store**, however many lots it posts:
  the first new lot of the day, with a link; the rest are on the store's page and your list.
- Choose the channels under **Account → Notification settings → New goods from stores I follow**.
  The usual rules hold: no SMS at night (21:00–07:00, they wait until morning), a daily SMS limit,
  and no SMS at all after you text **STOP** (退订) — text START to receive SMS again.
- Every such e-mail has a **Stop these e-mails** link; it switches off only these e-mails.
- Stop following at any time from the store's page or from **Stores I follow**.

Sellers see how many members follow their store on their **Dashboard** and on the store page.
""",
        ),
        "basket": (
            "Ordering several lots together (basket)",
            """\
On a sell offer with a fixed price, **Add to basket** keeps the lot and the quantity you want. Your
basket is saved with your account, so it is the same on your phone and your computer. Open it from
**Basket** in the menu.

- Lots from **one seller** become **one order**: one delivery, one payment, one delivery note
  listing every lot. Lots from different sellers become one order per seller.
- Each lot is checked again when you place the order: still on sale, enough left and at least the
  seller's minimum order. If one lot of a seller has sold out meanwhile, that seller's order is
  not placed (nothing of it is reserved) and the basket tells you which lot; the orders from the
  other sellers go ahead.
- The price is the listed price when you place the order. To bargain over all of one seller's lots
  at once, press **Ask for a price for these lots**: you may propose a price per lot, the seller
  answers with a price for each lot (or declines), and if you accept, the lots become one order at
  those prices. Asking reserves nothing; the seller may have sold out by the time you accept. Your
  requests are under **Price requests** (also linked from *Negotiations*).
- Pressing the button twice, or reloading the page after ordering, never places an order twice.
- Cancelling a basket order gives every lot's quantity back to the seller's offers.

You cannot put your own offers, buy requests or offers without a fixed price in the basket.
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
        "pooled-supply": (
            "Pooled supply: one big request, several sellers (拼单)",
            """\
A buyer who needs more than one farm can sell — say 30 tonnes of maize — can let **several sellers
fill one buy request**.

**For the buyer**

1. Open your buy request, choose **Parts from several sellers**, give the **smallest part** you
   accept (for example 5 tonnes) and choose **Open to parts**.
2. Sellers offer parts: a quantity of at least your smallest part (the last one may be exactly what
   is still wanted), a price per unit and delivery. You are told of each new part.
3. The page shows **filled vs wanted** as a bar, and every part. **Accept** the parts you want, one by
   one, or **Decline** them. Each accepted part becomes an ordinary order with that seller, paid,
   shipped and received like any other.
4. You can never accept more than you asked for: a part bigger than what is still wanted is
   refused. When the request is full it closes, and parts still waiting are closed (their sellers
   are told). If an order is cancelled, its quantity is wanted again and the request reopens.

**For a seller**

Open the buy request, choose **Offer a part or see how much is filled**, and send your quantity and
price. You have one part waiting at a time; you can **withdraw** it until the buyer answers.

**For an information station or co-op**

A station can **pool its farmers' lots** into one part: on the parts page choose **Pool several
farmers' lots**, write one line per farmer (mobile number, quantity) and the price. Only your own
farmers can be listed (farmers your station registered or posted for); a new number becomes one of
your farmers. The part is offered and the order made in the station's name, and Jishi records
**each farmer's share**: quantity × price, the market fee on it and the farmer's pay-out. When the
buyer pays through WeChat Pay or Alipay with split settlement, each farmer is paid their own
pay-out straight to the payout account they recorded (**Account → Payout account for split settlements**) once the sale
is final; a farmer without one is paid as soon as they record it. Farmers with a verified mobile
number get an SMS when their lot is sold.
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
| ASK / QUESTION / 问 (提问, 问题) + your question | `ASK maize yellow leaves` · `问 玉米 叶子发黄` | A question to our experts; the answer comes by SMS |
| PUBLIC / 公开 + question number | `PUBLIC 12` · `公开 12` | Let everyone read question 12 and its answer on the site |
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
        "knowledge": (
            "Farming knowledge and ask an expert",
            """\
**Farming knowledge** (menu → *Farming knowledge*) has articles on growing, pests and diseases, animal
health and storage, written by Jishi's experts. Search it as you search the market — 玉米, 苞米, "corn",
"yumi" or Traditional characters all find the maize articles — or filter by commodity, topic and season.

**Ask an expert** when no article answers you:

- **On the site**: *Farming knowledge* → *Ask an expert*. Say what you grow or keep and what you see.
  Tick "show on the site" if others may read your question and the answer (never with your name or
  number); you can change this later on the question's page.
- **By SMS**, without a smartphone: text `ASK` and your question, e.g. `ASK maize yellow leaves`, or
  `问 玉米 叶子发黄`. We reply with the question's number. An SMS question is **private** until you reply
  `PUBLIC 12` (with your question's number).
- **At an information station**: the station can ask for you; the answer is texted to your number.

The answer comes by SMS with its first words and a link to the whole answer. At most 5 questions a day
per number. Experts are appointed by Jishi's admins; their advice does not replace a vet or your local
agricultural office when animals are seriously ill.
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
        "following": (
            "关注店铺",
            """\
喜欢某位卖家的货？打开他的店铺页面（发布里卖家的名字就能进入），点**关注**。需要先登录；不能关注自己的店铺。

- 您关注的店铺发布新的**供应**时，会显示在**账户 → 我关注的店铺**里。
- 我们也会通过短信和电子邮件通知您，**每家店铺每天最多一次**，不管它发布多少批货：通知当天第一批新货并附链接，
  其余的在店铺页面和您的列表里查看。
- 在**账户 → 通知设置 → 我关注的店铺上新**里选择通知方式。照常适用这些规则：夜间（21:00–07:00）不发短信，
  留到早上再发；每天有短信数量上限；回复**退订**（STOP）后不再收到任何短信，回复 START 可恢复。
- 每封这类邮件都有**停止接收此类电子邮件**链接，只关闭这一类邮件。
- 随时可以在店铺页面或**我关注的店铺**里取消关注。

卖家可以在**数据看板**和店铺页面看到有多少会员关注了自己的店铺。
""",
        ),
        "basket": (
            "多个货品一起下单（购物车）",
            """\
一口价的出售信息上，点**加入购物车**，记下这批货和您要的数量。购物车保存在您的账户里，手机和电脑上看到的
都一样。从菜单里的**购物车**打开。

- 同一个卖家的几批货合成**一个订单**：一次配送、一次付款，送货单上列出每一批。不同卖家的货，每个卖家各
  一个订单。
- 下单时每批货都会再检查一遍：还在出售、剩余数量够、不少于卖家的起订量。如果某个卖家的一批货刚好卖完，
  这个卖家的订单就不下（什么都不预留），购物车会告诉您是哪一批；其他卖家的订单照常下。
- 价格按下单时的标价。想对同一卖家的几批货一起议价，点**这几批货一起询价**：您可以为每批货提出价格，
  卖家为每批货报价（或拒绝），您接受后，这几批货按报价合成一个订单。询价不预留货品，等您接受时卖家可能
  已经卖完。您的询价在**询价**页（"议价"页也有链接）。
- 按两次按钮，或者下单后刷新页面，都不会重复下单。
- 取消购物车订单，每一批的数量都会退回卖家的出售信息。

自己的出售信息、求购信息和没有标价的出售信息不能加入购物车。
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
        "pooled-supply": (
            "拼单：一个大求购，多个卖家供货",
            """\
买家要的量一个农户供不了（比如30吨玉米）时，可以让**多个卖家一起供满一个求购**。

**买家**

1. 打开您的求购，选择**多个卖家拼单**，填写可以接受的**最小一份**（比如5吨），点**开放拼单**。
2. 卖家报一份：数量不少于最小一份（最后一份可以正好是还差的数量），加上单价和交货方式。每份新报来都会通知您。
3. 页面用进度条显示**已满数量和求购数量**，并列出每一份。逐份**接受**或**拒绝**。每接受一份就生成一个普通订单，
   和其他订单一样付款、发货、收货。
4. 接受的总量绝不会超过求购量：比还差数量大的一份会被拒绝。求购满了就自动关闭，还在等待的份也会关闭（会通知卖家）。
   订单取消后，这部分数量重新需要，求购会重新开放。

**卖家**

打开求购，选择**报一份或查看已满多少**，填写数量和价格。每个求购您同一时间只能有一份在等待；买家回复前可以**撤回**。

**信息站或合作社**

信息站可以把**所属农户的货拼成一份**：在拼单页选择**汇集多个农户的货（信息站）**，每个农户写一行（手机号、数量），再填价格。
只能填写本站的农户（本站登记或代发过信息的农户）；新号码会成为本站农户。这一份以信息站的名义报出，订单也以信息站名义生成，
集市会记录**每个农户的份额**：数量×单价、其中的平台服务费和农户应得金额。买家通过支持分账的微信支付或支付宝付款时，
交易确定后每个农户的应得金额直接分到他自己登记的收款账户（**账户 → 分账收款账户**）；还没登记的农户登记后即可收到。
手机号已验证的农户在货卖出时会收到短信。
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
| 问 / ASK / QUESTION（提问、问题）+ 您的问题 | `问 玉米 叶子发黄` · `ASK maize yellow leaves` | 向集市专家提问，答复用短信发给您 |
| 公开 / PUBLIC + 问题编号 | `公开 12` · `PUBLIC 12` | 让所有人都能在网站上看到12号问题和答复 |
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
        "knowledge": (
            "农技知识与专家问答",
            """\
**农技知识**（菜单 →“农技知识”）里有集市专家写的种植、病虫害、畜禽健康和贮藏文章。搜索方法和市场一样：
玉米、苞米、corn、yumi 或繁体字都能找到玉米的文章；也可以按品种、主题和季节筛选。

找不到答案就**问专家**：

- **在网站上**：“农技知识”→“问专家”。写清楚种的、养的是什么，看到了什么情况。
  勾选“在网站上公开”，别人也能看到问题和答复（不会显示您的名字和号码）；以后可以在问题页面改。
- **发短信**（不用智能手机）：发“问”加您的问题，例如 `问 玉米 叶子发黄`，或 `ASK maize yellow leaves`。
  我们会回复问题编号。短信提的问题默认**不公开**，回复 `公开 12`（您的问题编号）才公开。
- **到信息站**：信息站可以替您提问，答复会用短信发到您的手机。

专家答复用短信发给您，包含答复的开头和完整答复的链接。每个号码每天最多提 5 个问题。专家由集市管理员任命；
牲畜病重时，请及时找兽医或当地农技站。
""",
        ),
    },
}
