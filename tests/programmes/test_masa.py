"""MASA Mentor Program 2021-2022: plugin, policy, example facts and CLI.

Every rule of `rules/masa/mentor-program-2021-2022.accord` that is not UNCERTAIN is tested met,
not met and (where a fact can be missing) unknown, naming the missing fact; each UNCERTAIN or
INFERRED rule is a parameter, tested at its default and as a layer sets it. Every question is asked
with both engines, which must agree, and the example facts are also asked through the CLI.
Expected answers are worked out by hand from the policy and the facts next to each test.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import accord
from accord.access import Access
from accord.access import access as _access
from accord.cli import main
from accord.commitments import commitments as _commitments
from accord.evaluate import Outcome
from accord.explain import decision_json
from accord.incentives import incentives as _incentives
from tests.support import ENGINES, facts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "masa" / "facts.json"
RULES = ROOT / "rules" / "masa" / "mentor-program-2021-2022.accord"
AS_OF = dt.date(2021, 10, 1)
YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN
EXT = ("requester", "extension_mentee")

# the labels of the policy's rules
MEMBER = "is a MASA member"
RETIRED = "a Retired member may be a mentee"
NEW = "is new to the role, or new to the role in Minnesota"
SPECIAL = "special application approved for extenuating circumstances"
MENTOR_MEMBER = "is an Active or Retired MASA member"
SAME_PERSON = "is not the same person"
CONFLICT = "no conflict of interest"
CROSS = "from the mentee's region, or cross-region matching is allowed"
GROUP = "same component group"
REGION = "same region"
REQUESTER = "is the mentee, the mentee's mentor, or acts for the mentee's school district"
ARRANGEMENT = "the mentee has a mentoring arrangement to extend"
BOTH_MEMBERS = "both mentor and mentee are MASA members"
ONE_PER_MENTOR = "one stipend per mentor: the first team of the year with a member mentee"
FIRST_YEAR = "a first-year team"


@pytest.fixture(scope="module")
def policy() -> accord.CompiledPolicy:
    return accord.load_policy(programme="masa")


@pytest.fixture(scope="module")
def example() -> accord.Facts:
    return accord.load_facts(EXAMPLE)


def layer(body: str) -> accord.CompiledPolicy:
    """The programme's policy with a layer on top that sets parameters."""
    return accord.load_policy(text=f'policy "MASA region layer" extends "masa/mentor-program-2021-2022"\n{body}')


# --------------------------------------------------------------------------- asking, with both engines


def _same(a: Any, b: Any) -> Any:
    assert a == b, f"engines disagree:\n compiled:    {a}\n interpreted: {b}"
    return a


def decide(policy: accord.CompiledPolicy, loaded: accord.Facts, person: str, role: str, as_of: dt.date = AS_OF) -> accord.Decision:
    return _same(*(accord.decide(policy, loaded, person, role, as_of, engine=e) for e in ENGINES))


def pair(
    policy: accord.CompiledPolicy, loaded: accord.Facts, first: str, second: str, as_of: dt.date = AS_OF, ends: Any = None
) -> accord.Decision:
    return _same(*(accord.decide_pair(policy, loaded, first, second, as_of, engine=e, ends=ends) for e in ENGINES))


def awards(policy: accord.CompiledPolicy, loaded: accord.Facts, person: str, as_of: dt.date = AS_OF) -> Any:
    return _same(*(_incentives(policy, loaded, person, as_of, engine=e) for e in ENGINES))


def access(policy: accord.CompiledPolicy, loaded: accord.Facts, viewer: str, record: str, as_of: dt.date = AS_OF) -> Any:
    return _same(*(_access(policy, loaded, viewer, record, as_of, engine=e) for e in ENGINES))


def progress(policy: accord.CompiledPolicy, loaded: accord.Facts, person: str, as_of: dt.date = AS_OF) -> Any:
    return _same(*(_commitments(policy, loaded, person, as_of, engine=e) for e in ENGINES))


def rule(decision: accord.Decision, label: str) -> Any:
    return next(r for r in (*decision.requirements, *decision.exceptions, *decision.preferences) if r.label == label)


def award(report: Any, label: str, partner: str | None = None) -> Any:
    return next(a for a in report.awards if a.label == label and a.partner == partner)


# --------------------------------------------------------------------------- building facts

#: new to the role (and in Minnesota) this year, or long in it, each with no special application
NEW_FACTS = {"role_start": "2021-07-01", "role_start_in_state": "2021-07-01", "masa_special_application": "none"}
OLD_FACTS = {"role_start": "2010-07-01", "role_start_in_state": "2010-07-01"}

PLACES = [
    {"id": "mn", "kind": "state"},
    {"id": "r1", "kind": "region", "name": "Region 1", "parent": "mn"},
    {"id": "r3", "kind": "region", "name": "Region 3", "parent": "mn"},
    {"id": "d1", "kind": "district", "parent": "r1"},
    {"id": "d2", "kind": "district", "parent": "r1"},
    {"id": "d3", "kind": "district", "parent": "r3"},
]


def masa(category: str | None = "active", start: str = "2015-07-01", end: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"organisation": "masa", "from": start}
    if category is not None:
        out["category"] = category
    if end is not None:
        out["to"] = end
    return out


