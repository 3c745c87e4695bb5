"""The intake process: ``fasttrack intake`` (``python -m intake.service``).

Configuration comes from FASTTRACK_* environment variables (intake/settings.py);
it refuses to start without its secrets and tokens, naming what is missing."""

from __future__ import annotations

from engagement_client.connection import SERVICE_FAILURES, check_at_start, connected_app
from engagement_client.settings import ConfigurationError
from intake.app import create_app
from intake.settings import IntakeSettings
from process_support.web_service import WebService


def _settings() -> IntakeSettings:
    settings = IntakeSettings.from_environment()
    check_at_start(settings)
    return settings


SERVICE = WebService("intake", _settings, lambda settings: connected_app(settings, create_app),
                     lambda settings: (settings.intake_host, settings.intake_port),
                     refused=(ConfigurationError,), failed=SERVICE_FAILURES)
main = SERVICE.main

if __name__ == "__main__":
    main()
