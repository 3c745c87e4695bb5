"""The board's list: open engagements, nearest deadline first, a page at a time, read
from Temporal's visibility alone (search attributes, and the memo of the rows shown).

Visibility on SQL databases cannot sort by a search attribute, so the order is found by
counting: the engagements whose next deadline falls in each span ahead (late, a day, a
week, a month …) are counted at once, and only the spans the page needs are read, halved
while one holds more than a few hundred. A page costs a handful of counts and reads a
few hundred rows at most, however many engagements are open. Engagements on runs
started before their next deadline was published (change "next-step") are sorted by their
12-month window."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import ListWorkflowExecutionsRequest
from temporalio.client import Client
from temporalio.converter import decode_typed_search_attributes
from temporalio.service import RPCError

from engagement_client.listing import ListFilter, row_risks
from fasttrack.engagement.next_step import Actor, DeadlineKind, StepKind
from fasttrack.models import Phase, Region
from fasttrack.risks import Risk
from workflows import search_attributes as sa

PAGE_SIZE = 50
READ_AT_MOST = 300  # rows read for one span: beyond it, the span is split
# The spans counted ahead of the last row shown, as offsets from now.
SPAN_EDGES = tuple(timedelta(days=days) for days in (0, 1, 7, 30, 90, 400))
RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EARLIEST = 10_000_101_000_000  # below every deadline number (year 1000)
LATEST = 99_991_231_235_959


@dataclass(frozen=True)
class BoardFilter:
    phase: Phase | None = None
    region: Region | None = None
    risk: Risk | None = None
    acts: Actor | None = None
    organization: str | None = None  # part of the name, any case: read from each row's memo (slower)

    def query(self) -> str:
        clauses = [ListFilter(phase=self.phase, region=self.region, open_only=True).queries(datetime.now(timezone.utc))[0]]
        if self.risk is not None:
            clauses.append(f"{sa.RISKS.name} = '{self.risk.value}'")
        if self.acts is not None:
            clauses.append(f"{sa.ACTS_NEXT.name} = '{self.acts.value}'")
        return " AND ".join(clauses)

    def names(self, organization: str | None) -> bool:
        return ListFilter(organization=self.organization).names(organization)


@dataclass(frozen=True)
class BoardRow:
    engagement_id: str
    tenant_id: str
    organization: str | None
    region: str | None
    phase: str
    days_in_phase: int | None
    deadline: datetime | None
    deadline_kind: DeadlineKind | None  # None: a run from before the next step was published
    acts_next: Actor | None
    next_step: StepKind | None
    risks: list[str]
    sort_key: Place = field(repr=False)
    info: WorkflowExecutionInfo = field(repr=False)


# A row's place: its next deadline's number, then, among the rows due the same second, the
# order visibility itself lists them in (the run started last first, then its run id), so
# that a crowd due the same second is read a page at a time, never all at once.
Place = tuple[int, int, str]


@dataclass(frozen=True)
class Cursor:
    """The last row shown: the next page starts after it."""

    deadline: int
    started: int  # its run's start, in nanoseconds since 1970, negated: visibility lists the latest first
    run_id: str

    @property
    def place(self) -> Place:
        return self.deadline, self.started, self.run_id

    def text(self) -> str:
        return f"{self.deadline}.{-self.started}.{self.run_id}"

    @classmethod
    def read(cls, text: str | None) -> Cursor | None:
        number, started, run_id = ((text or "").split(".", 2) + ["", ""])[:3]
        if len(text or "") > 200 or not RUN_ID.fullmatch(run_id):
            return None
        if not all(part.isascii() and part.isdigit() for part in (number, started)):
            return None
        if not EARLIEST <= int(number) <= LATEST or len(started) > 20:
            return None
        try:
            sa.deadline_moment(int(number))
        except ValueError:  # not a moment: 20271399…
            return None
        return cls(int(number), -int(started), run_id)


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    matching: int  # open engagements the filter matches (before the organization's)
    after: Cursor | None  # the next page's start, if there is one


@dataclass
class Costs:
    """What the pages read so far asked of visibility: for the benchmark's notes."""

    calls: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    rows: int = 0

    def add(self, kind: str, began: float, rows: int) -> None:
        self.calls[kind] = self.calls.get(kind, 0) + 1
        self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - began
        self.rows += rows


