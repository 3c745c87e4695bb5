"""How much the worker's /metrics asks Temporal's visibility: every count at the first
scrape, at most three at each scrape after (deploy/temporal/dynamicconfig.yaml gives the
rate the namespace allows), and still every phase and risk under the same names."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import httpx
from prometheus_client.parser import text_string_to_metric_families

from engagement_client.counts import RISKS, engagement_counts
from fasttrack.models import Phase
from register import Register
from workers.observability import COUNTS_PER_SCRAPE, QUESTIONS, EngagementGauges, create_app


@dataclass
class Answer:
    count: int


class Visibility:
    """Stands in for the client: answers each count query from ``counts``, remembering every question."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.counts: dict[str, int] = {query: number for number, query in enumerate(QUESTIONS.values(), start=1)}
        self.down = False

    async def count_workflows(self, query: str, rpc_timeout: timedelta | None = None) -> Answer:
        self.asked.append(query)
        if self.down:
            raise RuntimeError("visibility is down")
        return Answer(self.counts[query])

    def take(self) -> list[str]:
        asked, self.asked = self.asked, []
        return asked


def client(visibility: Visibility) -> Any:
    return cast(Any, visibility)


async def test_the_first_refresh_reads_every_count_and_each_later_one_at_most_three():
    visibility, gauges = Visibility(), EngagementGauges()
    await gauges.refresh(client(visibility), at_most=COUNTS_PER_SCRAPE)
    assert Counter(visibility.take()) == Counter(QUESTIONS.values())  # each once
    assert set(gauges.by_phase) == {phase.value for phase in Phase} and set(gauges.at_risk) == set(RISKS)

    rounds = math.ceil(len(QUESTIONS) / COUNTS_PER_SCRAPE)
    asked = []
    for _ in range(rounds):
        await gauges.refresh(client(visibility), at_most=COUNTS_PER_SCRAPE)
        this_scrape = visibility.take()
        assert len(this_scrape) == COUNTS_PER_SCRAPE == 3
        asked += this_scrape
    assert set(asked) == set(QUESTIONS.values())  # every count read again within five scrapes


async def test_a_changed_count_shows_within_five_scrapes_and_the_others_keep_their_values():
    visibility, gauges = Visibility(), EngagementGauges()
    await gauges.refresh(client(visibility), at_most=COUNTS_PER_SCRAPE)
    remediate = QUESTIONS[("phase", Phase.REMEDIATE.value)]
    visibility.counts[remediate] = 99
    for _ in range(math.ceil(len(QUESTIONS) / COUNTS_PER_SCRAPE)):
        await gauges.refresh(client(visibility), at_most=COUNTS_PER_SCRAPE)
    assert gauges.by_phase[Phase.REMEDIATE.value] == 99
    assert {**gauges.by_phase, **gauges.at_risk} == {
        label: visibility.counts[query] for (_, label), query in QUESTIONS.items()}


async def test_without_a_limit_a_refresh_reads_every_count():
    visibility, gauges = Visibility(), EngagementGauges()
    for _ in range(2):
        await gauges.refresh(client(visibility))
        assert Counter(visibility.take()) == Counter(QUESTIONS.values())


async def test_when_visibility_fails_the_counts_are_kept_and_marked_down():
    visibility, gauges = Visibility(), EngagementGauges()
    await gauges.refresh(client(visibility), at_most=COUNTS_PER_SCRAPE)
    before = (dict(gauges.by_phase), dict(gauges.at_risk))
    visibility.down = True
    await gauges.refresh(client(visibility), at_most=COUNTS_PER_SCRAPE)
    assert gauges.visibility_up == 0 and (gauges.by_phase, gauges.at_risk) == before
    failed = visibility.take()[-COUNTS_PER_SCRAPE:]
    visibility.down = False
    await gauges.refresh(client(visibility), at_most=COUNTS_PER_SCRAPE)
    assert gauges.visibility_up == 1
    assert visibility.take() == failed  # the counts not read are the stalest still


async def test_the_gauges_ask_the_board_s_questions():
    """The board's summary and /metrics count with the same queries, so they agree once read."""
    visibility = Visibility()
    await engagement_counts(client(visibility), timedelta(seconds=5))
    assert sorted(visibility.take()) == sorted(QUESTIONS.values())


async def test_each_metrics_scrape_asks_at_most_three_counts_and_serves_every_phase_and_risk():
    visibility = Visibility()
    app = create_app(client(visibility), cast(Register, None), lambda: True, "127.0.0.1:1")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as http:
        for scrape in range(8):
            answer = await http.get("/metrics")
            assert answer.status_code == 200
            asked = len(visibility.take())
            assert asked == (len(QUESTIONS) if scrape == 0 else COUNTS_PER_SCRAPE), scrape
            families = {family.name: family for family in text_string_to_metric_families(answer.text)}
            phases = {sample.labels["phase"] for sample in families["fasttrack_engagements"].samples}
            risks = {sample.labels["risk"] for sample in families["fasttrack_open_engagements_at_risk"].samples}
            assert phases == {phase.value for phase in Phase} and risks == set(RISKS)
            assert families["fasttrack_visibility_up"].samples[0].value == 1
