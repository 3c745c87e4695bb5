"""How a message or the customer's page greets its reader."""

from __future__ import annotations

from fasttrack.wording.catalogs import fill, text_of


def greeting(language: str, name: str | None, given_name: str | None, colleagues: bool = False) -> str:
    """By the given name where it is known, else as the language greets someone known only by the
    full name (English: "Hello,"; German: "Guten Tag Paula Martin,"); without a name, a team's greeting,
    a customer's or the FastTrack colleagues' of an escalation."""
    if name is None:
        return text_of(language, "common.greeting_colleagues" if colleagues else "common.greeting_team")
    key = "common.greeting" if given_name else "common.greeting_full_name"
    return fill(text_of(language, key), {"name": name, "given_name": given_name or name})
