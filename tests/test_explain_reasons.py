"""Two small engine behaviours: an incentive's payer that cannot be worked out is named, and a
comparison that is false inside a composite condition is explained with the operator it missed.

Both engines must agree; expected values are worked out by hand from the policies below.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import accord
from accord.cli import main
from accord.evaluate import Outcome
from accord.explain import incentives_json, incentives_text
from accord.incentives import incentives
from tests.support import AS_OF, ENGINES, decide, facts, policy

STIPEND = """
incentive "mentor stipend" to mentor per relationship
  amount USD 500
  paid by mentee.district
"""

DOC = {
    "places": [{"id": "d1", "kind": "district", "name": "District One"}],
    "people": [{"id": "ana", "place": "d1"}, {"id": "dev", "place": "d1"}, {"id": "eli"}],
    "relationships": [
        {"kind": "mentoring", "mentor": "ana", "mentee": "dev", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "ana", "mentee": "eli", "from": "2025-09-01"},
    ],
}


def test_a_payer_that_cannot_be_worked_out_is_named_and_the_award_stands():
    compiled, loaded = policy(STIPEND), facts(DOC)
    a, b = (incentives(compiled, loaded, "ana", AS_OF, engine=e) for e in ENGINES)
    assert a == b
    dev, eli = a.awards
    assert (dev.partner, dev.outcome, dev.payer, dev.payer_missing, dev.missing) == ("dev", Outcome.YES, "District One", (), ())
    assert (eli.partner, eli.outcome, eli.payer, eli.payer_missing, eli.missing) == ("eli", Outcome.YES, None, ("mentee.district",), ("mentee.district",))
    assert "mentor stipend with mentee eli: USD 500, paid by: unknown (missing mentee.district)" in incentives_text(a)
    data = incentives_json(a)["awards"]
    assert [(x["paid_by"], x["paid_by_missing"]) for x in data] == [("District One", []), (None, ["mentee.district"])]


def test_cli_incentives_exit_code_is_not_changed_by_an_unknown_payer(tmp_path: Path):
    policy_file = tmp_path / "p.accord"
    policy_file.write_text('policy "Test policy"\n  programme demo\n' + STIPEND, encoding="utf-8")
    facts_file = tmp_path / "f.json"
    facts_file.write_text(json.dumps(DOC), encoding="utf-8")
    result = CliRunner().invoke(main, ["incentives", str(facts_file), "--person", "ana", "--policy", str(policy_file), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output


def test_a_false_comparison_inside_an_or_is_explained_with_its_own_operator():
    compiled = policy('role mentor\n  require "experienced or trained": person.years_experience >= 3 years or person.mentor_trained\n')
    loaded = facts({"people": [{"id": "a", "facts": {"years_experience": 2, "mentor_trained": False}}]})
    (r,) = decide(compiled, loaded, "a", "mentor").requirements
    assert r.status == "not met"
    assert r.actual_text == "person.years_experience is 2 years, not >= 3 years and person.mentor_trained is no"
