"""Knowledge-base rules: who is an expert (granted by admins, with the commodities they cover), who
may write and edit articles, and the articles themselves (Markdown sanitised as in the forum, and
indexed for the same bilingual search as the market). Questions are in app/knowledge/questions.py.

Services take explicit arguments, raise KnowledgeInvalid / DomainError and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.catalogue.models import Commodity
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.forum.markup import plain_text, render_markdown
from app.knowledge.models import Article, Expert, ExpertCommodity, Season, Topic
from app.members.models import Member
from app.members.services import ensure_can_write
from app.search.text import index_text

TITLE_MIN, TITLE_MAX = 4, 150
BODY_MIN, BODY_MAX = 20, 30_000
EXPERT_TITLE_MAX = 120


class KnowledgeInvalid(DomainError):
    """Input a form could not catch (it depends on the database); shown as 422 beside the form.
    ``field`` names the form field it belongs to."""

    status = 422

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _signed_in(member) -> bool:
    return member is not None and getattr(member, "is_authenticated", False)


def expert_of(member) -> Expert | None:
    """The member's Expert row, or None (visitors and members who are not experts)."""
    if not _signed_in(member):
        return None
    return db.session.get(Expert, member.id)


def is_expert(member) -> bool:
    return expert_of(member) is not None


def is_expert_or_admin(member) -> bool:
    """Experts and admins write articles, answer questions and read private ones."""
    return _signed_in(member) and (member.is_admin or is_expert(member))


def expert_commodity_ids(member_id: int) -> set[int]:
    return set(db.session.scalars(select(ExpertCommodity.commodity_id).where(ExpertCommodity.member_id == member_id)))


def experts_for(commodity_id: int | None, limit: int) -> list[Member]:
    """The experts a new question about ``commodity_id`` goes to: those covering it; when nobody
    does (or the question names no commodity), every expert — a question must never wait unseen.
    Longest-serving first, at most ``limit``."""
    statement = select(Member).join(Expert, Expert.member_id == Member.id)
    if commodity_id is not None:
        covering = statement.join(ExpertCommodity, ExpertCommodity.member_id == Expert.member_id).where(
            ExpertCommodity.commodity_id == commodity_id
        )
        found = list(db.session.scalars(covering.order_by(Expert.granted_at, Member.id).limit(limit)))
        if found:
            return found
    return list(db.session.scalars(statement.order_by(Expert.granted_at, Member.id).limit(limit)))


def all_experts() -> list[Expert]:
    return list(db.session.scalars(select(Expert).order_by(Expert.granted_at, Expert.member_id)))


def grant_expert(member: Member, admin: Member, commodity_ids: Iterable[int], title: str = "") -> Expert:
    """Make ``member`` an expert covering ``commodity_ids`` (replacing the commodities of an
    existing expert). Returns the Expert. Raises KnowledgeInvalid for an unknown commodity or a
    member who cannot hold the role (a suspended one, a record without a login)."""
    if not admin.is_admin:
        raise DomainError(_("Only admins can appoint experts."), status=403)
    if member.password_hash is None:
        raise KnowledgeInvalid("phone", _("This member has no login yet, so cannot answer on the site."))
    if member.is_suspended():
        raise KnowledgeInvalid("phone", _("This member is suspended."))
    wanted = set(commodity_ids)
    if any(not isinstance(i, int) or not 0 < i < 2**31 for i in wanted):
        raise KnowledgeInvalid("commodities", _("Choose commodities from the list."))
    known = set(db.session.scalars(select(Commodity.id).where(Commodity.id.in_(wanted)))) if wanted else set()
    if known != wanted:
        raise KnowledgeInvalid("commodities", _("Choose commodities from the list."))
    title = " ".join((title or "").split())
    if len(title) > EXPERT_TITLE_MAX:
        raise KnowledgeInvalid("title", _("At most %(max)d characters.", max=EXPERT_TITLE_MAX))
    expert = db.session.get(Expert, member.id)
    if expert is None:
        expert = Expert(member_id=member.id, granted_by_id=admin.id, title=title, granted_at=utcnow())
        db.session.add(expert)
        db.session.flush()
    else:
        expert.title = title
        db.session.execute(delete(ExpertCommodity).where(ExpertCommodity.member_id == member.id))
    db.session.add_all(
        ExpertCommodity(member_id=member.id, commodity_id=commodity_id) for commodity_id in sorted(wanted)
    )
    db.session.flush()
    db.session.expire(expert, ["commodities"])
    return expert


