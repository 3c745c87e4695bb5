"""The benchmark's figures: each a value, beside its baseline when it has one, and its budget."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console

console = Console(stderr=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    budget: str = ""
    passed: bool | None = None
    note: str = ""
    section: str = "figures"

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    profile: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        verdict = "" if figure.passed is None else ("PASS" if figure.passed else "OVER")
        console.print(f"  {figure.name}: {figure.value:,.2f} {figure.unit} {verdict}")


SECTIONS = {
    "figures": "What an engagement costs, beside plain Temporal",
    "levers": "Levers, each measured beside the same baseline (not budgets: what each option changes)",
    "growth": "What an action and a status read cost as the state grows (bench/growth.py)",
    "scale": "Engagements at rest",
}


def _row(figure: Figure) -> str:
    verdict = "" if figure.passed is None else ("PASS" if figure.passed else "**OVER**")
    baseline = f"{figure.baseline:,.2f} {figure.unit}" if figure.baseline is not None else ""
    ratio = f"{figure.ratio:.2f}×" if figure.ratio is not None else ""
    return (f"| {figure.name} | {figure.value:,.2f} {figure.unit} | {baseline} | {ratio} | {figure.budget} "
            f"| {verdict} | {figure.note} |")


def scale_table(figures: list[Figure]) -> list[str]:
    """The scaling rows ("500 at rest: worker RSS", …) as one table: a row per figure, a column per count."""
    counts: list[str] = []
    rows: dict[str, dict[str, str]] = {}
    for figure in figures:
        count, _, name = figure.name.partition(" at rest: ")
        if count not in counts:
            counts.append(count)
        cell = f"{figure.value:,.1f} {figure.unit}" + (f" ({figure.note})" if figure.note else "")
        rows.setdefault(name, {})[count] = cell
    lines = ["| engagements at rest | " + " | ".join(counts) + " |", "|---|" + "---|" * len(counts)]
    lines += [f"| {name} | " + " | ".join(cells.get(count, "") for count in counts) + " |"
              for name, cells in rows.items()]
    return lines


def markdown(report: Report, meta: dict) -> str:
    lines = [
        f"Benchmark of {meta['finished']} on {meta['cpus']} CPU(s) ({meta['machine']}), Python {meta['python']}, "
        f"temporalio {meta['temporalio']}, Temporal CLI {meta['temporal_cli']}; {meta['mode']}.",
    ]
    for section, title in SECTIONS.items():
        figures = [figure for figure in report.figures if figure.section == section]
        if not figures:
            continue
        lines += ["", f"### {title}", ""]
        if section == "scale":
            lines += scale_table(figures)
            continue
        lines += ["| figure | value | baseline | ratio | budget | verdict | note |", "|---|---|---|---|---|---|---|"]
        lines += [_row(figure) for figure in figures]
    if report.profile:
        lines += ["", "### Where the worker's time goes under load (py-spy, share of samples)", ""]
        lines += report.profile
    return "\n".join(lines) + "\n"
