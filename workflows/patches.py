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

from temporalio import workflow

# Never edit either: every run started since holds one marker for exactly these
# changes (tests/workflow/test_replay.py pins them).
FOLDED_MARKER = "changes-up-to-remediation-items-flag"
FOLDED_CHANGES = frozenset({
    "kickoff-summary-message", "keep-messages-current", "close-at-once", "messages-on-their-own",
    "message-watchdog", "carry-over", "register-progress", "register-at-closing", "actions-as-signals",
    "remediation-items-flag",
})


# Added while engagements were running (tests/histories/v14): a message that arrives
# issues no command (workflows/outbox.py), so that an update in the same workflow task
# replays in the order it ran.
ARRIVALS_WITHOUT_COMMANDS = "arrivals-without-commands"
ASKED_AT_START = (ARRIVALS_WITHOUT_COMMANDS,)


class Patches:
    def __init__(self) -> None:
        """Must run in the run's first workflow task: the workflow's ``__init__``."""
        # Added while engagements were running (tests/histories/v12).
        self._folded = workflow.patched(FOLDED_MARKER)
        self._at_start = {change: workflow.patched(change) for change in ASKED_AT_START}

    def patched(self, change: str) -> bool:
        if self._folded and change in FOLDED_CHANGES:
            return True
        if change in self._at_start:
            return self._at_start[change]
        return workflow.patched(change)
