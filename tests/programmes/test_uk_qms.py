"""QMS / QLMS (University of Cumbria, DfE 2016 mentor standards): plugin, policy, examples and CLI.

Every rule of `rules/cumbria/qms-qlms.accord` that is not UNCERTAIN is tested for met, not met and
(where a fact can be missing) unknown; each UNCERTAIN rule is a parameter, tested at its default and
as a layer sets it. Every decision is asked with both engines, which must agree (`tests.support`),
and the example facts are also asked through the CLI. Expected answers are worked out by hand from
the policy and the facts next to each test.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import accord
from accord.access import Access
from accord.access import access as _access
from accord.cli import main
from accord.evaluate import Outcome
from accord.explain import decision_json
from accord.incentives import incentives as _incentives
from tests.support import ENGINES, decide, facts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "qms" / "facts.json"
RULES = ROOT / "rules" / "cumbria" / "qms-qlms.accord"
AS_OF = dt.date(2026, 1, 15)
YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN
ALL = ["personal_qualities", "teaching", "professionalism", "self_development_and_partnership"]
GOOD = {"partner_school_mentor": True, "supports_trainee": True}

# the labels of the policy's rules
PARTNER = "mentors in a University of Cumbria partner school"
TRAINEE = "supports and guides a trainee"
MENTORS = "supports and guides other mentors in their setting"
EXPERIENCE = "has the minimum mentoring experience"
RESUBMISSIONS = "has not used up the resubmissions allowed"
QMS_FIRST = "holds QMS, where QLMS requires it"
PORTFOLIO = "portfolio evidence is linked to every required mentor standard"
AWARDED_QMS = "the portfolio review panel awarded QMS"
AWARDED_QLMS = "the portfolio review panel awarded QLMS"
MORE = "the panel needs no more evidence for any standard"


@pytest.fixture(scope="module")
def policy() -> accord.CompiledPolicy:
    return accord.load_policy(programme="uk_qms")


@pytest.fixture(scope="module")
def example() -> accord.Facts:
    return accord.load_facts(EXAMPLE)


def layer(body: str) -> accord.CompiledPolicy:
    """The programme's policy with a layer on top that sets parameters or overrides rules."""
    return accord.load_policy(text=f'policy "Cumbria layer" extends "cumbria/qms-qlms"\n{body}')


# --------------------------------------------------------------------------- building facts

_ids = iter(range(1, 10_000))


def item(standards: list[str], supporting: str | None = "trainee", date: str = "2025-10-01", subject: str = "m") -> dict[str, Any]:
    out: dict[str, Any] = {"id": f"i{next(_ids)}", "kind": "portfolio_item", "subject": subject, "date": date, "standards": standards}
    if supporting is not None:
        out["supporting"] = supporting
    return out


def review(qualification: str, outcome: str, more: list[str] | None = None, date: str = "2025-11-19", subject: str = "m") -> dict[str, Any]:
    out: dict[str, Any] = {"id": f"r{next(_ids)}", "kind": "panel_review", "subject": subject, "date": date,
                           "qualification": qualification, "outcome": outcome}
    if more is not None:
        out["more_evidence_for"] = more
    return out


def mentor(person_facts: dict[str, Any] | None = None, *evidence: dict[str, Any], relationships: list[dict[str, Any]] | None = None,
           people: list[dict[str, Any]] | None = None) -> accord.Facts:
    """Facts about one mentor `m` (by default in a partner school, supporting a trainee), with evidence."""
    return facts({
        "people": [{"id": "m", "name": "Mo", "facts": GOOD if person_facts is None else person_facts}, *(people or [])],
        "relationships": relationships or [],
        "evidence": list(evidence),
    })


def rule(decision: accord.Decision, label: str) -> Any:
    found = [r for r in decision.requirements if r.label == label]
    assert len(found) == 1, [r.label for r in decision.requirements]
    return found[0]


def status(policy: accord.CompiledPolicy, f: accord.Facts, role: str, label: str, as_of: dt.date = AS_OF) -> str:
    return str(rule(decide(policy, f, "m", role, as_of), label).status)


def agree(results: list[Any]) -> Any:
    compiled, interpreted = results
    assert compiled == interpreted, f"engines disagree:\n compiled:    {compiled}\n interpreted: {interpreted}"
    return compiled


