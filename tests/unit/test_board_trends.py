"""The board's trends from the register's records, and each next step's words and command."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from board.next_steps import DEADLINES, WORDS, command
from board.trends import Trends, trends, week_start
from cli.main import app
from fasttrack.engagement.next_step import DeadlineKind, StepKind
from fasttrack.models import Phase
from register import TrendRecord

NOW = datetime(2026, 12, 9, 15, 0, tzinfo=timezone.utc)  # a Wednesday
MONDAY = datetime(2026, 12, 7, tzinfo=timezone.utc)


def record(opened: datetime, phases: list[tuple[Phase, datetime]], closed: datetime | None = None,
           contacted: datetime | None = None, breached: bool | None = None) -> TrendRecord:
    return TrendRecord(opened_at=opened, closed_at=closed, phase=phases[-1][0], contact_made_at=contacted,
                       contact_sla_breached=breached, phases=phases)


def shown(records: list[TrendRecord]) -> Trends:
    return trends(records, NOW, weeks=4)


def test_weeks_start_on_monday_utc_and_end_with_this_one():
    assert week_start(NOW) == MONDAY
    assert shown([]).weeks == [MONDAY - timedelta(weeks=3 - number) for number in range(4)]


def test_started_and_closed_count_in_their_week():
    last_week = MONDAY - timedelta(days=3)
    completed = record(last_week, [(Phase.INITIATE, last_week), (Phase.COMPLETED, NOW - timedelta(hours=1))],
                       closed=NOW - timedelta(hours=1))
    withdrawn = record(NOW - timedelta(days=1), [(Phase.INITIATE, NOW - timedelta(days=1)),
                                                 (Phase.WITHDRAWN, NOW - timedelta(hours=2))],
                       closed=NOW - timedelta(hours=2))
    ineligible = record(NOW, [(Phase.INELIGIBLE, NOW)], closed=NOW)
    result = shown([completed, withdrawn, ineligible])
    assert result.started == [0, 0, 1, 1]
    assert result.closed[Phase.COMPLETED] == [0, 0, 0, 1] and result.closed[Phase.WITHDRAWN] == [0, 0, 0, 1]
    assert result.closed[Phase.EXPIRED] == [0, 0, 0, 0]


def test_the_contact_sla_share_is_by_week_of_purchase_and_leaves_out_what_is_not_known():
    opened = MONDAY + timedelta(hours=1)
    met = record(opened, [(Phase.ASSESS, opened)], contacted=opened + timedelta(days=1), breached=False)
    missed = record(opened, [(Phase.INITIATE, opened)], breached=True)
    unknown = record(opened, [(Phase.INITIATE, opened)])
    result = shown([met, met, met, missed, unknown])
    assert (result.contact_met[-1], result.contact_missed[-1]) == (3, 1)
    assert result.contact_share == [None, None, None, 0.75]


def test_the_median_time_counts_phases_left_within_the_weeks_shown():
    start = MONDAY - timedelta(weeks=2)
    records = [record(start, [(Phase.INITIATE, start), (Phase.ASSESS, start + timedelta(days=days)),
                              (Phase.REMEDIATE, start + timedelta(days=days + 1))])
               for days in (2, 4, 9)]
    result = shown(records)
    assert result.median_days[Phase.INITIATE] == 4
    assert result.median_days[Phase.ASSESS] == 1
    assert result.median_days[Phase.REMEDIATE] is None  # not left yet


def test_open_engagements_by_phase_at_each_weeks_end():
    start = MONDAY - timedelta(weeks=2, days=-1)
    moved = record(start, [(Phase.INITIATE, start), (Phase.ASSESS, MONDAY - timedelta(days=2))])
    closed = record(start, [(Phase.INITIATE, start), (Phase.EXPIRED, MONDAY + timedelta(hours=1))],
                    closed=MONDAY + timedelta(hours=1))
    result = shown([moved, closed])
    assert result.open_by_phase[Phase.INITIATE] == [0, 2, 1, 0]
    assert result.open_by_phase[Phase.ASSESS] == [0, 0, 1, 1]


def test_every_step_and_deadline_has_words_and_a_command_the_command_line_has():
    names = {registered.name or registered.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
             for registered in app.registered_commands}
    for step in [*StepKind, None]:
        said = command(step, "fasttrack-intune-0000")
        program, name, engagement = said.split()[:3]
        assert (program, engagement) == ("fasttrack", "fasttrack-intune-0000") and name in names, said
    assert set(WORDS) == set(StepKind) and set(DEADLINES) == set(DeadlineKind)
