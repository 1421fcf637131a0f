"""Image uploads (posting photos, storefront logos, verification documents).

Every upload is decoded with Pillow (so a renamed PDF or a truncated file is refused), re-encoded
without its metadata (EXIF, including GPS position, never leaves the phone's upload), resized to at
most PHOTO_MAX_PX and given a thumbnail of at most THUMB_MAX_PX. Stored names are random, never the
uploader's file name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Decompression bombs: refuse anything that decodes to more than 40 megapixels.
Image.MAX_IMAGE_PIXELS = 40_000_000


class ImageRejected(ValueError):
    """The upload is not an acceptable image; ``message`` is shown beside the form field."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class StoredImage:
    filename: str
    thumb_filename: str
    width: int
    height: int


def upload_dir(private: bool = False) -> Path:
    base = Path(current_app.config["UPLOAD_DIR"])
    path = base / "private" if private else base
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_image(file_storage, private: bool = False) -> StoredImage:
    """Validate, clean and store an uploaded image. Returns the stored names and size.

    Raises ImageRejected for anything that is not a JPEG, PNG or WebP within MAX_PHOTO_BYTES.
    ``private`` images (identity documents) go to a folder that is never served publicly.
    """
    max_bytes = current_app.config["MAX_PHOTO_BYTES"]
    stream = file_storage.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise ImageRejected(_l("The file is empty."))
    if size > max_bytes:
        raise ImageRejected(_l("Each photo may be at most %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    try:
        with Image.open(stream) as probe:
            image_format = probe.format
            probe.verify()
        stream.seek(0)
        with Image.open(stream) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRejected(_l("This file is not a readable image. Please upload a JPEG, PNG or WebP photo."))
    if image_format not in ALLOWED_FORMATS:
        raise ImageRejected(_l("Only JPEG, PNG and WebP photos are accepted."))

    extension = ALLOWED_FORMATS[image_format]
    directory = upload_dir(private)
    stem = secrets.token_urlsafe(16)
    full = _resized(image, current_app.config["PHOTO_MAX_PX"])
    thumb = _resized(image, current_app.config["THUMB_MAX_PX"])
    filename, thumb_filename = f"{stem}.{extension}", f"{stem}_t.{extension}"
    _write(full, directory / filename, image_format)
    _write(thumb, directory / thumb_filename, image_format)
    return StoredImage(filename, thumb_filename, full.width, full.height)


def delete_image(filename: str | None, private: bool = False) -> None:
    """Remove a stored image and its thumbnail if they exist."""
    if not filename:
        return
    directory = upload_dir(private)
    stem, _, extension = filename.rpartition(".")
    for name in (filename, f"{stem}_t.{extension}"):
        (directory / name).unlink(missing_ok=True)


def _resized(image: Image.Image, max_px: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    return copy


def _write(image: Image.Image, path: Path, image_format: str) -> None:
    # A fresh image with only pixel data: no EXIF, no XMP, no ICC comments survive re-encoding.
    if image.mode == "P" or (image_format == "JPEG" and image.mode not in ("RGB", "L")):
        image = image.convert("RGB" if image_format == "JPEG" else "RGBA")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    options = {"quality": 82, "optimize": True} if image_format in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(path, format=image_format, **options)
