"""`accord test` and `accord diff`: the shipped suites pass with full condition coverage where
claimed, a broken policy fails its suite, test-file errors are located, and a roster diff agrees
with deciding each version separately."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import accord
import pytest
from accord.cli import main
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import strategies as s
from .support import AS_OF

ROOT = Path(__file__).resolve().parents[1]
#: every shipped policy; each must reach 100 % condition coverage from the shipped suites
SHIPPED = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("rules/**/*.accord"))
#: policies whose suites do not reach 100 % yet, with what is left (expected to fail, strictly:
#: when a suite is completed the test says so, and the entry must go)
INCOMPLETE: dict[str, str] = {
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="accord")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_every_shipped_policy_has_a_suite_and_every_suite_passes():
    policies = sorted(ROOT.glob("rules/**/*.accord"))
    missing = [str(p) for p in policies if not p.with_name(p.stem + ".test.yaml").is_file()]
    assert not missing, f"shipped policies without a suite: {missing}"
    code, out = run("test", "rules/")
    assert code == 0, out
    assert f"passed in {len(policies)} files" in out


@pytest.fixture(scope="module")
def shipped_coverage():
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        code, out = run("test", "rules/", "--coverage", "--format", "json")
    assert code in (0, 1), out
    return json.loads(out)["coverage"]


@pytest.mark.parametrize(
    "policy", [pytest.param(p, marks=pytest.mark.xfail(reason=INCOMPLETE[p], strict=True)) if p in INCOMPLETE else p for p in SHIPPED]
)
def test_every_shipped_policy_has_full_condition_coverage(policy, shipped_coverage):
    conditions = [c for c in shipped_coverage["conditions"] if c["location"].startswith(policy + ":")]
    assert conditions, f"no suite reaches a rule of {policy}"
    missed = [f"{c['location']} {c['rule']!r} {c['condition']!r}: never {' or '.join(c['missed'])}" for c in conditions if c["missed"]]
    never_fired = [e for e in shipped_coverage["exceptions_never_fired"] if e["location"].startswith(policy + ":")]
    assert not missed and not never_fired, "\n".join(missed + [f"exception never fired: {e}" for e in never_fired])


def test_fail_under_fails_when_coverage_is_short():
    code, out = run("test", "rules/", "--coverage", "--fail-under", "100")
    total = float(out.rsplit("(", 1)[1].split("%")[0])
    assert (code == 0) == (total >= 100)


def _copy_demo(tmp_path: Path) -> Path:
    for name in ("district-mentoring.accord", "district-mentoring.test.yaml"):
        shutil.copy(ROOT / "rules/demo" / name, tmp_path / name)
    return tmp_path / "district-mentoring.accord"


def test_a_deliberately_broken_policy_fails_its_suite(tmp_path):
    policy = _copy_demo(tmp_path)
    text = policy.read_text()
    policy.write_text(text.replace("person.years_experience >= mentor_min_years", "person.years_experience > mentor_min_years"))
    code, out = run("test", str(tmp_path))
    assert code == 1
    assert "mentor: `years_experience` exactly at 3" in out
    assert 'rule `has enough years of experience`: expected met, got not met' in out
    assert f"{tmp_path.name}/district-mentoring.accord:" in out or "district-mentoring.accord:20:" in out
    code, _ = run("test", str(tmp_path.with_name(tmp_path.name)))  # the unbroken copy passes
    policy.write_text(text)
    assert run("test", str(tmp_path))[0] == 0


def test_junit_and_json_reports(tmp_path):
    _copy_demo(tmp_path)
    xml = tmp_path / "out.xml"
    code, out = run("test", str(tmp_path), "--format", "json", "--junit-xml", str(xml))
    report = json.loads(out)
    assert code == 0 and report["failed"] == 0 and report["passed"] == len(report["cases"]) > 0
    root = ET.parse(xml).getroot()
    assert int(root.get("tests")) == report["passed"] and root.get("failures") == "0"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("policy: x.accord\ntests:\n\t- name: a tab\n", "T002", 3),
        ("as_of: 2026-01-15\ntests:\n  - name: a\n    chek: {person: ana, role: mentor}\n    expect: {outcome: eligible}\n", "T004", 3),
        ("as_of: 2026-01-15\nfacts: {people: [{id: ana}]}\ntests:\n  - name: a\n    check: {person: ana}\n    expect: {outcome: eligible}\n", "T011", 4),
        ("as_of: 2026-01-15\nfacts: {people: [{id: ana}]}\ntests:\n  - name: a\n    check: {person: ana, role: mentor}\n", "T012", 4),
    ],
)
def test_a_bad_test_file_is_a_located_error(tmp_path, text, code, line):
    _copy_demo(tmp_path)
    suite = tmp_path / "district-mentoring.test.yaml"
    suite.write_text(text)
    exit_code, out = run("test", str(suite))
    assert exit_code == 2
    assert f"{suite}:{line}:1: error[{code}]" in out


def test_generated_boundary_cases_load_and_pass(tmp_path):
    policy = _copy_demo(tmp_path)
    code, out = run("test", "--generate", str(policy), "--as-of", "2026-01-15")
    assert code == 0
    assert out.count("# confirm") >= 2 * out.count("- name:") > 0
    for fact in ("mentor_trained", "years_experience", "licence"):
        assert f"`{fact}` missing" in out
    assert "`years_experience` exactly at 3" in out and "`years_experience` just below 3" in out
    (tmp_path / "district-mentoring.test.yaml").write_text(out)
    assert run("test", str(tmp_path))[0] == 0


def test_coverage_counts_each_outcome_a_condition_takes():
    from accord.policytest import MET, NOT_MET, UNKNOWN, Coverage, reachable

    policy = accord.load_policy(text='policy "p"\n  programme demo\nparameter on = true\nrole mentor\n  require "r": on and person.mentor_trained\n')
    rule = policy.checked.roles["mentor"].requirements[0]
    assert reachable(rule.condition) == {MET, NOT_MET, UNKNOWN}
    assert reachable(rule.condition.operands[0]) == {MET}  # a parameter has the one value its policy gives it
    cover = Coverage()
    cover.add_policy(policy)
    recording = cover.recording(policy)
    people = accord.facts.facts_from_document({"people": [{"id": "a", "facts": {"mentor_trained": True}}, {"id": "b"}]})
    for pid in ("a", "b"):
        accord.decide(recording, people, pid, "mentor", AS_OF, explain=True)
    assert cover.needed == 3 + 1 + 3 and cover.covered == 2 + 1 + 2  # never not met
    assert [c.missed for c in cover.conditions.values() if c.missed] == [[NOT_MET], [NOT_MET]]


_EVERY_BLOCK = """policy "p"
  programme demo
