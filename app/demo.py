"""Demo members and postings for `make run` and `flask seed` (idempotent).

Members are keyed on their phone number and postings on (owner, title): running the loader again
creates nothing and leaves edits made through the site alone. Postings go through postings.services,
so their price per kg and search text are computed exactly as for postings typed into the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.catalogue.services import find_commodity
from app.contracts.models import ContractVersion
from app.contracts.services import SMS, WEB, accept_current
from app.core.clock import utcnow
from app.extensions import db
from app.forum.markup import render_markdown
from app.knowledge.models import Article, Expert, Question
from app.knowledge.services import ArticleData, create_article, grant_expert
from app.members import follows
from app.members.models import STATION_APPROVED, STATION_PENDING, Member, Storefront
from app.members.payees import PayeeData, payee_of, save_payee
from app.members.verification import decide_verification, pending_request_of, request_verification
from app.pooling import services as pooling
from app.postings.models import Posting
from app.postings.services import PostingData, create_posting
from app.trade import baskets
from app.trade.models import Order
from app.trade.orders import buy_now, change_order_status

ADMIN_PHONE = "+8613900000001"
FARMER_PHONE = "+8613900000002"
BUYER_PHONE = "+8613900000003"
STATION_PHONE = "+8613900000004"
# A farmer without a smartphone: the info station posts for this number, which has no password.
PLACEHOLDER_FARMER_PHONE = "+8613900000005"

# (role, phone, password) of every demo account that can log in; printed by `flask seed` and listed
# in README. Public on purpose: these exist only in demo databases.
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("admin", ADMIN_PHONE, "demo-admin-2026"),
    ("farmer co-op (verified, storefront)", FARMER_PHONE, "demo-farmer-2026"),
    ("buyer business", BUYER_PHONE, "demo-buyer-2026"),
    ("info-station operator", STATION_PHONE, "demo-station-2026"),
]


@dataclass(frozen=True)
class DemoMember:
    phone: str
    display_name: str
    password: str | None
    is_seller: bool = False
    is_buyer: bool = False
    is_station_operator: bool = False
    is_admin: bool = False
    locale: str = "zh_Hans"


_PASSWORDS = {phone: password for _role, phone, password in DEMO_ACCOUNTS}

MEMBERS = [
    DemoMember(ADMIN_PHONE, "Jishi Admin 管理员", _PASSWORDS[ADMIN_PHONE], is_admin=True, locale="en"),
    DemoMember(FARMER_PHONE, "刘家庄果粮合作社", _PASSWORDS[FARMER_PHONE], is_seller=True, is_buyer=True),
    DemoMember(BUYER_PHONE, "Green Valley Foods 绿谷食品", _PASSWORDS[BUYER_PHONE], is_buyer=True, locale="en"),
    DemoMember(STATION_PHONE, "桥头镇信息站", _PASSWORDS[STATION_PHONE], is_station_operator=True),
    DemoMember(PLACEHOLDER_FARMER_PHONE, "张大爷", None, is_seller=True),
]

STOREFRONT = {
    "slug": "liujiazhuang-coop",
    "name": "刘家庄果粮合作社 Liujiazhuang Co-op",
    "about": (
        "河南周口的农民专业合作社，86户社员，种植玉米、小麦和苹果。可开发票，支持产地看货。\n"
        "A farmers' co-operative of 86 households in Zhoukou, Henan: maize, wheat and apples. "
        "Invoices available; buyers are welcome to inspect at the farm."
    ),
    "province_code": "41",
    "locality": "周口市 西华县",
}
VERIFICATION_LICENCE = "93411622MA9G4KQ71K"  # a made-up number in the unified credit code's shape


@dataclass(frozen=True)
class DemoPosting:
    owner_phone: str
    kind: str
    commodity: str
    title: str
    quantity: str
    unit_code: str
    price: str | None
    province_code: str
    description: str = ""
    locality: str = ""
    variety: str = ""
    grade: str = ""
    unit_weight_kg: str | None = None
    min_order: str | None = None
    delivery: str = "either"
    via_station: bool = False


POSTINGS = [
    DemoPosting(
        FARMER_PHONE,
        "sell",
        "maize",
        "优质玉米出售 新粮 水分14%",
        "50",
        "t",
        "2450",
        "41",
        "今年新收的黄玉米，颗粒饱满，无霉变，可提供检测报告。量大可议价。",
        "周口市 西华县",
        variety="郑单958",
        grade="二等",
        min_order="5",
        delivery="deliver",
    ),
    DemoPosting(
        FARMER_PHONE,
        "sell",
        "maize",
        "自家苞米 晾晒干透 按斤卖",
        "30000",
        "jin",
        "1.18",
        "41",
        "自家地里的苞米，自然晾干，散装。买家自提或我们送到县城。",
        "周口市 西华县",
        min_order="2000",
        delivery="either",
    ),
    DemoPosting(
        FARMER_PHONE,
        "sell",
        "apple",
        "Fuji apples, grade 1, 80 mm+",
        "20",
        "t",
        "5200",
        "41",
        "Crisp Red Fuji from our co-op orchards, hand picked and cold stored. Packed in 10 kg cartons.",
        "Zhoukou",
        variety="Red Fuji",
        grade="Grade 1",
        min_order="1",
        delivery="deliver",
    ),
    DemoPosting(
        FARMER_PHONE,
        "sell",
        "wheat",
        "Wheat, new harvest, protein 13%",
        "80",
        "t",
        "2780",
        "41",
        "Hard red winter wheat, cleaned, in 50 kg bags on request.",
        "Xihua county",
        min_order="10",
    ),
    DemoPosting(
        FARMER_PHONE,
        "sell",
        "egg",
        "土鸡蛋 散养 每箱15公斤",
        "40",
        "box",
        "210",
        "41",
        "林下散养土鸡，每天新鲜捡蛋，一箱约240枚。",
        "周口市 西华县",
        unit_weight_kg="15",
        delivery="collect",
    ),
    DemoPosting(
        PLACEHOLDER_FARMER_PHONE,
        "sell",
        "pig",
        "生猪出栏 土猪 约230斤一头",
        "12",
        "head",
        "1950",
        "51",
        "粮食喂养的土猪，十个月出栏，防疫记录齐全。",
        "绵阳市 三台县",
        unit_weight_kg="115",
        delivery="collect",
        via_station=True,
    ),
    DemoPosting(
        PLACEHOLDER_FARMER_PHONE,
        "sell",
        "tea-leaf",
        "明前绿茶 高山手工茶",
        "60",
        "jin",
        "380",
        "51",
        "海拔1200米茶园，清明前手工采摘炒制。",
        "绵阳市 三台县",
        grade="特级",
        delivery="deliver",
        via_station=True,
    ),
    DemoPosting(
        BUYER_PHONE,
        "buy",
        "maize",
        "Wanted: corn for our feed mill, 200 t monthly",
        "200",
        "t",
        "2380",
        "37",
        "Moisture 14% max, mould-free. We collect from the farm or the county grain station. "
        "Payment within 7 days of weighing.",
        "Weifang",
        min_order="30",
        delivery="collect",
    ),
    DemoPosting(
        BUYER_PHONE,
        "buy",
        "apple",
        "收购苹果 80mm以上 冷库储存",
        "50",
        "t",
        "4600",
        "37",
        "长期收购富士苹果，要求果面光洁、无磕碰。",
        "潍坊市 寿光市",
        grade="一级",
        min_order="5",
    ),
    DemoPosting(
        BUYER_PHONE,
        "buy",
        "egg",
        "求购鸡蛋 每周两次供货",
        "2000",
        "jin",
        None,
        "37",
        "超市供货，要求新鲜、有检疫证明，价格面议。",
        "潍坊市",
        delivery="deliver",
    ),
    DemoPosting(
        BUYER_PHONE,
        "buy",
        "tea-leaf",
        "Looking for green tea, 50 kg, spring picking",
        "50",
        "kg",
        None,
        "37",
        "Samples welcome. We pack for our own shops.",
        "Weifang",
        delivery="deliver",
    ),
    DemoPosting(
        BUYER_PHONE,
        "buy",
        "soybean",
        "收购黄豆 非转基因 蛋白38%以上",
        "100",
        "t",
        "4650",
        "23",
        "豆制品厂长期收购东北大豆。",
        "哈尔滨市",
        min_order="20",
        delivery="collect",
    ),
]


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _ensure_members(created: dict[str, int]) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for spec in MEMBERS:
        member = db.session.scalar(select(Member).where(Member.phone == spec.phone))
        if member is None:
            member = Member(
                phone=spec.phone,
                display_name=spec.display_name,
                is_seller=spec.is_seller,
                is_buyer=spec.is_buyer,
                is_station_operator=spec.is_station_operator,
                is_admin=spec.is_admin,
                locale=spec.locale,
            )
            if spec.password is not None:
                member.set_password(spec.password)
                # Demo accounts count as having typed back an SMS code, so the console inbox shows their SMS.
                member.phone_verified_at = utcnow()
            db.session.add(member)
            created["members"] += 1
        if member.is_station_operator and member.station_review in (None, STATION_PENDING):
            # The demo station is one an admin knows: approved, so it can post for the demo farmer.
            member.station_review = STATION_APPROVED
            member.station_reviewed_at = member.station_reviewed_at or utcnow()
        members[spec.phone] = member
    db.session.flush()
    placeholder = members[PLACEHOLDER_FARMER_PHONE]
    if placeholder.created_by_station_id is None and placeholder.password_hash is None:
        placeholder.created_by_station_id = members[STATION_PHONE].id
    return members


def _ensure_storefront(farmer: Member, created: dict[str, int]) -> None:
    if farmer.storefront is not None:
        return
    taken = db.session.scalar(select(Storefront.id).where(Storefront.slug == STOREFRONT["slug"]))
    if taken is not None:
        return
    db.session.add(Storefront(member=farmer, **STOREFRONT))
    db.session.flush()
    created["storefronts"] += 1


def _ensure_verified(farmer: Member, admin: Member, created: dict[str, int]) -> None:
    """The co-op carries the trusted badge through a recorded admin decision, like a real member."""
    if farmer.is_verified:
        return
    request = pending_request_of(farmer) or request_verification(
        farmer, VERIFICATION_LICENCE, "Demo co-op business licence", None, legal_name=DEMO_PAYEE[0]
    )
    decide_verification(request.id, admin, approve=True, reason="Demo data: business licence checked")
    created["verifications"] += 1


def _ensure_postings(members: dict[str, Member], created: dict[str, int]) -> None:
    station = members[STATION_PHONE]
    for spec in POSTINGS:
        owner = members[spec.owner_phone]
        exists = db.session.scalar(
            select(Posting.id).where(Posting.owner_id == owner.id, Posting.title == spec.title).limit(1)
        )
        if exists is not None:
            continue
        commodity = find_commodity(spec.commodity)
        if commodity is None:
            # An admin may have renamed or removed a bundled commodity; the rest of the demo still loads.
            continue
        data = PostingData(
            kind=spec.kind,
            commodity_id=commodity.id,
            title=spec.title,
            quantity=Decimal(spec.quantity),
            unit_code=spec.unit_code,
            province_code=spec.province_code,
            description=spec.description,
            variety=spec.variety,
            grade=spec.grade,
            unit_weight_kg=_decimal(spec.unit_weight_kg),
            min_order=_decimal(spec.min_order),
            price=_decimal(spec.price),
            locality=spec.locality,
            delivery=spec.delivery,
        )
        create_posting(owner, data, publish=True, via_station=station if spec.via_station else None)
        created["postings"] += 1


# The co-op's payee account (issue 25): a made-up number, shown to the demo buyer on a confirmed order.
DEMO_PAYEE = ("刘家庄果粮合作社", "中国农业银行 周口商水支行", "6228480012345678901")


def _ensure_payee(farmer, created: dict[str, int]) -> None:
    if payee_of(farmer.id) is None:
        save_payee(farmer, PayeeData(*DEMO_PAYEE))
        created["payees"] += 1


# Who follows the co-op's storefront (issue 24): the demo buyer and the info station, so that the
# co-op's demo postings show up on their "stores I follow" page and in the console SMS and e-mail.
DEMO_FOLLOWERS = (BUYER_PHONE, STATION_PHONE)


def _ensure_demo_followers(members: dict[str, Member], created: dict[str, int]) -> None:
    """The demo buyer and station follow the co-op's store (before its postings are published)."""
    farmer = members[FARMER_PHONE]
    if farmer.storefront is None:
        return
    for phone in DEMO_FOLLOWERS:
        if follows.follow(members[phone], farmer.storefront):
            created["follows"] += 1


