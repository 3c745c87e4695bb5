import asyncio, tempfile, logging
from datetime import datetime, timezone
from pathlib import Path
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from devstack.smtp_sink import MailSink
from tests.support.scenario import *
from workflows import search_attributes as sa
from workers.client import record_purchase
from fasttrack.policy import BenefitPolicy
from fasttrack.models import Phase
import sys
N=int(sys.argv[1])
async def main():
    d = Path(tempfile.mkdtemp())
    env = await WorkflowEnvironment.start_local(data_converter=pydantic_data_converter, dev_server_existing_path=str(require_binary("temporal")), search_attributes=sa.ALL,
        dev_server_extra_args=["--dynamic-config-value","limit.blobSize.error=1048576","--dynamic-config-value","limit.blobSize.warn=262144"])
    sink = MailSink(d / "mail"); sink.start()
    async with running_worker(env.client, "q", sink, d / "n"):
        now = datetime.now(timezone.utc)
        s = await record_purchase(env.client, make_purchase(now), "q", BenefitPolicy(business_hours=None))
        await wait_for_phase(s.handle, Phase.INITIATE)
        try:
            await asyncio.wait_for(s.handle.execute_update("record_contact", {"by": "Ana", "note": "x"*N}), 20)
        except Exception as e:
            print("ERR", type(e).__name__, str(e)[:300], repr(getattr(e, 'cause', None))[:300])
        await asyncio.sleep(2)
        h = await s.handle.fetch_history()
        print("EVENTS", [e.event_type for e in h.events][-6:])
        for e in h.events:
            if e.event_type == 8: print("WFT FAILED", str(e.workflow_task_failed_event_attributes.failure.message)[:300])
    sink.stop(); await env.shutdown()
asyncio.run(main())
