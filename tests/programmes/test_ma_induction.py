"""Massachusetts induction and mentoring (`ma_induction`): plugin, the state policy, the Attleboro layer, CLI.

Every rule of programmes.md section 2 that `rules/ma/induction.accord` or
`rules/ma/districts/attleboro.accord` encodes and the specification does not mark UNCERTAIN is
tested at, just below and just above its threshold, and with missing data (undetermined, naming
the missing fact). Each UNCERTAIN or INFERRED rule is a parameter: tested at its default and as a
district layer sets it. Every question is asked with both engines, which must agree
(`tests.support`, `tests.questions`); the example facts (`examples/ma/facts.json`) are also asked
through the CLI, including the teacher who is a supervising practitioner under SP/CAP and a mentor
under induction in the same file. Expected answers are worked out by hand next to each test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import accord
from accord.access import Access
from accord.evaluate import Outcome
from tests.questions import access, cli, cli_json, commitments, incentives
from tests.support import decide, decide_pair, facts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "ma" / "facts.json")
D = dt.date.fromisoformat
AS_OF = D("2026-01-15")
YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN

TRAINED = "is a trained mentor"
EXPERIENCE = "has at least three years of experience"
MENTOR_RATED = "was rated proficient or higher, where the district requires it"
IS_TEACHER = "is a teacher (not an administrator or SISP)"
FIRST_YEAR = "is in the first year of practice, or earlier experience did not include an induction programme meeting MA rules"
ONE_YEAR = "has at least one year of experience"
NEW = "is new to the district or to the role"
INDUCTED = "earlier experience included an induction programme meeting MA rules"
ADMIN_FIRST = "is in the first year as an administrator"
ADMIN_ONE = "has at least one year as an administrator"
NOT_EVALUATOR = "the mentor is not the mentee's evaluator"
NOT_EVALUATOR_PREF = "the mentor is not the mentee's evaluator (a warning when it is not a requirement)"
MENTOR_TRAINED = "the mentor is trained"
WITHIN_TWO_WEEKS = "a trained mentor within the first two weeks of teaching"
FIFTY = "50 hours of mentored experience beyond the induction year"


@pytest.fixture(scope="module")
def state() -> accord.CompiledPolicy:
    return accord.load_policy(programme="ma_induction")


@pytest.fixture(scope="module")
def attleboro() -> accord.CompiledPolicy:
    return accord.load_policy(programme="ma_induction", places=["att_school", "attleboro", "southeast", "ma"])


def layer(body: str) -> accord.CompiledPolicy:
    """The state policy with a district's layer on top."""
    return accord.load_policy(text=f'policy "District layer" extends "ma/induction"\n{body}')


def rule(decision: accord.Decision, label: str) -> Any:
    found = [r for r in (*decision.requirements, *decision.preferences) if r.label == label]
    assert len(found) == 1, [r.label for r in decision.requirements]
    return found[0]


# --------------------------------------------------------------------------- building facts

PLACES = [
    {"id": "ma", "kind": "state", "name": "Massachusetts"},
    {"id": "southeast", "kind": "region", "parent": "ma"},
    {"id": "attleboro", "kind": "district", "name": "Attleboro Public Schools", "parent": "southeast"},
    {"id": "att_school", "kind": "school", "parent": "attleboro"},
    {"id": "norton", "kind": "district", "name": "Norton Public Schools", "parent": "southeast"},
    {"id": "nor_school", "kind": "school", "parent": "norton"},
]
MENTOR = {"ma_licence_category": "teacher", "years_experience": 8, "mentor_trained": True, "subject_area": "english", "grade_band": "5-8"}
BEGINNER = {
    "ma_licence_category": "teacher", "years_experience": 0, "first_teaching_day": "2025-08-27", "induction_year_end": "2026-06-30",
    "subject_area": "english", "grade_band": "5-8", "mentoring_component": "A",
}
VIEWERS = [
    {"id": "coord", "place": "attleboro", "roles": [{"role": "coordinator", "place": "attleboro"}]},
    {"id": "ncoord", "place": "norton", "roles": [{"role": "coordinator", "place": "norton"}]},
    {"id": "admin", "place": "att_school", "roles": [{"role": "administrator", "place": "att_school"}]},
    {"id": "coach", "place": "attleboro", "roles": [{"role": "resource_professional", "place": "attleboro"}]},
    {"id": "dese", "place": "ma", "roles": [{"role": "state", "place": "ma"}]},
    {"id": "stranger", "place": "att_school"},
]
_ids = iter(range(1, 100_000))


def ev(kind: str, subject: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"{kind}-{next(_ids)}", "kind": kind, "subject": subject, "date": date, **fields}