def _span(low: int, high: int) -> str:
    """Next deadlines in (low, high]; for runs that publish none, their 12-month window's."""
    published = f"{sa.NEXT_DEADLINE.name} > {low} AND {sa.NEXT_DEADLINE.name} <= {high}"
    return f"(({published}) OR ({_older(low, high)}))"


def _tied(number: int) -> str:
    """Next deadlines in the second ``number`` names."""
    older = (f"{sa.NEXT_DEADLINE.name} IS NULL AND {sa.ONBOARDING_DEADLINE.name} >= '{_iso(number)}' "
             f"AND {sa.ONBOARDING_DEADLINE.name} < '{_iso(number, 1)}'")
    return f"({sa.NEXT_DEADLINE.name} = {number} OR ({older}))"


def _older(low: int, high: int) -> str:
    # A moment's number is its second, truncated: (low, high] is [low + 1 s, high + 1 s).
    return (f"{sa.NEXT_DEADLINE.name} IS NULL AND {sa.ONBOARDING_DEADLINE.name} >= '{_iso(low, 1)}' "
            f"AND {sa.ONBOARDING_DEADLINE.name} < '{_iso(high, 1)}'")


def _iso(number: int, later_seconds: int = 0) -> str:
    moment = min(max(sa.deadline_moment(number), datetime(1970, 1, 1, tzinfo=timezone.utc)),
                 datetime(9999, 12, 31, tzinfo=timezone.utc))
    return f"{moment + timedelta(seconds=later_seconds):%Y-%m-%dT%H:%M:%SZ}"


