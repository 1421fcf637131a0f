"""The other forms that upload a photo shrink it in the phone and keep it like the posting form
(issue 25), in Chromium at 360×740: the storefront's logo here (the verification document and the
driver's proof photo use the same markup, templates/_photo_upload.html, and script). With
JavaScript a 13 MB photo goes as about 300 KB with a progress bar, and a form refused for another
reason (the web address is taken) keeps it, so the next try sends only its token. Without
JavaScript the plain upload still works. The driver's proof photo is shrunk too, and the button the
driver tapped still says which status it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import request
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.logistics.models import ShipmentEvent
from app.media.models import PendingUpload
from app.members.models import Storefront
from tests.e2e.helpers import log_in, make_jpeg
from tests.e2e.test_photo_resize import RECORD_PROGRESS, noisy_phone_photo
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.logistics.conftest import arrange, driver_link
from tests.trade.helpers import place_order_by_buy_now, walk

pytestmark = pytest.mark.browser


@pytest.fixture
def storefront_bodies(app):
    """The Content-Length of every storefront form the live server receives."""
    sizes: list[int] = []

    @app.before_request
    def _record():
        if request.method == "POST" and request.path == "/account/storefront":
            sizes.append(request.content_length or 0)

    return sizes


def test_a_big_logo_is_made_small_before_sending_and_kept_when_the_address_is_taken(
    open_page, live_server, tmp_path, storefront_bodies, app
):
    neighbour = make_member(display_name="Neighbour")
    db.session.add(Storefront(member=neighbour, slug="hill-farm", name="Hill Farm"))
    member = make_member(phone="+8613812340010", display_name="Zhou Orchard")
    db.session.commit()
    photo = noisy_phone_photo(tmp_path / "IMG_5000.jpg")
    assert photo.stat().st_size > app.config["MAX_PHOTO_BYTES"]

    page, problems = open_page()
    log_in(page, live_server, "13812340010", DEFAULT_PASSWORD)
    page.goto(live_server("/account/storefront"))
    page.evaluate(RECORD_PROGRESS)
    page.get_by_label("Web address").fill("hill-farm")
    page.get_by_label("Logo or photo (optional)").set_input_files(str(photo))
    page.get_by_role("button", name="Save storefront").click()

    expect(page.get_by_text("This web address is already taken.")).to_be_visible()
    assert page.locator("header.site-header").count() == 1  # the page was swapped, not nested
    assert len(storefront_bodies) == 1
    assert storefront_bodies[0] < app.config["PHOTO_UPLOAD_TARGET_BYTES"] + 16 * 1024, (
        f"sent {storefront_bodies[0]} bytes for a {photo.stat().st_size}-byte photo"
    )
    progress = page.evaluate("window.__progress")
    assert any(not state["hidden"] and state["value"] == 100 and "100%" in state["text"] for state in progress)
    thumbnail = page.get_by_role("img", name="Received photo 1")
    expect(thumbnail).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    expect(page.get_by_label("Keep this photo")).to_be_checked()

    # The second try sends no photo again, only the kept one's token.
    page.get_by_label("Web address").fill("zhou-orchard")
    page.get_by_role("button", name="Save storefront").click()
    expect(page).to_have_url(re.compile(r"/s/zhou-orchard$"))
    assert len(storefront_bodies) == 2 and storefront_bodies[1] < 64 * 1024
    shop = db.session.scalars(select(Storefront).where(Storefront.member_id == member.id)).one()
    db.session.refresh(shop)
    assert shop.logo_filename
    assert (Path(app.config["UPLOAD_DIR"]) / shop.logo_filename).exists()
    assert db.session.scalars(select(PendingUpload).where(PendingUpload.member_id == member.id)).all() == []
    assert problems.all(page, expected_statuses=(422,)) == []


def test_without_javascript_the_logo_is_a_plain_upload(open_page, live_server, tmp_path, storefront_bodies, app):
    member = make_member(phone="+8613812340011", display_name="Qin Farm")
    photo = make_jpeg(tmp_path / "logo.jpg", size=(1200, 900))

    page, problems = open_page(java_script_enabled=False)
    log_in(page, live_server, "13812340011", DEFAULT_PASSWORD)
    page.goto(live_server("/account/storefront"))
    page.get_by_label("Web address").fill("qin-farm")
    page.get_by_label("Logo or photo (optional)").set_input_files(str(photo))
    page.get_by_role("button", name="Save storefront").click()

    expect(page).to_have_url(re.compile(r"/s/qin-farm$"))
    assert storefront_bodies and storefront_bodies[0] > photo.stat().st_size  # sent as chosen
    shop = db.session.scalars(select(Storefront).where(Storefront.member_id == member.id)).one()
    db.session.refresh(shop)
    assert shop.logo_filename
    assert problems.all(page) == []


def test_the_drivers_proof_photo_is_made_small_and_the_tapped_status_is_sent(
    open_page, live_server, tmp_path, app, client, login, buyer, seller, sell_offer
):
    bodies: list[int] = []  # the body sizes of the driver's posts (hooked before any request)

    @app.before_request
    def _record():
        if request.method == "POST" and request.path.startswith("/d/"):
            bodies.append(request.content_length or 0)

    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10")
    walk(client, login, order, (seller, "confirm"))
    arrange(
        client,
        login,
        order,
        seller,
        method="vehicle",
        carrier=None,
        tracking_number=None,
        driver_name="Driver Zhou",
        driver_phone="+8613911112222",
        vehicle_plate="豫A12345",
    )
    path = driver_link(client, login, order, seller)
    db.session.commit()  # end this thread's transaction: the live server writes the driver's update
    photo = noisy_phone_photo(tmp_path / "IMG_6000.jpg", size=(3000, 2250))
    page, problems = open_page()  # the driver has no account: no login
    page.goto(live_server(path))
    page.get_by_label("Photo (optional)").set_input_files(str(photo))
    page.get_by_role("button", name="Picked up").click()

    expect(page.get_by_text("Thank you. The status was sent.")).to_be_visible()
    assert len(bodies) == 1 and bodies[0] < app.config["PHOTO_UPLOAD_TARGET_BYTES"] + 16 * 1024, bodies
    event = db.session.scalars(
        select(ShipmentEvent).where(ShipmentEvent.status == "picked_up").order_by(ShipmentEvent.id.desc())
    ).first()
    assert event is not None and event.photo_filename
    assert problems.all(page) == []
