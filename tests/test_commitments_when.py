"""Commitments owed only by some: `commitment "..." for ROLE when CONDITION`, on the demo programme.

- `commitment "..." for ROLE when CONDITION`: a commitment owed only by the people for whom the
  condition holds (the 300-hour practicum for one route, 150 hours for another; 50 hours beyond the
  induction year for teachers without a Professional licence). False leaves it out of the report;
  unknown reports it as unknown, naming what would settle it, with its parts still shown.
"""

from __future__ import annotations

import datetime as dt

import pytest

import accord
from accord.errors import PolicyError
from accord.explain import commitments_json, commitments_text
from tests.questions import cli_json, commitments, inline, write
from tests.support import facts

D = dt.date.fromisoformat
AS_OF = D("2026-01-15")

DOC = {
    "people": [
        {"id": "new", "facts": {"new_to_role": True}},
        {"id": "old", "facts": {"new_to_role": False}},
        {"id": "who", "facts": {}},
    ],
    "evidence": [
        {"id": "e1", "kind": "mentoring_log", "subject": "new", "date": "2025-10-01", "hours": 3, "topic": "x"},
        {"id": "e2", "kind": "mentoring_log", "subject": "who", "date": "2025-10-01", "hours": 1, "topic": "x"},
    ],
}
F = facts(DOC)
WHEN = 'commitment "new staff meet" for mentee source "s" when person.new_to_role\n  "two hours": at least 2 hours of hours(evidence mentoring_log)\n'


def test_a_commitment_applies_when_its_condition_holds():
    report = commitments(inline(WHEN), F, "new", AS_OF)
    (com,) = report.commitments
    assert (com.status, com.applies, com.missing) == ("met", True, ())
    assert report.exit_code == 0


def test_a_commitment_whose_condition_fails_is_left_out():
    report = commitments(inline(WHEN), F, "old", AS_OF)
    assert report.commitments == ()
    assert report.exit_code == 0


def test_a_commitment_whose_condition_is_unknown_is_unknown_and_names_what_is_missing():
    report = commitments(inline(WHEN), F, "who", AS_OF)
    (com,) = report.commitments
    assert (com.status, com.applies, com.missing) == ("unknown", None, ("person.new_to_role",))
    (part,) = com.parts
    assert part.status == "in progress"  # the part is still reported
    assert report.exit_code == 3
    assert "whether it applies is unknown: missing person.new_to_role" in commitments_text(report)
    data = commitments_json(report)["commitments"][0]
    assert (data["applies"], data["missing"]) == (None, ["person.new_to_role"])


def test_a_commitment_without_when_applies_to_everyone():
    policy = inline('commitment "c" for mentee\n  "two hours": at least 2 hours of hours(evidence mentoring_log)\n')
    (com,) = commitments(policy, F, "old", AS_OF).commitments
    assert (com.applies, com.missing, com.status) == (True, (), "in progress")


def test_when_must_be_a_condition():
    with pytest.raises(PolicyError) as err:
        inline('commitment "c" for mentee when person.first_teaching_day\n  "x": at least 1 of count(evidence mentoring_log)\n')
    assert [d.code for d in err.value.diagnostics] == ["P117"]


def test_when_comes_with_deadlines_and_the_parts_keep_their_places():
    policy = inline(
        'commitment "c" for mentee when person.new_to_role\n'
        '  "assigned": by 2025-12-31: count(evidence mentoring_log) >= 1\n'
        '  "hours": at least 2 hours of hours(evidence mentoring_log)\n'
    )
    (com,) = commitments(policy, F, "new", AS_OF).commitments
    assert [(p.label, p.status) for p in com.parts] == [("assigned", "met"), ("hours", "met")]


def test_an_overriding_layer_may_add_or_drop_when(tmp_path):
    base = write(tmp_path, "base.accord", 'policy "B" programme demo\n' + WHEN.replace('for mentee', 'for mentee may change'))
    child = write(
        tmp_path, "child.accord",
        'policy "C" extends "base"\noverride commitment "new staff meet" for mentee\n  "two hours": at least 2 hours of hours(evidence mentoring_log)\n',
    )
    assert commitments(accord.load_policy(base), F, "old", AS_OF).commitments == ()
    (com,) = commitments(accord.load_policy(child), F, "old", AS_OF).commitments
    assert com.applies is True


def test_the_cli_reports_applies_and_missing(tmp_path):
    policy = write(tmp_path, "p.accord", 'policy "P" programme demo\n' + WHEN)
    facts_file = write(tmp_path, "f.json", DOC)
    code, data = cli_json("commitments", facts_file, "--person", "who", "--policy", policy, "--as-of", "2026-01-15")
    assert code == 3
    assert (data["commitments"][0]["applies"], data["commitments"][0]["missing"]) == (None, ["person.new_to_role"])
    code, data = cli_json("commitments", facts_file, "--person", "old", "--policy", policy, "--as-of", "2026-01-15")
    assert (code, data["commitments"]) == (0, [])