class BoardReader:
    def __init__(self, client: Client, timeout: timedelta = timedelta(seconds=10),
                 read_at_most: int = READ_AT_MOST) -> None:
        self._client = client
        self._timeout = timeout
        self._read_at_most = read_at_most
        self.costs = Costs()

    async def _count(self, query: str) -> int:
        began = time.perf_counter()
        counted = (await self._client.count_workflows(query, rpc_timeout=self._timeout)).count
        self.costs.add("count", began, 0)
        return counted

    async def _read(self, query: str, limit: int | None = None) -> list[WorkflowExecutionInfo]:
        """Rows as visibility sends them, in its order: only the place is decoded before a row is
        shown. ``limit``: the first ones only."""
        began = time.perf_counter()
        rows: list[WorkflowExecutionInfo] = []
        token = b""
        while True:
            answer = await self._client.workflow_service.list_workflow_executions(
                ListWorkflowExecutionsRequest(namespace=self._client.namespace, query=query,
                                              page_size=limit or self._read_at_most, next_page_token=token),
                retry=True, timeout=self._timeout)  # throttled: tried again, as the SDK's own calls are
            rows += answer.executions
            token = answer.next_page_token
            if not token or limit:
                break
        self.costs.add("read", began, len(rows))
        return rows

    async def page(self, selection: BoardFilter, after: Cursor | None = None, size: int = PAGE_SIZE,
                   now: datetime | None = None) -> BoardPage:
        now = now or datetime.now(timezone.utc)
        base = selection.query()
        if selection.organization:
            # The name is in each engagement's memo, which visibility cannot search: every row is read.
            rows = await self._named([self._row(info, now) for info in await self._read(base)])
            rows = sorted((row for row in rows if selection.names(row.organization)), key=lambda row: row.sort_key)
            matching = len(rows)
        else:
            matching, found = await self._nearest(base, after, size + 1, now)  # one more: is there a next page?
            found.sort(key=_place)
            if after is not None:
                found = [info for info in found if _place(info) > after.place]
            rows = [self._row(info, now) for info in found[:size + 1]]
        shown = rows[:size] if selection.organization else await self._named(rows[:size])
        more = len(rows) > size
        return BoardPage(shown, matching, Cursor(*shown[-1].sort_key) if more and shown else None)

    async def _nearest(self, base: str, after: Cursor | None, wanted: int,
                       now: datetime) -> tuple[int, list[WorkflowExecutionInfo]]:
        """How many the filter matches, and at least the ``wanted`` rows after the cursor
        with the nearest deadlines, in no order."""
        found: list[WorkflowExecutionInfo] = []
        low = EARLIEST
        if after is not None:
            # The rows due the same second as the cursor's, listed after it: visibility's own order.
            started = f"{_nanoseconds_iso(-after.started)}"
            # (The cursor's own row is listed too: one more.)
            tied = await self._read(f"{base} AND {_tied(after.deadline)} AND StartTime <= '{started}'",
                                    limit=wanted + 1)
            found += [info for info in tied if _place(info) > after.place]
            low = after.deadline
        edges = [edge for edge in sorted({sa.deadline_number(now + offset) for offset in SPAN_EDGES} | {LATEST})
                 if edge > low]
        bounds = list(zip([low, *edges], edges))
        # From the start, the spans cover every engagement: their counts add up to the whole.
        whole = [] if after is None else [self._count(base)]
        *counts, = await asyncio.gather(*(self._count(f"{base} AND {_span(*span)}") for span in bounds), *whole)
        matching = sum(counts) if after is None else counts.pop()
        for (span_low, span_high), count in zip(bounds, counts):
            if len(found) >= wanted:
                break
            if count:
                found += await self._span_rows(base, span_low, span_high, count, wanted - len(found))
        return matching, found

    async def _named(self, rows: list[BoardRow]) -> list[BoardRow]:
        """The rows with their organization, from each engagement's memo (decrypted: read only for rows shown)."""
        names = await asyncio.gather(*(self._organization(row.info) for row in rows))
        return [replace(row, organization=name) for row, name in zip(rows, names)]

    async def _organization(self, info: WorkflowExecutionInfo) -> str | None:
        payload = info.memo.fields.get("organization")
        if payload is None:  # started before the memo was written
            return None
        [name] = await self._client.data_converter.decode([payload], [str])
        return name if isinstance(name, str) else None

    async def one(self, engagement_id: str, now: datetime) -> BoardRow | None:
        """The engagement's row as the list shows it; None once Temporal no longer keeps it, or closed."""
        try:
            description = await self._client.get_workflow_handle(engagement_id).describe(rpc_timeout=self._timeout)
        except RPCError:
            return None
        row = self._row(description.raw_info, now)
        return row if row.next_step is not None else None

    async def _span_rows(self, base: str, low: int, high: int, count: int,
                         wanted: int) -> list[WorkflowExecutionInfo]:
        """The ``wanted`` rows with the nearest deadlines in (low, high] (or more, never fewer),
        reading at most as many rows as the reader reads at once, but where more share one second."""
        rows: list[WorkflowExecutionInfo] = []
        pending = [(low, high, count)]  # spans still to read, nearest first
        first_span = (low, high)
        while pending and len(rows) < wanted:
            low, high, count = pending.pop(0)
            if not count:
                continue
            if count <= max(self._read_at_most, wanted - len(rows)):
                rows += await self._read(f"{base} AND {_span(low, high)}")
                continue
            if not _halvable(low, high):  # a crowd due the same second: the first, in visibility's order
                rows += await self._read(f"{base} AND {_span(low, high)}", limit=wanted - len(rows))
                continue
            if (low, high) == first_span:
                # Engagements bought together are often due the same second: if this whole span is
                # one, found with two requests rather than by splitting it some twenty times.
                second = await self._crowd_second(base, low, high, count)
                if second is not None:
                    pending.insert(0, (*second, count))
                    continue
            # Halved, one half counted and the other known from the whole: a crowd is found in a few rounds.
            first, second = _halves(low, high)
            first_count = await self._count(f"{base} AND {_span(*first)}")
            pending[0:0] = [(*first, first_count), (*second, count - first_count)]
        return rows

    async def _crowd_second(self, base: str, low: int, high: int, count: int) -> tuple[int, int] | None:
        """The one second every engagement in (low, high] is due, if there is one."""
        sample = await self._read(f"{base} AND {_span(low, high)}", limit=1)
        if not sample:
            return None
        due = _place(sample[0])[0]
        before = sa.deadline_number(sa.deadline_moment(due) - timedelta(seconds=1))
        if before < low or await self._count(f"{base} AND {_span(before, due)}") != count:
            return None
        return before, due

    @staticmethod
    def _row(info: WorkflowExecutionInfo, now: datetime) -> BoardRow:
        attributes = decode_typed_search_attributes(info.search_attributes)
        number = attributes.get(sa.NEXT_DEADLINE)
        onboarding = attributes.get(sa.ONBOARDING_DEADLINE)
        deadline = sa.deadline_moment(number) if number is not None else onboarding
        phase_since = attributes.get(sa.PHASE_SINCE)
        kind, acts, step = (attributes.get(sa.NEXT_DEADLINE_KIND), attributes.get(sa.ACTS_NEXT),
                            attributes.get(sa.NEXT_STEP))
        return BoardRow(
            engagement_id=info.execution.workflow_id,
            tenant_id=attributes.get(sa.TENANT_ID) or "",
            organization=None,
            region=attributes.get(sa.REGION),
            phase=attributes.get(sa.PHASE) or "?",
            days_in_phase=int((now - phase_since).total_seconds() // 86400) if phase_since else None,
            deadline=deadline,
            deadline_kind=_known(DeadlineKind, kind) if number is not None else
            DeadlineKind.ONBOARDING_WINDOW if onboarding else None,
            acts_next=_known(Actor, acts),
            next_step=_known(StepKind, step),
            risks=row_risks(attributes),
            sort_key=_place(info),
            info=info,
        )


def _place(info: WorkflowExecutionInfo) -> Place:
    """The row's place (``Place``), read from two attributes and the run's start alone, so that
    ordering a span decodes nothing else. A run that publishes no next deadline: its 12-month window's."""
    fields = info.search_attributes.indexed_fields
    if sa.NEXT_DEADLINE.name in fields:
        number = int(json.loads(fields[sa.NEXT_DEADLINE.name].data))
    elif sa.ONBOARDING_DEADLINE.name in fields:
        moment = re.sub(r"\.\d+", "", json.loads(fields[sa.ONBOARDING_DEADLINE.name].data))  # whole seconds
        number = sa.deadline_number(datetime.fromisoformat(moment))
    else:
        number = LATEST
    started = info.start_time.seconds * 1_000_000_000 + info.start_time.nanos
    return number, -started, info.execution.run_id


def _nanoseconds_iso(nanoseconds: int) -> str:
    seconds, fraction = divmod(nanoseconds, 1_000_000_000)
    return f"{datetime.fromtimestamp(seconds, timezone.utc):%Y-%m-%dT%H:%M:%S}.{fraction:09d}Z"


E = TypeVar("E", Actor, StepKind, DeadlineKind)


def _known(kind: type[E], value: str | None) -> E | None:
    return next((member for member in kind if member.value == value), None)


def _halvable(low: int, high: int) -> bool:
    return (sa.deadline_moment(high) - sa.deadline_moment(low)) > timedelta(seconds=1)


def _halves(low: int, high: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(low, high] as two spans of equal time; ``_halvable`` says it is more than a second."""
    start = sa.deadline_moment(low)
    middle = sa.deadline_number(start + (sa.deadline_moment(high) - start) / 2)
    return (low, middle), (middle, high)
