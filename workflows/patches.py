"""Which of the changes made while engagements were running a run takes.

Each change is behind ``workflow.patched``, and for every change a new run meets
the SDK records a marker and upserts ``TemporalChangeVersion``: up to ten of each
per engagement (eight on the completed path), and more with every release. A run started by this release or a later
one records a single marker for all the changes in FOLDED_CHANGES and asks no
more about them; a run started before finds no such marker in its first workflow
task and asks change by change, as it always did (tests/histories/v1 to v11).
A change made after this one is asked on its own; those in ASKED_AT_START are
asked once, in the run's first workflow task, so that a run holds their markers
from its start and never asks again (tests/histories/v14 on).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from types import MappingProxyType

from temporalio import workflow

# Every change made while engagements were running. Never rename one: the name is in histories.
KICKOFF_SUMMARY_MESSAGE = "kickoff-summary-message"
KEEP_MESSAGES_CURRENT = "keep-messages-current"
CLOSE_AT_ONCE = "close-at-once"
MESSAGES_ON_THEIR_OWN = "messages-on-their-own"
MESSAGE_WATCHDOG = "message-watchdog"
CARRY_OVER = "carry-over"
REGISTER_PROGRESS = "register-progress"
REGISTER_AT_CLOSING = "register-at-closing"
ACTIONS_AS_SIGNALS = "actions-as-signals"
REMEDIATION_ITEMS_FLAG = "remediation-items-flag"
FOLDED_MARKER = "changes-up-to-remediation-items-flag"
DROP_SUPERSEDED_MESSAGES = "drop-superseded-messages"
ARRIVALS_WITHOUT_COMMANDS = "arrivals-without-commands"
RISKS_LIST = "risks-list"
NEXT_STEP = "next-step"
REGISTER_CONTACT = "register-contact"


@dataclasses.dataclass(frozen=True)
class Change:
    name: str
    corpus: str  # the folder of tests/histories/ recorded right after it: its new shape
    added: date  # the day it was made; a run started before it may need the old code to replay
    what: str
    flag: str | None = None  # the engagement's behaviour flag it turns on (fasttrack/engagement), if any


CHANGES = (
    Change(KICKOFF_SUMMARY_MESSAGE, "v2", date(2026, 11, 26), "the kickoff sends its summary and scope"),
    Change(KEEP_MESSAGES_CURRENT, "v3", date(2026, 11, 26), "waiting messages an action makes untrue are dropped",
           flag="keeps_messages_current"),
    Change(CLOSE_AT_ONCE, "v4", date(2026, 11, 27), "a closed engagement completes and hands its messages over"),
    Change(MESSAGES_ON_THEIR_OWN, "v5", date(2026, 11, 27), "each message is sent on its own"),
    Change(MESSAGE_WATCHDOG, "v6", date(2026, 11, 27), "a timer watches each message on its way and flags it late"),
    Change(CARRY_OVER, "v7", date(2026, 11, 27), "continue-as-new carries the messages on their way"),
    Change(REGISTER_PROGRESS, "v8", date(2026, 11, 27), "the register is written as the engagement moves"),
    Change(REGISTER_AT_CLOSING, "v8", date(2026, 11, 27), "the register's closing record, whatever the progress writes did"),
    Change(ACTIONS_AS_SIGNALS, "v9", date(2026, 11, 27), "every action can also arrive as a signal"),
    Change(REMEDIATION_ITEMS_FLAG, "v11", date(2026, 11, 27), "the open-items count became a flag that moves at the plan and the last item"),
    Change(FOLDED_MARKER, "v12", date(2026, 11, 27), "one marker for every change above"),
    Change(DROP_SUPERSEDED_MESSAGES, "v13", date(2026, 11, 27), "a verification drops the notices it makes untrue",
           flag="drops_superseded_messages"),
    Change(ARRIVALS_WITHOUT_COMMANDS, "v14", date(2026, 12, 7), "a message that arrives issues no command"),
    Change(RISKS_LIST, "v15", date(2026, 12, 7), "the risks raised are published as one keyword list"),
    Change(REGISTER_CONTACT, "v16", date(2026, 12, 7), "the register is also written at the contact and at a missed contact SLA"),
    Change(NEXT_STEP, "v16", date(2026, 12, 7), "who acts next, the next step and the nearest deadline are published"),
)
CHANGE_NAMED = MappingProxyType({change.name: change for change in CHANGES})

# Never edit either: every run started since holds one marker for exactly these
# changes (tests/workflow/test_replay.py pins them).
FOLDED_CHANGES = frozenset({
    KICKOFF_SUMMARY_MESSAGE, KEEP_MESSAGES_CURRENT, CLOSE_AT_ONCE, MESSAGES_ON_THEIR_OWN, MESSAGE_WATCHDOG,
    CARRY_OVER, REGISTER_PROGRESS, REGISTER_AT_CLOSING, ACTIONS_AS_SIGNALS, REMEDIATION_ITEMS_FLAG,
})


# A message that arrives issues no command (workflows/outbox.py), so that an update
# in the same workflow task replays in the order it ran. The risks list (workflows/publishing.py)
# is published from a run's start: a run keeps its first answer to a change anyway; so is
# the next step (workflows/publishing.py) and the register's writes at the contact (workflows/registering.py).
ASKED_AT_START = (ARRIVALS_WITHOUT_COMMANDS, RISKS_LIST, NEXT_STEP, REGISTER_CONTACT)


class Patches:
    def __init__(self) -> None:
        """Must run in the run's first workflow task: the workflow's ``__init__``."""
        # Added while engagements were running (tests/histories/v12).
        self._folded = workflow.patched(FOLDED_MARKER)
        self._at_start = {change: workflow.patched(change) for change in ASKED_AT_START}

    def patched(self, change: str) -> bool:
        if change not in CHANGE_NAMED:
            raise ValueError(f"{change!r} is not declared in workflows/patches.py with its corpus folder")
        if self._folded and change in FOLDED_CHANGES:
            return True
        if change in self._at_start:
            return self._at_start[change]
        return workflow.patched(change)
