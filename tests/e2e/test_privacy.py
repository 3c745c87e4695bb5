"""After `make demo` on the `make run` stack, Temporal holds no customer's name or
e-mail in clear, and neither do the logs of the worker, the intake, the codec
server or the Temporal server; the codec server gives them back to its holder."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from devstack.encryption_setup import TOKEN_FILE_NAME
from tests.support.stack_process import Stack, play_demo

TEMPORAL = Path(sys.executable).parent / "temporal"
ORGANIZATIONS = ("Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove", "Litware")
# What the demo's customers tell us about themselves (simulation/demo.py).
CUSTOMER_DATA = [
    *(f"{organization} (demo)" for organization in ORGANIZATIONS),
    *(f"{organization} IT admin" for organization in ORGANIZATIONS),
    *(f"it-admin@{organization.lower()}.example" for organization in ORGANIZATIONS),
    "Camille Martin", "camille@customer.example", "Pat Morgan", "pat@customer.example", "Jordan Lee",
    "jordan@customer.example",
    "iPhone-pilot-01", "Galaxy-pilot-01",  # the test devices' names, as the customer typed them
]


def temporal(stack: Stack, *arguments: str) -> str:
    done = subprocess.run([str(TEMPORAL), *arguments, "--address", f"127.0.0.1:{stack.port}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def payload_texts(node) -> list[str]:
    """The data of every payload in a history's JSON (base64 there), as text."""
    if isinstance(node, list):
        return [text for item in node for text in payload_texts(item)]
    if not isinstance(node, dict):
        return []
    if set(node) >= {"metadata", "data"} and isinstance(node["data"], str):
        return [base64.b64decode(node["data"]).decode(errors="replace")]
    return [text for value in node.values() for text in payload_texts(value)]


def found_in(text: str) -> list[str]:
    """The customer data in ``text``, organizations named alone included, whatever the case."""
    lowered = text.lower()
    return [needle for needle in (*CUSTOMER_DATA, *ORGANIZATIONS) if needle.lower() in lowered]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("stack", [True], indirect=True, ids=["keys in the data folder"])
async def test_the_demo_leaves_no_customer_data_in_clear_in_temporal_or_in_the_logs(stack):
    stack.start()
    keys = stack.data_dir / "encryption-keys"
    assert keys.stat().st_mode & 0o777 == 0o600 and (stack.data_dir / TOKEN_FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert "FASTTRACK_ENCRYPTION_KEYS" not in stack.client_environment()  # the stack, demo and CLI find the file
    pages = await play_demo(stack)
    assert set(pages) == set(ORGANIZATIONS)

    listed = [json.loads(line) for line in temporal(stack, "workflow", "list", "--output", "jsonl").splitlines()]
    workflow_ids = {execution["execution"]["workflowId"] for execution in listed}
    assert {page.rsplit("/", 1)[1] for page in pages.values()} <= workflow_ids
    assert len(workflow_ids) > len(pages)  # the closing messages' workflows too
    assert found_in(json.dumps(listed)) == []
    for workflow_id in workflow_ids:
        history = temporal(stack, "workflow", "show", "--workflow-id", workflow_id, "--output", "json")
        assert json.loads(history)["events"], workflow_id
        assert found_in(history) == [], workflow_id
        assert found_in(" ".join(payload_texts(json.loads(history)))) == [], workflow_id

    # The holder of the codec token reads it all back through the codec server.
    token = (stack.data_dir / TOKEN_FILE_NAME).read_text().strip()
    tailspin = pages["Tailspin"].rsplit("/", 1)[1]
    decoded = temporal(stack, "workflow", "show", "--workflow-id", tailspin, "--output", "json",
                       "--codec-endpoint", f"http://127.0.0.1:{stack.codec_port}",
                       "--codec-auth", f"Bearer {token}")
    assert {"Tailspin (demo)", "it-admin@tailspin.example", "Tailspin"} <= set(found_in(" ".join(payload_texts(json.loads(decoded)))))

    # Malformed and refused input that quotes a person: the worker logs that it happened, not what it said.
    leak = {"organization": "Leaky Corp", "customer_contact": {"name": "Jane Leak", "email": "jane.leak@leaky.example",
                                                                "phone": "+33 6 12 34 56 78"}}
    temporal(stack, "workflow", "signal", "--workflow-id", tailspin, "--name", "purchase_received",
             "--input", json.dumps(leak))
    temporal(stack, "workflow", "signal", "--workflow-id", tailspin, "--name", "complete_task",
             "--input", json.dumps({"by": "Jane Leak", "task_id": "core.dns", "note": "call +33 6 12 34 56 78"}))
    timeline = subprocess.run([str(TEMPORAL.parent / "fasttrack"), "--address", f"127.0.0.1:{stack.port}", "timeline",
                               tailspin], capture_output=True, text=True, timeout=60,
                              env=stack.client_environment())
    assert "Signal complete_task refused" in timeline.stdout, timeline.stdout + timeline.stderr

    # The customer opens their page from Litware's checklist mail: its link shows in no log either.
    assert stack.demo_page_link is not None
    opened = httpx.get(stack.demo_page_link, headers={"Sec-Fetch-Mode": "navigate"}, timeout=30)
    assert opened.status_code == 200 and "Hello Jordan," in opened.text  # the scope's given name, decrypted

    assert stack.stop() == 0
    logs = {path.name: path.read_text(errors="replace") for path in (stack.output, stack.data_dir / "temporal-server.log")}
    assert "worker started" in logs[stack.output.name] and "codec server started" in logs[stack.output.name]
    assert "intake started" in logs[stack.output.name] and "customer page started" in logs[stack.output.name]
    assert "malformed purchase event dropped" in logs[stack.output.name]
    assert "signal refused" in logs[stack.output.name]
    token = (stack.demo_page_link or "").rsplit("/", 1)[1]  # the customer page's link, in Litware's mail
    assert token and not [name for name, log in logs.items() if token[:40] in log]
    for name, text in logs.items():
        assert found_in(text) == [], name
        for said in ("Leaky Corp", "Jane Leak", "jane.leak@leaky.example", "+33 6 12 34 56 78", "12 34 56 78"):
            assert said not in text, (name, said)