def world(person: dict[str, Any] | None = None, mentor: dict[str, Any] | None = None, evidence: list[dict[str, Any]] | None = None,
          relationships: list[dict[str, Any]] | None = None, place: str = "att_school", consents: list[dict[str, Any]] | None = None,
          licence: str | None = "initial") -> accord.Facts:
    """Facts: `t` (a beginning teacher unless `person` says otherwise), mentor `m` (assigned on day 10), viewers."""
    rel = [{"kind": "mentoring", "mentor": "m", "mentee": "t", "from": "2025-09-05"}] if relationships is None else relationships
    lic = [ev("licence", "t", "2025-07-01", licence_type=licence, licence_field="english 5-8")] if licence else []
    return facts({
        "places": PLACES,
        "people": [
            {"id": "t", "name": "Teacher", "place": place, "facts": BEGINNER if person is None else person},
            {"id": "m", "name": "Mentor", "place": place, "facts": MENTOR if mentor is None else mentor},
            {"id": "ev", "name": "Evaluator", "place": place, "facts": {"ma_licence_category": "administrator"}},
            *VIEWERS,
        ],
        "relationships": rel,
        "evidence": [*lic, *(evidence or [])],
        "consents": consents or [],
    })


def status(policy: accord.CompiledPolicy, f: accord.Facts, person: str, role: str, label: str, as_of: dt.date = AS_OF) -> Any:
    return rule(decide(policy, f, person, role, as_of), label)


# --------------------------------------------------------------------------- the plugin


def test_the_programme_is_installed_with_its_roles_policy_and_district_layer():
    reg = accord.Registry()
    prog = reg.get_programme("ma_induction")
    assert [r.name for r in prog.roles][:5] == [
        "mentor", "beginning_teacher", "incoming_teacher", "beginning_administrator", "incoming_administrator",
    ]
    assert (prog.policy, prog.layers) == ("ma/induction.accord", ("ma/districts/attleboro.accord",))
    assert reg.get_place_policy("ma_induction", ["att_school", "attleboro", "ma"])[0] == "rules/ma/districts/attleboro.accord"
    assert reg.get_place_policy("ma_induction", ["nor_school", "norton", "ma"])[0] == "rules/ma/induction.accord"


# --------------------------------------------------------------------------- the mentor: R-MEN-1/2/3


@pytest.mark.parametrize(("trained", "st"), [(True, "met"), (False, "not met"), (None, "unknown")])
def test_r_men_1_a_trained_mentor(state, trained, st):
    m = {k: v for k, v in {**MENTOR, "mentor_trained": trained}.items() if v is not None}
    r = status(state, world(mentor=m), "m", "mentor", TRAINED)
    assert r.status == st
    assert r.missing == (("person.mentor_trained",) if trained is None else ())


@pytest.mark.parametrize(("years", "st"), [("2.9", "not met"), (3, "met"), ("3.1", "met")])
def test_r_men_2_uncertain_three_years_by_default(state, years, st):
    assert status(state, world(mentor={**MENTOR, "years_experience": years}), "m", "mentor", EXPERIENCE).status == st


def test_r_men_2_a_district_changes_the_years_or_drops_the_rule(state):
    f = world(mentor={**MENTOR, "years_experience": 4})
    assert status(layer("set mentor_min_years = 5 years"), f, "m", "mentor", EXPERIENCE).status == "not met"
    assert status(layer("set mentor_min_years = 2 years"), f, "m", "mentor", EXPERIENCE).status == "met"
    no_years = world(mentor={k: v for k, v in MENTOR.items() if k != "years_experience"})
    r = status(state, no_years, "m", "mentor", EXPERIENCE)
    assert (r.status, r.missing) == ("unknown", ("person.years_experience",))
    assert status(layer("set mentor_experience_required = false"), no_years, "m", "mentor", EXPERIENCE).status == "met"


@pytest.mark.parametrize(
    ("level", "required_status"), [("needs_improvement", "not met"), ("proficient", "met"), ("exemplary", "met")],
)
def test_r_men_3_a_rating_is_encouraged_not_required_unless_a_district_requires_it(state, level, required_status):
    f = world(evidence=[ev("summative_evaluation", "m", "2025-06-10", rating=level)])
    assert status(state, f, "m", "mentor", MENTOR_RATED).status == "met"
    assert decide(state, f, "m", "mentor").outcome is YES
    assert status(layer("set mentor_rating_required = true"), f, "m", "mentor", MENTOR_RATED).status == required_status
    # encouraged: a preference of the pair rule
    assert rule(decide_pair(state, f, "m", "t"), "the mentor was rated proficient or higher (encouraged)").status == required_status


def test_r_men_3_a_required_rating_that_is_missing_is_undetermined(state):
    r = status(layer("set mentor_rating_required = true"), world(), "m", "mentor", MENTOR_RATED)
    assert (r.status, r.missing) == ("unknown", ("evidence summative_evaluation",))


