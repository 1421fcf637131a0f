"""sms.limits owns how long an SMS may be and cuts an over-long one safely: logged, at a clean
point, a GSM-7 "..." marking the cut and a trailing link kept whole."""

from __future__ import annotations

import logging

import pytest

from sms import limits
from sms.segments import count_segments

LINK = "https://jishi.cn/n/12345"


def test_the_limits_are_two_parts_for_replies_and_one_for_messages_we_start():
    assert limits.REPLY_SEGMENTS == 2 and limits.MESSAGE_SEGMENTS == 1
    assert limits.segments_for("order_paid") == 1 and limits.segments_for("price_alert") == 1
    assert limits.segments_for("station_posting_confirm") == 2


def test_a_message_within_its_limit_is_untouched_and_not_logged(caplog):
    text = f"Jishi: order J1234 was paid. {LINK}"
    with caplog.at_level(logging.ERROR, logger="sms.limits"):
        assert limits.within(text, 1, "order_paid") == text
    assert caplog.records == []


@pytest.mark.sms_over_limit
@pytest.mark.parametrize("filler", ["word " * 80, "玉米价格" * 40])
def test_an_over_long_message_is_logged_and_cut_keeping_its_link(caplog, filler):
    text = f"Jishi: {filler.strip()} {LINK}"
    with caplog.at_level(logging.ERROR, logger="sms.limits"):
        cut = limits.within(text, 1, "order_paid")
    assert count_segments(cut).segments == 1
    assert cut.endswith(f"... {LINK}") and cut.startswith("Jishi: ")
    assert text.startswith(cut[: -len(f"... {LINK}")].rstrip())
    [record] = caplog.records
    assert "order_paid" in record.getMessage() and "over its limit of 1" in record.getMessage()


@pytest.mark.sms_over_limit
def test_a_message_without_a_trailing_link_is_cut_with_the_mark_only():
    cut = limits.within("x " * 400, 2, "reply")
    assert count_segments(cut).segments == 2 and cut.endswith("...")
    # A cut never turns a GSM-7 message into UCS-2, which would halve its room.
    assert count_segments(cut).encoding == "GSM-7"


@pytest.mark.sms_over_limit
def test_a_link_too_long_to_keep_is_cut_like_any_text():
    cut = limits.within("Jishi: " + "https://jishi.cn/" + "x" * 300, 1, "order_paid")
    assert count_segments(cut).segments == 1 and cut.endswith("...")
