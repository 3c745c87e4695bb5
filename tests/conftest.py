from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from temporalio.testing import WorkflowEnvironment

from devstack.settings import server_limit_flags
from devstack.smtp_sink import MailSink
from engagement_client.purchases import register_search_attributes
from engagement_client.query_retry import QueryRetryInterceptor
from register import Register
from register.store import default_url
from tests.support.encryption import SUITE_KEYS, encrypted_converter
from tests.support.postgres import throwaway_postgres
from tests.support.scenario import require_binary
from tests.support.worker_process import WorkerProcess
from workflows import search_attributes as sa


@pytest.fixture(scope="session", autouse=True)
def session_register(tmp_path_factory):
    """One benefit register (a SQLite file) for the session: workers, clients and the
    command line the tests start all find it through FASTTRACK_DATABASE_URL."""
    url = default_url(tmp_path_factory.mktemp("register"))
    Register(url).migrate()  # as a worker does on its first start: a purchase may come before any worker
    os.environ["FASTTRACK_DATABASE_URL"] = url
    yield url
    os.environ.pop("FASTTRACK_DATABASE_URL", None)


@pytest.fixture(scope="session", autouse=True)
def session_keys():
    """The suite's payload key, for every worker, client and command line the tests start."""
    os.environ["FASTTRACK_ENCRYPTION_KEYS"] = SUITE_KEYS
    yield SUITE_KEYS
    os.environ.pop("FASTTRACK_ENCRYPTION_KEYS", None)


@pytest.fixture(scope="session")
def postgres_server():
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty register database: a SQLite file, or a new database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return default_url(tmp_path)
    return request.getfixturevalue("postgres_database_url")


@pytest.fixture
def postgres_database_url(postgres_server):
    server = make_url(postgres_server)
    name = f"register_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
async def time_skipping_env():
    """A time-skipping server for each test file: a workflow another file leaves open
    (an activity no worker will take) would hold its clock back for every file after
    it, and which files share a worker changes from run to run under pytest-xdist."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=encrypted_converter(),
        interceptors=[QueryRetryInterceptor()],
        test_server_existing_path=str(require_binary("temporal-test-server")),
    )
    await register_search_attributes(env.client, env.client.namespace)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_server_env(tmp_path_factory):
    database = tmp_path_factory.mktemp("temporal") / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        data_converter=encrypted_converter(),
        interceptors=[QueryRetryInterceptor()],
        dev_server_existing_path=str(require_binary("temporal")),
        dev_server_database_filename=str(database),
        search_attributes=sa.ALL,
        dev_server_extra_args=[
            "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal", *server_limit_flags()
        ],
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def mail_sink(tmp_path_factory):
    """A real local SMTP server (aiosmtpd) shared by the tests; each reads its own engagements' mail."""
    sink = MailSink(tmp_path_factory.mktemp("mail"))
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def task_queue() -> str:
    return f"fasttrack-test-{uuid.uuid4()}"


@pytest.fixture
def worker_process(dev_server_env, task_queue, tmp_path, mail_sink):
    """Makes `fasttrack worker` processes on the suite's dev server, the test's task queue
    and the mail sink (more WorkerSettings as keywords); each is killed at the end."""
    made: list[WorkerProcess] = []

    def make(name: str = "worker", **settings: object) -> WorkerProcess:
        if any(worker.log.stem == name for worker in made):
            raise ValueError(f"a worker named {name!r} was already made in this test: each needs a log of its own")
        worker = WorkerProcess(dev_server_env.client.service_client.config.target_host, tmp_path, name,
                               **{"task_queue": task_queue, "smtp_port": mail_sink.port, **settings})
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.kill()