# --------------------------------------------------------------------------- beginning and incoming teachers


@pytest.mark.parametrize(("years", "st"), [(0, "met"), ("0.9", "met"), (1, "not met"), ("1.1", "not met")])
def test_a_beginning_teacher_is_in_the_first_year_of_practice(state, years, st):
    f = world(person={**BEGINNER, "years_experience": years, "prior_experience_outside_ma_public": False})
    assert status(state, f, "t", "beginning_teacher", FIRST_YEAR).status == st
    incoming = {"met": "not met", "not met": "met"}[st]
    assert status(state, f, "t", "incoming_teacher", ONE_YEAR).status == incoming


@pytest.mark.parametrize(
    ("category", "outcome"), [("teacher", YES), ("sisp", NO), ("administrator", NO), (None, UNKNOWN)],
)
def test_r_hrs_4_sisp_staff_and_administrators_are_not_beginning_teachers(state, category, outcome):
    person = {k: v for k, v in {**BEGINNER, "ma_licence_category": category}.items() if v is not None}
    decision = decide(state, world(person=person), "t", "beginning_teacher")
    assert decision.outcome is outcome
    if category is None:
        assert decision.missing == ("person.ma_licence_category",)


@pytest.mark.parametrize(
    ("outside", "equivalent", "beginning", "incoming"),
    [
        (True, False, YES, NO),  # out-of-state experience without an MA-standard induction: supports of a beginning teacher
        (True, True, NO, YES),
        (False, None, NO, YES),
        (True, None, UNKNOWN, UNKNOWN),
    ],
)
def test_r_hrs_4_experience_elsewhere_without_an_induction_programme(state, outside, equivalent, beginning, incoming):
    person = {"ma_licence_category": "teacher", "years_experience": 6, "new_to_district": True,
              "prior_experience_outside_ma_public": outside, "first_teaching_day": "2025-08-27"}
    if equivalent is not None:
        person["completed_equivalent_induction"] = equivalent
    f = world(person=person)
    assert decide(state, f, "t", "beginning_teacher").outcome is beginning
    assert decide(state, f, "t", "incoming_teacher").outcome is incoming
    if beginning is UNKNOWN:
        assert decide(state, f, "t", "beginning_teacher").missing == ("person.completed_equivalent_induction",)


def test_a_missing_years_of_experience_is_undetermined_and_named(state):
    person = {k: v for k, v in BEGINNER.items() if k != "years_experience"} | {"prior_experience_outside_ma_public": False}
    decision = decide(state, world(person=person), "t", "beginning_teacher")
    assert (decision.outcome, decision.missing) == (UNKNOWN, ("person.years_experience",))


@pytest.mark.parametrize(
    ("district", "role", "outcome"),
    [(True, False, YES), (False, True, YES), (False, False, NO), (None, False, UNKNOWN)],
)
def test_an_incoming_teacher_is_new_to_the_district_or_role(state, district, role, outcome):
    person = {"ma_licence_category": "teacher", "years_experience": 5, "new_to_role": role, "prior_experience_outside_ma_public": False}
    if district is not None:
        person["new_to_district"] = district
    decision = decide(state, world(person=person), "t", "incoming_teacher")
    assert decision.outcome is outcome
    if outcome is UNKNOWN:
        assert decision.missing == ("person.new_to_district",)


@pytest.mark.parametrize(("years", "beginning", "incoming"), [(0, YES, NO), ("0.9", YES, NO), (1, NO, YES), ("1.1", NO, YES)])
def test_r_ind_6_beginning_and_incoming_administrators(state, years, beginning, incoming):
    person = {"ma_licence_category": "administrator", "years_as_administrator": years, "new_to_district": True}
    f = world(person=person)
    assert decide(state, f, "t", "beginning_administrator").outcome is beginning
    assert decide(state, f, "t", "incoming_administrator").outcome is incoming
    missing = world(person={"ma_licence_category": "administrator", "new_to_district": True})
    decision = decide(state, missing, "t", "beginning_administrator")
    assert (decision.outcome, decision.missing) == (UNKNOWN, ("person.years_as_administrator",))


# --------------------------------------------------------------------------- pairing: R-CONF-2, R-IND-2, R-MEN-4


EVALUATES = [
    {"kind": "mentoring", "mentor": "m", "mentee": "t", "from": "2025-09-05"},
    {"kind": "evaluation", "evaluator": "m", "evaluatee": "t", "from": "2025-09-01", "to": "2026-06-30"},
]


