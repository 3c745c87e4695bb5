"""The board's list on a real dev server's visibility: nearest deadline first across
pages, spans halved while they hold more than the reader reads at once, ties and
engagements without a published deadline included, each exactly once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment

from board.visibility import BoardFilter, BoardReader, Cursor
from devstack.settings import server_limit_flags
from fasttrack.engagement.next_step import Actor, DeadlineKind, StepKind
from fasttrack.models import Phase, Region
from tests.support.scenario import require_binary
from tests.support.workflow_checks import eventually
from workflows import search_attributes as sa

NOW = datetime.now(timezone.utc).replace(microsecond=0)
PHASES = (Phase.INITIATE, Phase.ASSESS, Phase.REMEDIATE)


@pytest.fixture(scope="module")
async def visibility(tmp_path_factory):
    """A server of its own: the suite's shared one holds other tests' engagements."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(require_binary("temporal")), search_attributes=sa.ALL,
        dev_server_database_filename=str(tmp_path_factory.mktemp("board") / "temporal.db"),
        dev_server_extra_args=server_limit_flags())  # the deployment's visibility rate, as make run's
    yield env
    await env.shutdown()


def deadlines() -> list[datetime | None]:
    """Late ones, a tie of twelve in one second, a spread over the year, and five with none."""
    spread = [NOW + timedelta(days=3 * number, minutes=number) for number in range(60)]
    late = [NOW - timedelta(hours=number + 1) for number in range(8)]
    tie = [NOW + timedelta(days=40)] * 12  # bought together, in Asia-Pacific: the only ones there
    return [*late, *spread, *tie, *[None] * 5]


async def start_engagements(client) -> list[tuple[int, str]]:
    """Engagement workflows that no worker runs: what visibility holds is what the board reads."""
    expected = []
    for number, deadline in enumerate(deadlines()):
        engagement_id = f"fasttrack-intune-{uuid.uuid4()}"
        # A run from before the next step was published sorts by its 12-month window: among the others.
        onboarding = NOW + timedelta(days=365) if deadline else NOW + timedelta(days=20, hours=number)
        pairs: list[SearchAttributePair[Any]] = [SearchAttributePair(sa.PHASE, PHASES[number % 3].value),
                 SearchAttributePair(sa.TENANT_ID, engagement_id[-36:]),
                 SearchAttributePair(sa.ONBOARDING_DEADLINE, onboarding),
                 SearchAttributePair(sa.REGION, "asia_pacific" if deadline == NOW + timedelta(days=40) else "emea")]
        if deadline is not None:
            pairs += [SearchAttributePair(sa.NEXT_DEADLINE, sa.deadline_number(deadline)),
                      SearchAttributePair(sa.NEXT_DEADLINE_KIND, DeadlineKind.CALL.value),
                      SearchAttributePair(sa.ACTS_NEXT, (Actor.CUSTOMER if number % 2 else Actor.FASTTRACK).value),
                      SearchAttributePair(sa.NEXT_STEP, StepKind.COMPLETE_ITEMS.value)]
        await client.start_workflow("EngagementWorkflow", id=engagement_id, task_queue=f"nobody-{uuid.uuid4()}",
                                    search_attributes=TypedSearchAttributes(pairs),
                                    memo={"organization": f"Organization {number:03d}"})
        expected.append((sa.deadline_number(deadline or onboarding), engagement_id, number))
    return [(key, engagement_id) for key, engagement_id, _ in sorted(expected)]


async def every_page(reader: BoardReader, selection: BoardFilter, size: int) -> list[tuple[tuple, str]]:
    shown: list[tuple[tuple, str]] = []
    after: Cursor | None = None
    for _ in range(100):
        page = await reader.page(selection, after, size=size, now=NOW)
        shown += [(row.sort_key, row.engagement_id) for row in page.rows]
        if page.after is None:
            return shown
        after = Cursor.read(page.after.text())
    raise AssertionError("the pages never ended")


def in_place_order(shown: list[tuple[tuple, str]]) -> bool:
    """Nearest deadline first; among those due the same second, as visibility lists them."""
    places = [place for place, _ in shown]
    return places == sorted(places) and len(set(places)) == len(places)


async def test_pages_list_every_open_engagement_once_nearest_deadline_first(visibility):
    client = visibility.client
    expected = await start_engagements(client)
    await until_visible(client, len(expected))
    reader = BoardReader(client, read_at_most=7)  # every span of more than seven is split

    shown = await every_page(reader, BoardFilter(), size=10)
    assert sorted(engagement_id for _, engagement_id in shown) == sorted(engagement_id for _, engagement_id in expected)
    assert in_place_order(shown)
    assert [place[0] for place, _ in shown] == [number for number, _ in expected]  # deadlines, ties included

    first = await reader.page(BoardFilter(), size=10, now=NOW)
    assert first.matching == len(expected)
    assert first.rows[0].deadline is not None and first.rows[0].deadline < NOW  # the latest late one first
    assert all(row.organization and row.organization.startswith("Organization ") for row in first.rows)

    assessing = await every_page(reader, BoardFilter(phase=Phase.ASSESS), size=4)
    assert in_place_order(assessing)
    assert len(assessing) == sum(1 for number in range(len(expected)) if number % 3 == 1)

    for size in (1, 5, 11):  # a crowd due the same second, found as one and read a page at a time
        crowd = await every_page(reader, BoardFilter(region=Region.ASIA_PACIFIC), size=size)
        assert in_place_order(crowd) and len(crowd) == 12 and len({place[0] for place, _ in crowd}) == 1, size

    customers = await reader.page(BoardFilter(acts=Actor.CUSTOMER), size=200, now=NOW)
    assert {row.acts_next for row in customers.rows} == {Actor.CUSTOMER}


async def test_an_organization_is_searched_in_each_engagements_memo(visibility):
    client = visibility.client
    reader = BoardReader(client)
    page = await reader.page(BoardFilter(organization="organization 00"), size=50, now=NOW)
    assert sorted(row.organization or "" for row in page.rows) == [f"Organization {n:03d}" for n in range(10)]
    assert page.matching == 10


async def until_visible(client, count: int) -> None:
    async def all_listed() -> bool:
        return (await client.count_workflows("WorkflowType = 'EngagementWorkflow'")).count == count

    await eventually(all_listed, 30, "every engagement in visibility")
