"""What an action and a status read cost as an engagement's state grows.

An engagement in Remediate is timed at about 10 KiB of state, then grown by
checkpoints with long notes (the timeline, the part of the state that grows with
an engagement's age) to 100 and 200 KiB and timed again. The timeline folds at
256 KiB, and the rest of the state is set once, in Assess: an engagement reaches
400 KiB only with the largest scope and source environment the models accept, so
a second one, started with those, is grown to 400 KiB the same way. At each size,
with the engagement idle each time: checkpoints with a short note (update p50 and
the worker's CPU per update) and the `standing` query `fasttrack status` reads."""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta, timezone

from temporalio.client import Client, WorkflowHandle

from bench.cpu import CpuMeter
from bench.lifecycle import until_quiet
from bench.report import Figure, Report, console
from engagement_client.purchases import record_purchase
from fasttrack.models import CheckpointHeld, Phase, Scope, SourceEnvironment
from fasttrack.policy import BenefitPolicy
from simulation.customer import SimulatedCustomer
from simulation.scenario import (
    LONGEST_NOTE,
    largest_stakeholders,
    longest_environment,
    make_environment,
    make_purchase,
    make_scope,
)
from workflows.engagement import EngagementWorkflow

GROWTH_BUDGET = 1.2  # at 400 KiB, each figure at most this times its value at 10 KiB
async def size_of(handle: WorkflowHandle) -> int:
    return len((await handle.query(EngagementWorkflow.state)).model_dump_json().encode())


async def in_remediate(client: Client, task_queue: str, scope: Scope, environment: SourceEnvironment
                       ) -> SimulatedCustomer:
    started = await record_purchase(client, make_purchase(datetime.now(timezone.utc)), task_queue,
                                    BenefitPolicy(business_hours=None))
    customer = SimulatedCustomer(started.handle)
    await customer.until_phase(Phase.INITIATE)
    await customer.through_assess(scope, environment, date.today() + timedelta(days=90))
    return customer


async def grow_to(customer: SimulatedCustomer, kib: int) -> int:
    """Checkpoints with long notes until the state reaches ``kib``, or stops growing
    (the timeline folds); its size then."""
    size, last = await size_of(customer.handle), 0
    while size < kib * 1024 and size > last:
        for _ in range(20):
            await customer.act(CheckpointHeld(by=customer.specialist, note=LONGEST_NOTE))
        size, last = await size_of(customer.handle), size
    return size


async def timed(customer: SimulatedCustomer, meter: CpuMeter, samples: int) -> tuple[float, float, float]:
    """Update p50 (ms), the worker's CPU per update (ms) and the status read's p50 (ms)."""
    latencies = []
    await until_quiet(customer.handle)
    before = meter.read()
    for _ in range(samples):
        await until_quiet(customer.handle)  # what the last update set off: messages, register writes
        began = time.perf_counter()
        await customer.act(CheckpointHeld(by=customer.specialist, note="Short and sweet."))
        latencies.append((time.perf_counter() - began) * 1000)
    await until_quiet(customer.handle)
    cpu = meter.since(before)["worker"]  # over the whole pass: the CPU clock ticks every 10 ms
    reads = []
    for _ in range(samples):
        began = time.perf_counter()
        await customer.handle.query(EngagementWorkflow.standing)
        reads.append((time.perf_counter() - began) * 1000)
    return statistics.median(latencies), cpu * 1000 / samples, statistics.median(reads)


SIZES = (10, 100, 200, 400)  # KiB of state; the last on an engagement started with the largest scope and environment


async def growth(client: Client, task_queue: str, meter: CpuMeter, samples: int, report: Report,
                 sizes: tuple[int, ...] = SIZES, largest: bool = True) -> dict:
    """``largest=False`` (the smoke mode): every size on the same small engagement."""
    console.print(f"[bold]Growth[/bold]: one action and one status read at {', '.join(map(str, sizes))} KiB of state")
    small = await in_remediate(client, task_queue, make_scope(), make_environment())
    measured: dict[int, tuple[int, tuple[float, float, float]]] = {}
    for kib in sizes[:-1]:
        size = await grow_to(small, kib)
        measured[kib] = (size, await timed(small, meter, samples))
    # Started only now, so that its own messages (its scope, its checklist) are not counted above.
    large = await in_remediate(client, task_queue, make_scope(stakeholders=largest_stakeholders()),
                                   longest_environment()) if largest else small
    size = await grow_to(large, sizes[-1])
    measured[sizes[-1]] = (size, await timed(large, meter, samples))
    names = ("update p50 (a checkpoint, the engagement idle)", "worker CPU per update",
             "status read p50 (the standing query)")
    _, start = measured[sizes[0]]
    for kib, (size, figures) in measured.items():
        for name, value, at_start in zip(names, figures, start):
            last = kib == sizes[-1]
            report.add(Figure(f"at {size / 1024:,.0f} KiB: {name}", value, "ms", baseline=at_start, section="growth",
                              budget=f"≤ {GROWTH_BUDGET}× at the smallest" if last else "",
                              passed=value <= GROWTH_BUDGET * at_start if last else None,
                              note=f"grown toward {kib} KiB; baseline: the same at the smallest"))
    for customer in {id(small): small, id(large): large}.values():
        await customer.handle.terminate("benchmark finished")
    return {str(kib): {"bytes": size, "update_p50_ms": figures[0], "worker_cpu_ms": figures[1],
                       "status_p50_ms": figures[2]} for kib, (size, figures) in measured.items()}
