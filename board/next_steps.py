"""Each next step in words, and the exact `fasttrack` command that records it: the board
reads, and sends each reader to the one path every action already has."""

from __future__ import annotations

import shlex

from fasttrack.engagement.next_step import Actor, DeadlineKind, StepKind

WORDS: dict[StepKind, str] = {
    StepKind.CHECK_ELIGIBILITY: "The purchase's eligibility is being checked",
    StepKind.REACH_CUSTOMER: "Reach the customer and record the contact",
    StepKind.HOLD_KICKOFF: "Hold the kickoff call and record the scope",
    StepKind.SUBMIT_ENVIRONMENT: "The customer submits their source environment",
    StepKind.AGREE_PLAN: "Agree the remediation plan and its target date",
    StepKind.COMPLETE_ITEMS: "Open remediation items to complete",
    StepKind.VERIFY_REMEDIATION: "Hold the joint verification of the remediation",
    StepKind.ENROLL_DEVICE: "The customer enrolls a test device",
    StepKind.SELECT_APP: "The customer selects an app to deploy",
    StepKind.COMPLETE_TASKS: "Open Enable tasks to complete",
}

DEADLINES: dict[DeadlineKind, str] = {
    DeadlineKind.CONTACT_SLA: "contact SLA",
    DeadlineKind.ONBOARDING_WINDOW: "12-month window",
    DeadlineKind.CALL: "next call",
    DeadlineKind.STALL_REMINDER: "stall reminder",
}

ACTORS: dict[Actor, str] = {Actor.CUSTOMER: "customer", Actor.FASTTRACK: "FastTrack"}

# What follows `fasttrack <command> <engagement>`: placeholders in capitals.
_COMMANDS: dict[StepKind, tuple[str, str]] = {
    StepKind.CHECK_ELIGIBILITY: ("status", ""),
    StepKind.REACH_CUSTOMER: ("contact", "--by NAME"),
    StepKind.HOLD_KICKOFF: ("kickoff", "--scope SCOPE.yaml --by NAME"),
    StepKind.SUBMIT_ENVIRONMENT: ("environment", "ENVIRONMENT.yaml --by NAME"),
    StepKind.AGREE_PLAN: ("plan", "--target-date YYYY-MM-DD --by NAME"),
    StepKind.COMPLETE_ITEMS: ("item-done", "ITEM --by NAME"),
    StepKind.VERIFY_REMEDIATION: ("verify", "--approve --by NAME"),
    StepKind.ENROLL_DEVICE: ("device", "--platform PLATFORM --name DEVICE --by NAME"),
    StepKind.SELECT_APP: ("app", "--platform PLATFORM --name APP --link-type web_link --link URL --by NAME"),
    StepKind.COMPLETE_TASKS: ("task-done", "TASK --by NAME"),
}


def command(step: StepKind | None, engagement_id: str) -> str:
    """The command for the next step, or `fasttrack status` when the step is not known."""
    name, rest = _COMMANDS[step] if step is not None else ("status", "")
    return " ".join(part for part in ("fasttrack", name, shlex.quote(engagement_id), rest) if part)
