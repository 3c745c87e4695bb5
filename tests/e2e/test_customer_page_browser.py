"""The customer's page on the `make run` stack, in Debian's Chromium: the link in the
checklist mail opens it, an item is marked done with a note, and the page, `fasttrack
status` and the Temporal UI's history all show it; axe-core finds no WCAG 2.1 AA
violation in any state of the page; screenshots in English, French and Japanese."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright
from temporalio.client import Client

from engagement_client.purchases import record_purchase
from engagement_client.query_retry import QueryRetryInterceptor
from fasttrack.contract import TASK_QUEUE
from fasttrack.models import Person
from simulation.page_links import page_link
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS, text_of_all_frames
from tests.support.encryption import encrypted_converter
from tests.support.scenario import (
    ENVIRONMENT_WITH_GAPS,
    EVERY_DAY_NINE_TO_FIVE,
    drive_through_assess,
    make_environment,
    make_purchase,
    make_scope,
    state_of,
    zone_where_it_is,
)
from tests.support.stack_process import REPOSITORY

AXE = REPOSITORY / "tests" / "e2e" / "accessibility" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPOSITORY / "build" / "screenshots"  # the docs show copies of them, in docs/
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PEOPLE = {"en": ("Contoso", "Paula Jones"), "fr": ("Fabrikam", "Camille Martin"), "ja": ("Northwind", "佐藤 花子")}


async def no_accessibility_violation(page: Page, state: str) -> None:
    """axe-core, injected into the page (the test's context bypasses the page's CSP to do so)."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                                 WCAG_21_AA)
    violations = [(violation["id"], violation["help"], [node["html"] for node in violation["nodes"]][:3])
                  for violation in result["violations"]]
    assert violations == [], f"{state}: {violations}"
    assert result["passes"], f"{state}: axe checked nothing"


