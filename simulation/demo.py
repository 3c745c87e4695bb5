"""`fasttrack demo`: six engagements on the running stack, with a compressed
policy (a day lasts a second by default) and a simulated customer and
FastTrack specialist, so that varied histories appear within a minute; one
waits for its customer in Remediate, whose page the demo names at the end."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime, timedelta, timezone

from rich.console import Console
from temporalio.client import Client, WorkflowHandle

from engagement_client.purchases import record_purchase
from engagement_client.settings import ClientSettings
from fasttrack.models import (
    Action,
    ActionReceipt,
    AssistanceRequested,
    CheckpointHeld,
    ContactMade,
    EnvironmentSubmitted,
    KickoffHeld,
    LinkType,
    Person,
    PlanAgreed,
    Purchase,
    Region,
    Scope,
    SourceEnvironment,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy, MdmPlatform, Plan
from simulation.customer import SimulatedCustomer
from simulation.page_links import page_link
from workflows.engagement import EngagementWorkflow

SPECIALIST = "Ana Lima (FastTrack)"


class Customer(SimulatedCustomer):
    """One demo engagement and the people who drive it, telling what they do."""

    devices = ((MdmPlatform.IOS, "iPhone-pilot-01"), (MdmPlatform.ANDROID, "Galaxy-pilot-01"))
    app = dict(platform=MdmPlatform.IOS, app_name="Expenses", link_type=LinkType.DEEP_LINK,
               link="itms-apps://itunes.apple.com/app/id1234567890")

    def __init__(self, client: Client, console: Console, day: float, name: str, handle: WorkflowHandle, admin: str):
        super().__init__(handle, admin=admin, specialist=SPECIALIST)
        self.client, self.console, self.day, self.name = client, console, day, name

    async def days(self, count: float) -> None:
        await asyncio.sleep(count * self.day)

    def say(self, message: str) -> None:
        self.console.print(f"[bold]{self.name:<10}[/bold] {message}", soft_wrap=True)

    async def act(self, action: Action) -> ActionReceipt:
        receipt = await self.execute(action)
        self.say(receipt.message)
        return receipt

    async def do(self, action: Action) -> None:
        await self.act(action)


def _scope(language: str, pm: str) -> Scope:
    return Scope.model_validate({
        "goals": ["mdm", "mam"], "identity_model": "synchronized", "mdm_authority": "intune", "language": language,
        "project_manager": {"name": pm, "given_name": pm.split()[0],
                            "email": f"{pm.split()[0].lower()}@customer.example"},
        # A compressed year ends the day it starts: a plan's target date must fall between the customer's
        # today and the window's last day (a UTC date), which east of UTC late in the day no date does.
        "time_zone": "UTC",
    })


ENVIRONMENT_WITH_GAPS = SourceEnvironment.model_validate({
    "forests": [{"name": "corp.local", "functional_level": "2003"}],
    "browsers": [{"name": "internet_explorer", "version": "9"}],
    "gaps": [{"category": "dns", "description": "Add the EnterpriseEnrollment CNAME record"}],
})


async def completes(customer: Customer, reject_first: bool, language: str, project_manager: str) -> None:
    await customer.eligibility_checked()
    await customer.days(2)
    await customer.do(ContactMade(by=SPECIALIST, note="Reached the IT lead by phone"))
    await customer.days(2)
    await customer.do(KickoffHeld(by=SPECIALIST, scope=_scope(language, project_manager)))
    await customer.days(2)
    await customer.do(EnvironmentSubmitted(by=customer.admin, environment=ENVIRONMENT_WITH_GAPS))
    await customer.days(1)
    await customer.do(PlanAgreed(by=SPECIALIST, target_date=datetime.now(timezone.utc).date()))
    await customer.remediate(pause_days=3)
    await customer.do(CheckpointHeld(by=SPECIALIST, note="All items reviewed"))
    if reject_first:
        await customer.days(1)
        first = (await customer.state()).checklist[0].id
        await customer.do(VerificationResult(
            by=SPECIALIST, approved=False, reopen_item_ids=[first], note="Forest level still 2003 on one DC"))
        await customer.remediate(pause_days=3)
    await customer.days(1)
    await customer.do(VerificationResult(by=SPECIALIST, approved=True))
    await customer.enable(pause_days=0.5)


async def withdraws(customer: Customer) -> None:
    await customer.eligibility_checked()
    await customer.days(1)
    await customer.do(AssistanceRequested(by=customer.admin))
    await customer.days(2)
    await customer.do(ContactMade(by=SPECIALIST))
    await customer.days(2)
    await customer.do(KickoffHeld(by=SPECIALIST, scope=_scope("ja", "Kenji Sato")))
    await customer.days(3)
    await customer.do(EnvironmentSubmitted(by=customer.admin, environment=ENVIRONMENT_WITH_GAPS))
    await customer.days(4)
    await customer.do(Withdrawal(by=customer.admin, reason="Budget frozen until the next fiscal year"))


async def waits_for_its_customer(customer: Customer) -> None:
    """Into Remediate, then left to the customer: their checklist mail links to their page."""
    await customer.eligibility_checked()
    await customer.do(ContactMade(by=SPECIALIST))
    await customer.do(KickoffHeld(by=SPECIALIST, scope=_scope("en", "Jordan Lee")))
    await customer.do(EnvironmentSubmitted(by=customer.admin, environment=ENVIRONMENT_WITH_GAPS))
    await customer.do(PlanAgreed(by=SPECIALIST, target_date=datetime.now(timezone.utc).date()))
    customer.say("Waits for the customer: the remediation checklist went out with the link to their page.")


async def never_answers(customer: Customer) -> None:
    while not (await customer.state()).contact_sla_breached:
        await customer.days(1)
    customer.say("No answer within the contact window: SLA breached, escalated; outreach goes on every 14 days.")


async def play(client: Client, settings: ClientSettings, day_seconds: float, console: Console) -> None:
    policy = BenefitPolicy.compressed(timedelta(seconds=day_seconds))
    now = datetime.now(timezone.utc)
    run_tag = uuid.uuid4().hex[:6].upper()
    cast = [
        ("Contoso", Region.EMEA, "FR", "fr", 400, lambda c: completes(c, False, "fr", "Camille Martin")),
        ("Fabrikam", Region.AMERICAS, "US", "en", 1200, lambda c: completes(c, True, "en", "Pat Morgan")),
        ("Northwind", Region.ASIA_PACIFIC, "JP", "ja", 300, withdraws),
        ("Tailspin", Region.EMEA, "DE", "de", 180, never_answers),
        ("Woodgrove", Region.AMERICAS, "BR", "pt-BR", 120, None),
        ("Litware", Region.AMERICAS, "CA", "en", 250, waits_for_its_customer),
    ]
    console.print(f"[bold]Demo {run_tag}[/bold]: six engagements, one day = {day_seconds:g} s.\n")
    scripts, handles = [], []
    for number, (organization, region, country, language, licenses, script) in enumerate(cast, start=1):
        purchase = Purchase(
            order_id=f"DEMO-{run_tag}-{number}",  # an id, as commerce's are: it shows in logs
            tenant_id=str(uuid.uuid4()),
            organization=f"{organization} (demo)",
            plan=Plan.EMS,
            licenses=licenses,
            new_subscription=True,
            purchased_at=now,
            customer_contact=Person(name=f"{organization} IT admin", email=f"it-admin@{organization.lower()}.example"),
            country=country,
            region=region,
            preferred_language=language,
        )
        started = await record_purchase(client, purchase, settings.task_queue, policy)
        handles.append((organization, started.handle))
        console.print(f"[bold]{organization:<10}[/bold] {started.message}")
        if script is not None:
            customer = Customer(client, console, day_seconds, organization, started.handle, f"{organization} IT admin")
            scripts.append(script(customer))
    await asyncio.gather(*scripts)

    ui = f"http://127.0.0.1:{os.environ.get('FASTTRACK_UI_PORT', '8233')}/namespaces/{client.namespace}"
    console.print("\n[bold]Where each engagement stands[/bold] (open them in the Temporal UI):")
    for organization, handle in handles:
        state = await handle.query(EngagementWorkflow.state)
        console.print(f"  {organization:<10} {state.phase.value:<10} {ui}/workflows/{handle.id}", soft_wrap=True)
    litware = dict(handles)["Litware"]
    link = await page_link(settings.data_dir / "mail", litware.id)
    if link is not None:
        console.print("\n[bold]Litware waits for its customer[/bold]: open their page, from the link that ends "
                      "their checklist mail, and mark an item done:", soft_wrap=True)
        console.print(f"  {link}", soft_wrap=True, highlight=False)
    console.print("\nTry: .venv/bin/fasttrack list · .venv/bin/fasttrack list --at-risk · "
                  ".venv/bin/fasttrack status <engagement> · .venv/bin/fasttrack report <engagement>")
