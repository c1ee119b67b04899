"""Massachusetts SP/CAP (`ma_sp_cap`): plugin, policy `rules/ma/supervising-practitioner.accord`, examples, CLI.

Every rule of programmes.md section 1 that the policy encodes and the specification does not mark
UNCERTAIN is tested at, just below and just above its threshold, and with missing data (the
decision is undetermined and names the missing fact). Each UNCERTAIN or INFERRED rule is a
parameter: tested at its default and as a sponsoring organization's layer sets it. Every decision
is asked with both engines, which must agree (`tests.support`, `tests.questions`); the example
facts (`examples/ma/facts.json`) are also asked through the CLI. Expected answers are worked out by
hand from the policy and the facts next to each test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
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
YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN
#: the candidate's practicum runs 2025-01-21 to 2025-05-09; questions are asked after it
AFTER = D("2025-06-01")

# the labels of the policy's rules
YEARS = "has at least three full years under an Initial or Professional licence"
APPROPRIATE = "holds an appropriate licence for each candidate supervised now"
RATED = "was rated proficient or higher on the most recent summative evaluation"
TRAINED = "is trained as a supervising practitioner"
ENROLLED = "is enrolled in an approved educator preparation programme"
HAS_SP = "practises under a supervising practitioner"
HAS_PS = "has a program supervisor"
SETTING = "the practicum is in an approved setting"
HOURS = "has completed the practicum hours"
FULL = "had full responsibility for the classroom for the required hours"
WAIVED = "at most half the practicum was waived, by the sponsoring organization"
ANNOUNCED = "was observed at least twice announced"
UNANNOUNCED = "was observed at least twice unannounced"
RATED_ALL = "has a summative rating on every essential element"
QUALITY = "is proficient or higher in quality on every essential element"
EIGHTH = "is rated ready on the eighth element of the 2024 guidelines"
CATEGORIES = "has evidence of every CAP category"
PAIR_LICENCE = "holds an appropriate licence for the candidate's field, for three full years"

ELEMENTS_2016 = ["1.A.4", "1.B.2", "2.A.3", "2.B.1", "2.D.2", "4.A.1"]
ELEMENTS_2019 = ["1.A.1", "1.A.3", "1.B.2", "2.A.3", "2.B.1", "2.E.1", "4.A.1"]
ELEMENTS_2024 = ["I.A.1", "II.A.1", "II.B.2", "I.C.2", "II.A.3", "III.C.1", "IV.A.1"]
CATEGORY_NAMES = ["measure_of_student_learning", "student_feedback", "candidate_artifact", "professional_practice_goal"]


@pytest.fixture(scope="module")
def policy() -> accord.CompiledPolicy:
    return accord.load_policy(programme="ma_sp_cap")


def layer(body: str) -> accord.CompiledPolicy:
    """The state policy with a sponsoring organization's layer on top."""
    return accord.load_policy(text=f'policy "SO layer" extends "ma/supervising-practitioner"\n{body}')


def rule(decision: accord.Decision, label: str) -> Any:
    found = [r for r in (*decision.requirements, *decision.preferences) if r.label == label]
    assert len(found) == 1, [r.label for r in decision.requirements]
    return found[0]


# --------------------------------------------------------------------------- building facts

_ids = iter(range(1, 100_000))


def ev(kind: str, subject: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"{kind}-{next(_ids)}", "kind": kind, "subject": subject, "date": date, **fields}


def licence(kind: str, start: str, end: str | None = None, field: str = "mathematics 5-12", subject: str = "sp") -> dict[str, Any]:
    out = ev("licence", subject, start, licence_type=kind, licence_field=field)
    if end:
        out["end_date"] = end
    return out


def rating(level: str | None, date: str = "2024-06-10", subject: str = "sp") -> dict[str, Any]:
    return ev("summative_evaluation", subject, date, **({"rating": level} if level else {}))


PLACES = [
    {"id": "ma", "kind": "state"},
    {"id": "prog", "kind": "programme", "name": "Prep", "parent": "ma"},
    {"id": "dist", "kind": "district", "name": "District", "parent": "ma"},
    {"id": "sch", "kind": "school", "parent": "dist"},
]
STAFF = [
    {"id": "ps", "name": "Program Supervisor", "place": "prog"},
    {"id": "so", "name": "CAP Manager", "place": "prog", "roles": [{"role": "sponsoring_organization", "place": "prog"}]},
    {"id": "st", "name": "DESE", "place": "ma", "roles": [{"role": "state", "place": "ma"}]},
    {"id": "other", "name": "Another Teacher", "place": "sch"},
]
SP_FACTS = {"sp_trained": True, "grade_band": "5-12"}
CANDIDATE_FACTS = {
    "in_approved_programme": True, "licence_sought_field": "mathematics 5-12", "practicum_route": "initial_teacher",
    "practicum_setting": "ma_public_school", "cap_guidelines_version": "2016", "grade_band": "5-12",
}


