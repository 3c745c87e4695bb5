"""Business hours of the customer's region (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fasttrack.business_time import (
    BusinessHours,
    default_time_zone,
    is_public_holiday,
    next_business_moment,
    within_business_hours,
)

PARIS = ZoneInfo("Europe/Paris")
TOKYO = ZoneInfo("Asia/Tokyo")
HOURS = BusinessHours()


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_a_reminder_due_at_three_on_saturday_goes_out_at_nine_on_monday():
    due = paris(2026, 11, 28, 3, 0).astimezone(timezone.utc)  # Saturday
    sent = next_business_moment(due, "Europe/Paris", "FR", HOURS)
    assert sent.astimezone(PARIS) == paris(2026, 11, 30, 9, 0)
    assert sent.tzinfo == timezone.utc  # given in UTC, answered in UTC


def test_inside_business_hours_nothing_moves():
    due = paris(2026, 12, 1, 10, 15)
    assert next_business_moment(due, "Europe/Paris", "FR", HOURS) == due
    assert within_business_hours(due, "Europe/Paris", "FR", HOURS)


def test_public_holidays_of_the_country_are_skipped():
    assert is_public_holiday(paris(2026, 12, 25).date(), "FR")
    due = paris(2026, 12, 24, 18, 0)  # after hours on Christmas Eve, then Christmas, then the weekend
    assert next_business_moment(due, "Europe/Paris", "FR", HOURS) == paris(2026, 12, 28, 9, 0)
    # 14 July is a holiday in France, not in Japan.
    assert next_business_moment(paris(2027, 7, 14, 8, 0), "Europe/Paris", "FR", HOURS) == paris(2027, 7, 15, 9, 0)
    tokyo_morning = datetime(2027, 7, 14, 8, 0, tzinfo=TOKYO)
    assert next_business_moment(tokyo_morning, "Asia/Tokyo", "JP", HOURS) == datetime(2027, 7, 14, 9, 0, tzinfo=TOKYO)


def test_a_call_must_end_before_closing_time():
    late = paris(2026, 12, 1, 16, 45)
    assert next_business_moment(late, "Europe/Paris", "FR", HOURS, timedelta(minutes=30)) == paris(2026, 12, 2, 9, 0)
    assert next_business_moment(late, "Europe/Paris", "FR", HOURS) == late


def test_local_time_follows_daylight_saving():
    # Sunday 29 March 2026: clocks go forward in Paris; Monday opens at 09:00 CEST = 07:00 UTC.
    due = datetime(2026, 3, 29, 12, 0, tzinfo=timezone.utc)
    assert next_business_moment(due, "Europe/Paris", "FR", HOURS) == datetime(2026, 3, 30, 7, 0, tzinfo=timezone.utc)


def test_policy_hours_and_days_are_data():
    saturday_shop = BusinessHours(days=[0, 1, 2, 3, 4, 5], start="08:00", end="12:00", skip_public_holidays=False)
    due = paris(2026, 12, 25, 13, 0)  # Christmas, a Friday, after closing
    assert next_business_moment(due, "Europe/Paris", "FR", saturday_shop) == paris(2026, 12, 26, 8, 0)
    assert next_business_moment(due, "Europe/Paris", "FR", None) == due  # no business hours: any time
    with pytest.raises(ValueError, match="start before"):
        BusinessHours(start="17:00", end="09:00")
    with pytest.raises(ValueError, match="numbered 0"):
        BusinessHours(days=[7])


def test_default_time_zone_only_when_the_country_has_one():
    assert default_time_zone("FR") == "Europe/Paris"
    assert default_time_zone("JP") == "Asia/Tokyo"
    assert default_time_zone("US") is None
    assert default_time_zone("BR") is None