def person(pid: str, place: str | None = "d1", memberships: list[dict[str, Any]] | None = None, **fs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": pid, "facts": fs, "memberships": [masa()] if memberships is None else memberships}
    if place is not None:
        out["place"] = place
    return out


def world(*people: dict[str, Any], relationships: list[dict[str, Any]] | None = None, listed: bool = True, **more: Any) -> accord.Facts:
    """Facts for these people; with `listed`, the region has sent MASA every mentoring team on its
    pair list (process step 7), so the stipend tests are about their own rule."""
    relationships = relationships or []
    evidence = list(more.pop("evidence", []))
    if listed:
        evidence += [
            {"id": f"list-{r['mentor']}-{r['mentee']}", "kind": "pair_list", "subject": r["mentee"], "date": "2021-07-01", "mentor_id": r["mentor"]}
            for r in relationships if r["kind"] == "mentoring"
        ]
    return facts({"places": PLACES, "people": list(people), "relationships": relationships, "evidence": evidence, **more})


def mentoring(mentor: str, mentee: str, start: str | None = "2021-09-01", end: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "mentoring", "mentor": mentor, "mentee": mentee}
    if start is not None:
        out["from"] = start
    if end is not None:
        out["to"] = end
    return out


# =========================================================================== the plugin


def test_the_programme_is_installed_with_its_roles_and_default_policy():
    prog = accord.Registry().get_programme("masa")
    assert [r.name for r in prog.roles] == ["mentor", "mentee", "region_coordinator", "masa_staff", "district_representative", "extension_applied"]
    assert prog.policy == "masa/mentor-program-2021-2022.accord"


def test_the_policy_is_in_force_for_the_programme_year_only(policy, example):
    c = policy.checked
    assert (c.effective_from, c.effective_to, c.version) == (dt.date(2021, 7, 1), dt.date(2022, 6, 30), "2021-2022")
    assert decide(policy, example, "ruth", "mentor", dt.date(2021, 7, 1)).outcome is YES
    assert decide(policy, example, "ruth", "mentor", dt.date(2022, 6, 30)).outcome is YES
    for outside in (dt.date(2021, 6, 30), dt.date(2022, 7, 1)):
        with pytest.raises(accord.UsageError, match="in force from 2021-07-01 to 2022-06-30"):
            accord.decide(policy, example, "ruth", "mentor", outside)


def test_every_rule_cites_its_spec_id_and_a_source():
    text = RULES.read_text(encoding="utf-8")
    policy = accord.load_policy(RULES)
    c = policy.checked
    rules = [*(r for role in c.roles.values() for r in (*role.requirements, *role.exceptions))]
    rules += [r for p in c.pairs for r in (*p.requirements, *p.preferences)]
    rules += [r for inc in c.incentives for r in inc.requirements]
    for r in rules:
        assert r.source and ("R-MASA-" in r.source), r.label
    for inc in c.incentives:
        assert inc.source and "R-MASA-INC-" in inc.source
    comments = "\n".join(line.partition("#")[2] for line in text.splitlines() if "#" in line)
    for rid in ("ELIG-1", "ELIG-2", "ELIG-3", "ELIG-4", "MATCH-1", "MATCH-2", "MATCH-3", "MATCH-4", "INC-1", "INC-2", "INC-3", "EXT-1", "EXT-3"):
        assert f"R-MASA-{rid}" in comments, rid


def test_the_parameters_and_their_defaults(policy):
    params = {n: (p.value, p.right) for n, p in policy.checked.parameters.items()}
    assert params == {
        "new_to_role_window": (Decimal(12), "change"),
        "retired_members_may_be_mentees": (True, "change"),
        "conflict_of_interest_kinds": (frozenset({"evaluates", "line_manages", "declared"}), "change"),
        "cross_region_matching": (True, "change"),
        "mentor_stipend": (Decimal(500), "fixed"),
        "stipend_per_mentee": (False, "change"),
        "extension_stipend": (False, "change"),
        "stipend_paid_by_region_of": ("mentee", "change"),
        "face_to_face_meetings": (Decimal(1), "raise"),
    }


def test_the_stated_stipend_is_fixed():
    with pytest.raises(accord.PolicyError, match="fixed"):
        layer("set mentor_stipend = USD 750")


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ("set conflict_of_interest_kinds = {evaluates, rivals}", "evaluates, line_manages, declared, same_district"),
        ("set stipend_paid_by_region_of = state", "mentee, mentor"),
    ],
)
def test_a_layer_may_only_name_the_conflicts_and_payers_the_plugin_knows(body, hint):
    with pytest.raises(accord.PolicyError) as info:
        layer(body)
    unknown_name = next(d for d in info.value.diagnostics if d.code == "P101")
    assert hint in (unknown_name.hint or "")


