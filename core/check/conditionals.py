"""Part of stage 2 of the checker: conditional values and names for values.

`if C then A else B`, decision tables (`A when C, B when D, E otherwise`) and `let NAME = V in
BODY`, typed; a table's rows are analysed for gaps and overlaps (`core/check/tables.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import ast, ir
from ..values import ANY, BOOL, Type
from .base import CheckerBase
from .tables import analyse


class Conditionals(CheckerBase):
    """`_If`, `_Cases`, `_Let` and `_ToWhole` of the expressions stage."""

    def _If(self, e: ast.If, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        cond = self._when(e.condition, scope, "if")
        values = self._values([e.then, e.otherwise], scope, expect, "if")
        if values is None:
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        then, otherwise = values
        node = ir.Choose(then.type, (cond,), (then,), otherwise, f"a value for `{self.text(e.span)}`", text=self.text(e.span), span=e.span)
        return _folded(node)

    def _Cases(self, e: ast.Cases, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        text = self.text(e.span)
        conds = tuple(self._when(c, scope, "when") for c in e.conditions)
        written = [*e.values, *([e.otherwise] if e.otherwise is not None else [])]
        values = self._values(written, scope, expect, "table")
        if values is None:
            return ir.Error(ANY, text=text, span=e.span)
        rows, otherwise = tuple(values[: len(e.values)]), values[len(e.values)] if e.otherwise is not None else None
        if all(c.type == BOOL for c in conds):
            self._table_problems(e, conds, rows, otherwise is not None)
        first = self.text(e.values[0].span)
        missing = f"a row that applies in `{first} when ...`"
        return _folded(ir.Choose(rows[0].type, conds, rows, otherwise, missing, text=text, span=e.span))

    def _table_problems(self, e: ast.Cases, conds: tuple[ir.Node, ...], rows: tuple[ir.Node, ...], has_otherwise: bool) -> None:
        found = analyse([self.top(c) for c in conds], rows, has_otherwise)
        if found is None:
            return
        gap, overlaps = found
        if gap is not None:
            self.error(
                "P201", f"no row of this table applies when {gap}", e.span,
                "add a row for that case, or end the table with `VALUE otherwise`",
            )
        for i, j, witness in overlaps:
            self.error(
                "P202", f"rows {i + 1} and {j + 1} of this table both apply, with different values, when {witness}", e.conditions[j].span,
                "make the conditions exclude each other (e.g. `< 1` and `>= 1`), so that one row applies",
            )

    def _when(self, e: ast.Expr, scope: Mapping[str, ir.Node], word: str) -> ir.Node:
        node = self.expr(e, scope)
        if node.type not in (BOOL, ANY):
            self.error("P210", f"`{word}` needs a yes/no condition, but `{node.text}` is {node.type.describe()}", e.span, "compare it with something, e.g. `>= 3 years`")
            return ir.Error(ANY, text=node.text, span=e.span)
        return node

    def _values(self, written: list[ast.Expr], scope: Mapping[str, ir.Node], expect: Type | None, what: str) -> list[ir.Node] | None:
        """The values a conditional may take, all of one type (a bare choice value takes the others' type)."""
        order = sorted(range(len(written)), key=lambda i: not self.resolvable(written[i], scope))
        typed: dict[int, ir.Node] = {}
        t = expect
        for i in order:
            node = self.expr(written[i], scope, t)
            typed[i] = node
            if t is None and node.type != ANY:
                t = node.type
        values = [typed[i] for i in range(len(written))]
        if any(v.type == ANY for v in values):
            return None
        first = values[order[0]]
        for v, e in zip(values, written):
            if v.type != first.type:
                word = {"if": "the two values of this `if`", "table": "the values of this table"}[what]
                hint = None
                if hasattr(v.type, "unit") and hasattr(first.type, "unit"):
                    hint = "write each value in the same unit (`0 years`, not `0`)"
                self.error("P200", f"{word} must be of one type: `{first.text}` is {first.type.describe()}, `{v.text}` is {v.type.describe()}", e.span, hint)
                return None
        return values

    def _Let(self, e: ast.Let, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        n = e.name
        if n in scope or n in self.defines or n in self.params or n in self.schema.constants or n in self.schema.functions:
            return self.error("P203", f"`let {n}`: `{n}` already means something here", e.name_span, "give the value a name of its own")
        value = self.expr(e.value, scope)
        if value.type == ANY:
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        var = ir.Var(value.type, n, text=n, span=e.name_span)
        body = self.expr(e.body, {**scope, n: var}, expect)
        if body.type == ANY:
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        return ir.Let(body.type, n, value, body, text=self.text(e.span), span=e.span)

    def _ToWhole(self, e: ast.ToWhole, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return self.error("P204", f"`to whole {e.unit}` is written only inside `round(...)`, `floor(...)` or `ceil(...)`", e.span, f"write `round({self.text(e.span)})`")


def _folded(node: ir.Choose) -> ir.Node:
    """A conditional that reads only constants (parameters, literals) is the constant it comes to,
    so that a parameter's value may be one (`parameter extra = if base > USD 400 then ...`)."""
    if not all(isinstance(n, _PURE) for n in ir.walk(node)):
        return node
    from ..interpret import Interpreter  # a constant needs no facts: no context

    try:
        value = Interpreter(None).eval(node, {})  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - e.g. a division by zero: left to run time, which reports it
        return node
    return ir.Lit(node.type, value, text=node.text, span=node.span)


#: nodes that compute from their parts alone
_PURE = (ir.Lit, ir.Compare, ir.And, ir.Or, ir.Not, ir.Member, ir.Arith, ir.Neg, ir.Scaled, ir.Choose)
