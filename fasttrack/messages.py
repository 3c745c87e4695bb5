"""The words of every message, in the customer's language.

Each language has a catalog (``templates/i18n/<language>.yaml``) with the same
keys; its strings are Jinja templates whose dates arrive formatted for the
customer's locale and time zone. Two layouts render a message: plain text and
autoescaped HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from babel import Locale
from babel.dates import format_date, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from fasttrack.business_time import zone
from fasttrack.models import Notification, NotificationKind

TEMPLATES = Path(__file__).parent / "templates"
CATALOGS = TEMPLATES / "i18n"


class TemplateMissing(LookupError):
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


@cache
def catalog(language: str) -> dict:
    path = CATALOGS / f"{language}.yaml"
    if not path.is_file():
        raise TemplateMissing(f"no message catalog for language '{language}'")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def available_languages() -> list[str]:
    return sorted(path.stem for path in CATALOGS.glob("*.yaml"))


def babel_locale(language: str) -> Locale:
    return Locale.parse(language.replace("-", "_"))


def format_moment(moment: datetime, language: str, time_zone: str) -> str:
    """The customer's way of writing a date and time, in their time zone, e.g.
    "jeudi 3 décembre 2026 10:30 (Europe/Paris)"."""
    local = moment.astimezone(zone(time_zone))
    locale = babel_locale(language)
    return f"{format_date(local, 'full', locale=locale)} {format_time(local, 'short', locale=locale)} ({time_zone})"


def _say(template: str, values: dict) -> str:
    return _environment(False).from_string(template).render(values)


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
        "lines": notification.lines,
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


KINDS_WITH_CALLS = {
    NotificationKind.KICKOFF_INVITATION,
    NotificationKind.CHECKPOINT_INVITATION,
    NotificationKind.CALL_CANCELLED,
}
