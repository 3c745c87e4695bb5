"""Every action the engagement takes as a Workflow Update can also arrive as a
Signal of the same name, for systems and people that send and do not wait: from
the Temporal UI ("Send a Signal"), the `temporal` CLI, or another service.

A signal carries the update's JSON, plus an optional ``request_id`` that makes it
apply once however often it is sent. It is checked by the same rules as the
update; a refusal, which a signal cannot answer, is recorded on the timeline as
``event_refused`` and shown as a risk. A signal of a name the engagement does not
know is recorded the same way, with the names it knows."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import patches
    from fasttrack.engagement import Engagement
    from fasttrack.engagement.catalogue import CATALOGUE
    from fasttrack.models import Action
    from workflows import metrics
    from workflows.acting import Acting
    from workflows.patches import Patches
    from workflows.payloads import read

SIGNALLED_ACTIONS: MappingProxyType[str, type[Action]] = MappingProxyType({
    rule.name: rule.action for rule in CATALOGUE  # the action catalogue's names, in its order
})
OTHER_SIGNALS = ("purchase_received",)


class ActionSignals:
    """Takes each action's signal: checks and applies it through ``acting`` (workflows/acting.py)."""

    def __init__(self, engagement: Engagement, patches: Patches, acting: Acting, show: Callable[[], None]) -> None:
        self._engagement = engagement
        self._patches = patches
        self._acting = acting
        self._show = show

    # Added while engagements were running: those started before dropped them
    # without a trace, and replay the same.

    def received(self, name: str, payload: Any) -> None:
        if not self._patches.patched(patches.ACTIONS_AS_SIGNALS):
            return
        body = dict(payload) if isinstance(payload, dict) else payload
        request_id = body.pop("request_id", None) if isinstance(body, dict) else None
        try:
            if request_id is not None and not (isinstance(request_id, str) and 0 < len(request_id) <= 200
                                               and request_id.isprintable()):
                raise ApplicationError("request_id: must be text of at most 200 characters")
            if request_id is not None and self._engagement.has_applied(f"{name}:{request_id}"):
                return  # the same signal again: applied once
            # The edge's strict text rules, in a handler that replays: a stricter rule
            # later needs a workflow.patched guard here, or a signal applied then
            # would be refused on replay.
            action = read(SIGNALLED_ACTIONS[name], body, edge=True)
            self._acting.check(action)
        except ApplicationError as refusal:
            self._engagement.record_refused_signal(name, refusal.message, workflow.now())
            workflow.logger.warning("signal refused", extra={"signal": name})  # the reason is in the timeline
            metrics.count(metrics.REFUSED, action=name, via="signal")
            self._show()
            return
        self._acting.act(action)
        if request_id is not None:
            self._engagement.record_request(f"{name}:{request_id}")

    def unknown(self, name: str) -> None:
        if not self._patches.patched(patches.ACTIONS_AS_SIGNALS):
            return
        known = ", ".join([*SIGNALLED_ACTIONS, *OTHER_SIGNALS])
        self._engagement.record_refused_signal(name, f"no such signal; the engagement takes {known}", workflow.now())
        self._show()


W = TypeVar("W")


def signal_handlers(desk_of: Callable[[Any], ActionSignals]) -> Callable[[type[W]], type[W]]:
    """A class decorator, under ``@workflow.defn``: gives the workflow a signal for each
    action, handed to the ``ActionSignals`` that ``desk_of(workflow)`` returns. (The
    workflow declares its own handler for any other name: the SDK reads that one's
    signature from the class.)"""

    def attach(cls: type[W]) -> type[W]:
        for name in SIGNALLED_ACTIONS:
            setattr(cls, f"signal_{name}", _action_signal(name, desk_of))
        return cls

    return attach


def _action_signal(name: str, desk_of: Callable[[Any], ActionSignals]) -> Callable[..., None]:
    def handler(self: Any, *args: Any) -> None:
        # Any number of arguments: one that fails the call would fail the task, for good.
        desk_of(self).received(name, args[0] if len(args) == 1 else list(args))

    handler.__name__ = handler.__qualname__ = f"signal_{name}"
    return workflow.signal(name=name, description=(
        f"The {name} update as a signal: the same JSON, plus an optional request_id (applied once); "
        "a refusal is recorded on the timeline (event_refused)."
    ))(handler)
