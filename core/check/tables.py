"""Gaps and overlaps between the rows of a decision table, as DMN tools report them.

A row's condition is analysed when it is built from `and`, `or`, `not` and comparisons of one
value with constants: `x < 1 years`, `x >= 1 years and x < 3 years`, `kind in {a, b}`,
`kind = full_time`, a yes/no fact on its own. Each such value (a fact, a definition's value, a
`let` name, a count) splits its line at the constants the table compares it with; one sample
from each piece (the constants themselves, a point between two, one below and one above) is
enough to try every row against every case, since a row's truth cannot change inside a piece.
Every combination of the values' samples is tried (at most `MAX_CASES`).

What it cannot prove, and so does not report: rows that compare two values with each other or
compute with them (`a + b > 3`, `start < today - 30 days`), plugin functions' meanings, and two
values that read the same fact (`x` and `x * 2`): the table is then left alone. Quantities and
money are taken to be zero or more, counts to be whole; different facts are taken to vary
independently.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from .. import ir
from ..values import BOOL, DATE, PERSON, PLACE, TEXT, Choice, EvidenceItem, Money, Quantity, Scale, show, scale_enum

#: the most cases (combinations of samples) tried for one table
MAX_CASES = 4096

_ATOMS = (ir.Fact, ir.Var, ir.ItemField, ir.CallFn, ir.Count, ir.Sum, ir.Round, ir.DateDiff)


class _Opaque(Exception):
    """A condition the analysis cannot read."""


class _Other:
    """A text value that none of the table's constants is."""

    def __repr__(self) -> str:
        return "any other text"


_OTHER = _Other()


def analyse(conditions: list[ir.Node], values: tuple[ir.Node, ...], has_otherwise: bool) -> tuple[str | None, list[tuple[int, int, str]]] | None:
    """(a case no row applies to, or None; each pair of rows with different values that both
    apply, with a case), or None when no row can be analysed."""
    atoms: dict[ir.Node, set[Any]] = {}
    readable = []
    reads: list[set[ir.Node]] = []
    for c in conditions:
        found: dict[ir.Node, set[Any]] = {}
        try:
            _collect(c, found)
        except _Opaque:
            readable.append(False)
            reads.append(set())
            continue
        readable.append(True)
        reads.append(set(found))
        for atom, constants in found.items():
            atoms.setdefault(atom, set()).update(constants)
    if not any(readable) or not _independent(list(atoms)):
        return None
    samples = []
    for atom, constants in atoms.items():
        try:
            samples.append(_samples(atom, constants))
        except _Opaque:
            return None
    total = 1
    for s in samples:
        total *= len(s)
    if total > MAX_CASES:
        return None
    gap: str | None = None
    overlaps: dict[tuple[int, int], str] = {}
    for combo in itertools.product(*samples):
        env = dict(zip(atoms, combo))
        applies = [i for i, c in enumerate(conditions) if readable[i] and _eval(c, env) is True]
        if gap is None and not applies and not has_otherwise and all(readable):
            gap = _case(env)
        for a, b in itertools.combinations(applies, 2):
            if (a, b) not in overlaps and values[a] != values[b]:
                overlaps[(a, b)] = _case({k: v for k, v in env.items() if k in reads[a] | reads[b]})
    return gap, [(a, b, w) for (a, b), w in sorted(overlaps.items())]


def _case(env: dict[ir.Node, Any]) -> str:
    return " and ".join(f"`{atom.text}` is {_show(v, atom.type)}" for atom, v in env.items()) or "nothing is known"


def _show(value: Any, t: Any) -> str:
    if value is _OTHER:
        return "another value"
    if isinstance(value, str):
        return value if isinstance(t, Choice) else f'"{value}"'
    return show(value, t)


# --------------------------------------------------------------------------- reading conditions


def _atom(node: ir.Node) -> ir.Node | None:
    if isinstance(node, ir.CallDefine) and node.type != BOOL:
        return node
    return node if isinstance(node, _ATOMS) and not isinstance(node.type, EvidenceItem) else None


def _side(node: ir.Node) -> tuple[str, Any, Any]:
    """("const", value, None) or ("atom", atom, factor) for one side of a comparison."""
    if isinstance(node, ir.Lit):
        return "const", node.value, None
    if isinstance(node, ir.Scaled):
        kind, x, factor = _side(node.operand)
        if kind == "const":
            return kind, x * node.factor, None
        return kind, x, factor * node.factor
    if isinstance(node, ir.Neg):
        kind, x, factor = _side(node.operand)
        if kind == "const":
            return kind, -x, None
        raise _Opaque
    atom = _atom(node)
    if atom is None:
        raise _Opaque
    return "atom", atom, 1


