"""The facts loader's fast path (`accord.fastfacts`) gives exactly what the precise path gives.

On any document, valid, damaged or junk: either the fast path declines (and the loader reads the
document precisely, so errors keep their codes, messages and paths), or it builds `Facts` equal,
field by field and type by type, to the precise path's. Through a file as well, where the fast path
parses the JSON itself (no depth pre-check, integers checked where they are kept).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import accord.facts
import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.errors import FactsError
from accord.facts import facts_from_document, load_facts
from accord.fastfacts import fast_facts
from accord.model import Facts
from accord.registry import default_registry

from .strategies import documents_or_junk, facts_documents, mutated_documents

SCHEMA = default_registry().schema


def _typed(value: Any) -> Any:
    if isinstance(value, frozenset):
        return ("frozenset", sorted((_typed(v) for v in value), key=repr))
    return (type(value).__name__, value)


def comparable(facts: Facts) -> Any:
    """Everything a `Facts` holds, with the type of every value (Decimal 3 is not int 3)."""
    people = [
        (p.id, p.name, p.place, [(k, _typed(v)) for k, v in p.facts.items()], p.memberships, p.roles)
        for p in facts.people.values()
    ]
    evidence = [
        (*attrs.astuple(e, recurse=False)[:-1], [(k, _typed(v)) for k, v in e.fields.items()], _typed(e.hours), _typed(e.count))
        for e in facts.evidence
    ]
    index = {(e.subject, e.kind): [x.id for x in facts.evidence_of(e.subject, e.kind)] for e in facts.evidence}
    return (
        people, list(facts.people), list(facts.places.items()), facts.relationships, evidence, facts.consents, facts.source, index,
    )  # fmt: skip


def precise(raw: Any) -> Facts | list[tuple[str, str]]:
    try:
        return facts_from_document(raw, source="<doc>", fast=False)
    except FactsError as exc:
        return [(d.code, d.message) for d in exc.diagnostics]


def default(raw: Any) -> Facts | list[tuple[str, str]]:
    try:
        return facts_from_document(raw, source="<doc>")
    except FactsError as exc:
        return [(d.code, d.message) for d in exc.diagnostics]


def same(a: Facts | list[tuple[str, str]], b: Facts | list[tuple[str, str]]) -> bool:
    if isinstance(a, Facts) and isinstance(b, Facts):
        return bool(comparable(a) == comparable(b))
    return a == b


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_or_junk())
def test_the_fast_path_gives_the_precise_facts_or_declines(raw: Any) -> None:
    expected = precise(raw)
    fast = fast_facts(raw, SCHEMA, "<doc>", accord.facts)
    if isinstance(expected, list):
        assert fast is None, f"the fast path took a document the precise path refuses: {expected}"
    elif fast is not None:
        assert comparable(fast) == comparable(expected)
    # and the loader as everyone calls it: the same Facts, or the same errors (code, path, message)
    assert same(default(raw), expected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts_documents(min_people=1, max_people=6))
def test_the_fast_path_takes_valid_documents(raw: Any) -> None:
    """It is a fast path only if it takes valid documents: every one `facts_documents` makes."""
    fast = fast_facts(raw, SCHEMA, "<doc>", accord.facts)
    assert fast is not None
    assert comparable(fast) == comparable(facts_from_document(raw, source="<doc>", fast=False))


def _load(path: Path, fast: bool) -> Facts | list[tuple[str, str]]:
    try:
        return load_facts(path, fast=fast)
    except FactsError as exc:
        return [(d.code, d.message) for d in exc.diagnostics]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(facts_documents(), mutated_documents()))
def test_a_file_loads_the_same_either_way(tmp_path: Path, raw: Any) -> None:
    try:
        text = json.dumps(raw)
    except (TypeError, ValueError):  # a date or a time object: not JSON
        return
    path = tmp_path / "roster.json"
    path.write_text(text)
    assert same(_load(path, True), _load(path, False))


def _doc(fact: str) -> str:
    return '{"people": [{"id": "ana", "facts": {"years_experience": %s}}]}' % fact


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"people": [' + "[" * 70 + "]" * 70 + "]}", "F011"),  # deeper than the limit: refused before parsing
        (_doc("1" * 40), "F012"),  # an integer of more digits than are kept exactly
        (_doc("1" * 5000), "F012"),  # more digits than Python converts
        (_doc("1.00000000000000000000000000001"), "F012"),  # a float read exactly, too long
        (_doc('"three"'), "F004"),
        ('{"people": [{"id": "ana"}], "people2": []}', "F003"),
        ('{"people": [', "F002"),
    ],
)
def test_bad_files_keep_their_errors(tmp_path: Path, text: str, code: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    fast, slow = _load(path, True), _load(path, False)
    assert isinstance(slow, list) and slow[0][0] == code
    assert fast == slow


def test_a_large_valid_roster_is_read_by_the_fast_path(tmp_path: Path) -> None:
    """A roster of many people and evidence items, all valid: the fast path builds it (and equals the precise path's)."""
    people = [{"id": f"p{i}", "place": "d1", "facts": {"mentor_trained": i % 2 == 0, "years_experience": i % 20}} for i in range(300)]
    evidence = [
        {"id": f"e{i}", "kind": "summative_evaluation", "subject": f"p{i % 300}", "date": f"2024-0{9 - i // 100}-1{i % 10}", "rating": "proficient"}
        for i in range(900)
    ]
    raw = {"places": [{"id": "ma", "kind": "state"}, {"id": "d1", "kind": "district", "parent": "ma"}], "people": people, "evidence": evidence}
    fast = fast_facts(raw, SCHEMA, "<doc>", accord.facts)
    assert fast is not None
    assert comparable(fast) == comparable(facts_from_document(raw, source="<doc>", fast=False))
    assert [e.id for e in fast.evidence_of("p1", "summative_evaluation")] == ["e601", "e301", "e1"]  # oldest first