def test_the_membership_category_is_read_on_the_as_of_date():
    loaded = world(
        person("a", memberships=[masa("active", "2010-07-01", "2021-12-31")]),
        person("r", memberships=[masa("active", "1990-07-01", "2019-06-30"), masa("retired", "2019-07-01")]),
        person("o", memberships=[masa("associate")]),
        person("u", memberships=[masa(None)]),
        person("x", memberships=[{"organisation": "other_association", "category": "active"}]),
        person("n", memberships=[]),
    )
    c = accord.load_policy(text='policy "t" programme masa\nrole mentor\n  require "c": person.masa_membership = active\n')
    day = dt.date(2021, 12, 31)
    got = {pid: rule(decide(c, loaded, pid, "mentor", day), "c") for pid in ("a", "r", "o", "u", "x", "n")}
    assert got["a"].status == "met"
    assert [got[p].actual for p in ("r", "o", "x", "n")] == ["retired", "other", "non_member", "non_member"]
    assert got["u"].missing == ("person.masa_membership",)  # a membership whose category is not recorded
    after = rule(decide(c, loaded, "a", "mentor", dt.date(2022, 1, 1)), "c")
    assert after.actual == "non_member"  # the membership ended the day before


# =========================================================================== eligibility


@pytest.mark.parametrize(
    ("who", "outcome", "why"),
    [
        ("ruth", YES, "active member"),
        ("olaf", YES, "retired member (active until 2019-06-30)"),
        ("petra", YES, "active member"),
        ("gary", NO, "an associate member: category other"),
        ("tom", NO, "not a member"),
        ("una", UNKNOWN, "a membership whose category is not recorded"),
    ],
)
def test_mentor_is_an_active_or_retired_member(policy, example, who, outcome, why):
    d = decide(policy, example, who, "mentor")
    assert d.outcome is outcome, why
    r = rule(d, MENTOR_MEMBER)
    assert r.source.startswith("R-MASA-ELIG-3")
    if outcome is UNKNOWN:
        assert d.missing == ("person.masa_membership",)
    if who == "gary":
        assert r.because == "other not in {active, retired}"


@pytest.mark.parametrize(
    ("who", "outcome", "decided_by"),
    [
        ("maria", YES, None),  # role_start 2021-07-01: within 12 months
        ("sam", YES, None),  # in the role since 2016, but in Minnesota only since 2021-08-01
        ("lena", YES, None),  # in the role since 2021-07-15
        ("hana", YES, SPECIAL),  # not new; special application approved
        ("karl", NO, None),  # not new; special application declined
        ("eva", NO, None),  # in the role since 2020-07-01, more than 12 months; no special application
        ("tom", NO, None),  # new, but not a MASA member
        ("ivan", UNKNOWN, None),  # not new; special application pending
        ("jo", UNKNOWN, None),  # nothing recorded about the role
    ],
)
def test_mentee_eligibility_in_the_example(policy, example, who, outcome, decided_by):
    d = decide(policy, example, who, "mentee")
    assert (d.outcome, d.decided_by) == (outcome, decided_by)


def test_a_pending_special_application_leaves_it_undetermined_naming_the_decision(policy, example):
    d = decide(policy, example, "ivan", "mentee")
    assert rule(d, NEW).status == "not met"
    assert rule(d, SPECIAL).status == "unknown"
    assert d.missing == ("person.special_application_approved",)


def test_missing_role_facts_are_named(policy, example):
    d = decide(policy, example, "jo", "mentee")
    assert rule(d, NEW).status == "unknown"
    assert rule(d, NEW).missing == ("person.role_start", "person.role_start_in_state")
    assert d.missing == ("person.role_start", "person.role_start_in_state", "person.special_application_approved")


@pytest.mark.parametrize(
    ("as_of", "outcome"),
    [
        (dt.date(2021, 9, 29), YES),  # below: 2 days inside the window
        (dt.date(2021, 9, 30), YES),  # the window's last day
        (dt.date(2021, 10, 1), NO),  # at: 12 months after role_start, no longer new
        (dt.date(2021, 10, 2), NO),  # above
    ],
)
def test_new_to_role_window_at_its_bound(as_of, outcome):
    loaded = world(person("m", role_start="2020-10-01", role_start_in_state="2020-10-01", masa_special_application="none"))
    policy = accord.load_policy(programme="masa")
    d = decide(policy, loaded, "m", "mentee", as_of)
    assert d.outcome is outcome
    assert rule(d, NEW).status == ("met" if outcome is YES else "not met")


def test_new_to_the_role_in_minnesota_alone_is_enough(policy):
    # in the role since 2010 elsewhere, in Minnesota since March 2021
    loaded = world(person("m", role_start="2010-07-01", role_start_in_state="2021-03-01", masa_special_application="none"))
    assert decide(policy, loaded, "m", "mentee").outcome is YES
    loaded = world(person("m", role_start="2021-07-01", masa_special_application="none"))  # new to the role: enough
    assert decide(policy, loaded, "m", "mentee").outcome is YES
    loaded = world(person("m", role_start="2010-07-01", masa_special_application="none"))  # in Minnesota since when?
    d = decide(policy, loaded, "m", "mentee")
    assert d.outcome is UNKNOWN and d.missing == ("person.role_start_in_state",)


