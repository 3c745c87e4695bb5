"""Field types shared by every contract: free text, names, ids, e-mail addresses, time zones.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from fasttrack.business_time import is_known_time_zone

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_printable)
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_printable)
]
def _time_zone(value: str) -> str:
    if not is_known_time_zone(value):
        raise ValueError(f"'{value}' is not an IANA time zone (for example Europe/Paris)")
    return value


TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_time_zone)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an email address (name@domain.example)")
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
ItemId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
