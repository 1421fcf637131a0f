"""Reviews after completion: each party rates the other once (1–5 and a comment), may edit it for
REVIEW_EDIT_DAYS, only parties of completed orders may review, and storefronts show the average,
the count and the latest reviews."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from app.core.clock import utcnow
from app.trade.models import Review
from app.trade.queries import latest_reviews, rating_summary
from tests.factories import make_member
from tests.trade.helpers import place_order_by_buy_now, walk


def _completed_order(client, login, buyer, seller, posting, quantity="10"):
    order = place_order_by_buy_now(client, login, posting, buyer, quantity=quantity)
    walk(
        client,
        login,
        order,
        (seller, "confirm"),
        (seller, "pay"),
        (seller, "ship"),
        (buyer, "deliver"),
        (buyer, "complete"),
    )
    return order


def test_both_parties_review_each_other_once(client, db, login, buyer, seller, sell_offer):
    order = _completed_order(client, login, buyer, seller, sell_offer)
    login(buyer)
    assert "Review this trade" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    form = client.get(f"/orders/{order.id}/review")
    assert form.status_code == 200 and "You are reviewing Farmer Wang" in form.get_data(as_text=True)
    response = client.post(f"/orders/{order.id}/review", data={"rating": "5", "comment": "Dry, clean rice."})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/orders/{order.id}")

    login(seller)
    client.post(f"/orders/{order.id}/review", data={"rating": "4", "comment": "Paid on time."})
    reviews = {r.author_id: r for r in db.session.scalars(select(Review))}
    assert (reviews[buyer.id].subject_id, reviews[buyer.id].rating) == (seller.id, 5)
    assert (reviews[seller.id].subject_id, reviews[seller.id].rating) == (buyer.id, 4)

    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Dry, clean rice." in page and "Paid on time." in page and "Edit your review" in page


def test_a_second_submission_edits_the_review_within_the_window(client, db, login, buyer, seller, sell_offer):
    order = _completed_order(client, login, buyer, seller, sell_offer)
    login(buyer)
    client.post(f"/orders/{order.id}/review", data={"rating": "2", "comment": "Slow."})
    client.post(f"/orders/{order.id}/review", data={"rating": "4", "comment": "Slow, but good rice."})
    review = db.session.scalars(select(Review)).one()
    assert (review.rating, review.comment) == (4, "Slow, but good rice.")
    assert re.search(r'<input checked[^>]*value="4"', client.get(f"/orders/{order.id}/review").get_data(as_text=True))


def test_reviews_cannot_be_edited_after_seven_days(client, db, login, buyer, seller, sell_offer):
    order = _completed_order(client, login, buyer, seller, sell_offer)
    login(buyer)
    client.post(f"/orders/{order.id}/review", data={"rating": "3", "comment": "OK."})
    review = db.session.scalars(select(Review)).one()
    review.created_at = utcnow() - timedelta(days=7, minutes=1)
    db.session.commit()
    response = client.post(f"/orders/{order.id}/review", data={"rating": "1", "comment": "Changed my mind."})
    assert response.status_code == 409
    assert "Reviews can be edited for 7 days" in response.get_data(as_text=True)
    db.session.refresh(review)
    assert review.rating == 3


def test_orders_that_are_not_completed_cannot_be_reviewed(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, order, (seller, "confirm"))
    login(buyer)
    assert "Review this trade" not in client.get(f"/orders/{order.id}").get_data(as_text=True)
    response = client.post(f"/orders/{order.id}/review", data={"rating": "5", "comment": "Early praise"})
    assert response.status_code == 409
    assert "once the order is completed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Review.id))) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"rating": "6", "comment": "Great"}, "Not a valid choice"),
        ({"rating": "0", "comment": "Great"}, "Not a valid choice"),
        ({"rating": "five", "comment": "Great"}, "Invalid Choice"),
        ({"comment": "Great"}, "Choose from 1 to 5 stars."),
        ({"rating": "5", "comment": ""}, "Write a few words about the trade."),
        ({"rating": "5", "comment": "x" * 2001}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_bad_review_input_is_refused_beside_the_field(client, db, login, buyer, seller, sell_offer, data, message):
    order = _completed_order(client, login, buyer, seller, sell_offer)
    login(buyer)
    response = client.post(f"/orders/{order.id}/review", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Review.id))) == 0


def test_rating_summary_and_latest_reviews(client, db, login, buyer, seller, sell_offer):
    assert rating_summary(seller.id) == (None, 0)
    other_buyer = make_member(display_name="Buyer Sun")
    for who, rating in ((buyer, 5), (other_buyer, 4), (buyer, 4)):
        order = _completed_order(client, login, who, seller, sell_offer, quantity="1")
        login(who)
        client.post(
            f"/orders/{order.id}/review",
            data={"rating": str(rating), "comment": f"{rating} stars from {who.display_name}"},
        )
    assert rating_summary(seller.id) == (Decimal("4.3"), 3)
    newest = latest_reviews(seller.id, 2)
    assert [r.comment for r in newest] == ["4 stars from Buyer Li", "4 stars from Buyer Sun"]


def test_the_storefront_partial_shows_average_count_and_latest_reviews(client, db, login, buyer, seller, sell_offer):
    order = _completed_order(client, login, buyer, seller, sell_offer)
    login(buyer)
    client.post(f"/orders/{order.id}/review", data={"rating": "4", "comment": "Would buy again."})
    with client.application.test_request_context("/s/wang-farm"):
        html = render_template_string('{% include "trade/_storefront_reviews.html" %}', member=seller)
    assert "4.0 out of 5 from 1 review" in html and "Would buy again." in html and "Buyer Li" in html
    with client.application.test_request_context("/s/other"):
        html = render_template_string('{% include "trade/_storefront_reviews.html" %}', member=buyer)
    assert "No reviews yet." in html
