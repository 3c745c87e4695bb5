"""The board's pages: autoescaped templates, no script, no inline style. In English,
the FastTrack team's working language, as the command line and the Temporal UI are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from board.access import Reader
from board.next_steps import ACTORS, DEADLINES, WORDS, command
from board.settings import BoardSettings
from board.trends import CLOSINGS, OPEN_PHASES, Trends
from board.visibility import BoardFilter, BoardPage, BoardRow
from engagement_client.counts import RISKS
from fasttrack.business_time import zone
from fasttrack.engagement.next_step import Actor
from fasttrack.models import EngagementState, ItemStatus, Phase, Region
from fasttrack.risks import Risk, risks
from register import ClosedRecord

TEMPLATES = Path(__file__).parent / "templates"


def utc(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def local(moment: datetime | None, time_zone: str) -> str:
    return "—" if moment is None else f"{moment.astimezone(zone(time_zone)):%Y-%m-%d %H:%M}"


def days_from(moment: datetime, now: datetime) -> str:
    """How far a deadline is, or how late: in days, or hours and minutes within a day."""
    seconds = (moment - now).total_seconds()
    return f"in {span(seconds)}" if seconds >= 0 else f"{span(-seconds)} late"


def span(seconds: float) -> str:
    if seconds >= 86400:
        return f"{int(seconds // 86400)} d"
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 60)} min"


def duration(days: float | None) -> str:
    return "—" if days is None else f"{days:.1f} d" if days >= 1 else span(days * 86400)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def status_facts(state: EngagementState, opened: datetime | None, now: datetime) -> list[tuple[str, str]]:
    """What `fasttrack status` says at the top of an engagement, in the same order."""
    purchase, tz = state.purchase, state.time_zone
    facts = [
        ("Engagement", state.engagement_id),
        ("Customer", f"{purchase.organization or '—'} (tenant {state.tenant_id}, {purchase.region.value})"),
        ("Language, time zone", f"{state.language}, {state.time_zone}"
         + (" (assumed: set it at the kickoff)" if state.time_zone_assumed else "")),
        ("Purchase", f"{purchase.licenses} × {purchase.plan.value}, order {purchase.order_id}"),
        ("Phase", f"{state.phase.value} since {local(state.phase_since, tz)}"),
    ]
    if state.outcome is not None:
        facts.append(("Outcome", f"{state.outcome.status.value} on {local(state.outcome.at, tz)}"))
        facts += [("", reason) for reason in state.outcome.reasons]
    else:
        if state.contact_made_at is None:
            facts.append(("Contact window", f"ends {local(state.contact_deadline, tz)} "
                                            f"({days_from(state.contact_deadline, now)})"))
        facts.append(("Onboarding window", f"ends {local(state.onboarding_deadline, tz)} "
                                           f"({days_from(state.onboarding_deadline, now)})"))
        if state.next_reminder is not None:
            facts.append(("Next reminder", f"{state.next_reminder.summary} — {local(state.next_reminder.at, tz)}"))
    raised = [f"{state.signals_refused} signal(s) refused (see the timeline)" if risk is Risk.SIGNALS_REFUSED
              else risk.label for risk in risks(state, even_when_closed=True)]
    if state.delivery_failures:
        raised.append(f"{len(state.delivery_failures)} message(s) not delivered")
    facts.append(("Risk", ", ".join(raised) or "none"))
    facts.append(("Contact", f"made {local(state.contact_made_at, tz)} · assistance requested "
                             f"{local(state.assistance_requested_at, tz)} · {state.outreach_sent} outreach attempt(s) sent"))
    facts.append(("Customer page", f"last opened {local(opened, tz)}" if opened else "never opened"))
    return facts


class Rendering:
    def __init__(self, settings: BoardSettings) -> None:
        self.settings = settings
        self.environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
        self.environment.globals.update(utc=utc, local=local, days_from=days_from, duration=duration, words=WORDS, deadlines=DEADLINES,
                                        actors=ACTORS, command=command, ItemStatus=ItemStatus)

    def _page(self, template: str, **values: object) -> str:
        return self.environment.get_template(template).render(**values)

    def sign_in(self, csrf_token: str, refused: str | None, then: str) -> str:
        return self._page("sign_in.html.j2", reader=None, csrf_token=csrf_token, refused=refused, then=then,
                          proxy=self.settings.board_proxy_user_header)

    def notice(self, title: str, body: str) -> str:
        return self._page("notice.html.j2", reader=None, title=title, body=body, csrf_token="")

    def listing(self, reader: Reader, page: BoardPage, selection: BoardFilter, by_phase: dict[str, int],
                at_risk: dict[str, int], now: datetime, csrf_token: str, after: str | None,
                refused: str | None = None) -> str:
        filters = {name: value for name, value in (
            ("phase", selection.phase), ("region", selection.region), ("risk", selection.risk),
            ("acts", selection.acts)) if value is not None}
        next_page = None
        if page.after is not None and not selection.organization:
            next_page = "/board?" + urlencode({**{name: value.value for name, value in filters.items()},
                                               "after": page.after.text()})
        return self._page(
            "list.html.j2", reader=reader, page=page, rows=page.rows, selection=selection, now=now, refused=refused,
            csrf_token=csrf_token, next_page=next_page, later_page=after is not None,
            by_phase=[(phase, by_phase.get(phase.value, 0)) for phase in Phase],
            at_risk=[(Risk(key.replace("_", "-")).label, key, at_risk.get(key, 0)) for key in RISKS],
            choices={
                "phase": [Choice(phase.value, phase.value) for phase in OPEN_PHASES],
                "region": [Choice(region.value, region.value) for region in Region],
                "risk": [Choice(risk.value, risk.label) for risk in Risk],
                "acts": [Choice(actor.value, ACTORS[actor]) for actor in Actor],
            },
            chosen={name: value.value for name, value in filters.items()},
        )

    def engagement(self, reader: Reader, state: EngagementState, row: BoardRow | None, opened: datetime | None,
                   now: datetime, csrf_token: str) -> str:
        history = (f"{self.settings.temporal_ui_url.rstrip('/')}/namespaces/{self.settings.temporal_namespace}"
                   f"/workflows/{state.engagement_id}")
        return self._page("engagement.html.j2", reader=reader, state=state, facts=status_facts(state, opened, now),
                          row=row, now=now, history=history, csrf_token=csrf_token)

    def trends(self, reader: Reader, shown: Trends, closed: list[ClosedRecord], now: datetime,
               csrf_token: str) -> str:
        return self._page("trends.html.j2", reader=reader, trends=shown, closed=closed, now=now,
                          csrf_token=csrf_token, closings=CLOSINGS, open_phases=OPEN_PHASES,
                          labels=[f"{week:%Y-%m-%d}" for week in shown.weeks])
