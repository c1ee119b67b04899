"""One or more tests per language construct, through the public API, with both engines.

Every decision here is made twice, by the compiled functions and by the reference interpreter,
and `tests.support.decide` fails the test if the two decisions differ in any field. Expected
values are worked out by hand in the comments next to them, not copied from the engine's output.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import accord
from tests import extra_plugin
from tests.support import AS_OF, decide, decide_pair, facts, only, people, policy, status_of

YES, NO, UNKNOWN = accord.Outcome.YES, accord.Outcome.NO, accord.Outcome.UNKNOWN
MET, NOT_MET, UNK, ERROR = "met", "not met", "unknown", "error"


def codes(excinfo: pytest.ExceptionInfo[accord.PolicyError]) -> list[str]:
    return [d.code for d in excinfo.value.diagnostics]


# =========================================================================== header


FULL_HEADER = """\
policy "Attleboro mentor program"
  programme demo
  version "2025-2026"
  effective 2025-07-01 to 2026-06-30
  source "Attleboro handbook"
"""


def test_header_clauses_reach_the_checked_policy_and_the_decision():
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n', header=FULL_HEADER)
    c = compiled.checked
    assert (c.name, c.programme.name, c.version, c.source) == ("Attleboro mentor program", "demo", "2025-2026", "Attleboro handbook")
    assert (c.effective_from, c.effective_to) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    d = decide(compiled, people(("ana", {"mentor_trained": True})), "ana", "mentor")
    assert (d.policy, d.policy_version, d.policy_file) == ("Attleboro mentor program", "2025-2026", "<policy>")
    assert d.outcome is YES


def test_policy_file_is_the_path_it_was_loaded_from(tmp_path):
    path = tmp_path / "attleboro.accord"
    path.write_text(FULL_HEADER + 'role mentor\n  require "trained": person.mentor_trained\n', encoding="utf-8")
    compiled = accord.load_policy(path)
    d = decide(compiled, people(("ana", {"mentor_trained": True})), "ana", "mentor")
    assert d.policy_file == str(path)
    assert d.requirements[0].location == f"{path}:7:11"  # line 7, the label's column


@pytest.mark.parametrize("day", ["2025-07-01", "2026-01-15", "2026-06-30"])  # both ends are inclusive
def test_questions_inside_the_effective_period_are_answered(day):
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n', header=FULL_HEADER)
    d = decide(compiled, people(("ana", {"mentor_trained": True})), "ana", "mentor", dt.date.fromisoformat(day))
    assert d.as_of == dt.date.fromisoformat(day)
    assert d.outcome is YES


@pytest.mark.parametrize("day", ["2025-06-30", "2026-07-01", "2030-01-01"])
@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_a_question_outside_the_effective_period_is_a_usage_error(day, engine):
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n', header=FULL_HEADER)
    loaded = people(("ana", {"mentor_trained": True}))
    with pytest.raises(accord.UsageError) as excinfo:
        accord.decide(compiled, loaded, "ana", "mentor", dt.date.fromisoformat(day), engine=engine)
    message = str(excinfo.value)
    assert "2025-07-01" in message and "2026-06-30" in message and day in message and "--as-of" in message


def test_pair_questions_respect_the_effective_period_too():
    compiled = policy('pair mentor, mentee\n  require "different": mentor is not mentee\n', header=FULL_HEADER)
    with pytest.raises(accord.UsageError):
        accord.decide_pair(compiled, people(("a", {}), ("b", {})), "a", "b", dt.date(2024, 1, 1))


def test_an_open_ended_policy_is_in_force_from_its_start_on():
    header = 'policy "P"\n  programme demo\n  effective 2025-07-01\n'
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n', header=header)
    loaded = people(("ana", {"mentor_trained": True}))
    assert decide(compiled, loaded, "ana", "mentor", dt.date(2099, 12, 31)).outcome is YES
    with pytest.raises(accord.UsageError):
        accord.decide(compiled, loaded, "ana", "mentor", dt.date(2025, 6, 30))


def test_a_policy_without_version_or_period_has_none():
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n')
    c = compiled.checked
    assert (c.version, c.effective_from, c.effective_to, c.source) == (None, None, None, None)
    assert decide(compiled, people(("ana", {"mentor_trained": True})), "ana", "mentor").policy_version is None


def test_unknown_role_and_unknown_person_are_usage_errors_with_suggestions():
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n')
    loaded = people(("ana", {}))
    with pytest.raises(accord.UsageError, match=r"no role `mentr`.*did you mean `mentor`"):
        accord.decide(compiled, loaded, "ana", "mentr", AS_OF)
    with pytest.raises(accord.UsageError, match=r"no person `anna`.*did you mean `ana`"):
        accord.decide(compiled, loaded, "anna", "mentor", AS_OF)


# =========================================================================== parameters


def test_a_parameter_is_a_named_constant_and_reports_its_value():
    compiled = policy(
        "parameter mentor_min_years = 3 years may raise\n"
        'role mentor\n  require "experienced": person.years_experience >= mentor_min_years\n'
    )
    assert compiled.checked.parameters["mentor_min_years"].value == Decimal(3)
    assert compiled.checked.parameters["mentor_min_years"].right == "raise"
    r = only(decide(compiled, people(("ben", {"years_experience": "2.9"})), "ben", "mentor"))
    assert (r.status, r.actual, r.op, r.required) == (NOT_MET, Decimal("2.9"), ">=", Decimal(3))
    assert r.because == "2.9 years < 3 years"
    assert r.condition == "person.years_experience >= mentor_min_years"


def test_a_parameter_with_a_declared_type():
    compiled = policy('parameter window: days = 14 days may change\nrole mentor\n  require "x": 10 days <= window\n')
    assert compiled.checked.parameters["window"].right == "change"
    assert only(decide(compiled, people(("a", {})), "a", "mentor")).status == MET


def test_a_parameter_without_a_right_is_fixed():
    compiled = policy('parameter n = 2\nrole mentor\n  require "x": count(evidence observation) >= n\n')
    assert compiled.checked.parameters["n"].right == "fixed"


@pytest.mark.parametrize(
    ("declaration", "condition"),
    [
        ("parameter mentor_stipend: USD = none", "mentor_stipend >= USD 500"),
        ("parameter min_years: years = none", "person.years_experience >= min_years"),
        ("parameter start: date = none", "today >= start"),
    ],
)
def test_a_none_parameter_is_unknown_and_named_as_missing(declaration, condition):
    compiled = policy(f'{declaration}\nrole mentor\n  require "x": {condition}\n')
    name = declaration.split()[1].rstrip(":")
    d = decide(compiled, people(("ana", {"years_experience": 7})), "ana", "mentor")
    assert d.outcome is UNKNOWN
    assert only(d).missing == (f"parameter {name}",)
    assert d.missing == (f"parameter {name}",)
    assert only(d).because == f"missing parameter {name}"


def test_a_none_parameter_does_not_hide_a_requirement_that_fails():
    # false and unknown is false: the unknown stipend cannot rescue an untrained mentor
    compiled = policy(
        "parameter stipend: USD = none\n"
        'role mentor\n  require "trained": person.mentor_trained\n  require "paid": stipend > USD 0\n'
    )
    d = decide(compiled, people(("ana", {"mentor_trained": False})), "ana", "mentor")
    assert d.outcome is NO
    assert d.missing == ("parameter stipend",)  # still named, so a coordinator sees it


# =========================================================================== define


def test_define_without_parameters_expands_in_place_and_keeps_its_name_in_explanations():
    compiled = policy(
        "define rated_well = latest(evidence summative_evaluation).rating >= proficient\n"
        'role mentor\n  require "rated well": rated_well\n'
    )
    loaded = people(
        ("ana", {}),
        ("ben", {}),
        ("cara", {}),
        evidence=[
            {"id": "1", "kind": "summative_evaluation", "subject": "ana", "date": "2025-06-01", "rating": "exemplary"},
            {"id": "2", "kind": "summative_evaluation", "subject": "ben", "date": "2025-06-01", "rating": "needs_improvement"},
        ],
    )
    assert only(decide(compiled, loaded, "ana", "mentor")).status == MET
    ben = only(decide(compiled, loaded, "ben", "mentor"))
    assert ben.status == NOT_MET
    assert ben.condition == "rated_well"
    assert ben.because == "needs_improvement < proficient"
    cara = only(decide(compiled, loaded, "cara", "mentor"))
    assert (cara.status, cara.missing) == (UNK, ("evidence summative_evaluation",))


def test_define_with_parameters_binds_each_argument():
    compiled = policy(
        "define experienced(p) = p.years_experience >= 5 years\n"
        'pair mentor, mentee\n  require "mentor is experienced, mentee is not": experienced(mentor) and not experienced(mentee)\n'
    )
    loaded = people(("senior", {"years_experience": 9}), ("junior", {"years_experience": 1}))
    assert only(decide_pair(compiled, loaded, "senior", "junior")).status == MET
    assert only(decide_pair(compiled, loaded, "junior", "senior")).status == NOT_MET
    assert only(decide_pair(compiled, loaded, "senior", "senior")).status == NOT_MET


def test_a_define_can_use_another_define_and_a_derived_fact():
    # association_membership is derived by the demo plugin from memberships valid on the as-of date
    compiled = policy(
        "define member(p) = p.association_membership in {active, retired}\n"
        "define eligible_member = member(person) and person.new_to_role\n"
        'role mentee\n  require "member and new": eligible_member\n'
    )
    membership = {"organisation": "demo_association", "category": "active", "from": "2025-09-01", "to": "2026-08-31"}
    loaded = facts({"people": [{"id": "dev", "facts": {"new_to_role": True}, "memberships": [membership]}]})
    assert only(decide(compiled, loaded, "dev", "mentee", dt.date(2025, 9, 1))).status == MET
    assert only(decide(compiled, loaded, "dev", "mentee", dt.date(2025, 8, 31))).status == NOT_MET  # not yet a member
    assert only(decide(compiled, loaded, "dev", "mentee", dt.date(2026, 9, 1))).status == NOT_MET  # no longer


# =========================================================================== requirements, citations


def test_requirements_carry_label_source_location_and_condition():
    text = (
        'policy "Cited"\n'  # line 1
        "  programme demo\n"  # 2
        "role mentor\n"  # 3
        '  require "is trained" source "handbook 3.1":\n'  # 4
        "    person.mentor_trained\n"  # 5
        '  require "holds a licence":\n'  # 6
        "    person.licence in {initial, professional}\n"  # 7
    )
    compiled = accord.load_policy("cited.accord", text=text)
    d = decide(compiled, people(("ana", {"mentor_trained": True, "licence": "initial"})), "ana", "mentor")
    first, second = d.requirements
    assert (first.label, first.kind, first.source, first.location) == ("is trained", "require", "handbook 3.1", "cited.accord:4:11")
    assert first.condition == "person.mentor_trained"
    assert (second.label, second.source, second.location) == ("holds a licence", None, "cited.accord:6:11")
    assert second.condition == "person.licence in {initial, professional}"


def test_a_role_with_no_requirements_is_met_by_everyone():
    compiled = policy("role mentor\n")
    d = decide(compiled, people(("a", {})), "a", "mentor")
    assert (d.outcome, d.requirements, d.missing) == (YES, (), ())


def test_requirements_combine_with_and_and_every_missing_fact_is_named():
    compiled = policy(
        'role mentor\n  require "trained": person.mentor_trained\n'
        '  require "experienced": person.years_experience >= 3 years\n'
        '  require "licensed": person.licence = professional\n'
    )
    loaded = people(
        ("all", {"mentor_trained": True, "years_experience": 3, "licence": "professional"}),
        ("two_missing", {"licence": "professional"}),
        ("one_false", {"mentor_trained": True, "licence": "initial"}),
    )
    assert decide(compiled, loaded, "all", "mentor").outcome is YES
    d = decide(compiled, loaded, "two_missing", "mentor")
    assert d.outcome is UNKNOWN
    assert d.missing == ("person.mentor_trained", "person.years_experience")
    d = decide(compiled, loaded, "one_false", "mentor")
    assert d.outcome is NO  # one requirement not met decides, whatever is missing
    assert d.missing == ("person.years_experience",)


# =========================================================================== exceptions

EXC_FACTS = [
    (f"r{r}_e{e}", {**({"new_to_role": r == "T"} if r != "U" else {}), **({"mentor_trained": e == "T"} if e != "U" else {})})
    for r in "TFU"
    for e in "TFU"
]


@pytest.mark.parametrize(
    ("req", "exc", "expected"),
    [  # grants: the outcome is `requirement or exception`, in Kleene logic
        ("T", "T", YES),
        ("T", "F", YES),
        ("T", "U", YES),
        ("F", "T", YES),
        ("F", "F", NO),
        ("F", "U", UNKNOWN),  # the grant could still apply
        ("U", "T", YES),
        ("U", "F", UNKNOWN),
        ("U", "U", UNKNOWN),
    ],
)
def test_a_grant_combines_like_kleene_or(req, exc, expected):
    compiled = policy('role mentee\n  require "new": person.new_to_role\n  except "trained anyway" grants: person.mentor_trained\n')
    d = decide(compiled, people(*EXC_FACTS), f"r{req}_e{exc}", "mentee")
    assert d.outcome is expected
    assert d.decided_by == ("trained anyway" if exc == "T" else None)
    assert d.exceptions[0].kind == "grants"
    assert d.exceptions[0].status == {"T": MET, "F": NOT_MET, "U": UNK}[exc]


@pytest.mark.parametrize(
    ("req", "exc", "expected"),
    [  # denies: the outcome is `requirement and not exception`, in Kleene logic
        ("T", "T", NO),
        ("T", "F", YES),
        ("T", "U", UNKNOWN),  # the deny could still apply
        ("F", "T", NO),
        ("F", "F", NO),
        ("F", "U", NO),
        ("U", "T", NO),
        ("U", "F", UNKNOWN),
        ("U", "U", UNKNOWN),
    ],
)
def test_a_deny_combines_like_kleene_and_not(req, exc, expected):
    compiled = policy('role mentee\n  require "new": person.new_to_role\n  except "already a mentor" denies: person.mentor_trained\n')
    d = decide(compiled, people(*EXC_FACTS), f"r{req}_e{exc}", "mentee")
    assert d.outcome is expected
    assert d.decided_by == ("already a mentor" if exc == "T" else None)


def test_missing_facts_of_an_exception_are_named():
    compiled = policy(
        'role mentee\n  require "new": person.new_to_role\n'
        '  except "approved" grants source "handbook 3.5": person.special_application = approved\n'
    )
    d = decide(compiled, people(("x", {"new_to_role": False})), "x", "mentee")
    assert d.outcome is UNKNOWN
    assert d.missing == ("person.special_application",)
    assert d.exceptions[0].source == "handbook 3.5"


OVERRIDE_POLICY = """\
role mentee
  require "new": person.new_to_role
  except "approved" grants: person.special_application = approved
  except "under review" denies overriding "approved": person.mentor_trained