def fasttrack(stack, *arguments: str) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "fasttrack"), "--address", f"127.0.0.1:{stack.port}",
                           *arguments], capture_output=True, text=True, timeout=60,
                          env={**stack.client_environment(), "COLUMNS": "250"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.timeout(400)
async def test_a_customer_marks_an_item_done_from_the_link_in_their_checklist_mail(stack):
    assert CHROMIUM.is_file(), "Debian's chromium is missing: `make test` installs it (apt-get install chromium)."
    assert AXE.is_file(), "axe-core is missing: `make test` installs it (npm ci in tests/e2e/accessibility)."
    stack.start()
    client = await Client.connect(f"127.0.0.1:{stack.port}", data_converter=encrypted_converter(),
                                  interceptors=[QueryRetryInterceptor()])
    now = datetime.now(timezone.utc)
    handles, links = {}, {}
    for language, (organization, name) in PEOPLE.items():
        purchase = make_purchase(now, organization=organization, preferred_language=language,
                                 time_zone=zone_where_it_is(12, now),
                                 customer_contact=Person(name=name, email=f"it@{organization.lower()}.example"))
        started = await record_purchase(client, purchase, TASK_QUEUE, EVERY_DAY_NINE_TO_FIVE, register=stack.register)
        scope = make_scope(language=language, project_manager=Person(name=name, email=f"pm@{organization.lower()}.example"))
        await drive_through_assess(started.handle, scope, make_environment(**ENVIRONMENT_WITH_GAPS), now.date())
        handles[language] = started.handle
    for language, handle in handles.items():
        found = await page_link(stack.data_dir / "mail", handle.id, seconds=60)
        assert found is not None, f"the checklist mail in {language}"
        links[language] = found
    assert all(link.startswith(f"http://127.0.0.1:{stack.page_port}/e/") for link in links.values())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        page = await context.new_page()
        served = await page.goto(links["en"])
        assert served is not None and served.status == 200
        assert "frame-ancestors 'none'" in served.headers["content-security-policy"]
        await page.get_by_role("heading", name="What we need from you").wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone
        await no_accessibility_violation(page, "the page")
        state = await state_of(handles["en"])
        item = state.checklist[0]
        form = page.locator("form.step", has=page.locator(f'input[name="id"][value="{item.id}"]'))
        await form.get_by_label("A note for FastTrack (optional)").fill("Raised to 2012 R2 on Friday.")
        await form.get_by_role("button", name="Mark as done").click()
        await page.get_by_role("heading", name="Your answer").wait_for()
        answer = await page.locator("section.answer").inner_text()
        assert "Recorded:" in answer and "customer-page/complete_remediation_item/" in answer
        done_section = await page.locator("section", has=page.get_by_role("heading", name="Done")).inner_text()
        assert "forest" in done_section.lower()
        await no_accessibility_violation(page, "the answer")
        await page.screenshot(path=SCREENSHOTS / "customer-page-en.png", full_page=True)

        # The same step again from a page opened before it was done: refused, in the customer's words.
        stale = await context.new_page()
        await stale.goto(links["fr"])
        fr_item = (await state_of(handles["fr"])).checklist[0].id
        fasttrack(stack, "item-done", handles["fr"].id, fr_item, "--by", "Ana (FastTrack)")
        stale_form = stale.locator("form.step", has=stale.locator(f'input[name="id"][value="{fr_item}"]'))
        await stale_form.get_by_role("button").click()
        await stale.get_by_text("Cette étape a déjà été marquée comme terminée", exact=False).wait_for()
        await no_accessibility_violation(stale, "a refusal")
        await stale.goto(links["fr"])
        await stale.screenshot(path=SCREENSHOTS / "customer-page-fr.png", full_page=True)
        japanese = await context.new_page()
        await japanese.goto(links["ja"])
        assert await japanese.locator("html").get_attribute("lang") == "ja"
        await no_accessibility_violation(japanese, "the page in Japanese")
        await japanese.screenshot(path=SCREENSHOTS / "customer-page-ja.png", full_page=True)
        unknown = await context.new_page()
        missing = await unknown.goto(links["en"][:-12] + "AAAAAAAAAAAA")
        assert missing is not None and missing.status == 404
        await no_accessibility_violation(unknown, "a link that does not open")

        # The step is on the engagement, by the contact; `fasttrack status` says it, and when the page was opened.
        state = await state_of(handles["en"])
        (done,) = [entry for entry in state.checklist if entry.id == item.id]
        assert done.status.value == "done" and done.done_by == "Paula Jones"
        status = fasttrack(stack, "status", handles["en"].id)
        assert re.search(rf"{re.escape(item.id)}\s.*\bdone\b", status), status
        assert re.search(r"Customer page\s+last opened \d{4}-\d{2}-\d{2} \d{2}:\d{2}", status), status
        timeline = fasttrack(stack, "timeline", handles["en"].id)
        assert re.search(r"remediation_item_done\s+│\s+Paula Jones", timeline), timeline
        report = fasttrack(stack, "report", handles["en"].id)  # the timeline's details, each on one line
        assert re.search(r"remediation_item_done \| Paula Jones \| .* — Raised to 2012 R2 on Friday\. \|", report), report

        # The Temporal UI's history: the update, its id naming the customer's page, the contact as actor.
        ui = await context.new_page()
        await ui.set_viewport_size({"width": 1400, "height": 1400})
        await ui.goto(f"http://127.0.0.1:{stack.ui_port}/namespaces/default/workflows/{handles['en'].id}")
        await ui.wait_for_url(re.compile(r"/timeline$"))
        await ui.goto(ui.url.removesuffix("/timeline") + "/history")
        await ui.get_by_text("complete_remediation_item", exact=True).filter(visible=True).first.click(timeout=30_000)
        # The update's id shows at once; its input once the UI has decoded it through the codec server.
        shown = await text_of_all_frames(ui, "Raised to 2012 R2 on Friday.", attempts=240)
        assert "customer-page/complete_remediation_item/" in shown and "Paula Jones" in shown, shown[:3000]
        assert "fasttrack customer page@" in shown  # the caller's identity
        await ui.screenshot(path=SCREENSHOTS / "ui-customer-page-update.png")
        await browser.close()
    for handle in handles.values():
        await handle.terminate("test finished")
    assert stack.stop() == 0
