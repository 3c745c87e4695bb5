"""The codec server process: ``python -m codec_server.service``.

Configuration comes from FASTTRACK_* environment variables (codec_server/settings.py):
the payload keys as the worker has them, the token, and the UI's origin."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from codec_server.app import create_app
from codec_server.settings import CodecServerSettings
from engagement_client.connection import payload_codec
from engagement_client.settings import ConfigurationError
from process_support.logs import configure_logging
from process_support.process_exit import exit_now

log = logging.getLogger("fasttrack.codec_server")


def main() -> None:
    try:
        settings = CodecServerSettings.from_environment()
        codec = payload_codec(settings)
    except ConfigurationError as error:
        raise SystemExit(f"fasttrack codec server: {error}") from None
    configure_logging("auto", "INFO")
    app = create_app(codec, settings.codec_token.get_secret_value(), settings.origins)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.codec_host, port=settings.codec_port,
                                           log_config=None, access_log=False))  # access logs would show the token
    log.info("codec server started", extra={"address": f"http://{settings.codec_host}:{settings.codec_port}",
                                            "current_key": codec.current, "origins": settings.origins})
    try:
        asyncio.run(server.serve())
    except OSError as error:
        log.error("codec server failed", extra={"error": str(error)})
        exit_now(1)
    log.info("codec server stopped")
    exit_now(0)


if __name__ == "__main__":
    main()
