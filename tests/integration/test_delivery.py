"""The notifier activity against a real local SMTP server: what it does when a
message cannot be built, and when its ledger cannot be written."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notifier import DeliveryLedger, Notifier
from devstack.smtp_sink import MailSink
from fasttrack.models import Audience, Notification, NotificationKind
from tests.support.scenario import mail_for
from workers.config import WorkerSettings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def outreach(**changes) -> Notification:
    values = dict(engagement_id="fasttrack-intune-delivery", kind=NotificationKind.OUTREACH, key="ORD-1/outreach/1",
                  audience=Audience.CUSTOMER, to=["sam@contoso.example"], recipient_name="Sam", language="en",
                  time_zone="Europe/Paris", country="FR", send_at=NOW, summary="Outreach attempt 1 of 5",
                  facts={"attempt": "1", "tenant_id": "t", "organization": "Contoso"},
                  moments={"contact_deadline": NOW})
    values.update(changes)
    return Notification(**values)


class LedgerOnAReadOnlyDisk(DeliveryLedger):
    def record(self, message_id: str) -> None:
        raise OSError(30, "Read-only file system")


def notifier(sink: MailSink, ledger: DeliveryLedger) -> Notifier:
    return Notifier(WorkerSettings(smtp_host="127.0.0.1", smtp_port=sink.port, notifier_state_dir=ledger.folder), ledger)


async def test_a_message_that_cannot_be_built_fails_at_once_and_is_not_retried(mail_sink, tmp_path):
    broken = outreach(key="ORD-2/outreach/1", time_zone="Mars/Olympus_Mons")  # no such zone to write dates in
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(notifier(mail_sink, DeliveryLedger(tmp_path)).send_notification, broken)
    assert failed.value.type == "CompositionFailed" and failed.value.non_retryable
    assert "could not be built" in failed.value.message
    assert not mail_for(mail_sink, broken.engagement_id)


async def test_a_ledger_that_cannot_be_written_after_the_server_accepted_still_completes_once(
    mail_sink, tmp_path, caplog
):
    message = outreach(engagement_id="fasttrack-intune-readonly-ledger")
    with caplog.at_level(logging.ERROR):
        receipt = await ActivityEnvironment().run(
            notifier(mail_sink, LedgerOnAReadOnlyDisk(Path(tmp_path))).send_notification, message
        )
    assert receipt.already_delivered is False and receipt.recipients == ["sam@contoso.example"]
    assert len(mail_for(mail_sink, message.engagement_id)) == 1
    assert any("delivery ledger not written" in record.getMessage() for record in caplog.records)
