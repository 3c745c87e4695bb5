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

from types import MappingProxyType

from temporalio import workflow

# Every change made while engagements were running, and the corpus folder
# (tests/histories/) recorded right after it. Never rename one: the name is in histories.
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
CORPUS_OF = MappingProxyType({
    KICKOFF_SUMMARY_MESSAGE: "v2", KEEP_MESSAGES_CURRENT: "v3", CLOSE_AT_ONCE: "v4", MESSAGES_ON_THEIR_OWN: "v5",
    MESSAGE_WATCHDOG: "v6", CARRY_OVER: "v7", REGISTER_PROGRESS: "v8", REGISTER_AT_CLOSING: "v8",
    ACTIONS_AS_SIGNALS: "v9", REMEDIATION_ITEMS_FLAG: "v11", FOLDED_MARKER: "v12", DROP_SUPERSEDED_MESSAGES: "v13",
    ARRIVALS_WITHOUT_COMMANDS: "v14",
})

# Never edit either: every run started since holds one marker for exactly these
# changes (tests/workflow/test_replay.py pins them).
FOLDED_CHANGES = frozenset({
    KICKOFF_SUMMARY_MESSAGE, KEEP_MESSAGES_CURRENT, CLOSE_AT_ONCE, MESSAGES_ON_THEIR_OWN, MESSAGE_WATCHDOG,
    CARRY_OVER, REGISTER_PROGRESS, REGISTER_AT_CLOSING, ACTIONS_AS_SIGNALS, REMEDIATION_ITEMS_FLAG,
})


# A message that arrives issues no command (workflows/outbox.py), so that an update
# in the same workflow task replays in the order it ran.
ASKED_AT_START = (ARRIVALS_WITHOUT_COMMANDS,)


class Patches:
    def __init__(self) -> None:
        """Must run in the run's first workflow task: the workflow's ``__init__``."""
        # Added while engagements were running (tests/histories/v12).
        self._folded = workflow.patched(FOLDED_MARKER)
        self._at_start = {change: workflow.patched(change) for change in ASKED_AT_START}

    def patched(self, change: str) -> bool:
        if change not in CORPUS_OF:
            raise ValueError(f"{change!r} is not declared in workflows/patches.py with its corpus folder")
        if self._folded and change in FOLDED_CHANGES:
            return True
        if change in self._at_start:
            return self._at_start[change]
        return workflow.patched(change)
