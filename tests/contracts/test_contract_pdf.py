"""The contract PDF: a valid PDF for the parties only, with the CJK font embedded (a subset of
WenQuanYi Micro Hei), the Chinese text extractable as Chinese, the SHA-256 printed under it; a
missing font is a clear 503 naming the setting, never a PDF with empty boxes."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.contracts.conftest import form_fields


def _fonts(reader: PdfReader) -> list:
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.append(font.get_object())
    return fonts


def test_a_party_downloads_the_contract_as_a_pdf_with_the_cjk_font_embedded(client, login, buyer, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract?lang=zh").get_data(as_text=True)
    sha = form_fields(page)["sha256"]
    response = client.get(f"/orders/{order.id}/contract.pdf?lang=zh")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF-")

    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())
    assert "购销合同" in compact and order.number in compact and "营业执照号91410100MA44XXXX1K" in compact
    assert sha in compact
    (font,) = {f["/BaseFont"]: f for f in _fonts(reader)}.values()
    assert "WenQuanYi" in font["/BaseFont"]
    descendant = font["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"].get_object()  # embedded, not referenced


def test_the_pdf_of_an_accepted_version_names_who_accepted_it(client, login, buyer, order):
    login(buyer)
    page = client.get(f"/orders/{order.id}/contract?lang=en").get_data(as_text=True)
    client.post(f"/orders/{order.id}/contract/accept", data={**form_fields(page), "agree": "y"})
    response = client.get(f"/orders/{order.id}/contract/v1.pdf?lang=en")
    assert response.status_code == 200
    text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "PURCHASECONTRACT" in text and "acceptedbyBuyerLi" in text and "Seller:notacceptedyet" in text


def test_a_missing_font_is_a_503_that_says_what_to_install(app, client, login, buyer, order):
    app.config["CONTRACT_FONT_PATH"] = "/nonexistent/font.ttc"
    login(buyer)
    response = client.get(f"/orders/{order.id}/contract.pdf")
    assert response.status_code == 503
    assert "fonts-wqy-microhei" in response.get_data(as_text=True)