# Pooled supply (issue 24): the demo buyer's 30 t maize request, filled by one part the demo station
# pooled for three of its farmers (张大爷 and two more of the station's farmers without smartphones).
POOLED_TITLE = "Wanted: 30 t maize for our feed mill — pooled supply 拼单"
POOLED_FARMERS = (
    (PLACEHOLDER_FARMER_PHONE, "张大爷", "12"),
    ("+8613900000006", "李二婶", "10"),
    ("+8613900000007", "王老三", "8"),
)


def _ensure_pooled_request(members: dict[str, Member], created: dict[str, int]) -> None:
    """A pooled buy request of the demo buyer, opened to parts of at least 5 t, and the station's
    part pooling three farmers' lots, accepted by the buyer: one order with the station, each
    farmer's share and pay-out recorded, the request filled."""
    buyer, station = members[BUYER_PHONE], members[STATION_PHONE]
    exists = db.session.scalar(
        select(Posting.id).where(Posting.owner_id == buyer.id, Posting.title == POOLED_TITLE).limit(1)
    )
    maize = find_commodity("maize")
    if exists is not None or maize is None:
        return
    request = create_posting(
        buyer,
        PostingData(
            kind="buy",
            commodity_id=maize.id,
            title=POOLED_TITLE,
            quantity=Decimal("30"),
            unit_code="t",
            province_code="41",
            description="饲料厂收购玉米30吨，可由几位农户拼单供货，每份至少5吨。Several farms may fill it, 5 t or more each.",
            delivery="deliver",
        ),
        publish=True,
    )
    pooling.open_pool(request, buyer, Decimal("5"))
    lots = [pooling.FarmerLot(phone, Decimal(tonnes), name) for phone, name, tonnes in POOLED_FARMERS]
    part = pooling.offer_pooled_part(
        request, station, lots, Decimal("2380.00"), "deliver", "三户农户的玉米，水分14%以下，统一送货。"
    )
    pooling.answer_part(part, "accept", buyer)
    created["postings"] += 1
    created["pooled parts"] += 1


