"""No silent wrong answers (issue 8): constructs that passed `accord lint` and then answered wrongly.

Each class has its reproducer here, run through both engines (`tests.questions` insists they
agree) and the CLI: a recurring part counted over every period, not the first 1000; per-period
relationships; a second `amount`; a deadline on a fact that has no date; a quota whose amount
grows with `today` (an average per week); fractional months and the rounding functions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from tests.questions import cli, commitments, inline, write
from tests.support import facts

D = dt.date.fromisoformat
WEEKLY = 'policy "Weekly" programme demo\ncommitment "weekly log" for mentee\n  "a log every week": every week from 2000-01-03: at least 1 of count(evidence mentoring_log)\n'


def weekly_logs(first: dt.date, n: int) -> dict:
    """Facts: `m` logged a meeting every week for `n` weeks from `first`, then stopped."""
    return {
        "people": [{"id": "m"}],
        "evidence": [
            {"id": f"e{i}", "kind": "mentoring_log", "subject": "m", "date": (first + dt.timedelta(weeks=i)).isoformat()}
            for i in range(n)
        ],
    }


# =========================================================================== every period counts


def test_a_weekly_part_counts_every_period_since_2000() -> None:
    """The audit's reproducer: weekly since 2000, nothing logged after 1000 weeks (2019): late."""
    report = commitments(inline(WEEKLY, header=""), facts(weekly_logs(D("2000-01-03"), 1000)), "m", D("2026-01-15"))
    (p,) = report.commitments[0].parts
    assert (p.status, p.periods_met, p.periods_due) == ("late", 1000, 1358)
    assert p.missed[0] == "2019-03-04 to 2019-03-10 (0 of 1)" and len(p.missed) == 358
    assert report.exit_code == 1


def test_the_cli_exits_1_for_the_audit_reproducer(tmp_path: Path) -> None:
    pol, fx = write(tmp_path, "weekly.accord", WEEKLY), write(tmp_path, "f.json", weekly_logs(D("2000-01-03"), 1000))
    result = cli("commitments", fx, "--person", "m", "--policy", pol, "--as-of", "2026-01-15")
    assert result.exit_code == 1
    assert "1000 of 1358 past periods met" in result.stdout


def test_more_periods_than_the_limit_is_a_located_error_not_a_partial_answer(tmp_path: Path) -> None:
    from accord.commitments import MAX_PERIODS

    pol = write(tmp_path, "weekly.accord", WEEKLY.replace("2000-01-03", "1900-01-01"))
    fx = write(tmp_path, "f.json", weekly_logs(D("1900-01-01"), 10))
    result = cli("commitments", fx, "--person", "m", "--policy", pol, "--as-of", "2026-01-15")
    assert result.exit_code == 2
    assert f"weekly.accord:3:3: error[P152]: `every week` from 1900-01-01 to 2026-01-15 is more than {MAX_PERIODS} periods" in result.stderr
    assert "later `from` date" in result.stderr


def test_monthly_periods_from_the_31st_do_not_drift() -> None:
    """Each period is counted from the start: the third period of months from Jan 31 starts on Mar 31."""
    policy = inline('commitment "c" for mentee\n  every month from 2025-01-31: at least 1 of count(evidence mentoring_log)\n')
    doc = {"people": [{"id": "m"}], "evidence": [{"id": "e", "kind": "mentoring_log", "subject": "m", "date": "2025-03-31"}]}
    (p,) = commitments(policy, facts(doc), "m", D("2025-04-10")).commitments[0].parts
    assert p.missed == ("2025-01-31 to 2025-02-27 (0 of 1)", "2025-02-28 to 2025-03-30 (0 of 1)")
    assert p.current == "1 of 1 so far in this period (2025-03-31 to 2025-04-29)"


@settings(max_examples=30, deadline=None)
@given(
    logged=st.integers(min_value=0, max_value=60),
    period=st.sampled_from(["week", "month"]),
    extra_days=st.integers(min_value=0, max_value=4000),
)
def test_no_evidence_after_d_is_not_on_track_a_full_period_later(logged: int, period: str, extra_days: int) -> None:
    """A recurring expectation with no evidence after date D is late for any as-of one full period after D."""
    start = D("2010-01-04")
    doc = weekly_logs(start, logged)
    last = start + dt.timedelta(weeks=logged - 1) if logged else start
    as_of = last + dt.timedelta(days=(14 if period == "week" else 62) + extra_days)  # past the end of the next period
    policy = inline(f'commitment "c" for mentee\n  every {period} from 2010-01-04: at least 1 of count(evidence mentoring_log)\n')
    report = commitments(policy, facts(doc), "m", as_of)
    assert report.commitments[0].status == "late"
    assert report.exit_code == 1


