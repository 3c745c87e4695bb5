"""A local SMTP server that keeps every message it receives as an ``.eml`` file.

    python -m devstack.smtp_sink        (the embedded stack starts it)

It stands in for the real mail relay on a developer's machine and in tests, so
that anyone can read what the product sent: ``$FASTTRACK_DATA_DIR/mail/``.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import os
import signal
import threading
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated

from aiosmtpd.controller import Controller
from pydantic import Field

from devstack.ports import free_port
from engagement_client.settings import ConfigurationError, EnvSettings


class MailFolderHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        # Like a real relay, refuse a mailbox that does not exist: nobody@ anywhere.
        if address.lower().startswith("nobody@"):
            return "550 5.1.1 No such recipient"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        received = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        with self._lock:
            number = next(self._numbers)
        path = self.folder / f"{received}-{os.getpid()}-{number:06d}.eml"
        partial = path.with_suffix(".partial")
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, path)
        return "250 Message accepted for delivery"


class MailSink:
    """The SMTP server and its folder; ``messages()`` reads back what arrived."""

    def __init__(self, folder: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.folder = folder
        self.controller = Controller(MailFolderHandler(folder), hostname=host, port=port or free_port(host))

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]


class SinkSettings(EnvSettings):
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 2525
    mail_dir: Path = Path("data/mail")


def main() -> None:
    try:
        settings = SinkSettings.from_environment()
    except ConfigurationError as error:
        raise SystemExit(f"fasttrack smtp sink: {error}") from None
    sink = MailSink(settings.mail_dir, settings.smtp_port)
    sink.start()
    print(f"SMTP sink listening on 127.0.0.1:{settings.smtp_port}, keeping messages in {settings.mail_dir}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    sink.stop()


if __name__ == "__main__":
    main()
