"""The intake and the worker as an attacker and an unlucky operator meet them, on
real processes: bodies bounded by what is read and callers known before it, a
signed request resendable whatever failed, a bounded wait on a frozen worker, an
Idempotency-Key that comes back with another request, and a malformed encrypted
payload refused by the worker rather than failing the engagement's task."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.exceptions import FailureError

from engagement_client.codec import ENCODING, KEY_ID, parse_keys
from fasttrack.models import Phase
from intake.app import create_app
from intake.settings import IntakeSettings
from process_support.problems import PROBLEM
from register import Register
from simulation.customer import SPECIALIST, SimulatedCustomer
from tests.support.encryption import SUITE_KEYS
from tests.support.intake import Intake, signed, start
from tests.support.scenario import make_purchase, state_of

READER = "Rita (read only)"
REPOSITORY = Path(__file__).resolve().parents[2]
STATED = IntakeSettings.model_fields["intake_answer_seconds"].default  # the time the docs promise


@pytest.fixture(scope="module")
def served(dev_server_env, mail_sink, tmp_path_factory):
    """The intake and its worker as processes: (intake, worker process, intake process)."""
    address = dev_server_env.client.service_client.config.target_host
    intake, processes = start(address, mail_sink.port, tmp_path_factory.mktemp("hostile"),
                              {SPECIALIST: "operator", READER: "read_only"}, answer_seconds=STATED)
    yield intake, *processes
    for process in processes:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(30)


def raw_request(url: str, head: bytes, body_pieces: int = 0, piece: bytes = b"") -> bytes:
    """Sends ``head`` (and as many body pieces as the server takes) on a socket of its own, and
    returns the start of the answer: what a client that lies about its body gets."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head)
        try:
            for _ in range(body_pieces):
                connection.sendall(piece)
        except OSError:  # the server answered and closed: it read no more
            pass
        return connection.recv(4096)


def status_and_type(answer: bytes) -> tuple[int, str]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), headers.get("content-type", "")


def resident_kib(pid: int) -> int:
    (line,) = [line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1])


def test_bodies_are_bounded_by_what_is_read_and_the_caller_is_known_before_it(served):
    intake, _worker, service = served
    before = resident_kib(service.pid)
    chunk = b"100000\r\n" + b"x" * 0x100000 + b"\r\n"  # 1 MiB pieces, 64 of them
    for lying in (b"Content-Length: 10\r\nTransfer-Encoding: chunked\r\n", b"Transfer-Encoding: chunked\r\n"):
        head = b"POST /v1/purchases HTTP/1.1\r\nHost: intake\r\n" + lying + b"\r\n"
        raw = raw_request(intake.url, head, 64, chunk)
        assert status_and_type(raw) == (411, PROBLEM), raw
    assert resident_kib(service.pid) - before < 16 * 1024  # nothing like 64 MiB was held

    # Headers that say who is asking are read first: no body is waited for when they do not hold.
    unsigned = b"POST /v1/purchases HTTP/1.1\r\nHost: intake\r\nContent-Length: 60000\r\n\r\n"
    assert status_and_type(raw_request(intake.url, unsigned)) == (401, PROBLEM)
    tenant = "00000000-0000-0000-0000-000000000001"
    no_token = f"POST /v1/engagements/{tenant}/actions/record_contact HTTP/1.1\r\nHost: intake\r\n" \
               "Content-Length: 60000\r\n\r\n".encode()
    assert status_and_type(raw_request(intake.url, no_token)) == (401, PROBLEM)
    nested = b"[" * 20_000 + b"]" * 20_000
    answer = httpx.post(f"{intake.url}/v1/engagements/{tenant}/actions/record_contact", content=nested, timeout=30)
    assert answer.status_code == 401 and answer.headers["content-type"] == PROBLEM, answer.text
    answer = httpx.post(f"{intake.url}/v1/engagements/{tenant}/actions/record_contact", content=nested, timeout=30,
                        headers=intake.token(SPECIALIST))
    assert answer.status_code == 422 and "not JSON the intake can read" in answer.json()["detail"], answer.text

    big = httpx.get(f"{intake.url}/healthz", headers={"X-Padding": "p" * 20_000}, timeout=30)
    many = httpx.get(f"{intake.url}/healthz", headers={f"X-Extra-{n}": "1" for n in range(150)}, timeout=30)
    for answer in (big, many):
        assert answer.status_code == 431 and answer.headers["content-type"] == PROBLEM, answer.text


