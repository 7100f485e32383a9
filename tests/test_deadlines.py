"""The deadline engine, by table: business and calendar days, weekends, holidays and pauses."""

import datetime

import pytest

from records.rules.deadlines import (
    CALENDAR,
    Law,
    Pause,
    due_date,
    holidays_around,
    pauses_from_statuses,
    public_holidays,
)

D = datetime.date
FEDERAL = holidays_around("", D(2010, 1, 1))
NO_HOLIDAYS = frozenset()


@pytest.mark.parametrize(
    ("filed", "days", "expected"),
    [
        (D(2024, 3, 4), 5, D(2024, 3, 11)),  # Monday + 5 business days = next Monday
        (D(2024, 3, 8), 1, D(2024, 3, 11)),  # Friday + 1 = Monday
        (D(2024, 3, 9), 1, D(2024, 3, 11)),  # filed on a Saturday: the next business day is day 1
        (D(2024, 3, 4), 0, D(2024, 3, 4)),
    ],
)
def test_business_days_skip_weekends(filed, days, expected):
    assert due_date(law=Law(days), filed_on=filed, holidays=NO_HOLIDAYS) == expected


@pytest.mark.parametrize(
    ("filed", "expected"),
    [
        # From the USDA APHIS FOIA logs: the agency's own target dates for 20 business days.
        (D(2010, 11, 1), D(2010, 12, 1)),  # skips Veterans Day and Thanksgiving
        (D(2014, 6, 3), D(2014, 7, 1)),
        (D(2014, 6, 2), D(2014, 6, 30)),
        (D(2014, 6, 4), D(2014, 7, 2)),
        (D(2014, 6, 13), D(2014, 7, 14)),  # skips Independence Day
        (D(2015, 6, 5), D(2015, 7, 6)),  # skips Friday 3 July 2015, Independence Day observed
        (D(2015, 6, 8), D(2015, 7, 7)),
    ],
)
def test_federal_foia_twenty_business_days_match_agency_logs(filed, expected):
    holidays = holidays_around("", filed)
    assert due_date(law=Law(20), filed_on=filed, holidays=holidays) == expected


def test_state_holidays_count_only_in_their_state():
    # Cesar Chavez Day (31 March) is a California state holiday, not a federal one.
    filed = D(2023, 3, 30)  # Thursday
    assert due_date(law=Law(1), filed_on=filed, holidays=holidays_around("", filed)) == D(2023, 3, 31)
    assert due_date(law=Law(1), filed_on=filed, holidays=holidays_around("CA", filed)) == D(2023, 4, 3)
    assert D(2023, 3, 31) in public_holidays("CA", 2023, 2023)


@pytest.mark.parametrize(
    ("state", "closed", "open"),
    [
        # Federal: a Saturday holiday is observed on the Friday before, a Sunday one on the Monday after.
        ("", [D(2015, 7, 3), D(2021, 7, 5), D(2021, 12, 24), D(2021, 12, 31)], [D(2015, 7, 6), D(2021, 12, 27)]),
        # Oregon (ORS 187.010) moves holidays as the federal calendar does.
        ("OR", [D(2015, 7, 3), D(2022, 12, 26)], [D(2015, 7, 6)]),
        # Massachusetts moves only a Sunday holiday: Friday 3 July 2020 is a working day there.
        ("MA", [D(2021, 7, 5)], [D(2020, 7, 3)]),
        # California's Cesar Chavez Day moves off a Sunday (31 March 2024) only.
        ("CA", [D(2024, 4, 1), D(2015, 7, 3)], [D(2029, 3, 30)]),
    ],
)
def test_holidays_count_on_the_weekday_offices_close(state, closed, open):
    for day in closed:
        assert day in holidays_around(state, day.replace(month=1, day=1)), day
        assert day.weekday() < 5
    for day in open:
        assert day not in holidays_around(state, day.replace(month=1, day=1)), day


def test_an_observed_holiday_moves_a_federal_due_date():
    # Filed Friday 5 June 2015: without Friday 3 July the 20th business day would be 3 July itself.
    filed = D(2015, 6, 5)
    assert due_date(law=Law(20), filed_on=filed, holidays=holidays_around("", filed)) == D(2015, 7, 6)
    assert due_date(law=Law(20), filed_on=filed, holidays=NO_HOLIDAYS) == D(2015, 7, 3)


@pytest.mark.parametrize(
    ("filed", "days", "expected"),
    [
        (D(2024, 3, 4), 10, D(2024, 3, 14)),  # lands on a Thursday
        (D(2024, 3, 4), 5, D(2024, 3, 11)),  # lands on Saturday 9 March: moves to Monday
        (D(2024, 6, 28), 6, D(2024, 7, 5)),  # lands on Thursday 4 July: moves to Friday
    ],
)
def test_calendar_days_move_off_weekends_and_holidays(filed, days, expected):
    holidays = holidays_around("", filed)
    assert due_date(law=Law(days, CALENDAR), filed_on=filed, holidays=holidays) == expected


def test_no_statutory_number_means_no_due_date():
    assert due_date(law=Law(None), filed_on=D(2024, 1, 2), holidays=FEDERAL) is None


def test_a_pause_adds_the_paused_days_back():
    filed = D(2024, 3, 4)  # Monday; 10 business days -> Monday 18 March
    assert due_date(law=Law(10), filed_on=filed, holidays=NO_HOLIDAYS) == D(2024, 3, 18)
    # Paused at the end of Wed 6 March, resumed at the end of Wed 13 March: 5 business days lost.
    pause = Pause(D(2024, 3, 6), D(2024, 3, 13))
    assert due_date(law=Law(10), filed_on=filed, holidays=NO_HOLIDAYS, pauses=[pause]) == D(2024, 3, 25)


def test_a_running_pause_has_no_due_date_yet():
    pause = Pause(D(2024, 3, 6), None)
    assert due_date(law=Law(10), filed_on=D(2024, 3, 4), holidays=NO_HOLIDAYS, pauses=[pause]) is None


def test_pauses_from_status_history():
    pausing = {"fix_required", "payment_required"}
    history = [
        (D(2024, 3, 4), "filed"),
        (D(2024, 3, 6), "fix_required"),
        (D(2024, 3, 8), "payment_required"),  # still paused: one pause, not two
        (D(2024, 3, 13), "processing"),
        (D(2024, 3, 20), "payment_required"),
    ]
    assert pauses_from_statuses(history, pausing) == [Pause(D(2024, 3, 6), D(2024, 3, 13)), Pause(D(2024, 3, 20), None)]
