"""Helpers for the example-based tests: ask every question with both engines, and insist they agree.

The compiled functions are what `accord check` runs; the interpreter is the reference semantics
and the engine of `--explain`. Every helper here runs both and fails the test if their decisions
differ in any field, so each example test is also a differential test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import accord
from accord.facts import facts_from_document

ENGINES = ("compiled", "interpreted")
AS_OF = dt.date(2026, 1, 15)
HEADER = 'policy "Test policy"\n  programme demo\n'


def policy(body: str, *, header: str = HEADER, registry: accord.Registry | None = None) -> accord.CompiledPolicy:
    """A policy of the demo programme (unless `header` says otherwise) with `body` after the header."""
    return accord.load_policy(text=header + body, registry=registry)


def facts(doc: dict[str, Any], registry: accord.Registry | None = None) -> accord.Facts:
    return facts_from_document(doc, registry)


def people(*specs: tuple[str, dict[str, Any]], **extra: Any) -> accord.Facts:
    """Facts with one person per (id, facts) pair, plus any other top-level tables in `extra`."""
    registry = extra.pop("registry", None)
    return facts({"people": [{"id": pid, "facts": f} for pid, f in specs], **extra}, registry)


def decide(
    compiled: accord.CompiledPolicy,
    loaded: accord.Facts,
    person: str,
    role: str,
    as_of: dt.date = AS_OF,
    *,
    explain: bool = False,
) -> accord.Decision:
    """The decision of the compiled engine, after checking that the interpreter's is identical."""
    compiled_d, interpreted_d = (
        accord.decide(compiled, loaded, person, role, as_of, explain=explain, engine=e) for e in ENGINES
    )
    assert compiled_d == interpreted_d, f"engines disagree:\n compiled:    {compiled_d}\n interpreted: {interpreted_d}"
    return compiled_d


def decide_pair(
    compiled: accord.CompiledPolicy,
    loaded: accord.Facts,
    first: str,
    second: str,
    as_of: dt.date = AS_OF,
    *,
    explain: bool = False,
) -> accord.Decision:
    """The pair decision of the compiled engine, after checking that the interpreter's is identical."""
    compiled_d, interpreted_d = (
        accord.decide_pair(compiled, loaded, first, second, as_of, explain=explain, engine=e) for e in ENGINES
    )
    assert compiled_d == interpreted_d, f"engines disagree:\n compiled:    {compiled_d}\n interpreted: {interpreted_d}"
    return compiled_d


def only(decision: accord.Decision) -> Any:
    """The single requirement result of a one-rule decision."""
    assert len(decision.requirements) == 1, decision.requirements
    return decision.requirements[0]


def status_of(condition: str, loaded: accord.Facts, person: str, *, role: str = "mentor", before: str = "", as_of: dt.date = AS_OF) -> str:
    """The status (met / not met / unknown / error) of one condition for one person, both engines."""
    compiled = policy(f'{before}\nrole {role}\n  require "the condition": {condition}\n')
    return str(only(decide(compiled, loaded, person, role, as_of)).status)
