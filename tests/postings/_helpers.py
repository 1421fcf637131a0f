"""Shared test data for the posting tests: a valid form submission and real images made with Pillow."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from app.catalogue.services import find_commodity
from app.postings.services import local_today


def form_data(**changes) -> dict:
    """A valid sell offer as a browser would post it; ``changes`` replace fields (None removes one)."""
    data = {
        "kind": "sell",
        "commodity_id": str(find_commodity("maize").id),
        "title": "New-season maize, dry",
        "description": "Dried to 14% moisture.",
        "variety": "Zhengdan 958",
        "grade": "Grade 1",
        "quantity": "20",
        "unit_code": "t",
        "unit_weight_kg": "",
        "min_order": "5",
        "price": "2400",
        "province_code": "41",
        "locality": "Zhoukou, Shangshui county",
        "available_from": local_today().isoformat(),
        "available_until": (local_today() + timedelta(days=20)).isoformat(),
        "delivery": "either",
        "lot_code": "",
        "harvest_date": "",
        "publish": "Publish",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def jpeg_bytes(size=(400, 300), color="green", gps: bool = False) -> bytes:
    """A real JPEG; with ``gps`` it carries an EXIF GPS position like a phone photo."""
    image = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (34.0, 45.0, 30.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (113.0, 40.0, 12.0)
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def photo(name: str = "maize.jpg", **kwargs) -> tuple[io.BytesIO, str]:
    """One file part for a multipart form post."""
    return io.BytesIO(jpeg_bytes(**kwargs)), name
