"""The customer page's configuration: its address, its limits, who the customer writes to,
and the link keys it opens links with (shared with the worker, which makes them)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import Field

from engagement_client.settings import ClientSettings, CustomerLinkSettings
from fasttrack.models import Email


class CustomerPageSettings(ClientSettings, CustomerLinkSettings):
    page_host: str = Field("127.0.0.1", description="Where the customer page listens (0.0.0.0 in a container).")
    page_port: Annotated[int, Field(ge=1, le=65535)] = 8390
    manager_email: Email = Field("fasttrack-manager@fasttrack-orchestrator.example",
                                 description="The address the page gives the customer to write to.")
    page_views_per_minute: Annotated[int, Field(ge=1, le=10_000)] = Field(
        30, description="Requests one link may make in a minute (each replica counts its own)."
    )
    page_actions_per_minute: Annotated[int, Field(ge=1, le=10_000)] = Field(
        10, description="Steps one link may send in a minute."
    )
    page_requests_per_address_per_minute: Annotated[int, Field(ge=1, le=100_000)] = Field(
        120, description="Requests one client address may make in a minute, whatever the link."
    )
    page_forwarded_allow_ips: str = Field(
        "127.0.0.1", description="Proxies trusted to say the client's address (X-Forwarded-For), comma-separated."
    )

    @property
    def secure_cookies(self) -> bool:
        return (self.page_url or "").startswith("https://")

    def form_secret(self) -> str:
        """Signs the forms' CSRF tokens; derived from the link keys, so that it needs no setting of its own."""
        return hashlib.sha256(b"customer-page-forms\0" + self.link_keys_text().encode()).hexdigest()
