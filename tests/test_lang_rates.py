"""Shares, rates and averages (issue 10, section 2), through both engines and the CLI.

`10 %` is a share and `10 % of timetable` a tenth of it; `1 hour per week` is a rate, which the
unit system multiplies, divides, converts and compares; `average of M per week from A to B` reads M
over a window; a quota whose amount is a rate is a pace, and falls `behind schedule by N`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from tests.conftest import EXAMPLES
from tests.questions import cli, cli_json, commitments, inline
from tests.support import decide, facts, only, policy, status_of

D = dt.date.fromisoformat

DOC = {
    "people": [
        {"id": "dev", "facts": {"first_teaching_day": "2025-09-01"}},
        {"id": "new", "facts": {}},
    ],
    "evidence": [
        {"id": "e1", "kind": "mentoring_log", "subject": "dev", "date": "2025-09-03", "hours": 3, "topic": "x"},
        {"id": "e2", "kind": "mentoring_log", "subject": "dev", "date": "2025-09-10", "hours": 4, "topic": "y"},
        {"id": "e3", "kind": "mentoring_log", "subject": "dev", "date": "2025-10-20", "hours": 1, "topic": "z"},
        {"id": "e4", "kind": "mentoring_log", "subject": "new", "date": "2025-10-01", "topic": "no hours"},
    ],
}
F = facts(DOC)


def holds(condition: str, person: str = "dev", as_of: dt.date = D("2025-10-31"), before: str = "") -> str:
    return status_of(condition, F, person, role="mentee", as_of=as_of, before=before)


def rule(condition: str, person: str = "dev", as_of: dt.date = D("2025-10-31"), before: str = ""):
    return only(decide(policy(f'{before}\nrole mentee\n  require "r": {condition}\n'), F, person, "mentee", as_of))


# =========================================================================== shares


@pytest.mark.parametrize(
    "condition",
    [
        "10 % of 25 hours = 2.5 hours",
        "5 % of USD 2000 = USD 100",
        "50 % * 4 hours = 2 hours",
        "12.5 % = 0.125",
        "hours(evidence mentoring_log) >= 50 % of 10 hours",
        "10 % of 2 hours per week = 0.2 hours per week",
    ],
)
def test_shares(condition):
    assert holds(condition) == "met"


def test_a_share_is_explained_as_written():
    r = rule("10 % of timetable >= 3 hours", before="parameter timetable = 25 hours")
    assert (str(r.status), r.because, r.distance) == ("not met", "2.5 hours < 3 hours", "needs 0.5 more hours")


# =========================================================================== rates


@pytest.mark.parametrize(
    "condition",
    [
        "2 hours per week * 3 weeks = 6 hours",
        "3 weeks * 2 hours per week = 6 hours",
        "1 hour per day * 2 weeks = 14 hours",  # weeks converted to days
        "7 hours per week * 14 days = 14 hours",  # days converted to weeks
        "7 hours per week = 1 hour per day",  # rates compare per the same unit
        "1 hour per week + 1 hour per day = 8 hours per week",
        "10 hours / 5 weeks = 2 hours per week",  # an amount over a length of time is a rate
        "USD 1200 / 12 months = USD 100 per month",
        "USD 100 per month * 1 years = USD 1200",
        "4 hours per week / 2 = 2 hours per week",
        "4 hours per week / 2 hours per week = 2",
    ],
)
def test_rates(condition):
    assert holds(condition) == "met"


def test_a_rate_is_shown_with_both_units():
    r = rule("1 hours per week * 3 weeks >= 1 hour per week * 4 weeks")
    assert r.because == "3 hours < 4 hours"
    r = rule("0.5 hours per week >= 1 hour per week")
    assert (r.because, r.distance) == ("0.5 hours per week < 1 hour per week", "needs 0.5 hours per week more")
    r = rule("2 hours per week > 1 hour per week * 2")
    assert r.distance == "needs more than 2 hours per week"


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ("USD 100 per week >= 2 hours per week", "P270"),
        ("2 hours per week * 3 months > 1 hours", "P270"),
        ("2 hours per week >= 2 hours", "P111"),
        ("average of hours(evidence mentoring_log) per month from 2025-09-01 >= 1 hours per month", "P271"),
        ("average of person.first_teaching_day per week from 2025-09-01 >= 1 hours per week", "P271"),
        ("10 % of person.first_teaching_day > today", "P273"),
        ("2 hours per fortnight > 1 hour per week", "P274"),
    ],
)
def test_rate_errors(condition, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(f'role mentee\n  require "r": {condition}\n')
    assert [d.code for d in excinfo.value.diagnostics] == [code], excinfo.value.render()


@settings(max_examples=40, deadline=None)
@given(rate=st.integers(min_value=0, max_value=500), weeks=st.integers(min_value=0, max_value=60), share=st.integers(min_value=0, max_value=100))
def test_rate_arithmetic_agrees_with_the_units(rate, weeks, share):
    """A rate per week over N weeks is the same as per day over 7N days, and a share of it is a share."""
    text = (
        f"{rate} hours per week * {weeks} weeks = {rate} hours per week * {7 * weeks} days"
        f" and {share} % of ({rate} hours per week * {weeks} weeks) = {rate * weeks * share} hours / 100"
    )
    assert holds(text) == "met"


# =========================================================================== averages


def test_an_average_over_a_window():
    # 3 + 4 + 1 = 8 hours from 2025-09-01 to 2025-10-31 (61 days): 8 * 7 / 61 = 0.918...
    r = rule("average of hours(evidence mentoring_log) per week from 2025-09-01 >= 1 hour per week")
    assert (str(r.status), r.because) == ("not met", "0.92 hours per week < 1 hour per week")
    # a window that ends: 7 hours from 2025-09-01 to 2025-09-14 (two weeks)
    assert holds("average of hours(evidence mentoring_log) per week from 2025-09-01 to 2025-09-14 = 3.5 hours per week") == "met"
    assert holds("average of count(evidence mentoring_log) per day from 2025-09-01 to 2025-09-10 * 10 days = 2") == "met"


def test_an_average_is_unknown_before_its_window_or_when_its_measure_is():
    r = rule("average of hours(evidence mentoring_log) per week from 2025-12-01 >= 1 hour per week")
    assert (str(r.status), r.missing) == ("unknown", ("an average from 2025-12-01, which has not begun",))
    r = rule("average of hours(evidence mentoring_log) per week from 2025-09-01 >= 1 hour per week", person="new")
    assert str(r.status) == "unknown"
    r = rule("average of hours(evidence mentoring_log) per week from person.first_teaching_day >= 1 hour per week", person="new")
    assert r.missing == ("person.first_teaching_day",)


# =========================================================================== a pace


PACE = 'commitment "c" for mentee\n  "weekly": at least 1 hour per week of hours(evidence mentoring_log) from 2025-09-01\n'


@pytest.mark.parametrize(
    ("as_of", "status", "required", "behind"),
    [
        ("2025-09-06", "on track", "0 hours", None),  # not a whole week yet
        ("2025-09-28", "on track", "4 hours", None),  # 7 hours done of 4 owed
        ("2025-10-31", "on track", "8 hours", None),  # 8 done of 8 owed
        ("2025-11-30", "late", "13 hours", "5 hours"),
    ],
)
def test_a_quota_at_a_rate_is_a_pace(as_of, status, required, behind):
    (part,) = commitments(inline(PACE), F, "dev", D(as_of)).commitments[0].parts
    assert part.required == required
    assert (part.status, part.behind) == (status, behind)


def test_a_pace_per_month_and_its_start_from_the_policy():
    text = 'commitment "c" for mentee\n  at least 2 hours per month of hours(evidence mentoring_log)\n'
    (part,) = commitments(inline(text, header='policy "T"\n  programme demo\n  effective 2025-09-01\n'), F, "dev", D("2025-12-15")).commitments[0].parts
    assert (part.required, part.done, part.status, part.behind) == ("6 hours", "8 hours", "on track", None)


def test_a_pace_from_a_missing_date_is_unknown():
    text = 'commitment "c" for mentee\n  at least 1 hour per week of hours(evidence mentoring_log) from person.first_teaching_day\n'
    (part,) = commitments(inline(text), F, "new", D("2025-12-15")).commitments[0].parts
    assert part.status == "unknown"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('commitment "c" for mentee\n  at least 1 hour per week of hours(evidence mentoring_log)\n', "P272"),
        ('commitment "c" for mentee\n  at least 3 hours of hours(evidence mentoring_log) from 2025-09-01\n', "P272"),
        ('commitment "c" for mentee\n  at least 1 hour per pdp of hours(evidence mentoring_log) from 2025-09-01\n', "P272"),
    ],
)
def test_pace_errors(body, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(body)
    assert [d.code for d in excinfo.value.diagnostics] == [code], excinfo.value.render()


# =========================================================================== the example, through the CLI


def test_rates_example_through_the_cli():
    ex = EXAMPLES / "constructs"
    args = ("--person", "dev", "--policy", str(ex / "rates.accord"), "--as-of", "2026-01-15")
    result = cli("commitments", str(ex / "rates.json"), *args)
    assert result.exit_code == 1
    assert "[late]         an hour a week: 12.5 hours of 19 hours done, 6.5 hours to go; behind schedule by 6.5 hours; due 2026-06-30" in result.stdout
    code, data = cli_json("commitments", str(ex / "rates.json"), *args)
    assert (code, data["commitments"][0]["parts"][0]["behind"]) == (1, "6.5 hours")
    result = cli("check", str(ex / "rates.json"), *args, "--role", "mentee")
    assert result.exit_code == 1
    assert "0.8 hours per week < 1 hour per week; needs 0.2 hours per week more" in result.stdout


def test_a_decision_with_a_rate_in_json():
    r = rule("2 hours per week >= 1 hour per week")
    assert (r.actual, r.required) == (Decimal(2), Decimal(1))
