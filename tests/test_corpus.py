"""The shared corpus (tests/corpus/*): every case through the library (both engines) and the CLI.

See tests/corpus/README.md for the format of expected.json. The library's decisions are turned
into the same JSON the CLI prints (`accord.explain.decision_json`), so one comparison serves
every path, and the CLI's JSON and exit code must match as well.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import accord
from accord.cli import main
from accord.explain import decision_json

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
ENGINES = ("compiled", "interpreted")
EXIT = {"eligible": 0, "allowed": 0, "not_eligible": 1, "not_allowed": 1, "undetermined": 3}
KEYS = {"person", "role", "pair", "as_of", "outcome", "missing", "requirements", "exceptions", "preferences",
        "decided_by", "reasons", "distances", "sources", "score", "error"}


def _questions() -> list[Any]:
    params = []
    for case in CASES:
        expected = json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))
        for i, q in enumerate(expected["questions"]):
            who = "+".join(q["pair"]) if "pair" in q else f"{q['person']}-{q['role']}"
            params.append(pytest.param(case, q, id=f"{case}:{i}:{who}@{q['as_of']}"))
    return params


QUESTIONS = _questions()


def test_the_corpus_is_big_enough_and_well_formed():
    assert len(CASES) >= 8
    for param in QUESTIONS:
        case, q = param.values
        assert set(q) <= KEYS, f"{case}: unknown keys {set(q) - KEYS}"
        assert "as_of" in q
        assert ("pair" in q) != ("person" in q and "role" in q), f"{case}: a question is about a person in a role, or a pair"
        if "error" not in q:
            assert {"outcome", "missing"} <= set(q), f"{case}: outcome and missing are required"
            assert q["outcome"] in EXIT
    # every case asks at least one question that is met, one not met, or undetermined somewhere
    outcomes = {q.values[1].get("outcome") for q in QUESTIONS}
    assert {"eligible", "not_eligible", "undetermined", "allowed", "not_allowed"} <= outcomes


def _rules(data: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {r["label"]: r for r in data.get(kind, [])}


def assert_matches(data: dict[str, Any], q: dict[str, Any], where: str) -> None:
    """Check one decision's JSON against one expected question."""
    assert data["schema"] == "accord.decision/1", where
    assert data["as_of"] == q["as_of"], where
    assert data["outcome"] == q["outcome"], f"{where}: outcome"
    assert data["missing"] == q["missing"], f"{where}: missing"
    if "pair" in q:
        assert (data["person"]["id"], data["other"]["id"]) == tuple(q["pair"]), where
    else:
        assert (data["person"]["id"], data["role"]) == (q["person"], q["role"]), where
    every_rule: dict[str, dict[str, Any]] = {}
    for kind in ("requirements", "exceptions", "preferences"):
        rules = _rules(data, kind)
        every_rule.update(rules)
        if kind in q:
            assert {label: r["status"] for label, r in rules.items()} == q[kind], f"{where}: {kind}"
    if "decided_by" in q:
        assert data["decided_by"] == q["decided_by"], f"{where}: decided_by"
    if "score" in q:
        assert data["score"] == q["score"], f"{where}: score"
    for key, field in (("reasons", "reason"), ("distances", "distance"), ("sources", "source")):
        for label, text in q.get(key, {}).items():
            assert label in every_rule, f"{where}: no rule labelled {label!r}"
            assert every_rule[label][field] == text, f"{where}: {field} of {label!r}"


def _case(case: str) -> tuple[accord.CompiledPolicy, accord.Facts]:
    return accord.load_policy(CORPUS / case / "policy.accord"), accord.load_facts(CORPUS / case / "facts.json")


@pytest.mark.parametrize(("case", "q"), QUESTIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_library(case, q, engine):
    compiled, loaded = _case(case)
    day = dt.date.fromisoformat(q["as_of"])
    if "pair" in q:
        ask = lambda: accord.decide_pair(compiled, loaded, *q["pair"], day, engine=engine)  # noqa: E731
    else:
        ask = lambda: accord.decide(compiled, loaded, q["person"], q["role"], day, engine=engine)  # noqa: E731
    if "error" in q:
        with pytest.raises(accord.UsageError):
            ask()
        return
    decision = ask()
    assert decision.outcome_word == q["outcome"]
    assert decision.exit_code == EXIT[q["outcome"]]
    assert_matches(decision_json(decision), q, f"{case} ({engine})")


@pytest.mark.parametrize(("case", "q"), QUESTIONS)
def test_engines_agree_with_explanations(case, q):
    """With --explain's traces too, the two engines give identical decisions."""
    if "error" in q:
        pytest.skip("no decision")
    compiled, loaded = _case(case)
    day = dt.date.fromisoformat(q["as_of"])
    if "pair" in q:
        a, b = (accord.decide_pair(compiled, loaded, *q["pair"], day, explain=True, engine=e) for e in ENGINES)
    else:
        a, b = (accord.decide(compiled, loaded, q["person"], q["role"], day, explain=True, engine=e) for e in ENGINES)
    assert a == b


@pytest.mark.parametrize(("case", "q"), QUESTIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_cli(case, q, engine):
    folder = CORPUS / case
    common = ["--policy", str(folder / "policy.accord"), "--as-of", q["as_of"], "--format", "json", "--engine", engine]
    if "pair" in q:
        args = ["pair", str(folder / "facts.json"), *q["pair"], *common]
    else:
        args = ["check", str(folder / "facts.json"), "--person", q["person"], "--role", q["role"], *common]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if "error" in q:
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "error[" in result.stderr and "Traceback" not in result.stderr
        return
    assert result.exit_code == EXIT[q["outcome"]], result.output
    assert_matches(json.loads(result.stdout), q, f"{case} (cli, {engine})")