def test_r_conf_2_the_mentor_is_not_the_mentees_evaluator(state):
    assert decide_pair(state, world(), "m", "t").outcome is YES
    decision = decide_pair(state, world(relationships=EVALUATES), "m", "t")
    assert (decision.outcome, rule(decision, NOT_EVALUATOR).status) == (NO, "not met")
    # after the evaluation relationship ends, and with no summative evaluation written by the mentor
    assert decide_pair(state, world(relationships=EVALUATES), "m", "t", D("2026-07-01")).outcome is YES


def test_r_conf_2_the_author_of_the_mentees_latest_summative_evaluation_is_an_evaluator(state):
    f = world(evidence=[{**ev("summative_evaluation", "t", "2025-06-10", rating="proficient"), "author": "m"}])
    assert decide_pair(state, f, "m", "t").outcome is NO


def test_r_conf_2_uncertain_a_district_may_make_it_a_warning(state):
    warn = layer("set mentor_may_not_evaluate = false")
    decision = decide_pair(warn, world(relationships=EVALUATES), "m", "t")
    assert (decision.outcome, rule(decision, NOT_EVALUATOR_PREF).status) == (YES, "not met")
    assert decision.score == decide_pair(warn, world(), "m", "t").score - 5


@pytest.mark.parametrize(("trained", "outcome"), [(True, YES), (False, NO), (None, UNKNOWN)])
def test_r_ind_2_a_pair_needs_a_trained_mentor(state, trained, outcome):
    m = {k: v for k, v in {**MENTOR, "mentor_trained": trained}.items() if v is not None}
    decision = decide_pair(state, world(mentor=m), "m", "t")
    assert decision.outcome is outcome
    if outcome is UNKNOWN:
        assert decision.missing == ("mentor.mentor_trained",)


def test_a_mentor_cannot_mentor_themself(state):
    assert decide_pair(state, world(), "m", "m").outcome is NO


def test_r_men_4_uncertain_matching_preferences_subject_foremost(state):
    decision = decide_pair(state, world(), "m", "t")
    assert [(p.label, p.status) for p in decision.preferences] == [
        (NOT_EVALUATOR_PREF, "met"),
        ("teaches the same subject", "met"),
        ("teaches the same grade levels", "met"),
        ("works in the same school", "met"),
        ("the mentor was rated proficient or higher (encouraged)", "unknown"),
    ]
    assert decision.score == 11
    other = world(mentor={**MENTOR, "subject_area": "science"})
    assert decide_pair(state, other, "m", "t").score == 8


# --------------------------------------------------------------------------- R-IND-2: a mentor within two weeks


def deadline(policy: accord.CompiledPolicy, f: accord.Facts, as_of: dt.date = AS_OF, label: str = WITHIN_TWO_WEEKS) -> Any:
    report = commitments(policy, f, "t", as_of)
    (com,) = [c for c in report.commitments if c.label == label]
    return com


def assigned(day: str) -> list[dict[str, Any]]:
    return [{"kind": "mentoring", "mentor": "m", "mentee": "t", "from": day}]


@pytest.mark.parametrize(
    ("day", "st"),
    [
        ("2025-09-08", "met"),  # day 13 (the first teaching day, 2025-08-27, is day 1)
        ("2025-09-09", "met"),  # day 14
        ("2025-09-10", "met late"),  # day 15
    ],
)
def test_r_ind_2_a_trained_mentor_within_fourteen_calendar_days(state, day, st):
    com = deadline(state, world(relationships=assigned(day)))
    assert (com.status, com.parts[0].due, com.parts[0].met_on) == (st, D("2025-09-09"), D(day))


def test_r_ind_2_no_mentor_yet_is_on_track_then_late(state):
    f = world(relationships=[])
    assert deadline(state, f, D("2025-09-09")).status == "on track"
    assert deadline(state, f, D("2025-09-10")).status == "late"


def test_r_ind_2_an_untrained_mentor_does_not_count(state):
    com = deadline(state, world(mentor={**MENTOR, "mentor_trained": False}))
    assert com.status == "late"


def test_r_ind_2_uncertain_school_days_and_the_window_are_parameters(state):
    f = world(relationships=assigned("2025-09-10"))  # day 15 in calendar days
    school = layer("set mentor_assignment_days = school_days")
    com = deadline(school, f)  # Wed 2025-08-27 is school day 1; day 14 is Mon 2025-09-15
    assert (com.status, com.parts[0].due) == ("met", D("2025-09-15"))
    assert deadline(layer("set mentor_assignment_window = 10 days"), f).parts[0].due == D("2025-09-05")


def test_r_ind_2_without_a_first_teaching_day_the_deadline_is_unknown(state):
    person = {k: v for k, v in BEGINNER.items() if k != "first_teaching_day"}
    com = deadline(state, world(person=person))
    assert (com.status, com.parts[0].missing) == ("unknown", ("person.first_teaching_day",))