def practicum(logs: list[tuple[str, Any, Any]] | None = None, observations: list[tuple[str, str, Any, Any]] | None = None,
              elements: dict[str, Any] | None = None, categories: list[str] | None = None, extra: list[dict[str, Any]] | None = None
              ) -> list[dict[str, Any]]:
    """The candidate `c`'s evidence: by default a complete 300-hour practicum under the 2016 guidelines."""
    logs = [("2025-02-28", 200, False), ("2025-04-30", 100, True)] if logs is None else logs
    observations = [
        ("2025-02-03", "sp", True, True), ("2025-02-25", "sp", False, False),
        ("2025-03-20", "ps", True, False), ("2025-04-15", "sp", False, False),
    ] if observations is None else observations
    elements = {e: "proficient" for e in ELEMENTS_2016} if elements is None else elements
    categories = CATEGORY_NAMES if categories is None else categories
    out = []
    for date, hrs, full in logs:
        out.append(ev("practicum_log", "c", date, hours=hrs, **({} if full is None else {"full_responsibility": full})))
    for date, author, announced, joint in observations:
        fields = {k: v for k, v in (("announced", announced), ("joint", joint)) if v is not None}
        out.append(ev("observation", "c", date, author=author, **fields))
    for element, quality in elements.items():
        out.append(ev("cap_rating", "c", "2025-05-05", author="sp", element=element, assessment="summative",
                      quality=quality, scope="proficient", consistency="proficient"))
    for category in categories:
        out.append(ev("cap_evidence", "c", "2025-04-25", author="c", category=category))
    return [*out, *(extra or [])]