def test_a_layer_may_widen_the_new_to_role_window():
    loaded = world(person("m", role_start="2020-07-01", role_start_in_state="2020-07-01", masa_special_application="none"))
    assert decide(accord.load_policy(programme="masa"), loaded, "m", "mentee").outcome is NO  # 15 months
    wider = layer("set new_to_role_window = 24 months")
    d = decide(wider, loaded, "m", "mentee")
    assert d.outcome is YES
    assert ("new_to_role_window", "24 months", "MASA region layer") in d.parameters


@pytest.mark.parametrize(
    ("memberships", "outcome"),
    [
        ([masa("active")], YES),
        ([masa("retired")], YES),  # R-MASA-ELIG-4: not restricted to Active (the default)
        ([masa("associate")], YES),  # any member
        ([], NO),
        ([masa(None)], YES),  # a member, category not recorded: a member all the same
    ],
)
def test_the_mentee_must_be_a_member_of_any_category(policy, memberships, outcome):
    loaded = world(person("m", memberships=memberships, **NEW_FACTS))
    d = decide(policy, loaded, "m", "mentee")
    assert d.outcome is outcome
    assert rule(d, MEMBER).status == ("met" if outcome is YES else "not met")


def test_whether_a_retired_member_may_be_a_mentee_is_a_parameter():
    strict = layer("set retired_members_may_be_mentees = false")
    loaded = world(
        person("r", memberships=[masa("retired")], **NEW_FACTS),
        person("a", memberships=[masa("active")], **NEW_FACTS),
        person("s", memberships=[masa("retired")], **OLD_FACTS, masa_special_application="approved"),
        person("u", memberships=[masa(None)], **NEW_FACTS),
    )
    assert decide(strict, loaded, "r", "mentee").outcome is NO
    assert rule(decide(strict, loaded, "r", "mentee"), RETIRED).status == "not met"
    assert decide(strict, loaded, "a", "mentee").outcome is YES
    assert decide(strict, loaded, "s", "mentee").outcome is NO  # the special application does not grant it either
    d = decide(strict, loaded, "u", "mentee")  # retired or not is not recorded
    assert d.outcome is UNKNOWN and d.missing == ("person.masa_membership",)
    assert decide(accord.load_policy(programme="masa"), loaded, "s", "mentee").outcome is YES


@pytest.mark.parametrize(
    ("status", "membership", "outcome"),
    [
        ("approved", [masa("active")], YES),
        ("declined", [masa("active")], NO),
        ("none", [masa("active")], NO),  # no application made
        ("pending", [masa("active")], UNKNOWN),  # MASA "may": a discretionary decision not yet made
        (None, [masa("active")], UNKNOWN),  # not recorded: perhaps there is one
        ("approved", [], NO),  # "members who make special application": a non-member is not granted
        ("pending", [], NO),
    ],
)
def test_special_application_for_a_member_who_is_not_new(policy, status, membership, outcome):
    fs: dict[str, Any] = dict(OLD_FACTS)
    if status is not None:
        fs["masa_special_application"] = status
    d = decide(policy, world(person("m", memberships=membership, **fs)), "m", "mentee")
    assert d.outcome is outcome
    if outcome is YES:
        assert d.decided_by == SPECIAL
    if outcome is UNKNOWN:
        assert d.missing == ("person.special_application_approved",)
    assert rule(d, NEW).status == "not met"
    assert rule(d, SPECIAL).source.startswith("R-MASA-ELIG-2")


def test_a_new_member_with_a_pending_application_is_eligible_anyway(policy):
    d = decide(policy, world(person("m", **{**NEW_FACTS, "masa_special_application": "pending"})), "m", "mentee")
    assert d.outcome is YES and d.decided_by is None


# =========================================================================== matching


def test_a_same_region_same_group_pair_scores_highest(policy, example):
    d = pair(policy, example, "ruth", "maria")
    assert d.outcome is YES and d.score == 5
    assert [r.status for r in d.requirements] == ["met", "met", "met"]


def test_a_cross_region_pair_is_allowed_with_a_lower_score(policy, example):
    d = pair(policy, example, "petra", "sam")  # Region 3 mentor, Region 1 mentee (R-MASA-MATCH-3)
    assert d.outcome is YES
    assert rule(d, CROSS).status == "met"
    assert rule(d, REGION).status == "not met"
    assert d.score == 3 < pair(policy, example, "ruth", "maria").score


def test_a_region_layer_may_forbid_cross_region_pairs(example):
    strict = layer("set cross_region_matching = false")
    d = pair(strict, example, "petra", "sam")
    assert d.outcome is NO and rule(d, CROSS).status == "not met"
    assert pair(strict, example, "ruth", "maria").outcome is YES
    loaded = world(person("a", place=None), person("b"))
    d = pair(strict, loaded, "a", "b")
    assert d.outcome is UNKNOWN and d.missing == ("mentor.region",)
    assert pair(accord.load_policy(programme="masa"), loaded, "a", "b").outcome is YES  # allowed whatever the regions


def test_a_mentor_cannot_mentor_themself(policy, example):
    d = pair(policy, example, "ruth", "ruth")
    assert d.outcome is NO and rule(d, SAME_PERSON).status == "not met"


