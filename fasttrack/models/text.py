"""Field types shared by every contract: free text, names, ids, e-mail addresses, time zones.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, StringConstraints, ValidationInfo

from fasttrack.business_time import is_known_time_zone

# Characters that change what a person sees, or where text goes, in a mail header,
# an invitation, a web page or a terminal: C0 and C1 controls (line feeds, escapes,
# NUL), the Unicode line and paragraph separators, and the bidirectional overrides,
# embeddings, isolates and marks.
_UNSAFE = "\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff\x7f-\x9f"
_UNSAFE_IN_A_LINE = re.compile("[\x00-\x1f" + _UNSAFE + "]")
UNSAFE_IN_A_NOTE = re.compile("[\x00-\x09\x0b-\x1f" + _UNSAFE + "]")  # line feeds are fine


# The strict rules below apply at the edge: where a person or another system hands
# us text (the CLI, the client, an update's validator), validated with
# ``context=EDGE``. What is decoded from a history (a workflow's input, the state
# carried over, an update's payload in its handler) keeps the rules it was
# accepted under, so that an engagement already running never fails to decode.
EDGE = {"edge": True}
_OLD_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_OLD_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z. ()_-]*$")


def at_the_edge(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("edge"))


def _describe(character: str) -> str:
    return f"U+{ord(character):04X}"


def _as_before(value: str) -> str:
    if _OLD_CONTROL_CHARACTERS.search(value):
        raise ValueError("must not contain control characters")
    return value


def one_line(value: str, info: ValidationInfo) -> str:
    if not at_the_edge(info):
        return _as_before(value)
    found = _UNSAFE_IN_A_LINE.search(value)
    if found:
        raise ValueError(f"must be one line of visible text (it contains {_describe(found.group())})")
    return value


def _note(value: str, info: ValidationInfo) -> str:
    if not at_the_edge(info):
        return _as_before(value)
    value = value.replace("\r\n", "\n")
    found = UNSAFE_IN_A_NOTE.search(value)
    if found:
        raise ValueError(f"must be visible text, line feeds allowed (it contains {_describe(found.group())})")
    return value


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[str, ValidationInfo], str]:
    def check(value: str, info: ValidationInfo) -> str:
        if at_the_edge(info) and not pattern.match(value):
            raise ValueError(f"must be {what}")
        return one_line(value, info)
    return check


BROWSER_NAME = _matching(re.compile(r"^[a-z0-9][a-z0-9 ._-]*$"), "a browser name such as edge or chrome")


# Free text that may run over several lines: notes, reasons, descriptions.
TEXT_LIMIT = 2000
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_LIMIT),
                 AfterValidator(_note)]
# One line: names, who did something, organizations.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(one_line)
]
# Identifiers chosen by other systems or by the rules: order ids, checklist items, tasks.
Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_matching(_IDENTIFIER, "letters, digits and . _ : / - (for example ORD-1001)")),
]
# Versions reported for browsers and operating systems (10, 8.1, 10.0.19045, 2012 R2).
Version = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=30),
    AfterValidator(_matching(_VERSION, "a version such as 10, 8.1 or 2012 R2")),
]


def _time_zone(value: str) -> str:
    if not is_known_time_zone(value):
        raise ValueError(f"'{value}' is not an IANA time zone (for example Europe/Paris)")
    return value


TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_time_zone)]


def _email(value: str, info: ValidationInfo) -> str:
    """One addr-spec (no display name, no angle brackets), so that the To header and
    the envelope recipient are always the same address."""
    value = value.strip()
    if not at_the_edge(info):
        if len(value) > 254 or not _OLD_EMAIL.match(value):
            raise ValueError(f"'{value}' is not an email address (name@domain.example)")
        return value
    try:
        validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as problem:
        raise ValueError(f"is not an email address (name@domain.example): {problem}") from None
    return value


def _version_text(value: object) -> object:
    """YAML reads ``2008`` or ``2.0`` as numbers; versions are names here."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _not_a_number(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("must be an ISO 8601 date and time with its offset, such as 2026-11-26T09:00:00Z")
    return value


Email = Annotated[str, AfterValidator(_email)]
VersionName = BeforeValidator(_version_text)
TenantId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ),
]
ItemId = Identifier