# Knowledge base (issue 24 point 5): the demo admin doubles as the agronomy desk (an expert for the
# commodities of the demo postings), a few articles in both languages, and questions — two answered
# and public (one asked by the station for the farmer without a smartphone), one still waiting.
DEMO_EXPERT_TITLE = "集市农技服务台 / Jishi agronomy desk"
DEMO_EXPERT_COMMODITIES = ("maize", "wheat", "apple", "pig")
# (commodity slug or None, topic, season, title, Markdown body)
DEMO_ARTICLES = (
    (
        "maize",
        "pests",
        "summer",
        "玉米叶子发黄怎么办",
        "玉米**下部叶片先黄**，多半是缺氮：\n\n- 大喇叭口期每亩追施尿素 10–15 公斤，随后浇水；\n"
        "- 叶片从边缘发黄、发焦，多为缺钾，追施氯化钾；\n- 新叶发黄发白，多为缺锌，叶面喷施硫酸锌。\n\n"
        "拿不准？发短信“问 玉米 叶子发黄”给集市，专家会回复您。",
    ),
    (
        "maize",
        "storage",
        "autumn",
        "Drying and storing maize after harvest",
        "Maize keeps when its grain moisture is **below 14 %**. Dry cobs on a raised, airy rack, shell them once "
        "the kernels are hard, and store the grain in clean, dry sacks off the floor.\n\n"
        "- check for mould and weevils every two weeks;\n- never store grain that feels warm.",
    ),
    (
        "apple",
        "storage",
        "winter",
        "苹果冬季贮藏要点",
        "苹果贮藏温度保持在 **0–2 °C**，相对湿度 90% 左右。\n\n1. 入库前挑出碰伤、病果；\n"
        "2. 每周通风一次，排出乙烯；\n3. 不与土豆、洋葱同库存放。",
    ),
    (
        "pig",
        "animal_health",
        "all",
        "Keeping pigs healthy in hot weather",
        "Pigs cannot sweat. In summer give **shade and fresh water all day**, wet the floor in the afternoon "
        "and feed in the cool hours. Call the vet when a pig breathes fast with its mouth open, or stops eating.",
    ),
    (
        None,
        "growing",
        "spring",
        "春耕整地：深松还是旋耕",
        "土壤板结、犁底层浅的地块，**每三年深松一次**（30 厘米以上），其余年份旋耕即可。深松后要及时镇压保墒。",
    ),
)
# (asker phone, via the station, commodity slug, locale, question, answer or None, public)
DEMO_QUESTIONS = (
    (
        PLACEHOLDER_FARMER_PHONE,
        True,
        "maize",
        "zh_Hans",
        "玉米叶子从下往上发黄，是怎么回事？",
        "下部老叶先黄、从叶尖沿中脉向里黄，是典型的缺氮。现在每亩追施尿素 10 公斤，趁雨前或追肥后浇水。",
        True,
    ),
    (
        BUYER_PHONE,
        False,
        "apple",
        "en",
        "How long do Fuji apples keep in a cold store?",
        "At 0–1 °C and about 90 % humidity, sound Fuji apples keep 5–6 months; in controlled atmosphere up to 8.",
        True,
    ),
    (FARMER_PHONE, False, "wheat", "zh_Hans", "小麦返青期要不要浇水？", None, False),
)