"""


@pytest.mark.parametrize(
    ("person_facts", "expected", "decided_by"),
    [
        ({"new_to_role": False, "special_application": "approved", "mentor_trained": True}, NO, "under review"),
        ({"new_to_role": False, "special_application": "approved", "mentor_trained": False}, YES, "approved"),
        # the overriding deny is unknown: it could still beat the grant
        ({"new_to_role": False, "special_application": "approved"}, UNKNOWN, None),  # so nothing decided it yet
        ({"new_to_role": True, "special_application": "pending", "mentor_trained": True}, NO, "under review"),
        ({"new_to_role": True, "special_application": "pending", "mentor_trained": False}, YES, None),
    ],
)
def test_overriding_says_which_exception_wins(person_facts, expected, decided_by):
    compiled = policy(OVERRIDE_POLICY)
    d = decide(compiled, people(("x", person_facts)), "x", "mentee")
    assert d.outcome is expected
    assert d.decided_by == decided_by
    deny = d.exceptions[1]
    assert (deny.kind, deny.overriding) == ("denies", ("approved",))


def test_a_grant_that_overrides_a_deny_wins_over_it():
    compiled = policy(
        'role mentee\n  require "new": person.new_to_role\n'
        '  except "trained" denies: person.mentor_trained\n'
        '  except "approved" grants overriding "trained": person.special_application = approved\n'
    )
    loaded = people(("x", {"new_to_role": True, "mentor_trained": True, "special_application": "approved"}))
    d = decide(compiled, loaded, "x", "mentee")
    assert (d.outcome, d.decided_by) == (YES, "approved")


def test_exceptions_that_can_never_both_apply_need_no_overriding():
    # approved and declined are different values of one fact, so the checker proves them disjoint
    compiled = policy(
        'role mentee\n  require "new": person.new_to_role\n'
        '  except "approved" grants: person.special_application = approved\n'
        '  except "declined" denies: person.special_application = declined\n'
    )
    loaded = people(("a", {"new_to_role": False, "special_application": "approved"}), ("d", {"new_to_role": True, "special_application": "declined"}))
    assert decide(compiled, loaded, "a", "mentee").outcome is YES
    assert decide(compiled, loaded, "d", "mentee").outcome is NO


def test_exceptions_that_could_both_apply_are_a_check_error():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(
            'role mentee\n  require "new": person.new_to_role\n'
            '  except "approved" grants: person.special_application = approved\n'
            '  except "trained" denies: person.mentor_trained\n'
        )
    assert codes(excinfo) == ["P115"]


# =========================================================================== pair rules

PAIR_POLICY = """\
pair mentor, mentee
  require "is not the same person": mentor is not mentee
  require "the mentor does not evaluate the mentee" source "R-CONF-2": not evaluates(mentor, mentee)
  prefer "same subject" weight 3: mentor.subject_area = mentee.subject_area
  prefer "same district" weight 2: mentor.district is mentee.district
