"""Text headed for a terminal: control characters (escape sequences included), line
and paragraph separators and bidirectional overrides are shown as visible escapes,
never sent raw. The models refuse them at the edge; this also covers what older
engagements recorded before they did."""

from __future__ import annotations

from fasttrack.models.text import UNSAFE_IN_A_NOTE as _HIDDEN  # what the text rules refuse, line feeds aside


def visible(text: str) -> str:
    """``text`` with every character that could act on the terminal written as ``\\u{XXXX}``; line feeds stay."""
    return _HIDDEN.sub(lambda found: f"\\u{{{ord(found.group()):04X}}}", text)
