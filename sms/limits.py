"""How long an SMS we send may be, in one place, and the run-time check every rendered SMS passes.

- A reply to a member's text (app/inbound_sms) may take REPLY_SEGMENTS parts: it answers something
  they asked and lists their offers or explains a refusal.
- A message we start (an order or offer event, a forum reply, a price alert, a code) takes
  MESSAGE_SEGMENTS part: the member pays nothing to receive it, but we pay per part, and these go
  out in the thousands. The few templates that need more are named in TEMPLATE_SEGMENTS.

Every SMS is a registry template (sms/templates.py; replies in sms/reply_templates.py), which uses
these limits: a template message cannot be cut (the provider renders it from its parameters), so the
registry shortens names and otherwise refuses and logs it (tests/sms/test_templates.py renders each
with the longest values and the signature). ``within`` — cut a free text at a clean point, keeping a
trailing link — served the replies before they were templates; nothing in the app calls it now.
Flask-free, like the rest of sms/.
"""

from __future__ import annotations

import logging

from sms.segments import count_segments, truncate_to_segments

REPLY_SEGMENTS = 2
MESSAGE_SEGMENTS = 1
# The info-station confirmation names the station and both reply commands (YES n / NO n); the
# admins' budget alert names the budget, its window and size (a handful a day at most).
# The answer to a farmer's question carries its first words and the link (and, when private, how to
# make it public).
TEMPLATE_SEGMENTS = {
    "station_posting_confirm": 2,
    "station_posting_confirm_negotiable": 2,
    "sms_budget_reached": 2,
    "knowledge_answer": 2,
    "knowledge_answer_private": 2,
}
# GSM-7 characters, so a cut never turns a GSM-7 message into UCS-2 (which halves its room).
CUT_MARK = "..."

logger = logging.getLogger(__name__)


def segments_for(template: str) -> int:
    """The most parts an SMS rendered from registry template ``template`` may take."""
    return TEMPLATE_SEGMENTS.get(template, MESSAGE_SEGMENTS)


def within(text: str, max_segments: int, name: str) -> str:
    """``text`` when it fits in ``max_segments`` parts. Otherwise log an error naming ``name`` (the
    template or reply) and return the longest clean prefix that fits followed by CUT_MARK and, when
    ``text`` ends with a link, that whole link."""
    measured = count_segments(text)
    if measured.segments <= max_segments:
        return text
    logger.error(
        "SMS %s is %d parts (%d %s units), over its limit of %d; sent shortened",
        name,
        measured.segments,
        measured.units,
        measured.encoding,
        max_segments,
    )
    head, _space, last = text.rpartition(" ")
    if head and last.startswith(("http://", "https://")):
        suffix = f"{CUT_MARK} {last}"
        if count_segments(suffix).segments <= max_segments:
            # ``text`` is over the limit, so the suffix is always added; the prefix kept never
            # reaches into the link it is followed by.
            shortened = truncate_to_segments(text, max_segments, suffix=suffix)
            kept = shortened[: len(shortened) - len(suffix)]
            return shortened if len(kept) <= len(head) else head.rstrip() + suffix
    return truncate_to_segments(text, max_segments, suffix=CUT_MARK)