def test_every_refusal_is_problem_json_with_a_documented_status(served):
    intake, _worker, _service = served
    tenant = "00000000-0000-0000-0000-000000000002"
    calls = [
        ("GET", "/nowhere", {}, b""), ("GET", "/v1/engagements%2Fx/timeline", {}, b""),
        ("DELETE", "/v1/purchases", {}, b""), ("PUT", f"/v1/engagements/{tenant}", {}, b"{}"),
        ("GET", "/v1/purchases", {}, b""),
        ("POST", "/v1/purchases", {}, b'{"order_id": 1}'),
        ("POST", f"/v1/engagements/{tenant}/actions/record_contact", intake.token(SPECIALIST), b"\xff\xfe"),
        ("POST", f"/v1/engagements/{tenant}/actions/record_contact", intake.token(SPECIALIST), b"9" * 5000),
        ("POST", f"/v1/engagements/{tenant}/actions/record_contact", intake.token(SPECIALIST), b"{nope"),
        ("POST", f"/v1/engagements/{tenant}/actions/hold_kickof", intake.token(SPECIALIST), b"{}"),
        ("POST", f"/v1/engagements/{tenant}/actions/record_contact", intake.token(READER), b"{}"),
        ("GET", f"/v1/engagements/{tenant}", {"Authorization": "Bearer " + "n" * 40}, b""),
    ]
    seen = set()
    with httpx.Client(base_url=intake.url, timeout=60) as http:
        for method, path, headers, body in calls:
            answer = http.request(method, path, headers=headers, content=body)
            assert answer.headers["content-type"] == PROBLEM, (method, path, answer.status_code, answer.text)
            assert answer.json()["status"] == answer.status_code and answer.json()["detail"], answer.text
            seen.add(answer.status_code)
    assert seen <= {401, 403, 404, 405, 409, 411, 413, 422, 431, 503}, seen
    assert {401, 403, 404, 405, 422} <= seen


async def started_engagement(intake: Intake, dev_server_env, organization: str) -> tuple[str, WorkflowHandle]:
    payload = make_purchase(datetime.now(timezone.utc), organization=organization).model_dump_json().encode()
    async with intake.http() as http:
        answer = await http.post("/v1/purchases", content=payload, headers=signed(intake.commerce_secret, payload))
    assert answer.status_code == 201, answer.text
    handle = dev_server_env.client.get_workflow_handle(answer.json()["engagement_id"])
    await SimulatedCustomer(handle).until_phase(Phase.INITIATE)
    return answer.json()["engagement_id"], handle


async def test_an_idempotency_key_that_comes_back_with_another_request_is_refused(served, dev_server_env):
    intake, _worker, _service = served
    engagement_id, handle = await started_engagement(intake, dev_server_env, "Keyed Co")
    path = f"/v1/engagements/{engagement_id}/actions/request_assistance"
    key = {**intake.token(SPECIALIST), "Idempotency-Key": "call-2026-12-08"}
    async with intake.http() as http:
        first = await http.post(path, json={"note": "By phone"}, headers=key)
        again = await http.post(path, json={"note": "By phone"}, headers=key)
        other = await http.post(path, json={"note": "By phone, and the DNS records"}, headers=key)
        elsewhere = await http.post(f"/v1/engagements/{engagement_id}/actions/record_contact", json={}, headers=key)
    assert first.status_code == again.status_code == 200 and first.json() == again.json(), again.text
    for refused in (other, elsewhere):
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM, refused.text
        assert "came before with another request" in refused.json()["detail"]
    state = await state_of(handle)
    assert [event.what for event in state.timeline].count("assistance_requested") == 1
    assert state.contact_made_at is None
    await handle.terminate("test finished")


async def test_a_signed_request_that_failed_on_a_full_disk_can_be_sent_again_as_it_was(served, dev_server_env):
    """The register's disk fills after the signature is claimed and before it is released:
    the purchase is answered 503, the same bytes are not called a replay, and once the disk
    has room again (and the claim has lapsed) they start the engagement."""
    intake, _worker, _service = served
    settings = IntakeSettings(task_queue=intake.task_queue, commerce_secret=intake.commerce_secret,
                              portal_secret=intake.portal_secret, intake_tokens=intake.tokens,
                              intake_answer_seconds=5)
    register = Register(os.environ["FASTTRACK_DATABASE_URL"], create=False)
    full = threading.Event()

    @event.listens_for(register.engine, "before_cursor_execute")
    def disk(_connection, _cursor, statement, *_rest) -> None:
        claiming = statement.startswith(("INSERT INTO signed_requests", "DELETE FROM signed_requests WHERE "
                                                                         "signed_requests.seen_at <"))
        if full.is_set() and statement.startswith(("INSERT", "UPDATE", "DELETE")) and not claiming:
            raise sqlite3.OperationalError("database or disk is full")

    app = create_app(settings, dev_server_env.client, register)
    body = make_purchase(datetime.now(timezone.utc), organization="Full Disk Co").model_dump_json().encode()
    headers = signed(intake.commerce_secret, body)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as http:
        full.set()
        failed = await http.post("/v1/purchases", content=body, headers=headers)
        assert failed.status_code == 503 and failed.headers["content-type"] == PROBLEM, failed.text
        assert failed.headers["retry-after"].isdigit()
        resent = await http.post("/v1/purchases", content=body, headers=headers)  # not a replay: not handled
        assert resent.status_code == 503 and "disk is full" in resent.json()["detail"], resent.text
        full.clear()
        resent = await http.post("/v1/purchases", content=body, headers=headers)  # its claim is still held
        assert resent.status_code == 503 and "being handled" in resent.json()["detail"], resent.text
        deadline = time.monotonic() + 60
        while resent.status_code == 503 and time.monotonic() < deadline:
            await asyncio.sleep(float(resent.headers["retry-after"]))
            resent = await http.post("/v1/purchases", content=body, headers=headers)
        assert resent.status_code == 201, resent.text
        replayed = await http.post("/v1/purchases", content=body, headers=headers)
        assert replayed.status_code == 409 and "already received" in replayed.json()["detail"], replayed.text
    await dev_server_env.client.get_workflow_handle(resent.json()["engagement_id"]).terminate("test finished")
    register.dispose()