def incentives(policy: accord.CompiledPolicy, f: accord.Facts, person: str) -> Any:
    return agree([_incentives(policy, f, person, AS_OF, engine=e) for e in ENGINES])


def access(policy: accord.CompiledPolicy, f: accord.Facts, viewer: str, record: str, as_of: dt.date = AS_OF) -> Any:
    return agree([_access(policy, f, viewer, record, as_of, engine=e) for e in ENGINES])


# --------------------------------------------------------------------------- the plugin


def test_the_programme_is_installed_with_its_roles_and_default_policy():
    reg = accord.Registry()
    prog = reg.get_programme("uk_qms")
    assert [r.name for r in prog.roles] == ["qms_candidate", "qms", "qlms_candidate", "qlms", "review_panel"]
    assert prog.policy == "cumbria/qms-qlms.accord"
    assert prog.plugin.endswith("uk_qms")


def test_the_four_standards_are_a_plugin_constant():
    const = accord.Registry().schema.constants["mentor_standards"]
    assert const.value == frozenset(ALL)


def test_the_panel_can_award_or_ask_for_a_resubmission_and_nothing_else():
    schema = accord.Registry().schema
    outcome = schema.evidence["panel_review"].fields["outcome"]
    assert outcome.values == ("awarded", "resubmit")  # spec 4.4: no "fails"
    assert "fail" not in json.dumps(accord.facts.facts_json_schema()["properties"]["evidence"])


def test_evidence_kinds_add_their_fields_and_keep_the_shared_vocabulary():
    schema = accord.Registry().schema
    assert set(schema.evidence["portfolio_item"].fields) == {"supporting"}
    assert set(schema.evidence["panel_review"].fields) == {"qualification", "outcome", "more_evidence_for"}
    assert schema.relationships["lead_mentoring"].ends == ("lead_mentor", "mentor")  # from the educator plugin
    for fact in ("partner_school_mentor", "supports_trainee", "supports_nqt", "mentoring_experience"):
        assert fact in schema.facts


def test_a_fail_outcome_cannot_be_recorded():
    with pytest.raises(accord.FactsError) as err:
        mentor(None, review("QMS", "fail"))
    assert "evidence[0].outcome: expected one of awarded, resubmit, got \"fail\"" in str(err.value)


def test_a_policy_cannot_ask_for_a_fail():
    with pytest.raises(accord.PolicyError) as err:
        layer('extend role qms\n  require "failed": latest(evidence panel_review).outcome = fail\n')
    assert err.value.diagnostics[0].code == "P101"
    assert "awarded, resubmit" in (err.value.diagnostics[0].hint or "")


# --------------------------------------------------------------------------- the policy


def test_the_policy_lints_and_every_rule_cites_the_spec_and_its_source(policy):
    result = CliRunner().invoke(main, ["lint", str(RULES)])
    assert result.exit_code == 0, result.output
    c = policy.checked
    rules = [r for role in c.roles.values() for r in role.requirements]
    assert len(rules) == 22
    for r in rules:
        assert r.source and r.source.startswith("spec 4."), r.label
        assert "SEED-004" in r.source or "PUB-50" in r.source or "[UNCERTAIN]" in r.source, r.label
    for inc in c.incentives:
        assert inc.source and inc.source.startswith("spec 4.5; SEED-004")
    assert set(c.roles) == {"qms_candidate", "qms", "qlms_candidate", "qlms"}


def test_the_parameters_and_their_defaults(policy):
    params = {n: (p.value, p.right) for n, p in policy.checked.parameters.items()}
    assert params == {
        "required_standards": (frozenset(ALL), "change"),
        "qlms_requires_qms": (False, "change"),
        "qms_min_experience": (0, "raise"),
        "qlms_min_experience": (0, "raise"),
        "nqt_mentoring_counts": (False, "change"),
        "max_resubmissions": (0, "change"),
        "panel_interval": (4, "change"),  # months: the panel meets three times a year (4.4)
    }


# --------------------------------------------------------------------------- eligibility: QMS


