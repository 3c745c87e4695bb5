"""The customer's page link at the end of an engagement's checklist mail, read from the
folder where the local SMTP sink keeps the mail: for the demo, which names it, and the tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from pathlib import Path

LINK = re.compile(r"https?://\S+/e/\S+")


async def page_link(mail_dir: Path, engagement_id: str, seconds: float = 10.0) -> str | None:
    """The link, once the mail is out (waiting up to ``seconds``); None if it has none."""
    for _ in range(max(1, int(seconds / 0.2))):
        for path in sorted(mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if (message["X-FastTrack-Engagement"], message["X-FastTrack-Kind"]) == (engagement_id,
                                                                                  "remediation_checklist"):
                body = message.get_body(("plain",))
                found = LINK.search(body.get_content() if body is not None else "")
                return found.group(0) if found else None
        await asyncio.sleep(0.2)
    return None
