"""Ask-an-expert rules: asking (web, SMS, or a station for a farmer), the daily limit, answering
once, making a question public, and who may read a question.

Privacy: a question is private unless the asker agreed to show it. On the web the asker chooses when
asking (and may change it later); an SMS asker's question starts private and the receipt and the
answer SMS say how to publish it ("公开 12" / "PUBLIC 12"). A private question is readable by its
asker, the station that asked for them, experts and admins — and by whoever holds its link with the
secret token (q/<id>/<token>), which is what an SMS asker without an account receives.

Services take explicit arguments, raise DomainError / KnowledgeInvalid and never commit.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from app.catalogue.models import Commodity
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.forum.markup import render_markdown
from app.knowledge import signals
from app.knowledge.models import Channel, Question, QuestionStatus
from app.knowledge.services import KnowledgeInvalid, is_expert_or_admin
from app.members.models import Member
from app.members.services import ensure_can_write
from app.search.vocabulary import query_vocabulary

QUESTION_MIN, QUESTION_MAX = 3, 1000
ANSWER_MIN, ANSWER_MAX = 10, 10_000


class QuestionLimitReached(DomainError):
    """The phone number (or member) asked KNOWLEDGE_QUESTIONS_PER_DAY questions in the last 24 hours."""

    status = 429

    def __init__(self, count: int):
        super().__init__(
            _("You asked %(count)d questions in the last day. Please wait for their answers.", count=count)
        )
        self.count = count


def understood_commodity_id(text: str) -> int | None:
    """The first commodity the market's query understanding reads in ``text`` (玉米, 苞米, yumi,
    corn, 玉米 in Traditional …), or None."""
    vocabulary = query_vocabulary()
    for slug in vocabulary.understand(text).commodity_slugs:
        row = vocabulary.commodities.get(slug)
        if row is not None:
            return row.id
    return None


def asked_recently(phone: str | None, asker: Member | None) -> int:
    """Questions asked in the last 24 hours from ``phone`` or by ``asker``."""
    conditions = []
    if phone:
        conditions.append(Question.phone == phone)
    if asker is not None:
        conditions.append(Question.asker_id == asker.id)
    if not conditions:
        return 0
    since = utcnow() - timedelta(hours=24)
    return db.session.scalar(select(func.count()).where(or_(*conditions), Question.created_at >= since)) or 0


def ask(
    body: str,
    *,
    channel: str,
    locale: str,
    phone: str | None,
    asker: Member | None = None,
    station: Member | None = None,
    commodity_id: int | None = None,
    is_public: bool = False,
) -> Question:
    """A new open question; the experts of its commodity are told (signal ``question_asked``).

    ``phone`` is where the answer is texted (the asker's, or the farmer's when a ``station`` asks);
    ``commodity_id`` None means "read it from the text". Returns the flushed Question. Raises
    KnowledgeInvalid for a too short or too long text, QuestionLimitReached over the daily limit,
    MemberSuspended for a suspended asker or station, DomainError 403 for a station that is not
    approved."""
    text = (body or "").strip()
    if not QUESTION_MIN <= len(text) <= QUESTION_MAX:
        raise KnowledgeInvalid(
            "body", _("A question must be %(min)d to %(max)d characters.", min=QUESTION_MIN, max=QUESTION_MAX)
        )
    if station is not None:
        if not (station.is_approved_station or station.is_admin):
            raise DomainError(_("Only approved information stations can ask for a farmer."), status=403)
        ensure_can_write(station)
        channel = Channel.STATION.value
    if asker is not None:
        ensure_can_write(asker)
    if commodity_id is not None and (not 0 < commodity_id < 2**31 or db.session.get(Commodity, commodity_id) is None):
        commodity_id = None  # a forged choice: read the commodity from the text instead
    count = asked_recently(phone, asker if station is None else None)
    if count >= current_app.config["KNOWLEDGE_QUESTIONS_PER_DAY"]:
        raise QuestionLimitReached(count)
    question = Question(
        asker_id=asker.id if asker is not None else None,
        station_id=station.id if station is not None else None,
        phone=phone,
        channel=channel,
        locale=locale,
        commodity_id=commodity_id if commodity_id is not None else understood_commodity_id(text),
        body=text,
        is_public=bool(is_public),
        status=QuestionStatus.OPEN.value,
        created_at=utcnow(),
    )
    db.session.add(question)
    db.session.flush()
    signals.question_asked.send(signals.SENDER, question_id=question.id, commodity_id=question.commodity_id)
    return question


def answer(question: Question, expert: Member, body: str) -> Question:
    """Answer ``question`` once; the asker is texted (signal ``question_answered``). Raises
    DomainError 403 for anyone but experts and admins, 409 when another expert answered first,
    KnowledgeInvalid for a too short or too long answer, MemberSuspended for a suspended expert."""
    if not is_expert_or_admin(expert):
        raise DomainError(_("Only experts and admins answer questions."), status=403)
    ensure_can_write(expert)
    text = (body or "").strip()
    if not ANSWER_MIN <= len(text) <= ANSWER_MAX:
        raise KnowledgeInvalid(
            "body", _("An answer must be %(min)d to %(max)d characters.", min=ANSWER_MIN, max=ANSWER_MAX)
        )
    # Compare-and-set: of two experts answering at once, the second is told, not silently overwritten.
    result = db.session.execute(
        update(Question)
        .where(Question.id == question.id, Question.status == QuestionStatus.OPEN.value)
        .values(
            status=QuestionStatus.ANSWERED.value,
            answer_body=text,
            answer_html=render_markdown(text),
            answered_by_id=expert.id,
            answered_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(_("This question has already been answered."), status=409)
    db.session.refresh(question)
    signals.question_answered.send(signals.SENDER, question_id=question.id)
    return question


def may_change_visibility(question: Question, member) -> bool:
    """The asker and the station that asked for them decide whether others may read it."""
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    return member.id in (question.asker_id, question.station_id)


def set_public(question: Question, member: Member, public: bool) -> Question:
    """Show (or hide again) a question and its answer on the public Q&A page. Raises DomainError
    403 for anyone but the asker and their station."""
    if not may_change_visibility(question, member):
        raise DomainError(_("Only the person who asked can change this."), status=403)
    question.is_public = bool(public)
    db.session.flush()
    return question


def publish_by_phone(number: int, phone: str) -> Question | None:
    """``公开 12`` / ``PUBLIC 12`` from ``phone``: make question 12 public when it was asked from
    (or for) that number. Returns the question, or None when there is no such question for it
    (someone else's question answers as a missing one: numbers are easy to guess)."""
    question = db.session.get(Question, number)
    if question is None or not question.phone or question.phone != phone:
        return None
    question.is_public = True
    db.session.flush()
    return question


def token_matches(question: Question, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(question.access_token.encode(), str(token).encode())


def can_view(question: Question, viewer, token: str | None = None) -> bool:
    """Who may read ``question``: everyone once it is answered and public; otherwise its asker, the
    station that asked, experts, admins, and whoever has the link with its token."""
    if question.is_public and question.is_answered:
        return True
    if token_matches(question, token):
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id in (question.asker_id, question.station_id) or is_expert_or_admin(viewer)