def _ensure_knowledge(members: dict[str, Member], created: dict[str, int]) -> None:
    """The demo expert, articles and questions that are missing (articles keyed on their title,
    questions on their number and text). Questions are written as rows, answered or not, so that
    loading the demo texts nobody."""
    admin = members[ADMIN_PHONE]
    if db.session.get(Expert, admin.id) is None:
        slugs = [find_commodity(slug) for slug in DEMO_EXPERT_COMMODITIES]
        grant_expert(admin, admin, [commodity.id for commodity in slugs if commodity is not None], DEMO_EXPERT_TITLE)
        created["experts"] += 1
    for slug, topic, season, title, body in DEMO_ARTICLES:
        if db.session.scalar(select(Article.id).where(Article.title == title).limit(1)) is not None:
            continue
        commodity = find_commodity(slug) if slug else None
        if slug and commodity is None:
            continue
        create_article(admin, ArticleData(title, body, topic, season, commodity.id if commodity else None))
        created["articles"] += 1
    station = members[STATION_PHONE]
    for phone, via_station, slug, locale, text, answer, public in DEMO_QUESTIONS:
        exists = db.session.scalar(select(Question.id).where(Question.phone == phone, Question.body == text).limit(1))
        if exists is not None:
            continue
        commodity = find_commodity(slug)
        asker = db.session.scalar(select(Member).where(Member.phone == phone))
        question = Question(
            asker_id=asker.id if asker is not None else None,
            station_id=station.id if via_station else None,
            phone=phone,
            channel="station" if via_station else "web",
            locale=locale,
            commodity_id=commodity.id if commodity is not None else None,
            body=text,
            is_public=public,
            status="answered" if answer else "open",
            created_at=utcnow(),
        )
        if answer:
            question.answer_body = answer
            question.answer_html = render_markdown(answer)
            question.answered_by_id = admin.id
            question.answered_at = utcnow()
        db.session.add(question)
        created["questions"] += 1