"""
PAIR_FACTS = {
    "places": [
        {"id": "att", "kind": "district"},
        {"id": "nor", "kind": "district"},
    ],
    "people": [
        {"id": "ana", "place": "att", "facts": {"subject_area": "mathematics"}},
        {"id": "ben", "place": "att", "facts": {"subject_area": "science"}},
        {"id": "cara", "place": "nor", "facts": {"subject_area": "mathematics"}},
        {"id": "dev", "place": "att", "facts": {"subject_area": "mathematics"}},
        {"id": "fay", "place": "att"},
    ],
    "relationships": [{"kind": "evaluation", "evaluator": "ben", "evaluatee": "dev", "from": "2025-09-01", "to": "2026-06-30"}],
}


@pytest.mark.parametrize(
    ("first", "second", "outcome", "score", "prefs"),
    [
        ("ana", "dev", YES, Decimal(5), (MET, MET)),  # same subject (3) + same district (2)
        ("cara", "dev", YES, Decimal(3), (MET, NOT_MET)),  # different district
        ("ben", "dev", NO, Decimal(2), (NOT_MET, MET)),  # ben evaluates dev: not allowed, still scored
        ("ana", "ana", NO, Decimal(5), (MET, MET)),  # the same person
        ("ana", "fay", YES, Decimal(2), (UNK, MET)),  # fay's subject is unknown: no points, not a failure
    ],
)
def test_pair_requirements_decide_and_met_preferences_add_their_weight(first, second, outcome, score, prefs):
    d = decide_pair(policy(PAIR_POLICY), facts(PAIR_FACTS), first, second)
    assert d.question == "pair"
    assert (d.subject, d.other, d.role) == (first, second, "mentor")
    assert d.outcome is outcome
    assert d.score == score
    assert tuple(p.status for p in d.preferences) == prefs
    assert [p.weight for p in d.preferences] == [Decimal(3), Decimal(2)]
    assert d.requirements[1].source == "R-CONF-2"


def test_the_evaluation_conflict_ends_with_the_relationship():
    d = decide_pair(policy(PAIR_POLICY), facts(PAIR_FACTS), "ben", "dev", dt.date(2026, 7, 1))
    assert d.outcome is YES  # the evaluation relationship ended on 2026-06-30


def test_an_unknown_pair_requirement_makes_the_pair_undetermined():
    compiled = policy('pair mentor, mentee\n  require "same subject": mentor.subject_area = mentee.subject_area\n')
    d = decide_pair(compiled, facts(PAIR_FACTS), "ana", "fay")
    assert (d.outcome, d.missing) == (UNKNOWN, ("mentee.subject_area",))


def test_a_policy_without_a_pair_rule_cannot_answer_pair_questions():
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n')
    with pytest.raises(accord.UsageError, match="no pair rule"):
        accord.decide_pair(compiled, facts(PAIR_FACTS), "ana", "dev", AS_OF)


def test_pair_ends_must_be_a_declared_relationship_in_order():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('pair mentee, mentor\n  require "x": mentor is not mentee\n')
    assert codes(excinfo) == ["P109"]
    assert "write `pair mentor, mentee`" in excinfo.value.render()


# =========================================================================== numbers and units


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("14 days <= 2 weeks", MET),  # 2 weeks = 14 days
        ("15 days <= 2 weeks", NOT_MET),
        ("2 weeks = 14 days", MET),
        ("1 week = 7 days", MET),  # singular unit words
        ("1 years = 12 months", MET),
        ("1 year < 13 months", MET),
        ("person.years_experience >= 30 months", MET),  # 2.5 years = 30 months
        ("person.years_experience >= 31 months", NOT_MET),
        ("person.years_experience * 2 = 5 years", MET),
        ("person.years_experience / 2 = 1.25 years", MET),
        ("person.years_experience - 6 months = 2 years", MET),
        ("person.years_experience + 1 years > 3 years", MET),
        ("-person.years_experience < 0 years", MET),
        ("10 hours / 4 hours = 2.5", MET),  # same units divide to a plain number
        ("0.1 hours + 0.2 hours = 0.3 hours", MET),  # exact decimals, not floats
    ],
)
def test_quantities_convert_within_a_dimension(condition, status):
    assert status_of(condition, people(("a", {"years_experience": "2.5"})), "a") == status


def test_conversion_is_shown_in_the_smaller_unit():
    r = only(decide(policy('role mentor\n  require "x": person.years_experience >= 30 months\n'), people(("a", {"years_experience": "2.4"})), "a", "mentor"))
    # 2.4 years = 28.8 months, 1.2 months short
    assert (r.actual, r.required) == (Decimal("28.8"), Decimal(30))
    assert r.because == "28.8 months < 30 months"
    assert r.distance == "needs 1.2 more months"


@pytest.mark.parametrize(
    "condition",
    [
        "person.years_experience >= 3 hours",  # different dimensions
        "1 months = 30 days",  # a month is not a whole number of days
        "person.years_experience >= 3",  # a bare number
        "USD 3 >= GBP 3",  # currencies
        "10 hours * 2 hours > 1 hours",  # hours squared
        "USD 5 / 2 hours > USD 1",
    ],
)
def test_units_that_do_not_mix_are_a_check_error(condition):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(f'role mentor\n  require "x": {condition}\n')
    assert codes(excinfo) == ["P111"]


def test_an_unknown_unit_or_currency_is_a_check_error_with_a_suggestion():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": person.years_experience >= 3 yeers\n')
    assert codes(excinfo) == ["P107"]
    assert "did you mean `years`?" in excinfo.value.render()
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": USD 3 >= 3 USD\n')
    assert "currency first: `USD 3`" in excinfo.value.render()


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("stipend >= USD 500", MET),
        ("stipend = USD 714", MET),
        ("stipend + USD 0.50 = USD 714.50", MET),
        ("USD 0.1 + USD 0.2 = USD 0.3", MET),  # exact: with floats this would be false
        ("stipend * 2 = USD 1428", MET),
        ("stipend / USD 714 = 1", MET),
        ("stipend > USD 714", NOT_MET),
    ],
)
def test_money_is_exact_and_checked(condition, status):
    assert status_of(condition, people(("a", {})), "a", before="parameter stipend = USD 714") == status


def test_money_facts_read_exactly_and_report_the_shortfall():
    reg = extra_plugin.registry()
    compiled = policy('role mentor\n  require "stipend paid": person.stipend_paid >= USD 714.50\n', registry=reg)
    loaded = people(("ana", {"stipend_paid": "USD 714.50"}), ("ben", {"stipend_paid": 700}), ("cara", {}), registry=reg)
    assert only(decide(compiled, loaded, "ana", "mentor")).status == MET
    ben = only(decide(compiled, loaded, "ben", "mentor"))
    assert (ben.status, ben.actual, ben.required) == (NOT_MET, Decimal(700), Decimal("714.50"))
    assert ben.distance == "needs USD 14.50 more"
    assert ben.because == "USD 700 < USD 714.50"
    assert only(decide(compiled, loaded, "cara", "mentor")).missing == ("person.stipend_paid",)


def test_a_plugin_unit_counts_and_reports_distance():
    reg = extra_plugin.registry()
    compiled = policy('role mentor\n  require "enough PDPs": person.pdp_total >= 15 pdps\n', registry=reg)
    r = only(decide(compiled, people(("a", {"pdp_total": 10}), registry=reg), "a", "mentor"))
    assert (r.because, r.distance) == ("10 pdps < 15 pdps", "needs 5 more pdps")


# =========================================================================== dates


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("today = 2026-01-15", MET),  # today is the as-of date
        ("today > 2026-01-14", MET),
        ("2024-01-31 + 1 months = 2024-02-29", MET),  # clamped to the end of a leap February
        ("2025-01-31 + 1 months = 2025-02-28", MET),
        ("2024-02-29 + 1 years = 2025-02-28", MET),
        ("2024-03-31 - 1 months = 2024-02-29", MET),
        ("2025-08-31 + 6 months = 2026-02-28", MET),
        ("2025-12-15 + 1 month = 2026-01-15", MET),
        ("2025-12-25 + 3 weeks = 2026-01-15", MET),
        ("2025-12-25 + 21 days = today", MET),
        ("today - 2 weeks = 2026-01-01", MET),
        ("today - 2025-12-25 = 21 days", MET),  # date - date is a number of days
        ("today - 2025-12-25 = 3 weeks", MET),
        ("2024-03-01 - 2024-02-01 = 29 days", MET),  # calendar days, leap year
        ("person.first_teaching_day + 13 days >= today", NOT_MET),
        ("person.first_teaching_day + 1 years <= today", NOT_MET),  # 2025-08-27 + 1 year is after as-of
    ],
)
def test_calendar_arithmetic(condition, status):
    assert status_of(condition, people(("dev", {"first_teaching_day": "2025-08-27"})), "dev") == status


def test_today_follows_the_as_of_date():
    compiled = policy('role mentor\n  require "x": today >= 2026-01-01\n')
    loaded = people(("a", {}))
    assert only(decide(compiled, loaded, "a", "mentor", dt.date(2026, 1, 1))).status == MET
    r = only(decide(compiled, loaded, "a", "mentor", dt.date(2025, 12, 27)))
    assert r.status == NOT_MET
    assert r.distance == "5 days too early"


def test_a_missed_deadline_says_how_late():
    # first log due within 13 days of the first teaching day: 2025-08-27 + 13 days = 2025-09-09
    compiled = policy(
        'role mentee\n  require "met the mentor in time": latest(evidence mentoring_log).date <= person.first_teaching_day + 13 days\n'
    )
    loaded = people(
        ("dev", {"first_teaching_day": "2025-08-27"}),
        ("eli", {"first_teaching_day": "2025-08-27"}),
        ("fay", {}),
        evidence=[
            {"id": "1", "kind": "mentoring_log", "subject": "dev", "date": "2025-09-12", "hours": 1},
            {"id": "2", "kind": "mentoring_log", "subject": "eli", "date": "2025-09-09", "hours": 1},
        ],
    )
    dev = only(decide(compiled, loaded, "dev", "mentee"))
    assert (dev.status, dev.actual, dev.required) == (NOT_MET, dt.date(2025, 9, 12), dt.date(2025, 9, 9))
    assert dev.because == "2025-09-12 > 2025-09-09"
    assert dev.distance == "3 days late"
    assert only(decide(compiled, loaded, "eli", "mentee")).status == MET  # on the day is in time
    fay = only(decide(compiled, loaded, "fay", "mentee"))
    assert fay.missing == ("evidence mentoring_log", "person.first_teaching_day")


def test_an_unknown_date_makes_date_arithmetic_unknown():
    r = only(decide(policy('role mentee\n  require "x": person.first_teaching_day + 2 weeks <= today\n'), people(("a", {})), "a", "mentee"))
    assert (r.status, r.missing) == (UNK, ("person.first_teaching_day",))


def test_dates_do_not_move_by_hours():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": today + 3 hours > today\n')
    assert codes(excinfo) == ["P111"]


# =========================================================================== ordered scales

RATINGS = people(
    ("exemplary", {}),
    ("proficient", {}),
    ("needs_improvement", {}),
    ("improved", {}),
    ("unrated", {}),
    evidence=[
        {"id": "1", "kind": "summative_evaluation", "subject": "exemplary", "date": "2025-06-01", "rating": "exemplary"},
        {"id": "2", "kind": "summative_evaluation", "subject": "proficient", "date": "2025-06-01", "rating": "proficient"},
        {"id": "3", "kind": "summative_evaluation", "subject": "needs_improvement", "date": "2025-06-01", "rating": "needs_improvement"},
        # the latest rating counts, not the best one
        {"id": "4", "kind": "summative_evaluation", "subject": "improved", "date": "2024-06-01", "rating": "unsatisfactory"},
        {"id": "5", "kind": "summative_evaluation", "subject": "improved", "date": "2025-06-01", "rating": "proficient"},
    ],
)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            "latest(evidence summative_evaluation).rating >= proficient",
            {"exemplary": MET, "proficient": MET, "needs_improvement": NOT_MET, "improved": MET, "unrated": UNK},
        ),
        (
            "latest(evidence summative_evaluation).rating > proficient",
            {"exemplary": MET, "proficient": NOT_MET, "needs_improvement": NOT_MET, "improved": NOT_MET, "unrated": UNK},
        ),
        (  # the level may come first: it takes the type of the other side
            "proficient <= latest(evidence summative_evaluation).rating",
            {"exemplary": MET, "proficient": MET, "needs_improvement": NOT_MET, "improved": MET, "unrated": UNK},
        ),
        (
            "latest(evidence summative_evaluation).rating != unsatisfactory",
            {"exemplary": MET, "proficient": MET, "needs_improvement": MET, "improved": MET, "unrated": UNK},
        ),
    ],
)
def test_scale_levels_are_ordered(condition, expected):
    got = {who: status_of(condition, RATINGS, who) for who in expected}
    assert got == expected


def test_a_scale_comparison_reports_levels_by_name():
    r = only(decide(policy('role mentor\n  require "x": latest(evidence summative_evaluation).rating >= proficient\n'), RATINGS, "needs_improvement", "mentor"))
    assert r.because == "needs_improvement < proficient"
    assert r.distance is None  # levels are not quantities
    assert only(decide(policy('role mentor\n  require "x": latest(evidence summative_evaluation).rating >= proficient\n'), RATINGS, "unrated", "mentor")).missing == (
        "evidence summative_evaluation",
    )


def test_choices_are_not_ordered_and_levels_are_checked():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": person.licence >= initial\n')
    assert codes(excinfo) == ["P110"]
    assert "only = and != compare these" in excinfo.value.render()
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": latest(evidence summative_evaluation).rating >= proficent\n')
    assert codes(excinfo) == ["P101"]
    assert "did you mean `proficient`?" in excinfo.value.render()


# =========================================================================== choices, sets, in / not in

CHOICES = people(
    ("ana", {"licence": "professional", "subject_area": "mathematics"}),
    ("ben", {"licence": "provisional", "subject_area": "art"}),
    ("cara", {}),
)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("person.licence in {initial, professional}", {"ana": MET, "ben": NOT_MET, "cara": UNK}),
        ("person.licence not in {initial, professional}", {"ana": NOT_MET, "ben": MET, "cara": UNK}),
        ("person.licence = professional", {"ana": MET, "ben": NOT_MET, "cara": UNK}),
        ("person.licence != provisional", {"ana": MET, "ben": NOT_MET, "cara": UNK}),
        ('person.subject_area in {"mathematics", "science"}', {"ana": MET, "ben": NOT_MET, "cara": UNK}),
        ("person.subject_area in core_subjects", {"ana": MET, "ben": NOT_MET, "cara": UNK}),  # a plugin constant
        ("person.subject_area not in core_subjects", {"ana": NOT_MET, "ben": MET, "cara": UNK}),
        ('"art" in {person.subject_area, "music"}', {"ana": NOT_MET, "ben": MET, "cara": UNK}),  # a set built from facts
        ("person.licence in {}", {"ana": NOT_MET, "ben": NOT_MET, "cara": UNK}),
    ],
)
def test_membership(condition, expected):
    got = {who: status_of(condition, CHOICES, who) for who in expected}
    assert got == expected


def test_membership_reports_the_value_and_the_set():
    r = only(decide(policy('role mentor\n  require "licensed": person.licence in {initial, professional}\n'), CHOICES, "ben", "mentor"))
    assert (r.actual, r.op, r.required) == ("provisional", "in", frozenset({"initial", "professional"}))
    assert r.because == "provisional not in {initial, professional}"
    r = only(decide(policy('role mentor\n  require "x": person.licence not in {provisional}\n'), CHOICES, "ben", "mentor"))
    assert (r.status, r.because) == (NOT_MET, "provisional in {provisional}")


def test_a_value_outside_the_choice_is_a_check_error():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": person.licence in {initial, profesional}\n')
    assert codes(excinfo) == ["P101"]
    assert "did you mean `professional`?" in excinfo.value.render()


# =========================================================================== Kleene logic

# t: mentor_trained, n: new_to_role; T true, F false, U absent
KLEENE = people(
    *[
        (f"{a}{b}", {**({"mentor_trained": a == "T"} if a != "U" else {}), **({"new_to_role": b == "T"} if b != "U" else {})})
        for a in "TFU"
        for b in "TFU"
    ]
)
STATUS = {"T": MET, "F": NOT_MET, "U": UNK}


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ("T", "T", "T"),
        ("T", "F", "F"),
        ("T", "U", "U"),
        ("F", "T", "F"),
        ("F", "F", "F"),
        ("F", "U", "F"),  # false and unknown is false
        ("U", "T", "U"),
        ("U", "F", "F"),
        ("U", "U", "U"),
    ],
)
def test_and_truth_table(a, b, result):
    assert status_of("person.mentor_trained and person.new_to_role", KLEENE, a + b) == STATUS[result]


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ("T", "T", "T"),
        ("T", "F", "T"),
        ("T", "U", "T"),  # true or unknown is true
        ("F", "T", "T"),
        ("F", "F", "F"),
        ("F", "U", "U"),
        ("U", "T", "T"),
        ("U", "F", "U"),
        ("U", "U", "U"),
    ],
)
def test_or_truth_table(a, b, result):
    assert status_of("person.mentor_trained or person.new_to_role", KLEENE, a + b) == STATUS[result]


@pytest.mark.parametrize(("a", "result"), [("T", "F"), ("F", "T"), ("U", "U")])
def test_not_truth_table(a, result):
    assert status_of("not person.mentor_trained", KLEENE, a + "T") == STATUS[result]


def test_unknowns_name_every_missing_fact_that_could_settle_them():
    compiled = policy('role mentor\n  require "x": person.mentor_trained and person.new_to_role\n')
    assert only(decide(compiled, KLEENE, "UU", "mentor")).missing == ("person.mentor_trained", "person.new_to_role")
    assert only(decide(compiled, KLEENE, "TU", "mentor")).missing == ("person.new_to_role",)
    # a decided result names nothing, even though one side was unknown
    assert only(decide(compiled, KLEENE, "FU", "mentor")).missing == ()
    compiled = policy('role mentor\n  require "x": person.mentor_trained or person.new_to_role\n')
    assert only(decide(compiled, KLEENE, "UT", "mentor")).missing == ()


@pytest.mark.parametrize(
    ("condition", "who", "status"),
    [
        ("person.mentor_trained and person.new_to_role and true", "TT", MET),
        ("person.mentor_trained and person.new_to_role and false", "UU", NOT_MET),
        ("person.mentor_trained or person.new_to_role or true", "UU", MET),
        ("person.mentor_trained or person.new_to_role or false", "FU", UNK),
        ("not (person.mentor_trained or person.new_to_role)", "FF", MET),
        ("not person.mentor_trained or person.new_to_role", "TF", NOT_MET),  # not binds tighter than or
        ("person.mentor_trained or person.new_to_role and false", "TU", MET),  # and binds tighter than or
        ("(person.mentor_trained or person.new_to_role) and false", "TU", NOT_MET),
        ("not not person.mentor_trained", "UF", UNK),
    ],
)
def test_longer_boolean_expressions(condition, who, status):
    assert status_of(condition, KLEENE, who) == status


# =========================================================================== evidence: count / hours / sum / latest

EVIDENCE = people(
    ("dev", {}),
    ("eli", {}),
    ("ana", {"years_experience": 7}),
    evidence=[
        {"id": "l1", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-09-15", "hours": 2, "topic": "routines"},
        {"id": "l2", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-10-15", "hours": "1.5", "topic": "planning"},
        {"id": "l3", "kind": "mentoring_log", "subject": "dev", "author": "eli", "date": "2026-01-15", "hours": "0.25"},  # on the as-of date
        {"id": "l4", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2026-01-16", "hours": 10},  # after it
        {"id": "o1", "kind": "observation", "subject": "dev", "date": "2025-10-02", "announced": True, "count": 1},
        {"id": "o2", "kind": "observation", "subject": "dev", "date": "2025-11-02", "announced": False, "count": 2},
        {"id": "o3", "kind": "observation", "subject": "dev", "date": "2025-12-02", "announced": True, "count": 1},
        {"id": "o4", "kind": "observation", "subject": "eli", "date": "2025-12-02"},  # no `announced`, no count
        {"id": "e1", "kind": "mentoring_log", "subject": "eli", "date": "2025-12-02"},  # no hours
    ],
)


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("count(evidence mentoring_log) = 3", MET),  # l1, l2, l3; l4 is after the as-of date
        ("hours(evidence mentoring_log) = 3.75 hours", MET),  # 2 + 1.5 + 0.25
        ("sum(evidence mentoring_log, hours) = 3.75 hours", MET),
        ("sum(evidence observation, count) = 4", MET),  # 1 + 2 + 1
        ("count(evidence observation where announced) = 2", MET),
        ("count(evidence observation where not announced) = 1", MET),
        ("hours(evidence mentoring_log where date >= 2025-10-01) = 1.75 hours", MET),
        ("latest(evidence mentoring_log).hours = 0.25 hours", MET),  # l3, not l4
        ("latest(evidence mentoring_log).date = 2026-01-15", MET),
        ("latest(evidence observation).announced", MET),
        ("count(evidence summative_evaluation) = 0", MET),
        ("hours(evidence summative_evaluation) = 0 hours", MET),  # an empty total is zero, not unknown
        ("count(evidence mentoring_log where author is person) = 0", MET),
    ],
)
def test_evidence_aggregates_for_dev(condition, status):
    assert status_of(condition, EVIDENCE, "dev") == status


@pytest.mark.parametrize(
    ("condition", "missing"),
    [
        # l3 has no topic, so it may or may not be about planning: the count is 1 or 2
        ('count(evidence mentoring_log where topic = "planning") = 1', "topic of mentoring_log evidence"),
        # l3's author is eli, whose experience is unknown
        ("count(evidence mentoring_log where author.years_experience >= 5 years) = 2", "author.years_experience"),
        ("hours(evidence observation) >= 0 hours", "hours of observation evidence"),
    ],
)
def test_an_item_that_cannot_be_judged_makes_the_aggregate_unknown(condition, missing):
    r = only(decide(policy(f'role mentor\n  require "x": {condition}\n'), EVIDENCE, "dev", "mentor"))
    assert (r.status, r.missing) == (UNK, (missing,))


@pytest.mark.parametrize(
    ("condition", "missing"),
    [
        ("latest(evidence summative_evaluation).rating >= proficient", "evidence summative_evaluation"),
        ("hours(evidence mentoring_log) >= 1 hours", "hours of mentoring_log evidence"),  # e1 has no hours
        ("count(evidence observation where announced) >= 1", "announced of observation evidence"),
        ("sum(evidence observation, count) >= 1", "count of observation evidence"),
    ],
)
def test_missing_evidence_and_missing_fields_are_named(condition, missing):
    r = only(decide(policy(f'role mentor\n  require "x": {condition}\n'), EVIDENCE, "eli", "mentor"))
    assert (r.status, r.missing) == (UNK, (missing,))


@pytest.mark.parametrize(
    ("as_of", "count", "hours"),
    [
        (dt.date(2025, 9, 14), 0, 0),  # before the first log
        (dt.date(2025, 9, 15), 1, 2),  # a log dated on the as-of date counts
        (dt.date(2026, 1, 14), 2, Decimal("3.5")),
        (dt.date(2026, 1, 16), 4, Decimal("13.75")),  # l4 counts from its own date on
    ],
)
def test_evidence_dated_after_the_as_of_date_is_ignored(as_of, count, hours):
    compiled = policy(
        'role mentee\n  require "count": count(evidence mentoring_log) >= 0\n'
        '  require "hours": hours(evidence mentoring_log) >= 0 hours\n'
    )
    d = decide(compiled, EVIDENCE, "dev", "mentee", as_of)
    assert [r.actual for r in d.requirements] == [Decimal(count), Decimal(hours)]


def test_an_aggregate_reports_its_shortfall():
    compiled = policy('role mentee\n  require "enough mentoring": hours(evidence mentoring_log) >= 50 hours\n')
    r = only(decide(compiled, EVIDENCE, "dev", "mentee"))
    assert r.because == "3.75 hours < 50 hours"
    assert r.distance == "needs 46.25 more hours"


def test_evidence_of_another_person():
    compiled = policy(
        "pair mentor, mentee\n"
        '  require "the mentor logged time with the mentee": hours(evidence mentoring_log of mentee where author is mentor) >= 3 hours\n'
    )
    d = decide_pair(compiled, EVIDENCE, "ana", "dev")
    assert (d.outcome, d.requirements[0].actual) == (YES, Decimal("3.5"))  # l1 + l2; l3 is eli's, l4 too late
    d = decide_pair(compiled, EVIDENCE, "eli", "dev")
    assert (d.outcome, d.requirements[0].actual) == (NO, Decimal("0.25"))


def test_whose_evidence_must_be_said_in_a_pair_rule():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('pair mentor, mentee\n  require "x": count(evidence mentoring_log) >= 1\n')
    assert codes(excinfo) == ["P101"]
    assert "evidence mentoring_log of mentor" in excinfo.value.render()


# =========================================================================== navigation

NAV = facts(
    {
        "places": [
            {"id": "ma", "kind": "state", "name": "Massachusetts"},
            {"id": "se", "kind": "region", "name": "Southeast", "parent": "ma"},
            {"id": "att", "kind": "district", "name": "Attleboro Public Schools", "parent": "se"},
            {"id": "nor", "kind": "district", "name": "Norton Public Schools", "parent": "se"},
            {"id": "ahs", "kind": "school", "name": "Attleboro High", "parent": "att"},
        ],
        "people": [
            {"id": "ana", "place": "ahs", "facts": {"years_experience": 7}},
            {"id": "ben", "place": "att", "facts": {"years_experience": 2}},
            {"id": "cara", "place": "nor"},
            {"id": "dev", "place": "ahs"},
            {"id": "nowhere"},
        ],
        "relationships": [
            {"kind": "mentoring", "mentor": "ana", "mentee": "dev", "from": "2025-09-08"},
            {"kind": "mentoring", "mentor": "ben", "mentee": "dev", "from": "2025-09-01", "to": "2025-12-31"},
            {"kind": "mentoring", "mentor": "cara", "mentee": "dev", "from": "2026-02-01"},
            {"kind": "evaluation", "evaluator": "ben", "evaluatee": "dev", "from": "2025-09-01", "to": "2026-06-30"},
        ],
    }
)


@pytest.mark.parametrize(
    ("as_of", "mentors"),
    [
        (dt.date(2025, 8, 31), set()),
        (dt.date(2025, 9, 1), {"ben"}),  # start dates are inclusive
        (dt.date(2025, 9, 8), {"ana", "ben"}),
        (dt.date(2025, 12, 31), {"ana", "ben"}),  # end dates too
        (dt.date(2026, 1, 1), {"ana"}),
        (dt.date(2026, 2, 1), {"ana", "cara"}),
    ],
)
def test_a_relationship_end_is_the_set_of_people_related_on_the_as_of_date(as_of, mentors):
    compiled = policy('role mentee\n  require "has a mentor": count(person.mentor) >= 1\n')
    r = only(decide(compiled, NAV, "dev", "mentee", as_of))
    assert r.actual == Decimal(len(mentors))
    assert r.status == (MET if mentors else NOT_MET)
    named = policy("role mentee\n" + "".join(f'  require "{m}": any x in person.mentor: x.id = "{m}"\n' for m in ("ana", "ben", "cara")))
    d = decide(named, NAV, "dev", "mentee", as_of)
    assert {r.label for r in d.requirements if r.status == MET} == mentors


def test_relationships_can_be_walked_from_either_end():
    compiled = policy('role mentor\n  require "mentors dev": any m in person.mentee: m.id = "dev"\n')
    assert decide(compiled, NAV, "ana", "mentor").outcome is YES
    assert decide(compiled, NAV, "ben", "mentor").outcome is NO  # ben's mentoring ended on 2025-12-31
    assert decide(compiled, NAV, "ben", "mentor", dt.date(2025, 10, 1)).outcome is YES
    compiled = policy('role mentee\n  require "evaluated by ben": any e in person.evaluator: e.id = "ben"\n')
    assert decide(compiled, NAV, "dev", "mentee").outcome is YES


def test_facts_of_related_people():
    compiled = policy('role mentee\n  require "every mentor is experienced": every m in person.mentor: m.years_experience >= 5 years\n')
    assert decide(compiled, NAV, "dev", "mentee").outcome is YES  # ana only, on the as-of date
    assert decide(compiled, NAV, "dev", "mentee", dt.date(2025, 10, 1)).outcome is NO  # ana and ben (2 years)
    d = decide(compiled, NAV, "dev", "mentee", dt.date(2026, 3, 1))  # ana and cara, whose experience is unknown
    assert (d.outcome, d.missing) == (UNKNOWN, ("m.years_experience",))


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('person.district.id = "att"', {"ana": MET, "ben": MET, "cara": NOT_MET, "nowhere": UNK}),  # ana: school -> district
        ('person.region.name = "Southeast"', {"ana": MET, "ben": MET, "cara": MET, "nowhere": UNK}),
        ('person.state.id = "ma"', {"ana": MET, "ben": MET, "cara": MET, "nowhere": UNK}),
        ('person.school.id = "ahs"', {"ana": MET, "ben": UNK, "cara": UNK, "nowhere": UNK}),  # no school above a district
        ('person.place.kind = "school"', {"ana": MET, "ben": NOT_MET, "cara": NOT_MET, "nowhere": UNK}),
        ("person.district is person.region", {"ana": NOT_MET, "ben": NOT_MET, "cara": NOT_MET, "nowhere": UNK}),
        ('person.place.district.region.id = "se"', {"ana": MET, "ben": MET, "cara": MET, "nowhere": UNK}),
    ],
)
def test_places_are_walked_upwards(condition, expected):
    got = {who: status_of(condition, NAV, who) for who in expected}
    assert got == expected


def test_a_missing_place_is_named():
    r = only(decide(policy('role mentor\n  require "x": person.district.id = "att"\n'), NAV, "nowhere", "mentor"))
    assert r.missing == ("person.district",)


def test_people_and_places_compare_by_identity():
    compiled = policy('pair mentor, mentee\n  require "same district": mentor.district is mentee.district\n  require "different people": mentor is not mentee\n')
    assert [r.status for r in decide_pair(compiled, NAV, "ana", "dev").requirements] == [MET, MET]
    assert [r.status for r in decide_pair(compiled, NAV, "ben", "dev").requirements] == [MET, MET]  # att via ahs, and att
    assert [r.status for r in decide_pair(compiled, NAV, "cara", "dev").requirements] == [NOT_MET, MET]
    assert [r.status for r in decide_pair(compiled, NAV, "dev", "dev").requirements] == [MET, NOT_MET]


def test_an_unknown_field_of_a_person_is_a_check_error_with_a_suggestion():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": person.mentr\n')
    assert codes(excinfo) == ["P102"]
    assert "did you mean `mentor`?" in excinfo.value.render()


# =========================================================================== plugin functions


def test_a_plugin_function_sees_the_as_of_date():
    compiled = policy('pair mentor, mentee\n  require "no evaluator as mentor": not evaluates(mentor, mentee)\n')
    assert decide_pair(compiled, NAV, "ben", "dev").outcome is NO
    assert decide_pair(compiled, NAV, "ben", "dev", dt.date(2025, 8, 31)).outcome is YES
    assert decide_pair(compiled, NAV, "ben", "dev", dt.date(2026, 7, 1)).outcome is YES
    assert decide_pair(compiled, NAV, "ana", "dev").outcome is YES


def test_conflict_of_interest_is_symmetric():
    compiled = policy('pair mentor, mentee\n  require "no conflict": not conflict_of_interest(mentor, mentee)\n')
    assert decide_pair(compiled, NAV, "ben", "dev").outcome is NO
    assert decide_pair(compiled, NAV, "dev", "ben").outcome is NO


def test_a_function_given_an_unknown_is_unknown_without_being_called():
    # dev has no summative evaluation, so the author of the latest one is unknown
    compiled = policy('role mentee\n  require "x": evaluates(latest(evidence summative_evaluation).author, person)\n')
    r = only(decide(compiled, NAV, "dev", "mentee"))
    assert (r.status, r.missing) == (UNK, ("evidence summative_evaluation",))


def test_a_function_may_answer_unknown_and_name_what_is_missing():
    reg = extra_plugin.registry()
    compiled = policy('role mentor\n  require "badge": has_badge(person)\n', registry=reg)
    loaded = people(("ana", {}), ("ben", {}), ("cara", {}), registry=reg)
    assert only(decide(compiled, loaded, "ana", "mentor")).status == MET
    assert only(decide(compiled, loaded, "ben", "mentor")).status == NOT_MET
    cara = decide(compiled, loaded, "cara", "mentor")
    assert (cara.outcome, cara.missing) == (UNKNOWN, ("badge registry entry",))


def test_a_function_that_fails_is_reported_in_the_decision_not_swallowed():
    reg = extra_plugin.registry()
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n  require "registered": broken_check(person)\n', registry=reg)
    loaded = people(("ana", {"mentor_trained": True}), ("ben", {"mentor_trained": False}), registry=reg)
    d = decide(compiled, loaded, "ana", "mentor")
    assert d.outcome is UNKNOWN  # an error is not a pass
    failed = d.requirements[1]
    assert failed.status == ERROR
    assert failed.error == "RuntimeError: the registry service is down"
    assert failed.because == "could not be evaluated: RuntimeError: the registry service is down"
    assert decide(compiled, loaded, "ben", "mentor").outcome is NO  # a failed requirement still decides nothing


def test_arithmetic_that_fails_is_an_error_result():
    compiled = policy('role mentor\n  require "x": person.years_experience / 0 >= 1 years\n')
    r = only(decide(compiled, people(("a", {"years_experience": 3})), "a", "mentor"))
    assert r.status == ERROR
    assert r.error == "division by zero"


def test_functions_are_checked_for_arity_and_types():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('pair mentor, mentee\n  require "x": evaluates(mentor)\n')
    assert codes(excinfo) == ["P112"]
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('pair mentor, mentee\n  require "x": evaluates(mentor, mentee.subject_area)\n')
    assert codes(excinfo) == ["P110"]
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('pair mentor, mentee\n  require "x": evaluate(mentor, mentee)\n')
    assert codes(excinfo) == ["P105"]
    assert "did you mean `evaluates`?" in excinfo.value.render()


def test_a_number_function_from_a_plugin():
    reg = extra_plugin.registry()
    compiled = policy('role mentor\n  require "x": double(count(evidence observation)) = 4\n', registry=reg)
    loaded = people(
        ("a", {}),
        registry=reg,
        evidence=[{"id": str(i), "kind": "observation", "subject": "a", "date": "2025-10-01"} for i in range(2)],
    )
    assert only(decide(compiled, loaded, "a", "mentor")).status == MET


# =========================================================================== quantifiers


@pytest.mark.parametrize(
    ("condition", "who", "status"),
    [
        # over a plugin constant: like "portfolio evidence for every standard"
        ("every s in core_subjects: s != \"art\"", "dev", MET),
        ('any s in core_subjects: s = "science"', "dev", MET),
        ('any s in {"art", "music"}: s = "science"', "dev", NOT_MET),
        # over the empty set: every is true, any is false
        ("every m in person.mentor: false", "cara", MET),
        ("any m in person.mentor: true", "cara", NOT_MET),
        # over people, with Kleene logic: an unknown member leaves `every` open unless another fails
        ("every m in person.mentor: m.years_experience >= 1 years", "dev", MET),
        ("any m in person.mentor: m.years_experience >= 100 years", "dev", NOT_MET),
        # over evidence
        ("every e in evidence mentoring_log: e.hours > 0 hours", "dev", MET),
        ("any e in evidence mentoring_log: e.hours >= 2 hours", "dev", MET),
        ("every e in evidence mentoring_log where hours >= 1 hours: e.author.years_experience >= 5 years", "dev", MET),
        ("every e in evidence observation: e.announced", "dev", NOT_MET),
        ("any e in evidence observation where not announced: e.date > 2025-11-01", "dev", MET),
        ("every e in evidence observation: e.announced", "eli", UNK),  # o4 has no `announced`
        ("any e in evidence observation: e.announced", "eli", UNK),
        # nested
        ('every s in {"routines", "planning"}: any e in evidence mentoring_log: e.topic = s', "dev", MET),
        ('every s in {"routines", "assessment"}: any e in evidence mentoring_log: e.topic = s', "dev", UNK),  # l3 has no topic
    ],
)
def test_quantifiers(condition, who, status):
    loaded = facts(
        {
            "people": [
                {"id": "dev", "facts": {}},
                {"id": "eli"},
                {"id": "cara"},
                {"id": "ana", "facts": {"years_experience": 7}},
                {"id": "ben", "facts": {"years_experience": 2}},
            ],
            "relationships": [
                {"kind": "mentoring", "mentor": "ana", "mentee": "dev"},
                {"kind": "mentoring", "mentor": "ben", "mentee": "dev"},
            ],
            "evidence": [
                {"id": "l1", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-09-15", "hours": 2, "topic": "routines"},
                {"id": "l2", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-10-15", "hours": "1.5", "topic": "planning"},
                {"id": "l3", "kind": "mentoring_log", "subject": "dev", "author": "ben", "date": "2025-11-15", "hours": "0.5"},
                {"id": "o1", "kind": "observation", "subject": "dev", "date": "2025-10-02", "announced": True},
                {"id": "o2", "kind": "observation", "subject": "dev", "date": "2025-11-02", "announced": False},
                {"id": "o4", "kind": "observation", "subject": "eli", "date": "2025-12-02"},
            ],
        }
    )
    assert status_of(condition, loaded, who) == status


def test_a_quantifier_over_unknown_members_names_what_is_missing():
    loaded = facts(
        {
            "people": [{"id": "dev"}, {"id": "ana", "facts": {"years_experience": 7}}, {"id": "x"}],
            "relationships": [{"kind": "mentoring", "mentor": "ana", "mentee": "dev"}, {"kind": "mentoring", "mentor": "x", "mentee": "dev"}],
        }
    )
    every = only(decide(policy('role mentee\n  require "q": every m in person.mentor: m.years_experience >= 5 years\n'), loaded, "dev", "mentee"))
    assert (every.status, every.missing) == (UNK, ("m.years_experience",))
    some = only(decide(policy('role mentee\n  require "q": any m in person.mentor: m.years_experience >= 5 years\n'), loaded, "dev", "mentee"))
    assert (some.status, some.missing) == (MET, ())  # ana settles it


def test_a_quantifier_needs_a_set_or_evidence():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": every y in person.years_experience: true\n')
    assert codes(excinfo) == ["P110"]


# =========================================================================== comments


def test_comments_are_ignored_wherever_they_are():
    text = """\