@pytest.mark.parametrize(
    ("mentor", "mentee", "why"),
    [
        ("karl", "maria", "karl is maria's line manager"),
        ("olaf", "hana", "a conflict the region recorded"),
    ],
)
def test_a_conflict_of_interest_forbids_the_pair(policy, example, mentor, mentee, why):
    d = pair(policy, example, mentor, mentee)
    assert d.outcome is NO, why
    assert rule(d, CONFLICT).status == "not met"
    assert rule(d, CONFLICT).source.startswith("R-MASA-MATCH-4")


@pytest.mark.parametrize("direction", [("a", "b"), ("b", "a")])
def test_either_evaluating_the_other_is_a_conflict(policy, direction):
    evaluator, evaluatee = direction
    rel = {"kind": "evaluation", "evaluator": evaluator, "evaluatee": evaluatee, "from": "2021-07-01", "to": "2021-12-31"}
    loaded = world(person("a"), person("b"), relationships=[rel])
    assert pair(policy, loaded, "a", "b").outcome is NO
    assert pair(policy, loaded, "a", "b", dt.date(2022, 1, 1)).outcome is YES  # the evaluation has ended


def test_what_counts_as_a_conflict_is_a_parameter():
    rels = [{"kind": "line_management", "line_manager": "a", "direct_report": "b"}]
    loaded = world(person("a", place="d1"), person("b", place="d1"), person("c", place="d2"), person("n", place=None), relationships=rels)
    default = accord.load_policy(programme="masa")
    assert pair(default, loaded, "a", "b").outcome is NO
    assert pair(default, loaded, "a", "c").outcome is YES  # same region, other district
    same_district = layer("set conflict_of_interest_kinds = {same_district}")
    assert pair(same_district, loaded, "a", "b").outcome is NO  # same district (line management no longer counts)
    assert pair(same_district, loaded, "a", "c").outcome is YES
    d = pair(same_district, loaded, "a", "n")
    assert d.outcome is UNKNOWN and d.missing == ("the district of n",)
    nothing = layer("set conflict_of_interest_kinds = {}")
    assert pair(nothing, loaded, "a", "b").outcome is YES


def test_a_missing_component_group_scores_nothing_but_does_not_forbid(policy):
    loaded = world(person("a", component_group="superintendents"), person("b"))
    d = pair(policy, loaded, "a", "b")
    assert d.outcome is YES and d.score == 2
    assert rule(d, GROUP).status == "unknown" and rule(d, GROUP).missing == ("mentee.component_group",)


def test_the_default_pair_rule_is_mentor_and_mentee(policy, example):
    d = pair(policy, example, "ruth", "maria")
    assert (d.role, d.other_role) == ("mentor", "mentee")
    assert pair(policy, example, "ruth", "maria", ends="mentor, mentee") == d


# =========================================================================== second-year extension


@pytest.mark.parametrize(
    ("requester", "outcome", "who"),
    [
        ("maria", YES, "the mentee"),
        ("ruth", YES, "the mentee's mentor"),
        ("dana", YES, "Lakeview's district representative, maria's district"),
        ("rita", NO, "the region coordinator"),
        ("mark", NO, "MASA staff"),
        ("pete", NO, "the representative of another district"),
        ("sam", NO, "another member"),
        ("karl", NO, "maria's line manager, in her district but not its representative"),
    ],
)
def test_who_may_request_an_extension(policy, example, requester, outcome, who):
    d = pair(policy, example, requester, "maria", dt.date(2022, 4, 15), ends=EXT)
    assert d.outcome is outcome, who
    assert rule(d, REQUESTER).status == ("met" if outcome is YES else "not met")
    assert rule(d, REQUESTER).source.startswith("R-MASA-EXT-3")
    assert rule(d, ARRANGEMENT).status == "met"


def test_the_mentors_district_may_not_request_for_a_cross_region_mentee(policy, example):
    # pete acts for Prairie Valley, petra's district; sam is in Pine River
    assert pair(policy, example, "pete", "sam", ends=EXT).outcome is NO
    assert pair(policy, example, "petra", "sam", ends=EXT).outcome is YES


def test_an_extension_request_without_the_mentees_district_is_undetermined(policy, example):
    d = pair(policy, example, "dana", "jo", ends=EXT)  # jo has no place
    assert d.outcome is UNKNOWN and d.missing == ("extension_mentee.district",)
    assert pair(policy, example, "olaf", "jo", ends=EXT).outcome is YES  # jo's mentor needs no district


def test_an_extension_needs_an_arrangement_to_extend(policy, example):
    d = pair(policy, example, "karl", "karl", ends=EXT)  # karl has no mentor
    assert d.outcome is NO
    assert rule(d, REQUESTER).status == "met" and rule(d, ARRANGEMENT).status == "not met"
    d = pair(policy, example, "maria", "maria", dt.date(2022, 6, 30), ends=EXT)
    assert d.outcome is YES  # the arrangement runs to 2022-06-30


def test_a_district_representative_acts_only_while_appointed(policy):
    loaded = world(
        person("m"), person("r"),
        {"id": "d", "place": "d1", "roles": [{"role": "district_representative", "place": "d1", "from": "2021-07-01", "to": "2021-12-31"}]},
        relationships=[mentoring("r", "m")],
    )
    assert pair(policy, loaded, "d", "m", dt.date(2021, 12, 31), ends=EXT).outcome is YES
    assert pair(policy, loaded, "d", "m", dt.date(2022, 1, 1), ends=EXT).outcome is NO


