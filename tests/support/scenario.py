"""Test helpers beyond the simulated customer (simulation/scenario.py, re-exported
here): the customer's clock for tests where business hours matter, and mail read
back from the local SMTP server."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from devstack.smtp_sink import MailSink
from fasttrack.business_time import BusinessHours
from fasttrack.policy import BenefitPolicy
from simulation.scenario import (
    BIN_DIR,
    CUSTOMER,
    ENVIRONMENT_WITH_GAPS,
    FASTTRACK,
    approve_verification,
    closing_messages_sent,
    complete_enable,
    drive_through_assess,
    drive_to_completion,
    finished,
    hold_checkpoints,
    make_environment,
    make_purchase,
    make_scope,
    remediate_all,
    require_binary,
    running_worker,
    state_of,
    wait_for_phase,
)

__all__ = [
    "BIN_DIR",
    "CUSTOMER",
    "ENVIRONMENT_WITH_GAPS",
    "EVERY_DAY_NINE_TO_FIVE",
    "FASTTRACK",
    "LOCAL_HOUR",
    "approve_verification",
    "closing_messages_sent",
    "complete_enable",
    "drive_through_assess",
    "drive_to_completion",
    "finished",
    "hold_checkpoints",
    "mail_for",
    "make_environment",
    "make_purchase",
    "make_scope",
    "remediate_all",
    "require_binary",
    "running_worker",
    "state_of",
    "wait_for_phase",
    "zone_where_it_is",
]

# Where business hours are the point, the weekday and the holidays are not: every
# day is a business day, and the customer's time zone is chosen from the current
# UTC time so that "now" falls inside or outside the hours on purpose.
EVERY_DAY_NINE_TO_FIVE = BenefitPolicy(business_hours=BusinessHours(days=list(range(7)), skip_public_holidays=False))
LOCAL_HOUR = {"inside business hours": 12, "outside business hours": 2}


def zone_where_it_is(hour: int, now: datetime) -> str:
    """A fixed-offset IANA zone where the local time at ``now`` lies within ``hour``."""
    offset = (hour - now.hour + 12) % 24 - 12  # hours east of UTC, from -12 to +11
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # the Etc/GMT names count westwards


def mail_for(sink: MailSink, engagement_id: str, kind: str | None = None) -> list[EmailMessage]:
    return [
        message for message in sink.messages()
        if message["X-FastTrack-Engagement"] == engagement_id and kind in (None, message["X-FastTrack-Kind"])
    ]
