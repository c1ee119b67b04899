"""School calendars: school days, calendar periods and per-period commitments (issue 10, section 1).

A district's calendar is data in the facts file (`calendars`), inherited down the place chain; a
person may stretch it (absences, a part-time share). Every construct runs through both engines
(tests/support.py, tests/questions.py), and anything a calendar does not say is unknown.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord import calendars
from accord.runtime import Context
from tests.conftest import EXAMPLES
from tests.questions import cli, cli_json, commitments, inline
from tests.support import decide, facts, only, policy, status_of

D = dt.date.fromisoformat

#: one school year, 2025-09-01 (a Monday) to 2026-06-19, with a closed week and a holiday;
#: the calendar belongs to the region, so the district's people inherit it
CAL = {
    "place": "south",
    "school_years": [
        {
            "name": "2025-26", "from": "2025-09-01", "to": "2026-06-19",
            "terms": [{"from": "2025-09-01", "to": "2025-12-19"}, {"from": "2026-01-05", "to": "2026-03-27"}, {"from": "2026-04-13", "to": "2026-06-19"}],
            "semesters": [{"from": "2025-09-01", "to": "2026-01-30"}, {"from": "2026-02-02", "to": "2026-06-19"}],
        }
    ],
    "non_school_days": ["2025-10-13", {"from": "2025-11-24", "to": "2025-11-28"}],
}
DOC = {
    "places": [
        {"id": "south", "kind": "region"},
        {"id": "town", "kind": "district", "parent": "south"},
        {"id": "elsewhere", "kind": "district"},
    ],
    "people": [
        {"id": "dev", "place": "town", "facts": {"first_teaching_day": "2025-09-01", "new_to_role": True}},
        {"id": "pat", "place": "town", "facts": {"first_teaching_day": "2025-09-01", "new_to_role": True}},
        {"id": "abe", "place": "town", "facts": {"first_teaching_day": "2025-09-01"}},
        {"id": "out", "place": "elsewhere", "facts": {"first_teaching_day": "2025-09-01"}},
        {"id": "ana"},
    ],
    "relationships": [{"kind": "mentoring", "mentor": "ana", "mentee": "dev", "from": "2025-09-10"}],
    "evidence": [
        {"id": "e1", "kind": "mentoring_log", "subject": "dev", "date": "2025-10-01", "hours": 8, "topic": "x"},
        {"id": "e2", "kind": "mentoring_log", "subject": "dev", "date": "2025-12-01", "hours": 4, "topic": "y"},
        {"id": "e3", "kind": "mentoring_log", "subject": "dev", "date": "2026-01-12", "hours": 3, "topic": "z"},
    ],
    "calendars": [
        CAL,
        {"person": "pat", "part_time": 0.5},
        # two absences that overlap: no school day is taken off twice
        {"person": "abe", "absences": [{"from": "2025-09-08", "to": "2025-09-12"}, {"from": "2025-09-10", "to": "2025-09-16"}]},
    ],
}
F = facts(DOC)


def holds(condition: str, person: str = "dev", as_of: dt.date = D("2026-01-15")) -> str:
    before = "define second = the 2nd term from person.first_teaching_day" if "second" in condition else ""
    return status_of(condition, F, person, role="mentee", as_of=as_of, before=before)


# =========================================================================== school days


def test_school_days_between_counts_weekdays_of_the_school_year_that_are_not_closed():
    # 2025-09-01 (Mon) to 2025-09-12 (Fri): the 9 school days after the first, up to the last
    assert holds("school days between 2025-09-01 and 2025-09-12 = 9 school days") == "met"
    # the closed Monday 2025-10-13 is not counted: 2025-10-10 (Fri) .. 2025-10-14 (Tue) is one day
    assert holds("school days between 2025-10-10 and 2025-10-14 = 1 school days") == "met"
    # backwards is negative
    assert holds("school days between 2025-09-12 and 2025-09-01 = -9 school days") == "met"


def test_the_explanation_shows_school_days_with_their_unit():
    r = only(decide(policy('role mentee\n  require "r": school days between person.first_teaching_day and today >= 30 school days\n'), F, "dev", "mentee", explain=True))
    assert str(r.status) == "met"
    assert r.because == "82 school days >= 30 school days"  # 92 weekdays, less the 10 of the winter break


def test_a_date_moves_by_school_days():
    # 10 school days after Friday 2025-10-03: Oct 6-10 (5), Oct 13 closed, Oct 14-17 (4), Oct 20 (10th)
    assert holds("2025-10-03 + 10 school days = 2025-10-20") == "met"
    assert holds("2025-10-20 - 10 school days = 2025-10-03") == "met"
    assert holds("2025-10-03 + 0 school days = 2025-10-03") == "met"


def test_within_school_days_is_a_deadline_whose_due_date_moves_by_school_days():
    policy_ = inline('commitment "c" for mentee\n  "mentor": within 5 school days of person.first_teaching_day: count(person.mentor) >= 1\n')
    (part,) = commitments(policy_, F, "dev", D("2025-10-01")).commitments[0].parts
    assert (part.label, part.status, part.due, part.met_on) == ("mentor", "met late", D("2025-09-08"), D("2025-09-10"))
    unlabelled = inline('commitment "c" for mentee\n  within 10 school days of person.first_teaching_day: count(person.mentor) >= 1\n')
    (part,) = commitments(unlabelled, F, "dev", D("2025-10-01")).commitments[0].parts
    assert (part.label, part.status, part.due) == ("within 10 school days of person.first_teaching_day", "met", D("2025-09-15"))


def test_a_calendar_is_inherited_down_the_place_chain_and_none_is_unknown_never_a_guess():
    assert holds("school days between 2025-09-01 and 2025-09-12 = 9 school days", person="dev") == "met"
    r = only(decide(policy('role mentee\n  require "r": school days between 2025-09-01 and 2025-09-12 = 9 school days\n'), F, "out", "mentee"))
    assert str(r.status) == "unknown"
    assert r.missing == ("a calendar for elsewhere",)


def test_days_outside_the_calendar_are_unknown():
    r = only(decide(policy('role mentee\n  require "r": school days between 2025-09-01 and 2026-09-12 > 0 school days\n'), F, "dev", "mentee"))
    assert (str(r.status), r.missing) == ("unknown", ("the calendar of south after 2026-06-19",))
    r = only(decide(policy('role mentee\n  require "r": 2026-06-01 + 30 school days > 2026-06-01\n'), F, "dev", "mentee"))
    assert (str(r.status), r.missing) == ("unknown", ("the calendar of south after 2026-06-19",))


def test_a_persons_own_calendar_part_time_and_absences_stretch_school_days():
    # part-time 0.5: 9 school days count 4.5, and 5 school days take 10
    assert holds("school days between 2025-09-01 and 2025-09-12 = 4.5 school days", person="pat") == "met"
    assert holds("2025-09-01 + 5 school days = 2025-09-15", person="pat") == "met"
    # an absence of a week: those days are not school days for abe, so a deadline moves on
    assert holds("school days between 2025-09-01 and 2025-09-12 = 4 school days", person="abe") == "met"
    assert holds("2025-09-01 + 5 school days = 2025-09-17", person="abe") == "met"  # absent 8 to 16 September
    assert holds("school days between 2025-09-01 and 2025-09-19 = 7 school days", person="abe") == "met"


# =========================================================================== periods


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("the start of the 2nd term from 2025-10-01 = 2026-01-05", "met"),
        ("the end of the first term from 2025-10-01 = 2025-12-19", "met"),
        ("the start of the 1st term from 2025-12-25 = 2026-01-05", "met"),  # in a holiday: the next term is the 1st
        ("the end of the term of 2026-02-01 = 2026-03-27", "met"),
        ("the end of the semester of 2025-09-01 = 2026-01-30", "met"),
        ("the start of the school year of 2026-03-01 = 2025-09-01", "met"),
        ("today in the 2nd term from person.first_teaching_day", "met"),
        ("today not in the first term from person.first_teaching_day", "met"),
        ("today in second", "met"),
        ("the start of the 2nd term of person.first_teaching_day = 2026-01-05", "met"),  # `of` reads as `from`  # a definition that is a period
        ("2025-12-25 in second", "not met"),
        ("the end of the 4th term from 2025-09-01 > 2025-09-01", "unknown"),  # the calendar has three
        ("the end of the term of 2025-12-25 > 2025-09-01", "unknown"),  # a holiday is in no term
    ],
)
def test_calendar_periods(expr, expected):
    assert holds(expr) == expected


def test_a_period_is_shown_by_its_name():
    assert accord.values.show(calendars.CalendarPeriod("term", "term 2 of 2025-26", D("2026-01-05"), D("2026-03-27"))) == "term 2 of 2025-26"


# =========================================================================== commitments per period


EVERY_TERM = 'commitment "c" for mentee\n  "each term": every term from person.first_teaching_day: at least 6 hours of hours(evidence mentoring_log)\n'


def test_every_term_checks_each_term_of_the_persons_calendar():
    (part,) = commitments(inline(EVERY_TERM), F, "dev", D("2026-01-15")).commitments[0].parts
    assert (part.status, part.periods_met, part.periods_due) == ("on track", 1, 1)
    assert part.periods == (
        "term 1 of 2025-26: 12 hours of 6 hours, met (2025-09-01 to 2025-12-19)",
        "term 2 of 2025-26: 3 hours of 6 hours, so far (2026-01-05 to 2026-03-27)",
    )
    assert part.current == "term 2 of 2025-26: 3 hours of 6 hours so far"


def test_a_missed_term_is_late_and_named():
    (part,) = commitments(inline(EVERY_TERM), F, "dev", D("2026-04-20")).commitments[0].parts
    assert part.status == "late"
    assert part.missed == ("term 2 of 2025-26 (3 hours of 6 hours)",)


def test_each_semester_and_every_school_year():
    text = (
        'commitment "c" for mentee\n  each semester from 2025-09-01: at least 2 of count(evidence mentoring_log)\n'
        '  every school year from 2025-09-01: at least 10 hours of hours(evidence mentoring_log)\n'
    )
    sem, year = commitments(inline(text), F, "dev", D("2026-03-01")).commitments[0].parts
    assert sem.periods[0] == "semester 1 of 2025-26: 3 of 2, met (2025-09-01 to 2026-01-30)"
    assert (sem.label, year.label) == ("every semester", "every school year")
    assert year.periods == ("school year 2025-26: 15 hours of 10 hours, met so far (2025-09-01 to 2026-06-19)",)


def test_every_term_without_a_calendar_is_unknown():
    (part,) = commitments(inline(EVERY_TERM), F, "out", D("2026-01-15")).commitments[0].parts
    assert (part.status, part.missing) == ("unknown", ("a calendar for elsewhere",))


def test_calendar_example_through_the_cli():
    ex = EXAMPLES / "constructs"
    result = cli("commitments", str(ex / "calendars.json"), "--person", "dev", "--policy", str(ex / "calendars.accord"), "--as-of", "2026-01-15")
    assert result.exit_code == 0, result.output
    assert "term 1 of 2025-26: 10 hours of 6 hours, met (2025-08-27 to 2025-11-21)" in result.stdout
    assert "[met]          a mentor within 10 school days: due 2025-09-11; met on 2025-09-08" in result.stdout
    code, data = cli_json("commitments", str(ex / "calendars.json"), "--person", "dev", "--policy", str(ex / "calendars.accord"), "--as-of", "2026-01-15")
    term = data["commitments"][0]["parts"][2]
    assert code == 0 and term["periods"][0].startswith("term 1 of 2025-26")
    result = cli("check", str(ex / "calendars.json"), "--person", "fay", "--role", "mentee", "--policy", str(ex / "calendars.accord"), "--as-of", "2026-01-15")
    assert result.exit_code == 3  # fay has no first teaching day on file


# =========================================================================== properties


_DAYS = st.dates(min_value=D("2025-08-31"), max_value=D("2026-06-19"))


@settings(max_examples=150, deadline=None)
@given(a=_DAYS, b=_DAYS, c=_DAYS, who=st.sampled_from(["dev", "pat", "abe"]))
def test_school_days_add_up(a, b, c, who):
    """school days between A and B + between B and C = between A and C, for any stretch."""
    ctx, person = Context(F, D("2026-01-15")), F.people[who]
    ab, bc, ac = (calendars.school_days(ctx, person, x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac


@settings(max_examples=150, deadline=None)
@given(a=_DAYS, n=st.integers(min_value=0, max_value=60), who=st.sampled_from(["dev", "abe"]))
def test_moving_by_n_school_days_covers_n_school_days(a, n, who):
    ctx, person = Context(F, D("2026-01-15")), F.people[who]
    moved = calendars.school_shift(ctx, person, a, n, 1)
    if moved.__class__ is accord.Unknown:
        assert n > 0  # only when it runs past the calendar's last day
        return
    assert calendars.school_days(ctx, person, a, moved) == n


# =========================================================================== errors


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (lambda d: d["calendars"].append({"place": "south", "person": "dev"}), "F040", "either a `place`"),
        (lambda d: d["calendars"].append({"place": "nowhere", "school_years": []}), "F040", "no place `nowhere`"),
        (lambda d: d["calendars"][0]["school_years"][0].update({"to": "2025-08-01"}), "F041", "ends (2025-08-01) before it starts"),
        (lambda d: d["calendars"][0]["school_years"][0]["terms"].append({"from": "2026-06-01", "to": "2026-07-31"}), "F041", "is not inside school year 2025-26"),
        (lambda d: d["calendars"][0]["school_years"][0]["terms"].append({"from": "2025-12-01", "to": "2025-12-31"}), "F041", "overlap"),
        (lambda d: d["calendars"][0].update({"non_school_days": ["2025-13-01"]}), "F041", "expected a date"),
        (lambda d: d["calendars"].append(copy.deepcopy(CAL)), "F042", "`south` has two calendars"),
        (lambda d: d["calendars"][1].update({"part_time": 1.5}), "F043", "a part-time share"),
        (lambda d: d["calendars"][0].update({"holidays": []}), "F044", "unknown field"),
    ],
)
def test_a_bad_calendar_is_a_facts_error(change, code, words):
    doc = copy.deepcopy(DOC)
    change(doc)
    with pytest.raises(accord.FactsError) as excinfo:
        facts(doc)
    assert code in [d.code for d in excinfo.value.diagnostics], excinfo.value.render()
    assert words in excinfo.value.render()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('role mentee\n  require "r": the 5000th term from today > today\n', "P260"),
        ('pair mentor, mentee\n  require "r": school days between 2025-09-01 and today > 3 school days\n', "P261"),
        ('role mentee\n  require "r": the end of the 2nd fortnight from today > today\n', "P262"),
        ('role mentee\n  require "r": the end of today > today\n', "P263"),
        ('role mentee\n  require "r": today + 1.5 school days > today\n', "P264"),
        ('role mentee\n  require "r": school days between today and today + 3 days > 1 school days\n', "P111"),
        ('commitment "c" for mentee\n  every quarter: at least 1 of count(evidence observation)\n', "P119"),
    ],
)
def test_checker_errors(body, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(body)
    assert [d.code for d in excinfo.value.diagnostics] == [code], excinfo.value.render()


# =========================================================================== a roster database


def test_calendars_are_imported_into_a_roster_and_read_back(tmp_path):
    from accord.roster.store import init_roster

    from tests.questions import write

    roster = init_roster(tmp_path / "r.db", "demo")
    report = roster.import_files([write(tmp_path, "facts.json", DOC)], effective=D("2025-07-01"))
    assert report.counts["calendars"] == 3
    back = roster.facts_as_of(D("2026-01-15"))
    assert set(back.calendars) == {"south"} and set(back.stretches) == {"pat", "abe"}
    ctx = Context(back, D("2026-01-15"))
    assert calendars.school_days(ctx, back.people["pat"], D("2025-09-01"), D("2025-09-12")) == Decimal("4.5")
    result = cli("commitments", str(tmp_path / "r.db"), "--person", "dev", "--policy", _write_policy(tmp_path), "--as-of", "2026-01-15")
    assert "term 1 of 2025-26: 12 hours of 6 hours, met (2025-09-01 to 2025-12-19)" in result.stdout


def _write_policy(folder) -> str:
    from tests.questions import write

    return write(folder, "p.accord", 'policy "T"\n  programme demo\n' + EVERY_TERM)


def test_a_window_relative_to_a_calendar_period():
    """An average over the term so far: `from the start of the term of today`."""
    # term 2 runs from 2026-01-05; by 2026-01-15 (11 days) dev logged 3 hours: 3 * 7 / 11 = 1.91 a week
    text = "average of hours(evidence mentoring_log) per week from the start of the term of today >= 2 hours per week"
    assert holds(text) == "not met"
    assert holds(text.replace(">= 2", ">= 1.9")) == "met"
    deadline = inline('commitment "c" for mentee\n  by the end of the 2nd term from person.first_teaching_day: count(evidence observation) >= 1\n')
    (part,) = commitments(deadline, F, "dev", D("2026-04-01")).commitments[0].parts
    assert (part.label, part.status, part.due) == ("by the end of the 2nd term from person.first_teaching_day", "late", D("2026-03-27"))
