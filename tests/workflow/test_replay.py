"""Every recorded reference history replays against the current workflow code.

A change that would break an engagement already running (a different sequence
of commands for the same events) fails here, before it is deployed. Guard such
changes with ``workflow.patched`` and record a new version folder
(``python -m simulation.record tests/histories/<version>``); see the README.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workers.worker import workflow_runner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
RECORDED = sorted(HISTORIES.glob("*/*.json"))
PATHS = {"completed", "ineligible", "expired", "withdrawn", "rejected_verification", "multi_forest"}
CARRIED_OVER_SINCE = 7  # a run that continues as new with messages on its way ("carry-over")
SIGNALLED_SINCE = 9  # actions as signals ("actions-as-signals")


def test_the_corpus_covers_every_reference_path():
    versions = sorted({path.parent.name for path in RECORDED})
    assert versions, "no recorded histories"
    for version in versions:
        number = int(version[1:])
        expected = PATHS | ({"carried_over"} if number >= CARRIED_OVER_SINCE else set()) \
            | ({"signalled"} if number >= SIGNALLED_SINCE else set())
        assert {path.stem for path in RECORDED if path.parent.name == version} == expected, version


@pytest.mark.parametrize("recorded", RECORDED, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_recorded_history_replays_on_the_current_code(recorded: Path):
    history_json = recorded.read_text()
    workflow_id = json.loads(history_json)["events"][0]["workflowExecutionStartedEventAttributes"].get(
        "workflowId", recorded.stem
    )
    history = WorkflowHistory.from_json(workflow_id, history_json)
    replayer = Replayer(
        workflows=[EngagementWorkflow, MessageDeliveryWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )
    await replayer.replay_workflow(history)
