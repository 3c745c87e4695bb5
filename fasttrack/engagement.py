"""The engagement as a pure state machine.

``EngagementWorkflow`` owns the clock and the side effects; this class owns the
rules. Every action has a check (raises ``ActionRejected`` with a sentence a
person understands, and changes nothing) and an apply (runs the check, then
changes state). Timers are derived from the state (``next_reminder``) and fired
by ``advance_clock``. Messages wait in ``scheduled_messages`` (a customer's for
their business hours) until the workflow hands them to the notifier activity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fasttrack.business_time import default_time_zone, next_business_moment, within_business_hours, zone
from fasttrack.messages import lookup, phrase
from fasttrack.models import (
    Action,
    ActionReceipt,
    AppSelected,
    AssistanceRequested,
    Audience,
    CallKind,
    CallRescheduled,
    ChecklistItem,
    CheckpointHeld,
    ContactMade,
    DeviceEnrolled,
    EligibilityVerdict,
    EnableTask,
    EngagementInput,
    EngagementResult,
    EngagementState,
    EnrolledDevice,
    EnvironmentSubmitted,
    Goal,
    ItemStatus,
    KickoffHeld,
    LinkType,
    Notification,
    NotificationKind,
    Outcome,
    Phase,
    Phrase,
    PlanAgreed,
    Purchase,
    RemediationItemDone,
    RemediationPlan,
    Reminder,
    ScheduledCall,
    SelectedApp,
    TaskDone,
    TaskNeeds,
    TaskStage,
    TimelineEvent,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy, OnboardingAnchor
from fasttrack.report import engagement_report
from fasttrack.rules import assess_environment, core_tasks, intune_tasks, scope_problems

ORCHESTRATOR = "fasttrack-orchestrator"
COMMERCE = "commerce"


class ActionRejected(ValueError):
    """An action that the rules do not allow now; the message is for a person."""


def engagement_id_for(tenant_id: str) -> str:
    """One engagement per tenant for the Intune benefit (R4)."""
    return f"fasttrack-intune-{tenant_id.strip().lower()}"


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


class Engagement:
    def __init__(self, state: EngagementState, policy: BenefitPolicy) -> None:
        self.state = state
        self.policy = policy
        # Behaviour added while engagements were running; the workflow turns it on
        # through workflow.patched, so those started before replay as they ran.
        self.keeps_messages_current = True
        self._actions: dict[type[Action], tuple[Callable[[Any, datetime], None], Callable[[Any, datetime], str]]] = {
            ContactMade: (self._check_contact, self._apply_contact),
            AssistanceRequested: (self._check_assistance, self._apply_assistance),
            KickoffHeld: (self._check_kickoff, self._apply_kickoff),
            EnvironmentSubmitted: (self._check_environment, self._apply_environment),
            PlanAgreed: (self._check_plan, self._apply_plan),
            RemediationItemDone: (self._check_item_done, self._apply_item_done),
            CheckpointHeld: (self._check_checkpoint, self._apply_checkpoint),
            VerificationResult: (self._check_verification, self._apply_verification),
            TaskDone: (self._check_task, self._apply_task),
            DeviceEnrolled: (self._check_device, self._apply_device),
            AppSelected: (self._check_app, self._apply_app),
            Withdrawal: (self._check_withdrawal, self._apply_withdrawal),
            CallRescheduled: (self._check_reschedule, self._apply_reschedule),
        }

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, engagement_input: EngagementInput, engagement_id: str, now: datetime) -> Engagement:
        purchase, policy = engagement_input.purchase, engagement_input.policy
        language = purchase.preferred_language
        if language not in policy.languages:
            language = policy.default_language
        time_zone = purchase.time_zone or default_time_zone(purchase.country)
        state = EngagementState(
            engagement_id=engagement_id,
            tenant_id=purchase.tenant_id,
            purchase=purchase,
            language=language,
            time_zone=time_zone or "UTC",
            time_zone_assumed=time_zone is None,
            phase_since=now,
            contact_deadline=purchase.purchased_at + policy.contact_window,
            # An engagement never reached expires this long after the purchase.
            onboarding_deadline=policy.onboarding_deadline(purchase.purchased_at),
        )
        if policy.onboarding_anchor is OnboardingAnchor.PURCHASE:
            state.onboarding_started_at = purchase.purchased_at
        engagement = cls(state, policy)
        engagement._record(
            purchase.purchased_at,
            "purchase_recorded",
            COMMERCE,
            f"Order {purchase.order_id}: {purchase.licenses} licenses of {purchase.plan.value}"
            f"{' (new subscription)' if purchase.new_subscription else ''}",
        )
        return engagement

    def record_eligibility(self, verdict: EligibilityVerdict, now: datetime) -> None:
        if self.state.phase.is_closed:  # withdrawn while eligibility was being checked
            return
        if not verdict.eligible:
            self._record(now, "eligibility_rejected", ORCHESTRATOR, " ".join(reason.text for reason in verdict.reasons))
            self._close(Phase.INELIGIBLE, now, reasons=verdict.reasons)
            return
        self._record(now, "eligibility_verified", ORCHESTRATOR, "The purchase qualifies for the benefit.")
        self._enter(Phase.INITIATE, now)
        if self.state.contact_made_at is None and self.state.assistance_requested_at is None:
            self.state.next_outreach_at = now

    def record_additional_purchase(self, purchase: Purchase, now: datetime) -> None:
        """Another purchase event for this tenant: recorded, never a second engagement."""
        if purchase.tenant_id != self.state.tenant_id:
            self.record_refused_event("purchase_received", f"it is for tenant {purchase.tenant_id}", now)
            return
        if purchase.order_id == self.state.purchase.order_id or purchase.order_id in self.state.additional_purchases:
            return
        if self.state.phase.is_closed:
            self._record(
                now,
                "purchase_refused",
                COMMERCE,
                f"Order {purchase.order_id} arrived after the engagement closed ({self.state.phase.value}); "
                "it is not attached to it.",
            )
            return
        self.state.additional_purchases.append(purchase.order_id)
        self._record(
            now,
            "additional_purchase",
            COMMERCE,
            f"Order {purchase.order_id}: {purchase.licenses} licenses of {purchase.plan.value}"
            " (attached to this engagement)",
        )

    def record_refused_event(self, event: str, reason: str, now: datetime) -> None:
        """An event from another system that could not be read: noted, nothing else."""
        self._record(now, "event_refused", ORCHESTRATOR, f"A malformed {event} event was ignored: {reason}"[:500])

    # ------------------------------------------------------------ actions

    def check(self, action: Action, now: datetime) -> None:
        if self.state.phase.is_closed:
            raise ActionRejected(f"The engagement is closed ({self.state.phase.value}); it takes no more actions.")
        check, _ = self._actions[type(action)]
        check(action, now)

    def apply(self, action: Action, now: datetime) -> ActionReceipt:
        self.check(action, now)
        _, apply = self._actions[type(action)]
        message = apply(action, now)
        return ActionReceipt(engagement_id=self.state.engagement_id, phase=self.state.phase, message=message)

    def _require_phase(self, doing: str, *phases: Phase) -> None:
        if self.state.phase not in phases:
            allowed = " or ".join(phase.value for phase in phases)
            raise ActionRejected(
                f"Cannot {doing} now: the engagement is in {self.state.phase.value}, and this is done in {allowed}."
            )

    # contact / assistance ------------------------------------------------

    def _check_contact(self, action: ContactMade, now: datetime) -> None:
        if self.state.contact_made_at is not None:
            raise ActionRejected(f"Contact was already recorded on {_day(self.state.contact_made_at)}.")
        self._require_phase("record contact", Phase.ELIGIBILITY, Phase.INITIATE)

    def _apply_contact(self, action: ContactMade, now: datetime) -> str:
        self.state.contact_made_at = now
        self._customer_reached(now)
        self._record(now, "contact_made", action.by, action.note or "")
        start = self._business_slot(now + self.policy.kickoff_lead)
        self.state.kickoff_call = ScheduledCall(
            kind=CallKind.KICKOFF,
            uid=f"kickoff.{self.state.engagement_id}@fasttrack-orchestrator",
            start=start,
            end=start + self.policy.call_duration,
        )
        self._invite(self.state.kickoff_call, now)
        return f"Contact recorded; outreach stopped. Kickoff proposed for {self._local(start)}."

    def _check_assistance(self, action: AssistanceRequested, now: datetime) -> None:
        if self.state.assistance_requested_at is not None:
            raise ActionRejected(
                f"Assistance was already requested on {_day(self.state.assistance_requested_at)}."
            )
        self._require_phase("request assistance", Phase.ELIGIBILITY, Phase.INITIATE)

    def _apply_assistance(self, action: AssistanceRequested, now: datetime) -> str:
        self.state.assistance_requested_at = now
        self._customer_reached(now)
        self._record(now, "assistance_requested", action.by, action.note or "")
        return "Request for assistance recorded; outreach stopped. Next: FastTrack contacts the customer."

    def _customer_reached(self, now: datetime) -> None:
        self.state.next_outreach_at = None
        self._withdraw_waiting(NotificationKind.OUTREACH)  # held for business hours, and no longer true
        if self.state.onboarding_started_at is None:
            self.state.onboarding_started_at = now
            self.state.onboarding_deadline = self.policy.onboarding_deadline(now)

    # kickoff -------------------------------------------------------------

    def _check_kickoff(self, action: KickoffHeld, now: datetime) -> None:
        self._require_phase("hold the kickoff", Phase.INITIATE)
        if self.state.contact_made_at is None and self.state.assistance_requested_at is None:
            raise ActionRejected(
                "The kickoff follows first contact: record the contact or the customer's request for assistance first."
            )
        problems = scope_problems(action.scope, self.policy)
        if problems:
            raise ActionRejected("The scope cannot be accepted: " + " ".join(problems))

    def _apply_kickoff(self, action: KickoffHeld, now: datetime) -> str:
        scope = action.scope
        self.state.scope = scope
        self.state.language = scope.language
        if scope.time_zone:
            self.state.time_zone, self.state.time_zone_assumed = scope.time_zone, False
        if self.state.contact_made_at is None:
            self.state.contact_made_at = now
        if self.keeps_messages_current:
            self._withdraw_waiting(NotificationKind.OUTREACH)
            call = self.state.kickoff_call
            if call is not None and call.start > now:
                self._cancel_call(call, now)  # the kickoff happened before the proposed call
            for message in self.state.scheduled_messages:  # from now on the project manager is addressed
                if message.audience is Audience.CUSTOMER:
                    message.to, message.recipient_name = [scope.project_manager.email], scope.project_manager.name
                    message.language, message.time_zone = scope.language, self.state.time_zone
        goals = ", ".join(goal.value for goal in scope.goals)
        self._record(
            now,
            "kickoff_held",
            action.by,
            f"Scope agreed: goals {goals}; identity {scope.identity_model.value}; "
            f"MDM authority {scope.mdm_authority.value}; language {scope.language}; "
            f"project manager {scope.project_manager.name}.",
        )
        self._enter(Phase.ASSESS, now)
        return "Kickoff recorded; the engagement is in Assess. Next: submit the source environment."

    def confirm_scope(self, now: datetime) -> None:
        """Sends the project manager the confirmation that the scope is agreed."""
        assert self.state.scope is not None
        self._notify(
            NotificationKind.KICKOFF_SUMMARY,
            1,
            Audience.CUSTOMER,
            "Scope agreed at the kickoff",
            now,
            facts={"project_manager": self.state.scope.project_manager.name},
        )

    # assess --------------------------------------------------------------

    def _check_environment(self, action: EnvironmentSubmitted, now: datetime) -> None:
        self._require_phase("submit the source environment", Phase.ASSESS)
        if self.state.environment is not None:
            raise ActionRejected("The source environment was already submitted; the checklist is built from it.")

    def _apply_environment(self, action: EnvironmentSubmitted, now: datetime) -> str:
        assert self.state.scope is not None
        checklist, notes = assess_environment(action.environment, self.state.scope, self.policy)
        self.state.environment = action.environment
        self.state.checklist = checklist
        self.state.scope_notes = notes
        self._record(
            now,
            "environment_submitted",
            action.by,
            f"{len(checklist)} remediation item(s); {len(notes)} scope note(s).",
        )
        self._notify(
            NotificationKind.REMEDIATION_CHECKLIST,
            1,
            Audience.CUSTOMER,
            "Remediation checklist delivered",
            now,
            facts={"item_count": str(len(checklist))},
            lines=[self._item_phrase(item) for item in checklist] + notes,
        )
        return (
            f"Assessment done: {len(checklist)} remediation item(s), {len(notes)} scope note(s). "
            "Next: agree the remediation plan."
        )

    def _check_plan(self, action: PlanAgreed, now: datetime) -> None:
        self._require_phase("agree the remediation plan", Phase.ASSESS)
        if self.state.environment is None:
            raise ActionRejected("Submit the source environment first: the plan covers its remediation checklist.")
        cadence = action.checkpoint_cadence or self.policy.default_checkpoint_cadence
        if cadence not in self.policy.checkpoint_cadences:
            raise ActionRejected(
                f"Checkpoint cadence '{cadence}' is not offered; choose one of "
                f"{', '.join(self.policy.checkpoint_cadences)}."
            )
        today = now.astimezone(zone(self.state.time_zone)).date()  # the customer's today
        if action.target_date < today:
            raise ActionRejected(f"The target date {action.target_date} is in the past.")
        if action.target_date > self.state.onboarding_deadline.date():
            raise ActionRejected(
                f"The target date {action.target_date} is after the end of the onboarding window "
                f"({_day(self.state.onboarding_deadline)})."
            )

    def _apply_plan(self, action: PlanAgreed, now: datetime) -> str:
        cadence = action.checkpoint_cadence or self.policy.default_checkpoint_cadence
        self.state.plan = RemediationPlan(
            checkpoint_cadence=cadence, target_date=action.target_date, agreed_at=now, agreed_by=action.by
        )
        self._record(now, "plan_agreed", action.by, f"Checkpoints {cadence}; target date {action.target_date}.")
        self._enter(Phase.REMEDIATE, now)
        self._remediation_progress(now)
        if not self.open_items():
            return "Plan recorded. The checklist is empty: next is the joint verification."
        return f"Plan recorded; {len(self.open_items())} item(s) to remediate, checkpoints {cadence}."

    # remediate -----------------------------------------------------------

    def open_items(self) -> list:
        return [item for item in self.state.checklist if item.status is ItemStatus.OPEN]

    def _find_item(self, item_id: str):
        for item in self.state.checklist:
            if item.id == item_id:
                return item
        known = ", ".join(item.id for item in self.state.checklist) or "none"
        raise ActionRejected(f"There is no checklist item '{item_id}' (items: {known}).")

    def _check_item_done(self, action: RemediationItemDone, now: datetime) -> None:
        self._require_phase("complete a remediation item", Phase.REMEDIATE)
        item = self._find_item(action.item_id)
        if item.status is ItemStatus.DONE:
            raise ActionRejected(f"Checklist item '{item.id}' is already done (on {_day(item.done_at)}).")

    def _apply_item_done(self, action: RemediationItemDone, now: datetime) -> str:
        item = self._find_item(action.item_id)
        item.status, item.done_at, item.done_by = ItemStatus.DONE, now, action.by
        self._record(now, "remediation_item_done", action.by, f"[{item.id}] {item.description}")
        self._remediation_progress(now)
        remaining = len(self.open_items())
        if remaining:
            return f"Item '{item.id}' done; {remaining} item(s) still open."
        return f"Item '{item.id}' done; every item is done. Next: the joint verification."

    def _check_checkpoint(self, action: CheckpointHeld, now: datetime) -> None:
        self._require_phase("record a checkpoint call", Phase.REMEDIATE)

    def _apply_checkpoint(self, action: CheckpointHeld, now: datetime) -> str:
        self.state.checkpoints_held += 1
        self._record(now, "checkpoint_held", action.by, action.note or f"Checkpoint call {self.state.checkpoints_held}")
        return f"Checkpoint call {self.state.checkpoints_held} recorded."

    def _check_verification(self, action: VerificationResult, now: datetime) -> None:
        self._require_phase("record the joint verification", Phase.REMEDIATE)
        if action.approved:
            if action.reopen_item_ids:
                raise ActionRejected("An approval reopens nothing: leave reopen_item_ids empty, or reject.")
            open_items = self.open_items()
            if open_items:
                names = ", ".join(item.id for item in open_items)
                raise ActionRejected(f"Verification cannot pass while items are open: {names}.")
            return
        if not action.reopen_item_ids:
            if not self.state.checklist:
                raise ActionRejected("The checklist is empty, so a rejection has nothing to reopen.")
            raise ActionRejected("A rejection must name the checklist items to reopen (reopen_item_ids).")
        if len(set(action.reopen_item_ids)) != len(action.reopen_item_ids):
            raise ActionRejected("Each item to reopen may be named once.")
        for item_id in action.reopen_item_ids:
            item = self._find_item(item_id)
            if item.status is not ItemStatus.DONE:
                raise ActionRejected(f"Checklist item '{item.id}' is still open; only done items can be reopened.")

    def _apply_verification(self, action: VerificationResult, now: datetime) -> str:
        if action.approved:
            for item in self.state.checklist:
                item.verified = True
            self.state.remediation_verified_at = now
            self._record(now, "verification_approved", action.by, action.note or "Remediation verified jointly.")
            assert self.state.scope is not None
            self.state.tasks = core_tasks(self.state.scope, self.state.environment)
            self._enter(Phase.ENABLE_CORE, now)
            return f"Verification passed; Enable starts with {len(self.state.tasks)} core-capability task(s)."
        for item_id in action.reopen_item_ids:
            item = self._find_item(item_id)
            item.status, item.done_at, item.done_by = ItemStatus.OPEN, None, None
            item.times_reopened += 1
        self.state.verification_rejections += 1
        reopened = ", ".join(action.reopen_item_ids)
        self._record(now, "verification_rejected", action.by, f"Reopened: {reopened}. {action.note or ''}".strip())
        self._remediation_progress(now)
        self._notify(
            NotificationKind.VERIFICATION_REJECTED,
            self.state.verification_rejections,
            Audience.CUSTOMER,
            f"Verification {self.state.verification_rejections}: items reopened",
            now,
            lines=[self._item_phrase(item) for item in self.open_items()],
            facts={"note": action.note or ""},
        )
        return f"Verification rejected; reopened {reopened}."

    def _remediation_progress(self, now: datetime) -> None:
        """Resets the stall clock; invites to the next checkpoint call while items
        are open, and cancels the invitation once none is."""
        self.state.last_remediation_progress_at = now
        self.state.remediation_stalled = False
        self.state.stall_reminders_sent_since_progress = 0
        self._withdraw_waiting(NotificationKind.REMEDIATION_STALLED)
        if not self.open_items():
            self._cancel_call(self.state.next_checkpoint, now)
            self.state.next_checkpoint = None
            return
        if self.state.next_checkpoint is None:
            self._schedule_checkpoint(now + self._cadence(), now)

    def _schedule_checkpoint(self, due: datetime, now: datetime) -> None:
        self.state.checkpoint_calls_scheduled += 1
        number = self.state.checkpoint_calls_scheduled
        start = self._business_slot(due)
        self.state.next_checkpoint = ScheduledCall(
            kind=CallKind.CHECKPOINT,
            number=number,
            uid=f"checkpoint-{number}.{self.state.engagement_id}@fasttrack-orchestrator",
            start=start,
            end=start + self.policy.call_duration,
        )
        self._invite(self.state.next_checkpoint, now)

    def _cadence(self):
        assert self.state.plan is not None
        return self.policy.checkpoint_cadences[self.state.plan.checkpoint_cadence]

    def _next_stall_reminder_at(self) -> datetime | None:
        if self.state.phase is not Phase.REMEDIATE or not self.open_items():
            return None
        assert self.state.last_remediation_progress_at is not None
        waits = self.state.stall_reminders_sent_since_progress + 1
        return self.state.last_remediation_progress_at + self.policy.remediation_stall_after * waits

    # enable --------------------------------------------------------------

    def _open_tasks(self) -> list[EnableTask]:
        return [task for task in self.state.tasks if task.status is ItemStatus.OPEN]

    def _check_task(self, action: TaskDone, now: datetime) -> None:
        self._require_phase("complete an Enable task", Phase.ENABLE_CORE, Phase.ENABLE_INTUNE)
        task = next((task for task in self.state.tasks if task.id == action.task_id), None)
        if task is None:
            if action.task_id.startswith(f"{TaskStage.INTUNE.value}.") and self.state.phase is Phase.ENABLE_CORE:
                raise ActionRejected(
                    f"Task '{action.task_id}' belongs to Enable — Intune, which begins only once the core "
                    "capabilities are enabled."
                )
            known = ", ".join(task.id for task in self._open_tasks())
            raise ActionRejected(f"There is no task '{action.task_id}' in this engagement (open tasks: {known}).")
        if task.status is ItemStatus.DONE:
            raise ActionRejected(f"Task '{task.id}' is already done (on {_day(task.done_at)}).")
        if task.needs is TaskNeeds.TEST_DEVICE and not self.state.test_devices:
            raise ActionRejected(f"Task '{task.id}' needs at least one enrolled test device; enroll one first.")
        if task.needs is TaskNeeds.APP and not self.state.apps:
            raise ActionRejected(f"Task '{task.id}' needs at least one selected app; select one first.")

    def _apply_task(self, action: TaskDone, now: datetime) -> str:
        task = next(task for task in self.state.tasks if task.id == action.task_id)
        task.status, task.done_at, task.done_by = ItemStatus.DONE, now, action.by
        self._record(now, "task_done", action.by, f"[{task.id}] {task.title}")
        remaining = len(self._open_tasks())
        if remaining:
            return f"Task '{task.id}' done; {remaining} task(s) left in this stage."
        if self.state.phase is Phase.ENABLE_CORE:
            assert self.state.scope is not None
            self._record(now, "core_enabled", ORCHESTRATOR, "Core capabilities enabled.")
            new_tasks = intune_tasks(self.state.scope)
            self.state.tasks += new_tasks
            self._enter(Phase.ENABLE_INTUNE, now)
            return f"Core capabilities enabled; Enable — Intune starts with {len(new_tasks)} task(s)."
        self._record(now, "intune_enabled", ORCHESTRATOR, "All management policies validated.")
        self._close(Phase.COMPLETED, now)
        return "Intune enabled: the engagement is completed."

    def _require_mdm(self, doing: str) -> None:
        self._require_phase(doing, Phase.ENABLE_INTUNE)
        assert self.state.scope is not None
        if Goal.MDM not in self.state.scope.goals:
            raise ActionRejected(f"Cannot {doing}: mobile device management is not in this engagement's scope.")

    def _check_device(self, action: DeviceEnrolled, now: datetime) -> None:
        self._require_mdm("enroll a test device")
        support = self.policy.mdm_platforms.get(action.platform)
        if support is None:
            raise ActionRejected(f"Platform '{action.platform.value}' is not a supported MDM platform.")
        on_platform = [device for device in self.state.test_devices if device.platform is action.platform]
        if any(device.name.casefold() == action.device_name.casefold() for device in on_platform):
            raise ActionRejected(f"Test device '{action.device_name}' is already enrolled on {support.label}.")
        limit = self.policy.max_test_devices_per_platform
        if len(on_platform) >= limit:
            raise ActionRejected(
                f"At most {limit} test devices per platform are enrolled, and {support.label} already has "
                f"{len(on_platform)}."
            )

    def _apply_device(self, action: DeviceEnrolled, now: datetime) -> str:
        self.state.test_devices.append(
            EnrolledDevice(platform=action.platform, name=action.device_name, enrolled_at=now, enrolled_by=action.by)
        )
        self._record(now, "test_device_enrolled", action.by, f"{action.device_name} ({action.platform.value})")
        return f"Test device '{action.device_name}' enrolled on {action.platform.value}."

    def _check_app(self, action: AppSelected, now: datetime) -> None:
        self._require_mdm("select an app")
        support = self.policy.mdm_platforms.get(action.platform)
        if support is None:
            raise ActionRejected(f"Platform '{action.platform.value}' is not a supported MDM platform.")
        scheme, separator, rest = action.link.partition("://")
        if not separator or not scheme or not rest or not scheme.replace("-", "").replace(".", "").isalnum():
            raise ActionRejected(f"'{action.link}' is not a link (expected scheme://address).")
        if action.link_type is LinkType.WEB_LINK and scheme.lower() not in ("http", "https"):
            raise ActionRejected("A web link starts with https:// or http://.")
        on_platform = [app for app in self.state.apps if app.platform is action.platform]
        if any(app.name.casefold() == action.app_name.casefold() for app in on_platform):
            raise ActionRejected(f"App '{action.app_name}' is already selected for {support.label}.")
        limit = self.policy.max_apps_per_platform
        if len(on_platform) >= limit:
            raise ActionRejected(
                f"At most {limit} apps per platform are selected, and {support.label} already has {len(on_platform)}."
            )

    def _apply_app(self, action: AppSelected, now: datetime) -> str:
        self.state.apps.append(
            SelectedApp(
                platform=action.platform,
                name=action.app_name,
                link_type=action.link_type,
                link=action.link,
                selected_at=now,
                selected_by=action.by,
            )
        )
        self._record(now, "app_selected", action.by, f"{action.app_name} ({action.platform.value}, {action.link_type.value})")
        return f"App '{action.app_name}' selected for {action.platform.value}."

    # calls -----------------------------------------------------------------

    def _call_to_reschedule(self, action: CallRescheduled) -> ScheduledCall:
        if action.call is CallKind.KICKOFF:
            self._require_phase("reschedule the kickoff", Phase.INITIATE)
            if self.state.kickoff_call is None:
                raise ActionRejected("No kickoff has been proposed yet: it is proposed when contact is recorded.")
            return self.state.kickoff_call
        self._require_phase("reschedule the checkpoint call", Phase.REMEDIATE)
        if self.state.next_checkpoint is None:
            raise ActionRejected("No checkpoint call is planned: no remediation item is open.")
        return self.state.next_checkpoint

    def _check_reschedule(self, action: CallRescheduled, now: datetime) -> None:
        call = self._call_to_reschedule(action)
        if action.start <= now:
            raise ActionRejected(f"The new time {self._local(action.start)} is in the past.")
        if action.start == call.start:
            raise ActionRejected(f"The call is already planned for {self._local(call.start)}.")
        if not self._fits_business_hours(action.start):
            hours = self.policy.business_hours
            raise ActionRejected(
                f"{self._local(action.start)} is outside the customer's business hours "
                f"({hours.start:%H:%M}–{hours.end:%H:%M} {self.state.time_zone}, working days, "
                f"public holidays of {self.state.purchase.country} excluded, {self.policy.call_duration} call). "
                f"The next possible time is {self._local(self._business_slot(action.start))}."
            )

    def _apply_reschedule(self, action: CallRescheduled, now: datetime) -> str:
        call = self._call_to_reschedule(action)
        call.start, call.end = action.start, action.start + self.policy.call_duration
        call.sequence += 1
        self._record(now, f"{action.call.value}_rescheduled", action.by, f"Moved to {self._local(action.start)}.")
        self._invite(call, now)
        return f"The {action.call.value} call is moved to {self._local(action.start)}; the invitation is updated."

    def _withdraw_waiting(self, *kinds: NotificationKind) -> None:
        """Drops messages of these kinds still waiting for business hours."""
        if self.keeps_messages_current:
            self.state.scheduled_messages = [m for m in self.state.scheduled_messages if m.kind not in kinds]

    def _withdraw_unsent_invitations(self, call: ScheduledCall) -> bool:
        """Drops invitations to ``call`` still waiting for business hours; True if any was."""
        waiting = [m for m in self.state.scheduled_messages if m.call is not None and m.call.uid == call.uid]
        self.state.scheduled_messages = [m for m in self.state.scheduled_messages if m not in waiting]
        return bool(waiting)

    def _invite(self, call: ScheduledCall, now: datetime) -> None:
        self._withdraw_unsent_invitations(call)  # the customer gets only the latest version
        kind = NotificationKind.KICKOFF_INVITATION
        if call.kind is CallKind.CHECKPOINT:
            kind = NotificationKind.CHECKPOINT_INVITATION
        label = "Kickoff call" if call.kind is CallKind.KICKOFF else f"Checkpoint call {call.number}"
        self._notify(
            kind,
            f"{call.number}.{call.sequence}",
            Audience.CUSTOMER,
            f"{label} invitation{' (updated)' if call.sequence else ''}",
            now,
            facts={"number": str(call.number), "updated": "yes" if call.sequence else ""},
            moments={"call_start": call.start},
            lines=[self._item_phrase(item) for item in self.open_items()],
            call=call.model_copy(),
        )

    def _cancel_call(self, call: ScheduledCall | None, now: datetime) -> None:
        if call is None or call.cancelled:
            return
        call.cancelled = True
        call.sequence += 1
        self._withdraw_unsent_invitations(call)
        if not call.invitation_sent:
            return  # the customer never heard of this call: nothing to cancel
        label = "Kickoff call" if call.kind is CallKind.KICKOFF else f"Checkpoint call {call.number}"
        self._notify(
            NotificationKind.CALL_CANCELLED,
            f"{call.kind.value}-{call.number}.{call.sequence}",
            Audience.CUSTOMER,
            f"{label} cancelled",
            now,
            facts={"number": str(call.number), "call": call.kind.value},
            moments={"call_start": call.start},
            call=call.model_copy(),
        )

    # withdrawal ------------------------------------------------------------

    def _check_withdrawal(self, action: Withdrawal, now: datetime) -> None:
        pass  # any open engagement may be withdrawn; ``check`` already refuses closed ones

    def _apply_withdrawal(self, action: Withdrawal, now: datetime) -> str:
        self._record(now, "withdrawn", action.by, action.reason)
        self._close(Phase.WITHDRAWN, now, reasons=[Phrase(text=action.reason)])
        return "The engagement is withdrawn."

    # ------------------------------------------------------------ time

    def next_reminder(self) -> Reminder | None:
        """The next moment the engagement acts on its own, if any."""
        state = self.state
        candidates: list[Reminder] = []
        if state.scheduled_messages:
            first = min(state.scheduled_messages, key=lambda message: message.send_at)
            candidates.append(Reminder(at=first.send_at, kind="message", summary=f"Send: {first.summary}"))
        if state.phase.is_closed or state.phase is Phase.ELIGIBILITY:
            return min(candidates, key=lambda reminder: reminder.at) if candidates else None
        candidates.append(
            Reminder(
                at=state.onboarding_deadline,
                kind="onboarding_deadline",
                summary=f"Onboarding window ends {_day(state.onboarding_deadline)}",
            )
        )
        warning_at = self._deadline_warning_at()
        if warning_at is not None:
            candidates.append(
                Reminder(at=warning_at, kind="deadline_warning", summary="Onboarding deadline warning to the manager")
            )
        if state.phase is Phase.INITIATE and state.contact_made_at is None:
            if state.next_outreach_at is not None:
                attempt = state.outreach_attempts + 1
                candidates.append(
                    Reminder(at=state.next_outreach_at, kind="outreach", summary=self._outreach_label(attempt))
                )
            if not state.contact_sla_breached:
                candidates.append(
                    Reminder(
                        at=state.contact_deadline,
                        kind="contact_deadline",
                        summary=f"Contact window ends {_day(state.contact_deadline)}",
                    )
                )
        if state.next_checkpoint is not None:
            candidates.append(
                Reminder(
                    at=state.next_checkpoint.start,
                    kind="checkpoint_call",
                    summary=f"Checkpoint call {state.next_checkpoint.number}",
                )
            )
        stall_at = self._next_stall_reminder_at()
        if stall_at is not None:
            candidates.append(Reminder(at=stall_at, kind="stall_reminder", summary="Remediation stall reminder"))
        return min(candidates, key=lambda reminder: reminder.at)

    def advance_clock(self, now: datetime) -> None:
        """Fires everything that is due at ``now``; the onboarding deadline first."""
        state = self.state
        if state.phase.is_closed or state.phase is Phase.ELIGIBILITY:
            return
        if now >= state.onboarding_deadline:
            self._record(now, "expired", ORCHESTRATOR, f"Onboarding window ended {_day(state.onboarding_deadline)}.")
            self._close(Phase.EXPIRED, now, reasons=[phrase("reasons.window_ended")])
            return
        warning_at = self._deadline_warning_at()
        if warning_at is not None and now >= warning_at:
            state.deadline_warning_for = state.onboarding_deadline
            self._record(now, "deadline_warning", ORCHESTRATOR, f"Onboarding window ends {_day(state.onboarding_deadline)}.")
            self._notify(
                NotificationKind.DEADLINE_ESCALATION,
                _day(state.onboarding_deadline),
                Audience.FASTTRACK_MANAGER,
                "Onboarding window ending with work open: escalated to the FastTrack manager",
                now,
                moments={"deadline": state.onboarding_deadline},
                lines=self.open_work_phrases(),
            )
        if state.phase is Phase.INITIATE and state.contact_made_at is None:
            if not state.contact_sla_breached and now >= state.contact_deadline:
                state.contact_sla_breached = True
                state.escalations += 1
                self._record(
                    now,
                    "contact_sla_breached",
                    ORCHESTRATOR,
                    f"No contact within the contact window; {state.outreach_attempts} outreach attempt(s) due.",
                )
                self._notify(
                    NotificationKind.CONTACT_ESCALATION,
                    state.escalations,
                    Audience.FASTTRACK_MANAGER,
                    "Contact SLA missed: escalated to the FastTrack manager",
                    now,
                    facts={"outreach_attempts": str(state.outreach_attempts)},
                )
            if state.next_outreach_at is not None and now >= state.next_outreach_at:
                state.outreach_attempts += 1
                self._notify(
                    NotificationKind.OUTREACH,
                    state.outreach_attempts,
                    Audience.CUSTOMER,
                    self._outreach_label(state.outreach_attempts),
                    now,
                    facts={
                        "attempt": str(state.outreach_attempts),
                        "after_window": "yes" if state.contact_sla_breached else "",
                    },
                    moments={"contact_deadline": state.contact_deadline},
                )
                state.next_outreach_at = self._outreach_after(now)
        checkpoint = state.next_checkpoint
        if checkpoint is not None and now >= checkpoint.start:
            self._record(now, "checkpoint_call_due", ORCHESTRATOR, f"Checkpoint call {checkpoint.number}")
            state.next_checkpoint = None
            due = checkpoint.start + self._cadence()
            while self.keeps_messages_current and due <= now:  # late (the workflow was down): no past calls
                due += self._cadence()
            self._schedule_checkpoint(due, now)
        stall_at = self._next_stall_reminder_at()
        if stall_at is not None and now >= stall_at:
            state.remediation_stalled = True
            state.stall_reminders_sent += 1
            state.stall_reminders_sent_since_progress += 1
            first_of_this_stall = state.stall_reminders_sent_since_progress == 1
            since = state.last_remediation_progress_at
            self._record(now, "remediation_stalled", ORCHESTRATOR, f"No remediation progress since {_day(since)}.")
            open_lines = [self._item_phrase(item) for item in self.open_items()]
            self._notify(
                NotificationKind.REMEDIATION_STALLED,
                state.stall_reminders_sent,
                Audience.CUSTOMER,
                f"Remediation stall reminder {state.stall_reminders_sent}",
                now,
                moments={"since": since},
                lines=open_lines,
            )
            while self.keeps_messages_current and (self._next_stall_reminder_at() or now) <= now:
                state.stall_reminders_sent_since_progress += 1  # late: one reminder, not one per missed interval
            if self.policy.remediation_stall_escalation and first_of_this_stall:
                self._notify(
                    NotificationKind.STALL_ESCALATION,
                    state.stall_reminders_sent,
                    Audience.FASTTRACK_MANAGER,
                    "Remediation stalled: escalated to the FastTrack manager",
                    now,
                    moments={"since": since},
                    lines=open_lines,
                )

    def _deadline_warning_at(self) -> datetime | None:
        if self.state.deadline_warning_for == self.state.onboarding_deadline:
            return None
        return self.state.onboarding_deadline - self.policy.deadline_warning_before

    def _outreach_label(self, attempt: int) -> str:
        planned = len(self.policy.outreach_offsets)
        if attempt <= planned:
            return f"Outreach attempt {attempt} of {planned}"
        return f"Outreach attempt {attempt} (after the contact window)"

    def _outreach_after(self, moment: datetime) -> datetime:
        purchased_at = self.state.purchase.purchased_at
        for offset in self.policy.outreach_offsets:
            if purchased_at + offset > moment:
                return purchased_at + offset
        window_end = purchased_at + self.policy.contact_window
        interval = self.policy.slow_outreach_interval
        intervals_passed = max(0, (moment - window_end) // interval)
        return window_end + interval * (intervals_passed + 1)

    def _business_slot(self, moment: datetime) -> datetime:
        """The first quarter hour at or after ``moment`` when a call of the policy's
        length fits the customer's business hours."""
        quarter = timedelta(minutes=15)
        rounded = moment + (datetime.min.replace(tzinfo=moment.tzinfo) - moment) % quarter
        return next_business_moment(
            rounded, self.state.time_zone, self.state.purchase.country, self.policy.business_hours,
            self.policy.call_duration,
        )

    def _fits_business_hours(self, start: datetime) -> bool:
        return within_business_hours(
            start, self.state.time_zone, self.state.purchase.country, self.policy.business_hours,
            self.policy.call_duration,
        )

    def _local(self, moment: datetime) -> str:
        return f"{moment.astimezone(zone(self.state.time_zone)):%Y-%m-%d %H:%M} {self.state.time_zone}"

    # ------------------------------------------------------------ messages

    def _notify(
        self,
        kind: NotificationKind,
        purpose: int | str,
        audience: Audience,
        summary: str,
        now: datetime,
        facts: dict[str, str] | None = None,
        moments: dict[str, datetime] | None = None,
        lines: list[Phrase] | None = None,
        call: ScheduledCall | None = None,
        attachment_markdown: str | None = None,
    ) -> None:
        """Queues a message; a customer's waits for their business hours."""
        state = self.state
        to, name, send_at = [], None, now
        if audience is Audience.CUSTOMER:
            person = state.scope.project_manager if state.scope else state.purchase.customer_contact
            to, name = [person.email], person.name
            send_at = next_business_moment(
                now, state.time_zone, state.purchase.country, self.policy.business_hours
            )
        state.scheduled_messages.append(
            Notification(
                engagement_id=state.engagement_id,
                kind=kind,
                key=f"{state.purchase.order_id}/{kind.value}/{purpose}",
                audience=audience,
                to=to,
                recipient_name=name,
                language=state.language if audience is Audience.CUSTOMER else self.policy.default_language,
                time_zone=state.time_zone,
                country=state.purchase.country,
                send_at=send_at,
                summary=summary,
                facts={
                    "tenant_id": state.tenant_id,
                    "organization": state.purchase.organization or state.tenant_id,
                    **(facts or {}),
                },
                moments=moments or {},
                lines=lines or [],
                call=call,
                attachment_markdown=attachment_markdown,
            )
        )

    def due_messages(self, now: datetime) -> list[Notification]:
        """Takes the messages whose time has come, oldest first."""
        due = [message for message in self.state.scheduled_messages if message.send_at <= now]
        self.state.scheduled_messages = [message for message in self.state.scheduled_messages if message.send_at > now]
        for call in (self.state.kickoff_call, self.state.next_checkpoint):
            if call is not None and any(message.call and message.call.uid == call.uid for message in due):
                call.invitation_sent = True  # on its way: a later change must be sent as an update
        return due

    def hand_over_messages(self) -> list[Notification]:
        """Takes every message still waiting, due or not, once the engagement is
        closed: another workflow delivers them, so the outcome waits for none."""
        assert self.state.phase.is_closed
        messages = sorted(self.state.scheduled_messages, key=lambda message: message.send_at)
        self.state.scheduled_messages = []
        return messages

    def record_hand_over(self, messages: list[Notification], delivery_id: str, now: datetime) -> None:
        self.state.message_delivery_id = delivery_id
        schedule = "; ".join(f"{message.summary} at {message.send_at:%Y-%m-%d %H:%M} UTC" for message in messages)
        self._record(
            now,
            "messages_handed_over",
            ORCHESTRATOR,
            f"{len(messages)} message(s) still to send are delivered by workflow {delivery_id}: {schedule}.",
        )

    def record_delivery(self, notification: Notification, now: datetime) -> None:
        self.state.messages_sent += 1
        recipients = ", ".join(notification.to) or notification.audience.value.replace("_", " ")
        self._record(now, f"{notification.kind.value}_sent", ORCHESTRATOR,
                     f"{notification.summary} → {recipients} ({notification.language})")

    def record_delivery_failure(self, notification: Notification, reason: str, now: datetime) -> None:
        self.state.delivery_failures.append(f"{notification.key}: {reason}")
        for call in (self.state.kickoff_call, self.state.next_checkpoint):
            if call is not None and notification.call is not None and call.uid == notification.call.uid:
                call.invitation_sent = False  # never reached the customer
        self._record(now, "notification_failed", ORCHESTRATOR, f"{notification.summary}: {reason}")

    # ------------------------------------------------------------ bookkeeping

    def _record(self, at: datetime, what: str, by: str, detail: str = "") -> None:
        self.state.timeline.append(TimelineEvent(at=at, what=what, by=by, detail=detail))

    def _enter(self, phase: Phase, now: datetime) -> None:
        self.state.phase = phase
        self.state.phase_since = now

    def _item_phrase(self, item: ChecklistItem, label_key: str | None = None) -> Phrase:
        words = item.phrase or Phrase(text=item.description)  # a declared gap: the customer's own words
        label = lookup("en", label_key) if label_key else None
        return words.model_copy(update={"ref": item.id, "label_key": label_key, "label": label})

    def open_work_phrases(self) -> list[Phrase]:
        """What is still to do; listed when an engagement closes early or nears its deadline."""
        state = self.state
        phase = state.phase
        left: list[Phrase] = []
        if phase is Phase.INITIATE:
            if state.contact_made_at is None:
                left.append(phrase("work.contact", label_key="phases.initiate"))
            left.append(phrase("work.kickoff", label_key="phases.initiate"))
        if phase is Phase.ASSESS:
            if state.environment is None:
                left.append(phrase("work.environment", label_key="phases.assess"))
            left.append(phrase("work.plan", label_key="phases.assess"))
        if phase is Phase.REMEDIATE:
            left += [self._item_phrase(item, "phases.remediate") for item in self.open_items()]
            left.append(phrase("work.verification", label_key="phases.remediate"))
        if phase in (Phase.ENABLE_CORE, Phase.ENABLE_INTUNE):
            label_key = f"phases.{phase.value}"
            left += [
                Phrase(text=task.title, key=f"tasks.{task.text_key}", ref=task.id, label_key=label_key,
                       label=lookup("en", label_key))
                for task in self._open_tasks()
            ]
        upcoming = [Phase.ASSESS, Phase.REMEDIATE, Phase.ENABLE_CORE, Phase.ENABLE_INTUNE]
        if phase is Phase.INITIATE or phase in upcoming:
            later = upcoming if phase is Phase.INITIATE else upcoming[upcoming.index(phase) + 1:]
            left += [phrase("work.not_started", label_key=f"phases.{stage.value}") for stage in later]
        return left

    def open_work(self) -> list[str]:
        return [words.english() for words in self.open_work_phrases()]

    def _close(self, status: Phase, now: datetime, reasons: list[Phrase] | None = None) -> None:
        reasons = reasons or []
        self._withdraw_waiting(NotificationKind.OUTREACH, NotificationKind.REMEDIATION_STALLED)
        left = [] if status in (Phase.COMPLETED, Phase.INELIGIBLE) else self.open_work_phrases()
        self.state.outcome = Outcome(
            status=status, at=now, reasons=[reason.text for reason in reasons], left=[item.english() for item in left]
        )
        self.state.next_outreach_at = None
        if self.state.scope is None and self.state.kickoff_call is not None:
            self._cancel_call(self.state.kickoff_call, now)
        self._cancel_call(self.state.next_checkpoint, now)
        self.state.next_checkpoint = None
        self._enter(status, now)
        self._notify(
            NotificationKind.ENGAGEMENT_CLOSED,
            1,
            Audience.CUSTOMER,
            f"Engagement {status.value}",
            now,
            facts={"outcome": status.value},
            lines=reasons + left,
            attachment_markdown=engagement_report(self.state),
        )

    # ------------------------------------------------------------ views

    def details_markdown(self) -> str:
        """Where the engagement stands, for the Temporal UI's current details."""
        state = self.state
        lines = [f"**Phase:** {state.phase.value} since {_day(state.phase_since)}"]
        if state.outcome is not None:
            lines.append(f"**Outcome:** {state.outcome.status.value}")
            lines += [f"- {reason}" for reason in state.outcome.reasons]
            lines += [f"- left open: {item}" for item in state.outcome.left]
            if state.message_delivery_id is not None:
                lines.append(f"**Messages still to send:** delivered by workflow `{state.message_delivery_id}`")
            return "\n".join(lines)
        lines.append(f"**Onboarding window ends:** {_day(state.onboarding_deadline)}")
        flags = [name for name, raised in (
            ("contact SLA breached", state.contact_sla_breached),
            ("remediation stalled", state.remediation_stalled),
        ) if raised]
        if flags:
            lines.append(f"**Risk:** {', '.join(flags)}")
        open_work = self.open_work()
        if open_work:
            lines.append("**Open:**")
            lines += [f"- {item}" for item in open_work[:15]]
            if len(open_work) > 15:
                lines.append(f"- … and {len(open_work) - 15} more")
        reminder = self.next_reminder()
        if reminder is not None:
            lines.append(f"**Next:** {reminder.summary} ({reminder.at.strftime('%Y-%m-%d %H:%M')} UTC)")
        return "\n".join(lines)

    def snapshot(self) -> EngagementState:
        view = self.state.model_copy(deep=True)
        view.next_reminder = self.next_reminder()
        return view

    def result(self) -> EngagementResult:
        assert self.state.outcome is not None
        return EngagementResult(
            engagement_id=self.state.engagement_id,
            outcome=self.state.outcome,
            timeline=list(self.state.timeline),
            message_delivery_id=self.state.message_delivery_id,
        )
