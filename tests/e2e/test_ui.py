"""The Temporal UI of the embedded stack tells an engagement's story (headless Chromium)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from temporalio.client import Client, WorkflowHandle

from engagement_client.purchases import record_purchase
from engagement_client.query_retry import QueryRetryInterceptor
from fasttrack.contract import TASK_QUEUE
from fasttrack.models import EngagementResult, Phase
from simulation.customer import SimulatedCustomer
from tests.support.encryption import encrypted_converter
from tests.support.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope
from tests.support.stack_process import REPOSITORY, play_demo
from workflows.engagement import EngagementWorkflow

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPOSITORY / "build" / "screenshots"
# Chromium as root, with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


async def text_of_all_frames(page, awaited: str, attempts: int = 60) -> str:
    """The visible text of the page and of every frame in it, once ``awaited`` shows."""
    for _ in range(attempts):
        texts = []
        for frame in page.frames:
            try:
                texts.append(await frame.inner_text("body"))
            except Exception:  # a frame still loading or already gone
                continue
        shown = " ".join(" ".join(texts).split())
        if awaited in shown:
            return shown
        await asyncio.sleep(0.25)
    raise AssertionError(f"{awaited!r} never showed; the page said: {shown[:2000]}")


@pytest.mark.timeout(300)
async def test_ui_shows_summaries_and_current_details_of_a_demo_engagement(stack):
    assert CHROMIUM.is_file(), "Debian's chromium is missing: `make test` installs it (apt-get install chromium)."
    stack.start()
    pages = await play_demo(stack)
    assert set(pages) == {"Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove", "Litware"}
    assert stack.demo_page_link is not None and stack.demo_page_link.startswith(f"http://127.0.0.1:{stack.page_port}/e/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 1400})
        # Tailspin never answered: outreach, the missed contact window, the escalation.
        await page.goto(pages["Tailspin"])
        for text in (
            "Verify eligibility (R1)",  # activity summaries
            "Send: Outreach attempt 1 of 5",
            "Send: Contact SLA missed: escalated to the FastTrack manager",
            "Outreach attempt 2 of 5",  # timer summaries
            "Contact window ends",
        ):
            await page.get_by_text(text, exact=False).first.wait_for(timeout=30_000)
        await page.screenshot(path=SCREENSHOTS / "engagement-timeline.png")
        # Its input is encrypted in Temporal: the UI shows it decrypted, through the codec server.
        shown = await text_of_all_frames(page, "it-admin@tailspin.example")
        assert "Tailspin (demo)" in shown and "binary/encrypted" not in shown
        await page.screenshot(path=SCREENSHOTS / "engagement-input.png")

        await page.get_by_text("User Metadata").click()
        await page.get_by_text("Current Details").first.wait_for(timeout=15_000)
        # The UI renders summaries and details (Markdown) inside frames of their own.
        shown = await text_of_all_frames(page, "Risk: contact SLA breached")
        assert "Tailspin (demo) — tenant" in shown  # static summary at start
        assert "Phase: initiate" in shown
        assert "Initiate: first contact with FastTrack" in shown
        await page.screenshot(path=SCREENSHOTS / "engagement-details.png")

        # Fabrikam went through a rejected verification: the checkpoint timers and the notice show.
        await page.goto(pages["Fabrikam"])
        # The timeline draws only the rows that fit the window: a tall one holds this long history.
        await page.set_viewport_size({"width": 1400, "height": 6000})
        for text in ("Send: Verification 1: items reopened", "Checkpoint call", "Hand over 1 message(s) to workflow"):
            await page.get_by_text(text, exact=False).first.wait_for(timeout=30_000)
        # Its closing message went out from the workflow the engagement handed it to.
        client = await Client.connect(f"127.0.0.1:{stack.port}", data_converter=encrypted_converter(),
                                  interceptors=[QueryRetryInterceptor()])
        fabrikam: WorkflowHandle[EngagementWorkflow, EngagementResult] = client.get_workflow_handle_for(
            EngagementWorkflow.run, pages["Fabrikam"].rsplit("/", 1)[1])
        delivery_id = (await fabrikam.result()).message_delivery_id
        assert delivery_id is not None
        await page.goto(pages["Fabrikam"].rsplit("/", 1)[0] + "/" + delivery_id)
        await page.get_by_text("Send: Engagement completed", exact=False).first.wait_for(timeout=30_000)
        await page.screenshot(path=SCREENSHOTS / "message-delivery.png")

        # A step completed by a signal, and a signal refused: both in the history, the refusal in the details.
        started = await record_purchase(client, make_purchase(datetime.now(timezone.utc), organization="Signalled"),
                                        TASK_QUEUE, register=stack.register)
        await SimulatedCustomer(started.handle).until_phase(Phase.INITIATE)
        await started.handle.signal("record_contact", {"by": "Ana (FastTrack)", "request_id": "ui-1"})
        await started.handle.signal("complete_task", {"by": "Sam", "task_id": "core.dns"})
        await page.set_viewport_size({"width": 1400, "height": 1400})
        await page.goto(pages["Fabrikam"].rsplit("/", 1)[0] + "/" + started.handle.id)
        for text in ("record_contact", "complete_task"):  # the two signals, on the timeline
            await page.get_by_text(text, exact=True).filter(visible=True).first.wait_for(timeout=30_000)
        await page.get_by_text("User Metadata").click()
        shown = await text_of_all_frames(page, "1 signal(s) refused (see the timeline)")
        assert "Risk:" in shown
        await page.screenshot(path=SCREENSHOTS / "engagement-signals.png")
        await started.handle.terminate("test finished")

        # An item completed with the command line: its update names the item in the event history.
        remediating = await record_purchase(client, make_purchase(datetime.now(timezone.utc), organization="Items"),
                                            TASK_QUEUE, register=stack.register)
        customer = SimulatedCustomer(remediating.handle)
        await customer.until_phase(Phase.INITIATE)
        await customer.through_assess(make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), date(2027, 3, 1))
        item = (await customer.state()).checklist[0].id
        done = subprocess.run([str(Path(sys.executable).parent / "fasttrack"), "--address", f"127.0.0.1:{stack.port}",
                               "item-done", remediating.handle.id, item, "--request-id", "ticket-7"],
                              capture_output=True, text=True, timeout=60, env=stack.client_environment())
        assert done.returncode == 0, done.stdout + done.stderr
        await page.goto(pages["Fabrikam"].rsplit("/", 1)[0] + "/" + remediating.handle.id)
        await page.wait_for_url(re.compile(r"/timeline$"))  # the UI opens the latest run's timeline
        await page.goto(page.url.removesuffix("/timeline") + "/history")  # its event history, newest first
        await page.get_by_text("complete_remediation_item", exact=True).filter(visible=True).first.click(timeout=30_000)
        shown = await text_of_all_frames(page, f"complete_remediation_item/{item}/")
        assert re.search(rf"Update ID complete_remediation_item/{re.escape(item)}/[0-9a-f]{{12}}", shown), shown[:3000]
        await page.screenshot(path=SCREENSHOTS / "engagement-item-update.png")
        await remediating.handle.terminate("test finished")
        await browser.close()
    assert stack.stop() == 0
