"""A rendered sample of every message kind, in every language, with one, two
and many of each counted thing, for reviewers and translators:
``make mail-samples`` writes them to ``build/mail-samples/<language>/``.

The checklist items and reasons come from the benefit's own rules, so the
samples carry the values a real engagement carries."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Any

from fasttrack.messages import RenderedMessage, phrase, render_message
from fasttrack.models import (
    Audience,
    Browser,
    CallKind,
    ClientOs,
    DeclaredGap,
    Forest,
    GapCategory,
    Goal,
    IdentityModel,
    MdmAuthority,
    Notification,
    NotificationKind,
    Person,
    Phrase,
    ScheduledCall,
    SourceEnvironment,
)
from fasttrack.policy import BenefitPolicy, Plan
from fasttrack.rules import assess_environment, check_eligibility, core_tasks, intune_tasks
from simulation.scenario import make_purchase, make_scope

COUNTS = (1, 2, 5)  # one, two and many outreach attempts and licenses; items and minutes: see samples()
START = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)
POLICY = BenefitPolicy()
TENANT = "0f8fad5b-d9cb-469f-a165-70867728950e"
SCOPE = make_scope(goals=[Goal.MDM], identity_model=IdentityModel.FEDERATED, mdm_authority=MdmAuthority.CONFIGMGR,
                   hybrid_configmgr=True, language="en",
                   project_manager=Person(name="Paula Martin", email="paula@contoso.example"))
ENVIRONMENT = SourceEnvironment(
    forests=[Forest(name="corp.contoso.example", functional_level="2003")],
    configmgr_version="2012 SP1",
    browsers=[Browser(name="internet_explorer", version="9")],
    client_os=[ClientOs(platform="windows_pc", version="vista"), ClientOs(platform="ios", version="6.1"),
               ClientOs(platform="android", version="3.2")],
    gaps=[DeclaredGap(category=GapCategory.DNS, description="Add the enrollment CNAME record")],
    custom_sync_rules=True,
)


# Findings the first environment cannot have at once: no forest described, a Windows PC release the
# client does not support, a PC enrolled as a mobile device, and several forests with federation.
OTHER_ENVIRONMENTS = [
    SourceEnvironment(client_os=[ClientOs(platform="windows_pc", version="xp"),
                                 ClientOs(platform="windows_pc_mdm", version="8.0"),
                                 ClientOs(platform="windows_phone", version="7.5"),
                                 ClientOs(platform="windows_rt", version="7.0"),
                                 ClientOs(platform="macos", version="10.8")],
                      configmgr_version="2012 R2 SP1", adfs_version="1.1"),
    SourceEnvironment(forests=[Forest(name="emea.contoso.example", functional_level="2012"),
                               Forest(name="apac.contoso.example", functional_level="2012")]),
]


# A policy that names no minimum for Windows Phone (the rules cannot say which version enrollment
# needs) and asks for Configuration Manager's Current Branch.
OTHER_POLICY = POLICY.model_copy(update={"minimum_configmgr_version": "current branch", "mdm_platforms": {
    platform: support for platform, support in POLICY.mdm_platforms.items() if platform != "windows_phone"}})


def checklist(environment: SourceEnvironment = ENVIRONMENT,
              policy: BenefitPolicy = POLICY) -> tuple[list[Phrase], list[Phrase]]:
    """The items and scope notes the rules find in a sample environment."""
    items, notes = assess_environment(environment, SCOPE, policy)
    lines = [(item.phrase or Phrase(text=item.description)).model_copy(update={"ref": item.id}) for item in items]
    return lines, notes


def tasks() -> list[Phrase]:
    """Every Enable task the rules plan for the sample scope, in its phase."""
    every_goal = SCOPE.model_copy(update={"goals": list(Goal)})
    # The other identity models, Intune as MDM authority and Exchange on premises plan the remaining tasks.
    others = [SCOPE.model_copy(update={"identity_model": model, "mdm_authority": MdmAuthority.INTUNE,
                                       "hybrid_configmgr": False, "exchange_on_premises": True})
              for model in (IdentityModel.CLOUD, IdentityModel.SYNCHRONIZED)]
    planned = core_tasks(SCOPE, ENVIRONMENT) + intune_tasks(every_goal)
    for scope in others:
        planned += [task for task in core_tasks(scope, ENVIRONMENT) + intune_tasks(scope)
                    if all(task.text_key != known.text_key for known in planned)]
    phase = {"core": "phases.enable_core", "intune": "phases.enable_intune"}
    return [Phrase(text=task.title, key=f"tasks.{task.text_key}", ref=task.id, label_key=phase[task.stage.value])
            for task in planned]


def reasons(licenses: int, plan: Plan = Plan.OFFICE_365_E3) -> list[Phrase]:
    purchase = make_purchase(START, tenant_id=TENANT, plan=plan, licenses=licenses, new_subscription=False,
                             customer_contact=SCOPE.project_manager)
    return check_eligibility(purchase, POLICY).reasons


def open_work(items: list[Phrase]) -> list[Phrase]:
    """What a closing or a deadline lists: items in Remediate, the verification, the phases to come."""
    return ([item.model_copy(update={"label_key": "phases.remediate"}) for item in items]
            + [phrase("work.verification", label_key="phases.remediate")]
            + [phrase("work.not_started", label_key=f"phases.{stage}") for stage in ("enable_core", "enable_intune")])


def notification(kind: NotificationKind, language: str, **changes) -> Notification:
    values: dict[str, Any] = dict(
        engagement_id="fasttrack-intune-sample", kind=kind, key=f"ORD-1/{kind.value}/1", audience=Audience.CUSTOMER,
        to=["paula@contoso.example"], recipient_name="Paula Martin", recipient_given_name="Paula", language=language,
        time_zone="Europe/Paris", country="FR", send_at=START, summary="sample",
    )
    values.update(changes)
    if values.get("call") is not None:
        values["moments"] = {**values.get("moments", {}), "call_start": values["call"].start}
    values["facts"] = {"tenant_id": TENANT, "organization": "Contoso",
                       **changes.get("facts", {})}
    return Notification(**values)


def call(kind: CallKind, minutes: int = 30) -> ScheduledCall:
    return ScheduledCall(kind=kind, number=1 if kind is CallKind.KICKOFF else 2, uid=f"{kind.value}@sample",
                         start=START, end=START + timedelta(minutes=minutes))


def samples(language: str) -> list[tuple[str, Notification]]:
    """Every message kind in each of its cases, with 1, 2 and many counted things."""
    items, notes = checklist()
    moments = {"contact_deadline": START, "since": START, "deadline": START}
    out: list[tuple[str, Notification]] = []

    def add(name: str, kind: NotificationKind, **changes) -> None:
        out.append((name, notification(kind, language, moments=moments, **changes)))

    add("outreach", NotificationKind.OUTREACH, facts={"attempt": "1"})
    add("outreach, the contact's given name unknown", NotificationKind.OUTREACH, facts={"attempt": "1"},
        recipient_given_name=None)
    if language == "en":  # dates as the customer's country writes them: a customer in London
        add("outreach, a customer in London", NotificationKind.OUTREACH, facts={"attempt": "1"}, country="GB",
            time_zone="Europe/London")
        add("kickoff invitation, a customer in London", NotificationKind.KICKOFF_INVITATION,
            call=call(CallKind.KICKOFF), country="GB", time_zone="Europe/London")
    add("outreach after the contact window", NotificationKind.OUTREACH, facts={"after_window": "yes"})
    for count in COUNTS:
        add(f"contact escalation, {count} attempt(s)", NotificationKind.CONTACT_ESCALATION,
            audience=Audience.FASTTRACK_MANAGER, recipient_name=None, facts={"outreach_attempts": str(count)})
    for minutes in (1, 2, 30):
        add(f"kickoff invitation, {minutes} minute(s)", NotificationKind.KICKOFF_INVITATION,
            call=call(CallKind.KICKOFF, minutes))
    add("kickoff invitation, moved", NotificationKind.KICKOFF_INVITATION, call=call(CallKind.KICKOFF),
        facts={"updated": "yes"})
    add("kickoff summary", NotificationKind.KICKOFF_SUMMARY, facts={"project_manager": "Paula Martin"})
    for count in (1, 2, len(items)):  # many: every item the rules found, and the customer's own words
        chosen = items[:count]
        add(f"remediation checklist, {count} item(s)", NotificationKind.REMEDIATION_CHECKLIST,
            facts={"item_count": str(count)}, lines=chosen + notes)
        add(f"checkpoint invitation, {count} open item(s)", NotificationKind.CHECKPOINT_INVITATION,
            call=call(CallKind.CHECKPOINT), facts={"number": "2"}, lines=chosen)
        add(f"remediation stalled, {count} open item(s)", NotificationKind.REMEDIATION_STALLED, lines=chosen)
        if language == "en" and count == 1:
            add("remediation stalled, a customer in London", NotificationKind.REMEDIATION_STALLED, lines=chosen,
                country="GB", time_zone="Europe/London")
        add(f"stall escalation, {count} open item(s)", NotificationKind.STALL_ESCALATION,
            audience=Audience.FASTTRACK_MANAGER, recipient_name=None, lines=chosen)
        add(f"verification rejected, {count} reopened item(s)", NotificationKind.VERIFICATION_REJECTED,
            lines=chosen, facts={"note": ""})
    # Under both policies, for both sentences of Configuration Manager's minimum: a version, or its Current Branch.
    others = [(OTHER_ENVIRONMENTS[0], OTHER_POLICY), (OTHER_ENVIRONMENTS[1], OTHER_POLICY), (OTHER_ENVIRONMENTS[1], POLICY)]
    for number, (environment, policy) in enumerate(others, start=2):
        found, scope_notes = checklist(environment, policy)
        add(f"remediation checklist, other findings {number}", NotificationKind.REMEDIATION_CHECKLIST,
            facts={"item_count": str(len(found))}, lines=found + scope_notes)
    add("checkpoint invitation, moved", NotificationKind.CHECKPOINT_INVITATION, call=call(CallKind.CHECKPOINT),
        facts={"number": "2", "updated": "yes"}, lines=items[:2])
    add("call cancelled, to the invited team's address", NotificationKind.CALL_CANCELLED,
        call=call(CallKind.CHECKPOINT), facts={"number": "2", "call": "checkpoint", "because": "engagement_closed"},
        to=["it-team@contoso.example"], recipient_name=None, recipient_given_name=None)
    for because in ("kickoff_held", "remediation_done", "engagement_closed", ""):
        kind = CallKind.KICKOFF if because == "kickoff_held" else CallKind.CHECKPOINT
        add(f"call cancelled ({because or 'reason not recorded'})", NotificationKind.CALL_CANCELLED, call=call(kind),
            facts={"number": "2", "call": kind.value, "because": because})
    add("deadline escalation", NotificationKind.DEADLINE_ESCALATION, audience=Audience.FASTTRACK_MANAGER,
        recipient_name=None, lines=open_work(items[:2]))
    add("engagement closed: completed", NotificationKind.ENGAGEMENT_CLOSED, facts={"outcome": "completed"},
        attachment_markdown="# Report")
    add("engagement closed: expired", NotificationKind.ENGAGEMENT_CLOSED, facts={"outcome": "expired"},
        lines=open_work(items[:1]), attachment_markdown="# Report")
    initiate = [phrase(f"work.{work}", label_key="phases.initiate") for work in ("contact", "kickoff")]
    initiate += [phrase("work.not_started", label_key=f"phases.{stage}") for stage in ("assess", "remediate")]
    add("engagement closed: expired in Initiate", NotificationKind.ENGAGEMENT_CLOSED, facts={"outcome": "expired"},
        lines=[phrase("reasons.window_ended")] + initiate, attachment_markdown="# Report")
    assess = [phrase("work.environment", label_key="phases.assess"), phrase("work.plan", label_key="phases.assess")]
    add("deadline escalation in Assess", NotificationKind.DEADLINE_ESCALATION, audience=Audience.FASTTRACK_MANAGER,
        recipient_name=None, lines=assess)
    add("engagement closed: expired in Assess", NotificationKind.ENGAGEMENT_CLOSED, facts={"outcome": "expired"},
        lines=assess, attachment_markdown="# Report")
    add("deadline escalation in Initiate", NotificationKind.DEADLINE_ESCALATION,
        audience=Audience.FASTTRACK_MANAGER, recipient_name=None, lines=initiate[:2])
    add("deadline escalation in Enable", NotificationKind.DEADLINE_ESCALATION, audience=Audience.FASTTRACK_MANAGER,
        recipient_name=None, lines=tasks())
    add("engagement closed: withdrawn", NotificationKind.ENGAGEMENT_CLOSED, facts={"outcome": "withdrawn"},
        lines=[Phrase(text="Project postponed to next year")], attachment_markdown="# Report")
    for licenses in COUNTS:
        add(f"engagement closed: ineligible, {licenses} license(s)", NotificationKind.ENGAGEMENT_CLOSED,
            facts={"outcome": "ineligible"}, attachment_markdown="# Report",
            lines=reasons(licenses, Plan.AZURE_AD_PREMIUM if licenses == 2 else Plan.OFFICE_365_E3))
    return out


def write(folder: Path, languages: list[str]) -> list[Path]:
    written = []
    for language in languages:
        by_kind: dict[str, list[tuple[str, RenderedMessage]]] = {}
        for name, sample in samples(language):
            by_kind.setdefault(sample.kind.value, []).append((name, render_message(sample)))
        target = folder / language
        target.mkdir(parents=True, exist_ok=True)
        for kind, rendered in by_kind.items():
            text = "\n\n".join(f"### {name}\nSubject: {message.subject}\n"
                               + (f"Event: {message.event_title}\n" if message.event_title else "")
                               + f"\n{message.text}" for name, message in rendered)
            html = "\n<hr>\n".join(f"<h3>{escape(name)} — {escape(message.subject)}</h3>\n{message.html}"
                                   for name, message in rendered)
            for path, content in ((target / f"{kind}.txt", text), (target / f"{kind}.html", html)):
                path.write_text(content, encoding="utf-8")
                written.append(path)
    return written


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "build/mail-samples")
    written = write(folder, POLICY.languages)
    print(f"Wrote {len(written)} files: {len(NotificationKind)} message kinds in {len(POLICY.languages)} languages, "
          f"as text and HTML, to {folder}/")


if __name__ == "__main__":
    main()