def test_r_ind_6_administrators_get_a_mentor_within_two_weeks_of_working(state):
    person = {"ma_licence_category": "administrator", "years_as_administrator": 0, "first_working_day": "2025-07-01"}
    com = deadline(state, world(person=person, relationships=assigned("2025-07-14")), label="a trained mentor within the first two weeks of working")
    assert (com.status, com.parts[0].due) == ("met", D("2025-07-14"))


# --------------------------------------------------------------------------- R-IND-1, R-IND-3: orientation and support team


def test_r_ind_1_and_3_what_a_beginning_teacher_is_owed(state):
    f = world(evidence=[ev("orientation", "t", "2025-08-25")],
              relationships=[*assigned("2025-09-05"), {"kind": "evaluation", "evaluator": "ev", "evaluatee": "t", "from": "2025-09-01"}])
    report = commitments(state, f, "t")
    assert [(c.label, c.status) for c in report.commitments] == [
        ("orientation (beginning teacher)", "met"),
        (WITHIN_TWO_WEEKS, "met"),
        ("a support team", "met"),
        (FIFTY, "in progress"),
        # R-IND-4: release time, in amounts the state leaves to the district (parameters at `none`)
        ("release time for observations and mentoring", "unknown"),
    ]
    no_team = commitments(state, world(), "t")
    (team,) = [c for c in no_team.commitments if c.label == "a support team"]
    assert [(p.label, p.status) for p in team.parts] == [
        ("the mentor", "met"), ("an administrator qualified to evaluate teachers", "in progress"),
    ]


def test_r_ind_1_an_incoming_teacher_is_owed_orientation_only(state):
    person = {"ma_licence_category": "teacher", "years_experience": 5, "new_to_district": True, "prior_experience_outside_ma_public": False}
    report = commitments(state, world(person=person, licence="professional"), "t")
    assert [(c.label, c.status) for c in report.commitments] == [("orientation (incoming teacher)", "in progress")]


def test_a_sisp_is_owed_nothing(state):
    report = commitments(state, world(person={**BEGINNER, "ma_licence_category": "sisp"}), "t")
    assert report.commitments == ()


# --------------------------------------------------------------------------- R-HRS-1: 50 hours beyond the induction year


def logs(*items: tuple[str, Any]) -> list[dict[str, Any]]:
    return [ev("mentoring_log", "t", day, author="m", hours=h, topic="x", safety_concern=False) for day, h in items]


@pytest.mark.parametrize(("hours", "st"), [(49, "in progress"), (50, "met"), (51, "met")])
def test_r_hrs_1_fifty_hours_beyond_the_induction_year(state, hours, st):
    f = world(evidence=logs(("2026-03-01", 30), ("2026-09-15", hours - 10), ("2026-10-01", 10)))
    com = deadline(state, f, D("2026-12-01"), FIFTY)
    # the 30 hours of March 2026 are in the induction year (to 2026-06-30) and do not count
    assert (com.status, com.parts[0].done) == (st, f"{hours} hours")


def test_r_hrs_1_a_professional_licence_holder_does_not_owe_them(state):
    person = {"ma_licence_category": "teacher", "years_experience": 5, "new_to_district": True, "prior_experience_outside_ma_public": False}
    assert FIFTY not in [c.label for c in commitments(state, world(person=person, licence="professional"), "t").commitments]
    assert FIFTY in [c.label for c in commitments(state, world(person=person, licence="initial"), "t").commitments]


def test_r_hrs_1_missing_data_is_unknown_and_named(state):
    com = deadline(state, world(licence=None), label=FIFTY)  # no licence history
    assert (com.status, com.applies, com.missing) == ("unknown", None, ("evidence licence",))
    person = {k: v for k, v in BEGINNER.items() if k != "induction_year_end"}
    com = deadline(state, world(person=person, evidence=logs(("2025-10-01", 2))), label=FIFTY)
    assert (com.status, com.parts[0].missing) == ("unknown", ("person.induction_year_end",))


# --------------------------------------------------------------------------- confidentiality: R-CONF-1, R-CONF-4


def records(f: accord.Facts, kind: str) -> list[str]:
    return [e.id for e in f.evidence if e.kind == kind]


@pytest.mark.parametrize(
    ("viewer", "outcome"),
    [
        ("t", Access.ALLOW), ("m", Access.ALLOW),  # the mentee and the mentor
        ("ncoord", Access.COUNTS_ONLY), ("dese", Access.COUNTS_ONLY),  # R-CONF-4 / R-IND-5: counts for the annual report
        ("ev", Access.DENY),  # the evaluator: only with the mentee's permission
        ("stranger", Access.DENY),
    ],
)
def test_r_conf_1_and_4_mentoring_logs_at_state_level(state, viewer, outcome):
    f = world(place="nor_school", evidence=logs(("2025-10-01", 2)),
              relationships=[*assigned("2025-09-05"), {"kind": "evaluation", "evaluator": "ev", "evaluatee": "t", "from": "2025-09-01"}],
              person={**BEGINNER})
    assert access(state, f, viewer, records(f, "mentoring_log")[0]).outcome is outcome