# =========================================================================== incentives


def test_the_stipend_goes_to_a_team_of_two_members(policy, example):
    report = awards(policy, example, "ruth")
    maria = award(report, "mentor stipend", "maria")
    assert (maria.outcome, maria.amount, maria.unit, maria.payer) == (YES, Decimal(500), "USD", "MASA Region 1")
    tom = award(report, "mentor stipend", "tom")  # tom is not a MASA member (R-MASA-INC-2)
    assert tom.outcome is NO
    assert next(r for r in tom.requirements if r.label == BOTH_MEMBERS).status == "not met"
    assert report.totals() == {"money (USD)": "USD 500", "recognitions": "MASA recognition of the mentor's contribution"}


def test_a_mentor_who_is_not_a_member_gets_no_stipend(policy):
    loaded = world(person("g", memberships=[]), person("m"), relationships=[mentoring("g", "m")])
    a = award(awards(policy, loaded, "g"), "mentor stipend", "m")
    assert a.outcome is NO and "both mentor and mentee are MASA members" in a.reason


def test_a_cross_region_stipend_is_paid_by_the_mentees_region(policy, example):
    report = awards(policy, example, "petra")
    sam = award(report, "mentor stipend", "sam")  # petra is in Region 3, sam in Region 1
    assert (sam.outcome, sam.payer) == (YES, "MASA Region 1")
    lena = award(report, "mentor stipend", "lena")  # matched after sam: one stipend per mentor
    assert lena.outcome is NO
    assert next(r for r in lena.requirements if r.label == ONE_PER_MENTOR).status == "not met"
    assert report.totals()["money (USD)"] == "USD 500"


def test_which_region_pays_is_a_parameter(example):
    report = awards(layer("set stipend_paid_by_region_of = mentor"), example, "petra")
    assert award(report, "mentor stipend", "sam").payer == "MASA Region 3"


def test_a_stipend_per_mentee_is_a_parameter(example):
    report = awards(layer("set stipend_per_mentee = true"), example, "petra")
    assert [award(report, "mentor stipend", m).outcome for m in ("sam", "lena")] == [YES, YES]
    assert award(report, "mentor stipend", "lena").payer == "MASA Region 3"
    assert report.totals()["money (USD)"] == "USD 1000"
    # still only teams of two members
    assert award(awards(layer("set stipend_per_mentee = true"), example, "ruth"), "mentor stipend", "tom").outcome is NO


def test_the_first_member_team_takes_the_one_stipend(policy):
    # the non-member team was matched first; the member team still takes the stipend
    loaded = world(
        person("r"), person("n", memberships=[]), person("m"),
        relationships=[mentoring("r", "n", "2021-08-01"), mentoring("r", "m", "2021-09-01")],
    )
    report = awards(policy, loaded, "r")
    assert [award(report, "mentor stipend", p).outcome for p in ("m", "n")] == [YES, NO]
    # two member teams matched the same day: the mentee's id breaks the tie
    loaded = world(person("r"), person("x"), person("y"), relationships=[mentoring("r", "y"), mentoring("r", "x")])
    report = awards(policy, loaded, "r")
    assert [award(report, "mentor stipend", p).outcome for p in ("x", "y")] == [YES, NO]


def test_a_second_year_team_carries_no_stipend_unless_the_parameter_says_so(policy, example):
    report = awards(policy, example, "olaf")
    eva = award(report, "mentor stipend", "eva")  # matched 2020-09-01, before this programme year
    assert eva.outcome is NO
    first_year = next(r for r in eva.requirements if r.label == FIRST_YEAR)
    assert first_year.status == "not met"
    assert award(report, "mentor stipend", "jo").outcome is YES  # the second-year team does not take jo's stipend
    generous = awards(layer("set extension_stipend = true"), example, "olaf")
    assert [award(generous, "mentor stipend", p).outcome for p in ("eva", "jo")] == [YES, YES]


@pytest.mark.parametrize(("start", "outcome"), [("2021-06-30", NO), ("2021-07-01", YES), ("2021-07-02", YES)])
def test_a_first_year_team_starts_in_the_programme_year(policy, start, outcome):
    loaded = world(person("r"), person("m"), relationships=[mentoring("r", "m", start)])
    assert award(awards(policy, loaded, "r"), "mentor stipend", "m").outcome is outcome


def test_a_team_with_no_start_date_leaves_the_stipend_undetermined(policy):
    loaded = world(person("r"), person("m"), relationships=[mentoring("r", "m", None)])
    a = award(awards(policy, loaded, "r"), "mentor stipend", "m")
    assert a.outcome is UNKNOWN
    assert a.missing == ("the start of the mentoring relationship between r and m",)


def test_an_unknown_payer_is_named_but_does_not_stop_the_stipend(policy, example):
    jo = award(awards(policy, example, "olaf"), "mentor stipend", "jo")  # jo has no place, so no region
    assert (jo.outcome, jo.payer, jo.payer_missing) == (YES, None, ("mentee.region",))


