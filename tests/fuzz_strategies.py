"""Hypothesis strategies that break the shipped policies and facts files, and the harness that
runs each broken input through every question, for `tests/test_fuzz.py`.

The inputs start from what Accord ships (`rules/**/*.accord`, `docs/examples/*.accord`,
`examples/**/*.accord`, `examples/**/facts.json`), so most mutations land near valid input and
reach the checker, the compiler and the evaluators, not just the parser's first token. The
mutations: byte (character) flips, token edits (swap, delete, duplicate; a number made huge, a
name made odd unicode), truncation, deep nesting, and for facts, values of the wrong type.

The only outcomes allowed are an answer or an `AccordError`; `run_policy` and `run_facts`
let anything else through, for the test to fail on. `COUNTS` counts the inputs run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import accord
from accord.access import access
from accord.commitments import commitments
from accord.errors import AccordError
from accord.facts import facts_from_document
from accord.incentives import incentives

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 1, 15)

POLICY_FILES = sorted(
    {*ROOT.glob("rules/**/*.accord"), *ROOT.glob("docs/examples/*.accord"), *ROOT.glob("examples/**/*.accord")}
)
FACTS_FILES = sorted(ROOT.glob("examples/**/facts.json"))
#: each shipped policy's path (relative, as `extends` resolves it) and text
POLICIES = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in POLICY_FILES]
FACTS = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in FACTS_FILES]

#: inputs run, by kind ("policy", "facts", "cli"), and how many of them Accord refused (an AccordError)
COUNTS: Counter[str] = Counter()
#: a file to write COUNTS to every 500 inputs, so a long run stopped early still says how far it got
PROGRESS = os.environ.get("ACCORD_FUZZ_PROGRESS")


def count(kind: str) -> None:
    """Count one input of `kind`; every 500, write the counts to $ACCORD_FUZZ_PROGRESS if it is set."""
    COUNTS[kind] += 1
    if PROGRESS and sum(COUNTS[k] for k in ("policy", "facts", "cli")) % 500 == 0:
        Path(PROGRESS).write_text(json.dumps(COUNTS) + "\n", encoding="utf-8")

# --------------------------------------------------------------------------- pieces

_TOKEN = re.compile(r'\s+|"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?|[A-Za-z_]\w*|.', re.S)

ODD_TEXT = st.sampled_from(
    [
        "\u0000", "\u200b", "\u202e", "\ufeff", "é", "e\u0301", "ｍｅｎｔｏｒ", "ı", "ß", "🙂", "\U0010ffff", "\ud800",
        "𝔪𝔢𝔫𝔱𝔬𝔯", "\n", "\r", "\t", "\\", '"', "#", ":", "..", "ⅷ", "٣", "_" * 300,
    ]
)
HUGE_NUMBERS = st.one_of(
    st.integers(29, 5000).map(lambda n: "9" * n),
    st.integers(1, 60).map(lambda n: "0." + "0" * n + "1"),
    st.sampled_from(["1e30", "1E+999999", "-1e-30", "12345678901234567890123456789", "0" * 40, "1" + "0" * 4301]),
)
DEEP = st.tuples(
    st.sampled_from(["not ", "(", "-", "every x in person.mentee: ", "person.mentor_trained and ", "1 years + "]),
    st.integers(1, 3000),
)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """`text` with one to three mutations: a flip, a token edit, a truncation, deep nesting or a huge number."""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "swap", "delete", "duplicate", "number", "name", "truncate", "deep", "insert"]))
        if not text:
            text = draw(ODD_TEXT)
        if kind == "flip":
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + draw(st.one_of(ODD_TEXT, st.characters(codec="utf-8"), st.characters(max_codepoint=127))) + text[i + 1 :]
        elif kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "deep":
            prefix, n = draw(DEEP)
            i = draw(st.integers(0, len(text)))
            closing = ")" * n if prefix == "(" else ""
            tail = "person.mentor_trained" if prefix != "1 years + " else "person.years_experience"
            text = text[:i] + prefix * n + (tail + closing if draw(st.booleans()) else closing) + text[i:]
        else:
            tokens = _tokens(text)
            words = [k for k, t in enumerate(tokens) if not t.isspace()]
            if not words:
                continue
            k = draw(st.sampled_from(words))
            if kind == "swap":
                j = draw(st.sampled_from(words))
                tokens[k], tokens[j] = tokens[j], tokens[k]
            elif kind == "delete":
                del tokens[k]
            elif kind == "duplicate":
                tokens.insert(k, tokens[k] + " ")
            elif kind == "number":
                numbers = [k for k, t in enumerate(tokens) if t[:1].isdigit()] or [k]
                tokens[draw(st.sampled_from(numbers))] = draw(HUGE_NUMBERS)
            elif kind == "name":
                names = [k for k, t in enumerate(tokens) if t[:1].isalpha() or t[:1] == "_"] or [k]
                n = draw(st.sampled_from(names))
                how, odd = draw(st.sampled_from(["prefix", "suffix", "replace"])), draw(ODD_TEXT)
                tokens[n] = odd + tokens[n] if how == "prefix" else tokens[n] + odd if how == "suffix" else odd
            else:  # insert a token taken from elsewhere in the text
                tokens.insert(k, " " + tokens[draw(st.sampled_from(words))] + " ")
            text = "".join(tokens)
    return text


@st.composite
def policy_inputs(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped policy's path and a mutation of its text."""
    path, text = draw(st.sampled_from(POLICIES))
    return path, draw(mutated_text(text))


