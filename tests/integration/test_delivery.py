"""The notifier activity against a real local SMTP server: what it does when a
message cannot be built, when its ledger cannot be written, and when a retried
attempt runs on another replica."""

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
from register import Register
from register.store import default_url
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


def notifier(sink: MailSink, register: Register, data_dir: Path) -> Notifier:
    return Notifier(WorkerSettings(smtp_host="127.0.0.1", smtp_port=sink.port, data_dir=data_dir),
                    DeliveryLedger(register))


async def test_a_message_that_cannot_be_built_fails_at_once_and_is_not_retried(mail_sink, tmp_path):
    broken = outreach(key="ORD-2/outreach/1", time_zone="Mars/Olympus_Mons")  # no such zone to write dates in
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(notifier(mail_sink, Register(default_url(tmp_path)), tmp_path).send_notification,
                                        broken)
    assert failed.value.type == "CompositionFailed" and failed.value.non_retryable
    assert "could not be built" in failed.value.message
    assert not mail_for(mail_sink, broken.engagement_id)


async def test_two_replicas_with_their_own_folders_send_a_message_once(mail_sink, tmp_path):
    """The first worker sends and dies before Temporal hears of it; the retried
    attempt runs on another worker, with another data folder and no heartbeat to
    go by: the shared ledger tells it the message was delivered."""
    message = outreach(engagement_id="fasttrack-intune-two-replicas")
    register = Register(default_url(tmp_path / "shared"))
    first = await ActivityEnvironment().run(
        notifier(mail_sink, register, tmp_path / "replica-1").send_notification, message)
    retried = await ActivityEnvironment().run(
        notifier(mail_sink, Register(register.url), tmp_path / "replica-2").send_notification, message)
    assert first.already_delivered is False and retried.already_delivered is True
    assert len(mail_for(mail_sink, message.engagement_id)) == 1


async def test_a_ledger_made_read_only_mid_run_still_completes_once(mail_sink, tmp_path, caplog):
    message = outreach(engagement_id="fasttrack-intune-readonly-ledger")
    database = tmp_path / "register.db"
    Register(f"sqlite:///{database}").migrate()
    # The same file opened read-only: the ledger can still be read, never written.
    read_only = Register(f"sqlite:///file:{database}?mode=ro&uri=true")
    with caplog.at_level(logging.ERROR):
        receipt = await ActivityEnvironment().run(notifier(mail_sink, read_only, tmp_path).send_notification, message)
    assert receipt.already_delivered is False and receipt.recipients == ["sam@contoso.example"]
    assert len(mail_for(mail_sink, message.engagement_id)) == 1
    assert any("delivery ledger not written" in record.getMessage() for record in caplog.records)
