"""The words of every message, in the customer's language.

The sentences are gettext entries (``fasttrack/wording/source.py`` in English,
``fasttrack/locale`` for the translations). Each message says one whole subject
and body per case: the outcome of a closed engagement, why a call was cancelled,
a first or an updated invitation. Lists after the body have a heading that
agrees with their count. Two layouts render a message: plain text and
autoescaped HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from fasttrack.models import Audience, Notification, NotificationKind, Phrase
from fasttrack.wording.catalogs import TemplateMissing, fill, say, text_of
from fasttrack.wording.greeting import greeting
from fasttrack.wording.source import ENGLISH, ENTRIES, OPERATOR_ENGLISH
from fasttrack.wording.values import day_phrase, moment_phrase, number, sentence

__all__ = ["RenderedMessage", "TemplateMissing", "localize", "lookup", "phrase", "render_message"]

TEMPLATES = Path(__file__).parent / "templates"
COUNTED = {entry.counted_by for entry in ENTRIES.values() if entry.counted_by} | {"number"}
# Lists of work left undone: statements, then the items and the tasks under headings of their own.
UNDONE_WORK_KINDS = frozenset({NotificationKind.DEADLINE_ESCALATION, NotificationKind.ENGAGEMENT_CLOSED})
# Each kind's heading for its list of open items, tasks or work.
OPEN_HEADINGS = {
    NotificationKind.REMEDIATION_CHECKLIST: "lists.checklist",
    NotificationKind.VERIFICATION_REJECTED: "lists.reopened",
    NotificationKind.DEADLINE_ESCALATION: "lists.still_to_do",
    NotificationKind.ENGAGEMENT_CLOSED: "lists.left_open",
}


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


def lookup(language: str, key: str) -> str:
    """A name or a sentence without placeholders, e.g. ``phases.assess`` or ``tasks.core.dns``."""
    return text_of(language, key)


def phrase(key: str, *, ref: str | None = None, label_key: str | None = None, **values: object) -> Phrase:
    """A phrase from the catalog, with its English text (English is the source language)."""
    text_values = {name: str(value) for name, value in values.items()}
    english = (fill(OPERATOR_ENGLISH[key], text_values) if key in OPERATOR_ENGLISH
               else sentence(key, text_values, ENGLISH))
    return Phrase(
        text=english,
        key=key,
        values=text_values,
        ref=ref,
        label_key=label_key,
        label=lookup(ENGLISH, label_key) if label_key else None,
    )


def localize(words: Phrase, language: str) -> str:
    """A phrase as one line of a message: open work is a whole sentence; an item
    or a task is its own words, under its phase's name in a list (see ``_by_phase``). An item's
    or a task's id stays out: a person names it by its words (ids are for the operators' views
    and the report)."""
    if words.key and words.key.startswith("work."):
        return text_of(language, f"open_work.{words.key.removeprefix('work.')}")
    return sentence(words.key, words.values, language) if words.key else words.text


def _counts(notification: Notification) -> dict[str, int]:
    """The raw numbers that pick plural forms, and the call's number."""
    counts = {name: int(value) for name, value in notification.facts.items()
              if name in COUNTED and value.isascii() and value.isdecimal()}
    if notification.call is not None:
        counts["minutes"] = int((notification.call.end - notification.call.start).total_seconds() // 60)
    return counts


def _values(notification: Notification, counts: dict[str, int]) -> dict[str, str]:
    language, time_zone = notification.language, notification.time_zone
    values = dict(notification.facts)
    values.update({name: number(count, language) for name, count in counts.items()})
    for name, moment in notification.moments.items():
        values[name] = moment_phrase(moment, language, time_zone, notification.country)
        values[f"{name}_day"] = day_phrase(moment, language, time_zone, notification.country)
    return values


def _keys(notification: Notification) -> tuple[str, str, str | None]:
    """The subject, body and calendar-event title that fit this message's case."""
    kind, facts = notification.kind, notification.facts
    name = kind.value
    if kind is NotificationKind.ENGAGEMENT_CLOSED:
        outcome = facts.get("outcome", "")
        return f"{name}.subject.{outcome}", f"{name}.body.{outcome}", None
    if kind is NotificationKind.CALL_CANCELLED:
        call = facts.get("call") or (notification.call.kind.value if notification.call else "checkpoint")
        because = facts.get("because", "")
        because = because if f"{name}.body.{because}" in ENTRIES else "other"  # older releases did not say why
        return f"{name}.subject.{call}", f"{name}.body.{because}", f"{name}.event_title.{call}"
    updated = "_updated" if facts.get("updated") and kind in (
        NotificationKind.KICKOFF_INVITATION, NotificationKind.CHECKPOINT_INVITATION) else ""
    body = f"{name}.body_followup" if facts.get("after_window") else f"{name}.body{updated}"
    title = f"{name}.event_title" if notification.call is not None else None
    return f"{name}.subject{updated}", body, title


def _family(line: Phrase) -> str:
    """What a line is, by its key's first part: items, tasks, work, reasons, notes (or "" for free words)."""
    return (line.key or "").split(".")[0]


def _ineligible(notification: Notification) -> bool:
    return notification.kind is NotificationKind.ENGAGEMENT_CLOSED and notification.facts.get("outcome") == "ineligible"


def _sections(notification: Notification) -> list[dict[str, object]]:
    """The lists after the body, each under a heading that agrees with its count:
    why a purchase does not qualify, the items or work still open (grouped under their
    phase's name, said once), notes on the scope."""
    language = notification.language
    groups: dict[str, list[Phrase]] = {"reasons": [], "open": [], "notes": []}
    closing = notification.kind is NotificationKind.ENGAGEMENT_CLOSED
    for line in notification.lines:
        section = _family(line)
        if closing and not line.key and not line.ref:
            section = "reasons"  # a withdrawal's reason, in the operator's words
        if section == "reasons" and closing and not _ineligible(notification):
            continue  # an expiry's body says why; a withdrawal's reason stays in the attached report
        groups[section if section in ("reasons", "notes") else "open"].append(line)
    headings = {"reasons": "lists.reasons", "notes": "lists.notes",
                "open": OPEN_HEADINGS.get(notification.kind, "lists.open_items")}
    return [
        {"heading": say(language, headings[group], {"count": number(len(lines), language)}, {"count": len(lines)}),
         "phases": _by_phase(lines, language, notification.kind if group == "open" else None)}
        for group, lines in groups.items() if lines
    ]


def _by_phase(lines: list[Phrase], language: str, open_in: NotificationKind | None) -> list[dict[str, object]]:
    """Lines grouped under their phase's name, said once, in the order the phases first come. In a
    list of work left undone (``open_in`` a kind of UNDONE_WORK_KINDS), a phase's open work is said in
    statements, and its items and tasks follow under a heading of their own (a person names them; an
    imperative after the fact would read as an instruction); once the engagement has closed, the
    statements say what did not happen."""
    undone, closed = open_in in UNDONE_WORK_KINDS, open_in is NotificationKind.ENGAGEMENT_CLOSED
    phases: dict[str | None, dict[str, list[str]]] = {}
    for line in lines:
        kind = _family(line) if undone else ""
        kinds = phases.setdefault(line.label_key, {"said": [], "items": [], "tasks": []})
        if kind in ("items", "tasks"):
            kinds[kind].append(localize(line, language))
        elif closed and line.key and line.key.startswith("work."):
            kinds["said"].append(text_of(language, f"left_open.{line.key.removeprefix('work.')}"))
        else:
            kinds["said"].append(localize(line, language))
    return [{"name": text_of(language, label_key) if label_key else "", "lines": kinds["said"],
             "groups": [{"heading": say(language, f"open_work.{kind}_heading", {"count": number(len(named), language)},
                                        {"count": len(named)}), "lines": named}
                        for kind in ("items", "tasks") if (named := kinds[kind])]}
            for label_key, kinds in phases.items()]


def render_message(notification: Notification, page_link: str | None = None) -> RenderedMessage:
    """``page_link``: the customer's personal page, which ends every mail to them when it is given."""
    language = notification.language
    counts = _counts(notification)
    values = _values(notification, counts)
    subject_key, body_key, title_key = _keys(notification)
    call = notification.call
    subject = say(language, subject_key, values, counts)
    colleagues = notification.audience is Audience.FASTTRACK_MANAGER
    layout_values = {
        "language": language,
        "subject": subject,
        "greeting": greeting(language, notification.recipient_name, notification.recipient_given_name, colleagues),
        # A translation may open with its language's customary line, as a paragraph of its own
        # (Japanese: 突然のご連絡失礼いたします in a first message, いつもお世話になっております after).
        "paragraphs": say(language, body_key, values, counts).split("\n\n"),
        "sections": _sections(notification),
        "call": call is not None,
        "call_time": say(language, "common.call_time", values, counts) if call else "",
        "call_duration": say(language, "common.call_duration", values, counts) if call else "",
        "attachment": text_of(language, "common.attachment_eligibility" if _ineligible(notification)
                              else "common.attachment_report") if notification.attachment_markdown else "",
        "page_link": page_link or "",
        "page_link_intro": text_of(language, "common.page_link") if page_link else "",
        "closing": text_of(language, "common.closing_colleagues" if colleagues else "common.closing"),
        "signature": text_of(language, "common.signature_colleagues" if colleagues else "common.signature"),
        "footer": say(language, "common.footer", values, counts),
    }
    return RenderedMessage(
        subject=subject,
        text=_environment(False).get_template("email.txt.j2").render(layout_values),
        html=_environment(True).get_template("email.html.j2").render(layout_values),
        event_title=say(language, title_key, values, counts) if title_key else None,
    )
