"""The intake process: ``fasttrack intake`` (``python -m intake.service``).

Configuration comes from FASTTRACK_* environment variables (intake/settings.py);
it refuses to start without its secrets and tokens, naming what is missing."""

from __future__ import annotations

from intake.app import create_app
from intake.settings import IntakeSettings
from process_support.web_service import WebService

SERVICE = WebService("intake", IntakeSettings.from_environment, create_app,
                     lambda settings: (settings.intake_host, settings.intake_port))
main = SERVICE.main

if __name__ == "__main__":
    main()
