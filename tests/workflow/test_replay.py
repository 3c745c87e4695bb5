"""Every recorded reference history replays against the current workflow code.

A change that would break an engagement already running (a different sequence
of commands for the same events) fails here, before it is deployed. Guard such
changes with ``workflow.patched`` and record a new version folder
(``python -m simulation.record tests/histories/<version>``); see docs/replay.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from engagement_client.codec import ENCODING, KEY_ID
from tests.support.encryption import CORPUS_KEYS_FILE, encrypted_converter, payloads_in
from workers.worker import workflow_runner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow
from workflows.patches import FOLDED_CHANGES, FOLDED_MARKER

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
RECORDED = sorted(HISTORIES.glob("*/*.json"), key=lambda path: (int(path.parent.name[1:]), path.stem))
PATHS = {"completed", "ineligible", "expired", "withdrawn", "rejected_verification", "multi_forest"}
CARRIED_OVER_SINCE = 7  # a run that continues as new with messages on its way ("carry-over")
SIGNALLED_SINCE = 9  # actions as signals ("actions-as-signals")
ENCRYPTED_SINCE = 10  # payloads encrypted with tests/histories/corpus-keys


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
        data_converter=encrypted_converter(CORPUS_KEYS_FILE.read_text()),  # histories before v10 are not encrypted
        workflow_runner=workflow_runner(),
    )
    await replayer.replay_workflow(history)


@pytest.mark.parametrize("recorded", [path for path in RECORDED if int(path.parent.name[1:]) >= ENCRYPTED_SINCE],
                         ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_recent_histories_are_recorded_encrypted_under_the_corpus_key(recorded: Path):
    history = WorkflowHistory.from_json(recorded.stem, recorded.read_text())
    payloads = [payload for event in history.events if not event.marker_recorded_event_attributes.marker_name
                for payload in payloads_in(event)]
    assert payloads
    assert {(payload.metadata["encoding"], payload.metadata[KEY_ID]) for payload in payloads} == {(ENCODING, b"corpus")}


def test_the_changes_folded_into_one_marker_never_change():
    # Runs started since v12 hold this marker for exactly these changes: one added
    # would be skipped by them, one removed would be asked for with no marker of its own.
    assert FOLDED_MARKER == "changes-up-to-remediation-items-flag"
    assert FOLDED_CHANGES == {
        "kickoff-summary-message", "keep-messages-current", "close-at-once", "messages-on-their-own",
        "message-watchdog", "carry-over", "register-progress", "register-at-closing", "actions-as-signals",
        "remediation-items-flag",
    }
