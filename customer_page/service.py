"""The customer page's process: ``fasttrack customer-page``.

Configuration comes from FASTTRACK_* environment variables (customer_page/settings.py);
it refuses to start without its link keys, naming what is missing."""

from __future__ import annotations

from customer_page.app import create_app
from customer_page.settings import CustomerPageSettings
from engagement_client.connection import SERVICE_FAILURES, check_at_start, connected_app
from engagement_client.customer_links import link_keys
from engagement_client.settings import ConfigurationError
from process_support.web_service import WebService


def _settings() -> CustomerPageSettings:
    settings = CustomerPageSettings.from_environment()
    check_at_start(settings)
    link_keys(settings)  # refused here, named, rather than at the first link
    return settings


SERVICE = WebService("customer page", _settings,
                     lambda settings: connected_app(settings, create_app, identity="fasttrack customer page"),
                     lambda settings: (settings.page_host, settings.page_port),
                     refused=(ConfigurationError,), failed=SERVICE_FAILURES,
                     forwarded_allow_ips=lambda settings: settings.page_forwarded_allow_ips)
main = SERVICE.main

if __name__ == "__main__":
    main()
