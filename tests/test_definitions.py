"""Definitions are checked and compiled once, and called: cost grows with the text, not 2^n.

A chain of definitions that each use the one before twice used to be expanded where used, so
40 of them were 2^40 conditions: these tests could not finish. Now each definition is one
checked body per signature (`ir.CallDefine`) and one generated function. What a decision says
must not change: the same outcome, statuses and missing facts as the definitions written out,
through both engines.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord.evaluate import Outcome
from accord.facts import facts_from_document
from tests import strategies as s
from tests.questions import cli

AS_OF = dt.date(2026, 1, 15)


def chain(n: int, uses: int = 2) -> str:
    lines = ['policy "Chain"', "  programme demo", "define d0 = person.mentor_trained"]
    lines += [f"define d{i} = " + " and ".join([f"d{i - 1}"] * uses) for i in range(1, n + 1)]
    return "\n".join([*lines, "role mentor", f'  require "chained": d{n}']) + "\n"


def one(facts: dict[str, Any]) -> accord.Facts:
    return facts_from_document({"people": [{"id": "p", "facts": facts}]})


def test_forty_chained_definitions_load_and_decide(tmp_path):
    path = tmp_path / "chain.accord"
    path.write_text(chain(40), encoding="utf-8")
    result = cli("lint", str(path), engines=False)
    assert result.exit_code == 0, result.output
    policy = accord.load_policy(path)
    # one function per definition that another uses (d40, the rule's condition, is written in the rule)
    assert len(re.findall(r"^def d[0-9]+_d[0-9]+\(", policy.source, re.M)) == 40
    for engine in ("compiled", "interpreted"):  # false at the bottom: each `and` stops at its first part
        d = accord.decide(policy, one({"mentor_trained": False}), "p", "mentor", AS_OF, engine=engine)
        assert d.outcome is Outcome.NO
        assert d.requirements[0].condition == "d40"


def test_a_definition_with_a_parameter_is_one_function_however_often_it_is_used():
    uses = " and ".join(["experienced(person)"] * 30)
    policy = accord.load_policy(
        text=f'policy "P"\n  programme demo\ndefine experienced(p) = p.years_experience >= 3 years and p.mentor_trained\n'
        f'role mentor\n  require "x": {uses}\n  require "y": experienced(person)\n'
    )
    assert policy.source.count("# define experienced") == 1
    d = accord.decide(policy, one({"years_experience": 5}), "p", "mentor", AS_OF, explain=True)
    # written in place, the parameter reads as its argument: the missing fact is the person's
    assert d.missing == ("person.mentor_trained",)
    assert d.requirements[1].condition == "experienced(person)"


#: definitions the generated chains may also use, with what each means in the model
PRELUDE = "define trained(p) = p.mentor_trained\ndefine seasoned(p, years) = p.years_experience >= years\n"
MORE_LEAVES = {"trained(person)": "person.mentor_trained", "seasoned(person, 3 years)": "(person.years_experience >= 3 years)"}


@st.composite
def definition_chains(draw: Any) -> tuple[list[str], Any]:
    """Definitions d0..dk, each a Kleene tree over facts, a parameter and the definitions before it."""
    texts, trees = [], []
    for i in range(draw(st.integers(1, 5))):
        leaves = sorted(s.KLEENE_LEAVES) + sorted(MORE_LEAVES) + [f"d{j}" for j in range(i)]
        leaf = st.sampled_from(leaves).map(lambda t: ("leaf", t))
        tree = draw(st.recursive(leaf, s._kleene_nodes, max_leaves=5))
        texts.append(f"define d{i} = {s.tree_text(tree)}")
        trees.append(tree)
    return texts, trees


def _model(trees: list[Any], leaves: dict[str, Any]) -> Any:
    values = dict(leaves)
    values.update({k: values[v] for k, v in MORE_LEAVES.items()})
    for i, tree in enumerate(trees):
        values[f"d{i}"] = s.tree_value(tree, values)
    return values[f"d{len(trees) - 1}"]


@settings(max_examples=150, deadline=None)
@given(definition_chains(), st.fixed_dictionaries({}, optional={
    "mentor_trained": st.booleans(), "new_to_role": st.booleans(), "years_experience": st.integers(0, 6),
}))
def test_definitions_decide_as_the_model_through_both_engines(chained, facts):
    texts, trees = chained
    last = f"d{len(trees) - 1}"
    policy = accord.load_policy(
        text='policy "Defs"\n  programme demo\n' + s.KLEENE_PRELUDE + PRELUDE + "\n".join(texts)
        + f'\nrole mentor\n  require "last": {last}\n  require "twice": {last} and ({last} or d0)\n'
    )
    leaves: dict[str, Any] = {"true": True, "false": False, "k0": frozenset({"parameter k0"})}
    for name, fact in (("person.mentor_trained", "mentor_trained"), ("person.new_to_role", "new_to_role")):
        leaves[name] = facts[fact] if fact in facts else frozenset({name})
    years = facts.get("years_experience")
    leaves["(person.years_experience >= 3 years)"] = years >= 3 if years is not None else frozenset({"person.years_experience"})
    expected = _model(trees, leaves)
    decisions = [accord.decide(policy, one(facts), "p", "mentor", AS_OF, engine=e, explain=x) for e in ("compiled", "interpreted") for x in (False, True)]
    assert decisions[0] == decisions[2] and decisions[1] == decisions[3]
    rule = decisions[0].requirements[0]
    assert rule.status == ("unknown" if isinstance(expected, frozenset) else "met" if expected else "not met")
    assert set(rule.missing) == (expected if isinstance(expected, frozenset) else set())