# The demo buyer's basket order (issue 24): two of the co-op's fixed-price lots in one order.
DEMO_BASKET_KEY = "demo-basket-order-2026"


def _ensure_basket_order(members: dict[str, Member], created: dict[str, int]) -> None:
    """The demo buyer orders two of the co-op's fixed-price sell offers through the basket, once
    (the checkout key makes a second run find that order)."""
    buyer, farmer = members[BUYER_PHONE], members[FARMER_PHONE]
    if baskets.order_for_checkout(DEMO_BASKET_KEY, farmer.id) is not None:
        return
    lots = db.session.scalars(
        select(Posting)
        .where(Posting.owner_id == farmer.id, Posting.kind == "sell", Posting.price.is_not(None))
        .order_by(Posting.id)
    ).all()
    lots = [lot for lot in lots if baskets.basket_refusal(lot, buyer.id) is None][:2]
    if len(lots) < 2:
        return  # an admin changed the demo postings; the rest of the demo still loads
    for lot in lots:
        baskets.add_to_basket(buyer, lot, min(lot.min_order or Decimal(1), lot.quantity_available))
    delivery = (baskets.basket_groups(buyer.id)[0].delivery_choices or [None])[0]
    if delivery is None:
        return
    baskets.place_basket_order(buyer, farmer.id, delivery, DEMO_BASKET_KEY)
    created["basket_orders"] += 1


