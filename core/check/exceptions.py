"""Stage 3 of the checker, exceptions and conflicts: exceptions that override one another in a
circle (P116), and a grant and a deny that could both apply with neither overriding (P115)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .. import ast, ir
from .base import CheckerBase


class Exceptions(CheckerBase):
    """Stage 3 of the checker, exceptions and conflicts: exceptions that override one another in a"""

    def _exceptions_consistent(self, role: ast.Role, excs: tuple[ir.Rule, ...]) -> None:
        labels = {e.label for e in excs}
        misnamed = set()
        for exc in role.exceptions:
            for other in exc.overriding:
                if other not in labels:
                    misnamed.add(exc.label)
                    self.error("P116", f"`overriding \"{other}\"` names no exception of role `{role.name}`", exc.span, self.did_you_mean(other, sorted(labels)))
        for a in excs:
            for b in excs:
                if a.label < b.label and a.label in b.overriding and b.label in a.overriding:
                    self.error("P116", f"exceptions \"{a.label}\" and \"{b.label}\" override each other, so neither could apply", b.span, "only one of them may say `overriding` the other")
                if a.kind != "grants" or b.kind != "denies":
                    continue
                if a.label in misnamed or b.label in misnamed:
                    continue  # the author meant to say which wins; P116 says what went wrong
                if b.label in a.overriding or a.label in b.overriding:
                    continue
                if _disjoint(a.condition, b.condition):
                    continue
                self.error(
                    "P115",
                    f"exceptions \"{a.label}\" (grants) and \"{b.label}\" (denies) could both apply with opposite effects",
                    b.span,
                    f"say which wins: `except \"{b.label}\" denies overriding \"{a.label}\"`, or the other way round",
                )
        # Around a circle each exception that applies is overridden by another that applies, so
        # if all apply none does, and knowing one more fact could turn a decided outcome round.
        circle = _circle({e.label: tuple(o for o in e.overriding if o in labels) for e in excs})
        if circle is not None and len(circle) != 3:  # two that override each other: reported above
            spans = {e.label: e.span for e in role.exceptions}
            if len(circle) == 2:
                message = f"exception \"{circle[0]}\" overrides itself, so it could never apply"
            else:
                way = " -> ".join(f'"{label}"' for label in circle)
                message = f"exceptions override one another in a circle ({way}), so when they all apply none could"
            self.error("P116", message, spans.get(circle[0]), "break the circle: one of them must not say `overriding` the next")


def _circle(overrides: Mapping[str, tuple[str, ...]]) -> list[str] | None:
    """A circle in `overrides` (label -> the labels it overrides): its labels, the first repeated
    at the end; None if there is none."""
    path: list[str] = []
    done: set[str] = set()

    def visit(label: str) -> list[str] | None:
        if label in path:
            return path[path.index(label) :] + [label]
        if label in done:
            return None
        path.append(label)
        for other in overrides.get(label, ()):
            found = visit(other)
            if found is not None:
                return found
        path.pop()
        done.add(label)
        return None

    for label in overrides:
        found = visit(label)
        if found is not None:
            return found
    return None


def _plain(node: ir.Node) -> ir.Node:
    """A definition's use as what it says in place."""
    while isinstance(node, ir.CallDefine):
        node = node.expanded
    return node


def _atoms(node: ir.Node, seen: set[int] | None = None) -> Iterator[ir.Node]:
    """Every condition that holds when `node` does: itself and, through `and`, each part (the
    `and`s inside too, so that `d(person) and x` meets `not d(person)` when `d` is an `and`).
    Each shared part once: definitions that use one another share their parts."""
    seen = set() if seen is None else seen
    node = _plain(node)
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    if isinstance(node, ir.And):
        for op in node.operands:
            yield from _atoms(op, seen)


def _fixes(node: ir.Node) -> tuple[ir.Node, frozenset[object]] | None:
    """(subject, the values it may take) when an atom pins a value down: `x = a`, `x in {a, b}`."""
    if isinstance(node, ir.Compare) and node.op == "==" and isinstance(node.right, ir.Lit):
        return node.left, frozenset([node.right.value])
    # a `none` set parameter is a constant too, but its value is unknown: it pins nothing down
    if isinstance(node, ir.Member) and not node.negated and isinstance(node.collection, ir.Lit) and isinstance(node.collection.value, frozenset):
        return node.element, node.collection.value
    return None


def _disjoint(a: ir.Node, b: ir.Node) -> bool:
    """Whether two conditions provably never both hold (a conservative test)."""
    for x in _atoms(a):
        for y in _atoms(b):
            if (isinstance(x, ir.Not) and _plain(x.operand) == y) or (isinstance(y, ir.Not) and _plain(y.operand) == x):
                return True
            fx, fy = _fixes(x), _fixes(y)
            if fx and fy and _plain(fx[0]) == _plain(fy[0]) and not (fx[1] & fy[1]):
                return True
    return False
