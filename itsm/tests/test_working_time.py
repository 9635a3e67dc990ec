"""Working-time arithmetic, table-driven: nights, weekends, holidays and the
daylight-saving changes of Europe/Madrid."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from itsm.working_time import BusinessCalendar, add_working_minutes, working_minutes_between

MADRID = ZoneInfo("Europe/Madrid")
CALENDAR = BusinessCalendar(
    timezone=MADRID,
    hours={weekday: (time(9), time(18)) for weekday in range(5)},
    holidays=frozenset({date(2026, 12, 8), date(2026, 12, 25), date(2027, 1, 1)}),
)


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        # Inside the day.
        (madrid(2026, 12, 2, 10, 0), 60, madrid(2026, 12, 2, 11, 0)),
        # Exactly to closing time stays on the day.
        (madrid(2026, 12, 2, 17, 0), 60, madrid(2026, 12, 2, 18, 0)),
        # Across the night.
        (madrid(2026, 12, 2, 17, 0), 120, madrid(2026, 12, 3, 10, 0)),
        # Opened at night: the clock starts at 9.
        (madrid(2026, 12, 2, 22, 30), 30, madrid(2026, 12, 3, 9, 30)),
        (madrid(2026, 12, 3, 6, 0), 60, madrid(2026, 12, 3, 10, 0)),
        # Friday afternoon to Monday morning.
        (madrid(2026, 12, 4, 17, 0), 120, madrid(2026, 12, 7, 10, 0)),
        # Opened on Saturday.
        (madrid(2026, 12, 5, 12, 0), 60, madrid(2026, 12, 7, 10, 0)),
        # Monday 7 → Tuesday 8 is a holiday (Inmaculada) → Wednesday.
        (madrid(2026, 12, 7, 17, 0), 120, madrid(2026, 12, 9, 10, 0)),
        # Christmas week: Thursday 24 → Friday 25 holiday → weekend → Monday 28.
        (madrid(2026, 12, 24, 17, 30), 60, madrid(2026, 12, 28, 9, 30)),
        # One working day is 9 h: three of them from Wednesday 9:00.
        (madrid(2026, 12, 2, 9, 0), 3 * 540, madrid(2026, 12, 4, 18, 0)),
        # Five working days from Monday 21 December 12:00: 25 holiday, 1 January too.
        (madrid(2026, 12, 21, 12, 0), 5 * 540, madrid(2026, 12, 29, 12, 0)),
        # Zero minutes at night: the next opening.
        (madrid(2026, 12, 2, 20, 0), 0, madrid(2026, 12, 3, 9, 0)),
    ],
)
def test_add_working_minutes(start, minutes, expected):
    assert add_working_minutes(CALENDAR, start, minutes) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (madrid(2026, 12, 2, 10, 0), madrid(2026, 12, 2, 11, 30), 90),
        (madrid(2026, 12, 2, 17, 0), madrid(2026, 12, 3, 10, 0), 120),
        (madrid(2026, 12, 4, 17, 0), madrid(2026, 12, 7, 10, 0), 120),
        (madrid(2026, 12, 5, 10, 0), madrid(2026, 12, 6, 20, 0), 0),  # a weekend
        (madrid(2026, 12, 8, 10, 0), madrid(2026, 12, 8, 12, 0), 0),  # a holiday
        (madrid(2026, 12, 2, 12, 0), madrid(2026, 12, 2, 11, 0), 0),  # backwards
        (madrid(2026, 12, 2, 20, 0), madrid(2026, 12, 3, 8, 0), 0),  # a night
    ],
)
def test_working_minutes_between(start, end, expected):
    assert working_minutes_between(CALENDAR, start, end) == expected


def test_a_pause_takes_its_time_out_of_the_count():
    """Running 10–11, paused 11–15 (Pendiente), running again 15–16: two hours."""
    used = working_minutes_between(CALENDAR, madrid(2026, 12, 2, 10), madrid(2026, 12, 2, 11))
    used += working_minutes_between(CALENDAR, madrid(2026, 12, 2, 15), madrid(2026, 12, 2, 16))
    assert used == 120
    # A 4 h target then ends 2 h after the resumption.
    due = add_working_minutes(CALENDAR, madrid(2026, 12, 2, 16), 240 - used)
    assert due == madrid(2026, 12, 2, 18, 0)


@pytest.mark.parametrize(
    ("start", "minutes", "expected_utc"),
    [
        # Friday 27 March 2026 (CET, UTC+1) 17:00 + 2 h → Monday 30 (CEST, UTC+2) 10:00.
        (madrid(2026, 3, 27, 17, 0), 120, datetime(2026, 3, 30, 8, 0, tzinfo=ZoneInfo("UTC"))),
        # Friday 23 October 2026 (CEST) 17:00 + 2 h → Monday 26 (CET) 10:00.
        (madrid(2026, 10, 23, 17, 0), 120, datetime(2026, 10, 26, 9, 0, tzinfo=ZoneInfo("UTC"))),
    ],
)
def test_daylight_saving_changes_keep_the_wall_clock_hours(start, minutes, expected_utc):
    assert add_working_minutes(CALENDAR, start, minutes) == expected_utc


def test_a_day_on_which_the_clocks_change_has_its_full_hours():
    """Open all day long, the Sunday of each change counts the time that
    really passes: an hour less in March, an hour more in October."""
    always_open = BusinessCalendar(
        timezone=MADRID, hours={d: (time(0), time(23, 59)) for d in range(7)}
    )
    spring = working_minutes_between(
        always_open, madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 29, 23, 59)
    )
    autumn = working_minutes_between(
        always_open, madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 25, 23, 59)
    )
    assert spring == 24 * 60 - 1 - 60
    assert autumn == 24 * 60 - 1 + 60


def test_a_calendar_without_hours_is_refused():
    with pytest.raises(ValueError):
        add_working_minutes(BusinessCalendar(timezone=MADRID, hours={}), madrid(2026, 1, 1), 1)
