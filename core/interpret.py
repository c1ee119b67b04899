"""The reference interpreter: walks the typed IR directly. The semantics the compiler must match.

It is slower than the compiled functions and is used for two things: to test that compiled and
interpreted evaluation agree, and to explain a decision (`--explain`), by recording the value
of every condition inside a rule as a `Trace` tree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from . import calendars, ir, rates, runtime
from .values import Type, Unknown, join_unknown

_U = Unknown
_BOOL_STRUCTURE = (ir.And, ir.Or, ir.Not, ir.Quantified)


@attrs.frozen
class Trace:
    """The value of one condition inside a rule, with the conditions it was made of."""

    text: str
    value: object
    type: Type
    children: tuple[Trace, ...] = ()


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


class Interpreter:
    """Evaluates IR nodes against one context; `env` maps bound names to values."""

    def __init__(self, ctx: runtime.Context) -> None:
        self.ctx = ctx

    def rule(self, rule: ir.Rule, env: dict[str, Any]) -> tuple[Any, Any, Any]:
        """(result, actual, required), as the compiled rule functions return them."""
        cond = rule.condition
        try:
            if isinstance(cond, (ir.Compare, ir.Member)):
                left, right = (cond.left, cond.right) if isinstance(cond, ir.Compare) else (cond.element, cond.collection)
                a, b = self.eval(left, env), self.eval(right, env)
                return self._finish(cond, a, b), a, b
            value = self.eval(cond, env)
            return value, value, None
        except Exception as exc:  # a failing rule is reported in the decision, never swallowed
            return runtime.failed(exc), None, None

    def block(self, block: ir.Block, env: dict[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """(rule results, expression values), as the compiled block functions return them."""
        rules = tuple(self.rule(r, env) for r in block.rules)
        values = []
        for node in block.exprs:
            try:
                values.append(self.eval(node, env))
            except Exception as exc:
                values.append(runtime.failed(exc))
        return rules, tuple(values)

    def trace(self, node: ir.Node, env: dict[str, Any]) -> Trace:
        """The value of `node` and, for and/or/not/every/any, of the conditions inside it."""
        if isinstance(node, ir.CallDefine):  # shown as written in place
            return self.trace(node.expanded, env)
        if isinstance(node, ir.Let):  # the named value, then the body with it
            try:
                bound = self.eval(node.value, env)
            except Exception as exc:
                bound = runtime.failed(exc)
            body = self.trace(node.body, {**env, node.name: bound})
            named = Trace(f"{node.name} = {node.value.text}", bound, node.value.type)
            return Trace(node.text, body.value, node.type, (named, body))
        try:
            value = self.eval(node, env)
        except Exception as exc:
            value = runtime.failed(exc)
        kids: tuple[Trace, ...] = ()
        if isinstance(node, ir.Choose):  # the conditions read, up to the first that holds
            read = []
            for condition in node.conditions:
                read.append(self.trace(condition, env))
                if read[-1].value is True:
                    break
            kids = tuple(read)
        if isinstance(node, _BOOL_STRUCTURE) and not isinstance(node, ir.Quantified):
            kids = tuple(self.trace(child, env) for child in ir.children(node))
        return Trace(node.text, value, node.type, kids)

    # ----------------------------------------------------------------------- expressions

    def eval(self, node: ir.Node, env: dict[str, Any]) -> Any:
        method = getattr(self, f"_{type(node).__name__}")
        return method(node, env)

    def _finish(self, node: ir.Compare | ir.Member, a: Any, b: Any) -> Any:
        if a.__class__ is _U or b.__class__ is _U:
            return join_unknown(a, b)
        if isinstance(node, ir.Compare):
            return _COMPARE[node.op](a, b)
        return (a not in b) if node.negated else (a in b)

    def _Lit(self, n: ir.Lit, env: dict[str, Any]) -> Any:
        return n.value

    def _Var(self, n: ir.Var, env: dict[str, Any]) -> Any:
        return env[n.name]

    def _DatedLit(self, n: ir.DatedLit, env: dict[str, Any]) -> Any:
        return runtime.dated_value(n.value, self.ctx.as_of, Unknown([n.missing]))

    def _Today(self, n: ir.Today, env: dict[str, Any]) -> Any:
        return self.ctx.as_of

    def _Fact(self, n: ir.Fact, env: dict[str, Any]) -> Any:
        subject = self.eval(n.subject, env)
        missing = Unknown([n.missing])
        if n.derive is not None:
            return runtime.derived(n.derive, self.ctx, subject, missing)
        return runtime.fact(subject, n.name, missing)

    def _PlaceAbove(self, n: ir.PlaceAbove, env: dict[str, Any]) -> Any:
        return self.ctx.place_above(self.eval(n.subject, env), n.kind, Unknown([n.missing]))

    def _Related(self, n: ir.Related, env: dict[str, Any]) -> Any:
        return self.ctx.related(self.eval(n.subject, env), n.end, n.kinds)

    def _HoldersAt(self, n: ir.HoldersAt, env: dict[str, Any]) -> Any:
        return self.ctx.holders_at(self.eval(n.place, env), n.end, n.kinds)

    def _ItemField(self, n: ir.ItemField, env: dict[str, Any]) -> Any:
        item = self.eval(n.item, env)
        if n.name in runtime.PERSON_FIELDS:
            return self.ctx.person_field(item, n.name, Unknown([n.missing]))
        return runtime.field(item, n.name, Unknown([n.missing]))

    def _Not(self, n: ir.Not, env: dict[str, Any]) -> Any:
        value = self.eval(n.operand, env)
        return value if value.__class__ is _U else not value

    def _And(self, n: ir.And, env: dict[str, Any]) -> Any:
        return self._kleene(n.operands, env, decisive=False)

    def _Or(self, n: ir.Or, env: dict[str, Any]) -> Any:
        return self._kleene(n.operands, env, decisive=True)

    def _kleene(self, operands: tuple[ir.Node, ...], env: dict[str, Any], decisive: bool) -> Any:
        unknowns = []
        for op in operands:
            value = self.eval(op, env)
            if value is decisive:
                return decisive
            if value.__class__ is _U:
                unknowns.append(value)
        return join_unknown(*unknowns) if unknowns else (not decisive)

    def _Compare(self, n: ir.Compare, env: dict[str, Any]) -> Any:
        return self._finish(n, self.eval(n.left, env), self.eval(n.right, env))

    def _Member(self, n: ir.Member, env: dict[str, Any]) -> Any:
        return self._finish(n, self.eval(n.element, env), self.eval(n.collection, env))

    def _Same(self, n: ir.Same, env: dict[str, Any]) -> Any:
        a, b = self.eval(n.left, env), self.eval(n.right, env)
        if a.__class__ is _U or b.__class__ is _U:
            return join_unknown(a, b)
        return (a is not b) if n.negated else (a is b)

    def _Arith(self, n: ir.Arith, env: dict[str, Any]) -> Any:
        # A chain of one precedence (`a / b * c`) is one step, as the compiler makes it: every
        # term first (unknown if any is), then the operators left to right. So `0 / 0 * x` with x
        # unknown is unknown in both engines, whichever would have raised first.
        terms, ops = ir.arith_chain(n)
        values = [self.eval(t, env) for t in terms]
        if any(v.__class__ is _U for v in values):
            return join_unknown(*values)
        result = values[0]
        for op, value in zip(ops, values[1:]):
            result = _ARITH[op](result, value)
        return result

    def _Neg(self, n: ir.Neg, env: dict[str, Any]) -> Any:
        value = self.eval(n.operand, env)
        return value if value.__class__ is _U else -value

    def _Scaled(self, n: ir.Scaled, env: dict[str, Any]) -> Any:
        value = self.eval(n.operand, env)
        return value if value.__class__ is _U else value * n.factor

    def _DateShift(self, n: ir.DateShift, env: dict[str, Any]) -> Any:
        return runtime.shift(self.eval(n.date, env), self.eval(n.amount, env), n.unit, n.sign)

    def _DateDiff(self, n: ir.DateDiff, env: dict[str, Any]) -> Any:
        return runtime.date_diff(self.eval(n.left, env), self.eval(n.right, env))

    # ---- school calendars (core/calendars.py)
    def _SchoolDays(self, n: ir.SchoolDays, env: dict[str, Any]) -> Any:
        return calendars.school_days(self.ctx, self.eval(n.person, env), self.eval(n.left, env), self.eval(n.right, env))

    def _SchoolShift(self, n: ir.SchoolShift, env: dict[str, Any]) -> Any:
        return calendars.school_shift(self.ctx, self.eval(n.person, env), self.eval(n.date, env), self.eval(n.amount, env), n.sign)

    def _NthPeriod(self, n: ir.NthPeriod, env: dict[str, Any]) -> Any:
        return calendars.nth_period(self.ctx, self.eval(n.person, env), n.kind, n.n, self.eval(n.origin, env))

    def _PeriodOf(self, n: ir.PeriodOf, env: dict[str, Any]) -> Any:
        return calendars.period_of(self.ctx, self.eval(n.person, env), n.kind, self.eval(n.date, env))

    def _PeriodEdge(self, n: ir.PeriodEdge, env: dict[str, Any]) -> Any:
        return calendars.period_edge(self.eval(n.period, env), n.which)

    # ---- rates and averages (core/rates.py)
    def _Average(self, n: ir.Average, env: dict[str, Any]) -> Any:
        end = self.eval(n.end, env) if n.end is not None else None
        return rates.average(self.ctx, self.eval(n.start, env), end, n.per, lambda ctx: Interpreter(ctx).eval(n.measure, env))

    def _Accrued(self, n: ir.Accrued, env: dict[str, Any]) -> Any:
        return rates.accrued(self.eval(n.rate, env), self.eval(n.start, env), self.eval(n.today, env), n.per)

    def _InPeriod(self, n: ir.InPeriod, env: dict[str, Any]) -> Any:
        return calendars.in_period(self.eval(n.date, env), self.eval(n.period, env), n.negated)

    def _SetOf(self, n: ir.SetOf, env: dict[str, Any]) -> Any:
        return runtime.make_set(*(self.eval(i, env) for i in n.items))

    def _CallFn(self, n: ir.CallFn, env: dict[str, Any]) -> Any:
        return runtime.call(n.impl, self.ctx, *(self.eval(a, env) for a in n.args))

    def _CallDefine(self, n: ir.CallDefine, env: dict[str, Any]) -> Any:
        return self.eval(n.body, {p: self.eval(a, env) for p, a in zip(n.params, n.args)})

    def _Choose(self, n: ir.Choose, env: dict[str, Any]) -> Any:
        def thunk(node: ir.Node) -> Callable[[], Any]:
            return lambda: self.eval(node, env)

        rows = tuple((thunk(c), thunk(v)) for c, v in zip(n.conditions, n.values))
        otherwise = thunk(n.otherwise) if n.otherwise is not None else None
        return runtime.choose(rows, otherwise, Unknown([n.missing]))

    def _Let(self, n: ir.Let, env: dict[str, Any]) -> Any:
        return self.eval(n.body, {**env, n.name: self.eval(n.value, env)})

    def _Evidence(self, n: ir.Evidence, env: dict[str, Any]) -> Any:
        items = self.ctx.evidence(self.eval(n.subject, env), n.kind)
        where = n.where
        if where is None:
            return items
        return runtime.select(items, lambda item: self.eval(where, {**env, n.var: item}))

    def _Count(self, n: ir.Count, env: dict[str, Any]) -> Any:
        return runtime.count(self._in_aggregate(n.operand, env))

    def _Round(self, n: ir.Round, env: dict[str, Any]) -> Any:
        return runtime.rounded(self.eval(n.operand, env), n.how)

    def _Sum(self, n: ir.Sum, env: dict[str, Any]) -> Any:
        return runtime.total(self._in_aggregate(n.operand, env), n.field, Unknown([n.missing]))

    def _in_aggregate(self, n: ir.Node, env: dict[str, Any]) -> Any:
        """Items a count or total reads: unfiltered evidence is read in aggregate (counts-only viewers may see it)."""
        if isinstance(n, ir.Evidence) and n.where is None:
            return self.ctx.evidence(self.eval(n.subject, env), n.kind, True)
        return self.eval(n, env)

    def _Latest(self, n: ir.Latest, env: dict[str, Any]) -> Any:
        return runtime.latest(self.eval(n.operand, env), Unknown([n.missing]))

    def _Quantified(self, n: ir.Quantified, env: dict[str, Any]) -> Any:
        collection = self.eval(n.collection, env)
        body = n.body
        fn = runtime.every if n.kind == "every" else runtime.some
        return fn(collection, lambda member: self.eval(body, {**env, n.var: member}))

    def _Error(self, n: ir.Error, env: dict[str, Any]) -> Any:  # pragma: no cover - never checked
        raise AssertionError("an unchecked policy reached the interpreter")