def test_r_conf_1_the_evaluator_sees_a_log_the_mentee_shares(state):
    rel = [*assigned("2025-09-05"), {"kind": "evaluation", "evaluator": "ev", "evaluatee": "t", "from": "2025-09-01"}]
    consent = [{"subject": "t", "viewer": "ev", "components": ["mentoring_log"], "from": "2025-11-01"}]
    f = world(evidence=logs(("2025-10-01", 2)), relationships=rel, consents=consent)
    log = records(f, "mentoring_log")[0]
    assert access(state, f, "ev", log, D("2025-10-31")).outcome is Access.DENY
    assert access(state, f, "ev", log, D("2025-11-01")).outcome is Access.ALLOW


def test_r_conf_1_mentees_choose_which_evaluation_components_to_share(state):
    comps = [ev("evaluation_component", "t", "2025-12-01", author="ev", component=c, rating="proficient") for c in ("s1", "s2")]
    consent = [{"subject": "t", "viewer": "m", "components": ["s1"], "from": "2025-12-10", "withdrawn": "2026-02-01"}]
    rel = [*assigned("2025-09-05"), {"kind": "evaluation", "evaluator": "ev", "evaluatee": "t", "from": "2025-09-01"}]
    f = world(evidence=comps, consents=consent, relationships=rel)
    s1, s2 = records(f, "evaluation_component")
    assert access(state, f, "m", s1, D("2025-12-09")).outcome is Access.DENY  # not yet shared
    assert access(state, f, "m", s1, D("2025-12-10")).outcome is Access.ALLOW
    assert access(state, f, "m", s2, D("2025-12-10")).outcome is Access.DENY  # another component
    assert access(state, f, "m", s1, D("2026-02-01")).outcome is Access.DENY  # withdrawn
    assert access(state, f, "ev", s2, D("2025-12-10")).outcome is Access.ALLOW  # the evaluator


def test_r_conf_4_observations_by_mentors_reach_the_state_as_counts(state):
    f = world(evidence=[ev("observation", "t", "2025-10-22", author="m", announced=True)])
    obs = records(f, "observation")[0]
    assert access(state, f, "dese", obs).outcome is Access.COUNTS_ONLY
    assert access(state, f, "m", obs).outcome is Access.ALLOW


# --------------------------------------------------------------------------- the Attleboro layer: R-CONF-3, R-MEN-INC-1, R-HRS-3


def attleboro_world(**log_fields: Any) -> accord.Facts:
    rel = [*assigned("2025-09-05"), {"kind": "evaluation", "evaluator": "admin", "evaluatee": "t", "from": "2025-09-01"}]
    log = ev("mentoring_log", "t", "2025-12-05", author="m", hours=1, topic="x", **log_fields)
    return world(evidence=[log], relationships=rel)


@pytest.mark.parametrize(
    ("fields", "outcome"),
    [
        ({"safety_concern": True, "mentee_informed": True}, Access.ALLOW),  # knowledge, not permission
        ({"safety_concern": True, "mentee_informed": False}, Access.DENY),
        ({"safety_concern": False}, Access.DENY),
        ({"safety_concern": True}, Access.UNDETERMINED),  # whether the mentee knows is not recorded
    ],
)
def test_r_conf_3_attleboro_safety_exception_needs_the_mentees_knowledge(attleboro, fields, outcome):
    f = attleboro_world(**fields)
    decision = access(attleboro, f, "admin", records(f, "mentoring_log")[0])
    assert decision.outcome is outcome
    if outcome is Access.UNDETERMINED:
        assert decision.missing == ("mentee_informed of mentoring_log evidence",)


def test_r_conf_3_attleboro_shares_logs_with_the_coordinator_and_others_with_permission(attleboro, state):
    f = attleboro_world(safety_concern=False)
    log = records(f, "mentoring_log")[0]
    assert access(attleboro, f, "coord", log).outcome is Access.ALLOW  # "no one except the Mentor Program Coordinator"
    assert access(state, f, "coord", log).outcome is Access.COUNTS_ONLY  # the state rule alone: counts
    assert access(attleboro, f, "dese", log).outcome is Access.COUNTS_ONLY
    assert access(attleboro, f, "coach", log).outcome is Access.DENY
    shared = facts({
        "places": PLACES,
        "people": [{"id": "t", "place": "att_school", "facts": BEGINNER}, {"id": "m", "place": "att_school", "facts": MENTOR}, *VIEWERS],
        "relationships": assigned("2025-09-05"),
        "evidence": [{"id": "lg", "kind": "mentoring_log", "subject": "t", "date": "2025-12-05", "author": "m", "hours": 1,
                      "topic": "x", "safety_concern": False}],
        "consents": [{"subject": "t", "viewer": "coach", "components": ["mentoring_log"], "from": "2025-12-01"}],
    })
    assert access(attleboro, shared, "coach", "lg").outcome is Access.ALLOW  # a resource professional, with permission