async def test_a_malformed_encrypted_payload_is_refused_by_the_worker_not_a_failed_task(served, dev_server_env):
    intake, _worker, _service = served
    engagement_id, handle = await started_engagement(intake, dev_server_env, "Cut Payload Co")
    raw = await Client.connect(dev_server_env.client.service_client.config.target_host)  # no codec: bytes as sent
    current, _keys = parse_keys(SUITE_KEYS)
    cut = RawValue(Payload(metadata={"encoding": ENCODING, KEY_ID: current.encode()}, data=b"abc"))
    raw_handle = raw.get_workflow_handle(engagement_id)
    await raw_handle.signal("record_contact", cut)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await raw_handle.execute_update("record_contact", cut)
    rejection = refused.value.cause
    assert isinstance(rejection, FailureError)
    failure = rejection.failure  # its message is encrypted: read with the keys
    assert failure is not None
    said, chain = await dev_server_env.client.data_converter.decode_failure(failure), []
    while said is not None:
        chain.append(str(said))
        said = getattr(said, "cause", None) or said.__cause__
    assert any("too short to hold its nonce and tag" in message for message in chain), chain
    state = await state_of(handle)  # it still answers, and nothing was applied
    assert state.phase is Phase.INITIATE and state.contact_made_at is None
    events = [event.event_type async for event in handle.fetch_history_events()]
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in events
    await handle.terminate("test finished")


def test_a_worker_without_its_register_refuses_to_start_unless_told_it_is_the_first_start(dev_server_env, tmp_path):
    environment = {name: value for name, value in os.environ.items() if name != "FASTTRACK_DATABASE_URL"}
    environment |= {"TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
                    "FASTTRACK_DATA_DIR": str(tmp_path), "FASTTRACK_TASK_QUEUE": "no-register"}
    done = subprocess.run([sys.executable, "-m", "workers.worker"], cwd=REPOSITORY, capture_output=True, text=True,
                          timeout=120, env=environment)
    assert done.returncode == 1, done.stderr
    assert "no benefit register" in done.stderr and "FASTTRACK_CREATE_REGISTER=true" in done.stderr, done.stderr
    assert not (tmp_path / "register.db").exists()


async def test_a_frozen_worker_gets_a_503_in_the_stated_time_and_the_resend_applies_once(served, dev_server_env):
    """Last: it stops the module's worker for a while."""
    intake, worker, _service = served
    engagement_id, handle = await started_engagement(intake, dev_server_env, "Frozen Co")
    path = f"/v1/engagements/{engagement_id}/actions/record_contact"
    key = {**intake.token(SPECIALIST), "Idempotency-Key": "contact-frozen"}
    worker.send_signal(signal.SIGSTOP)
    try:
        async with intake.http() as http:
            began = time.monotonic()
            late = await http.post(path, json={"note": "Called them"}, headers=key)
            waited = time.monotonic() - began
            reading = await http.get(f"/v1/engagements/{engagement_id}", headers=intake.token(READER))
    finally:
        worker.send_signal(signal.SIGCONT)
    assert late.status_code == 503 and late.headers["content-type"] == PROBLEM, late.text
    assert late.headers["retry-after"].isdigit() and waited < STATED + 10, waited
    # Either the action reached Temporal and may still apply, or (the frozen worker holding the register's
    # lock, say) the intake could not even record the key: each answer says so, and a resend is safe.
    detail = late.json()["detail"]
    assert ("may still be applied" in detail and "same Idempotency-Key" in detail) or (
        "nothing was changed; send the request again" in detail), detail
    assert reading.status_code == 503 and reading.headers["retry-after"].isdigit(), reading.text
    async with intake.http() as http:
        for _ in range(30):
            answer = await http.post(path, json={"note": "Called them"}, headers=key)
            if answer.status_code != 503:
                break
    assert answer.status_code == 200, answer.text
    state = await state_of(handle)
    assert [event.what for event in state.timeline].count("contact_made") == 1
    await handle.terminate("test finished")

