"""Working-time arithmetic on the desk's business calendar: opening hours by
weekday and holidays, in the calendar's time zone (``Europe/Madrid``).

Each day's window is built from its wall-clock hours in that zone, so a
daylight-saving change moves the window with the clocks: a day whose hours
are 9–18 is nine working hours on the last Sunday of March too. Pure
functions; the calendar itself comes from ``itsm.selectors.business_calendar``."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A target no calendar reaches (no working hours at all) stops here.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: ZoneInfo
    hours: dict[int, tuple[time, time]]  # weekday (Monday = 0) → opening, closing
    holidays: frozenset[date] = field(default_factory=frozenset)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working window as aware datetimes, or None (closed)."""
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        opening, closing = self.hours[day.weekday()]
        # In UTC: arithmetic between datetimes of one zone ignores its offset.
        start = datetime.combine(day, opening, tzinfo=self.timezone).astimezone(UTC)
        end = datetime.combine(day, closing, tzinfo=self.timezone).astimezone(UTC)
        return (start, end) if end > start else None


def add_working_minutes(calendar: BusinessCalendar, start: datetime, minutes: float) -> datetime:
    """The moment ``minutes`` of working time after ``start``."""
    remaining = timedelta(minutes=minutes)
    day = start.astimezone(calendar.timezone).date()
    for _ in range(MAX_DAYS):
        window = calendar.window(day)
        if window is not None:
            begin = max(window[0], start)
            if begin < window[1]:
                available = window[1] - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("The business calendar has no working hours.")


def working_minutes_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Working minutes from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    if end <= start:
        return 0.0
    total = timedelta()
    day = start.astimezone(calendar.timezone).date()
    last = end.astimezone(calendar.timezone).date()
    while day <= last:
        window = calendar.window(day)
        if window is not None:
            begin, finish = max(window[0], start), min(window[1], end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 60
