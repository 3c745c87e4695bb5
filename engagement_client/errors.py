"""The failures the `fasttrack` command explains, each with its exit code."""

from __future__ import annotations

from temporalio.api.errordetails.v1 import NamespaceNotFoundFailure
from temporalio.service import RPCError, RPCStatusCode


class CommandError(Exception):
    """A failure explained to the person at the terminal; ``exit_code`` says which kind."""

    exit_code = 1


class ActionRefused(CommandError):
    exit_code = 1


class BadInput(CommandError):
    exit_code = 2


class EngagementNotFound(CommandError):
    exit_code = 3


class TemporalUnavailable(CommandError):
    exit_code = 4


class NoAnswer(CommandError):
    """The engagement did not answer in time: no worker polls its task queue, or it is busy or restarting."""

    exit_code = 5


def names_a_missing_namespace(error: RPCError) -> bool:
    """Temporal's "not found" for the namespace itself, rather than for a workflow in it."""
    return error.status is RPCStatusCode.NOT_FOUND and any(
        detail.Is(NamespaceNotFoundFailure.DESCRIPTOR) for detail in error.grpc_status.details)