def test_a_partner_school_mentor_who_supports_a_trainee_may_work_toward_qms(policy):
    d = decide(policy, mentor(), "m", "qms_candidate")
    assert d.outcome is YES
    assert [r.status for r in d.requirements] == ["met"] * 4


def test_a_mentor_outside_the_partnership_may_not(policy):
    d = decide(policy, mentor({**GOOD, "partner_school_mentor": False}), "m", "qms_candidate")
    assert d.outcome is NO
    assert rule(d, PARTNER).because == "person.partner_school_mentor is no"
    assert rule(d, PARTNER).source.startswith("spec 4.2 [INFERRED]")


def test_a_missing_partner_school_fact_is_undetermined_and_named(policy):
    d = decide(policy, mentor({"supports_trainee": True}), "m", "qms_candidate")
    assert d.outcome is UNKNOWN
    assert d.missing == ("person.partner_school_mentor",)


def test_supporting_a_trainee_is_needed(policy):
    f = mentor({"partner_school_mentor": True, "supports_trainee": False})
    d = decide(policy, f, "m", "qms_candidate")
    assert d.outcome is NO
    assert rule(d, TRAINEE).status == "not met"


def test_a_missing_trainee_fact_is_undetermined_and_named(policy):
    d = decide(policy, mentor({"partner_school_mentor": True}), "m", "qms_candidate")
    assert d.outcome is UNKNOWN
    assert d.missing == ("person.supports_trainee",)


def test_portfolio_evidence_from_supporting_a_trainee_settles_a_missing_fact(policy):
    f = mentor({"partner_school_mentor": True}, item(["teaching"]))
    assert decide(policy, f, "m", "qms_candidate").outcome is YES


def test_an_item_that_does_not_say_whom_it_supported_names_that_field(policy):
    f = mentor({"partner_school_mentor": True}, item(["teaching"], supporting=None))
    d = decide(policy, f, "m", "qms_candidate")
    assert d.outcome is UNKNOWN
    assert d.missing == ("person.supports_trainee", "supporting of portfolio_item evidence")


def test_nqt_only_mentoring_does_not_count_by_default(policy):
    f = mentor({"partner_school_mentor": True, "supports_trainee": False, "supports_nqt": True}, item(ALL, supporting="nqt"))
    d = decide(policy, f, "m", "qms_candidate")
    assert d.outcome is NO
    assert rule(d, TRAINEE).status == "not met"
    assert rule(decide(policy, f, "m", "qms"), PORTFOLIO).status == "not met"  # its evidence does not count either


def test_nqt_mentoring_counts_when_a_layer_says_so():
    counts = layer("set nqt_mentoring_counts = true\n")
    f = mentor({"partner_school_mentor": True, "supports_trainee": False, "supports_nqt": True}, item(ALL, supporting="nqt"), review("QMS", "awarded"))
    assert decide(counts, f, "m", "qms_candidate").outcome is YES
    assert decide(counts, f, "m", "qms").outcome is YES


def test_no_minimum_experience_by_default_even_when_it_is_not_recorded(policy):
    assert status(policy, mentor(), "qms_candidate", EXPERIENCE) == "met"


@pytest.mark.parametrize(("years", "expected"), [(1, "not met"), ("1.9", "not met"), (2, "met"), (7, "met"), (None, "unknown")])
def test_a_layer_may_raise_the_minimum_experience(years, expected):
    raised = layer("set qms_min_experience = 2 years\nset qlms_min_experience = 2 years\n")
    f = mentor({**GOOD, "mentoring_experience": years})
    assert status(raised, f, "qms_candidate", EXPERIENCE) == expected
    assert status(raised, f, "qlms_candidate", EXPERIENCE) == expected
    if years is None:
        assert decide(raised, f, "m", "qms_candidate").missing == ("person.mentoring_experience",)


def test_a_layer_may_not_lower_the_minimum_experience_below_none():
    with pytest.raises(accord.PolicyError) as err:
        layer("set qms_min_experience = -1 years\n")
    assert err.value.diagnostics[0].code == "P123"


def test_resubmissions_are_unlimited_by_default(policy):
    f = mentor(None, *(review("QMS", "resubmit", ["teaching"], date=f"2025-0{m}-01") for m in (1, 4, 7)))
    assert status(policy, f, "qms_candidate", RESUBMISSIONS) == "met"


