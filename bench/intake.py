"""The HTTP intake's overhead: the same operator's action through it and as a direct update."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone

import httpx
from temporalio.client import Client

from bench.report import Figure, Report, console, percentile
from bench.stack import TASK_QUEUE, Stack
from engagement_client.purchases import record_purchase
from fasttrack.models import CheckpointHeld, Phase
from fasttrack.policy import BenefitPolicy
from simulation.customer import SPECIALIST, SimulatedCustomer
from simulation.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope
from workflows.engagement import EngagementWorkflow


async def intake_overhead(client: Client, stack: Stack, samples: int, report: Report) -> dict:
    """The same operator's action (a checkpoint held), through the HTTP intake and
    as a direct update, turn and turn about on one engagement in Remediate."""
    console.print(f"[bold]6. HTTP intake[/bold]: {samples} actions through it, {samples} direct")
    purchase = make_purchase(datetime.now(timezone.utc))
    started = await record_purchase(client, purchase, TASK_QUEUE, BenefitPolicy(business_hours=None))
    customer = SimulatedCustomer(started.handle)
    await customer.until_phase(Phase.INITIATE)
    await customer.through_assess(make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), date.today())
    direct, through_http = [], []
    headers = {"Authorization": f"Bearer {stack.secrets['operator_token']}"}
    url = f"/v1/engagements/{purchase.tenant_id}/actions/hold_checkpoint"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.intake_port}", headers=headers,
                                 timeout=60) as http:
        for number in range(samples):
            began = time.perf_counter()
            await started.handle.execute_update(EngagementWorkflow.hold_checkpoint,
                                                CheckpointHeld(by=SPECIALIST, note=f"direct {number}"))
            direct.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            answer = await http.post(url, json={"note": f"through the intake {number}"})
            through_http.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.text
    await started.handle.terminate("benchmark finished")
    overhead = percentile(through_http, 0.5) - percentile(direct, 0.5)
    report.add(Figure("HTTP intake overhead p50 (a checkpoint held)", overhead, "ms", budget="≤ 10 ms",
                      passed=overhead <= 10,
                      note=f"through the intake p50 {percentile(through_http, 0.5):.1f} ms, "
                           f"direct update p50 {percentile(direct, 0.5):.1f} ms"))
    return {"direct_ms": direct, "http_ms": through_http}