def test_r_conf_3_attleboro_self_assessment_is_for_the_coordinator_too(attleboro, state):
    f = world(evidence=[ev("self_assessment", "t", "2025-09-20", author="t")])
    sa = records(f, "self_assessment")[0]
    assert access(attleboro, f, "coord", sa).outcome is Access.ALLOW
    assert access(state, f, "coord", sa).outcome is Access.DENY
    assert access(attleboro, f, "admin", sa).outcome is Access.DENY


@pytest.mark.parametrize(("component", "outcome"), [("A", YES), ("B", NO), (None, UNKNOWN)])
def test_r_men_inc_1_attleboro_pays_component_a_mentors_714(attleboro, state, component, outcome):
    person = {k: v for k, v in {**BEGINNER, "mentoring_component": component}.items() if v is not None}
    f = world(person=person)
    award = incentives(attleboro, f, "m").awards[0]
    assert (award.label, award.outcome, award.payer) == ("mentor stipend", outcome, "Attleboro Public Schools")
    assert award.amount_text == "USD 714"
    if outcome is UNKNOWN:
        assert award.missing == ("mentee.mentoring_component",)
    # the state sets no stipend: undetermined, naming the parameter
    base = incentives(state, f, "m").awards[0]
    assert (base.outcome, base.missing) == (UNKNOWN, ("parameter mentor_stipend",))


def test_r_men_inc_1_a_stipend_is_paid_per_mentee_and_only_while_mentoring(attleboro):
    f = world(relationships=[{"kind": "mentoring", "mentor": "m", "mentee": "t", "from": "2025-09-05", "to": "2025-12-31"}])
    assert incentives(attleboro, f, "m", D("2025-12-31")).totals() == {"money (USD)": "USD 714"}
    assert incentives(attleboro, f, "m", D("2026-01-01")).awards[0].outcome is NO


@pytest.mark.parametrize(("hours", "st", "met"), [(39, "late", 0), (40, "on track", 1), (41, "on track", 1)])
def test_r_hrs_3_attleboro_component_a_meets_forty_hours_a_year(attleboro, hours, st, met):
    f = world(evidence=logs(("2025-10-01", hours - 1), ("2026-06-01", 1)))
    com = deadline(attleboro, f, D("2026-09-01"), "Component A mentoring hours")
    # the first year (2025-08-27 to 2026-08-26) is closed; the second has only begun
    assert (com.status, com.parts[0].periods_met, com.parts[0].periods_due) == (st, met, 1)
    b = world(person={**BEGINNER, "mentoring_component": "B"})
    assert "Component A mentoring hours" not in [c.label for c in commitments(attleboro, b, "t").commitments]


def test_a_district_layer_may_not_loosen_a_fixed_rule():
    with pytest.raises(accord.PolicyError) as err:
        layer("set hours_beyond_induction = 40 hours")
    assert [d.code for d in err.value.diagnostics] == ["P123"]


# --------------------------------------------------------------------------- the examples, through the CLI

BASE = ["--as-of", "2026-01-15"]


@pytest.mark.parametrize(
    ("person", "role", "code", "missing"),
    [
        ("maria", "mentor", 0, []),
        ("ned", "mentor", 1, []),
        ("vic", "mentor", 3, ["person.years_experience"]),
        ("bea", "beginning_teacher", 0, []),
        ("oli", "beginning_teacher", 0, []),  # six years out of state, no induction programme meeting MA rules
        ("ian", "beginning_teacher", 1, []),
        ("sam", "beginning_teacher", 1, []),  # SISP
        ("uma", "beginning_teacher", 3, ["person.completed_equivalent_induction", "person.prior_experience_outside_ma_public",
                                         "person.years_experience"]),
        ("ian", "incoming_teacher", 0, []),
        ("tia", "incoming_teacher", 1, []),
        ("vic", "incoming_teacher", 3, ["person.completed_equivalent_induction", "person.new_to_district", "person.new_to_role",
                                        "person.prior_experience_outside_ma_public", "person.years_experience"]),
        ("ada", "beginning_administrator", 0, []),
        ("abe", "beginning_administrator", 1, []),
        ("ari", "beginning_administrator", 3, ["person.years_as_administrator"]),
        ("abe", "incoming_administrator", 0, []),
        ("eva", "incoming_administrator", 1, []),
        ("ari", "incoming_administrator", 3, ["person.years_as_administrator"]),
    ],
)
def test_cli_check_the_examples(person, role, code, missing):
    exit_code, data = cli_json("check", EXAMPLE, "--person", person, "--role", role, "--programme", "ma_induction", *BASE)
    assert (exit_code, data["outcome"], data["missing"]) == (code, ["eligible", "not_eligible", "x", "undetermined"][code], missing)