# =========================================================================== per-period relationships

PER_MENTOR = 'commitment "c" for mentee\n  "a mentor each month": every month from 2025-09-01: at least 1 of count(person.mentor)\n'


def mentored(*spans: tuple[str, str | None]) -> dict:
    """Facts: `m` is mentored by `a0`, `a1`, ... over each (from, to) span."""
    people = [{"id": "m"}] + [{"id": f"a{i}"} for i in range(len(spans))]
    rels = [
        {"kind": "mentoring", "mentor": f"a{i}", "mentee": "m", "from": start, **({"to": end} if end else {})}
        for i, (start, end) in enumerate(spans)
    ]
    return {"people": people, "relationships": rels}


def test_each_period_reads_the_relationships_valid_in_it(tmp_path: Path) -> None:
    """Mentored 1-20 September and 5-10 October, then from 10 December: only November is missed."""
    doc = mentored(("2025-09-01", "2025-09-20"), ("2025-10-05", "2025-10-10"), ("2025-12-10", None))
    (p,) = commitments(inline(PER_MENTOR), facts(doc), "m", D("2026-01-15")).commitments[0].parts
    assert (p.status, p.periods_met, p.periods_due) == ("late", 3, 4)
    assert p.missed == ("2025-11-01 to 2025-11-30 (0 of 1)",)
    result = cli("commitments", write(tmp_path, "f.json", doc), "--person", "m", "--policy", write(tmp_path, "p.accord", 'policy "P" programme demo\n' + PER_MENTOR), "--as-of", "2026-01-15")
    assert result.exit_code == 1 and "missed 2025-11-01 to 2025-11-30" in result.stdout


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60)), max_size=4))
def test_the_status_of_a_period_depends_only_on_the_relationships_valid_in_it(spans: list[tuple[int, int]]) -> None:
    """Model: a month is missed exactly when no mentoring relationship shares a day with it."""
    base = D("2025-09-01")
    ranges = [(base + dt.timedelta(days=a), base + dt.timedelta(days=a + n)) for a, n in spans]
    doc = mentored(*[(s.isoformat(), e.isoformat()) for s, e in ranges])
    as_of = D("2026-03-15")
    (p,) = commitments(inline(PER_MENTOR), facts(doc), "m", as_of).commitments[0].parts
    months = [(D(f"{y}-{m:02d}-01"), D(f"{y + (m == 12)}-{m % 12 + 1:02d}-01") - dt.timedelta(days=1)) for y, m in [(2025, 9), (2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 2)]]
    expected = tuple(
        f"{b.isoformat()} to {e.isoformat()} (0 of 1)" for b, e in months if not any(s <= e and b <= t for s, t in ranges)
    )
    assert p.missed == expected


# =========================================================================== several amounts per incentive


def test_two_amounts_are_two_parts_of_one_award(tmp_path: Path) -> None:
    # P151 refused a second `amount` until several amounts were parts of one award (summed per currency)
    body = 'incentive "stipend" to mentor per person\n  amount USD 500\n  amount USD 900\n'
    checked = inline(body).checked.incentives[0]
    assert [a.text for a in checked.amounts] == ["USD 500", "USD 900"]
    result = cli("lint", write(tmp_path, "p.accord", 'policy "P" programme demo\n' + body), engines=False)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(("clause", "word"), [('paid by "A"\n  paid by "B"', "paid by"), ('source "a"\n  source "b"', "source")])
def test_a_one_off_clause_written_twice_is_an_error(clause: str, word: str) -> None:
    with pytest.raises(accord.PolicyError) as excinfo:
        inline(f'incentive "stipend" to mentor per person\n  amount USD 500\n  {clause}\n')
    assert [(d.code, f"`{word}` more than once" in d.message) for d in excinfo.value.diagnostics] == [("P151", True)]


def test_one_amount_still_loads() -> None:
    assert inline('incentive "stipend" to mentor per person\n  amount USD 500\n').checked.incentives[0].amount is not None


# =========================================================================== a deadline needs a date

TRAINED = 'commitment "c" for mentee\n  "trained by September": by 2025-09-30: person.mentor_trained\n'
#: trained (a fact with no date); the only record is an unrelated log of 2025-10-01
UNRELATED_LOG = {
    "people": [{"id": "m", "facts": {"mentor_trained": True}}],
    "evidence": [{"id": "e", "kind": "mentoring_log", "subject": "m", "date": "2025-10-01"}],
}


