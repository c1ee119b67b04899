"""Layered policies: a child `extends` a parent, within the rights the parent gives.

Parameters are fixed unless declared `may raise`, `may lower` or `may change`, and a child gives
them its values with `set`; rules marked `may change` may be replaced with `override`; `extend role`
adds requirements and denials. Every error names both files. The programme's policy for a person
is the layer of the nearest place up their place chain. Each decision names the layer that
supplied each rule and each value.

Policies are written to files (`extends` is resolved beside the child's file); every decision is
made with both engines, which must agree.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accord
from accord.access import Access
from accord.evaluate import Outcome
from accord.explain import decision_json
from accord.values import show
from tests.conftest import EXAMPLES
from tests.questions import access, cli, cli_json, commitments, incentives, write
from tests import strategies as s
from tests.support import decide, facts

YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN
AS_OF = dt.date(2026, 1, 15)
DEMO_FACTS = str(EXAMPLES / "demo" / "facts.json")

PARENT = """policy "Parent"
  programme demo
  source "parent handbook"

parameter min_years = 3 years may raise
parameter max_hours = 40 hours may lower
parameter stipend: USD = none may change
parameter window = 14 days
parameter bar: performance = proficient may raise
parameter start = 2025-09-01 may change

define trained(p) = p.mentor_trained

role mentor
  require "experienced" source "parent 1": person.years_experience >= min_years
  require "trained": trained(person)

role mentee may change
  require "new": person.new_to_role

record mentoring_log may change
  visible to mentor

record observation
  visible to subject

incentive "stipend" to mentor per relationship may change
  amount stipend

incentive "points" to mentor per person
  amount 10 pdps

commitment "hours" for mentee may change
  at least 5 hours of hours(evidence mentoring_log)

commitment "observed" for mentee
  at least 1 of count(evidence observation)

pair mentor, mentee
  require "different": mentor is not mentee
"""

CHILD = """policy "Child"
  extends "parent"
  place district "d1"

set min_years = 5 years
set max_hours = 30 hours
set stipend = USD 500.25
set bar = exemplary

extend role mentor
  require "licensed" source "child 2": person.licence = professional
  except "declined" denies: person.special_application = declined

override role mentee
  require "new or approved": person.new_to_role or person.special_application = approved

override record mentoring_log
  visible to mentor, coordinator

override incentive "stipend" to mentor per relationship
  amount USD 600

override commitment "hours" for mentee
  at least 8 hours of hours(evidence mentoring_log)
