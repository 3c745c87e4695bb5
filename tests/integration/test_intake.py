"""The HTTP intake as commerce, the portal and operators call it, against the real
stack: the dev server, a worker and the intake as processes, and httpx."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from fasttrack.engagement.catalogue import update_name_of
from fasttrack.models import Phase
from simulation.customer import ADMIN, SPECIALIST, SimulatedCustomer
from tests.support.intake import signed, start
from tests.support.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope, state_of
from tests.support.workflow_checks import eventually
from workflows.engagement import EngagementWorkflow

READER = "Rita (read only)"


@pytest.fixture(scope="module")
def intake(dev_server_env, mail_sink, tmp_path_factory):
    address = dev_server_env.client.service_client.config.target_host
    service, processes = start(address, mail_sink.port, tmp_path_factory.mktemp("intake"),
                               {SPECIALIST: "operator", ADMIN: "operator", READER: "read_only"})
    yield service
    for process in processes:
        process.terminate()
        process.wait(30)


def problem(response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert fragment in response.json()["detail"], response.json()


async def test_purchases_must_be_signed_fresh_and_once_and_are_idempotent_by_order(intake, dev_server_env):
    purchase = make_purchase(datetime.now(timezone.utc), organization="Signed Co")
    body = purchase.model_dump_json().encode()
    async with intake.http() as http:
        problem(await http.post("/v1/purchases", content=body), 401, "not signed")
        tampered = body.replace(b'"licenses":250', b'"licenses":2500')
        problem(await http.post("/v1/purchases", content=tampered, headers=signed(intake.commerce_secret, body)),
                401, "does not match")
        stale = signed(intake.commerce_secret, body, at=time.time() - 400)
        problem(await http.post("/v1/purchases", content=body, headers=stale), 401, "five minutes")
        problem(await http.post("/v1/purchases", content=body, headers=signed(intake.portal_secret, body)),
                401, "does not match")
        odd = {**signed(intake.commerce_secret, body), "X-FastTrack-Signature": "sha256=\u00e9".encode("latin-1")}
        problem(await http.post("/v1/purchases", content=body, headers=odd), 401, "does not match")
        huge = b'{"order_id": "' + b"x" * 70_000 + b'"}'
        problem(await http.post("/v1/purchases", content=huge, headers=signed(intake.commerce_secret, huge)),
                413, "at most 64 KiB")

        # A key named twice: JSON parsers keep one or the other, so the purchase is refused, and resendable.
        twice = body.replace(b'{"', b'{"tenant_id":"00000000-0000-0000-0000-000000000000","', 1)
        problem(await http.post("/v1/purchases", content=twice, headers=signed(intake.commerce_secret, twice)),
                422, "tenant_id: named twice")

        headers = signed(intake.commerce_secret, body)
        started = await http.post("/v1/purchases", content=body, headers=headers)
        assert started.status_code == 201 and started.json()["created"], started.text
        problem(await http.post("/v1/purchases", content=body, headers=headers), 409, "already received")
        again = await http.post("/v1/purchases", content=body,
                                headers=signed(intake.commerce_secret, body, at=time.time() - 2))
        assert again.status_code == 200 and "already recorded" in again.json()["message"]

        # Two orders for a new tenant at the same moment: one engagement, the other order attached.
        first = make_purchase(datetime.now(timezone.utc))
        orders = [first, make_purchase(first.purchased_at, tenant_id=first.tenant_id, order_id="ORD-twin")]
        bodies = [order.model_dump_json().encode() for order in orders]
        answers = await asyncio.gather(*(
            http.post("/v1/purchases", content=payload, headers=signed(intake.commerce_secret, payload))
            for payload in bodies
        ))
        assert sorted(answer.status_code for answer in answers) == [200, 201], [a.text for a in answers]
        engagement_id = answers[0].json()["engagement_id"]
        runs = [run async for run in dev_server_env.client.list_workflows(f"WorkflowId = '{engagement_id}'")]
        assert len(runs) == 1
        for started_id in (started.json()["engagement_id"], engagement_id):
            await dev_server_env.client.get_workflow_handle(started_id).terminate("test finished")


async def test_the_portal_signs_assistance_requests_with_its_own_secret(intake, dev_server_env):
    async with intake.http() as http:
        payload = make_purchase(datetime.now(timezone.utc)).model_dump_json().encode()
        engagement_id = (await http.post("/v1/purchases", content=payload,
                                         headers=signed(intake.commerce_secret, payload))).json()["engagement_id"]
        tenant = engagement_id.removeprefix("fasttrack-intune-")
        handle = dev_server_env.client.get_workflow_handle(engagement_id)
        elsewhere = json.dumps({"tenant_id": make_purchase(datetime.now(timezone.utc)).tenant_id}).encode()
        problem(await http.post(f"/v1/engagements/{tenant}/assistance", content=elsewhere,
                                headers=signed(intake.portal_secret, elsewhere)), 422, "tenant_id")
        body = json.dumps({"tenant_id": tenant, "note": "Asked from the portal", "request_id": "portal-1"}).encode()
        problem(await http.post(f"/v1/engagements/{tenant}/assistance", content=body,
                                headers=signed(intake.commerce_secret, body)), 401, "does not match")
        accepted = await http.post(f"/v1/engagements/{tenant}/assistance", content=body,
                                   headers=signed(intake.portal_secret, body))
        assert accepted.status_code == 202, accepted.text

        async def requested():
            state = await state_of(handle)
            return state if state.assistance_requested_at is not None else None

        state = await eventually(requested, 30, "the portal's request never reached the engagement")
        (event,) = [event for event in state.timeline if event.what == "assistance_requested"]
        assert event.by == "FastTrack portal"
        await handle.terminate("test finished")


class HttpCustomer(SimulatedCustomer):
    """Every action through the intake, with the token of the person who takes it."""

    def __init__(self, handle, http, intake) -> None:
        super().__init__(handle)
        self.http, self.intake = http, intake

    async def act(self, action):
        body = action.model_dump(mode="json", exclude={"by"})
        tenant = self.handle.id.removeprefix("fasttrack-intune-")
        answer = await self.http.post(f"/v1/engagements/{tenant}/actions/{update_name_of(action)}", json=body,
                                      headers=self.intake.token(action.by))
        assert answer.status_code == 200, answer.text
        return answer.json()


async def test_operators_take_every_action_with_their_token_and_readers_only_read(intake, dev_server_env):
    async with intake.http() as http:
        payload = make_purchase(datetime.now(timezone.utc), organization="Operated Co").model_dump_json().encode()
        engagement_id = (await http.post("/v1/purchases", content=payload,
                                         headers=signed(intake.commerce_secret, payload))).json()["engagement_id"]
        tenant = engagement_id.removeprefix("fasttrack-intune-")
        handle = dev_server_env.client.get_workflow_handle_for(EngagementWorkflow.run, engagement_id)
        customer = HttpCustomer(handle, http, intake)
        await customer.until_phase(Phase.INITIATE)
        actions = f"/v1/engagements/{tenant}/actions"

        problem(await http.post(f"{actions}/record_contact", json={}), 401, "Bearer")
        problem(await http.post(f"{actions}/record_contact", json={}, headers=intake.token(READER)), 403,
                "may read engagements, not act")
        problem(await http.post(f"{actions}/record_contact", json={"by": "Mallory"}, headers=intake.token(ADMIN)),
                422, "by: set from your token")
        problem(await http.post(f"{actions}/complete_task", json={"task_id": "core.dns"},
                                headers=intake.token(ADMIN)), 409, "Cannot complete an Enable task now")
        problem(await http.post(f"{actions}/hold_kickof", json={}, headers=intake.token(ADMIN)), 422,
                "action: Input should be 'record_contact'")
        assert (await state_of(handle)).contact_made_at is None  # nothing refused left a trace

        # A target date ahead: today in UTC is yesterday in Paris late in the UTC day.
        await customer.through_assess(make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS),
                                      date.today() + timedelta(days=30))
        for _ in range(2):  # an operator's retry with the same key: applied once
            answer = await http.post(f"{actions}/hold_checkpoint", json={"note": "Weekly call"},
                                     headers={**intake.token(SPECIALIST), "Idempotency-Key": "call-1"})
            assert answer.status_code == 200, answer.text
        assert (await state_of(handle)).checkpoints_held == 1
        await customer.remediate()
        await customer.approve()
        await customer.enable()
        assert (await handle.result()).outcome.status is Phase.COMPLETED

        reader = intake.token(READER)
        status = await http.get(f"/v1/engagements/{tenant}", headers=reader)
        assert status.status_code == 200 and status.json()["phase"] == "completed"
        timeline = (await http.get(f"/v1/engagements/{tenant}/timeline", headers=reader)).json()
        assert {event["by"] for event in timeline if event["what"] == "contact_made"} == {SPECIALIST}
        report = await http.get(f"/v1/engagements/{tenant}/report", headers=reader)
        assert report.headers["content-type"].startswith("text/markdown") and "Operated Co" in report.text


@pytest.fixture(scope="module")
def open_engagement(intake):
    """An engagement in Initiate for the generated calls to aim at."""
    payload = make_purchase(datetime.now(timezone.utc), organization="Fuzzed Co").model_dump_json().encode()
    with httpx.Client(base_url=intake.url, timeout=60) as http:
        engagement_id = http.post("/v1/purchases", content=payload,
                                  headers=signed(intake.commerce_secret, payload)).json()["engagement_id"]
        tenant = engagement_id.removeprefix("fasttrack-intune-")
        for _ in range(200):
            if http.get(f"/v1/engagements/{tenant}", headers=intake.token(READER)).json()["phase"] == "initiate":
                return tenant
            time.sleep(0.05)
    raise AssertionError("the engagement never reached Initiate")


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_no_generated_request_fails_the_intake_or_changes_anything_when_refused(intake, open_engagement, mode):
    """Schemathesis over the OpenAPI document, with a fixed budget per operation, as
    an operator, with valid data and with data made to be wrong: never a 5xx, every
    refusal problem+json, and a refused call leaves the engagement as it was."""
    schema = schemathesis.openapi.from_url(f"{intake.url}/openapi.json")
    status_url = f"{intake.url}/v1/engagements/{open_engagement}"

    def record() -> dict:
        return httpx.get(status_url, headers=intake.token(READER), timeout=60).json()

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case) -> None:
        if case.path_parameters and "tenant" in case.path_parameters:
            case.path_parameters["tenant"] = open_engagement  # aim at a real engagement
        before = record()
        response = case.call(base_url=intake.url, headers=intake.token(ADMIN), timeout=60)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == ["application/problem+json"]  # one value per header
            assert record() == before, (case.method, case.formatted_path, response.text)

    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    assert len(operations) == 6
    tried = []
    for operation in operations:
        try:
            given(operation.as_strategy(mode))(call)()
        except Unsatisfiable:  # nothing in this operation can be made wrong (a GET of a tenant, say)
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        tried.append(operation.label)
    assert len(tried) >= 3, tried


async def test_the_remaining_actions_through_http_assistance_a_moved_kickoff_and_a_withdrawal(intake, dev_server_env):
    async with intake.http() as http:
        payload = make_purchase(datetime.now(timezone.utc)).model_dump_json().encode()
        engagement_id = (await http.post("/v1/purchases", content=payload,
                                         headers=signed(intake.commerce_secret, payload))).json()["engagement_id"]
        handle = dev_server_env.client.get_workflow_handle_for(EngagementWorkflow.run, engagement_id)
        await SimulatedCustomer(handle).until_phase(Phase.INITIATE)
        actions = f"/v1/engagements/{engagement_id}/actions"
        specialist = intake.token(SPECIALIST)
        for action, body in (("request_assistance", {"note": "By phone"}), ("record_contact", {})):
            answer = await http.post(f"{actions}/{action}", json=body, headers=specialist)
            assert answer.status_code == 200, answer.text
        kickoff = (await state_of(handle)).kickoff_call
        assert kickoff is not None
        proposed = kickoff.start
        for weeks in range(1, 5):  # the same weekday and hour a week on, unless that day is a holiday
            moved = await http.post(f"{actions}/reschedule_call", headers=specialist, json={
                "call": "kickoff", "start": (proposed + timedelta(weeks=weeks)).isoformat()})
            if moved.status_code == 200:
                break
        assert moved.status_code == 200, moved.text
        kickoff = (await state_of(handle)).kickoff_call
        assert kickoff is not None and kickoff.start == proposed + timedelta(weeks=weeks)
        withdrawn = await http.post(f"{actions}/withdraw", json={"reason": "Postponed"}, headers=intake.token(ADMIN))
        assert withdrawn.status_code == 200 and withdrawn.json()["phase"] == "withdrawn", withdrawn.text
        events = {event.what: event.by for event in (await handle.result()).timeline}
        assert events["assistance_requested"] == SPECIALIST and events["withdrawn"] == ADMIN


async def test_its_health_and_request_metrics_name_routes_not_tenants(intake):
    async with intake.http() as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        tenant = str(uuid.uuid4())
        missing = await http.get(f"/v1/engagements/{tenant}", headers=intake.token(READER))
        metrics = (await http.get("/metrics")).text
    assert missing.status_code == 404
    assert ('fasttrack_http_requests_total{route="/v1/engagements/{tenant}",service="intake",status="404"}'
            in metrics)
    assert tenant not in metrics


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/v1/nowhere", None, 404),
    ("GET", "/v1/engagements%2F..%2Fdocs", None, 404),
    ("DELETE", "/v1/purchases", None, 405),
    ("PUT", "/v1/engagements/00000000-0000-0000-0000-000000000000/actions/record_contact", b"{}", 405),
    ("POST", "/v1/engagements/00000000-0000-0000-0000-000000000000/actions/record_contact", b"{not json", 422),
    ("POST", "/v1/engagements/00000000-0000-0000-0000-000000000000/actions/record_contact", b"\xff\xfe{}", 422),
    ("POST", "/v1/engagements/00000000-0000-0000-0000-000000000000/actions/record_contact", b"[" * 5000, 422),
], ids=["unknown path", "encoded slashes", "wrong method", "wrong method on an action", "invalid JSON",
        "not UTF-8", "nested deep"])
async def test_every_refusal_is_problem_json_with_a_documented_status(intake, method, path, body, status):
    async with intake.http() as http:
        answer = await http.request(method, path, content=body, headers={
            **intake.token(SPECIALIST), "Content-Type": "application/json"})
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    detail = answer.json()["detail"]
    assert detail and "decode error" not in detail and "There was an error" not in detail, detail