# The demo order with a signed purchase contract (issue 24 point 4): the buyer business buys this
# many units (or the offer's minimum order) of the co-op's first fixed-price sell offer, the co-op
# confirms, both accept.
DEMO_CONTRACT_QUANTITY = Decimal("2")


def _ensure_signed_contract(members: dict[str, Member], created: dict[str, int]) -> None:
    """One confirmed order between the demo buyer and the co-op whose contract both accepted: the
    buyer on the website in English, the co-op by SMS in Chinese (the text that prevails)."""
    farmer, buyer = members[FARMER_PHONE], members[BUYER_PHONE]
    signed = db.session.scalar(
        select(ContractVersion.id)
        .join(Order, Order.id == ContractVersion.order_id)
        .where(Order.buyer_id == buyer.id, Order.seller_id == farmer.id)
        .limit(1)
    )
    if signed is not None:
        return
    posting = db.session.scalar(
        select(Posting)
        .where(Posting.owner_id == farmer.id, Posting.kind == "sell", Posting.price.is_not(None))
        .order_by(Posting.id)
        .limit(1)
    )
    if posting is None:
        return
    delivery = "collect" if posting.delivery == "either" else posting.delivery
    quantity = max(DEMO_CONTRACT_QUANTITY, posting.min_order or Decimal(0))
    order = buy_now(posting, buyer, quantity, delivery)
    change_order_status(order, "confirm", farmer)
    accept_current(order, buyer, "en", WEB)
    accept_current(order, farmer, "zh", SMS)
    created["contracts"] += 1


def load_demo_data() -> dict[str, int]:
    """Create the demo accounts, the co-op's storefront, trusted badge and followers, the demo
    postings, a pooled buy request, the knowledge base's expert, articles and questions, and the demo
    buyer's basket order that are missing. Returns counts of what was created (all zero on a second
    run). Needs the catalogue loaded first. Does not commit.
    """
    created = {
        "members": 0,
        "storefronts": 0,
        "verifications": 0,
        "payees": 0,
        "follows": 0,
        "postings": 0,
        "pooled parts": 0,
        "experts": 0,
        "articles": 0,
        "questions": 0,
        "basket_orders": 0,
        "contracts": 0,
    }
    members = _ensure_members(created)
    _ensure_storefront(members[FARMER_PHONE], created)
    _ensure_verified(members[FARMER_PHONE], members[ADMIN_PHONE], created)
    _ensure_payee(members[FARMER_PHONE], created)
    _ensure_demo_followers(members, created)
    _ensure_postings(members, created)
    _ensure_pooled_request(members, created)
    _ensure_knowledge(members, created)
    db.session.flush()
    _ensure_basket_order(members, created)
    _ensure_signed_contract(members, created)
    db.session.flush()
    return created
