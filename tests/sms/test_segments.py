"""Segment counting (GSM-7 160/153 with 2-septet escapes, UCS-2 70/67 in UTF-16 units) and clean truncation."""

from __future__ import annotations

import pytest

from sms.segments import GSM7, UCS2, SegmentInfo, count_segments, fits, is_gsm7, truncate_to_segments

SMILE = "\U0001f600"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", SegmentInfo(GSM7, 0, 1, 160), id="empty-costs-one-segment"),
        pytest.param("a" * 160, SegmentInfo(GSM7, 160, 1, 160), id="gsm-160-is-one"),
        pytest.param("a" * 161, SegmentInfo(GSM7, 161, 2, 153), id="gsm-161-is-two"),
        pytest.param("a" * 306, SegmentInfo(GSM7, 306, 2, 153), id="gsm-306-is-two"),
        pytest.param("a" * 307, SegmentInfo(GSM7, 307, 3, 153), id="gsm-307-is-three"),
        pytest.param("{" * 80, SegmentInfo(GSM7, 160, 1, 160), id="escape-chars-count-two"),
        pytest.param("{" * 81, SegmentInfo(GSM7, 162, 2, 153), id="escape-chars-overflow"),
        pytest.param("a" * 159 + "€", SegmentInfo(GSM7, 161, 2, 153), id="euro-is-an-escape"),
        pytest.param("^}\\[~]|\f", SegmentInfo(GSM7, 16, 1, 160), id="every-escape-and-form-feed"),
        pytest.param("Çéàü@£$¥\n", SegmentInfo(GSM7, 9, 1, 160), id="gsm-basic-accents"),
        pytest.param("ç", SegmentInfo(UCS2, 1, 1, 70), id="lowercase-c-cedilla-is-not-gsm"),
        pytest.param("中" * 70, SegmentInfo(UCS2, 70, 1, 70), id="chinese-70-is-one"),
        pytest.param("中" * 71, SegmentInfo(UCS2, 71, 2, 67), id="chinese-71-is-two"),
        pytest.param("中" * 134, SegmentInfo(UCS2, 134, 2, 67), id="chinese-134-is-two"),
        pytest.param("中" * 135, SegmentInfo(UCS2, 135, 3, 67), id="chinese-135-is-three"),
        pytest.param("a" * 100 + "中", SegmentInfo(UCS2, 101, 2, 67), id="one-chinese-char-makes-all-ucs2"),
        pytest.param(SMILE, SegmentInfo(UCS2, 2, 1, 70), id="emoji-is-two-units"),
        pytest.param(SMILE * 35, SegmentInfo(UCS2, 70, 1, 70), id="35-emoji-fill-one"),
        pytest.param(SMILE * 36, SegmentInfo(UCS2, 72, 2, 67), id="36-emoji-need-two"),
        pytest.param("a" * 66 + SMILE + "a" * 66, SegmentInfo(UCS2, 134, 3, 67), id="emoji-never-straddles-parts"),
        pytest.param("a" * 152 + "{" + "a" * 152, SegmentInfo(GSM7, 306, 3, 153), id="escape-never-straddles-parts"),
        pytest.param("玉米 2100元/吨 {ok}", SegmentInfo(UCS2, 15, 1, 70), id="escapes-cost-one-unit-in-ucs2"),
    ],
)
def test_count_segments(text: str, expected: SegmentInfo):
    assert count_segments(text) == expected


def test_is_gsm7_rejects_the_escape_control_character_itself():
    assert is_gsm7("plain text {with} [brackets] €5")
    assert not is_gsm7("\x1b")


def test_text_that_fits_is_returned_unchanged():
    assert truncate_to_segments("Maize 2100/t", 1, " https://j.cn/p/1") == "Maize 2100/t"


def test_long_english_is_cut_at_a_word_and_gets_the_link():
    text = "Maize prices today: " + " ".join(f"market{n} 2100/t" for n in range(40))
    result = truncate_to_segments(text, 1, "... https://j.cn/p/12")
    assert count_segments(result).segments == 1
    assert result.endswith("... https://j.cn/p/12")
    kept = result.removesuffix("... https://j.cn/p/12")
    assert text.startswith(kept) and text[len(kept)] == " "
    assert len(result) > 150


def test_long_chinese_fills_one_ucs2_segment():
    result = truncate_to_segments("玉米价格上涨" * 20, 1, "…详见 j.cn/p/1")
    info = count_segments(result)
    assert info.encoding == UCS2 and info.units == 70 and info.segments == 1
    assert result.endswith("…详见 j.cn/p/1")


def test_two_segment_budget_is_used():
    result = truncate_to_segments("word " * 100, 2, " j.cn/x")
    assert count_segments(result).segments == 2
    assert count_segments(result).units > 290


def test_emoji_are_never_split():
    assert truncate_to_segments(SMILE * 40, 1) == SMILE * 35
    result = truncate_to_segments(SMILE * 40, 1, "!")
    assert result == SMILE * 34 + "!"
    result.encode("utf-16-le")  # a lone surrogate would raise here


def test_escape_sequences_are_never_split():
    assert truncate_to_segments("{" * 100, 1) == "{" * 80
    assert truncate_to_segments("{" * 100, 1, "x") == "{" * 79 + "x"


def test_ucs2_suffix_on_gsm_text_switches_budget_to_ucs2():
    result = truncate_to_segments("a" * 200, 1, "…更多")
    assert count_segments(result) == SegmentInfo(UCS2, 70, 1, 70)


def test_accent_stays_with_its_letter():
    text = "e\u0301" * 100  # e + combining acute: UCS-2, two units per visible letter
    result = truncate_to_segments(text, 1)
    assert fits(result, 1) and not result.endswith("e")


def test_impossible_budgets_are_refused():
    with pytest.raises(ValueError):
        truncate_to_segments("a" * 200, 0)
    with pytest.raises(ValueError):
        truncate_to_segments("a" * 200, 1, "x" * 161)