def test_a_deadline_on_a_dateless_fact_is_met_without_a_borrowed_date(tmp_path: Path) -> None:
    (p,) = commitments(inline(TRAINED), facts(UNRELATED_LOG), "m", D("2026-01-15")).commitments[0].parts
    assert (p.status, p.met_on, p.met_on_known) == ("met", None, False)
    pol = write(tmp_path, "p.accord", 'policy "P" programme demo\n' + TRAINED)
    result = cli("commitments", write(tmp_path, "f.json", UNRELATED_LOG), "--person", "m", "--policy", pol, "--as-of", "2026-01-15")
    assert result.exit_code == 0
    assert "[met]          trained by September: due 2025-09-30; met, date not known" in result.stdout
    assert "2025-10-01" not in result.stdout
    lint = cli("lint", pol, engines=False)
    assert lint.exit_code == 0 and "p.accord:3:3: warning[P150]: this deadline reads nothing that has a date (`person.mentor_trained`)" in lint.stderr
    assert cli("lint", "--strict", pol, engines=False).exit_code == 2


def test_a_dateless_deadline_not_met_is_still_late_after_its_date() -> None:
    doc = {**UNRELATED_LOG, "people": [{"id": "m", "facts": {"mentor_trained": False}}]}
    (p,) = commitments(inline(TRAINED), facts(doc), "m", D("2026-01-15")).commitments[0].parts
    assert (p.status, p.met_on) == ("late", None)


def test_a_deadline_over_dated_records_still_says_when() -> None:
    """`any x in person.mentor: x.mentor_trained` reads a relationship, which has a date: no warning, a date."""
    policy = inline('commitment "c" for mentee\n  "a trained mentor": by 2025-09-30: any x in person.mentor: x.mentor_trained\n')
    assert policy.checked.warnings == ()
    doc = {
        "people": [{"id": "m"}, {"id": "a", "facts": {"mentor_trained": True}}],
        "relationships": [{"kind": "mentoring", "mentor": "a", "mentee": "m", "from": "2025-10-06"}],
    }
    (p,) = commitments(policy, facts(doc), "m", D("2026-01-15")).commitments[0].parts
    assert (p.status, p.met_on, p.met_on_known) == ("met late", D("2025-10-06"), True)


def test_a_quota_over_a_dateless_fact_is_met_without_a_borrowed_date() -> None:
    policy = inline('commitment "c" for mentee\n  "experienced": at least 1 year of person.years_experience due 2025-09-30\n')
    assert [w.code for w in policy.checked.warnings] == ["P150"]
    doc = {**UNRELATED_LOG, "people": [{"id": "m", "facts": {"years_experience": 3}}]}
    (p,) = commitments(policy, facts(doc), "m", D("2026-01-15")).commitments[0].parts
    assert (p.status, p.met_on, p.met_on_known) == ("met", None, False)


# =========================================================================== an average per week

AVERAGE = 'commitment "c" for mentee\n  "an hour a week on average": at least floor((today - 2025-09-01) / 7 days) * 1 hours of hours(evidence mentoring_log)\n'
LOGS = {
    "people": [{"id": "m"}],
    "evidence": [
        {"id": "e1", "kind": "mentoring_log", "subject": "m", "date": "2025-10-01", "hours": 2},
        {"id": "e2", "kind": "mentoring_log", "subject": "m", "date": "2025-11-03", "hours": 1},
    ],
}


def test_an_average_per_week_behind_schedule_is_late(tmp_path: Path) -> None:
    """19 whole weeks since 2025-09-01 by 2026-01-15, 3 hours logged: behind by 16 hours, exit 1."""
    report = commitments(inline(AVERAGE), facts(LOGS), "m", D("2026-01-15"))
    (p,) = report.commitments[0].parts
    assert (p.status, p.behind, report.exit_code) == ("late", "16 hours", 1)
    pol = write(tmp_path, "p.accord", 'policy "P" programme demo\n' + AVERAGE)
    result = cli("commitments", write(tmp_path, "f.json", LOGS), "--person", "m", "--policy", pol, "--as-of", "2026-01-15")
    assert result.exit_code == 1
    assert "[late]         an hour a week on average: 3 hours of 19 hours done, 16 hours to go; behind schedule by 16 hours" in result.stdout


def test_an_average_per_week_kept_up_is_on_track() -> None:
    """Two hours logged on 2025-09-02 cover the two whole weeks to 2025-09-16."""
    doc = {"people": [{"id": "m"}], "evidence": [{"id": "e", "kind": "mentoring_log", "subject": "m", "date": "2025-09-02", "hours": 2}]}
    (p,) = commitments(inline(AVERAGE), facts(doc), "m", D("2025-09-16")).commitments[0].parts
    assert (p.status, p.behind, p.met_on) == ("on track", None, None)


