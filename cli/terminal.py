"""Text headed for a terminal: control characters (escape sequences included), line
and paragraph separators and bidirectional overrides are shown as visible escapes,
never sent raw. The models refuse them at the edge; this also covers what older
engagements recorded before they did."""

from __future__ import annotations

import re

_HIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with every character that could act on the terminal written as ``\\u{XXXX}``; line feeds stay."""
    return _HIDDEN.sub(lambda found: f"\\u{{{ord(found.group()):04X}}}", text)
