"""The product's long-running processes, each a `fasttrack` subcommand: the image,
compose, the Makefile and the README start them by these names. Each is imported
only when it starts, so that an operator's command loads none of them."""

from __future__ import annotations

from cli.app import app

PANEL = "Processes"
CONFIGURED_BY_ENVIRONMENT = "Configured by environment variables (the README's Configuration section); no options."


@app.command(epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def worker() -> None:
    """Run the engagement worker: the engagements' workflows and activities, until SIGINT or SIGTERM."""
    from workers.worker import main

    main()


@app.command(epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def intake() -> None:
    """Run the HTTP intake: purchases from commerce, actions from the FastTrack portal and operators."""
    from intake.service import main

    main()


@app.command("codec-server", epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def codec_server() -> None:
    """Run the codec server that lets the Temporal UI and CLI decode the encrypted payloads."""
    from codec_server.service import main

    main()


@app.command(epilog=CONFIGURED_BY_ENVIRONMENT, rich_help_panel=PANEL)
def dev() -> None:
    """Run the development stack (what `make run` starts): the embedded Temporal server with its UI, the
    worker, the intake, the codec server and a local SMTP sink, until Ctrl-C."""
    from devstack.stack import main

    main()