"""

DOC = {
    "places": [{"id": "d1", "kind": "district"}],
    "people": [
        {"id": "ana", "place": "d1", "facts": {"years_experience": 6, "mentor_trained": True, "licence": "professional", "special_application": "pending"}},
        {"id": "bo", "place": "d1", "facts": {"years_experience": 4, "mentor_trained": True, "licence": "professional"}},
        {"id": "cy", "place": "d1", "facts": {"years_experience": 6, "mentor_trained": True, "licence": "initial"}},
        {"id": "di", "place": "d1", "facts": {"years_experience": 6, "mentor_trained": True, "licence": "professional", "special_application": "declined"}},
        {"id": "dev", "place": "d1", "facts": {"new_to_role": False, "special_application": "approved"}},
        {"id": "gus", "roles": [{"role": "coordinator", "place": "d1"}]},
    ],
    "relationships": [{"kind": "mentoring", "mentor": "ana", "mentee": "dev", "from": "2025-09-01"}],
    "evidence": [{"id": "log1", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-10-01", "hours": 6}],
}
F = facts(DOC)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "parent.accord").write_text(PARENT, encoding="utf-8")
    return tmp_path


def child(folder: Path, body: str, *, name: str = "child.accord", header: str = 'policy "Child"\n  extends "parent"\n') -> accord.CompiledPolicy:
    return accord.load_policy(write(folder, name, header + "\n" + body))


def errors(folder: Path, body: str, **kw) -> list[accord.errors.Diagnostic]:
    with pytest.raises(accord.PolicyError) as excinfo:
        child(folder, body, **kw)
    return list(excinfo.value.diagnostics)


def code_of(folder: Path, body: str, **kw) -> str:
    diags = errors(folder, body, **kw)
    assert len(diags) == 1, [d.message for d in diags]
    return diags[0].code


# =========================================================================== merging


def test_a_child_merges_onto_its_parent(folder):
    c = accord.load_policy(write(folder, "child.accord", CHILD)).checked
    assert [layer[:2] for layer in c.layers] == [(str(folder / "parent.accord"), "Parent"), (str(folder / "child.accord"), "Child")]
    assert c.layers[1][2:] == ("district", "d1")
    assert c.programme.name == "demo"  # inherited
    params = {n: (show(p.value, p.type), p.right, p.span.file.endswith("child.accord")) for n, p in c.parameters.items()}
    assert params == {
        "min_years": ("5 years", "raise", True),
        "max_hours": ("30 hours", "lower", True),
        "stipend": ("USD 500.25", "change", True),
        "window": ("14 days", "fixed", False),
        "bar": ("exemplary", "raise", True),
        "start": ("2025-09-01", "change", False),
    }
    assert [r.label for r in c.roles["mentor"].requirements] == ["experienced", "trained", "licensed"]
    assert [(e.label, e.kind) for e in c.roles["mentor"].exceptions] == [("declined", "denies")]
    assert [r.label for r in c.roles["mentee"].requirements] == ["new or approved"]
    assert c.records["mentoring_log"].visible[0].viewers == ("mentor", "coordinator")
    assert [i.label for i in c.incentives] == ["stipend", "points"]
    assert c.commitments[0].parts[0].required.value == 8


def test_each_rule_and_value_names_the_layer_that_supplied_it(folder):
    policy = accord.load_policy(write(folder, "child.accord", CHILD))
    d = decide(policy, F, "ana", "mentor", AS_OF)
    assert d.outcome is YES
    assert [(r.label, r.layer) for r in d.requirements] == [("experienced", "Parent"), ("trained", "Parent"), ("licensed", "Child")]
    assert [(r.label, r.layer) for r in d.exceptions] == [("declined", "Child")]
    assert d.parameters == (("min_years", "5 years", "Child"),)
    assert (d.policy, d.policy_file) == ("Child", str(folder / "child.accord"))
    data = decision_json(d)
    assert data["parameters"] == [{"name": "min_years", "value": "5 years", "layer": "Child"}]
    assert decide(policy, F, "dev", "mentee", AS_OF).requirements[0].layer == "Child"
    report = incentives(policy, F, "ana", AS_OF)
    assert [(a.label, a.layer, a.amount_text) for a in report.awards] == [("stipend", "Child", "USD 600"), ("points", "Parent", "10 PDPs")]
    assert access(policy, F, "gus", "log1", AS_OF).layer == "Child"
    report = commitments(policy, F, "dev", AS_OF)
    assert [(c.label, c.layer, c.status) for c in report.commitments] == [("hours", "Child", "in progress"), ("observed", "Parent", "in progress")]


def test_the_childs_values_and_rules_decide(folder):
    policy = accord.load_policy(write(folder, "child.accord", CHILD))
    parent = accord.load_policy(folder / "parent.accord")
    outcomes = {pid: (decide(parent, F, pid, "mentor", AS_OF).outcome, decide(policy, F, pid, "mentor", AS_OF).outcome) for pid in ("ana", "bo", "cy", "di")}
    assert outcomes == {
        "ana": (YES, YES),
        "bo": (YES, NO),  # 4 years: enough for the parent's 3, not the child's 5
        "cy": (YES, NO),  # initial licence: the child's extension
        "di": (YES, NO),  # declined application: the child's denial
    }
    bo = decide(policy, F, "bo", "mentor", AS_OF).requirements[0]
    assert (bo.because, bo.distance) == ("4 years < 5 years", "needs 1 more year")
    assert decide(parent, F, "dev", "mentee", AS_OF).outcome is NO
    assert decide(policy, F, "dev", "mentee", AS_OF).outcome is YES  # the child's override
    assert access(parent, F, "gus", "log1", AS_OF).outcome.value == "deny"
    assert access(policy, F, "gus", "log1", AS_OF).outcome.value == "allow"


# =========================================================================== override rights


@pytest.mark.parametrize(
    ("setting", "ok"),
    [
        ("set min_years = 3 years", True),  # may raise: the same value is no loosening
        ("set min_years = 30 years", True),
        ("set min_years = 2.99 years", False),
        ("set min_years = none", False),  # unknown could be anything
        ("set max_hours = 40 hours", True),
        ("set max_hours = 0 hours", True),
        ("set max_hours = 40.01 hours", False),
        ("set bar = exemplary", True),
        ("set bar = proficient", True),
        ("set bar = needs_improvement", False),
        ("set stipend = USD 0", True),  # may change: anything of its type
        ("set stipend = USD 99999.99", True),
        ("set stipend = none", True),
        ("set start = 1999-01-01", True),
        ("set window = 14 days", False),  # fixed: not even its own value
        ("set window = 30 days", False),
    ],
)
def test_set_within_the_parents_rights(folder, setting, ok):
    if ok:
        child(folder, setting + "\n")
    else:
        diags = errors(folder, setting + "\n")
        assert [d.code for d in diags] == ["P123"]
        assert diags[0].span.file == str(folder / "child.accord")
        assert str(folder / "parent.accord") in diags[0].message  # both files are named


def test_a_second_set_is_held_to_the_first(folder):
    child(folder, "set min_years = 5 years\nset min_years = 6 years\n")
    assert code_of(folder, "set min_years = 5 years\nset min_years = 4 years\n") == "P123"


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ("set min_years = USD 5", "P110"),
        ("set min_years = 48 months", "P110"),  # the parent's unit, so the bound can be checked
        ("set stipend = 500 hours", "P110"),
        ("set min_years = 2 years + 3 years", "P118"),
        ("set min_yeers = 4 years", "P121"),
        ("set bar = splendid", "P101"),
    ],
)
def test_set_errors(folder, setting, code):
    diags = errors(folder, setting + "\n")
    assert code in [d.code for d in diags]
    if code == "P121":
        assert diags[0].hint == "did you mean `min_years`?"
        assert str(folder / "parent.accord") in diags[0].message


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ('override role mentor\n  require "x": true\n', "role `mentor`"),
        ('override incentive "points" to mentor per person\n  amount 20 pdps\n', "incentive `points`"),
        ('override commitment "observed" for mentee\n  at least 0 of count(evidence observation)\n', "commitment `observed`"),
        ('override pair mentor, mentee\n  require "x": true\n', "pair `mentor, mentee`"),
    ],
)
def test_overriding_a_fixed_rule_is_p123_naming_both_files(folder, body, what):
    (diag,) = errors(folder, body)
    assert diag.code == "P123"
    assert diag.message.startswith(f"{what} is fixed by {folder / 'parent.accord'}:")
    assert f"{folder / 'child.accord'} cannot override it" in diag.message
    assert diag.span.file == str(folder / "child.accord")
    assert diag.hint == "the parent would have to declare it `may change`"


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ('role mentor\n  require "x": true\n', "role `mentor`"),
        ("record observation\n  visible to subject\n", "record `observation`"),
        ('incentive "points" to mentor per person\n  amount 1 pdps\n', "incentive `points`"),
        ('commitment "observed" for mentee\n  at least 1 of count(evidence observation)\n', "commitment `observed`"),
        ('pair mentor, mentee\n  require "x": true\n', "pair `mentor, mentee`"),
        ("parameter window = 3 days\n", "parameter `window`"),
        ("parameter min_years = 1 years may lower\n", "parameter `min_years`"),
    ],
)
def test_redeclaring_what_the_parent_declares_is_p124_naming_both_files(folder, body, what):
    (diag,) = errors(folder, body)
    assert diag.code == "P124"
    assert diag.message.startswith(f"{what} is already declared by {folder / 'parent.accord'}:")
    assert diag.span.file == str(folder / "child.accord")


def test_a_child_may_add_rules_of_its_own(folder):
    policy = child(folder, 'role coordinator\n  require "t": true\nparameter extra = 1 days\n')
    assert set(policy.checked.roles) == {"mentor", "mentee", "coordinator"}
    assert "extra" in policy.checked.parameters
    # but not a record its parent keeps closed (see the records section below)
    (diag,) = errors(folder, "record summative_evaluation\n  visible to subject\n")
    assert diag.code == "P160"


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ('override role mentr\n  require "x": true\n', "did you mean `mentor`?"),
        ('override incentive "stipnd" to mentor per relationship\n  amount USD 1\n', "did you mean `stipend`?"),
        ("override record summative_evaluation\n  visible to subject\n", None),
        ('extend role mentr\n  require "x": true\n', "did you mean `mentor`?"),
        ('extend role coordinator\n  require "x": true\n', None),
    ],
)
def test_overriding_or_extending_what_the_parent_lacks_is_p121(folder, body, hint):
    (diag,) = errors(folder, body)
    assert diag.code == "P121"
    assert diag.hint == hint
    assert str(folder / "parent.accord") in diag.message and diag.span.file == str(folder / "child.accord")


def test_an_extension_cannot_grant(folder):
    (diag,) = errors(folder, 'extend role mentor\n  except "waived" grants: person.new_to_role\n')
    assert diag.code == "P125"
    assert f"{folder / 'parent.accord'}:" in diag.message and diag.span.file == str(folder / "child.accord")


def test_an_extension_may_require_and_deny(folder):
    policy = child(folder, 'extend role mentee\n  require "member": person.association_membership = active\n  except "no": denies person.new_to_role\n'.replace('"no": denies', '"no" denies:'))
    d = decide(policy, facts({"people": [{"id": "x", "facts": {"new_to_role": True}}]}), "x", "mentee", AS_OF)
    assert (d.outcome, d.decided_by) == (NO, "no")


def test_a_child_of_another_programme_is_p122(folder):
    diags = errors(folder, "", header='policy "Other"\n  programme masa\n  extends "parent"\n')
    assert [d.code for d in diags] == ["P122"]
    assert "`masa`" in diags[0].message and "`demo`" in diags[0].message and str(folder / "parent.accord") in diags[0].message


def test_a_child_may_repeat_its_parents_programme(folder):
    assert child(folder, "", header='policy "Same"\n  programme demo\n  extends "parent"\n').checked.programme.name == "demo"


@pytest.mark.parametrize("names", [["a"], ["a", "b"], ["a", "b", "c"]])
def test_policies_that_extend_each_other_in_a_circle_are_p126(tmp_path, names):
    for i, name in enumerate(names):
        parent = names[(i + 1) % len(names)]
        (tmp_path / f"{name}.accord").write_text(f'policy "{name}"\n  programme demo\n  extends "{parent}"\n', encoding="utf-8")
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(tmp_path / "a.accord")
    (diag,) = excinfo.value.diagnostics
    assert diag.code == "P126"
    for name in names:
        assert str(tmp_path / f"{name}.accord") in diag.message


def test_a_parent_that_cannot_be_found_is_p005(tmp_path):
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(write(tmp_path, "c.accord", 'policy "C"\n  extends "nowhere"\n'))
    assert [d.code for d in excinfo.value.diagnostics] == ["P005"]
    assert "nowhere" in str(excinfo.value)


def test_a_child_cannot_redefine_a_parents_definition(folder):
    assert code_of(folder, "define trained(p) = true\n") == "P113"


def test_every_problem_of_a_child_is_reported_at_once(folder):
    diags = errors(folder, 'set window = 1 days\nrole mentor\n  require "x": true\nextend role mentor\n  except "w" grants: true\n')
    assert sorted(d.code for d in diags) == ["P124", "P125"]  # layering first; P123 would come from the checker


# =========================================================================== where the parent is


def test_extends_resolves_beside_the_child(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "parent.accord").write_text(PARENT, encoding="utf-8")
    policy = accord.load_policy(write(tmp_path, "c.accord", 'policy "C"\n  extends "base/parent.accord"\nset min_years = 4 years\n'))
    assert policy.checked.parameters["min_years"].value == 4
    # each layer names its parent from its own folder: g -> deep/c -> deep/base/parent
    (tmp_path / "deep" / "base").mkdir(parents=True)
    (tmp_path / "deep" / "base" / "parent.accord").write_text(PARENT, encoding="utf-8")
    (tmp_path / "deep" / "c.accord").write_text('policy "C"\n  extends "base/parent"\n', encoding="utf-8")
    write(tmp_path, "g.accord", 'policy "G"\n  extends "deep/c"\nset min_years = 7 years\n')
    g = accord.load_policy(tmp_path / "g.accord").checked
    assert g.parameters["min_years"].value == 7
    assert [name for _, name, _, _ in g.layers] == ["Parent", "C", "G"]


def test_text_with_a_path_resolves_beside_that_path(folder):
    policy = accord.load_policy(text='policy "T"\n  extends "parent"\nset min_years = 4 years\n', path=str(folder / "t.accord"))
    assert policy.checked.layers[0][0] == str(folder / "parent.accord")


def test_a_file_may_extend_the_shipped_demo_baseline(tmp_path):
    policy = accord.load_policy(write(tmp_path, "mine.accord", 'policy "Mine"\n  extends "demo/district-mentoring"\nset mentor_min_years = 10 years\n'))
    assert policy.checked.layers[0][:2] == ("rules/demo/district-mentoring.accord", "Demo District Mentoring")
    d = decide(policy, accord.load_facts(DEMO_FACTS), "ana", "mentor", AS_OF)
    assert d.outcome is NO and d.parameters == (("mentor_min_years", "10 years", "Mine"),)


def test_a_grandchild_is_held_to_the_childs_values_and_rights(folder):
    write(folder, "child.accord", CHILD)
    g = lambda body: accord.load_policy(write(folder, "g.accord", 'policy "G"\n  extends "child"\n' + body))  # noqa: E731
    assert g("set min_years = 6 years\n").checked.parameters["min_years"].value == 6
    for body in ("set min_years = 4 years\n", "set max_hours = 35 hours\n", 'override incentive "stipend" to mentor per relationship\n  amount USD 1\n'):
        with pytest.raises(accord.PolicyError) as excinfo:
            g(body)
        assert [d.code for d in excinfo.value.diagnostics] == ["P123"], body  # the child's override is fixed
    # a child may pass the right on
    write(folder, "child.accord", CHILD.replace('override incentive "stipend" to mentor per relationship', 'override incentive "stipend" to mentor per relationship may change'))
    assert g('override incentive "stipend" to mentor per relationship\n  amount USD 1\n').checked.incentives[0].amount.value == 1


# =========================================================================== the demo programme by place


@pytest.mark.parametrize(
    ("places", "name"),
    [
        (["attleboro", "southeast", "ma"], "Attleboro demo mentoring"),
        (["a_school", "attleboro", "southeast", "ma"], "Attleboro demo mentoring"),  # nearest up the chain
        (["norton", "southeast", "ma"], "Demo District Mentoring"),
        (["southeast", "ma"], "Demo District Mentoring"),
        ([], "Demo District Mentoring"),
    ],
)
def test_the_programme_policy_is_the_nearest_layer_up_the_place_chain(places, name):
    assert accord.load_policy(programme="demo", places=places).checked.name == name


def test_the_attleboro_layer_names_itself_and_its_baseline():
    c = accord.load_policy(programme="demo", places=["attleboro"]).checked
    assert [(f, n, k, p) for f, n, k, p in c.layers] == [
        ("rules/demo/district-mentoring.accord", "Demo District Mentoring", None, None),
        ("rules/demo/attleboro.accord", "Attleboro demo mentoring", "district", "attleboro"),
    ]
    assert (str(c.parameters["mentor_stipend"].value), str(c.parameters["mentor_min_years"].value)) == ("714", "4")


def moved(tmp_path: Path) -> str:
    """The demo facts with two copies of one candidate, 3.5 years, initial licence: one in each district."""
    doc = json.loads(Path(DEMO_FACTS).read_text(encoding="utf-8"))
    base = {"facts": {"years_experience": "3.5", "mentor_trained": True, "licence": "initial"}}
    doc["people"] += [{"id": "max_a", "place": "attleboro", **copy.deepcopy(base)}, {"id": "max_n", "place": "norton", **copy.deepcopy(base)}]
    doc["evidence"] += [
        {"id": f"ev_{p}", "kind": "summative_evaluation", "subject": p, "date": "2025-06-01", "rating": "proficient"} for p in ("max_a", "max_n")
    ]
    return write(tmp_path, "facts.json", doc)


def test_cli_the_same_person_decides_differently_in_attleboro_and_norton(tmp_path):
    path = moved(tmp_path)
    args = ("--role", "mentor", "--programme", "demo", "--as-of", "2026-01-15")
    code_n, norton = cli_json("check", path, "--person", "max_n", *args)
    code_a, attleboro = cli_json("check", path, "--person", "max_a", *args)
    assert (code_n, norton["outcome"], norton["policy"]["name"]) == (0, "eligible", "Demo District Mentoring")
    assert (code_a, attleboro["outcome"], attleboro["policy"]["name"]) == (1, "not_eligible", "Attleboro demo mentoring")
    assert norton["parameters"] == [{"name": "mentor_min_years", "value": "3 years", "layer": "Demo District Mentoring"}]
    assert attleboro["parameters"] == [{"name": "mentor_min_years", "value": "4 years", "layer": "Attleboro demo mentoring"}]
    failed = {r["label"]: r["layer"] for r in attleboro["requirements"] if r["status"] == "not_met"}
    assert failed == {"has enough years of experience": "Demo District Mentoring", "holds a professional licence": "Attleboro demo mentoring"}
    text = cli("check", path, "--person", "max_a", *args).stdout
    assert "values: mentor_min_years = 4 years (Attleboro demo mentoring)" in text
    assert "rules/demo/attleboro.accord:13:11" in text  # the layer's own requirement, located in its file


def test_cli_everyone_at_once_each_under_their_own_policy(tmp_path):
    path = moved(tmp_path)
    result = cli("check", path, "--person", "max_a", "--person", "max_n", "--role", "mentor", "--programme", "demo", "--as-of", "2026-01-15")
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert lines[0].split()[:3] == ["not", "eligible", "max_a"] and lines[1].split()[:2] == ["eligible", "max_n"]


def test_cli_explain_names_the_layer_of_each_rule():
    out = cli("check", DEMO_FACTS, "--person", "ana", "--role", "mentor", "--programme", "demo", "--as-of", "2026-01-15", "--explain").stdout
    assert 'handbook 3.1, rules/demo/district-mentoring.accord:19:11, layer "Demo District Mentoring"' in out
    assert 'Attleboro demo handbook 2.1, rules/demo/attleboro.accord:13:11, layer "Attleboro demo mentoring"' in out


def test_cli_lint_a_child_and_its_errors(folder):
    ok = write(folder, "child.accord", CHILD)
    result = cli("lint", ok, engines=False)
    assert (result.exit_code, result.stdout.strip()) == (0, f'{ok}: ok (policy "Child", roles: mentor, mentee)')
    bad = write(folder, "bad.accord", 'policy "Bad"\n  extends "parent"\nset window = 1 days\n')
    result = cli("lint", bad, "--format", "json", engines=False)
    (report,) = json.loads(result.stdout)
    assert result.exit_code == 2 and [e["code"] for e in report["errors"]] == ["P123"]
    text = cli("lint", bad, engines=False)
    assert f"{bad}:3:5: error[P123]" in text.stderr and str(folder / "parent.accord") in text.stderr


def test_cli_policy_file_with_a_bad_parent_is_bad_input(folder, tmp_path):
    bad = write(folder, "bad.accord", 'policy "Bad"\n  extends "parent"\noverride role mentor\n  require "x": true\n')
    result = cli("check", write(tmp_path, "facts.json", DOC), "--person", "ana", "--role", "mentor", "--policy", bad)
    assert result.exit_code == 2 and "error[P123]" in result.stderr


# =========================================================================== records: the parent's rules are a floor


def _access(policy: accord.CompiledPolicy, doc: dict, viewer: str, record: str, day: str = "2026-01-15") -> Access:
    from accord.access import access
    from accord.facts import facts_from_document

    return access(policy, facts_from_document(doc), viewer, record, dt.date.fromisoformat(day)).outcome


FLOOR_PARENT = """policy "State"
  programme demo

