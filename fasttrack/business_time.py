"""Business hours of the customer's region: when a customer-facing message may
go out and when a call may be proposed.

Deterministic: the answers depend only on the time-zone database and the
holiday rules shipped with the worker, so workflow code calls these functions.
Both are read from data files the first time a zone or a country is needed;
inside the workflow sandbox, which forbids file access, that one read is let
through (``fasttrack.sandbox``). Upgrading ``tzdata`` or ``holidays`` can move
a future reminder of a running engagement by the rule change, nothing more:
timer durations are not part of Temporal's determinism check.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from babel.core import get_global
from pydantic import ConfigDict, Field, model_validator

from fasttrack.base import StrictModel
from fasttrack.sandbox import reading_static_data

MONDAY_TO_FRIDAY = [0, 1, 2, 3, 4]


class BusinessHours(StrictModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # part of the policy engagements share

    days: list[int] = Field(default_factory=lambda: list(MONDAY_TO_FRIDAY), min_length=1)
    start: time = time(9, 0)
    end: time = time(17, 0)
    skip_public_holidays: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> BusinessHours:
        if any(day not in range(7) for day in self.days):
            raise ValueError("business days are numbered 0 (Monday) to 6 (Sunday)")
        if self.start >= self.end:
            raise ValueError("business hours must start before they end")
        return self


_ZONES: dict[str, ZoneInfo] = {}


def local_time(moment: datetime, time_zone: str) -> str:
    """``2026-12-03 10:30 Europe/Paris``: a moment in an engagement's time zone, named."""
    return f"{moment.astimezone(zone(time_zone)):%Y-%m-%d %H:%M} {time_zone}"


def zone(name: str) -> ZoneInfo:
    found = _ZONES.get(name)
    if found is None:
        with reading_static_data():
            found = _ZONES[name] = ZoneInfo(name)
    return found


def is_known_time_zone(name: str) -> bool:
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _territory_zones() -> dict[str, list[str]]:
    with reading_static_data():
        return dict(get_global("territory_zones"))


def default_time_zone(country: str) -> str | None:
    """The country's time zone when it has exactly one; otherwise it must be given."""
    zones = _territory_zones().get(country.upper(), [])
    return zones[0] if len(zones) == 1 else None


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    with reading_static_data():
        try:
            return frozenset(holidays.country_holidays(country, years=year).keys())
        except NotImplementedError:  # a country the library does not know: no holidays
            return frozenset()


def is_public_holiday(day: date, country: str) -> bool:
    return day in _public_holidays(country.upper(), day.year)


def _is_business_day(day: date, country: str, hours: BusinessHours) -> bool:
    if day.weekday() not in hours.days:
        return False
    return not (hours.skip_public_holidays and is_public_holiday(day, country))


def next_business_moment(
    moment: datetime, time_zone: str, country: str, hours: BusinessHours | None, duration: timedelta = timedelta(0)
) -> datetime:
    """The earliest moment at or after ``moment`` when ``duration`` fits inside the
    business hours of a business day, local to ``time_zone``. Without business
    hours (a compressed demo policy), any moment will do."""
    if hours is None:
        return moment
    local_zone = zone(time_zone)
    local = moment.astimezone(local_zone)
    for _ in range(366):
        day = local.date()
        if _is_business_day(day, country, hours):
            opens = datetime.combine(day, hours.start, local_zone)
            closes = datetime.combine(day, hours.end, local_zone)
            start = max(local, opens)
            if start + duration <= closes:
                return start.astimezone(moment.tzinfo)
        local = datetime.combine(day + timedelta(days=1), time(0, 0), local_zone)
    raise ValueError("no business day within a year: check the business hours in the policy")


def within_business_hours(
    moment: datetime, time_zone: str, country: str, hours: BusinessHours | None, duration: timedelta = timedelta(0)
) -> bool:
    return next_business_moment(moment, time_zone, country, hours, duration) == moment
