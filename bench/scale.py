"""Engagements at rest: started, checked for eligibility, then waiting in Initiate
(the first outreach is a week on). What they cost the worker, the server and the
queries operators run, and how long one takes to wake when it is not cached."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from temporalio.client import Client

from bench.baseline import BASELINE_TASK_QUEUE, BaselineWorkflow
from bench.cpu import cpu_seconds
from bench.report import Figure, Report, console, percentile
from bench.stack import TASK_QUEUE, Stack
from board.access import Reader
from board.rendering import Rendering
from board.settings import BoardSettings
from board.visibility import BoardFilter, BoardReader
from engagement_client.counts import engagement_counts
from engagement_client.listing import ListFilter
from engagement_client.purchases import record_purchase
from fasttrack.models import Phase
from fasttrack.policy import BenefitPolicy
from simulation.scenario import make_purchase
from workflows.engagement import EngagementWorkflow

MEMORY_BUDGET_KIB = 100
BOARD_BUDGET_MS = 300  # the board's list at 5,000 open engagements, p50
WAITING = ListFilter(phase=Phase.INITIATE)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def database_mib(stack: Stack) -> float:
    files = [stack.database, stack.database.with_name(stack.database.name + "-wal")]
    return sum(path.stat().st_size for path in files if path.exists()) / 2**20


async def start(client: Client, count: int, blocks: int = 5) -> tuple[list[float], list]:
    """Starts ``count`` engagements in blocks; the start rate of each block, and the handles."""
    # No business hours: the welcome message goes at once, whatever the hour of the run.
    policy = BenefitPolicy(outreach_offsets=[timedelta(days=7), timedelta(days=14)], business_hours=None)
    now, gate, handles, rates = datetime.now(timezone.utc), asyncio.Semaphore(50), [], []
    block = max(1, count // blocks)

    async def one() -> None:
        async with gate:
            handles.append((await record_purchase(client, make_purchase(now), TASK_QUEUE, policy)).handle)

    for first in range(0, count, block):
        began = time.perf_counter()
        size = min(count, first + block) - first
        await asyncio.gather(*(one() for _ in range(size)))
        rates.append(size / (time.perf_counter() - began))
        console.print(f"  started {first + size:,} ({rates[-1]:.0f}/s)")
    return rates, handles


async def all_waiting(client: Client, count: int, timeout: float) -> int:
    [query] = WAITING.queries(datetime.now(timezone.utc))
    deadline = time.monotonic() + timeout
    while True:
        waiting = (await client.count_workflows(query)).count
        if waiting >= count or time.monotonic() > deadline:
            return waiting
        await asyncio.sleep(1)


async def until_worker_settles(stack: Stack, settle: float = 2.0, timeout: float = 120) -> None:
    """Until the worker's CPU time stops growing: the engagements have done what they do on starting."""
    assert stack.worker is not None
    deadline, last = time.monotonic() + timeout, cpu_seconds(stack.worker.pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(settle)
        now = cpu_seconds(stack.worker.pid)
        if now - last < settle * 0.05:  # under 5% of one CPU
            return
        last = now


async def query_times(client: Client, queries: list[str], samples: int = 10) -> list[float]:
    """Each sample: a count and the first 100 of every query that makes the list."""
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        for query in queries:
            await client.count_workflows(query)
            async for _execution in client.list_workflows(query, limit=100):
                pass
        timings.append((time.perf_counter() - began) * 1000)
    return timings


async def board_times(client: Client, samples: int = 10) -> tuple[list[float], list[float]]:
    """What the board's list does for one page, in process: the page's rows and the counts
    read at once, then the page rendered; the first page, then the one after it."""
    reader, rendering = BoardReader(client), Rendering(BoardSettings())
    someone = Reader("bench", "read_only", by_session=False)

    async def one(after=None) -> tuple[float, object]:
        began = time.perf_counter()
        now = datetime.now(timezone.utc)
        page, (by_phase, at_risk) = await asyncio.gather(reader.page(BoardFilter(), after, now=now),
                                                         engagement_counts(client, timedelta(seconds=10)))
        rendering.listing(someone, page, BoardFilter(), by_phase, at_risk, now, "token", None)
        return (time.perf_counter() - began) * 1000, page.after

    first, following = [], []
    for _ in range(samples):
        elapsed, after = await one()
        first.append(elapsed)
        if after is not None:
            following.append((await one(after))[0])
    costs = reader.costs
    console.print(f"  board: {costs.calls} calls, {costs.rows} rows read, seconds "
                  f"{ {kind: round(seconds, 2) for kind, seconds in costs.seconds.items()} } over {samples} rounds")
    return first, following


async def wake_times(handles: list, samples: int = 10) -> list[float]:
    """Queries to the engagements started first: with the cache bounded, they were evicted and replay to answer."""
    timings = []
    for handle in handles[:samples]:
        began = time.perf_counter()
        await handle.query(EngagementWorkflow.state)
        timings.append((time.perf_counter() - began) * 1000)
    return timings


async def baseline_at_rest(client: Client, stack: Stack, count: int) -> float:
    """KiB of worker memory per cached baseline workflow: one no-op activity, then waiting for an update."""
    assert stack.worker is not None
    before, gate = rss_kib(stack.worker.pid), asyncio.Semaphore(50)

    async def one(number: int) -> None:
        async with gate:
            await client.start_workflow(BaselineWorkflow.run, args=[1, 1], id=f"baseline-at-rest-{number}",
                                        task_queue=BASELINE_TASK_QUEUE)

    await asyncio.gather(*(one(number) for number in range(count)))
    await until_worker_settles(stack)
    return (rss_kib(stack.worker.pid) - before) / count


async def at_rest(client: Client, stack: Stack, count: int, report: Report, section: str = "figures",
                  label: str = "") -> dict:
    """The engagements' cost at rest; with ``label``, the rows of the scaling table."""
    console.print(f"[bold]Engagements at rest[/bold]: {count:,} started, then waiting in Initiate")
    assert stack.worker is not None
    baseline_kib = None if label else await baseline_at_rest(client, stack, min(count, 1000))
    rss_before = rss_kib(stack.worker.pid)
    rates, handles = await start(client, count)
    waiting = await all_waiting(client, count, timeout=max(600, count / 5))
    await until_worker_settles(stack)
    rss_after = rss_kib(stack.worker.pid)
    now = datetime.now(timezone.utc)
    by_phase = await query_times(client, WAITING.queries(now))
    at_risk = await query_times(client, ListFilter(at_risk=True).queries(now))
    board_first, board_next = await board_times(client)
    wake = await wake_times(handles)
    prefix = f"{label}: " if label else ""
    per_engagement = (rss_after - rss_before) / count
    cached = min(count, stack.cache)
    if not label:
        memory = (rss_after - rss_before) / cached
        report.add(Figure("worker memory per cached engagement", memory, "KiB", baseline=baseline_kib,
                          budget=f"≤ {MEMORY_BUDGET_KIB} KiB", passed=memory <= MEMORY_BUDGET_KIB,
                          note=f"RSS {rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB for {cached:,} cached; "
                               f"baseline: a cached workflow waiting for an update, after one activity"))
    report.add(Figure(f"{prefix}start rate, first block", rates[0], "/s", section=section))
    report.add(Figure(f"{prefix}start rate, last block", rates[-1], "/s", section=section,
                      note=f"{rates[-1] / rates[0]:.0%} of the first"))
    report.add(Figure(f"{prefix}visibility query by phase (count + first 100), p50", percentile(by_phase, 0.5), "ms",
                      section=section, note=f"p99 {percentile(by_phase, 0.99):.0f} ms over {waiting:,} waiting"))
    report.add(Figure(f"{prefix}visibility query --at-risk (count + first 100), p50", percentile(at_risk, 0.5), "ms",
                      section=section, note=f"p99 {percentile(at_risk, 0.99):.0f} ms"))
    board_p50 = percentile(board_first, 0.5)
    report.add(Figure(f"{prefix}board list, first page of 50 (rows and counts), p50", board_p50, "ms", section=section,
                      budget=f"< {BOARD_BUDGET_MS} ms at 5,000" if count == 5000 else "",
                      passed=board_p50 < BOARD_BUDGET_MS if count == 5000 else None,
                      note=f"p99 {percentile(board_first, 0.99):.0f} ms; the next page p50 "
                           f"{percentile(board_next, 0.5):.0f} ms" if board_next else
                           f"p99 {percentile(board_first, 0.99):.0f} ms"))
    report.add(Figure(f"{prefix}worker RSS", rss_after / 1024, "MiB", section=section,
                      note=f"cache bounded at {stack.cache:,}; {per_engagement:.0f} KiB per engagement started"))
    database = database_mib(stack)
    report.add(Figure(f"{prefix}server database", database, "MiB", section=section,
                      note="SQLite file and its write-ahead log"))
    evicted = count > stack.cache
    report.add(Figure(f"{prefix}wake an engagement (a query), p50", percentile(wake, 0.5), "ms", section=section,
                      note=("evicted, so replayed" if evicted else "cached") + f"; p99 {percentile(wake, 0.99):.0f} ms"))
    return {"count": count, "waiting": waiting, "rss_before_kib": rss_before, "rss_after_kib": rss_after,
            "start_rates": rates, "by_phase_ms": by_phase, "at_risk_ms": at_risk, "wake_ms": wake,
            "board_first_page_ms": board_first, "board_next_page_ms": board_next,
            "database_mib": database, "cache": stack.cache}
