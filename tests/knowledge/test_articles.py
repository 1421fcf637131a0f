"""Articles: experts and admins write them in sanitised Markdown; everyone reads and searches them
with the market's query understanding (commodity names, aliases, pinyin, Traditional)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.knowledge.models import Article
from app.knowledge.services import ArticleData, create_article
from tests.factories import make_member
from tests.knowledge.conftest import commodity

BODY = "Yellow lower leaves on maize usually mean the plants lack nitrogen. Side-dress 10 kg urea per mu."


def _article(db, author, title="Maize leaves turning yellow", slug="maize", topic="pests", season="summer", body=BODY):
    article = create_article(
        author,
        ArticleData(
            title=title,
            body=body,
            topic=topic,
            season=season,
            commodity_id=commodity(db, slug).id if slug else None,
        ),
    )
    db.session.commit()
    return article


def test_an_expert_writes_an_article_and_everyone_reads_it(client, login, db, expert):
    login(expert)
    response = client.post(
        "/knowledge/articles/new",
        data={
            "title": "Storing apples over winter",
            "commodity_id": str(commodity(db, "apple").id),
            "topic": "storage",
            "season": "winter",
            "body": "Keep apples **cold and humid**: 0–2 °C.\n\n- sort out bruised fruit\n- air the store weekly",
        },
    )
    assert response.status_code == 303
    article = db.session.scalar(select(Article))
    assert response.headers["Location"].endswith(f"/knowledge/articles/{article.id}")
    assert "<strong>cold and humid</strong>" in article.body_html and "<li>" in article.body_html
    client.post("/members/logout")
    with client.session_transaction() as session:
        session.clear()
    page = client.get(f"/knowledge/articles/{article.id}").get_data(as_text=True)
    assert "Storing apples over winter" in page and "<strong>cold and humid</strong>" in page
    assert "Expert Liu" in page


def test_script_and_raw_html_in_an_article_are_made_harmless(db, expert, client):
    article = _article(
        db,
        expert,
        body="<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)> text enough",
    )
    page = client.get(f"/knowledge/articles/{article.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;" in article.body_html


@pytest.mark.parametrize("who", ["farmer", "visitor"])
def test_only_experts_and_admins_may_write(client, login, db, farmer, who):
    if who == "farmer":
        login(farmer)
        assert client.get("/knowledge/articles/new").status_code == 403
        response = client.post(
            "/knowledge/articles/new", data={"title": "Spam title", "topic": "growing", "season": "all", "body": BODY}
        )
        assert response.status_code == 403
    else:
        response = client.get("/knowledge/articles/new")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(Article)) is None


def test_an_admin_writes_and_edits_any_article_but_another_expert_may_not(
    client, login, db, expert, apple_expert, admin
):
    article = _article(db, expert)
    login(apple_expert)
    assert client.get(f"/knowledge/articles/{article.id}/edit").status_code == 403
    login(admin)
    response = client.post(
        f"/knowledge/articles/{article.id}/edit",
        data={"title": "Yellow maize leaves", "commodity_id": "", "topic": "growing", "season": "all", "body": BODY},
    )
    assert response.status_code == 303
    db.session.refresh(article)
    assert (article.title, article.commodity_id, article.topic) == ("Yellow maize leaves", None, "growing")


def test_a_too_short_article_is_refused_beside_the_field(client, login, db, expert):
    login(expert)
    response = client.post(
        "/knowledge/articles/new", data={"title": "Short", "topic": "growing", "season": "all", "body": "too short"}
    )
    assert response.status_code == 422
    assert "The article must be" in response.get_data(as_text=True)
    assert db.session.scalar(select(Article)) is None


def test_post_without_csrf_token_is_refused(client, login, db, expert):
    login(expert)
    response = client.post(
        "/knowledge/articles/new",
        data={"title": "No token", "topic": "growing", "season": "all", "body": BODY},
        csrf=False,
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Article)) is None


@pytest.mark.parametrize("query", ["玉米", "苞米", "yumi", "corn", "棒子 leaves", "maize yellow"])
def test_search_understands_commodity_names_aliases_and_pinyin(client, db, expert, query):
    maize = _article(db, expert)
    apple = _article(db, expert, title="Apple scab in spring", slug="apple", body="Scab spots on apple leaves. " * 3)
    page = client.get("/knowledge", query_string={"q": query}).get_data(as_text=True)
    assert f"/knowledge/articles/{maize.id}" in page
    assert f"/knowledge/articles/{apple.id}" not in page


def test_search_reads_traditional_characters_and_free_words(client, db, expert):
    maize = _article(db, expert, title="玉米叶子发黄怎么办", body="玉米下部叶片发黄，多为缺氮，每亩追施尿素10公斤。")
    other = _article(db, expert, title="玉米螟的防治", body="玉米螟在大喇叭口期用药，效果最好，注意轮换药剂。")
    page = client.get("/knowledge", query_string={"q": "玉米 發黃"}).get_data(as_text=True)
    assert f"/knowledge/articles/{maize.id}" in page
    assert f"/knowledge/articles/{other.id}" not in page


def test_filters_by_topic_and_season_all_year_articles_in_every_season(client, db, expert):
    summer = _article(db, expert, season="summer")
    all_year = _article(db, expert, title="Maize storage basics", topic="storage", season="all")
    winter = _article(db, expert, title="Maize in winter", season="winter")
    page = client.get("/knowledge", query_string={"season": "summer"}).get_data(as_text=True)
    assert f'/knowledge/articles/{summer.id}"' in page and f'/knowledge/articles/{all_year.id}"' in page
    assert f'/knowledge/articles/{winter.id}"' not in page
    page = client.get("/knowledge", query_string={"topic": "storage"}).get_data(as_text=True)
    assert f'/knowledge/articles/{all_year.id}"' in page and f'/knowledge/articles/{summer.id}"' not in page


def test_the_article_list_is_in_chinese(client, db, expert):
    _article(db, expert)
    page = client.get("/knowledge", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "农技知识" in page and "病虫害" in page


def test_a_suspended_expert_cannot_publish(client, login, db, admin):
    from datetime import timedelta

    from app.core.clock import utcnow
    from app.knowledge.services import grant_expert

    member = make_member(display_name="Expert Gone")
    grant_expert(member, admin, [])
    member.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    login(member)
    response = client.post(
        "/knowledge/articles/new", data={"title": "Some title", "topic": "growing", "season": "all", "body": BODY}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(Article)) is None