@pytest.mark.parametrize(("resubmits", "expected"), [(0, "met"), (1, "met"), (2, "met"), (3, "not met")])
def test_a_layer_may_limit_resubmissions(resubmits, expected):
    limited = layer("set max_resubmissions = 2\n")
    f = mentor(None, *(review("QMS", "resubmit", ["teaching"], date=f"2025-0{m + 1}-01") for m in range(resubmits)))
    assert status(limited, f, "qms_candidate", RESUBMISSIONS) == expected
    assert status(limited, f, "qlms_candidate", RESUBMISSIONS) == "met"  # QLMS resubmissions are counted apart


# --------------------------------------------------------------------------- the portfolio and the panel: QMS


def test_four_of_four_standards_and_an_award_make_qms(policy):
    f = mentor(None, item(["personal_qualities", "teaching"]), item(["professionalism", "self_development_and_partnership"]), review("QMS", "awarded"))
    d = decide(policy, f, "m", "qms")
    assert d.outcome is YES
    assert [r.status for r in d.requirements] == ["met"] * 6


def test_one_item_may_link_to_all_four_standards(policy):
    assert status(policy, mentor(None, item(ALL)), "qms", PORTFOLIO) == "met"


def test_three_of_four_standards_name_the_one_missing(policy):
    d = decide(policy, mentor(None, item(ALL[:3]), review("QMS", "awarded")), "m", "qms")
    assert d.outcome is NO
    assert rule(d, PORTFOLIO).because == "not met for self_development_and_partnership"


def test_zero_evidence_names_all_four(policy):
    d = decide(policy, mentor(), "m", "qms")
    assert d.outcome is NO
    assert rule(d, PORTFOLIO).because == "not met for personal_qualities, professionalism, self_development_and_partnership, teaching"


def test_evidence_from_supporting_mentors_or_dated_after_the_question_does_not_count_for_qms(policy):
    f = mentor(None, item(ALL, supporting="mentors"), item(ALL, date="2026-02-01"))
    assert rule(decide(policy, f, "m", "qms"), PORTFOLIO).because.startswith("not met for personal_qualities")
    assert status(policy, f, "qms", PORTFOLIO, as_of=dt.date(2026, 2, 1)) == "met"


def test_before_the_panel_has_met_the_award_is_undetermined(policy):
    d = decide(policy, mentor(None, item(ALL)), "m", "qms")
    assert d.outcome is UNKNOWN
    assert d.missing == ("evidence panel_review",)
    assert rule(d, AWARDED_QMS).status == rule(d, MORE).status == "unknown"


def test_a_resubmission_names_the_standards_that_need_more_evidence(policy):
    f = mentor(None, item(["personal_qualities", "teaching"]), review("QMS", "resubmit", ["professionalism", "self_development_and_partnership"]))
    d = decide(policy, f, "m", "qms")
    assert d.outcome is NO
    assert rule(d, AWARDED_QMS).because == "resubmit != awarded"
    assert rule(d, MORE).because == "not met for professionalism, self_development_and_partnership"
    assert rule(d, PORTFOLIO).because == "not met for professionalism, self_development_and_partnership"
    assert d.outcome_word != "fail"


def test_the_panel_can_ask_for_more_evidence_on_a_standard_the_portfolio_links_to(policy):
    f = mentor(None, item(ALL), review("QMS", "resubmit", ["teaching"]))
    d = decide(policy, f, "m", "qms")
    assert rule(d, PORTFOLIO).status == "met"
    assert rule(d, MORE).because == "not met for teaching"


def test_a_resubmission_that_does_not_say_what_is_needed_names_that_field(policy):
    d = decide(policy, mentor(None, item(ALL), review("QMS", "resubmit")), "m", "qms")
    assert d.outcome is NO  # the outcome is resubmit, whatever else is missing
    assert rule(d, MORE).missing == ("more_evidence_for of panel_review evidence",)


def test_an_award_after_a_resubmission_makes_qms(policy):
    f = mentor(None, item(ALL[:2]), review("QMS", "resubmit", ALL[2:], date="2025-06-18"), item(ALL[2:], date="2025-09-10"),
               review("QMS", "awarded", date="2025-11-19"))
    assert decide(policy, f, "m", "qms").outcome is YES
    assert decide(policy, f, "m", "qms", dt.date(2025, 10, 1)).outcome is NO  # between the two panels


