"""Read side of the knowledge base: article lists and search, the experts' queue, the public Q&A
page and a member's own questions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, literal, or_, select
from sqlalchemy.orm import joinedload

from app.catalogue.models import Commodity
from app.extensions import db
from app.knowledge.models import Article, Question, QuestionStatus
from app.search.engines import SearchIndex
from app.search.service import SearchService
from app.search.understanding import Understanding, expanded_groups
from app.search.vocabulary import query_vocabulary

ARTICLE_SEARCH = SearchService(SearchIndex(Article.__table__, fts_table="knowledge_article_fts"))


@dataclass(frozen=True)
class ArticleFilter:
    q: str = ""
    commodity: str = ""  # a commodity slug
    topic: str = ""
    season: str = ""


@dataclass(frozen=True)
class ArticleSearch:
    """The statement to page through, and how the query was read (the commodities it named are
    filters, shown to the reader)."""

    statement: Select
    understood_commodities: tuple[Commodity, ...] = ()


def commodity_by_slug(slug: str) -> Commodity | None:
    return db.session.scalar(select(Commodity).where(Commodity.slug == slug)) if slug else None


def articles(chosen: ArticleFilter) -> ArticleSearch:
    """Articles matching ``chosen``, best first for a query, else most recently updated first.

    The query is read by the market's understanding (app/search/understanding.py): a commodity it
    names (玉米, 苞米, yumi, 玉米 in Traditional, "apples") filters by the article's commodity, and the
    rest — places, grades, free words — must appear in the article's text (CJK bigrams and words,
    pinyin of the title, on SQLite FTS5 or PostgreSQL full text)."""
    statement = select(Article).options(joinedload(Article.commodity), joinedload(Article.author))
    commodity_ids: list[int] = []
    understood: list[Commodity] = []
    picked = commodity_by_slug(chosen.commodity)
    if picked is not None:
        commodity_ids.append(picked.id)
    search = None
    if chosen.q.strip():
        vocabulary = query_vocabulary()
        understanding = vocabulary.understand(chosen.q)
        for slug in understanding.commodity_slugs:
            row = vocabulary.commodities.get(slug)
            commodity = db.session.get(Commodity, row.id) if row is not None else None
            if commodity is not None and commodity.id not in commodity_ids:
                commodity_ids.append(commodity.id)
                understood.append(commodity)
        rest = Understanding(understanding.query, tuple(p for p in understanding.parts if p.role != "commodity"))
        search = ARTICLE_SEARCH.search_terms(expanded_groups(rest, vocabulary))
    if commodity_ids:
        statement = statement.where(Article.commodity_id.in_(commodity_ids))
    if chosen.topic:
        statement = statement.where(Article.topic == chosen.topic)
    if chosen.season:
        # An all-year article belongs to every season.
        statement = statement.where(Article.season.in_((chosen.season, "all")))
    if search is not None:
        statement = search.apply(statement).order_by(*search.ranking(), Article.id.desc())
    else:
        statement = statement.order_by(Article.updated_at.desc(), Article.id.desc())
    return ArticleSearch(statement, tuple(understood))


def waiting_questions(commodity_ids: set[int], only_mine: bool = False) -> Select:
    """Open questions by waiting time (longest first); those about ``commodity_ids`` (the expert's)
    before the others, or only those when ``only_mine``."""
    statement = (
        select(Question).where(Question.status == QuestionStatus.OPEN.value).options(joinedload(Question.commodity))
    )
    if only_mine:
        statement = statement.where(Question.commodity_id.in_(commodity_ids or {-1}))
        return statement.order_by(Question.created_at, Question.id)
    mine_first = case((Question.commodity_id.in_(commodity_ids), 0), else_=1) if commodity_ids else literal(1)
    return statement.order_by(mine_first, Question.created_at, Question.id)


def public_questions(commodity_id: int | None = None) -> Select:
    """Answered questions their askers agreed to show, most recently answered first."""
    statement = (
        select(Question)
        .where(Question.status == QuestionStatus.ANSWERED.value, Question.is_public.is_(True))
        .options(joinedload(Question.commodity), joinedload(Question.answered_by))
    )
    if commodity_id is not None:
        statement = statement.where(Question.commodity_id == commodity_id)
    return statement.order_by(Question.answered_at.desc(), Question.id.desc())


def own_questions(member) -> Select:
    """Questions ``member`` asked, or asked for a farmer as a station, newest first."""
    return (
        select(Question)
        .where(or_(Question.asker_id == member.id, Question.station_id == member.id))
        .options(joinedload(Question.commodity))
        .order_by(Question.created_at.desc(), Question.id.desc())
    )


def commodities_with_articles() -> list[Commodity]:
    """Commodities at least one article is about (the filter list of the article page)."""
    ids = select(Article.commodity_id).where(Article.commodity_id.is_not(None)).distinct()
    return list(db.session.scalars(select(Commodity).where(Commodity.id.in_(ids)).order_by(Commodity.name_en)))


def all_commodities() -> list[Commodity]:
    return list(db.session.scalars(select(Commodity).order_by(Commodity.name_en)))
