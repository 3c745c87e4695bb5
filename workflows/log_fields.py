"""What a log line may say of a failure: its kind, never its message, which can
quote a customer's address, name or words (the engagement's encrypted record
keeps the message for operators)."""

from __future__ import annotations


def failure_kind(error: BaseException) -> str:
    cause = getattr(error, "cause", None) or error
    return getattr(cause, "type", None) or type(cause).__name__
