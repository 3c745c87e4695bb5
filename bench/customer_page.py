"""The customer's page as the customer meets it: the link from their mail opened, on an
engagement in Remediate, through the page's own process."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import httpx
from temporalio.client import Client

from bench.report import Figure, Report, console, percentile
from bench.stack import Stack
from engagement_client.customer_links import link_keys
from engagement_client.settings import CustomerLinkSettings

WARM_UP = 3
BUDGET_MS = 100


async def customer_page_latency(client: Client, stack: Stack, samples: int, report: Report) -> dict:
    console.print(f"[bold]7. Customer page[/bold]: its link opened {samples} times")
    purchase, customer = await stack.engagement_in_remediate(client)
    contact = purchase.customer_contact.email
    keys = link_keys(CustomerLinkSettings.from_environment())
    link = f"/e/{keys.make(customer.handle.id, contact, datetime.now(timezone.utc))}"
    opened = []
    async with httpx.AsyncClient(base_url=stack.page_url, timeout=60) as http:
        for number in range(WARM_UP + samples):
            began = time.perf_counter()
            answer = await http.get(link)
            if number >= WARM_UP:
                opened.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.text
    await customer.handle.terminate("benchmark finished")
    p50 = percentile(opened, 0.5)
    report.add(Figure("Customer page p50 (its link opened, in Remediate)", p50, "ms", budget=f"≤ {BUDGET_MS} ms",
                      passed=p50 <= BUDGET_MS, note=f"p99 {percentile(opened, 0.99):.1f} ms over {len(opened)} opens"))
    return {"opened_ms": opened}