# =========================================================================== whole months, and rounding


def test_a_fractional_month_literal_is_refused_pointing_at_rounding() -> None:
    with pytest.raises(accord.PolicyError) as excinfo:
        inline('role mentee\n  require "r": 2024-01-15 + 1.5 months <= today\n')
    (d,) = excinfo.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("P111", 4, 29)
    assert "`round(...)`" in (d.hint or "")


SHIFT = "person.first_teaching_day + {} * 1 months <= today"


def test_a_computed_fractional_month_is_a_rule_error_that_says_so(tmp_path: Path) -> None:
    from tests.support import decide, only, people, policy

    loaded = people(("m", {"first_teaching_day": "2025-09-01"}))
    result = only(decide(policy('role mentee\n  require "r": ' + SHIFT.format("1.5") + "\n"), loaded, "m", "mentee"))
    assert result.status == "error" and "a date moves by whole months, not 1.5 months" in result.because
    body = 'commitment "c" for mentee\n  "by then": by person.first_teaching_day + (today - person.first_teaching_day) / 30 days * 1 months: count(evidence mentoring_log) >= 1\n'
    doc = {"people": [{"id": "m", "facts": {"first_teaching_day": "2025-09-01"}}]}
    (p,) = commitments(inline(body), facts(doc), "m", D("2026-01-15")).commitments[0].parts
    assert p.status == "unknown" and p.missing == ()
    assert p.errors[0].startswith("a date moves by whole months, not 4.5333")
    out = cli("commitments", write(tmp_path, "f.json", doc), "--person", "m", "--policy", write(tmp_path, "p.accord", 'policy "P" programme demo\n' + body), "--as-of", "2026-01-15")
    assert out.exit_code == 3 and "error: a date moves by whole months" in out.stdout and "missing" not in out.stdout


@pytest.mark.parametrize(
    ("how", "amount", "due"),
    [("round", "1.5", "2025-11-01"), ("round", "1.4", "2025-10-01"), ("floor", "1.9", "2025-10-01"), ("ceil", "1.1", "2025-11-01"), ("floor", "-1.5", "2025-07-01")],
)
def test_round_floor_and_ceil_make_a_whole_amount_in_both_engines(how: str, amount: str, due: str) -> None:
    loaded = facts({"people": [{"id": "m", "facts": {"first_teaching_day": "2025-09-01", "years_experience": amount}}]})
    body = f'commitment "c" for mentee\n  by person.first_teaching_day + {how}(person.years_experience / 1 year) * 1 months: count(evidence mentoring_log) >= 1\n'
    (p,) = commitments(inline(body), loaded, "m", D("2026-01-15")).commitments[0].parts
    assert p.due == D(due)


@settings(max_examples=50, deadline=None)
@given(st.decimals(min_value=-1000, max_value=1000, places=3))
def test_floor_and_ceil_bracket_the_value_and_round_is_nearest(x) -> None:
    from accord.runtime import rounded

    lo, hi, near = rounded(x, "floor"), rounded(x, "ceil"), rounded(x, "round")
    assert lo <= x <= hi and hi - lo in (0, 1) and near in (lo, hi) and abs(near - x) <= abs(x - lo).max(abs(hi - x))
    assert lo == lo.to_integral_value() and near == near.to_integral_value()


def test_round_needs_an_amount() -> None:
    with pytest.raises(accord.PolicyError) as excinfo:
        inline('role mentee\n  require "r": round(person.mentor_trained) = 1\n')
    assert [d.code for d in excinfo.value.diagnostics] == ["P110"]


def test_a_recurring_part_with_no_start_warns_unless_the_policy_has_an_effective_date() -> None:
    body = 'commitment "c" for mentee\n  every month: at least 1 of count(evidence mentoring_log)\n'
    assert [(w.code, w.span.line) for w in inline(body).checked.warnings] == [("P153", 4)]
    assert inline(body, header='policy "P"\n  programme demo\n  effective 2025-07-01\n').checked.warnings == ()


def test_a_period_that_would_end_after_year_9999_ends_with_the_calendar() -> None:
    # a policy may not name a date in 9999 (P138), but the API may be asked as of one
    policy = inline('commitment "c" for mentee\n  every month from 9998-12-15: at least 1 of count(evidence mentoring_log)\n')
    (p,) = commitments(policy, facts({"people": [{"id": "m"}]}), "m", D("9999-12-31")).commitments[0].parts
    assert p.status == "late" and p.current == "0 of 1 so far in this period (9999-12-15 to 9999-12-31)"
