"""The seed rules of issue 10 section 8 that today's constructs can say, as a district's layer sets
what the state leaves open: release time (R-IND-4), time for an administrator's professional
conversations (603 CMR 7.13(2)(d)), the mentor's classroom observations. Every answer is asked
with both engines (`tests.questions`), and worked out by hand next to each test.
"""

from __future__ import annotations

import datetime as dt

import pytest

import accord
from tests.questions import commitments
from tests.support import facts

AS_OF = dt.date(2026, 1, 15)


def _parts(report, label):
    (c,) = [c for c in report.commitments if c.label == label]
    return {p.label: p for p in c.parts}


# =========================================================================== MA induction


@pytest.fixture(scope="module")
def district() -> accord.CompiledPolicy:
    return accord.load_policy(
        text='policy "A district" extends "ma/induction"\n'
        "set release_hours_per_month = 2 hours\n"
        "set mentor_observations = 2\n"
        "set conversation_hours_per_month = 1 hours\n"
    )


def _teacher(evidence):
    return facts({
        "people": [
            {"id": "t", "facts": {"ma_licence_category": "teacher", "years_experience": 0, "first_teaching_day": "2025-09-01",
                                  "induction_year_end": "2026-06-30"}},
            {"id": "m", "facts": {"mentor_trained": True}},
            {"id": "x", "facts": {}},
        ],
        "relationships": [{"kind": "mentoring", "mentor": "m", "mentee": "t", "from": "2025-09-01"}],
        "evidence": evidence,
    })


def test_release_time_each_month_is_late_when_a_month_falls_short(district):
    # September to December: 2 hours in each but November (1 hour); January is still open
    hours = {"2025-09-10": 2, "2025-10-10": 2, "2025-11-10": 1, "2025-12-10": 2.5}
    ev = [{"id": f"r{i}", "kind": "release_time", "subject": "t", "date": d, "hours": h} for i, (d, h) in enumerate(hours.items())]
    part = _parts(commitments(district, _teacher(ev), "t", AS_OF), "release time for observations and mentoring")["release time each month"]
    assert part.status == "late"
    assert (part.periods_met, part.periods_due) == (3, 4)


def test_the_mentors_observations_count_only_those_the_mentor_made(district):
    ev = [
        {"id": "o1", "kind": "observation", "subject": "t", "author": "m", "date": "2025-10-01", "announced": True},
        {"id": "o2", "kind": "observation", "subject": "t", "author": "x", "date": "2025-11-01", "announced": False},
        {"id": "o3", "kind": "observation", "subject": "t", "author": "m", "date": "2025-12-01", "announced": False},
    ]
    part = _parts(commitments(district, _teacher(ev), "t", AS_OF), "release time for observations and mentoring")[
        "classroom observations by the mentor in the induction year"
    ]
    # o2 was made by someone who is not the mentor: two of two, met on the second
    assert part.status == "met" and part.met_on == dt.date(2025, 12, 1)


def test_an_observation_before_the_mentoring_began_is_not_the_mentors(district):
    ev = [{"id": "o1", "kind": "observation", "subject": "t", "author": "m", "date": "2025-08-25", "announced": True}]
    part = _parts(commitments(district, _teacher(ev), "t", AS_OF), "release time for observations and mentoring")[
        "classroom observations by the mentor in the induction year"
    ]
    assert part.status == "on track" and part.done == "0"


def test_an_administrators_professional_conversations_each_month(district):
    f = facts({
        "people": [{"id": "a", "facts": {"ma_licence_category": "administrator", "years_as_administrator": 0, "first_working_day": "2025-10-01"}}],
        "evidence": [{"id": f"l{i}", "kind": "mentoring_log", "subject": "a", "date": d, "hours": 1}
                     for i, d in enumerate(["2025-10-05", "2025-11-05", "2025-12-05"])],
    })
    part = _parts(commitments(district, f, "a", AS_OF), "adequate time for professional conversations")["time with the mentor each month"]
    assert part.status == "on track" and (part.periods_met, part.periods_due) == (3, 3)


def test_the_state_alone_names_the_parameters_the_district_sets():
    state = accord.load_policy(programme="ma_induction")
    parts = _parts(commitments(state, _teacher([]), "t", AS_OF), "release time for observations and mentoring")
    assert {p.status for p in parts.values()} == {"unknown"}
    assert parts["release time each month"].missing == ("parameter release_hours_per_month",)
    assert parts["classroom observations by the mentor in the induction year"].missing == ("parameter mentor_observations",)
