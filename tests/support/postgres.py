"""A throwaway PostgreSQL server for the register's tests, from Debian's
`postgresql` package (`make test` installs it when missing): initdb into a
temporary folder, pg_ctl start on a free port, stopped and removed at the end."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from devstack.ports import free_port


def postgres_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not versions:
        raise RuntimeError("PostgreSQL's pg_ctl is missing: install Debian's postgresql package (`make test` does).")
    return Path(versions[-1]).parent


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the package's user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def throwaway_postgres(superuser: str = "fasttrack"):
    """Yields the SQLAlchemy URL of a fresh, empty database, as ``superuser``."""
    binaries = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="fasttrack-pg-"))
    folder.chmod(0o755)
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        for path in (folder, sockets):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
    port = free_port()
    log = folder / "server.log"
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", superuser, "-A", "trust",
                                    "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
    subprocess.run(_as_server_user([
        str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start",
        "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
    ]), check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://{superuser}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
