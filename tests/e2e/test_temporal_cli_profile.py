"""The Temporal CLI just works on the `make run` stack: the profile it writes (and
the one `export` line it prints) is all `temporal` needs to reach the stack and
decode the encrypted payloads, and all `fasttrack` needs to reach it too."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.support.scenario import make_purchase
from tests.support.stack_process import REPOSITORY

EXPORT = re.compile(r"Temporal CLI:\s+export TEMPORAL_CONFIG_FILE=(\S+) TEMPORAL_PROFILE=(\S+)")


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("stack", [True], indirect=True)  # the keys in the data folder, as for a user
def test_the_printed_profile_alone_lets_the_temporal_cli_act_and_read_decoded_payloads(stack, tmp_path):
    stack.start()
    printed = EXPORT.search(stack.output.read_text())
    assert printed is not None, "the stack did not print the Temporal CLI's export line"
    config_file, profile = printed.groups()
    # A shell with the export line and the data folder, nothing of the suite's own settings.
    shell = {name: value for name, value in os.environ.items() if not name.startswith(("FASTTRACK_", "TEMPORAL_"))}
    shell |= {"HOME": str(tmp_path), "TEMPORAL_CONFIG_FILE": config_file, "TEMPORAL_PROFILE": profile,
              "FASTTRACK_DATA_DIR": str(stack.data_dir)}

    # A purchase of today: the docs' example is dated, and its window would close one day.
    purchase = make_purchase(datetime.now(timezone.utc))
    (tmp_path / "purchase.json").write_text(purchase.model_dump_json())
    started = subprocess.run([_tool("fasttrack"), "purchase", str(tmp_path / "purchase.json")], cwd=REPOSITORY,
                             env=shell, capture_output=True, text=True, timeout=60)
    assert started.returncode == 0, started.stdout + started.stderr
    engagement = f"fasttrack-intune-{purchase.tenant_id}"

    updated = subprocess.run(
        [_tool("temporal"), "workflow", "update", "execute", "--workflow-id", engagement, "--name", "record_contact",
         "--input", json.dumps({"by": "Ana (FastTrack)", "note": "Reached Sam by phone"}), "-o", "json"],
        env=shell, capture_output=True, text=True, timeout=60)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    receipt = json.loads(updated.stdout)["result"]
    assert receipt["engagement_id"] == engagement and receipt["message"].startswith("Contact recorded"), receipt

    shown = subprocess.run([_tool("temporal"), "workflow", "show", "--workflow-id", engagement, "-o", "json"],
                           env=shell, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    # The action's input as the history holds it, decoded through the codec server.
    [accepted] = [event["workflowExecutionUpdateAcceptedEventAttributes"] for event in json.loads(shown.stdout)["events"]
                  if "workflowExecutionUpdateAcceptedEventAttributes" in event]
    [payload] = accepted["acceptedRequest"]["input"]["args"]["payloads"]
    assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain"
    assert json.loads(base64.b64decode(payload["data"]))["note"] == "Reached Sam by phone"
    # Without the profile's codec the same input reads as what is stored: encrypted.
    raw = subprocess.run([_tool("temporal"), "workflow", "show", "--workflow-id", engagement, "-o", "json",
                          "--address", f"127.0.0.1:{stack.port}"],
                         env={name: value for name, value in shell.items() if not name.startswith("TEMPORAL_")},
                         capture_output=True,
                         text=True, timeout=60)
    assert raw.returncode == 0, raw.stderr
    [stored] = [event["workflowExecutionUpdateAcceptedEventAttributes"]["acceptedRequest"]["input"]["args"]["payloads"][0]
                for event in json.loads(raw.stdout)["events"] if "workflowExecutionUpdateAcceptedEventAttributes" in event]
    assert base64.b64decode(stored["metadata"]["encoding"]) == b"binary/encrypted"
