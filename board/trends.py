"""The board's trends, from the benefit register's records (which outlive Temporal's
retention): engagements started and closed per week, the share that met the contact
SLA, the median time in each phase, and open engagements by phase over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from statistics import median

from fasttrack.models import CLOSED_PHASES, Phase
from register import TrendRecord

WEEKS = 12
OPEN_PHASES = tuple(phase for phase in Phase if phase not in CLOSED_PHASES)
CLOSINGS = (Phase.COMPLETED, Phase.WITHDRAWN, Phase.EXPIRED)


def week_start(moment: datetime) -> datetime:
    """The Monday 00:00 UTC that starts the week of ``moment``."""
    day = moment.astimezone(timezone.utc).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Trends:
    weeks: list[datetime]  # each week's Monday, oldest first; the last is this week
    started: list[int]
    closed: dict[Phase, list[int]]  # completed, withdrawn, expired: per week
    contact_met: list[int]  # by week of purchase
    contact_missed: list[int]
    median_days: dict[Phase, float | None]  # time spent in each open phase, by engagements that left it
    open_by_phase: dict[Phase, list[int]]  # at each week's end (or now, for this week)

    @property
    def contact_share(self) -> list[float | None]:
        return [None if met + missed == 0 else met / (met + missed)
                for met, missed in zip(self.contact_met, self.contact_missed)]

    @property
    def since(self) -> datetime:
        return self.weeks[0]


def trends(records: list[TrendRecord], now: datetime, weeks: int = WEEKS) -> Trends:
    first = week_start(now) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=number) for number in range(weeks)]

    def week_of(moment: datetime | None) -> int | None:
        if moment is None or moment < first or moment > now:
            return None
        return (moment - first) // timedelta(weeks=1)

    started, met, missed = [0] * weeks, [0] * weeks, [0] * weeks
    closed = {phase: [0] * weeks for phase in CLOSINGS}
    stays: dict[Phase, list[float]] = {phase: [] for phase in OPEN_PHASES}
    for record in records:
        opened = week_of(record.opened_at)
        if opened is not None and record.phase is not Phase.INELIGIBLE:
            started[opened] += 1
            if record.contact_sla_breached is True:
                missed[opened] += 1
            elif record.contact_sla_breached is False and record.contact_made_at is not None:
                met[opened] += 1
        ended = week_of(record.closed_at)
        if ended is not None and record.phase in closed:
            closed[record.phase][ended] += 1
        for (phase, since), (_, left) in zip(record.phases, record.phases[1:]):
            if phase in stays and week_of(left) is not None:
                stays[phase].append((left - since) / timedelta(days=1))
    ends = [min(start + timedelta(weeks=1), now) for start in starts]
    return Trends(
        weeks=starts, started=started, closed=closed, contact_met=met, contact_missed=missed,
        median_days={phase: median(days) if days else None for phase, days in stays.items()},
        open_by_phase={phase: [sum(1 for record in records if _phase_at(record, end) is phase) for end in ends]
                       for phase in OPEN_PHASES},
    )


def _phase_at(record: TrendRecord, moment: datetime) -> Phase | None:
    """The open phase the record was in at ``moment``; None before it opened, once closed, or when
    the register does not know (a record older than its phase changes knows only its phase then)."""
    if record.opened_at > moment or (record.closed_at is not None and record.closed_at <= moment):
        return None
    entered = [phase for phase, since in record.phases if since <= moment]
    if not entered:
        return None
    return None if entered[-1] in CLOSED_PHASES else entered[-1]
