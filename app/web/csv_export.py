"""CSV downloads that open in Excel with Chinese intact and cannot smuggle formulas.

Used by the admin reports (app/market/report_routes.py) and the admin audit-log export.

* UTF-8 with a byte-order mark: without it Excel on Windows reads the file as the local ANSI code page
  and 中文 turns into mojibake.
* A text cell that starts with ``= + - @`` (or a tab / carriage return, which Excel strips before
  looking) is prefixed with ``'`` so a spreadsheet shows it as text instead of running it as a formula
  (OWASP "CSV injection"). Numbers (int, Decimal) are written as they are: they cannot carry a formula,
  and a negative amount must stay a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response, stream_with_context

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Rows are sent in batches of this many, so a long export streams instead of being built in memory.
ROWS_PER_CHUNK = 500


def cell(value) -> str | int:
    """One value as a safe CSV cell: '' for None, plain digits for numbers, escaped text otherwise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        # format() never switches to scientific notation (str(Decimal("1E+3")) would).
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_lines(header: Sequence, rows: Iterable[Sequence]) -> Iterable[str]:
    """The file as text chunks: the BOM with the header row first, then the rows (CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(value) for value in header])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """The whole file as one string (BOM included)."""
    return "".join(csv_lines(header, rows))


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> Response:
    """A download of ``rows`` under ``header`` named ``filename`` (which may contain Chinese).

    ``rows`` may be a lazy iterable (e.g. a streamed query): it is read while the response is sent,
    inside the request context.
    """
    # Header injection: only printable ASCII without quotes or backslashes in the plain name.
    ascii_name = "".join(c for c in filename if 32 <= ord(c) < 127 and c not in '"\\') or "export.csv"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    response = Response(
        stream_with_context(chunk.encode("utf-8") for chunk in csv_lines(header, rows)),
        mimetype="text/csv",
    )
    response.headers["Content-Disposition"] = disposition
    # Reports hold business figures: never keep them in a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