def test_recognition_for_mentors_who_mentor(policy, example):
    assert award(awards(policy, example, "ruth"), "recognition").outcome is YES
    report = awards(policy, example, "gary")  # no mentee
    assert award(report, "recognition").outcome is NO
    assert award(report, "mentor stipend").outcome is NO  # no mentoring relationship on the date


def test_a_stipend_ends_with_the_relationship(policy, example):
    loaded = world(person("r"), person("m"), relationships=[mentoring("r", "m", "2021-09-01", "2022-01-31")])
    assert award(awards(policy, loaded, "r", dt.date(2022, 1, 31)), "mentor stipend", "m").outcome is YES
    assert award(awards(policy, loaded, "r", dt.date(2022, 2, 1)), "mentor stipend").outcome is NO


# =========================================================================== confidentiality


@pytest.mark.parametrize(
    ("viewer", "record", "outcome"),
    [
        # the pair list: region coordinators (of the mentee's region) and MASA staff only
        ("rita", "list1", Access.ALLOW),
        ("mark", "list1", Access.ALLOW),
        ("carl", "list1", Access.DENY),  # another region's coordinator
        ("ruth", "list1", Access.DENY),
        ("maria", "list1", Access.DENY),
        ("dana", "list1", Access.DENY),
        # conversation content: the mentor and mentee only; the region and MASA see counts
        ("maria", "log1", Access.ALLOW),
        ("ruth", "log1", Access.ALLOW),
        ("rita", "log1", Access.COUNTS_ONLY),
        ("mark", "log1", Access.COUNTS_ONLY),
        ("carl", "log1", Access.DENY),
        ("dana", "log1", Access.DENY),
        ("karl", "log1", Access.DENY),  # maria's line manager
        ("petra", "log1", Access.DENY),  # another mentor
        ("petra", "log3", Access.ALLOW),
        # accountability reports: their subject and author, the region and MASA
        ("maria", "report1", Access.ALLOW),
        ("ruth", "report1", Access.ALLOW),
        ("rita", "report1", Access.ALLOW),
        ("mark", "report1", Access.ALLOW),
        ("dana", "report1", Access.DENY),
    ],
)
def test_who_sees_what(policy, example, viewer, record, outcome):
    assert access(policy, example, viewer, record).outcome is outcome


def test_a_mentor_loses_access_when_the_team_ends(policy, example):
    assert access(policy, example, "ruth", "log1", dt.date(2022, 6, 30)).outcome is Access.ALLOW
    loaded = world(
        person("r"), person("m"), relationships=[mentoring("r", "m", "2021-09-01", "2021-12-31")],
        evidence=[{"id": "l", "kind": "mentoring_log", "subject": "m", "author": "r", "date": "2021-10-01"}],
    )
    assert access(policy, loaded, "r", "l", dt.date(2021, 12, 31)).outcome is Access.ALLOW
    assert access(policy, loaded, "r", "l", dt.date(2022, 1, 1)).outcome is Access.DENY


# =========================================================================== time commitments


@pytest.mark.parametrize(
    ("who", "as_of", "status"),
    [
        ("maria", dt.date(2021, 10, 10), "met"),  # one face-to-face meeting on 2021-09-20
        ("maria", dt.date(2021, 9, 19), "on track"),  # before it
        ("lena", dt.date(2021, 10, 10), "on track"),  # none yet, due 2022-06-30
        ("lena", dt.date(2022, 6, 30), "on track"),  # the due day itself
        ("sam", dt.date(2021, 10, 10), "unknown"),  # a meeting without face_to_face recorded
    ],
)
def test_meetings_include_face_to_face(policy, example, who, as_of, status):
    report = progress(policy, example, who, as_of)
    (com,) = report.commitments
    assert com.parts[0].status == status
    if status == "unknown":
        assert com.parts[0].missing == ("face_to_face of mentoring_log evidence",)


def test_a_region_may_ask_for_more_face_to_face_meetings(example):
    report = progress(layer("set face_to_face_meetings = 2"), example, "maria", dt.date(2021, 10, 30))
    part = report.commitments[0].parts[0]
    assert (part.status, part.done, part.remaining) == ("on track", "1", "1")
    with pytest.raises(accord.PolicyError, match="may only be raised"):
        layer("set face_to_face_meetings = 0")


# =========================================================================== the CLI


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, [*args, "--programme", "masa", "--as-of", "2021-10-01"])


@pytest.mark.parametrize(
    ("who", "role", "code", "word"),
    [
        ("ruth", "mentor", 0, "ELIGIBLE"),
        ("gary", "mentor", 1, "NOT ELIGIBLE"),
        ("una", "mentor", 3, "UNDETERMINED"),
        ("maria", "mentee", 0, "ELIGIBLE"),
        ("karl", "mentee", 1, "NOT ELIGIBLE"),
        ("ivan", "mentee", 3, "UNDETERMINED"),
    ],
)
def test_cli_check(who, role, code, word):
    result = cli("check", str(EXAMPLE), "--person", who, "--role", role)
    assert result.exit_code == code, result.output
    assert result.output.startswith(f"{word}:")


