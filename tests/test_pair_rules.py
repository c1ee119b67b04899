"""A policy with several pair rules: `decide_pair(..., ends=...)` and `accord pair --ends` choose one.

Without `ends`, the policy's first pair rule decides (as before). Each question is asked with both
engines, which must agree; redaction for a viewer follows the pair rule that was decided. Expected
values are worked out by hand from the policy and facts below.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import accord
from accord.access import redact
from accord.cli import main
from accord.evaluate import Outcome, pair_rule
from tests.support import AS_OF, ENGINES, facts, policy

POLICY = """
pair mentor, mentee
  require "is not the same person": mentor is not mentee
  prefer "same subject" weight 3: mentor.subject_area = mentee.subject_area

pair evaluator, evaluatee
  require "is not the same person": evaluator is not evaluatee
  require "rated the evaluatee proficient or better":
    latest(evidence summative_evaluation of evaluatee).rating >= proficient

record summative_evaluation
  visible to subject, evaluator
"""

DOC = {
    "people": [
        {"id": "ana", "name": "Ana", "facts": {"subject_area": "mathematics"}},
        {"id": "dev", "name": "Dev", "facts": {"subject_area": "mathematics"}},
        {"id": "zoe", "name": "Zoe", "facts": {}},
    ],
    "relationships": [{"kind": "evaluation", "evaluator": "ana", "evaluatee": "dev", "from": "2025-09-01"}],
    "evidence": [{"id": "e1", "kind": "summative_evaluation", "subject": "dev", "date": "2025-06-01", "rating": "exemplary"}],
}


def both(compiled: accord.CompiledPolicy, first: str, second: str, **kw: object) -> accord.Decision:
    a, b = (accord.decide_pair(compiled, facts(DOC), first, second, AS_OF, engine=e, **kw) for e in ENGINES)  # type: ignore[arg-type]
    assert a == b
    return a


def test_without_ends_the_first_pair_rule_decides():
    d = both(policy(POLICY), "ana", "dev")
    assert (d.role, d.other_role, d.score) == ("mentor", "mentee", Decimal(3))
    assert [r.label for r in d.requirements] == ["is not the same person"]


@pytest.mark.parametrize("ends", [("evaluator", "evaluatee"), ["evaluator", "evaluatee"], "evaluator,evaluatee", "evaluator, evaluatee"])
def test_ends_choose_the_pair_rule(ends):
    d = both(policy(POLICY), "ana", "dev", ends=ends)
    assert (d.role, d.other_role, d.outcome) == ("evaluator", "evaluatee", Outcome.YES)
    assert [r.label for r in d.requirements] == ["is not the same person", "rated the evaluatee proficient or better"]
    assert d.preferences == () and d.score == 0


def test_the_first_pair_rule_by_its_own_ends_is_the_default():
    compiled = policy(POLICY)
    assert both(compiled, "ana", "dev", ends=("mentor", "mentee")) == both(compiled, "ana", "dev")
    assert pair_rule(compiled) == (0, compiled.checked.pairs[0])
    assert pair_rule(compiled, "evaluator, evaluatee") == (1, compiled.checked.pairs[1])


def test_ends_the_policy_does_not_have_are_a_usage_error_naming_the_rules():
    compiled = policy(POLICY)
    with pytest.raises(accord.UsageError, match=r"has no pair rule `lead_mentor, mentor` \(its pair rules: mentor, mentee; evaluator, evaluatee\)$"):
        accord.decide_pair(compiled, facts(DOC), "ana", "dev", AS_OF, ends="lead_mentor,mentor")
    with pytest.raises(accord.UsageError, match="its ends are the other way round: `evaluator, evaluatee`"):
        accord.decide_pair(compiled, facts(DOC), "ana", "dev", AS_OF, ends=("evaluatee", "evaluator"))
    with pytest.raises(accord.UsageError, match="has no pair rule"):
        accord.decide_pair(policy('role mentor\n  require "x": person.mentor_trained\n'), facts(DOC), "ana", "dev", AS_OF, ends="mentor,mentee")


def test_redaction_follows_the_pair_rule_that_was_decided():
    compiled, loaded = policy(POLICY), facts(DOC)
    d = both(compiled, "ana", "dev", ends="evaluator,evaluatee")
    hidden = redact(d, compiled, loaded, "zoe")  # zoe may not see dev's evaluation
    rating = hidden.requirements[1]
    assert rating.status == "hidden" and rating.actual_text is None
    assert rating.because == "rests on a record this viewer may not see"
    assert hidden.requirements[0] == d.requirements[0]
    shown = redact(d, compiled, loaded, "dev")  # the record's subject
    assert shown.requirements[1].actual_text == d.requirements[1].actual_text == "exemplary"


def test_cli_pair_ends(tmp_path: Path):
    policy_file = tmp_path / "p.accord"
    policy_file.write_text('policy "Test policy"\n  programme demo\n' + POLICY, encoding="utf-8")
    facts_file = tmp_path / "f.json"
    facts_file.write_text(json.dumps(DOC), encoding="utf-8")
    base = ["pair", str(facts_file), "ana", "dev", "--policy", str(policy_file), "--as-of", AS_OF.isoformat()]
    for engine in ENGINES:
        result = CliRunner().invoke(main, [*base, "--ends", "evaluator,evaluatee", "--format", "json", "--engine", engine])
        data = json.loads(result.output)
        assert result.exit_code == 0
        assert (data["role"], data["other"]["role"], data["preferences"], data["score"]) == ("evaluator", "evaluatee", [], "0")
    text = CliRunner().invoke(main, [*base, "--ends", "evaluator,evaluatee"]).output
    assert text.startswith("ALLOWED: Ana (ana) as evaluator, with Dev (dev)")
    assert "preferences" not in text  # a pair rule without preferences shows no score
    assert "preferences (score 3):" in CliRunner().invoke(main, base).output
    viewer = CliRunner().invoke(main, [*base, "--ends", "evaluator,evaluatee", "--viewer", "zoe"]).output
    assert "[hidden]" in viewer and "rests on a record this viewer may not see" in viewer
    bad = CliRunner().invoke(main, [*base, "--ends", "evaluatee,evaluator"])
    assert bad.exit_code == 2 and "its ends are the other way round" in bad.output
