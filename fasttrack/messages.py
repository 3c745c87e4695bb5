"""The words of every message, in the customer's language.

Each language has a catalog (``templates/i18n/<language>.yaml``) with the same
keys; its strings are Jinja templates whose dates arrive formatted for the
customer's locale and time zone. Two layouts render a message: plain text and
autoescaped HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

import yaml
from babel import Locale
from babel.dates import format_date, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from fasttrack.business_time import zone
from fasttrack.errors import FastTrackError
from fasttrack.models import Notification, Phrase

TEMPLATES = Path(__file__).parent / "templates"
CATALOGS = TEMPLATES / "i18n"


class TemplateMissing(FastTrackError, LookupError):
    """A language or a message kind without its text: retrying cannot fix it."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    event_title: str | None


@cache
def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


# Read once, at import: workflow code renders phrases too, and may not read files.
_CATALOGS = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in CATALOGS.glob("*.yaml")}


def catalog(language: str) -> dict:
    try:
        return _CATALOGS[language]
    except KeyError:
        raise TemplateMissing(f"no message catalog for language '{language}'") from None


def available_languages() -> list[str]:
    return sorted(_CATALOGS)


def lookup(language: str, key: str) -> str:
    """A catalog entry by its dotted key, e.g. ``items.browser`` or ``tasks.core.dns``."""
    section, _, name = key.partition(".")
    try:
        return catalog(language)[section][name]
    except KeyError:
        raise TemplateMissing(f"the '{language}' catalog has no entry '{key}'") from None


_PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def _fill(template: str, values: dict[str, str]) -> str:
    """Phrases take plain ``{{ name }}`` placeholders only: they are also written
    in workflow code, where no template engine runs."""

    def value(match: re.Match) -> str:
        try:
            return values[match.group(1)]
        except KeyError:
            raise TemplateMissing(f"no value for {{{{ {match.group(1)} }}}} in {template!r}") from None

    return _PLACEHOLDER.sub(value, template)


def phrase(key: str, *, ref: str | None = None, label_key: str | None = None, **values: object) -> Phrase:
    """A phrase from the catalog, with its English text (English is the source language)."""
    text_values = {name: str(value) for name, value in values.items()}
    return Phrase(
        text=_fill(lookup("en", key), text_values),
        key=key,
        values=text_values,
        ref=ref,
        label_key=label_key,
        label=lookup("en", label_key) if label_key else None,
    )


def localize(words: Phrase, language: str) -> str:
    text = _fill(lookup(language, words.key), words.values) if words.key else words.text
    reference = f"[{words.ref}] " if words.ref else ""
    label = f"{lookup(language, words.label_key)}: " if words.label_key else ""
    return f"{label}{reference}{text}"


def babel_locale(language: str) -> Locale:
    return Locale.parse(language.replace("-", "_"))


def format_moment(moment: datetime, language: str, time_zone: str) -> str:
    """The customer's way of writing a date and time, in their time zone, e.g.
    "jeudi 3 décembre 2026 10:30 (Europe/Paris)"."""
    local = moment.astimezone(zone(time_zone))
    locale = babel_locale(language)
    return f"{format_date(local, 'full', locale=locale)} {format_time(local, 'short', locale=locale)} ({time_zone})"


@lru_cache(maxsize=4096)
def _compiled(template: str):
    return _environment(False).from_string(template)


def _say(template: str, values: dict) -> str:
    return _compiled(template).render(values)


def render_message(notification: Notification) -> RenderedMessage:
    texts = catalog(notification.language)
    try:
        strings = texts["messages"][notification.kind.value]
    except KeyError:
        raise TemplateMissing(
            f"the '{notification.language}' catalog has no text for '{notification.kind.value}'"
        ) from None
    values: dict = dict(notification.facts)
    values.update(
        {name: format_moment(moment, notification.language, notification.time_zone)
         for name, moment in notification.moments.items()}
    )
    if "outcome" in values:
        values["outcome"] = texts["outcomes"][values["outcome"]]
    updated = bool(notification.facts.get("updated"))
    subject_key = "subject_updated" if updated and "subject_updated" in strings else "subject"
    body_key = "body_updated" if updated and "body_updated" in strings else "body"
    if notification.facts.get("after_window"):
        body_key = "body_followup"  # the contact deadline has passed: no date to reply by
    common = texts["common"]
    call = notification.call
    minutes = int((call.end - call.start).total_seconds() // 60) if call else 0
    layout_values = {
        "language": notification.language,
        "subject": _say(strings[subject_key], values),
        "greeting": _say(common["greeting"], {"name": notification.recipient_name})
        if notification.recipient_name else common["greeting_team"],
        "body": _say(strings[body_key], values),
        "lines": [localize(line, notification.language) for line in notification.lines],
        "call": call is not None,
        "call_time": _say(common["call_time"], values) if call else "",
        "call_duration": _say(common["call_duration"], {"minutes": minutes}) if call else "",
        "attachment": common["attachment_report"] if notification.attachment_markdown else "",
        "signature": common["signature"],
        "footer": _say(common["footer"], values),
    }
    event_title = _say(strings["event_title"], values) if "event_title" in strings else None
    return RenderedMessage(
        subject=layout_values["subject"],
        text=_environment(False).get_template("email.txt.j2").render(layout_values),
        html=_environment(True).get_template("email.html.j2").render(layout_values),
        event_title=event_title,
    )