def test_cli_check_json_names_the_missing_fact_and_the_citation():
    result = cli("check", str(EXAMPLE), "--person", "ivan", "--role", "mentee", "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 3 and data["outcome"] == "undetermined"
    assert data["missing"] == ["person.special_application_approved"]
    assert data["exceptions"][0]["source"].startswith("R-MASA-ELIG-2")


def test_cli_and_library_agree_on_every_example_person(policy, example):
    for role in ("mentor", "mentee"):
        lines = cli("check", str(EXAMPLE), "--role", role).output.splitlines()
        for pid in example.people:
            d = decide(policy, example, pid, role)
            word = d.outcome_word.replace("_", " ")
            assert any(line.startswith(word) and f" {pid} " in line for line in lines), (role, pid, word)


def test_cli_pair_cross_region_is_allowed_with_a_lower_score():
    result = cli("pair", str(EXAMPLE), "petra", "sam", "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["outcome"] == "allowed"
    assert data["score"] == "3"
    assert data["other"] == {"id": "sam", "name": "Sam Okonkwo", "role": "mentee"}
    same = json.loads(cli("pair", str(EXAMPLE), "ruth", "maria", "--format", "json").output)
    assert same["score"] == "5"


def test_cli_pair_conflict():
    result = cli("pair", str(EXAMPLE), "karl", "maria")
    assert result.exit_code == 1 and "[not met]  no conflict of interest" in result.output


@pytest.mark.parametrize(("requester", "mentee", "code"), [("dana", "maria", 0), ("rita", "maria", 1), ("dana", "jo", 3)])
def test_cli_pair_extension_request(requester, mentee, code):
    result = cli("pair", str(EXAMPLE), requester, mentee, "--ends", "requester,extension_mentee")
    assert result.exit_code == code, result.output
    assert "preferences" not in result.output  # the extension rule scores nothing


def test_cli_pair_with_ends_the_policy_does_not_have():
    result = cli("pair", str(EXAMPLE), "dana", "maria", "--ends", "extension_mentee,requester")
    assert result.exit_code == 2
    assert "its ends are the other way round: `requester, extension_mentee`" in result.output


def test_cli_incentives_json_says_who_pays():
    result = cli("incentives", str(EXAMPLE), "--person", "petra", "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    stipends = {a["relationship_with"]["id"]: a for a in data["awards"] if a["label"] == "mentor stipend"}
    assert (stipends["sam"]["outcome"], stipends["sam"]["amount"], stipends["sam"]["paid_by"]) == ("receives", "500", "MASA Region 1")
    assert stipends["lena"]["outcome"] == "does_not_receive"


@pytest.mark.parametrize(("viewer", "record", "code"), [("rita", "list1", 0), ("ruth", "list1", 1), ("rita", "log1", 4)])
def test_cli_access(viewer, record, code):
    assert cli("access", str(EXAMPLE), "--viewer", viewer, "--record", record).exit_code == code


def test_cli_commitments():
    result = CliRunner().invoke(main, ["commitments", str(EXAMPLE), "--person", "sam", "--programme", "masa", "--as-of", "2021-10-10"])
    assert result.exit_code == 3 and "face_to_face of mentoring_log evidence" in result.output


def test_cli_lint_and_programmes():
    lint = CliRunner().invoke(main, ["lint", str(RULES)])
    assert lint.exit_code == 0 and "roles: mentee, mentor" in lint.output
    listing = CliRunner().invoke(main, ["programmes"])
    assert "masa" in listing.output and "region_coordinator" in listing.output


def test_the_decision_json_of_both_engines_is_identical(policy, example):
    for pid in example.people:
        a, b = (decision_json(accord.decide(policy, example, pid, "mentee", AS_OF, explain=True, engine=e)) for e in ENGINES)
        assert a == b


@pytest.mark.parametrize(
    ("fact", "values"),
    [
        ("role_start", ["2009-07-01", "2021-07-01"]),
        ("role_start_in_state", ["2009-07-01", "2021-07-01"]),
        ("masa_special_application", ["none", "pending", "approved", "declined"]),
        ("component_group", ["superintendents", "central_office"]),
    ],
)
def test_filling_in_a_missing_masa_fact_never_changes_a_decided_answer(policy, fact, values):
    """Every MASA fact is unknown when not recorded, never taken as no (Kleene logic stays monotone)."""
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    before = facts(doc)
    people = [p for p in doc["people"] if fact not in p.get("facts", {})]
    assert people
    for value in values:
        filled = json.loads(json.dumps(doc))
        for p in filled["people"]:
            if fact not in p.setdefault("facts", {}):
                p["facts"][fact] = value
        after = facts(filled)
        for p in people:
            for role in ("mentor", "mentee"):
                b = decide(policy, before, p["id"], role)
                if b.outcome is not UNKNOWN:
                    assert decide(policy, after, p["id"], role).outcome is b.outcome, (p["id"], role, value)
            b = pair(policy, before, "ruth", p["id"])
            if b.outcome is not UNKNOWN:
                assert pair(policy, after, "ruth", p["id"]).outcome is b.outcome
            assert pair(policy, after, "ruth", p["id"]).score >= b.score  # an unknown preference scored nothing
