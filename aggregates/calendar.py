"""Business dates are dates in the UK, whatever zone the server's clock is in, and deadlines
count working days: Monday to Friday, less the bank holidays of England and Wales."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import holidays

from events.base import UK_TIME

SATURDAY = 5


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK_TIME).date()


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The day that is `days` working days after `start` (the start itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
