"""The shared CSV writer: a BOM so Excel reads UTF-8, Chinese intact, formula-looking text escaped,
numbers left as numbers, quoting of commas/quotes/newlines, and a download response with a safe
file name."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.web.csv_export import ROWS_PER_CHUNK, cell, csv_response, csv_text


def _parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+86 138 0013 8000", "'+86 138 0013 8000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a=b", "a=b"),
        ("玉米 = corn", "玉米 = corn"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_escaped(value, expected):
    assert cell(value) == expected


def test_numbers_dates_and_empty_values_are_written_plainly():
    assert cell(None) == ""
    assert cell(7) == 7
    assert cell(Decimal("-30.00")) == "-30.00"  # a negative amount stays a number
    assert cell(Decimal("1E+3")) == "1000"
    assert cell(date(2026, 3, 1)) == "2026-03-01"
    assert cell(datetime(2026, 3, 1, 8, 30, 5, 123, tzinfo=UTC)) == "2026-03-01 08:30:05+00:00"
    assert cell(True) == "yes"


def test_file_starts_with_a_bom_and_keeps_chinese_commas_quotes_and_newlines():
    text = csv_text(["商品", "Note"], [["玉米", 'He said "fine", then left\nearly'], ["大米", "=1+1"]])
    assert text.startswith("\ufeff商品,Note\r\n")
    assert _parse(text) == [["商品", "Note"], ["玉米", 'He said "fine", then left\nearly'], ["大米", "'=1+1"]]


def test_header_cells_are_escaped_too():
    assert _parse(csv_text(["=cmd|' /C calc'!A0"], []))[0] == ["'=cmd|' /C calc'!A0"]


def test_download_response_is_utf8_with_bom_and_a_chinese_file_name(app):
    rows = ([f"行{n}", Decimal(n)] for n in range(ROWS_PER_CHUNK * 2 + 3))
    with app.test_request_context("/"):
        response = csv_response("结算-2026.csv", ["名称", "金额"], rows)
        response.direct_passthrough = False  # read the streamed body here
        body = response.get_data()
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"-2026.csv\"; filename*=UTF-8''%E7%BB%93%E7%AE%97-2026.csv"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert body.startswith(b"\xef\xbb\xbf")
    parsed = _parse(body.decode("utf-8"))
    assert parsed[0] == ["名称", "金额"] and parsed[1] == ["行0", "0"]
    assert len(parsed) == 1 + ROWS_PER_CHUNK * 2 + 3 and parsed[-1] == [
        f"行{ROWS_PER_CHUNK * 2 + 2}",
        str(ROWS_PER_CHUNK * 2 + 2),
    ]


def test_file_name_cannot_break_the_header(app):
    with app.test_request_context("/"):
        response = csv_response('a"\r\nSet-Cookie: x=1\\.csv', ["h"], [])
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith('attachment; filename="aSet-Cookie: x=1.csv";')