def test_cli_one_teacher_answers_under_each_programme_with_its_own_policy():
    """Maria supervises Cal (SP/CAP) and mentors Bea (induction, Attleboro) in the same facts file."""
    code, sp = cli_json("check", EXAMPLE, "--person", "maria", "--role", "supervising_practitioner", "--programme", "ma_sp_cap", *BASE)
    assert (code, sp["policy"]["file"]) == (0, "rules/ma/supervising-practitioner.accord")
    code, mentor = cli_json("check", EXAMPLE, "--person", "maria", "--role", "mentor", "--programme", "ma_induction", *BASE)
    assert (code, mentor["policy"]["file"]) == (0, "rules/ma/districts/attleboro.accord")
    assert cli("pair", EXAMPLE, "maria", "cal", "--programme", "ma_sp_cap", *BASE).exit_code == 0
    assert cli("pair", EXAMPLE, "maria", "bea", "--programme", "ma_induction", *BASE).exit_code == 0
    # each programme's records: her CAP ratings go to the state; her mentoring logs reach it as counts only
    assert cli("access", EXAMPLE, "--viewer", "dee", "--record", "cap-dana-1", "--programme", "ma_sp_cap", *BASE).exit_code == 0
    assert cli("access", EXAMPLE, "--viewer", "dee", "--record", "log-bea-1", "--programme", "ma_induction", *BASE).exit_code == 4
    # and each programme's incentives: $714 from Attleboro for mentoring; SP incentives not set by the state
    code, inc = cli_json("incentives", EXAMPLE, "--person", "maria", "--programme", "ma_induction", *BASE)
    assert inc["totals"] == {"money (USD)": "USD 714"}
    code, inc = cli_json("incentives", EXAMPLE, "--person", "maria", "--programme", "ma_sp_cap", *BASE)
    assert (code, inc["totals"]) == (3, {})


def test_cli_pair_commitments_and_access_on_the_examples():
    prog = ["--programme", "ma_induction", *BASE]
    result = cli("pair", EXAMPLE, "eva", "kim", *prog)
    assert result.exit_code == 1 and "the mentor is not the mentee's evaluator" in result.stdout
    code, data = cli_json("commitments", EXAMPLE, "--person", "oli", *prog)
    statuses = {c["label"]: c["status"] for c in data["commitments"]}
    assert statuses[WITHIN_TWO_WEEKS] == "met_late"  # assigned on day 15
    code, data = cli_json("commitments", EXAMPLE, "--person", "tia", *prog)
    (fifty,) = data["commitments"]
    assert (fifty["label"], fifty["parts"][0]["done"], fifty["parts"][0]["remaining"]) == (FIFTY, "22 hours", "28 hours")
    assert cli("access", EXAMPLE, "--viewer", "pat", "--record", "log-bea-4", *prog).exit_code == 0  # safety exception
    assert cli("access", EXAMPLE, "--viewer", "pat", "--record", "log-bea-1", *prog).exit_code == 1
    assert cli("access", EXAMPLE, "--viewer", "maria", "--record", "comp-bea-1", *prog).exit_code == 0  # shared
    assert cli("access", EXAMPLE, "--viewer", "maria", "--record", "comp-bea-2", *prog).exit_code == 1
    assert cli("access", EXAMPLE, "--viewer", "nora", "--record", "log-oli-1", *prog).exit_code == 4  # Norton: counts


def test_cli_text_names_the_source_and_the_missing_fact():
    result = cli("check", EXAMPLE, "--person", "vic", "--role", "mentor", "--programme", "ma_induction", *BASE)
    assert result.exit_code == 3
    assert "still missing: person.years_experience" in result.stdout
    result = cli("check", EXAMPLE, "--person", "ned", "--role", "mentor", "--programme", "ma_induction", *BASE)
    assert "603 CMR 7.12(2)(b); ESE one-pager (2015) (R-MEN-1)" in result.stdout


def test_the_policies_lint():
    for path in ("rules/ma/induction.accord", "rules/ma/districts/attleboro.accord"):
        assert cli("lint", str(ROOT / path), engines=False).exit_code == 0
