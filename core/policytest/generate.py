"""`accord test --generate`: boundary cases for every threshold a policy compares against."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from .. import ir
from ..errors import AccordError
from .suites import _read_policy, _shown

# --------------------------------------------------------------------------- boundary cases (`--generate`)


@attrs.frozen
class _Threshold:
    """A requirement's comparison of a person's fact with a constant: `person.years_experience >= 3 years`."""

    fact: str
    op: str  # >=, >, <=, <, ==, !=, in, not in
    value: object
    type: Any
    rule: str


def _thresholds(rule: ir.Rule) -> Iterator[_Threshold]:
    flip = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
    for node in ir.walk(rule.condition):
        if isinstance(node, ir.Compare):
            left, right, op = node.left, node.right, node.op
            if isinstance(left, ir.Lit) and isinstance(right, ir.Fact):
                left, right, op = right, left, flip[op]
            if isinstance(left, ir.Fact) and isinstance(left.subject, ir.Var) and left.derive is None and isinstance(right, ir.Lit):
                yield _Threshold(left.name, op, right.value, left.type, rule.label)
        elif isinstance(node, ir.Member) and isinstance(node.element, ir.Fact) and isinstance(node.element.subject, ir.Var):
            if node.element.derive is None and isinstance(node.collection, ir.Lit) and isinstance(node.collection.value, frozenset):
                yield _Threshold(node.element.name, "not in" if node.negated else "in", node.collection.value, node.element.type, rule.label)
        elif isinstance(node, ir.Fact) and isinstance(node.subject, ir.Var) and node.derive is None and str(node.type) == str(_bool()):
            yield _Threshold(node.name, "==", True, node.type, rule.label)


def _bool() -> Any:
    from ..values import BOOL

    return BOOL


def _step(value: object) -> Any:
    from decimal import Decimal

    if isinstance(value, dt.date):
        return dt.timedelta(days=1)
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        return Decimal(1).scaleb(min(int(exponent), 0) - 1)
    return None


def _doc_value(value: object) -> object:
    """A runtime value as a facts file writes it."""
    import enum
    from decimal import Decimal

    from ..values import show_number

    if isinstance(value, enum.IntEnum):
        return value.name
    if isinstance(value, Decimal):
        text = show_number(value)
        return int(text) if "." not in text else float(text) if len(text) < 15 else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _other(value: object, t: Any, avoid: Iterable[object]) -> object | None:
    """A value of type `t` that is none of `avoid` (for `=` and `in`): another choice or level."""
    avoid = set(avoid)
    options = list(getattr(t, "values", ()) or getattr(t, "levels", ()))
    if isinstance(value, bool):
        return not value
    for o in options:
        if o not in {getattr(a, "name", a) for a in avoid}:
            return o
    return None


def _cases(th: _Threshold) -> tuple[object, list[tuple[str, object]]]:
    """The passing value of a threshold, and the boundary cases: exactly at, just outside, missing."""
    import enum

    v, op = th.value, th.op
    step = _step(v)
    cases: list[tuple[str, object]] = []
    if op in ("in", "not in"):
        members = sorted(v, key=str)  # type: ignore[arg-type]
        outside = _other(None, th.type, members)
        inside = members[0] if members else None
        passing = inside if op == "in" else outside
        cases = [(f"`{th.fact}` is {_doc_value(inside)}", inside), (f"`{th.fact}` is outside the set", outside)]
        return passing, [(n, x) for n, x in cases if x is not None]
    if isinstance(v, enum.IntEnum):
        levels = list(type(v))
        below = levels[v - 1] if v > 0 else None
        above = levels[v + 1] if v + 1 < len(levels) else None
        near = below if op in (">=", ">", "==") else above
        passing = v if op in (">=", "<=", "==") else above if op == ">" else below
        cases = [(f"`{th.fact}` exactly at {v.name}", v), (f"`{th.fact}` just {'below' if near is below else 'above'} {v.name}", near)]
        return passing, [(n, x) for n, x in cases if x is not None]
    if step is None:  # a choice, text or yes/no: equal, or something else
        other = _other(v, th.type, [v])
        passing = v if op == "==" else other
        cases = [(f"`{th.fact}` is {_yaml(_doc_value(v))}", v), (f"`{th.fact}` is something else", other)]
        return passing, [(n, x) for n, x in cases if x is not None]
    below, above = v - step, v + step  # type: ignore[operator]
    passing = {">=": v, ">": above, "<=": v, "<": below, "==": v, "!=": above}[op]
    outside = below if op in (">=", ">", "==", "!=") else above
    word = "below" if outside is below else "above"
    return passing, [(f"`{th.fact}` exactly at {_doc_value(v)}", v), (f"`{th.fact}` just {word} {_doc_value(v)}", outside)]


def _yaml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def generate(policy_path: str | Path, as_of: dt.date | None = None) -> str:
    """A starting test file for a policy: for every threshold of every role's rules, the cases
    exactly at it, just outside it, and with the fact missing, each expected answer filled in
    from what Accord answers now and marked `# confirm`."""
    import accord

    from ..facts import facts_from_document

    path = Path(policy_path)
    policy = accord.load_policy(path=_shown(path), text=_read_policy(path, str(path), 1))
    c = policy.checked
    as_of = as_of or c.effective_from or dt.date.today()
    out = [
        f"# Boundary cases for {path.name}, written by `accord test --generate`.",
        "# Every expected answer is what Accord answers today: confirm each one against the policy's text.",
        f"policy: {path.name}",
        f"as_of: {as_of.isoformat()}",
        "tests:",
    ]
    n = 0
    for role_name, role in c.roles.items():
        thresholds = [th for rule in role.requirements + role.exceptions for th in _thresholds(rule)]
        if not thresholds:
            continue
        base: dict[str, object] = {}
        for th in thresholds:
            passing, _ = _cases(th)
            if passing is not None and th.fact not in base:
                base[th.fact] = _doc_value(passing)
        for th in thresholds:
            _, cases = _cases(th)
            for name, value in [*cases, (f"`{th.fact}` missing", None)]:
                person_facts = {**base, th.fact: _doc_value(value)} if value is not None else {k: v for k, v in base.items() if k != th.fact}
                doc = {"people": [{"id": "p", "name": "Test Person", "facts": person_facts}]}
                try:
                    decision = accord.decide(policy, facts_from_document(doc), "p", role_name, as_of)
                except AccordError as exc:
                    out.append(f"  # {role_name}, {name}: skipped, {exc.diagnostics[0].message}")
                    continue
                status = next((r.status for r in (*decision.requirements, *decision.exceptions) if r.label == th.rule), "unknown")
                n += 1
                out += [
                    f"  - name: {_yaml(f'{role_name}: {name}')}",
                    f"    check: {{person: p, role: {role_name}}}",
                    "    facts:",
                    "      people:",
                    "        - id: p",
                    f"          facts: {_yaml(person_facts)}",
                    "    expect:",
                    f"      outcome: {decision.outcome_word}  # confirm",
                    f"      rules: {{{_yaml(th.rule)}: {status}}}  # confirm",
                ]
    if not n:
        out.append("  []  # no requirement compares a person's fact with a constant: write the cases by hand")
    return "\n".join(out) + "\n"
