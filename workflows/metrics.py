"""The engagements' business counters, through the SDK's metric meter: counted as
things happen, never again when a history replays; exported with the SDK's own
metrics (the worker's /metrics)."""

from __future__ import annotations

from temporalio import workflow

SENT = ("fasttrack_messages_sent", "Messages the mail server accepted")
FAILED = ("fasttrack_messages_failed", "Messages that could not be sent, for good")
REFUSED = ("fasttrack_actions_refused", "Actions refused by the engagement, as updates or signals")


def count(metric: tuple[str, str], **labels: str) -> None:
    name, description = metric
    workflow.metric_meter().create_counter(name, description).add(1, labels)