def revoke_expert(member_id: int, admin: Member) -> None:
    """End a member's expert role (their articles and answers stay). Raises DomainError 404 when
    they are not an expert."""
    if not admin.is_admin:
        raise DomainError(_("Only admins can appoint experts."), status=403)
    expert = db.session.get(Expert, member_id)
    if expert is None:
        raise DomainError(_("This member is not an expert."), status=404)
    db.session.delete(expert)
    db.session.flush()


@dataclass(frozen=True)
class ArticleData:
    title: str
    body: str
    topic: str
    season: str
    commodity_id: int | None = None


def can_write_articles(member) -> bool:
    return is_expert_or_admin(member)


def can_edit(article: Article, member) -> bool:
    """The author while they are still an expert (or admin), and any admin."""
    if not _signed_in(member):
        return False
    return member.is_admin or (article.author_id == member.id and is_expert(member))


def _checked(data: ArticleData) -> ArticleData:
    title = " ".join((data.title or "").split())
    body = (data.body or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise KnowledgeInvalid(
            "title", _("The title must be %(min)d to %(max)d characters.", min=TITLE_MIN, max=TITLE_MAX)
        )
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise KnowledgeInvalid(
            "body", _("The article must be %(min)d to %(max)d characters.", min=BODY_MIN, max=BODY_MAX)
        )
    if data.topic not in {topic.value for topic in Topic}:
        raise KnowledgeInvalid("topic", _("Choose a topic from the list."))
    if data.season not in {season.value for season in Season}:
        raise KnowledgeInvalid("season", _("Choose a season from the list."))
    if data.commodity_id is not None and (
        not 0 < data.commodity_id < 2**31 or db.session.get(Commodity, data.commodity_id) is None
    ):
        raise KnowledgeInvalid("commodity_id", _("Choose a commodity from the list."))
    return ArticleData(title, body, data.topic, data.season, data.commodity_id)


def _search_text(article: Article) -> str:
    """The article's title and words, its commodity's names and aliases (棒子 finds an article on
    玉米) and the pinyin of its title, prepared as for every other search (app/search/text.py)."""
    names: list[str] = []
    if article.commodity_id is not None:
        commodity = db.session.get(Commodity, article.commodity_id)
        names = [commodity.name_en, commodity.name_zh, *(alias.text for alias in commodity.aliases)]
    return index_text(article.title, plain_text(article.body_html, 100_000), *names, pinyin_of=(article.title,))


def _fill(article: Article, data: ArticleData) -> None:
    article.title = data.title
    article.body = data.body
    article.body_html = render_markdown(data.body)
    article.topic = data.topic
    article.season = data.season
    article.commodity_id = data.commodity_id
    article.search_text = _search_text(article)


def create_article(author: Member, data: ArticleData) -> Article:
    """A published article by an expert or admin. Raises DomainError 403 for anyone else,
    KnowledgeInvalid for unusable input, MemberSuspended for a suspended author."""
    if not can_write_articles(author):
        raise DomainError(_("Only experts and admins write articles."), status=403)
    ensure_can_write(author)
    article = Article(author_id=author.id)
    _fill(article, _checked(data))
    db.session.add(article)
    db.session.flush()
    return article


def update_article(article: Article, editor: Member, data: ArticleData) -> Article:
    """Change an article (its author while an expert, or an admin). Raises as create_article."""
    if not can_edit(article, editor):
        raise DomainError(_("You cannot edit this article."), status=403)
    ensure_can_write(editor)
    _fill(article, _checked(data))
    article.updated_at = utcnow()
    db.session.flush()
    return article
