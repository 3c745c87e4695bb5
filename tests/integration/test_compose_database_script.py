"""The compose deployment's database script, run by a real PostgreSQL server as its
image would: the register's role and database, with the password from the environment."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.postgres import postgres_bin, throwaway_postgres
from tests.support.stack_process import REPOSITORY

SCRIPT = REPOSITORY / "deploy" / "postgres" / "register.sh"


def scram_matches(stored: str, password: str) -> bool:
    """Whether PostgreSQL's SCRAM-SHA-256 verifier was made from ``password`` (RFC 5802)."""
    scheme, iterations_and_salt, keys = stored.split("$")
    iterations, salt = iterations_and_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return scheme == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == base64.b64decode(stored_key)


def run_script(url: str, password: str | None) -> subprocess.CompletedProcess:
    server = make_url(url)
    env = {**os.environ, "POSTGRES_USER": "temporal", "PGHOST": str(server.host), "PGPORT": str(server.port),
           "PATH": f"{postgres_bin()}:{os.environ['PATH']}"}
    env.pop("FASTTRACK_DB_PASSWORD", None)
    if password is not None:
        env["FASTTRACK_DB_PASSWORD"] = password
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def test_it_creates_the_register_role_and_database_with_the_given_password():
    with throwaway_postgres(superuser="temporal") as url:
        done = run_script(url, "it's a long; secret")  # quotes and semicolons stay inside the password
        assert done.returncode == 0, done.stderr
        engine = create_engine(url)
        with engine.connect() as db:
            password = db.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = 'fasttrack'")).scalar_one()
            owner = db.execute(text("SELECT pg_get_userbyid(datdba) FROM pg_database "
                                    "WHERE datname = 'fasttrack_register'")).scalar_one()
        engine.dispose()
        assert scram_matches(password, "it's a long; secret")
        assert not scram_matches(password, "change-me")
        assert owner == "fasttrack"


def test_without_the_password_it_stops_before_creating_anything():
    with throwaway_postgres(superuser="temporal") as url:
        done = run_script(url, None)
        assert done.returncode != 0
        assert "FASTTRACK_DB_PASSWORD" in done.stderr
        engine = create_engine(url)
        with engine.connect() as db:
            assert db.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = 'fasttrack'")).scalar_one() == 0
        engine.dispose()