record observation
  visible to subject
  visible to mentor when shared by subject
  counts visible to coordinator

record mentoring_log may widen
  visible to subject
"""
FLOOR_DOC = {
    "places": [{"id": "d1", "kind": "district"}],
    "people": [{"id": "s", "place": "d1"}, {"id": "m"}, {"id": "c", "roles": [{"role": "coordinator", "place": "d1"}]}],
    "relationships": [{"kind": "mentoring", "mentor": "m", "mentee": "s"}],
    "evidence": [
        {"id": "o1", "kind": "observation", "subject": "s", "date": "2025-10-01"},
        {"id": "l1", "kind": "mentoring_log", "subject": "s", "date": "2025-10-01", "hours": 1},
    ],
    "consents": [],
}


def test_a_layer_may_narrow_a_fixed_record_but_the_parent_stays_a_floor(tmp_path):
    write(tmp_path, "state.accord", FLOOR_PARENT)
    # the district drops the coordinator's counts, and writes the mentor without the consent
    district = child(tmp_path, "override record observation\n  visible to subject, mentor\n", header='policy "District"\n  extends "state"\n')
    state = accord.load_policy(tmp_path / "state.accord")
    assert _access(state, FLOOR_DOC, "c", "o1") is Access.COUNTS_ONLY
    assert _access(district, FLOOR_DOC, "c", "o1") is Access.DENY  # narrowed
    assert _access(district, FLOOR_DOC, "m", "o1") is Access.DENY  # the state's consent still holds
    shared = {**FLOOR_DOC, "consents": [{"subject": "s", "viewer": "m", "components": ["observation"], "from": "2025-01-01"}]}
    assert _access(district, shared, "m", "o1") is Access.ALLOW
    assert _access(district, FLOOR_DOC, "s", "o1") is Access.ALLOW


def test_a_layer_may_widen_a_record_only_where_the_parent_says_may_widen(tmp_path):
    write(tmp_path, "state.accord", FLOOR_PARENT)
    header = 'policy "District"\n  extends "state"\n'
    (diag,) = errors(tmp_path, "override record observation\n  visible to subject, coordinator\n", header=header)
    assert diag.code == "P161" and "`coordinator` may not see the content of `observation`" in diag.message
    (diag,) = errors(tmp_path, "record licence\n  visible to coordinator\n", header=header)
    assert diag.code == "P160" and "`record licence may widen`" in diag.hint
    wide = child(tmp_path, "override record mentoring_log\n  visible to subject, coordinator\n", header=header)
    assert _access(wide, FLOOR_DOC, "c", "l1") is Access.ALLOW


def test_a_floor_holds_through_a_middle_layer_that_says_may_change(tmp_path):
    write(tmp_path, "state.accord", FLOOR_PARENT)
    write(tmp_path, "region.accord", 'policy "Region"\n  extends "state"\n\noverride record observation may change\n  visible to subject, mentor\n')
    district = child(tmp_path, "override record observation\n  visible to subject, mentor\n", header='policy "District"\n  extends "region"\n')
    assert _access(district, FLOOR_DOC, "m", "o1") is Access.DENY  # the state's `when shared by subject`


FLOOR_NAMES = ("subject", "author", "mentor", "coordinator")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(s.record_policies(("observation",), FLOOR_NAMES, every_kind=True), st.data(), s.record_documents(max_items=3, people=s.PEOPLE[:3], kinds=("observation",)))
def test_a_narrowing_layer_never_shows_more_than_its_parent(tmp_path_factory, parent, data, doc):
    """For any parent record and any override that names only viewers the parent names, no viewer
    sees more of any record under the child than under the parent."""
    text, clauses = parent
    names = sorted({n for _, named in clauses["observation"] for n in named})
    counts_only = {n for form, named in clauses["observation"] if form == "counts" for n in named}
    content = [n for n in names if n not in counts_only or any(n in named for form, named in clauses["observation"] if form != "counts")]
    folder = tmp_path_factory.mktemp("floor")
    write(folder, "parent.accord", text)
    lines = []
    for _ in range(data.draw(st.integers(0, 3))):
        form = data.draw(st.sampled_from(["visible", "shared", "counts"]))
        pool = content if form != "counts" else names
        if not pool:
            continue
        named = ", ".join(data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True)))
        lines.append({"visible": f"  visible to {named}", "shared": f"  visible to {named} when shared by subject", "counts": f"  counts visible to {named}"}[form])
    narrowed = child(folder, "override record observation\n" + "\n".join(lines) + "\n")
    wide = accord.load_policy(folder / "parent.accord")
    rank = {Access.DENY: 0, Access.UNDETERMINED: 1, Access.COUNTS_ONLY: 2, Access.ALLOW: 3}
    for item in doc["evidence"]:
        for viewer in s.PEOPLE[:3]:
            for day in ("2025-06-01", "2026-06-01"):
                assert rank[_access(narrowed, doc, viewer, item["id"], day)] <= rank[_access(wide, doc, viewer, item["id"], day)]
