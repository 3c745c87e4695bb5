"""The HTTP intake's overhead: the same operator's action through it and as a direct update."""

from __future__ import annotations

import time

import httpx
from temporalio.client import Client

from bench.report import Figure, Report, console, percentile
from bench.stack import Stack
from fasttrack.models import CheckpointHeld
from simulation.customer import SPECIALIST
from workflows.engagement import EngagementWorkflow


async def intake_overhead(client: Client, stack: Stack, samples: int, report: Report) -> dict:
    """The same operator's action (a checkpoint held), through the HTTP intake and
    as a direct update, turn and turn about on one engagement in Remediate."""
    console.print(f"[bold]6. HTTP intake[/bold]: {samples} actions through it, {samples} direct")
    purchase, customer = await stack.engagement_in_remediate(client)
    handle = customer.handle
    direct, through_http = [], []
    headers = {"Authorization": f"Bearer {stack.secrets['operator_token']}"}
    url = f"/v1/engagements/{purchase.tenant_id}/actions/hold_checkpoint"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.intake_port}", headers=headers,
                                 timeout=60) as http:
        for number in range(samples):
            began = time.perf_counter()
            await handle.execute_update(EngagementWorkflow.hold_checkpoint,
                                        CheckpointHeld(by=SPECIALIST, note=f"direct {number}"))
            direct.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            answer = await http.post(url, json={"note": f"through the intake {number}"})
            through_http.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.text
    await handle.terminate("benchmark finished")
    overhead = percentile(through_http, 0.5) - percentile(direct, 0.5)
    report.add(Figure("HTTP intake overhead p50 (a checkpoint held)", overhead, "ms", budget="≤ 10 ms",
                      passed=overhead <= 10,
                      note=f"through the intake p50 {percentile(through_http, 0.5):.1f} ms, "
                           f"direct update p50 {percentile(direct, 0.5):.1f} ms"))
    return {"direct_ms": direct, "http_ms": through_http}
