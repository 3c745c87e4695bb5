"""Errors in the command line's own words: the flag the operator typed rather than
the model's field, a sentence with an example rather than pydantic's wording, and
"did you mean" for a value that is nearly one of the allowed ones."""

from __future__ import annotations

import difflib
import re

from pydantic_core import ErrorDetails

# The model's field (its path, numbers dropped) → the flag or argument that sets it.
FLAGS = {
    "by": "--by", "note": "--note", "reason": "--reason", "item_id": "ITEM", "task_id": "TASK",
    "reopen_item_ids": "--reopen", "target_date": "--target-date", "checkpoint_cadence": "--cadence",
    "call": "--call", "start": "--start", "platform": "--platform", "device_name": "--name", "app_name": "--name",
    "link_type": "--link-type", "link": "--link",
    "goals": "--goal", "identity_model": "--identity", "mdm_authority": "--mdm-authority",
    "hybrid_configmgr": "--hybrid", "language": "--language", "project_manager.name": "--pm-name",
    "project_manager.email": "--pm-email", "project_manager.given_name": "--pm-given-name", "exchange_on_premises": "--exchange-on-premises",
}
DATE_EXAMPLE = "a date such as 2027-02-15 (YYYY-MM-DD)"
MOMENT_EXAMPLE = ("a date and time such as '2026-12-03 10:00' (in the engagement's time zone) or "
                  "2026-12-03T10:00+01:00 (ISO 8601, with its offset)")
_CHOICE = re.compile(r"^(?:Value error, )?'(?P<value>[^']*)' is not one of (?P<choices>.*)\.$", re.DOTALL)


def did_you_mean(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else ""


def reword_usage(message: str) -> str:
    """Typer's "Value error, 'asess' is not one of 'a', 'b'." as a sentence with a suggestion;
    its "Input should be …" as "must be …"."""
    found = _CHOICE.match(message.strip())
    if not found:
        message = message.removeprefix("Value error, ")
        return "must be " + message.removeprefix("Input should be ") if message.startswith("Input should") else message
    choices = re.findall(r"'([^']*)'", found["choices"])
    hint = " To write the report to a file: --file FILE." if "markdown" in choices else ""
    return f"'{found['value']}' is not one of {', '.join(choices)}.{did_you_mean(found['value'], choices)}{hint}"


def flag_for(location: tuple) -> str:
    path = ".".join(str(part) for part in location if not isinstance(part, int) and "[" not in str(part))
    return FLAGS.get(path, FLAGS.get(path.removeprefix("scope."), path))


def sentence(problem: ErrorDetails) -> str:
    """One pydantic error as the command line says it."""
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_too_long":
        return f"must have at most {context.get('max_length')} characters"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type", "date_from_datetime_inexact"):
        return f"must be {DATE_EXAMPLE}, not '{problem.get('input')}'"
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type", "timezone_aware"):
        return f"must be {MOMENT_EXAMPLE}, not '{problem.get('input')}'"
    if kind == "enum":
        choices = re.findall(r"'([^']*)'", context.get("expected", ""))
        given = str(problem.get("input"))
        return f"'{given}' is not one of {', '.join(choices)}.{did_you_mean(given, choices)}"
    if kind == "extra_forbidden":
        return "is not a field this takes"
    if kind == "missing":
        return "is required"
    return reword_usage(problem["msg"])
