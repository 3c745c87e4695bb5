"""The benchmark's own stack: an embedded dev server, a mail sink, the benchmark's worker
(bench/worker.py) and the HTTP intake and the customer's page, in a scratch folder, each its own process (so that
the CPU each spends is measured apart from the benchmark's clients)."""

from __future__ import annotations

import base64
import os
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from temporalio.client import Client
from temporalio.converter import DataConverter

from bench.cpu import CpuMeter
from customer_page.settings import CustomerPageSettings
from devstack.intake_secrets import development_secrets, intake_environment
from devstack.ports import free_port, port_is_open
from devstack.processes import DevStack, fasttrack_program, log_says, python_module, stop, wait_for
from devstack.settings import StackSettings
from devstack.smtp_sink import SinkSettings
from engagement_client.connection import payload_codec
from engagement_client.payloads import data_converter
from engagement_client.query_retry import QueryRetryInterceptor
from engagement_client.purchases import record_purchase
from engagement_client.settings import ClientSettings
from fasttrack.models import Phase, Purchase
from fasttrack.policy import BenefitPolicy
from intake.settings import IntakeSettings
from register.store import default_url
from simulation.customer import SimulatedCustomer
from simulation.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope
from workers.config import WorkerSettings

TASK_QUEUE = "fasttrack-bench"


def encrypted() -> DataConverter:
    return data_converter(payload_codec(ClientSettings.from_environment()))


class Stack:
    def __init__(self, folder: Path, cache: int, levers: bool = True) -> None:
        self.folder = folder
        self.levers = levers
        self.stack = DevStack(StackSettings(data_dir=folder, temporal_port=free_port(), ui_port=free_port()), ui=False)
        self.sink: subprocess.Popen | None = None
        self.sink_port = free_port()
        self.cache = cache
        # The benchmark's own register, for its clients and its worker alike.
        os.environ["FASTTRACK_DATABASE_URL"] = default_url(folder)
        # Its payloads are encrypted as in production: with the configured keys, or a key of its own.
        if not os.environ.get("FASTTRACK_ENCRYPTION_KEYS"):
            os.environ["FASTTRACK_ENCRYPTION_KEYS"] = f"bench:{base64.b64encode(os.urandom(32)).decode()}"
        self.worker: subprocess.Popen | None = None
        self.intake: subprocess.Popen | None = None
        self.intake_port = free_port()
        self.secrets = development_secrets(folder)
        # The customer's page, whose links the worker's mail carries.
        if not os.environ.get("FASTTRACK_LINK_KEYS"):
            os.environ["FASTTRACK_LINK_KEYS"] = f"bench:{base64.b64encode(os.urandom(32)).decode()}"
        self.page: subprocess.Popen | None = None
        self.page_port = free_port()

    @property
    def address(self) -> str:
        return self.stack.address

    async def start(self) -> Client:
        self.sink = self.stack.start_process(SinkSettings.environment(smtp_port=self.sink_port, mail_dir=self.folder / "mail"),
                                            python_module("devstack.smtp_sink"), output=open(self.folder / "sink.log", "ab"))
        wait_for(lambda: port_is_open(self.sink_port), self.sink, "The mail sink")
        self.stack.start_server(open(self.folder / "server.log", "ab"))
        client = await Client.connect(self.address, data_converter=encrypted(),
                                      interceptors=[QueryRetryInterceptor()])
        self.worker = self.stack.start_process({
            **WorkerSettings.environment(task_queue=TASK_QUEUE, smtp_host="127.0.0.1", smtp_port=self.sink_port,
                                         log_level="WARNING", max_cached_workflows=self.cache, create_register=True,
                                         customer_page_url=self.page_url),
            "FASTTRACK_BENCH_LEVERS": "1" if self.levers else "0",
        }, python_module("bench.worker"), output=open(self.folder / "worker.log", "ab"))
        await log_says(self.folder / "worker.log", "bench worker ready", process=self.worker)
        self.intake = self.stack.start_process({
            **IntakeSettings.environment(task_queue=TASK_QUEUE, data_dir=self.folder),
            **intake_environment(self.secrets, self.intake_port),
        }, fasttrack_program("intake"), output=open(self.folder / "intake.log", "ab"))
        wait_for(lambda: port_is_open(self.intake_port), self.intake, "The HTTP intake")
        self.page = self.stack.start_process(
            # Its rate limits would refuse the benchmark's opens of one link: they are measured apart from it.
            CustomerPageSettings.environment(task_queue=TASK_QUEUE, data_dir=self.folder, page_port=self.page_port,
                                             customer_page_url=self.page_url, page_views_per_minute=10_000,
                                             page_requests_per_address_per_minute=100_000),
            fasttrack_program("customer-page"), output=open(self.folder / "customer-page.log", "ab"))
        wait_for(lambda: port_is_open(self.page_port), self.page, "The customer page")
        return client

    @property
    def page_url(self) -> str:
        return f"http://127.0.0.1:{self.page_port}"

    async def engagement_in_remediate(self, client: Client) -> tuple[Purchase, SimulatedCustomer]:
        """A fresh engagement, taken through Assess with the checklist's gaps (its messages go at once)."""
        purchase = make_purchase(datetime.now(timezone.utc))
        started = await record_purchase(client, purchase, TASK_QUEUE, BenefitPolicy(business_hours=None))
        customer = SimulatedCustomer(started.handle)
        await customer.until_phase(Phase.INITIATE)
        # A target date ahead: today in UTC is yesterday in Paris late in the UTC day.
        await customer.through_assess(make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS),
                                      date.today() + timedelta(days=30))
        return purchase, customer

    def meter(self) -> CpuMeter:
        assert self.worker is not None and self.stack.server is not None
        assert self.sink is not None
        return CpuMeter({"worker": self.worker.pid, "server": self.stack.server.pid, "mail sink": self.sink.pid})

    @property
    def database(self) -> Path:
        """The embedded server's SQLite file (with its write-ahead log beside it)."""
        return self.folder / "temporal.db"

    def stop(self) -> None:
        stop(self.page, "the benchmark's customer page")
        stop(self.intake, "the benchmark's intake")
        stop(self.worker, "the benchmark's worker")
        self.stack.stop_server()
        stop(self.sink, "the benchmark's mail sink")