def test_a_qlms_review_does_not_decide_qms(policy):
    f = mentor(None, item(ALL), review("QLMS", "awarded"))
    assert decide(policy, f, "m", "qms").outcome is UNKNOWN


def test_a_layer_may_require_fewer_standards():
    fewer = layer('set required_standards = {"personal_qualities", "teaching"}\n')
    assert status(fewer, mentor(None, item(["personal_qualities", "teaching"])), "qms", PORTFOLIO) == "met"
    assert status(fewer, mentor(None, item(["teaching"])), "qms", PORTFOLIO) == "not met"


@pytest.mark.parametrize(("value", "message"), [
    ('{"teaching", "teachng"}', "required_standards names `teachng`, which is not a mentor standard"),
    ("{}", "required_standards is empty"),
])
def test_required_standards_must_be_mentor_standards(value, message):
    with pytest.raises(accord.PolicyError) as err:
        layer(f"set required_standards = {value}\n")
    d = err.value.diagnostics[0]
    assert d.code == "QMS001" and d.message.startswith(message)


# --------------------------------------------------------------------------- QLMS


LEAD = [{"kind": "lead_mentoring", "lead_mentor": "m", "mentor": "amy", "from": "2025-09-01"}]
AMY = [{"id": "amy", "name": "Amy"}]


def test_a_lead_mentoring_relationship_shows_support_for_other_mentors(policy):
    f = mentor(None, relationships=LEAD, people=AMY)
    d = decide(policy, f, "m", "qlms_candidate")
    assert d.outcome is YES


def test_a_lead_mentoring_relationship_that_has_ended_does_not(policy):
    ended = [{**LEAD[0], "to": "2025-12-31"}]
    f = mentor(None, relationships=ended, people=AMY)
    assert status(policy, f, "qlms_candidate", MENTORS) == "not met"
    assert status(policy, f, "qlms_candidate", MENTORS, as_of=dt.date(2025, 12, 31)) == "met"


def test_portfolio_evidence_from_supporting_mentors_shows_it_too(policy):
    assert status(policy, mentor(None, item(["teaching"], supporting="mentors")), "qlms_candidate", MENTORS) == "met"


def test_being_mentored_or_mentoring_a_trainee_is_not_supporting_other_mentors(policy):
    rels = [
        {"kind": "mentoring", "mentor": "amy", "mentee": "m", "from": "2025-09-01"},  # m is at `mentee`, amy at `mentor`
        {"kind": "mentoring", "mentor": "m", "mentee": "tom", "from": "2025-09-01"},
    ]
    f = mentor(None, item(["teaching"]), relationships=rels, people=[*AMY, {"id": "tom"}])
    d = decide(policy, f, "m", "qlms_candidate")
    assert rule(d, MENTORS).status == "not met"
    # `person.mentor` (both kinds) and `mentors_supported` (lead mentoring only) are read in one context
    both = layer('extend role qlms_candidate\n  require "mentored by someone": count(person.mentor) = 1\n')
    d = decide(both, f, "m", "qlms_candidate")
    assert (rule(d, MENTORS).status, rule(d, "mentored by someone").status) == ("not met", "met")


def test_qlms_does_not_require_qms_by_default(policy):
    assert status(policy, mentor(None, relationships=LEAD, people=AMY), "qlms_candidate", QMS_FIRST) == "met"


@pytest.mark.parametrize(("reviews", "expected"), [
    ([], "not met"),
    ([review("QMS", "resubmit", ["teaching"])], "not met"),
    ([review("QLMS", "awarded")], "not met"),
    ([review("QMS", "awarded")], "met"),
    ([review("QMS", "resubmit", ["teaching"], date="2024-03-01"), review("QMS", "awarded", date="2024-06-19")], "met"),
])
def test_a_layer_may_require_qms_first(reviews, expected):
    first = layer("set qlms_requires_qms = true\n")
    f = mentor(None, *reviews, relationships=LEAD, people=AMY)
    assert status(first, f, "qlms_candidate", QMS_FIRST) == expected


