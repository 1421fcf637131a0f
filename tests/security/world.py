"""A small world of objects for the security tests: a seller and a buyer trading, an outsider, an
info-station operator and an admin, and the id of every kind of object a URL can name."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db as _db
from app.forum import services as forum_services
from app.forum.models import ForumCategory, ForumPost
from app.forum.services import seed_default_categories
from app.knowledge import questions
from app.knowledge.services import ArticleData, create_article
from app.market.subscriptions import subscribe_phone
from app.members.models import VerificationRequest
from app.members.storefronts import ensure_storefront
from app.notify.models import Notification
from app.pooling import services as pooling
from app.postings.models import SavedSearch
from app.trade import basket_quotes, baskets, negotiations, orders
from app.trade.negotiations import OfferTerms
from tests.factories import make_member, make_posting


class World:
    """A seller and a buyer with a posting, a negotiation with an open offer, an order, and admin
    objects — everything an outsider will try to reach."""

    def __init__(self):
        self.seller = make_member(display_name="Matrix seller")
        self.buyer = make_member(display_name="Matrix buyer")
        # The outsider runs an info-station too, so station pages are tested between two stations.
        self.outsider = make_member(display_name="Matrix outsider", is_station_operator=True)
        self.station = make_member(display_name="Matrix station", is_station_operator=True)
        self.admin = make_member(display_name="Matrix admin", is_admin=True)
        self.storefront = ensure_storefront(self.seller)
        self.posting = make_posting(owner=self.seller, quantity=Decimal("100"), unit_code="kg", price=Decimal("3.00"))
        other = make_posting(owner=self.seller, quantity=Decimal("100"), unit_code="kg", price=Decimal("3.00"))
        self.negotiation = negotiations.start_negotiation(
            other, self.buyer, OfferTerms(quantity=Decimal("5"), unit_price=Decimal("2.80"), delivery="collect")
        )
        _db.session.flush()
        self.offer = self.negotiation.offers[-1]
        self.order = orders.buy_now(self.posting, self.buyer, Decimal("10"), "collect")
        # A pooled buy request of the buyer with a seller's part waiting for an answer.
        self.buy_request = make_posting(
            owner=self.buyer, kind="buy", quantity=Decimal("100"), unit_code="kg", price=None
        )
        pooling.open_pool(self.buy_request, self.buyer, Decimal("10"))
        self.part = pooling.offer_part(self.buy_request, self.seller, Decimal("20"), Decimal("2.50"), "collect")
        self.basket_item = baskets.add_to_basket(self.buyer, self.posting, Decimal("5"))
        self.basket_quote = basket_quotes.request_quote(self.buyer, self.seller.id, "collect", {})
        self.verification = VerificationRequest(member_id=self.seller.id, licence_number="91410000MA0000000X")
        _db.session.add(self.verification)
        self.notification = Notification(
            channel="sms",
            address=self.seller.phone,
            event="x",
            template="x",
            locale="en",
            body="x",
            status="dead",
            attempts=6,
        )
        _db.session.add(self.notification)
        category = _db.session.scalars(select(ForumCategory).order_by(ForumCategory.id)).first()
        if category is None:
            seed_default_categories()
            category = _db.session.scalars(select(ForumCategory).order_by(ForumCategory.id)).first()
        self.forum_category = category
        self.thread = forum_services.create_thread(self.seller, category, "Matrix thread", "Matrix post body")
        _db.session.flush()
        self.saved_search = SavedSearch(
            member_id=self.buyer.id, name="Matrix search", q="maize", kind="sell", verified=False
        )
        _db.session.add(self.saved_search)
        self.member_alert, _created = subscribe_phone(
            self.buyer.phone, self.posting.commodity_id, None, "en", member=self.buyer
        )
        self.village_number, _created = subscribe_phone(
            "+8613900009999", self.posting.commodity_id, None, "zh_Hans", station=self.station
        )
        # Knowledge base: an admin's article, and a private question of the buyer's.
        self.article = create_article(
            self.admin, ArticleData("Matrix article", "Matrix article body, long enough.", "growing", "all")
        )
        self.question = questions.ask(
            "Matrix question about maize", channel="web", locale="en", phone=self.buyer.phone, asker=self.buyer
        )
        _db.session.commit()
        self.values = {
            "posting_id": self.posting.id,
            "negotiation_id": self.negotiation.id,
            "offer_id": self.offer.id,
            "order_id": self.order.id,
            "part_id": self.part.id,
            "item_id": self.basket_item.id,
            "quote_id": self.basket_quote.id,
            "number": 1,  # a contract version
            "entry_id": 1,
            "settlement_id": 1,
            "request_id": self.verification.id,
            "notification_id": self.notification.id,
            "commodity_id": self.posting.commodity_id,
            "alias_id": 1,
            "slug": self.storefront.slug,
            "member_id": self.seller.id,
            "seller_id": self.seller.id,
            "report_id": 1,
            "thread_id": self.thread.id,
            "post_id": self.forum_post_id(),
            "category_id": self.forum_category.id,
            "search_id": self.saved_search.id,
            "subscription_id": self.member_alert.id,
            "period": "2026-11",
            "locale": "en",
            "token": "not-a-real-token",
            "article_id": self.article.id,
            "question_id": self.question.id,
        }
        # Endpoints whose argument of the same name means another object.
        self.overrides = {
            "pooling.open_pool": {"posting_id": self.buy_request.id},
            "pooling.parts_page": {"posting_id": self.buy_request.id},
            "market.station_remove_number": {"subscription_id": self.village_number.id},
            "forum.category": {"slug": self.forum_category.slug},
            "forum.new_thread": {"slug": self.forum_category.slug},
            "admin.help_page": {"slug": "buying"},
            "admin.edit_help": {"slug": "buying"},
            "market.commodity_prices": {"slug": "maize"},
        }

    def forum_post_id(self) -> int:
        return _db.session.scalars(select(ForumPost.id).where(ForumPost.thread_id == self.thread.id)).first()

    def url_values(self, rule) -> dict:
        """Values for every argument of ``rule`` (its defaults included), or KeyError naming a missing one."""
        values = {**(rule.defaults or {})}
        for name in rule._converters:
            values[name] = self.overrides.get(rule.endpoint, {}).get(name, self.values[name])
        return values
