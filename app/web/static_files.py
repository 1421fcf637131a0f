"""Fingerprinted static files and compressed responses (issue 25: a farmer's phone on a rural link).

Every ``url_for('static', filename=…)`` gets ``?v=<first 12 hex digits of the file's SHA-256>``. A
request whose ``v`` is the file's current fingerprint is answered with a year-long immutable cache
header, so a phone never asks for that file again; a new file content makes a new URL. Requests
without ``v`` (or with an old one) keep Flask's default: ``no-cache``, revalidated with the ETag.
The fingerprint comes from the content alone, so every worker and host computes the same URL
without sharing anything; it is computed once per file and again only when the file's size or
modification time changes.

Responses are compressed (brotli, else gzip) by Flask-Compress, configured in config.py
(``COMPRESS_*``); nginx in front may compress static files it serves itself (deploy/nginx/).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from urllib.parse import quote

from flask import Flask, request

IMMUTABLE = "public, max-age=31536000, immutable"
FINGERPRINT_LENGTH = 12


class Fingerprints:
    """Content fingerprints of the files under one static folder."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder).resolve()
        self._known: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def of(self, filename: str) -> str | None:
        """The fingerprint of ``filename`` (relative to the folder), or None when there is no such
        file inside the folder."""
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder):
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        known = self._known.get(filename)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]
        with self._lock:
            self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest

    def warm(self) -> None:
        """Fingerprint every file now (at start-up), so no page render reads a file."""
        for path in self.folder.rglob("*"):
            if path.is_file():
                self.of(path.relative_to(self.folder).as_posix())


def favicon_data_uri(static_folder: str | os.PathLike[str]) -> str:
    """static/img/favicon.svg as a data: URI. Written into each page (about 150 bytes compressed)
    because Chromium asks for a linked favicon again on every page, even when it is cached as
    immutable: one more round trip per page on a rural link."""
    svg = (Path(static_folder) / "img" / "favicon.svg").read_text(encoding="utf-8").strip()
    return "data:image/svg+xml," + quote(svg, safe=" /:=,;'()-.")


def register(app: Flask) -> None:
    fingerprints = Fingerprints(app.static_folder)
    fingerprints.warm()
    app.extensions["static_fingerprints"] = fingerprints
    app.jinja_env.globals["favicon_href"] = favicon_data_uri(app.static_folder)

    @app.url_defaults
    def add_fingerprint(endpoint, values):
        if endpoint == "static" and "v" not in values:
            version = fingerprints.of(values.get("filename", ""))
            if version:
                values["v"] = version

    @app.after_request
    def cache_fingerprinted_static_files(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        version = request.args.get("v")
        filename = (request.view_args or {}).get("filename", "")
        if version and version == fingerprints.of(filename):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
