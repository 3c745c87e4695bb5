"""How each of the product's HTTP processes runs (the intake, the customer's page, the
board): its settings, or a clear refusal naming what is missing; its app on uvicorn
without an access log (an address may hold a customer's link); a clean exit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import uvicorn
from fastapi import FastAPI

from process_support.logs import configure_logging
from process_support.process_exit import exit_now

S = TypeVar("S")


@dataclass(frozen=True)
class WebService(Generic[S]):
    name: str  # as its log and its refusals name it: "intake", "customer page" …
    load: Callable[[], S]  # its settings from the environment; raises one of ``refused``
    build: Callable[[S], Awaitable[FastAPI]]  # its app, connected to what it reads
    listen: Callable[[S], tuple[str, int]]
    refused: tuple[type[BaseException], ...]  # bad configuration: said, and exit 2
    failed: tuple[type[BaseException], ...]  # what stops it once running: logged, and exit 1
    forwarded_allow_ips: Callable[[S], str] | None = None  # behind a proxy: whose X-Forwarded-For to believe

    @property
    def log(self) -> logging.Logger:
        return logging.getLogger(f"fasttrack.{self.name.replace(' ', '_')}")

    async def serve(self, settings: S) -> None:
        host, port = self.listen(settings)
        trusted = self.forwarded_allow_ips(settings) if self.forwarded_allow_ips else None
        server = uvicorn.Server(uvicorn.Config(await self.build(settings), host=host, port=port, log_config=None,
                                               access_log=False, proxy_headers=trusted is not None,
                                               forwarded_allow_ips=trusted))
        self.log.info(f"{self.name} started", extra={"address": f"http://{host}:{port}"})
        await server.serve()
        self.log.info(f"{self.name} stopped")

    def main(self) -> None:
        try:
            settings = self.load()
        except self.refused as error:
            raise SystemExit(f"fasttrack {self.name.replace(' ', '-')}: {error}") from None
        configure_logging("auto", "INFO")
        try:
            asyncio.run(self.serve(settings))
        except self.failed as error:
            self.log.error(f"{self.name} failed", extra={"error": str(error)})
            exit_now(1)
        exit_now(0)
