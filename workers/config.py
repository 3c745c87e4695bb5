"""The worker's configuration from environment variables: mail, metrics, versioning, cache."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from engagement_client.settings import ClientSettings, CustomerLinkSettings, EnvSettings
from fasttrack.models import Email


class MailSettings(EnvSettings):
    """How the notifier sends email."""

    smtp_host: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)] = "localhost"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 2525
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    sender_email: Email = "fasttrack@fasttrack-orchestrator.example"
    manager_email: Email = "fasttrack-manager@fasttrack-orchestrator.example"


class WorkerSettings(ClientSettings, MailSettings, CustomerLinkSettings):
    metrics_port: Annotated[int | None, Field(ge=1, le=65535)] = Field(
        None, description="Serves /metrics, /healthz and /readyz on this port; none if unset."
    )
    metrics_host: str = Field("127.0.0.1", description="Where the metrics port listens (0.0.0.0 in a container).")
    create_register: bool = Field(
        False, description="Create the SQLite benefit register if its file is missing: for the first start only. "
                           "Otherwise a missing file stops the worker (a moved or lost register would forget R4).")
    deployment_name: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = Field(
        None, description="Worker Versioning: the deployment this worker belongs to (with build_id)."
    )
    build_id: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = Field(
        None, description="Worker Versioning: this worker's build (with deployment_name)."
    )

    @model_validator(mode="after")
    def _versioned_or_not(self) -> WorkerSettings:
        if (self.deployment_name is None) != (self.build_id is None):
            raise ValueError("Worker Versioning needs both FASTTRACK_DEPLOYMENT_NAME and FASTTRACK_BUILD_ID, or neither")
        return self
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    shutdown_grace_seconds: float = Field(10.0, ge=0, le=600)
    max_cached_workflows: int = Field(
        1000, ge=0, le=1_000_000, description="Engagements kept in memory; the others are replayed when they wake."
    )
