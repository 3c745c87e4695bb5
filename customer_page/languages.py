"""The browser's language, for a page that names no engagement (a link that does not open)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError

from fasttrack.wording.catalogs import available_languages
from fasttrack.wording.source import ENGLISH

TRADITIONAL_CHINESE = {"Hant"}, {"TW", "HK", "MO"}


def _wanted(accept_language: str) -> list[str]:
    """The header's language tags, most wanted first (q-values; 20 at most)."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, position, tag.strip().replace("_", "-")))
    return [tag for _, _, tag in sorted(ranked)]


def _matches(wanted: Locale, language: str) -> bool:
    offered = Locale.parse(language, sep="-")
    if offered.language != wanted.language:
        return False
    if offered.language == "zh":  # the catalog is Traditional Chinese: not for zh-CN or zh-Hans
        scripts, territories = TRADITIONAL_CHINESE
        return wanted.script in scripts or wanted.territory in territories
    return True  # Brazilian Portuguese reads better than English to a reader of pt-PT


def negotiated_language(accept_language: str) -> str:
    available = available_languages()
    for tag in _wanted(accept_language):
        try:
            wanted = Locale.parse(tag, sep="-")
        except (ValueError, TypeError, UnknownLocaleError):
            continue
        exact = [language for language in available if language.lower() == tag.lower()]
        close = [language for language in available if _matches(wanted, language)]
        if exact or close:
            return (exact or close)[0]
    return ENGLISH
