"""Set parameters: `parameter NAME: set of TYPE = {...}`, a set of bare scale or choice values,
which a layer may `set` like any other value (`may change`); checked, decided by both engines.
"""

from __future__ import annotations

import pytest

import accord
from accord.errors import PolicyError
from tests.questions import inline, write
from tests.support import decide, facts

SETS = 'parameter ok: set of licence_type = {initial, professional} may change\nrole mentor\n  require "licence": person.licence in ok\n'
LICENCES = facts({"people": [{"id": p, "facts": {"licence": p}} for p in ("provisional", "initial", "professional")]})


@pytest.mark.parametrize(("person", "status"), [("provisional", "not met"), ("initial", "met"), ("professional", "met")])
def test_a_set_parameter_of_choice_values(person, status):
    decision = decide(inline(SETS), LICENCES, person, "mentor")
    assert decision.requirements[0].status == status
    assert decision.parameters == (("ok", "{initial, professional}", "Test policy"),)


def test_a_layer_sets_a_set_parameter(tmp_path):
    write(tmp_path, "base.accord", 'policy "B" programme demo\n' + SETS)
    child = write(tmp_path, "child.accord", 'policy "C" extends "base"\nset ok = {provisional}\n')
    policy = accord.load_policy(child)
    assert decide(policy, LICENCES, "provisional", "mentor").requirements[0].status == "met"
    assert decide(policy, LICENCES, "initial", "mentor").requirements[0].status == "not met"


@pytest.mark.parametrize(
    ("declaration", "code"),
    [
        ("parameter s: set of licence_type = {initial, proficient} may change", "P101"),  # not a licence_type
        ("parameter s: set of licence_type = {initial} may raise", "P119"),  # sets are not ordered
        ("parameter s: set of licence_typo = {initial} may change", "P107"),
        ("parameter s: set of performance = {initial} may change", "P101"),
    ],
)
def test_set_parameter_problems(declaration, code):
    with pytest.raises(PolicyError) as err:
        inline(declaration + "\n")
    assert code in [d.code for d in err.value.diagnostics]


def test_a_set_parameter_may_be_none():
    policy = inline('parameter s: set of text = none may change\nrole mentor\n  require "r": person.subject_area in s\n')
    decision = decide(policy, facts({"people": [{"id": "a", "facts": {"subject_area": "art"}}]}), "a", "mentor")
    assert decision.missing == ("parameter s",)
