"""How each of the product's HTTP processes runs (the intake, the customer's page, the
board): its settings from the environment or a clear refusal, a Temporal client and the
register, its app on uvicorn without an access log, and a clean exit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import uvicorn
from fastapi import FastAPI
from temporalio.client import Client

from engagement_client.connection import check_at_start, connect
from engagement_client.settings import ClientSettings, ConfigurationError
from process_support.logs import configure_logging
from process_support.process_exit import exit_now
from register import Register, RegisterUnavailable

S = TypeVar("S", bound=ClientSettings)


@dataclass(frozen=True)
class WebService(Generic[S]):
    name: str  # as its log and its refusals name it: "intake", "board" …
    load: Callable[[], S]  # its settings from the environment; raises ConfigurationError
    create_app: Callable[[S, Client, Register], FastAPI]
    listen: Callable[[S], tuple[str, int]]
    identity: str | None = None  # the Temporal client's, as the UI shows who acted
    forwarded_allow_ips: Callable[[S], str] | None = None  # behind a proxy: whose X-Forwarded-For to believe

    async def serve(self, settings: S) -> None:
        log = logging.getLogger(f"fasttrack.{self.name.replace(' ', '_')}")
        client = await connect(settings, identity=self.identity)
        register = Register(settings.register_url, create=False)
        register.migrate()
        host, port = self.listen(settings)
        trusted = self.forwarded_allow_ips(settings) if self.forwarded_allow_ips else None
        # No access log: an address may hold a customer's link.
        server = uvicorn.Server(uvicorn.Config(self.create_app(settings, client, register), host=host, port=port,
                                               log_config=None, access_log=False, proxy_headers=trusted is not None,
                                               forwarded_allow_ips=trusted))
        log.info(f"{self.name} started", extra={"address": f"http://{host}:{port}"})
        await server.serve()
        log.info(f"{self.name} stopped")

    def main(self) -> None:
        try:
            settings = self.load()
            check_at_start(settings)
        except ConfigurationError as error:
            raise SystemExit(f"fasttrack {self.name.replace(' ', '-')}: {error}") from None
        configure_logging("auto", "INFO")
        try:
            asyncio.run(self.serve(settings))
        except (RuntimeError, RegisterUnavailable) as error:
            logging.getLogger(f"fasttrack.{self.name.replace(' ', '_')}").error(
                f"{self.name} failed", extra={"error": str(error)})
            exit_now(1)
        exit_now(0)
