"""The translators' catalogs (``fasttrack/locale/<locale>/LC_MESSAGES/messages.po``),
read once at import and compiled in memory: nothing is compiled by hand, and a
catalog is used exactly as its translator saved it."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from fasttrack.errors import FastTrackError
from fasttrack.wording.source import ENGLISH, ENTRIES

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
PLACEHOLDER = re.compile(r"{(\w+)}")


class TemplateMissing(FastTrackError, LookupError):
    """A language or a message kind without its text: retrying cannot fix it."""


def _compiled(path: Path) -> Translations:
    with path.open("rb") as file:
        catalog = read_po(file)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


_TRANSLATIONS: dict[str, NullTranslations] = {ENGLISH: NullTranslations()}
_TRANSLATIONS.update({  # gettext's folder pt_BR holds BCP 47's pt-BR, as engagements store it
    path.parents[1].name.replace("_", "-"): _compiled(path)
    for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
})


def available_languages() -> list[str]:
    return sorted(_TRANSLATIONS)


def translations(language: str) -> NullTranslations:
    try:
        return _TRANSLATIONS[language]
    except KeyError:
        raise TemplateMissing(f"no message catalog for language '{language}'") from None


def fill(template: str, values: dict[str, str]) -> str:
    """``{name}`` placeholders only: a value is never read as a template itself."""

    def value(match: re.Match[str]) -> str:
        try:
            return values[match.group(1)]
        except KeyError:
            raise TemplateMissing(f"no value for {{{match.group(1)}}} in {template!r}") from None

    return PLACEHOLDER.sub(value, template)


def text_of(language: str, key: str, count: int | None = None) -> str:
    """The sentence of ``key`` in ``language``, in the plural form for ``count``."""
    try:
        entry = ENTRIES[key]
    except KeyError:
        raise TemplateMissing(f"there is no message '{key}'") from None
    catalog = translations(language)
    if entry.plural is None:
        return catalog.upgettext(key, entry.singular)
    if count is None:
        raise TemplateMissing(f"'{key}' depends on a count, and none was given")
    return catalog.unpgettext(key, entry.singular, entry.plural, count)


def say(language: str, key: str, values: dict[str, str], counts: dict[str, int] | None = None) -> str:
    """The sentence of ``key`` with its ``values``, in the plural form that its count in ``counts`` picks."""
    counted_by = ENTRIES[key].counted_by if key in ENTRIES else None
    return fill(text_of(language, key, (counts or {}).get(counted_by) if counted_by else None), values)
