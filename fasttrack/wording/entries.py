"""The registry of English catalog entries: each sentence's stable key, its English
text, its plural form and the placeholder that counts, and the placeholders a
translation may leave out. ``source.py``, ``findings_source.py`` and
``page_source.py`` declare the entries; ``pybabel extract`` reads those three."""

from __future__ import annotations

from dataclasses import dataclass

ENGLISH = "en"


@dataclass(frozen=True)
class Entry:
    key: str
    singular: str
    plural: str | None = None
    counted_by: str | None = None
    # Placeholders a translation may say or leave out, as its language's custom wants
    # (a greeting by the given name, or by the full name).
    optional: frozenset[str] = frozenset()


ENTRIES: dict[str, Entry] = {}


def entry(key: str, text: str, *, optional: tuple[str, ...] = ()) -> None:
    ENTRIES[key] = Entry(key, text, optional=frozenset(optional))


def plural_entry(key: str, singular: str, plural: str, counted_by: str) -> None:
    ENTRIES[key] = Entry(key, singular, plural, counted_by)