# --------------------------------------------------------------------------- facts

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(10**27, 10**60), st.floats(allow_nan=True, allow_infinity=True),
    HUGE_NUMBERS, st.text(max_size=8), ODD_TEXT,
    st.sampled_from(["9999-12-31", "9998-12-31", "0001-01-01", "0000-01-01", "10000-01-01", "2026-02-30", "1e30", "USD 1e30", "-0"]),
    st.integers(1, 200).map(lambda n: json.loads("[" * n + "]" * n)),
    st.just({}), st.just([]), st.just({"id": "x"}),
)


def _places(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a JSON document."""
    out = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _places(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _places(v, (*path, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(doc, dict):
        return {**doc, head: _replace(doc[head], tuple(rest), value)}
    copy = list(doc)
    copy[head] = _replace(doc[head], tuple(rest), value)
    return copy


@st.composite
def facts_inputs(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped facts file's path and a mutation: of its values (wrong types, huge numbers, far dates), or of its text."""
    path, text = draw(st.sampled_from(FACTS))
    if draw(st.booleans()):
        doc = json.loads(text)
        for _ in range(draw(st.integers(1, 4))):
            where = draw(st.sampled_from(_places(doc)))
            doc = _replace(doc, where, draw(ODD_VALUES))
        return path, json.dumps(doc, ensure_ascii=draw(st.booleans()))
    return path, draw(mutated_text(text))


# --------------------------------------------------------------------------- the harness

_FACTS_FOR = {"demo": "examples/demo/facts.json", "ma_sp_cap": "examples/ma/facts.json", "ma_induction": "examples/ma/facts.json",
              "masa": "examples/masa/facts.json", "uk_qms": "examples/qms/facts.json"}
_loaded_facts: dict[str, accord.Facts] = {}


def _facts_for(programme: str | None) -> accord.Facts | None:
    path = _FACTS_FOR.get(programme or "")
    if path is None:
        return None
    if path not in _loaded_facts:
        _loaded_facts[path] = accord.load_facts(ROOT / path)
    return _loaded_facts[path]


def ask_everything(policy: accord.CompiledPolicy, facts: accord.Facts, engine: str = "compiled") -> int:
    """Ask every question of the policy about the first people in the facts; the number asked."""
    people = list(facts.people)[:3]
    asked = 0

    def ask(fn: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal asked
        asked += 1
        try:
            fn(*args, **kwargs)
        except AccordError:
            pass  # a question the policy cannot answer (no such role, not in force, ...): an answer too

    for person in people:
        for role in list(policy.checked.roles)[:3]:
            ask(accord.decide, policy, facts, person, role, AS_OF, explain=True, engine=engine)
        ask(incentives, policy, facts, person, AS_OF, engine=engine)
        ask(commitments, policy, facts, person, AS_OF, engine=engine)
    if len(people) >= 2 and policy.checked.pairs:
        ask(accord.decide_pair, policy, facts, people[0], people[1], AS_OF, explain=True, engine=engine)
    for item in facts.evidence[:2]:
        for viewer in people[:2]:
            ask(access, policy, facts, viewer, item.id, AS_OF, engine=engine)
    return asked


def run_policy(path: str, text: str, engine: str = "compiled") -> None:
    """Lint a policy text as if it were the file at `path`; if it loads, ask it every question."""
    count("policy")
    try:
        compiled = accord.load_policy(ROOT / path, text=text)
    except AccordError:
        COUNTS["policy refused"] += 1
        return
    programme = compiled.checked.programme.name if compiled.checked.programme else None
    facts = _facts_for(programme)
    if facts is not None:
        ask_everything(compiled, facts, engine)


_programme_policies: dict[str, accord.CompiledPolicy] = {}


def run_facts(path: Path, name: str) -> None:
    """Load a facts file written at `path`; if it loads, ask every programme's policy every question."""
    count("facts")
    try:
        facts = accord.load_facts(path)
    except AccordError:
        COUNTS["facts refused"] += 1
        return
    programmes = [p for p, f in _FACTS_FOR.items() if f == name] or ["demo"]
    for programme in programmes:
        if programme not in _programme_policies:
            _programme_policies[programme] = accord.load_policy(programme=programme)
        ask_everything(_programme_policies[programme], facts)


def document(raw: Any) -> None:
    """An already parsed document, through `facts_from_document` (what a library caller passes)."""
    try:
        facts_from_document(raw)
    except AccordError:
        pass
