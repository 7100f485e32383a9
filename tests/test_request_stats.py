"""An agency's response statistics (records/rules/stats.py): each rate counts only what it can know, says its n,
carries a 95% Wilson interval, and shows from five cases; the agency page says what each figure counts."""

import datetime
import io
import math

import pytest
from django.core.management import call_command

from records.models import Agency
from records.rules.stats import Rate, request_statistics, wilson_interval
from tests import factories

D = datetime.date
TODAY = D(2024, 6, 10)
FILED, DUE = D(2024, 1, 2), D(2024, 1, 30)


def wilson_by_hand(k, n, z=1.96):
    """The textbook formula, written out independently: (p + z²/2n ± z·√(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    root = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return (p + z**2 / (2 * n) - root) / (1 + z**2 / n), (p + z**2 / (2 * n) + root) / (1 + z**2 / n)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (4, 5, 0.3755, 0.9638),  # worked by hand: centre 0.6697, half-width 0.2941
        (0, 5, 0.0, 0.4345),
        (5, 5, 0.5655, 1.0),
        (50, 100, 0.4038, 0.5962),
    ],
)
def test_wilson_interval_matches_the_hand_computation(k, n, low, high):
    ours = wilson_interval(k, n)
    assert ours == pytest.approx((low, high), abs=5e-5)
    assert ours == pytest.approx(wilson_by_hand(k, n), abs=1e-4)


def test_a_rate_has_its_n_and_percentages():
    rate = Rate(4, 5)
    assert (rate.count, rate.n, rate.percent, rate.interval_percent) == (4, 5, 80, (38, 96))


def rows(*specs):
    """(status, closed_on) pairs, all filed on FILED and due on DUE."""
    return [(status, FILED, closed, DUE) for status, closed in specs]


ON_TIME, LATE = D(2024, 1, 20), D(2024, 2, 15)


def test_rates_count_only_what_they_can_know():
    stats = request_statistics(
        rows(
            ("fulfilled", ON_TIME), ("fulfilled", LATE), ("partially_fulfilled", ON_TIME), ("rejected", LATE),
            ("no_records", ON_TIME),
            ("closed", ON_TIME), ("closed", LATE),  # outcome not recorded: in timing, out of the success rate
            ("unknown", None), ("unknown", None),  # no closure in the log: in no figure
            ("filed", None),  # open and past due: late
            ("processing", None),
        )
        + [("filed", FILED, None, D(2024, 7, 1))],  # open, not yet due: in no rate
        today=TODAY,
    )  # fmt: skip
    assert stats["success"] == Rate(3, 5)
    assert stats["late"] == Rate(5, 9)  # 3 closed late, 2 open past due, of 7 closed and 2 past due
    assert stats["days_to_close"]["n"] == 7
    assert (stats["outcome_not_recorded"], stats["status_unknown"], stats["open"], stats["open_not_due"]) == (
        2, 2, 3, 1,
    )  # fmt: skip


def test_open_requests_never_lower_a_success_rate():
    answered = rows(*[("fulfilled", ON_TIME)] * 5)
    waiting = [("filed", FILED, None, D(2024, 7, 1))] * 20 + rows(*[("processing", None)] * 20)
    assert request_statistics(answered, today=TODAY)["success"] == Rate(5, 5)
    assert request_statistics(answered + waiting, today=TODAY)["success"] == Rate(5, 5)


def test_a_log_closing_everything_without_outcomes_gives_no_success_rate():
    stats = request_statistics(rows(*[("closed", ON_TIME)] * 1528) + rows(*[("unknown", None)] * 2700), today=TODAY)
    assert stats["success"] is None and stats["success_n"] == 0
    assert stats["late"] == Rate(0, 1528)  # unknown statuses are not overdue
    assert stats["enough"]


def test_each_figure_shows_from_five_cases():
    four = request_statistics(rows(*[("fulfilled", ON_TIME)] * 4), today=TODAY)
    assert (four["success"], four["late"], four["days_to_close"], four["enough"]) == (None, None, None, False)
    assert four["success_n"] == 4
    five = request_statistics(rows(*[("fulfilled", ON_TIME)] * 4, ("closed", LATE)), today=TODAY)
    assert five["success"] is None  # four known outcomes
    assert five["late"] == Rate(1, 5)
    assert five["days_to_close"] == {"n": 5, "median": 18, "mean": 23.2}


@pytest.mark.django_db
def test_the_agency_page_says_what_its_statistics_count(client, tmp_path):
    log = tmp_path / "log.csv"
    lines = ["Request ID,Received Date,Target Date,Closed Date,Disposition"]
    lines += [f"R-{n},2024-01-02,2024-01-30,2024-01-20," for n in range(6)]  # closed, no outcome
    lines += [f"F-{n},2024-01-02,2024-01-30,2024-02-15,Full grant" for n in range(4)]
    lines += ["D-1,2024-01-02,2024-01-30,2024-01-10,Full denial"]
    lines += [f"U-{n},2024-01-02,2024-01-30,," for n in range(3)]  # no closure
    log.write_text("\n".join(lines) + "\n")
    call_command("import_foia_log", str(log), create_agency="Log PD", level="federal", stdout=io.StringIO())
    agency = Agency.objects.get(name="Log PD")
    page = client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "80%" in page and "(4 of 5 with a recorded outcome; 95% confidence interval 38–96%)" in page
    assert "36%" in page and "(4 of 11 closed or past due; 95% confidence interval 15–65%)" in page
    assert "6 closed without a recorded outcome are left out of the success rate." in page
    assert "3 whose status is unknown" in page
    assert "Open records requests</dt>" in page
    stats = client.get(f"/agencies/{agency.slug}/").context["request_stats"]
    assert stats["open"] == 0 and stats["late"] == Rate(4, 11)


@pytest.mark.django_db
def test_too_few_cases_say_so_on_the_page(client):
    agency = factories.agency()
    for _ in range(5):
        factories.records_request(agency, status="closed", filed_on=FILED, closed_on=ON_TIME, due_on=DUE)
    page = client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "not enough data (0 with a recorded outcome)" in page
    assert "0%" in page and "(0 of 5 closed or past due" in page
