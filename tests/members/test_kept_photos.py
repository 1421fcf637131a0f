"""A logo or document photo that arrived with a form refused for another reason is kept (issue 25):
the member does not send it again over a slow link. Plain multipart posts, as without JavaScript:
the kept photo is a ticked "keep this photo" box carrying its token."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from app.media.models import PendingUpload
from app.members.models import Storefront, VerificationRequest
from tests.factories import make_member
from tests.members.helpers import png_upload

TOKEN = re.compile(r'name="keep_photo" value="([^"]+)" checked')


def kept_token(page: str) -> str:
    found = TOKEN.findall(page)
    assert len(found) == 1, page
    return found[0]


def pending_count(db) -> int:
    return db.session.scalar(select(func.count(PendingUpload.id)))


def test_a_logo_sent_with_a_taken_address_is_kept_and_used_next_time(app, client, db, login):
    db.session.add(Storefront(member=make_member(display_name="Neighbour"), slug="hill-farm", name="Hill Farm"))
    member = make_member(display_name="Zhou Orchard")
    db.session.commit()
    login(member)
    form = {"name": "Zhou Orchard", "slug": "hill-farm", "province_code": "", "locality": "", "about": ""}

    response = client.post("/account/storefront", data={**form, "logo": png_upload()})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "This web address is already taken." in page
    token = kept_token(page)
    assert "Photos already received" in page and pending_count(db) == 1
    assert client.get(f"/postings/pending-photos/{token}").status_code == 200

    response = client.post("/account/storefront", data={**form, "slug": "zhou-orchard", "keep_photo": token})
    assert response.status_code == 302 and response.location == "/s/zhou-orchard"
    shop = db.session.scalars(select(Storefront).where(Storefront.member_id == member.id)).one()
    assert shop.logo_filename and (Path(app.config["UPLOAD_DIR"]) / shop.logo_filename).exists()
    assert pending_count(db) == 0
    assert not (Path(app.config["UPLOAD_DIR"]) / "private" / shop.logo_filename).exists()


def test_an_unticked_kept_logo_is_not_used_and_someone_elses_token_is_ignored(client, db, login):
    owner = make_member(display_name="Owner")
    login(owner)
    form = {"name": "", "slug": "owner-farm", "province_code": "", "locality": "", "about": ""}
    token = kept_token(client.post("/account/storefront", data={**form, "logo": png_upload()}).get_data(as_text=True))

    other = make_member(display_name="Other")
    login(other)
    response = client.post(
        "/account/storefront", data={**form, "name": "Other Farm", "slug": "other-farm", "keep_photo": token}
    )
    assert response.status_code == 302
    shop = db.session.scalars(select(Storefront).where(Storefront.member_id == other.id)).one()
    assert shop.logo_filename is None and pending_count(db) == 1

    login(owner)
    response = client.post("/account/storefront", data={**form, "name": "Owner Farm"})  # box unticked
    assert response.status_code == 302
    shop = db.session.scalars(select(Storefront).where(Storefront.member_id == owner.id)).one()
    assert shop.logo_filename is None


def test_a_document_sent_without_the_name_is_kept_private_and_becomes_the_requests(app, client, db, login):
    member = make_member()
    login(member)
    form = {"legal_name": "", "licence_number": "91410100MA44XYZ123", "note": ""}

    response = client.post("/account/verification", data={**form, "document": png_upload()})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter the name as it is on the licence or ID card." in page
    token = kept_token(page)
    pending = db.session.scalars(select(PendingUpload)).one()
    private = Path(app.config["UPLOAD_DIR"]) / "private"
    assert (private / pending.filename).exists()

    response = client.post("/account/verification", data={**form, "legal_name": "周小梅", "keep_photo": token})
    assert response.status_code == 302
    request = db.session.scalars(select(VerificationRequest).where(VerificationRequest.member_id == member.id)).one()
    assert request.legal_name == "周小梅" and request.document_filename == pending.filename
    assert (private / request.document_filename).exists()  # still private, never copied to public
    assert not (Path(app.config["UPLOAD_DIR"]) / request.document_filename).exists()
    assert pending_count(db) == 0
