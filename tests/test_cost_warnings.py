"""Cost warnings: the checker says which constructs cost more than linear time in the facts.

P140: quantifiers (or an evidence filter) nested over evidence or related people, two or more
deep, directly or through a definition, with the power the cost grows by. P141: a definition
that, written out in place, is more than 10,000 conditions. Warnings load; `lint --strict` fails.
"""

from __future__ import annotations

import pytest

import accord
from tests.questions import cli, write

HEADER = 'policy "Costly"\n  programme demo\n'


def warnings(body: str) -> list[tuple[str, str, int]]:
    policy = accord.load_policy(text=HEADER + body)
    return [(w.code, w.message, w.span.line if w.span else 0) for w in policy.checked.warnings]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("every a in evidence observation: any b in evidence observation: a.date = b.date",
         "nested quantifiers over evidence: cost grows as n^2 in the number of evidence items"),
        ("every m in person.mentee: any e in evidence observation of m: e.hours >= 1 hours",
         "nested quantifiers over relationships and evidence: cost grows as n^2 in the number of related people and evidence items"),
        ("every m in person.mentee: count(evidence observation of m where hours >= 1 hours) >= 2",
         "nested quantifiers over relationships and evidence: cost grows as n^2 in the number of related people and evidence items"),
        ("every m in person.mentee: any x in m.mentor: x.mentor_trained",
         "nested quantifiers over relationships: cost grows as n^2 in the number of related people"),
    ],
)
def test_loops_two_deep_over_what_grows_are_p140(condition, message):
    assert warnings(f'role mentor\n  require "r":\n    {condition}\n') == [("P140", message, 5)]


def test_three_deep_says_n_cubed():
    found = warnings(
        'role mentor\n  require "r":\n    every a in evidence observation: every b in evidence observation:\n'
        "      count(evidence observation where date = a.date) >= 1\n"
    )
    assert [m for _, m, _ in found][-1] == "nested quantifiers over evidence: cost grows as n^3 in the number of evidence items"


def test_a_definition_that_loops_used_inside_a_loop_is_p140_at_the_use():
    found = warnings(
        "define observed(m) = any o in evidence observation of m: o.hours >= 1 hours\n"
        'role mentor\n  require "once": observed(person)\n  require "each": every m in person.mentee: observed(m)\n'
    )
    assert found == [("P140", "`observed` loops over evidence inside a loop over relationships: cost grows as n^2 in the number of related people and evidence items", 6)]


@pytest.mark.parametrize(
    "condition",
    [
        "any m in person.mentee: m.mentor_trained",  # one loop
        "count(evidence observation where hours >= 1 hours) >= 2 and (any m in person.mentee: m.mentor_trained)",  # side by side
        'every s in {"a", "b"}: any m in person.mentee: m.mentor_trained',  # a constant set does not grow
    ],
)
def test_linear_constructs_are_not_warned(condition):
    assert warnings(f'role mentor\n  require "r": {condition}\n') == []


def test_a_definition_that_multiplies_is_p141_once(tmp_path):
    lines = ["define d0 = person.mentor_trained", *(f"define d{i} = d{i - 1} and d{i - 1} and d{i - 1}" for i in range(1, 12))]
    path = write(tmp_path, "big.accord", HEADER + "\n".join(lines) + '\nrole mentor\n  require "r": d11\n')
    policy = accord.load_policy(path)
    (w,) = policy.checked.warnings
    assert w.code == "P141" and w.message.startswith("`d8` written out in place is ") and "conditions" in w.message
    assert cli("lint", path, engines=False).exit_code == 0
    strict = cli("lint", "--strict", path, engines=False)
    assert strict.exit_code == 2 and "warning[P141]" in strict.output + strict.stderr
