"""The seed rules of issue 10 section 8 that today's constructs can say: release time (R-IND-4),
time for an administrator's professional conversations (603 CMR 7.13(2)(d)) and the mentor's
classroom observations, as a district's layer sets what the state leaves open; MASA's stipend,
sent for the teams on the region's pair list (process steps 7-8); the application for a second
year, made to the region coordinator (R-MASA-EXT-2). Every answer is asked with both engines
(`tests.questions`, `tests.support`), and worked out by hand next to each test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

import accord
from accord.cli import main
from accord.evaluate import Outcome
from tests.questions import commitments, incentives
from tests.support import decide, facts

ROOT = Path(__file__).resolve().parents[1]

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


# =========================================================================== MASA

MASA_DAY = dt.date(2021, 10, 1)
MEMBER = [{"organisation": "masa", "category": "active", "from": "2021-07-01"}]
MASA_PLACES = [
    {"id": "mn", "kind": "state"},
    {"id": "r1", "kind": "region", "parent": "mn"},
    {"id": "r3", "kind": "region", "parent": "mn"},
    {"id": "d1", "kind": "district", "parent": "r1"},
]


@pytest.fixture(scope="module")
def masa() -> accord.CompiledPolicy:
    return accord.load_policy(programme="masa")


def _team(evidence, **people):
    return facts({
        "places": MASA_PLACES,
        "people": [
            {"id": "m", "place": "d1", "memberships": MEMBER},
            {"id": "e", "place": "d1", "memberships": MEMBER},
            {"id": "rep", "place": "d1", "roles": [{"role": "district_representative", "place": "d1", "from": "2020-07-01"}]},
            {"id": "c1", "place": "r1", "roles": [{"role": "region_coordinator", "place": "r1", "from": "2020-07-01"}]},
            {"id": "c3", "place": "r3", "roles": [{"role": "region_coordinator", "place": "r3", "from": "2020-07-01"}]},
        ],
        "relationships": [{"kind": "mentoring", "mentor": "m", "mentee": "e", "from": "2021-09-01"}],
        "evidence": evidence,
    })


def _stipend(report):
    (a,) = [a for a in report.awards if a.label == "mentor stipend"]
    return a.outcome


@pytest.mark.parametrize(
    ("entry", "outcome"),
    [
        ({"mentor_id": "m", "date": "2021-09-30"}, Outcome.YES),  # listed before the as-of date
        ({"mentor_id": "m", "date": "2021-10-02"}, Outcome.NO),  # the list is sent after it
        ({"mentor_id": "someone_else", "date": "2021-09-30"}, Outcome.NO),  # the list names another mentor
        ({"date": "2021-09-30"}, Outcome.UNKNOWN),  # an entry that does not say whose team it is
        (None, Outcome.NO),  # not on the list
    ],
)
def test_the_stipend_follows_the_pair_list(masa, entry, outcome):
    ev = [] if entry is None else [{"id": "l", "kind": "pair_list", "subject": "e", "author": "c1", **entry}]
    assert _stipend(incentives(masa, _team(ev), "m", MASA_DAY)) is outcome


@pytest.mark.parametrize(
    ("author", "received_by", "outcome"),
    [
        ("e", "c1", Outcome.YES),  # the mentee applies to the region's coordinator
        ("m", "c1", Outcome.YES),  # the mentor
        ("rep", "c1", Outcome.YES),  # the mentee's district
        ("c1", "c1", Outcome.NO),  # the region itself is not a listed requester (R-MASA-EXT-3)
        ("rep", "c3", Outcome.NO),  # another region's coordinator
        ("rep", None, Outcome.UNKNOWN),  # nobody recorded who received it
    ],
)
def test_an_extension_application_goes_to_the_region_coordinator(masa, author, received_by, outcome):
    app = {"id": "a", "kind": "extension_application", "subject": "e", "author": author, "date": "2022-04-01"}
    if received_by:
        app["verified_by"] = received_by
    assert decide(masa, _team([app]), "e", "extension_applied", dt.date(2022, 4, 20)).outcome is outcome


def test_the_application_is_shown_to_the_region_not_to_another_region():
    def code(viewer):
        result = CliRunner().invoke(main, ["access", str(ROOT / "examples/masa/facts.json"), "--viewer", viewer, "--record", "app1",
                                           "--programme", "masa", "--as-of", "2022-04-20"])
        return result.exit_code
    assert (code("rita"), code("carl"), code("dana"), code("maria"), code("ruth")) == (0, 1, 0, 0, 1)