def world(sp_facts: dict[str, Any] | None = None, sp_evidence: list[dict[str, Any]] | None = None,
          candidate_facts: dict[str, Any] | None = None, evidence: list[dict[str, Any]] | None = None,
          relationships: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A facts document: SP `sp` (9 years under licence, exemplary) supervising candidate `c` (practicum done)."""
    sp_evidence = [licence("initial", "2016-09-01", "2021-08-31"), licence("professional", "2021-09-01"), rating("exemplary")] \
        if sp_evidence is None else sp_evidence
    rel = [
        {"kind": "supervision", "supervising_practitioner": "sp", "candidate": "c", "from": "2025-01-21", "to": "2025-05-09"},
        {"kind": "program_supervision", "program_supervisor": "ps", "candidate": "c", "from": "2025-01-21", "to": "2025-05-09"},
    ] if relationships is None else relationships
    return {
        "places": PLACES,
        "people": [
            {"id": "sp", "name": "Supervising Practitioner", "place": "sch", "facts": SP_FACTS if sp_facts is None else sp_facts},
            {"id": "c", "name": "Candidate", "place": "prog", "facts": CANDIDATE_FACTS if candidate_facts is None else candidate_facts},
            *STAFF,
        ],
        "relationships": rel,
        "evidence": [*sp_evidence, *(practicum() if evidence is None else evidence)],
    }


def ask(policy: accord.CompiledPolicy, doc: dict[str, Any], role: str, label: str, person: str | None = None,
        as_of: dt.date = AFTER) -> Any:
    person = person or ("sp" if role == "supervising_practitioner" else "c")
    return rule(decide(policy, facts(doc), person, role, as_of), label)


# --------------------------------------------------------------------------- the plugin


def test_the_programme_is_installed_with_its_roles_and_policy():
    prog = accord.Registry().get_programme("ma_sp_cap")
    assert [r.name for r in prog.roles] == [
        "supervising_practitioner", "candidate", "ready_to_teach", "program_supervisor", "sponsoring_organization", "state",
        "apprenticeship_mentor", "apprentice",  # R-SP-6
    ]
    assert prog.policy == "ma/supervising-practitioner.accord"


def test_the_essential_elements_are_keyed_by_guidelines_version():
    schema = accord.Registry().schema
    assert schema.constants["cap_elements_2016"].value == frozenset(ELEMENTS_2016)  # R-CAP-4: six
    assert schema.constants["cap_elements_2019"].value == frozenset(ELEMENTS_2019)  # R-CAP-4b: seven
    assert schema.constants["cap_elements_2024_known"].value == frozenset(ELEMENTS_2024)  # seven known of eight
    fn = schema.functions["cap_elements"].impl
    assert fn(None, "2019") == frozenset(ELEMENTS_2019)
    assert isinstance(fn(None, "2017"), accord.Unknown)


def test_shared_ma_names_are_declared_once_for_both_programmes():
    from accord.plugins import ma_common, ma_induction, ma_sp_cap

    for name in ("years_under_licence", "most_recent_rating", "is_evaluator_of", "related_on", "nth_day"):
        impls = {f.impl for mod in (ma_sp_cap, ma_induction) for f in mod.accord_functions() if f.name == name}
        assert impls == {getattr(ma_common, name)}
    # each plugin alone is a complete programme
    for mod in (ma_sp_cap, ma_induction):
        from accord.plugins import educator

        reg = accord.Registry([educator, mod], entry_points=False)
        assert "licence" in reg.schema.evidence and "grade_band" in reg.schema.facts


@pytest.mark.parametrize(
    ("start", "last", "months"),
    [
        ("2023-01-15", "2026-01-14", 36),  # three full years, the last day included
        ("2023-01-15", "2026-01-13", 35),
        ("2023-01-31", "2023-02-26", 0),
        ("2023-01-31", "2023-02-27", 1),  # 2023-01-31 + 1 month is 2023-02-28, as in policies' date arithmetic
        ("2024-02-29", "2025-02-28", 12),
    ],
)
def test_full_months_count_whole_months_both_days_included(start, last, months):
    from accord.plugins.ma_common import full_months

    assert full_months(D(start), D(last)) == months


# --------------------------------------------------------------------------- R-SP-1: years under licence


@pytest.mark.parametrize(
    ("as_of", "status", "years"),
    [
        ("2026-01-13", "not met", 2),  # just below: 2 years 11 months
        ("2026-01-14", "met", 3),  # at: three full years (2023-01-15 to 2026-01-14)
        ("2027-02-20", "met", 4),  # above
    ],
)
def test_r_sp_1_three_full_years_under_licence(policy, as_of, status, years):
    doc = world(sp_evidence=[licence("initial", "2023-01-15"), rating("proficient")], relationships=[])
    r = ask(policy, doc, "supervising_practitioner", YEARS, as_of=D(as_of))
    assert (r.status, r.actual) == (status, years)


def test_r_sp_1_periods_under_several_licences_add_up_and_overlaps_count_once(policy):
    sp = [
        licence("initial", "2019-09-01", "2021-02-28"),  # 18 months
        licence("professional", "2021-01-01", "2021-08-31"),  # overlaps: 6 more months
        licence("professional", "2024-01-01"),  # 2024-01-01 to 2025-06-01: 17 months
        rating("proficient"),
    ]
    assert ask(policy, world(sp_evidence=sp, relationships=[]), "supervising_practitioner", YEARS).actual == 3  # 41 months


def test_r_sp_1_inferred_only_initial_and_professional_count_and_a_layer_may_change_it(policy):
    sp = [licence("provisional", "2015-09-01", "2022-08-31"), licence("initial", "2023-09-01"), rating("proficient")]
    doc = world(sp_evidence=sp, relationships=[])
    assert ask(policy, doc, "supervising_practitioner", YEARS).status == "not met"  # 1 year 9 months under Initial
    wider = layer("set sp_licence_types = {provisional, initial, professional}")
    assert ask(wider, doc, "supervising_practitioner", YEARS).status == "met"


def test_r_sp_1_a_licence_counts_until_its_end_date(policy):
    sp = [licence("initial", "2018-09-01", "2020-08-31"), rating("proficient")]
    assert ask(policy, world(sp_evidence=sp, relationships=[]), "supervising_practitioner", YEARS).actual == 2


@pytest.mark.parametrize(
    ("sp_evidence", "missing"),
    [
        ([rating("proficient")], "evidence licence"),
        ([ev("licence", "sp", "2015-09-01", licence_field="x"), rating("proficient")], "licence_type of licence evidence"),
    ],
)
def test_r_sp_1_a_missing_licence_history_is_undetermined_and_named(policy, sp_evidence, missing):
    decision = decide(policy, facts(world(sp_evidence=sp_evidence, relationships=[])), "sp", "supervising_practitioner", AFTER)
    assert decision.outcome is UNKNOWN
    assert rule(decision, YEARS).missing == (missing,)
    assert missing in decision.missing


def test_r_sp_1_uncertain_appropriate_licence_is_the_candidates_field_and_a_parameter(policy):
    during = D("2025-03-01")
    doc = world(sp_evidence=[licence("professional", "2015-09-01", field="english 5-12"), rating("proficient")])
    assert ask(policy, doc, "supervising_practitioner", YEARS, as_of=during).status == "met"
    assert ask(policy, doc, "supervising_practitioner", APPROPRIATE, as_of=during).status == "not met"
    assert decide_pair(policy, facts(doc), "sp", "c", during).outcome is NO
    loose = layer("set sp_licence_must_match_field = false")
    assert ask(loose, doc, "supervising_practitioner", APPROPRIATE, as_of=during).status == "met"
    assert decide_pair(loose, facts(doc), "sp", "c", during).outcome is YES
    # the same field, written with other capitals and spacing, matches
    same = world(sp_evidence=[licence("professional", "2015-09-01", field="Mathematics  5-12"), rating("proficient")])
    assert ask(policy, same, "supervising_practitioner", APPROPRIATE, as_of=during).status == "met"


@pytest.mark.parametrize(
    ("start", "outcome"),
    [("2022-03-03", NO), ("2022-03-02", YES), ("2021-03-01", YES)],  # just below, at, above three years on 2025-03-01
)
def test_pair_r_sp_1_three_years_in_the_candidates_field(policy, start, outcome):
    doc = world(sp_evidence=[licence("initial", start), rating("proficient")])
    decision = decide_pair(policy, facts(doc), "sp", "c", D("2025-03-01"))
    assert decision.outcome is outcome
    assert rule(decision, PAIR_LICENCE).status == ("met" if outcome is YES else "not met")


def test_pair_with_the_candidates_field_missing_is_undetermined(policy):
    doc = world(candidate_facts={k: v for k, v in CANDIDATE_FACTS.items() if k != "licence_sought_field"})
    decision = decide_pair(policy, facts(doc), "sp", "c", D("2025-03-01"))
    assert (decision.outcome, decision.missing) == (UNKNOWN, ("candidate.licence_sought_field",))


def test_a_candidate_supervised_now_without_the_field_makes_the_sp_undetermined(policy):
    doc = world(candidate_facts={k: v for k, v in CANDIDATE_FACTS.items() if k != "licence_sought_field"})
    r = ask(policy, doc, "supervising_practitioner", APPROPRIATE, as_of=D("2025-03-01"))
    assert (r.status, r.missing) == ("unknown", ("c.licence_sought_field",))


# --------------------------------------------------------------------------- R-SP-2: the most recent summative rating


@pytest.mark.parametrize(
    ("level", "status"), [("needs_improvement", "not met"), ("proficient", "met"), ("exemplary", "met")],
)
def test_r_sp_2_rated_proficient_or_higher(policy, level, status):
    doc = world(sp_evidence=[licence("professional", "2015-09-01"), rating(level)], relationships=[])
    assert ask(policy, doc, "supervising_practitioner", RATED).status == status


@pytest.mark.parametrize(
    ("older", "newer", "status"),
    [("proficient", "needs_improvement", "not met"), ("unsatisfactory", "proficient", "met")],
)
def test_r_sp_2_the_most_recent_summative_evaluation_counts(policy, older, newer, status):
    sp = [licence("professional", "2015-09-01"), rating(older, "2024-06-10"), rating(newer, "2025-06-10")]
    r = ask(policy, world(sp_evidence=sp, relationships=[]), "supervising_practitioner", RATED, as_of=D("2025-07-01"))
    assert r.status == status
    # an evaluation dated after the question does not exist yet
    assert ask(policy, world(sp_evidence=sp, relationships=[]), "supervising_practitioner", RATED, as_of=D("2025-01-01")).actual.name == older


@pytest.mark.parametrize(
    ("sp_evidence", "missing"),
    [([], "evidence summative_evaluation"), ([rating(None)], "rating of summative_evaluation evidence")],
)
def test_r_sp_2_no_rating_is_undetermined_and_named(policy, sp_evidence, missing):
    doc = world(sp_evidence=[licence("professional", "2015-09-01"), *sp_evidence], relationships=[])
    decision = decide(policy, facts(doc), "sp", "supervising_practitioner", AFTER)
    assert (decision.outcome, decision.missing) == (UNKNOWN, (missing,))


def test_r_sp_2_a_layer_may_raise_the_rating_bar_but_not_lower_it(policy):
    doc = world(sp_evidence=[licence("professional", "2015-09-01"), rating("proficient")], relationships=[])
    assert ask(layer("set sp_min_rating = exemplary"), doc, "supervising_practitioner", RATED).status == "not met"
    with pytest.raises(accord.PolicyError) as err:
        layer("set sp_min_rating = needs_improvement")
    assert [d.code for d in err.value.diagnostics] == ["P123"]


# --------------------------------------------------------------------------- R-SP-3: training (uncertain)


@pytest.mark.parametrize(("trained", "status"), [(True, "met"), (False, "not met"), (None, "unknown")])
def test_r_sp_3_training_required_by_default(policy, trained, status):
    sp_facts = {"grade_band": "5-12"} if trained is None else {"sp_trained": trained}
    r = ask(policy, world(sp_facts=sp_facts, relationships=[]), "supervising_practitioner", TRAINED)
    assert r.status == status
    if trained is None:
        assert r.missing == ("person.sp_trained",)
    # a sponsoring organization that trains SPs while they supervise sets the parameter
    relaxed = layer("set sp_training_required = false")
    assert ask(relaxed, world(sp_facts=sp_facts, relationships=[]), "supervising_practitioner", TRAINED).status == "met"


def test_an_sp_who_meets_every_rule_is_eligible(policy):
    decision = decide(policy, facts(world()), "sp", "supervising_practitioner", D("2025-03-01"))
    assert decision.outcome is YES
    assert [r.status for r in decision.requirements] == ["met"] * 4


# --------------------------------------------------------------------------- the candidate


@pytest.mark.parametrize(
    ("change", "label", "status"),
    [
        ({"in_approved_programme": False}, ENROLLED, "not met"),
        ({"in_approved_programme": None}, ENROLLED, "unknown"),
        ({"practicum_setting": "other"}, SETTING, "not met"),
        ({"practicum_setting": "educational_collaborative"}, SETTING, "met"),
        ({"practicum_setting": None}, SETTING, "unknown"),
    ],
)
def test_candidate_enrolment_and_setting_r_cap_1_r_sp_hrs_4(policy, change, label, status):
    cf = {**CANDIDATE_FACTS, **change}
    r = ask(policy, world(candidate_facts={k: v for k, v in cf.items() if v is not None}), "candidate", label, as_of=D("2025-03-01"))
    assert r.status == status
    if status == "unknown":
        assert r.missing == (f"person.{next(iter(change))}",)


def test_a_candidate_practises_under_an_sp_and_a_ps_during_the_practicum(policy):
    doc = world()
    assert decide(policy, facts(doc), "c", "candidate", D("2025-03-01")).outcome is YES
    after = decide(policy, facts(doc), "c", "candidate", D("2025-05-10"))  # the day after it ends
    assert (rule(after, HAS_SP).status, rule(after, HAS_PS).status, after.outcome) == ("not met", "not met", NO)


# --------------------------------------------------------------------------- R-SP-HRS-1/2/3: practicum hours


@pytest.mark.parametrize(
    ("second", "status"), [(99, "not met"), (100, "met"), (101, "met")],  # 200 + x hours: 299, 300, 301
)
def test_r_sp_hrs_1_three_hundred_hours(policy, second, status):
    doc = world(evidence=practicum(logs=[("2025-02-28", 200, False), ("2025-04-30", second, True)]))
    assert ask(policy, doc, "ready_to_teach", HOURS).status == status


@pytest.mark.parametrize(("full", "status"), [(99, "not met"), (100, "met"), (101, "met")])
def test_r_sp_hrs_1_one_hundred_hours_of_full_responsibility(policy, full, status):
    doc = world(evidence=practicum(logs=[("2025-02-28", 300 - full, False), ("2025-04-30", full, True)]))
    assert ask(policy, doc, "ready_to_teach", FULL).status == status
    assert ask(policy, doc, "ready_to_teach", HOURS).status == "met"


def test_r_sp_hrs_1_a_log_without_full_responsibility_is_undetermined_and_named(policy):
    doc = world(evidence=practicum(logs=[("2025-02-28", 200, None), ("2025-04-30", 100, True)]))
    r = ask(policy, doc, "ready_to_teach", FULL)
    assert (r.status, r.missing) == ("unknown", ("full_responsibility of practicum_log evidence",))


@pytest.mark.parametrize(("hours", "status"), [(149, "not met"), (150, "met"), (151, "met")])
def test_r_sp_hrs_2_one_hundred_and_fifty_hours_for_an_additional_licence(policy, hours, status):
    cf = {**CANDIDATE_FACTS, "practicum_route": "additional_licence"}
    doc = world(candidate_facts=cf, evidence=practicum(logs=[("2025-03-28", hours, False)]))
    assert ask(policy, doc, "ready_to_teach", HOURS).status == status
    assert ask(policy, doc, "ready_to_teach", FULL).status == "met"  # no full-responsibility minimum stated


def test_r_sp_hrs_2_uncertain_routes_are_a_parameter(policy):
    cf = {**CANDIDATE_FACTS, "practicum_route": "reading_specialist"}
    doc = world(candidate_facts=cf, evidence=practicum(logs=[("2025-03-28", 150, False)]))
    assert ask(policy, doc, "ready_to_teach", HOURS).status == "met"
    strict = layer("set short_practicum_routes = {additional_licence}")
    assert ask(strict, doc, "ready_to_teach", HOURS).status == "not met"


def test_the_hours_rules_without_a_route_are_undetermined_and_named(policy):
    cf = {k: v for k, v in CANDIDATE_FACTS.items() if k != "practicum_route"}
    enough_on_one_route = world(candidate_facts=cf, evidence=practicum(logs=[("2025-04-30", 200, True)]))
    r = ask(policy, enough_on_one_route, "ready_to_teach", HOURS)
    assert (r.status, r.missing) == ("unknown", ("person.practicum_route",))
    # 300 hours complete the practicum on either route (R-SP-HRS-1/2): the route need not be known
    enough_on_both = world(candidate_facts=cf, evidence=practicum(logs=[("2025-04-30", 300, True)]))
    assert ask(policy, enough_on_both, "ready_to_teach", HOURS).status == "met"


def waiver(hours: int, signed: bool = True) -> dict[str, Any]:
    return ev("practicum_waiver", "c", "2025-01-20", hours=hours, author="so", **({"verified_by": "so"} if signed else {}))


@pytest.mark.parametrize(("waived", "status"), [(149, "met"), (150, "met"), (151, "not met")])
def test_r_sp_hrs_3_inferred_at_most_half_the_practicum_is_waived(policy, waived, status):
    doc = world(evidence=practicum(logs=[("2025-04-30", 300 - waived, True)], extra=[waiver(waived)]))
    assert ask(policy, doc, "ready_to_teach", WAIVED).status == status
    assert ask(policy, doc, "ready_to_teach", HOURS).status == "met"  # waived hours count toward the total


def test_r_sp_hrs_3_a_waiver_is_signed_and_the_share_is_a_parameter(policy):
    unsigned = world(evidence=practicum(extra=[waiver(10, signed=False)]))
    assert ask(policy, unsigned, "ready_to_teach", WAIVED).status == "not met"
    doc = world(evidence=practicum(logs=[("2025-04-30", 100, True)], extra=[waiver(200)]))
    assert ask(policy, doc, "ready_to_teach", WAIVED).status == "not met"
    assert ask(layer("set practicum_max_waived_share = 0.75"), doc, "ready_to_teach", WAIVED).status == "met"


def test_hours_commitments_apply_by_route(policy):
    f = facts(world(evidence=practicum(logs=[("2025-02-28", 250, False), ("2025-04-30", 40, True)])))
    (com, _) = commitments(policy, f, "c", AFTER).commitments
    assert com.label == "practicum hours (initial teacher licence)"
    assert [(p.status, p.done, p.remaining) for p in com.parts] == [
        ("in progress", "290 hours", "10 hours"), ("in progress", "40 hours", "60 hours"),
    ]
    short = facts(world(candidate_facts={**CANDIDATE_FACTS, "practicum_route": "additional_licence"},
                        evidence=practicum(logs=[("2025-03-28", 150, False)])))
    (com, _) = commitments(policy, short, "c", AFTER).commitments
    assert (com.label, com.status, com.parts[0].met_on) == ("practicum hours (150-hour practica)", "met", D("2025-03-28"))


def test_hours_commitments_without_a_route_are_unknown_naming_it(policy):
    f = facts(world(candidate_facts={k: v for k, v in CANDIDATE_FACTS.items() if k != "practicum_route"}))
    report = commitments(policy, f, "c", AFTER)
    hours = [c for c in report.commitments if c.label.startswith("practicum hours")]
    assert [(c.status, c.missing) for c in hours] == [("unknown", ("person.practicum_route",))] * 2
    assert report.exit_code == 3


# --------------------------------------------------------------------------- R-CAP-3: observations


def observations(announced: int, unannounced: int) -> list[tuple[str, str, Any, Any]]:
    out = [(f"2025-02-{10 + i:02d}", "sp", True, False) for i in range(announced)]
    return out + [(f"2025-03-{10 + i:02d}", "sp", False, False) for i in range(unannounced)]


@pytest.mark.parametrize(("n", "status"), [(1, "not met"), (2, "met"), (3, "met")])
def test_r_cap_3_two_announced_and_two_unannounced_observations(policy, n, status):
    doc = world(evidence=practicum(observations=observations(n, 2)))
    assert ask(policy, doc, "ready_to_teach", ANNOUNCED).status == status
    doc = world(evidence=practicum(observations=observations(2, n)))
    assert ask(policy, doc, "ready_to_teach", UNANNOUNCED).status == status


def test_r_cap_3_only_observations_by_the_sp_or_ps_on_their_date_count(policy):
    obs = [("2025-02-03", "other", True, False), ("2025-02-04", "sp", True, False), ("2025-01-10", "sp", True, False)]
    doc = world(evidence=practicum(observations=[*obs, *observations(0, 2)]))
    r = ask(policy, doc, "ready_to_teach", ANNOUNCED)  # another teacher, and the SP before the practicum, do not count
    assert (r.status, r.actual) == ("not met", 1)


def test_r_cap_3_an_observation_not_marked_announced_or_not_is_undetermined(policy):
    doc = world(evidence=practicum(observations=[*observations(2, 2), ("2025-04-01", "sp", None, False)]))
    r = ask(policy, doc, "ready_to_teach", ANNOUNCED)
    assert (r.status, r.missing) == ("unknown", ("announced of observation evidence",))


def test_r_cap_3_who_takes_part_the_sp_in_three_the_ps_in_two(policy):
    (_, com) = commitments(policy, facts(world()), "c", AFTER).commitments
    assert com.label == "CAP observations"
    assert [(p.label, p.done) for p in com.parts] == [
        ("announced observations", "2"), ("unannounced observations", "2"),
        ("observations the supervising practitioner takes part in", "3"),
        ("unannounced observations the supervising practitioner conducts", "2"),
        ("observations the program supervisor takes part in", "2"),
    ]
    assert com.status == "met"
    # without a joint Announced #1: the SP authored three, the PS took part in one only
    solo = [("2025-02-03", "sp", True, False), ("2025-02-25", "sp", False, False), ("2025-03-20", "ps", True, False),
            ("2025-04-15", "sp", False, False)]
    (_, com) = commitments(policy, facts(world(evidence=practicum(observations=solo))), "c", AFTER).commitments
    assert [(p.status, p.done) for p in com.parts][2:] == [("met", "3"), ("met", "2"), ("in progress", "1")]
    # the PS conducts Announced #1 alone: the SP took part in two only
    solo[0] = ("2025-02-03", "ps", True, False)
    (_, com) = commitments(policy, facts(world(evidence=practicum(observations=solo))), "c", AFTER).commitments
    assert [(p.status, p.done) for p in com.parts][2:] == [("in progress", "2"), ("met", "2"), ("met", "2")]


def test_r_cap_3_a_layer_may_ask_for_more_observations(policy):
    doc = world()
    strict = layer("set cap_announced_observations = 3")
    assert ask(strict, doc, "ready_to_teach", ANNOUNCED).status == "not met"


# --------------------------------------------------------------------------- R-CAP-4/5/6: ratings of the essential elements


@pytest.mark.parametrize(
    ("level", "status"), [("needs_improvement", "not met"), ("proficient", "met"), ("exemplary", "met")],
)
def test_r_cap_5_proficient_in_quality_on_every_element(policy, level, status):
    elements = {e: "proficient" for e in ELEMENTS_2016} | {"2.B.1": level}
    assert ask(policy, world(evidence=practicum(elements=elements)), "ready_to_teach", QUALITY).status == status


def test_r_cap_4_every_element_of_the_version_needs_a_summative_rating(policy):
    five = {e: "proficient" for e in ELEMENTS_2016[:-1]}
    assert ask(policy, world(evidence=practicum(elements=five)), "ready_to_teach", RATED_ALL).status == "not met"
    # a formative rating does not count
    formative = ev("cap_rating", "c", "2025-03-01", author="sp", element="4.A.1", assessment="formative", quality="proficient")
    assert ask(policy, world(evidence=practicum(elements=five, extra=[formative])), "ready_to_teach", RATED_ALL).status == "not met"


def test_r_cap_4b_the_2019_guidelines_have_seven_elements(policy):
    cf = {**CANDIDATE_FACTS, "cap_guidelines_version": "2019"}
    six = world(candidate_facts=cf)  # rated on the 2016 elements only
    assert ask(policy, six, "ready_to_teach", RATED_ALL).status == "not met"
    seven = world(candidate_facts=cf, evidence=practicum(elements={e: "proficient" for e in ELEMENTS_2019}))
    assert decide(policy, facts(seven), "c", "ready_to_teach", AFTER).outcome is YES


@pytest.mark.parametrize(
    ("version", "missing"),
    [(None, "person.cap_guidelines_version"), ("2017", 'the essential elements of CAP guidelines "2017" (known: 2016, 2019, 2024)')],
)
def test_r_cap_4b_an_unknown_version_is_undetermined_and_named(policy, version, missing):
    cf = {k: v for k, v in CANDIDATE_FACTS.items() if k != "cap_guidelines_version"}
    if version:
        cf["cap_guidelines_version"] = version
    decision = decide(policy, facts(world(candidate_facts=cf)), "c", "ready_to_teach", AFTER)
    assert decision.outcome is UNKNOWN
    assert rule(decision, QUALITY).missing == (missing,)


def test_r_cap_4b_uncertain_eighth_2024_element_is_a_parameter(policy):
    cf = {**CANDIDATE_FACTS, "cap_guidelines_version": "2024"}
    elements = {e: "proficient" for e in [*ELEMENTS_2024, "V.A.1"]}
    doc = world(candidate_facts=cf, evidence=practicum(elements=elements))
    decision = decide(policy, facts(doc), "c", "ready_to_teach", AFTER)
    assert (decision.outcome, decision.missing) == (UNKNOWN, ("parameter cap_2024_eighth_element",))
    assert decide(layer('set cap_2024_eighth_element = "V.A.1"'), facts(doc), "c", "ready_to_teach", AFTER).outcome is YES
    assert ask(layer('set cap_2024_eighth_element = "V.B.1"'), doc, "ready_to_teach", EIGHTH).status == "not met"


def test_r_cap_5_uncertain_scope_and_consistency_are_off_by_default(policy):
    elements = {e: "proficient" for e in ELEMENTS_2016}
    evidence = practicum(elements=elements)
    evidence[-5]["scope"] = "needs_improvement"  # the last rating (4.A.1)
    doc = world(evidence=evidence)
    assert ask(policy, doc, "ready_to_teach", QUALITY).status == "met"
    assert ask(layer("set cap_check_scope_and_consistency = true"), doc, "ready_to_teach", QUALITY).status == "not met"


@pytest.mark.parametrize(
    ("final", "status"), [("both_raters", "not met"), ("sp_decides", "met"), ("ps_decides", "not met")],
)
def test_r_cap_6_uncertain_whose_rating_counts_is_a_parameter(final, status):
    ps_rating = ev("cap_rating", "c", "2025-05-06", author="ps", element="2.B.1", assessment="summative", quality="needs_improvement")
    doc = world(evidence=practicum(extra=[ps_rating]))
    assert ask(layer(f"set cap_final_rater = {final}"), doc, "ready_to_teach", QUALITY).status == status


def test_r_cap_5_a_rating_without_quality_is_undetermined_and_named(policy):
    evidence = practicum()
    del evidence[-5]["quality"]
    r = ask(policy, world(evidence=evidence), "ready_to_teach", QUALITY)
    assert (r.status, r.missing) == ("unknown", ("quality of cap_rating evidence",))


# --------------------------------------------------------------------------- R-CAP-7: evidence categories


@pytest.mark.parametrize(("count", "status"), [(3, "not met"), (4, "met")])
def test_r_cap_7_evidence_of_every_category(policy, count, status):
    doc = world(evidence=practicum(categories=CATEGORY_NAMES[:count]))
    assert ask(policy, doc, "ready_to_teach", CATEGORIES).status == status
    assert ask(layer("set cap_min_artifacts = 2"), doc, "ready_to_teach", CATEGORIES).status == "not met"


def test_a_candidate_who_completed_everything_is_ready_to_teach(policy):
    decision = decide(policy, facts(world()), "c", "ready_to_teach", AFTER)
    assert decision.outcome is YES, [(r.label, r.status, r.because) for r in decision.requirements]


# --------------------------------------------------------------------------- R-CAP-8: who sees CAP records


@pytest.mark.parametrize(
    ("viewer", "as_of", "outcome"),
    [
        ("c", AFTER, Access.ALLOW),  # the subject
        ("sp", AFTER, Access.ALLOW),  # the author
        ("ps", D("2025-05-01"), Access.ALLOW),  # the program supervisor, during the practicum
        ("so", AFTER, Access.ALLOW),  # the sponsoring organization
        ("st", AFTER, Access.ALLOW),  # DESE
        ("other", AFTER, Access.DENY),
    ],
)
def test_r_cap_8_cap_ratings_are_visible_to_the_triad_the_so_and_the_state(policy, viewer, as_of, outcome):
    doc = world()
    record = next(e["id"] for e in doc["evidence"] if e["kind"] == "cap_rating")
    assert access(policy, facts(doc), viewer, record, as_of).outcome is outcome


def test_r_cap_8_only_cap_observations_go_to_the_so_and_the_state(policy):
    doc = world(evidence=practicum(observations=[("2025-02-03", "sp", True, False), ("2025-02-04", "other", True, False)]))
    f = facts(doc)
    cap_obs, other_obs = [e["id"] for e in doc["evidence"] if e["kind"] == "observation"]
    assert access(policy, f, "st", cap_obs, D("2025-03-01")).outcome is Access.ALLOW
    assert access(policy, f, "st", other_obs, D("2025-03-01")).outcome is Access.DENY


# --------------------------------------------------------------------------- R-SP-INC-1: incentives per SO


def test_r_sp_inc_1_incentives_are_not_set_at_state_level_and_an_so_sets_them(policy):
    f = facts(world())
    during = D("2025-03-01")
    report = incentives(policy, f, "sp", during)
    assert [(a.label, a.outcome) for a in report.awards] == [
        ("professional development points for supervising a candidate", UNKNOWN), ("graduate course voucher", UNKNOWN),
    ]
    assert report.awards[0].missing == ("parameter sp_pdps",)
    assert report.awards[0].payer == "Prep"
    so = layer("set sp_pdps = 15 pdps\nset sp_voucher_offered = false")
    report = incentives(so, f, "sp", during)
    assert [(a.outcome, a.amount_text) for a in report.awards] == [(YES, "15 PDPs"), (NO, None)]
    assert report.totals() == {"pdps": "15 PDPs"}
    assert [a.outcome for a in incentives(so, f, "sp", AFTER).awards] == [NO, NO]  # no candidate after the practicum


# --------------------------------------------------------------------------- the example facts, through the CLI

EXAMPLE_AS_OF = "2026-01-15"


@pytest.mark.parametrize(
    ("person", "role", "code", "missing"),
    [
        ("maria", "supervising_practitioner", 0, []),
        ("nate", "supervising_practitioner", 1, []),  # 2 full years under an Initial licence; Provisional years do not count
        ("rosa", "supervising_practitioner", 1, []),  # most recent rating: needs improvement
        ("una", "supervising_practitioner", 3, ["evidence summative_evaluation", "person.sp_trained"]),
        ("cal", "candidate", 0, []),
        ("dana", "candidate", 1, []),  # the practicum is over
        ("finn", "candidate", 3, ["person.practicum_setting"]),
        ("dana", "ready_to_teach", 0, []),
        ("cal", "ready_to_teach", 1, []),
        ("eve", "ready_to_teach", 3, ["parameter cap_2024_eighth_element"]),
    ],
)
def test_cli_check_the_examples(person, role, code, missing):
    result = cli("check", EXAMPLE, "--person", person, "--role", role, "--programme", "ma_sp_cap", "--as-of", EXAMPLE_AS_OF)
    assert result.exit_code == code, result.stdout
    exit_code, data = cli_json("check", EXAMPLE, "--person", person, "--role", role, "--programme", "ma_sp_cap", "--as-of", EXAMPLE_AS_OF)
    assert (exit_code, data["missing"], data["policy"]["file"]) == (code, missing, "rules/ma/supervising-practitioner.accord")


def test_cli_check_text_explains_a_not_eligible_sp():
    result = cli("check", EXAMPLE, "--person", "nate", "--role", "supervising_practitioner", "--programme", "ma_sp_cap",
                 "--as-of", EXAMPLE_AS_OF)
    assert "NOT ELIGIBLE: Nate Brooks (nate) as supervising_practitioner" in result.stdout
    assert "2 years < 3 years" in result.stdout
    assert "603 CMR 7.02 (R-SP-1)" in result.stdout


def test_cli_pair_incentives_commitments_and_access_on_the_examples():
    base = ["--programme", "ma_sp_cap", "--as-of", EXAMPLE_AS_OF]
    assert cli("pair", EXAMPLE, "maria", "cal", *base).exit_code == 0
    assert cli("pair", EXAMPLE, "rosa", "cal", *base).exit_code == 1  # English licence, mathematics candidate
    code, data = cli_json("incentives", EXAMPLE, "--person", "maria", *base)
    assert code == 3 and [a["outcome"] for a in data["awards"]] == ["undetermined", "undetermined"]
    code, data = cli_json("commitments", EXAMPLE, "--person", "eve", *base)
    assert code == 0 and [c["label"] for c in data["commitments"]] == ["practicum hours (150-hour practica)", "CAP observations"]
    code, data = cli_json("commitments", EXAMPLE, "--person", "cal", *base)
    assert code == 0 and {c["status"] for c in data["commitments"]} == {"in_progress"}
    assert cli("access", EXAMPLE, "--viewer", "dee", "--record", "cap-dana-1", *base).exit_code == 0
    assert cli("access", EXAMPLE, "--viewer", "ned", "--record", "cap-dana-1", *base).exit_code == 1
    # a mentor's observation of a beginning teacher is not a CAP record: DESE may not see it
    assert cli("access", EXAMPLE, "--viewer", "dee", "--record", "obs-bea-1", *base).exit_code == 1


def test_the_example_file_loads_and_its_policy_lints():
    assert cli("lint", str(ROOT / "rules" / "ma" / "supervising-practitioner.accord"), engines=False).exit_code == 0
    doc = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    assert {p["id"] for p in doc["people"]} >= {"maria", "nate", "rosa", "una", "cal", "dana", "eve", "finn"}
    assert copy.deepcopy(doc) == doc
