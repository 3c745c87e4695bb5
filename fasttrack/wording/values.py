"""Values the customer's way: numbers, dates, time zones, product names and
lists as their locale writes them, and the entry whose sentence fits them.

Phrases keep raw values (``internet_explorer``, ``"intune, enterprise_mobility_suite"``,
``"iOS 7.1+"``): that is their frozen shape in workflow state and histories, so
the lists and minimum versions written that way are read back here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone_name
from babel.lists import format_list
from babel.numbers import format_decimal

from fasttrack.business_time import zone
from fasttrack.wording.catalogs import TemplateMissing, fill, say, text_of
from fasttrack.wording.source import ENGLISH, ENTRIES

NOT_FOUND = "—"  # what the rules write, and read back here, when a version was not found
RAW_LIST_SEPARATOR = ", "  # how the rules join the lists they store in a phrase


def babel_locale(language: str) -> Locale:
    return Locale.parse(language, sep="-")  # BCP 47, as engagements store it


def dates_locale(language: str, territory: str | None = None) -> Locale:
    """The locale that writes dates for a customer: their language as written in their country
    where CLDR has it (English in Britain writes "Tuesday 1 December 2026", French in Canada
    its own way); a language that names its territory (pt-BR) keeps it."""
    locale = babel_locale(language)
    if territory is None or locale.territory is not None:
        return locale
    try:
        return Locale.parse(f"{language.replace('-', '_')}_{territory}")
    except (UnknownLocaleError, ValueError):  # no such locale in CLDR: the language's own dates
        return locale


# Where CLDR's dates are not what a person writes in a letter: the first of the month in French
# (1er) and Portuguese (1º), no comma after the weekday in Spanish ("el jueves 3 de diciembre")
# nor in day-first English ("Tuesday 1 December 2026"), the weekday in brackets in Japanese
# business mail ("12月3日（木）"). Each: (language, pattern, replacement), applied to a date.
Finishing = tuple[tuple[str, re.Pattern[str], str], ...]
_DATE_FINISHING: Finishing = (
    ("fr", re.compile(r"(?<!\d)1 (?=\D)"), "1er "),
    ("fr", re.compile(r"(\d|1er) (?=[^\W\d])"), "\\1\u00a0"),  # the day and its month on one line
    ("pt", re.compile(r"(?<!\d)1 de "), "1º de "),
    ("es", re.compile(r"^(\w+), (?=\d)"), r"\1 "),
    ("en", re.compile(r"^(\w+), (?=\d)"), r"\1 "),  # day-first English only: US English is "Tuesday, December 1"
    ("ja", re.compile(r"日(.)曜日"), r"日（\1）"),
)


# A letter's time of day: "10 h 30" in French (no-break spaces), "10h30" in Brazilian Portuguese.
_TIME_FINISHING: Finishing = (
    ("fr", re.compile(r"^0?(\d{1,2}):(\d{2})$"), "\\1\u00a0h\u00a0\\2"),
    ("pt", re.compile(r"^0?(\d{1,2}):(\d{2})$"), r"\1h\2"),
)


def _finished(text: str, locale: Locale, finishing: Finishing = _DATE_FINISHING) -> str:
    for language, pattern, replacement in finishing:
        if locale.language == language:
            text = pattern.sub(replacement, text)
    return text


def _zone_name(local: datetime, locale: Locale) -> str:
    """The zone's localized name, in lower case where the language writes it so mid-sentence (Italian's "ora")."""
    name = get_timezone_name(local, "long", locale=locale)
    return name[0].lower() + name[1:] if locale.language == "it" else name


def number(value: int | str, language: str) -> str:
    return format_decimal(int(value), locale=babel_locale(language))


def moment_phrase(moment: datetime, language: str, time_zone: str, territory: str | None = None) -> str:
    """Date and time as one phrase, joined the language's way (CLDR's standard pattern
    has no word there: "giovedì 3 dicembre 2026 10:30"), then the zone's localized name,
    e.g. "jeudi 3 décembre 2026 à 10:30 (heure normale d’Europe centrale)"; ``territory``:
    the customer's country, whose way of writing dates in their language is used."""
    local = moment.astimezone(zone(time_zone))
    locale = dates_locale(language, territory)
    joined = fill(text_of(language, "common.date_at_time"), {
        "date": _finished(format_date(local, "full", locale=locale), locale),
        "time": _finished(format_time(local, "short", locale=locale), locale, _TIME_FINISHING)})
    return fill(text_of(language, "common.moment"), {"moment": joined, "zone": _zone_name(local, locale)})


