"""The intake process: ``python -m intake.service``.

Configuration comes from FASTTRACK_* environment variables (intake/settings.py);
it refuses to start without its secrets and tokens, naming what is missing."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from engagement_client.connection import check_at_start, connect
from engagement_client.settings import ConfigurationError
from intake.app import create_app
from intake.settings import IntakeSettings
from process_support.logs import configure_logging
from process_support.process_exit import exit_now
from register import Register, RegisterUnavailable

log = logging.getLogger("fasttrack.intake")


async def serve(settings: IntakeSettings) -> None:
    client = await connect(settings)
    register = Register(settings.register_url, create=False)
    register.migrate()
    app = create_app(settings, client, register)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.intake_host, port=settings.intake_port,
                                           log_config=None, access_log=False))
    log.info("intake started", extra={"address": f"http://{settings.intake_host}:{settings.intake_port}"})
    await server.serve()
    log.info("intake stopped")


def main() -> None:
    try:
        settings = IntakeSettings.from_environment()
        check_at_start(settings)
    except ConfigurationError as error:
        raise SystemExit(f"fasttrack intake: {error}") from None
    configure_logging("auto", "INFO")
    try:
        asyncio.run(serve(settings))
    except (RuntimeError, RegisterUnavailable) as error:
        log.error("intake failed", extra={"error": str(error)})
        exit_now(1)
    exit_now(0)


if __name__ == "__main__":
    main()
