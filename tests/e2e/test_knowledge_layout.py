"""The knowledge pages at 360 px, in both languages, without JavaScript errors or CSP violations:
articles, an article with a table, the Q&A page, a question, asking, the experts' queue and the
admins' expert page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.knowledge import questions
from app.knowledge.services import ArticleData, create_article, grant_expert
from tests.e2e.helpers import horizontal_overflow, log_in
from tests.factories import DEFAULT_PASSWORD, make_member

pytestmark = pytest.mark.browser

TABLE_BODY = (
    "| 时期 | 用量 | 说明 |\n| --- | --- | --- |\n| 大喇叭口期 | 尿素每亩10–15公斤 | 追肥后浇水，避免烧苗和养分流失 |\n\n"
    "玉米下部叶片先黄，多为缺氮。" * 3
)


@pytest.fixture
def knowledge_data():
    admin = make_member(phone="+8613700000001", display_name="Admin Zhao", is_admin=True)
    grant_expert(admin, admin, [], "集市农技服务台 Jishi agronomy desk")
    article = create_article(
        admin, ArticleData("玉米叶子发黄怎么办 Maize leaves turning yellow", TABLE_BODY, "pests", "summer")
    )
    farmer = make_member(display_name="Farmer Wang")
    question = questions.ask(
        "我家玉米叶子从下往上发黄，已经一个星期了，该怎么办？" * 2,
        channel="web",
        locale="zh_Hans",
        phone=farmer.phone,
        asker=farmer,
        is_public=True,
    )
    questions.answer(question, admin, "下部老叶先黄是缺氮。每亩追施尿素10公斤，浇水。" * 3)
    open_question = questions.ask(
        "Apple leaves have black spots", channel="web", locale="en", phone=farmer.phone, asker=farmer
    )
    db.session.commit()
    return {"admin": admin, "article": article, "question": question, "open": open_question}


def _fits(page, path: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways"
    assert horizontal_overflow(page) <= 0, path


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_knowledge_pages_fit_a_360px_phone(open_page, live_server, knowledge_data, locale):
    page, problems = open_page(locale=locale)
    public = (
        "/knowledge",
        "/knowledge?q=苞米+发黄",
        f"/knowledge/articles/{knowledge_data['article'].id}",
        "/knowledge/questions",
        f"/knowledge/questions/{knowledge_data['question'].id}",
    )
    for path in public:
        page.goto(live_server(path))
        _fits(page, path)
    if locale.startswith("zh"):
        # The login helper reads the English labels; the member pages are the same templates.
        assert problems.all(page) == []
        return
    log_in(page, live_server, knowledge_data["admin"].phone, DEFAULT_PASSWORD)
    for path in (
        "/knowledge/ask",
        "/knowledge/queue",
        f"/knowledge/questions/{knowledge_data['open'].id}",
        "/knowledge/articles/new",
        "/admin/experts",
    ):
        page.goto(live_server(path))
        _fits(page, path)
    assert problems.all(page) == []
