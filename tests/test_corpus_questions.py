"""The corpus of incentives, access and commitments questions (tests/corpus_questions/*).

Every question through the library with both engines and through the CLI with both engines; see
tests/corpus_questions/README.md for the format. The library's reports are turned into the JSON the
CLI prints (`accord.explain`), so one pattern checks every path.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import accord
from accord.access import access
from accord.cli import main
from accord.commitments import commitments
from accord.evaluate import Outcome
from accord.explain import access_json, commitments_json, incentives_json
from accord.incentives import incentives

CORPUS = Path(__file__).resolve().parent / "corpus_questions"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
ENGINES = ("compiled", "interpreted")
KINDS = ("incentives", "access", "commitments")
CONTROL = {"question", "who", "as_of", "exit", "role", "error"}
EXITS = {"incentives": {0, 1, 3}, "access": {0, 1, 3, 4}, "commitments": {0, 1, 3}}


def _questions() -> list[Any]:
    params = []
    for case in CASES:
        expected = json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))
        for i, q in enumerate(expected["questions"]):
            kind = q["question"]
            who = "+".join(q["who"]) if kind == "access" else q["who"]
            params.append(pytest.param(case, q, id=f"{case}:{i}:{kind}:{who}@{q['as_of']}"))
    return params


QUESTIONS = _questions()


def kind_of(q: dict[str, Any]) -> str:
    return str(q["question"])


def test_the_corpus_is_well_formed_and_covers_every_exit_code():
    assert {kind_of(p.values[1]) for p in QUESTIONS} == set(KINDS)
    seen: dict[str, set[int]] = {k: set() for k in KINDS}
    for param in QUESTIONS:
        case, q = param.values
        assert q["question"] in KINDS and "who" in q, case
        assert "as_of" in q and ("exit" in q) != ("error" in q), case
        if "role" in q:
            assert kind_of(q) == "commitments", case
        if "exit" in q:
            assert q["exit"] in EXITS[kind_of(q)], case
            seen[kind_of(q)].add(q["exit"])
    assert seen == EXITS, "every exit code of every question is asked somewhere"


def matches(expected: Any, actual: Any, where: str) -> None:
    """`actual` fits the pattern `expected`: objects by the keys given, lists whole, the rest equal."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: no key {key!r} in {sorted(actual)}"
            matches(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: expected {len(expected)} items, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            matches(e, a, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: expected {expected!r}, got {actual!r}"


def _pattern(q: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in q.items() if k not in CONTROL}


def _library_exit(kind: str, report: Any) -> int:
    if kind == "access":
        return int(report.outcome.exit_code)
    if kind == "commitments":
        return int(report.exit_code)
    outcomes = {a.outcome for a in report.awards}
    return 3 if Outcome.UNKNOWN in outcomes else 0 if Outcome.YES in outcomes else 1


@pytest.mark.parametrize(("case", "q"), QUESTIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_library(case, q, engine):
    folder = CORPUS / case
    policy, loaded = accord.load_policy(folder / "policy.accord"), accord.load_facts(folder / "facts.json")
    day, kind = dt.date.fromisoformat(q["as_of"]), kind_of(q)

    def ask() -> Any:
        if kind == "incentives":
            return incentives(policy, loaded, q["who"], day, engine=engine)
        if kind == "access":
            return access(policy, loaded, *q["who"], day, engine=engine)
        return commitments(policy, loaded, q["who"], day, role=q.get("role"), engine=engine)

    if "error" in q:
        with pytest.raises(accord.UsageError):
            ask()
        return
    report = ask()
    data = {"incentives": incentives_json, "access": access_json, "commitments": commitments_json}[kind](report)
    assert data["as_of"] == q["as_of"]
    matches(_pattern(q), data, f"{case} ({engine})")
    assert _library_exit(kind, report) == q["exit"]


@pytest.mark.parametrize(("case", "q"), QUESTIONS)
def test_engines_agree(case, q):
    if "error" in q:
        pytest.skip("no answer")
    folder = CORPUS / case
    policy, loaded = accord.load_policy(folder / "policy.accord"), accord.load_facts(folder / "facts.json")
    day, kind = dt.date.fromisoformat(q["as_of"]), kind_of(q)
    if kind == "incentives":
        a, b = (incentives(policy, loaded, q["who"], day, engine=e) for e in ENGINES)
    elif kind == "access":
        a, b = (access(policy, loaded, *q["who"], day, engine=e) for e in ENGINES)
    else:
        a, b = (commitments(policy, loaded, q["who"], day, role=q.get("role"), engine=e) for e in ENGINES)
    assert a == b


@pytest.mark.parametrize(("case", "q"), QUESTIONS)
@pytest.mark.parametrize("engine", ENGINES)
def test_cli(case, q, engine):
    folder = CORPUS / case
    kind = kind_of(q)
    who = ["--viewer", q["who"][0], "--record", q["who"][1]] if kind == "access" else ["--person", q["who"]]
    role = ["--role", q["role"]] if "role" in q else []
    args = [kind, str(folder / "facts.json"), *who, *role, "--policy", str(folder / "policy.accord"),
            "--as-of", q["as_of"], "--format", "json", "--engine", engine]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if "error" in q:
        assert (result.exit_code, result.stdout) == (2, "")
        assert "error[" in result.stderr and "Traceback" not in result.stderr
        return
    assert result.exit_code == q["exit"], result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == q["as_of"]
    matches(_pattern(q), data, f"{case} (cli, {engine})")
