"""Update payloads read by the workflow itself, so that one of the wrong shape
(from the Temporal CLI or UI) is refused like a rule, naming the field, rather
than failing in the data converter."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from fasttrack.contract import ErrorType
from fasttrack.models import EDGE, Action

A = TypeVar("A", bound=Action)


def read(model: type[A], payload: Any, edge: bool = False) -> A:
    """The action a payload stands for; one of the wrong shape is refused, naming the
    field. Validators read at the ``edge`` (the strict text rules); handlers, which
    also run when a history replays, read with the rules of any age."""
    if isinstance(payload, model):
        payload = payload.model_dump(mode="json")
    try:
        return model.model_validate(payload, context=EDGE if edge else None)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "the action"
        raise ApplicationError(f"{where}: {problem['msg']}", type=ErrorType.ACTION_REJECTED,
                               non_retryable=True) from None