role mentor
  require "trained": person.mentor_trained
incentive "stipend" to mentor per person
  amount USD 100
  require "every mentee is new": every m in person.mentee: m.new_to_role
record mentoring_log
  visible to subject
  visible to mentor when viewer.place is subject.place
commitment "a mentor" for mentee
  when person.new_to_role
  "assigned": by 2026-01-01: count(person.mentor) >= 1
"""


def test_coverage_counts_incentives_records_commitments_and_quantifier_bodies():
    from accord.policytest import Coverage

    policy = accord.load_policy(text=_EVERY_BLOCK)
    cover = Coverage()
    cover.add_policy(policy)
    blocks = {c.block for c in cover.conditions.values()}
    assert blocks == {"role", "incentive", "record", "commitment"}
    body = next(c for c in cover.conditions.values() if c.text == "m.new_to_role")
    assert body.block == "incentive" and body.path == (1,)
    recording = cover.recording(policy)
    facts = accord.facts.facts_from_document(
        {
            "people": [{"id": "a"}, {"id": "b", "facts": {"new_to_role": True}}, {"id": "c", "facts": {"new_to_role": False}}, {"id": "d"}],
            "relationships": [{"kind": "mentoring", "mentor": "a", "mentee": m, "from": "2025-01-01"} for m in ("b", "c", "d")],
        }
    )
    cover.as_of = AS_OF
    from accord.incentives import incentives

    incentives(recording, facts, "a", AS_OF)
    assert body.seen == {"met", "not met", "unknown"}  # each mentee's answer, not only the quantifier's
    when = next(c for c in cover.conditions.values() if c.block == "commitment" and c.rule == "a mentor: when")
    assert not when.seen
    from accord.commitments import commitments

    commitments(recording, facts, "b", AS_OF)
    assert when.seen == {"met"}


# --------------------------------------------------------------------------- accord diff


def _separately(old, new, facts):
    changed = set()
    for pid in facts.people:
        for role in {*old.checked.roles, *new.checked.roles}:
            a = accord.decide(old, facts, pid, role, AS_OF).outcome_word if role in old.checked.roles else "not decided"
            b = accord.decide(new, facts, pid, role, AS_OF).outcome_word if role in new.checked.roles else "not decided"
            if a != b:
                changed.add((pid, role, a, b))
    return changed


def test_roster_diff_of_the_example_matches_deciding_each_version():
    old, new = "rules/demo/district-mentoring.accord", "docs/examples/district-2026.accord"
    code, out = run("diff", old, new, "--roster", "examples/demo/facts.json", "--as-of", "2026-01-15", "--format", "json")
    assert code == 1
    report = json.loads(out)
    got = {(p["person"], p["role"], p["old"], p["new"]) for p in report["people"]}
    expected = _separately(accord.load_policy(old), accord.load_policy(new), accord.load_facts("examples/demo/facts.json"))
    assert got == expected and got
    hows = {(c["what"], c["how"]) for c in report["changes"]}
    assert {("parameter", "changed"), ("parameter", "right changed"), ("rule", "added"), ("rule", "removed"), ("rule", "changed")} <= hows


def test_a_policy_does_not_differ_from_itself():
    code, out = run("diff", "rules/demo/district-mentoring.accord", "rules/demo/district-mentoring.accord", "--roster", "examples/demo/facts.json", "--as-of", "2026-01-15")
    assert code == 0 and "the two policies say the same thing" in out and "no one's answer changes" in out


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(s.policies(), s.policies(), s.facts_documents())
def test_roster_diff_matches_deciding_each_version_for_random_policies(old_text, new_text, doc):
    from accord.diff import roster_diff

    old, new = accord.load_policy(text=old_text), accord.load_policy(text=new_text)
    facts = accord.facts.facts_from_document(doc)
    try:
        expected = _separately(old, new, facts)
    except accord.UsageError:  # a version not in force on the day: nothing to compare
        return
    got = {(p.person, p.role, p.old, p.new) for p in roster_diff(old, new, facts, AS_OF)}
    assert got == expected
