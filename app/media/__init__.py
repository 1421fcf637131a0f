"""Uploaded images: validation, resizing, EXIF removal and storage under UPLOAD_DIR."""