def test_qlms_is_awarded_on_a_portfolio_from_supporting_mentors(policy):
    f = mentor(None, item(ALL, supporting="mentors"), review("QLMS", "awarded"), relationships=LEAD, people=AMY)
    d = decide(policy, f, "m", "qlms")
    assert d.outcome is YES


def test_a_qms_portfolio_does_not_count_for_qlms(policy):
    f = mentor(None, item(ALL), item(ALL[:3], supporting="mentors"), review("QLMS", "resubmit", ["self_development_and_partnership"]),
               relationships=LEAD, people=AMY)
    d = decide(policy, f, "m", "qlms")
    assert d.outcome is NO
    assert rule(d, PORTFOLIO).because == "not met for self_development_and_partnership"
    assert rule(d, AWARDED_QLMS).because == "resubmit != awarded"
    assert rule(d, MORE).because == "not met for self_development_and_partnership"


# --------------------------------------------------------------------------- the worked example


EXPECTED = {
    # person: (qms_candidate, qms, qlms_candidate, qlms)
    "amy": ("eligible", "eligible", "not_eligible", "not_eligible"),
    "bea": ("eligible", "not_eligible", "not_eligible", "not_eligible"),
    "cal": ("eligible", "not_eligible", "not_eligible", "not_eligible"),
    "dee": ("eligible", "not_eligible", "not_eligible", "not_eligible"),
    "eli": ("not_eligible", "not_eligible", "not_eligible", "not_eligible"),
    "fay": ("undetermined", "not_eligible", "undetermined", "not_eligible"),
    "gil": ("not_eligible", "not_eligible", "not_eligible", "not_eligible"),
    "hal": ("eligible", "eligible", "eligible", "eligible"),
    "ian": ("eligible", "not_eligible", "not_eligible", "not_eligible"),
}
ROLES = ("qms_candidate", "qms", "qlms_candidate", "qlms")


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_the_example_people(policy, example, person):
    got = tuple(decide(policy, example, person, role).outcome_word for role in ROLES)
    assert got == EXPECTED[person]


def test_the_example_resubmission_and_award(policy, example):
    bea = decision_json(decide(policy, example, "bea", "qms"))
    reasons = {r["label"]: r["reason"] for r in bea["requirements"]}
    assert reasons[MORE] == "not met for professionalism, self_development_and_partnership"
    assert reasons[PORTFOLIO] == "not met for professionalism, self_development_and_partnership"
    assert decide(policy, example, "amy", "qms").outcome is YES
    assert decide(policy, example, "cal", "qms").missing == ("evidence panel_review",)
    assert rule(decide(policy, example, "cal", "qms"), PORTFOLIO).because == "not met for self_development_and_partnership"
    assert decide(policy, example, "fay", "qlms_candidate").missing == ("person.partner_school_mentor",)


# --------------------------------------------------------------------------- recognition and visibility


def test_an_award_brings_recognition_and_no_money(policy, example):
    amy = incentives(policy, example, "amy")
    got = {a.label: a.outcome for a in amy.awards}
    assert got == {"QMS award": YES, "QLMS award": NO, "partnership network": YES}
    qms = next(a for a in amy.awards if a.label == "QMS award")
    assert qms.recognitions == ("certificate", "badge", "celebratory meal")
    assert all(a.kind == "recognition" and a.amount is None for a in amy.awards)
    assert not any(k.startswith("money") for k in amy.totals())


def test_a_resubmission_brings_no_recognition_yet(policy, example):
    assert {a.outcome for a in incentives(policy, example, "bea").awards} == {NO}


def test_a_lead_mentor_with_both_awards_receives_both(policy, example):
    assert {a.label for a in incentives(policy, example, "hal").awards if a.outcome is YES} == {"QMS award", "QLMS award", "partnership network"}


@pytest.mark.parametrize(("viewer", "record", "expected"), [
    ("amy", "p1", Access.ALLOW),  # the subject
    ("pat", "p1", Access.ALLOW),  # the review panel
    ("pat", "r2", Access.ALLOW),
    ("bea", "r2", Access.ALLOW),
    ("tom", "p1", Access.DENY),  # amy's trainee
    ("hal", "p1", Access.DENY),  # amy's lead mentor
    ("amy", "r2", Access.DENY),  # another mentor's panel review
])
def test_a_portfolio_is_visible_to_its_subject_and_the_review_panel(policy, example, viewer, record, expected):
    assert access(policy, example, viewer, record).outcome is expected


