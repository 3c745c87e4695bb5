from __future__ import annotations

import uuid

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from devstack.smtp_sink import MailSink
from devstack.settings import server_limit_flags
from tests.support.scenario import require_binary
from workers.client import register_search_attributes
from workflows import search_attributes as sa


@pytest.fixture(scope="session")
async def time_skipping_env():
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(require_binary("temporal-test-server")),
    )
    await register_search_attributes(env.client, env.client.namespace)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_server_env(tmp_path_factory):
    database = tmp_path_factory.mktemp("temporal") / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
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