def day_phrase(moment: datetime, language: str, time_zone: str, territory: str | None = None) -> str:
    """A date without its time, for subject lines and where a day is meant."""
    locale = dates_locale(language, territory)
    return _finished(format_date(moment.astimezone(zone(time_zone)), "long", locale=locale), locale)


def display_name(kind: str, raw: str, language: str) -> str:
    """A plan, browser, platform or release by its name; anything the customer typed
    that has no display name is shown as typed."""
    key = f"names.{kind}.{raw.strip().lower()}"
    return text_of(language, key) if key in ENTRIES else raw


# Kana and CJK ideographs, beside Latin letters or digits: Microsoft's Japanese and Chinese style
# guides put a half-width space between them, which CLDR's list patterns ("{0}或{1}") do not.
_CJK = "\u3040-\u30ff\u4e00-\u9fff"
_CJK_BESIDE_LATIN = re.compile(rf"(?<=[{_CJK}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_CJK}])")


def listing(names: list[str], language: str, style: Literal["standard", "or"] = "standard") -> str:
    """``style="or"`` for alternatives: any one of them will do. Chinese alternatives that
    already say 或 ("Firefox 40 或更新版本") are enumerated with 、: a second 或 would read as a stammer."""
    if style == "or" and language == "zh-Hant" and any("或" in name for name in names):
        return _CJK_BESIDE_LATIN.sub(" ", "、".join(names))
    joined = format_list(names, style=style, locale=babel_locale(language))
    return _CJK_BESIDE_LATIN.sub(" ", joined) if language in ("ja", "zh-Hant") else joined


def _raw_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(RAW_LIST_SEPARATOR) if part.strip()]


def or_later(product: str, version: str, language: str) -> str:
    return fill(text_of(language, "values.or_later"), {"product": product, "version": version})


def _minimum(written: str) -> tuple[str, str]:
    """``"internet_explorer 10+"`` → (``internet_explorer``, ``10``)."""
    name, _, version = written.rpartition(" ")
    return name, version.rstrip("+")


def _windows(release: str, language: str) -> str:
    release = release.strip().removeprefix("Windows ").strip()
    named = display_name("windows", release, language)
    return named if named != release else f"Windows {release}"


def shaped(key: str, values: dict[str, str], language: str) -> tuple[str, dict[str, str], dict[str, int]]:
    """The entry to say, its values written for ``language``, and the raw count that
    picks its plural form (by the name of the value that holds it)."""
    shown = dict(values)
    if key == "items.configmgr_version":
        shown.update({name: display_name("configmgr", values[name], language) for name in ("found", "minimum")})
        if values["minimum"] == "current branch":
            key = f"{key}.current_branch"  # a branch, not a version: no "or later"
    elif key == "items.browser":
        shown["browser"] = display_name("browser", values["browser"], language)
        minimums = [_minimum(written) for written in _raw_list(values["supported"])]
        shown["supported"] = listing([f"{display_name('browser', name, language)} {version}"
                                      for name, version in minimums], language)
    elif key == "items.pc_client_os":
        shown["release"] = _windows(values["version"], language)
        shown["supported"] = listing([_windows(release, language) for release in _raw_list(values["supported"])],
                                     language)
    elif key == "items.mdm_client_os":
        platform = display_name("platform", values["platform"], language)
        shown["platform"] = platform
        if values["needed"] != NOT_FOUND:
            shown["needed"] = or_later(platform, _minimum(values["needed"])[1], language)
    elif key == "reasons.plan_not_eligible":
        shown["plan"] = display_name("plan", values["plan"], language)
        shown["eligible"] = listing([display_name("plan", plan, language) for plan in _raw_list(values["eligible"])],
                                    language, "or")
    elif key == "reasons.too_few_licenses":
        shown["minimum"] = number(values["minimum"], language)
    if values.get("found", values.get("needed")) == NOT_FOUND and f"{key}.none" in ENTRIES:
        key = f"{key}.none"  # nothing was found, or the policy names no minimum: another sentence
    entry = ENTRIES.get(key)
    counts = {}
    if entry is not None and entry.counted_by is not None:
        counts[entry.counted_by] = int(values[entry.counted_by])
        shown[entry.counted_by] = number(counts[entry.counted_by], language)
    return key, shown, counts


def sentence(key: str, values: dict[str, str], language: str) -> str:
    """The whole sentence of ``key`` with ``values``, in ``language``."""
    try:
        key, shown, counts = shaped(key, values, language)
    except (KeyError, ValueError) as missing:
        raise TemplateMissing(f"'{key}' cannot be said with the values {sorted(values)}: {missing!r}") from None
    return say(language, key, shown, counts)


# Workflow code says phrases in English: Babel's English data is loaded here, at
# import, rather than by the first workflow task that needs it.
listing(["a", "b"], ENGLISH), number(1, ENGLISH)