def test_a_panel_member_whose_assignment_has_ended_may_not_see_it(policy):
    f = facts({
        "places": [{"id": "uoc", "kind": "programme"}, {"id": "s", "kind": "school", "parent": "uoc"}],
        "people": [{"id": "m", "place": "s"},
                   {"id": "p", "roles": [{"role": "review_panel", "place": "uoc", "from": "2020-01-01", "to": "2025-07-31"}]}],
        "evidence": [item(["teaching"])],
    })
    ident = f.evidence[0].id
    assert access(policy, f, "p", ident, dt.date(2025, 7, 31)).outcome is Access.ALLOW
    assert access(policy, f, "p", ident).outcome is Access.DENY


def test_a_layer_may_open_the_portfolio_to_a_lead_mentor(example):
    opened = layer("override record portfolio_item\n  visible to subject, review_panel, lead_mentor\n")
    assert access(opened, example, "hal", "p1").outcome is Access.ALLOW
    assert access(opened, example, "tom", "p1").outcome is Access.DENY


# --------------------------------------------------------------------------- the CLI


def run(*args: str) -> tuple[int, str]:
    """`accord ARGS` with each engine, which must agree; (exit code, stdout)."""
    results = [CliRunner().invoke(main, [*args, "--engine", e]) for e in ENGINES]
    for r in results:
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    a, b = results
    assert (a.exit_code, a.stdout) == (b.exit_code, b.stdout)
    return a.exit_code, a.stdout


COMMON = ("--programme", "uk_qms", "--as-of", AS_OF.isoformat())


@pytest.mark.parametrize("person", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_cli_check_json(person, role):
    code, out = run("check", str(EXAMPLE), "--person", person, "--role", role, *COMMON, "--format", "json")
    word = EXPECTED[person][ROLES.index(role)]
    assert json.loads(out)["outcome"] == word
    assert code == {"eligible": 0, "not_eligible": 1, "undetermined": 3}[word]


def test_cli_check_text_names_the_standards_for_a_resubmission():
    code, out = run("check", str(EXAMPLE), "--person", "bea", "--role", "qms", *COMMON)
    assert code == 1
    assert "NOT ELIGIBLE: Bea Hart (bea) as qms" in out
    assert f"[not met]  {MORE}: not met for professionalism, self_development_and_partnership" in out
    assert "spec 4.4; SEED-004" in out


def test_cli_check_text_for_an_undetermined_person_names_the_missing_fact():
    code, out = run("check", str(EXAMPLE), "--person", "fay", "--role", "qms_candidate", *COMMON)
    assert code == 3
    assert "still missing: person.partner_school_mentor" in out


def test_cli_check_everyone_explains_and_agrees():
    code, out = run("check", str(EXAMPLE), "--role", "qms", *COMMON, "--explain")
    assert code == 1
    assert out.count("portfolio evidence is linked to every required mentor standard") == 11


def test_cli_incentives_and_access():
    code, out = run("incentives", str(EXAMPLE), "--person", "amy", *COMMON, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["totals"] == {"recognitions": "certificate, badge, celebratory meal, regular communication and network events, opportunities to be involved in further partnership work"}
    code, _ = run("incentives", str(EXAMPLE), "--person", "bea", *COMMON)
    assert code == 1
    assert run("access", str(EXAMPLE), "--viewer", "pat", "--record", "p1", *COMMON)[0] == 0
    assert run("access", str(EXAMPLE), "--viewer", "tom", "--record", "p1", *COMMON)[0] == 1


def test_cli_programmes_lists_the_roles():
    result = CliRunner().invoke(main, ["programmes", "--format", "json"])
    prog = next(p for p in json.loads(result.stdout) if p["name"] == "uk_qms")
    assert prog["policy"] == "rules/cumbria/qms-qlms.accord"
    assert [r["name"] for r in prog["roles"]] == ["qms_candidate", "qms", "qlms_candidate", "qlms", "review_panel"]