# a policy with comments everywhere
policy "Commented" # after the name
  programme demo   # the plugin
role mentor        # R-1
  # a whole-line comment between clauses
  require "item #1 is training":   # a `#` inside a label is part of the label
    person.mentor_trained          # trailing
    and                            # between operands
    person.new_to_role
# the end
"""
    compiled = accord.load_policy(text=text)
    d = decide(compiled, people(("a", {"mentor_trained": True, "new_to_role": True}), ("b", {"mentor_trained": True})), "a", "mentor")
    assert d.requirements[0].label == "item #1 is training"
    assert d.outcome is YES
    assert decide(compiled, people(("b", {"mentor_trained": True, "new_to_role": False})), "b", "mentor").outcome is NO
    assert compiled.checked.name == "Commented"


# =========================================================================== results: actual, required, because, distance


@pytest.mark.parametrize(
    ("condition", "status", "because", "distance"),
    [
        ("person.years_experience >= 3 years", NOT_MET, "2.9 years < 3 years", "needs 0.1 more years"),
        ("person.years_experience > 3 years", NOT_MET, "2.9 years <= 3 years", "needs 0.1 more years (and then some)"),
        ("person.years_experience >= 2 years", MET, "2.9 years >= 2 years", None),
        ("person.years_experience <= 2 years", NOT_MET, "2.9 years > 2 years", "over by 0.9 years"),
        ("person.years_experience < 2.9 years", NOT_MET, "2.9 years >= 2.9 years", "needs less than 2.9 years"),
        ("person.years_experience > 2.9 years", NOT_MET, "2.9 years <= 2.9 years", "needs more than 2.9 years"),
        ("person.first_teaching_day > 2025-08-27", NOT_MET, "2025-08-27 <= 2025-08-27", "needs a date after 2025-08-27"),
        ("person.first_teaching_day < 2025-08-20", NOT_MET, "2025-08-27 >= 2025-08-20", "7 days late"),
        ("person.first_teaching_day >= 2025-08-30", NOT_MET, "2025-08-27 < 2025-08-30", "3 days too early"),
        ("person.years_experience = 3 years", NOT_MET, "2.9 years != 3 years", None),
        ("person.years_experience != 3 years", MET, "2.9 years != 3 years", None),
        ("person.mentor_trained", MET, "person.mentor_trained is yes", None),
        ("person.new_to_role", NOT_MET, "person.new_to_role is no", None),
        # a composite condition is explained by its first failing part
        ("person.mentor_trained and person.new_to_role", NOT_MET, "person.new_to_role is no", None),
    ],
)
def test_because_and_distance(condition, status, because, distance):
    loaded = people(("ben", {"years_experience": "2.9", "mentor_trained": True, "new_to_role": False, "first_teaching_day": "2025-08-27"}))
    r = only(decide(policy(f'role mentor\n  require "x": {condition}\n'), loaded, "ben", "mentor"))
    assert (r.status, r.because, r.distance) == (status, because, distance)


def test_a_rule_needs_a_yes_no_condition():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": person.licence\n')
    assert codes(excinfo) == ["P117"]


def test_explain_records_the_value_of_every_condition_inside_a_rule():
    compiled = policy('role mentor\n  require "x": person.mentor_trained and (person.new_to_role or person.years_experience >= 3 years)\n')
    loaded = people(("ben", {"years_experience": "2.9", "mentor_trained": True}))
    r = only(decide(compiled, loaded, "ben", "mentor", explain=True))
    t = r.trace
    # yes and (unknown or no) = yes and unknown = unknown
    assert t.text == "person.mentor_trained and (person.new_to_role or person.years_experience >= 3 years)"
    assert t.value == accord.Unknown(["person.new_to_role"])
    assert (r.status, r.condition) == (UNK, t.text)
    trained, either = t.children
    assert (trained.text, trained.value) == ("person.mentor_trained", True)
    assert either.text == "(person.new_to_role or person.years_experience >= 3 years)"
    new, years = either.children
    assert new.text == "person.new_to_role" and isinstance(new.value, accord.Unknown)
    assert (years.text, years.value) == ("person.years_experience >= 3 years", False)
    assert only(decide(compiled, loaded, "ben", "mentor")).trace is None  # only when asked


def test_every_rule_kind_reports_its_kind_and_the_decision_its_missing_facts_sorted():
    compiled = policy(
        'role mentee\n  require "z": person.years_experience >= 1 years\n  require "a": person.licence = initial\n'
        '  except "g" grants: person.special_application = approved\n'
    )
    d = decide(compiled, people(("x", {})), "x", "mentee")
    assert [r.kind for r in (*d.requirements, *d.exceptions)] == ["require", "require", "grants"]
    assert d.missing == ("person.licence", "person.special_application", "person.years_experience")


def test_condition_text_keeps_its_parentheses():
    compiled = policy('role mentor\n  require "x": not (person.mentor_trained or person.new_to_role)\n')
    r = only(decide(compiled, people(("a", {"mentor_trained": True})), "a", "mentor"))
    assert r.condition == "not (person.mentor_trained or person.new_to_role)"
    assert r.because == "`(person.mentor_trained or person.new_to_role)` is true"
