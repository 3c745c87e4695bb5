"""How the worker, the CLI and the benchmark's worker leave."""

from __future__ import annotations

import logging
import os
import sys

from process_support.tracing import flush_tracing


def exit_now(code: int) -> None:
    """Leaves without interpreter finalization, which the Temporal core's threads
    can abort (temporalio/sdk-python#300); everything is already shut down."""
    flush_tracing()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
