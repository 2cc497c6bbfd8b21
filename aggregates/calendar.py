"""Business dates are dates in the UK, whatever zone the server's clock is in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

UK_TIME = ZoneInfo("Europe/London")


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK_TIME).date()
