"""The FastTrack team's board on the `make run` stack after `make demo`, in Debian's
Chromium: nothing without signing in; Tailspin first, its contact SLA breached; a phase
filter; Contoso and Fabrikam completed in the trends; an engagement whose timeline is
`fasttrack timeline`'s; the same counts as the worker's /metrics and `fasttrack list`;
no action anywhere; axe-core finds no WCAG 2.1 AA violation; screenshots for the docs."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import Counter

import pytest
from playwright.async_api import Page, async_playwright
from prometheus_client.parser import text_string_to_metric_families

from fasttrack.models import CLOSED_PHASES, Phase
from tests.e2e.test_customer_page_browser import AXE, SCREENSHOTS, fasttrack, no_accessibility_violation
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS
from tests.support.stack_process import play_demo

# A day of the demo lasts a second, as in `make demo`: Tailspin's and Litware's years end six minutes
# after their purchase, time for this test on a busy machine.
DAY_SECONDS = 1.0


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def board_counts(html: str) -> tuple[dict[str, int], dict[str, int]]:
    phases = {phase: int(count) for phase, count in re.findall(r'data-phase="(\w+)">(\d+)<', html)}
    risks = {risk: int(count) for risk, count in re.findall(r'data-risk="(\w+)">(\d+)<', html)}
    return phases, risks


def metric_counts(text: str) -> tuple[dict[str, int], dict[str, int]]:
    families = {family.name: family for family in text_string_to_metric_families(text)}
    phases = {sample.labels["phase"]: int(sample.value) for sample in families["fasttrack_engagements"].samples}
    risks = {sample.labels["risk"]: int(sample.value)
             for sample in families["fasttrack_open_engagements_at_risk"].samples}
    return phases, risks


def listed_counts(stack) -> dict[str, int]:
    """`fasttrack list --open`: one row per open engagement, by phase."""
    rows = json.loads(fasttrack(stack, "list", "--open", "--json"))
    return dict(Counter(row["phase"] for row in rows))


async def same_moment(stack, board: str, token: str) -> None:
    """The board's counts, /metrics' and `fasttrack list`'s, read one after the other: equal
    in a round where nothing moved in between (the demo's engagements keep their clocks)."""
    rounds = []
    for _ in range(5):
        shown = board_counts(get(f"{board}/board", token)[1])
        metrics = metric_counts(get(f"http://127.0.0.1:{stack.metrics_port}/metrics")[1])
        listed = listed_counts(stack)
        again = board_counts(get(f"{board}/board", token)[1])
        rounds.append((shown, metrics, listed))
        if shown == again:
            break
    shown, metrics, listed = rounds[-1]
    assert shown == metrics, rounds
    assert {phase: count for phase, count in shown[0].items()
            if count and Phase(phase) not in CLOSED_PHASES} == listed, rounds
    assert shown[0]["completed"] == 2 and shown[0]["initiate"] == 1 and shown[1]["contact_sla_breached"] >= 1


async def nothing_without_signing_in(page: Page, board: str) -> None:
    for path in ("/board", "/board/trends", "/board/charts/flow.svg", "/board/e/fasttrack-intune-x", "/nowhere"):
        answer = await page.goto(board + path)
        assert answer is not None and answer.status == 401, path
        text = await page.inner_text("body")
        assert "Sign in" in text and not re.search(r"Tailspin|Contoso|Litware|fasttrack-intune-", text), path


@pytest.mark.timeout(500)
async def test_the_team_reads_the_board_after_the_demo(stack):
    assert CHROMIUM.is_file(), "Debian's chromium is missing: `make test` installs it (apt-get install chromium)."
    assert AXE.is_file(), "axe-core is missing: `make test` installs it (npm ci in tests/e2e/accessibility)."
    stack.start()
    assert re.search(rf"board\s*:?.*http://127\.0\.0\.1:{stack.board_port}/board", stack.output.read_text(), re.I)
    demo = await play_demo(stack, day_seconds=DAY_SECONDS)
    board = f"http://127.0.0.1:{stack.board_port}"
    secrets = json.loads((stack.data_dir / "intake-dev-secrets.json").read_text())
    reader, operator = secrets["reader_token"], secrets["operator_token"]
    assert get(f"{board}/board")[0] == 401
    assert get(f"{board}/board", "x" * 40)[0] == 401
    await same_moment(stack, board, operator)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
        page = await context.new_page()
        await nothing_without_signing_in(page, board)
        await page.goto(f"{board}/board/trends")  # a link from a colleague: signing in leads there
        await no_accessibility_violation(page, "sign-in")
        await page.fill("#token", "not-a-token-" + "x" * 30)
        await page.click("button:has-text('Sign in')")
        assert "This token is not known." in await page.inner_text("body")
        await page.fill("#token", reader)
        await page.click("button:has-text('Sign in')")
        await page.wait_for_url(f"{board}/board/trends")
        assert "Signed in as Reader (dev) (read only)" in await page.inner_text("header")
        await page.goto(f"{board}/board")

        rows = page.locator("table.engagements tbody tr")
        first = await rows.nth(0).inner_text()
        assert first.startswith("Tailspin") and "contact SLA breached" in first and "late" in first, first
        assert "fasttrack contact fasttrack-intune-" in first
        assert await rows.count() == 2  # Tailspin and Litware are open
        await no_accessibility_violation(page, "list")
        await page.screenshot(path=SCREENSHOTS / "board-list.png", full_page=True)

        # The organization's search from this tab, after another tab opened a page of its own.
        other = await context.new_page()
        await other.goto(f"{board}/board/trends")
        await page.fill("#organization", "litw")
        await page.click("button:has-text('Search')")
        searched = [await rows.nth(index).inner_text() for index in range(await rows.count())]
        assert len(searched) == 1 and searched[0].startswith("Litware"), searched
        assert "litw" not in page.url.lower() and "Litware" not in page.url
        await other.close()
        await page.goto(f"{board}/board")

        await page.select_option("#filter-phase", "remediate")
        await page.click("button:has-text('Filter')")
        await page.wait_for_url(re.compile(r"phase=remediate"))
        filtered = [await rows.nth(index).inner_text() for index in range(await rows.count())]
        assert len(filtered) == 1 and filtered[0].startswith("Litware"), filtered
        assert "customer" in filtered[0] and "fasttrack item-done" in filtered[0]

        await page.click("nav >> text=Trends")
        await page.wait_for_url(f"{board}/board/trends")
        recent = page.locator("#recent ~ table tbody tr")
        closed = {(await recent.nth(index).inner_text()).split("\t")[0]: await recent.nth(index).get_attribute(
            "data-outcome") for index in range(await recent.count())}
        assert closed["Contoso (demo)"] == "completed" and closed["Fabrikam (demo)"] == "completed", closed
        # In whichever week each closed (the demo may run across Monday 00:00 UTC).
        completed = [int(cell) for cell in await page.locator('td[data-closed="completed"]').all_inner_texts()]
        assert sum(completed) == 2, completed
        for chart in await page.locator("main img").all():
            assert await chart.evaluate("image => image.complete && image.naturalWidth > 0"), await chart.get_attribute("src")
        await no_accessibility_violation(page, "trends")
        await page.screenshot(path=SCREENSHOTS / "board-trends.png", full_page=True)

        await page.click("text=Contoso (demo)")
        await page.wait_for_url(re.compile(r"/board/e/fasttrack-intune-"))
        engagement_id = page.url.rsplit("/", 1)[1]
        assert demo["Contoso"].endswith(engagement_id)
        shown = [[await cell.inner_text() for cell in await row.locator("td").all()]
                 for row in await page.locator("table.timeline tbody tr").all()]
        timeline = json.loads(fasttrack(stack, "timeline", engagement_id, "--json"))
        assert [row[1:] for row in shown] == [[event["what"], event["by"], event["detail"]] for event in timeline]
        assert len(shown) > 10
        history = await page.get_attribute("text=Its history in the Temporal UI", "href")
        assert history == f"http://127.0.0.1:{stack.ui_port}/namespaces/default/workflows/{engagement_id}"
        await no_accessibility_violation(page, "engagement")
        await page.screenshot(path=SCREENSHOTS / "board-engagement.png", full_page=True)

        # A reader's session reaches no action: the board has none, and no form but its own.
        forms = await page.locator("form").evaluate_all("forms => forms.map(form => form.action)")
        assert forms == [f"{board}/board/sign-out"]
        posted = await page.request.post(f"{board}/board/e/{engagement_id}", form={"note": "done"})
        assert posted.status == 405 and "Contoso" not in await posted.text()
        await page.click("button:has-text('Sign out')")
        answer = await page.goto(f"{board}/board")
        assert answer is not None and answer.status == 401
        await browser.close()