def _collect(node: ir.Node, atoms: dict[ir.Node, set[Any]]) -> None:
    if isinstance(node, ir.CallDefine) and node.type == BOOL:
        _collect(node.expanded, atoms)
    elif isinstance(node, (ir.And, ir.Or)):
        for op in node.operands:
            _collect(op, atoms)
    elif isinstance(node, ir.Not):
        _collect(node.operand, atoms)
    elif isinstance(node, ir.Lit) and node.type == BOOL:
        pass
    elif isinstance(node, ir.Compare):
        left, right = _side(node.left), _side(node.right)
        if left[0] == "atom" and right[0] == "atom":
            raise _Opaque
        for (kind, atom, factor), (other, value, _) in ((left, right), (right, left)):
            if kind == "atom" and other == "const":
                constant = value / factor if factor != 1 and isinstance(value, Decimal) else value
                atoms.setdefault(atom, set()).add(constant)
    elif isinstance(node, ir.Member):
        kind, atom, factor = _side(node.element)
        if kind != "atom" or factor != 1 or not isinstance(node.collection, ir.Lit):
            raise _Opaque
        atoms.setdefault(atom, set()).update(node.collection.value)  # type: ignore[arg-type]
    elif node.type == BOOL and _atom(node) is not None:
        atoms.setdefault(node, set())
    else:
        raise _Opaque


def _leaves(node: ir.Node) -> set[ir.Node]:
    """What a value reads that could vary: facts, fields, bound values, evidence, the date."""
    out: set[ir.Node] = set()
    for n in ir.walk(node):
        if isinstance(n, (ir.Fact, ir.ItemField, ir.Evidence, ir.Related, ir.HoldersAt, ir.Today, ir.CallFn)):
            out.add(n)
        elif isinstance(n, ir.Var) and not isinstance(n.type, EvidenceItem) and n.type not in (PERSON, PLACE):
            out.add(n)
    return out


def _independent(atoms: list[ir.Node]) -> bool:
    """Whether no two values read the same thing (`x` and `x * 2` are not two independent values)."""
    seen: set[ir.Node] = set()
    for atom in atoms:
        leaves = _leaves(atom)
        if leaves & seen:
            return False
        seen |= leaves
    return True


# --------------------------------------------------------------------------- samples


def _samples(atom: ir.Node, constants: set[Any]) -> list[Any]:
    t = atom.type
    if t == BOOL:
        return [True, False]
    if isinstance(t, Choice):
        return list(t.values)
    if isinstance(t, Scale):
        return list(scale_enum(t))
    if t == TEXT:
        return sorted(c for c in constants if isinstance(c, str)) + [_OTHER]
    if t == DATE:
        return _dates(sorted(c for c in constants if isinstance(c, dt.date)))
    if isinstance(t, (Quantity, Money)):
        whole = isinstance(atom, (ir.Count, ir.Round))
        return _numbers(sorted(c for c in constants if isinstance(c, Decimal)), whole)
    raise _Opaque


def _numbers(cuts: list[Decimal], whole: bool) -> list[Decimal]:
    """A sample of each piece of [0, infinity) that the constants cut it into."""
    cuts = sorted({c for c in cuts if c >= 0})
    if not cuts:
        return [Decimal(0)]
    out = [] if cuts[0] == 0 else [Decimal(0)]
    for a, b in zip(cuts, cuts[1:]):
        out.append(a)
        between = a + 1 if whole else (a + b) / 2
        if between < b and (not whole or between == between.to_integral_value()):
            out.append(between)
    out += [cuts[-1], cuts[-1] + 1]
    return [x for x in out if not whole or x == x.to_integral_value()]


def _dates(cuts: list[dt.date]) -> list[dt.date]:
    cuts = sorted(set(cuts))
    if not cuts:
        return [dt.date(2000, 1, 1)]
    day = dt.timedelta(days=1)
    out = [cuts[0] - day] if cuts[0] > dt.date.min else []
    for a, b in zip(cuts, cuts[1:]):
        out.append(a)
        if (b - a).days > 1:
            out.append(a + (b - a) / 2)
    out.append(cuts[-1])
    if cuts[-1] < dt.date.max:
        out.append(cuts[-1] + day)
    return out


# --------------------------------------------------------------------------- evaluating a case


def _value(node: ir.Node, env: dict[ir.Node, Any]) -> Any:
    kind, x, factor = _side(node)
    if kind == "const":
        return x
    value = env[x]
    return value * factor if factor != 1 else value


def _eval(node: ir.Node, env: dict[ir.Node, Any]) -> bool:
    if isinstance(node, ir.CallDefine) and node.type == BOOL:
        return _eval(node.expanded, env)
    if isinstance(node, ir.And):
        return all(_eval(op, env) for op in node.operands)
    if isinstance(node, ir.Or):
        return any(_eval(op, env) for op in node.operands)
    if isinstance(node, ir.Not):
        return not _eval(node.operand, env)
    if isinstance(node, ir.Lit):
        return bool(node.value)
    if isinstance(node, ir.Compare):
        a, b = _value(node.left, env), _value(node.right, env)
        if a is _OTHER or b is _OTHER:
            return (node.op == "!=") if a is not b else node.op in ("==", "<=", ">=")
        return bool({"==": a == b, "!=": a != b}.get(node.op, _order(node.op, a, b)))
    if isinstance(node, ir.Member):
        found = _value(node.element, env) in node.collection.value  # type: ignore[attr-defined,operator]
        return not found if node.negated else found
    return bool(env[node])


def _order(op: str, a: Any, b: Any) -> bool:
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)
