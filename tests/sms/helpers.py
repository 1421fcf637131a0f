"""The one way a table of SMS messages is checked against the reader."""

from __future__ import annotations

import pytest

from sms.catalogue import Catalogue
from sms.commands import ParseError, parse


def assert_reads(catalogue: Catalogue, text: str, expected) -> None:
    """``expected`` is the command ``text`` must parse to, or ``(ParseError, reason, command)`` for a
    message the reader must refuse with that reason."""
    if isinstance(expected, tuple):
        with pytest.raises(ParseError) as raised:
            parse(text, catalogue)
        assert (raised.value.reason, raised.value.command) == expected[1:]
    else:
        assert parse(text, catalogue) == expected
