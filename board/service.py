"""The board's process: ``fasttrack board``.

Configuration comes from FASTTRACK_* environment variables (board/settings.py); it
refuses to start when nobody could sign in, naming what is missing."""

from __future__ import annotations

from board.app import create_app
from board.settings import BoardSettings
from engagement_client.connection import SERVICE_FAILURES, check_at_start, connected_app
from engagement_client.settings import ConfigurationError
from process_support.web_service import WebService


def _settings() -> BoardSettings:
    settings = BoardSettings.from_environment()
    check_at_start(settings)
    missing = settings.configured()
    if missing:
        raise ConfigurationError(missing)
    return settings


SERVICE = WebService("board", _settings, lambda settings: connected_app(settings, create_app, identity="fasttrack board"),
                     lambda settings: (settings.board_host, settings.board_port),
                     refused=(ConfigurationError,), failed=SERVICE_FAILURES)  # its app reads X-Forwarded-For
main = SERVICE.main

if __name__ == "__main__":
    main()
