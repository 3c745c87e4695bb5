"""The product's long-running processes, each a `fasttrack` subcommand: the image,
compose, the Makefile and the docs start them by these names. Each is imported
only when it starts, so that an operator's command loads none of them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from cli.app import app, errors, options
from process_support.process_exit import exit_now

PANEL = "Processes"
CONFIGURED_BY_ENVIRONMENT = "Configured by environment variables (docs/configuration.md); no options."


def _serve(name: str, main: Callable[[], None]) -> None:
    """Runs a process's own main. Its connection comes from the environment only: the
    operator commands' --address and --namespace are refused rather than ignored. A fault
    of its own is logged with its traceback (the log withholds exception messages)."""
    if options.address or options.namespace:
        errors.print(f"[red]Bad input:[/red] `fasttrack {name}` is configured by environment variables only: "
                     "set TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE (or a profile) instead of --address and --namespace.")
        exit_now(2)
    try:
        main()
    except Exception:
        logging.getLogger(f"fasttrack.{name}").exception(f"{name} failed")
        exit_now(1)


@app.command(epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def worker() -> None:
    """Run the engagement worker: the engagements' workflows and activities, until SIGINT or SIGTERM."""
    from workers.worker import main

    _serve("worker", main)


@app.command(epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def intake() -> None:
    """Run the HTTP intake: purchases from commerce, actions from the FastTrack portal and operators."""
    from intake.service import main

    _serve("intake", main)


@app.command("codec-server", epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def codec_server() -> None:
    """Run the codec server that lets the Temporal UI and CLI decode the encrypted payloads."""
    from codec_server.service import main

    _serve("codec-server", main)


@app.command(epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def dev() -> None:
    """Run the development stack (what `make run` starts): the embedded Temporal server with its UI, the
    worker, the intake, the codec server and a local SMTP sink, until Ctrl-C."""
    from devstack.stack import main

    _serve("dev", main)


@app.command("customer-page", epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def customer_page() -> None:
    """Run the customer's page: the personal link in their mail opens it, to see what is open and mark it done."""
    from customer_page.service import main

    _serve("customer-page", main)


@app.command(epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def board() -> None:
    """Run the FastTrack team's board: every open engagement's deadline, risks and next step, and the trends."""
    from board.service import main

    _serve("board", main)
