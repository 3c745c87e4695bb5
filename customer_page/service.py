"""The customer page's process: ``fasttrack customer-page``.

Configuration comes from FASTTRACK_* environment variables (customer_page/settings.py);
it refuses to start without its link keys, naming what is missing."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from customer_page.app import create_app
from customer_page.settings import CustomerPageSettings
from engagement_client.connection import check_at_start, connect
from engagement_client.customer_links import link_keys
from engagement_client.settings import ConfigurationError
from process_support.logs import configure_logging
from process_support.process_exit import exit_now
from register import Register, RegisterUnavailable

log = logging.getLogger("fasttrack.customer_page")


async def serve(settings: CustomerPageSettings) -> None:
    client = await connect(settings, identity="fasttrack customer page")
    register = Register(settings.register_url, create=False)
    register.migrate()
    app = create_app(settings, client, register)
    # No access log: each request's path holds a customer's link.
    server = uvicorn.Server(uvicorn.Config(app, host=settings.page_host, port=settings.page_port, log_config=None,
                                           access_log=False, proxy_headers=True,
                                           forwarded_allow_ips=settings.page_forwarded_allow_ips))
    log.info("customer page started", extra={"address": f"http://{settings.page_host}:{settings.page_port}"})
    await server.serve()
    log.info("customer page stopped")


def main() -> None:
    try:
        settings = CustomerPageSettings.from_environment()
        check_at_start(settings)
        link_keys(settings)
    except ConfigurationError as error:
        raise SystemExit(f"fasttrack customer-page: {error}") from None
    configure_logging("auto", "INFO")
    try:
        asyncio.run(serve(settings))
    except (RuntimeError, RegisterUnavailable) as error:
        log.error("customer page failed", extra={"error": str(error)})
        exit_now(1)
    exit_now(0)


if __name__ == "__main__":
    main()
