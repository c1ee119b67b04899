"""The built-in functions, registered as a plugin: `count`, `hours`, `sum`, `latest`, `round`,
`floor`, `ceil`, `min` and `max`.

The registry registers this module before any other plugin (`core/registry.py`), through the
same `accord_functions` hook a programme plugin uses; no plugin may declare these names again.
Each is a `Function` with a typing callback (`check`), given an `accord.check.FunctionCall`:
it types its own arguments and returns the typed call. `min` and `max` return
`call.apply(type, args)`, evaluated through their `impl` as any plugin function is; the others
return the IR node the compiler and the interpreter evaluate for them (`ir.Count`, `ir.Sum`,
`ir.Latest`, `ir.Round`), which read evidence with its provenance and in aggregate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from . import ast, ir, runtime
from .hookspecs import hookimpl
from .schema import Function
from .values import (
    ANY,
    DATE,
    NUMBER,
    UNIT_ALIASES,
    UNITS,
    EvidenceItem,
    EvidenceList,
    Money,
    Quantity,
    Scale,
    SetOf,
    Unknown,
    canonical_unit,
    conversion,
)

if TYPE_CHECKING:
    from .check.calls import FunctionCall

#: the name the registry gives this plugin
PLUGIN_NAME = "accord.builtins"


def _not_called(*args: object) -> object:  # pragma: no cover - the checker lowers these to IR nodes
    raise AssertionError("a built-in function is evaluated through its IR node")


def _count(call: FunctionCall) -> ir.Node:
    problem = call.arity(1)
    if problem is not None:
        return problem
    arg = call.arg(0)
    if arg.type == ANY:
        return call.failed()
    if not isinstance(arg.type, (EvidenceList, SetOf)):
        return call.error("P110", f"`count` needs evidence or a set, but `{arg.text}` is {arg.type.describe()}", call.args[0])
    return ir.Count(NUMBER, arg, text=call.text, span=call.span)


def _latest(call: FunctionCall) -> ir.Node:
    problem = call.arity(1)
    if problem is not None:
        return problem
    arg = call.arg(0)
    if arg.type == ANY:
        return call.failed()
    if not isinstance(arg.type, EvidenceList):
        return call.error("P110", f"`latest` needs evidence (`evidence KIND ...`), but `{arg.text}` is {arg.type.describe()}", call.args[0])
    kind = arg.type.kind
    return ir.Latest(EvidenceItem(kind), arg, f"evidence {kind}", text=call.text, span=call.span)


def _total(call: FunctionCall) -> ir.Node:
    """`hours(evidence ...)` and `sum(evidence ..., field)`: a numeric field added up over the items."""
    n = call.name
    problem = call.arity(2 if n == "sum" else 1)
    if problem is not None:
        return problem
    arg = call.arg(0)
    if arg.type == ANY:
        return call.failed()
    if not isinstance(arg.type, EvidenceList):
        return call.error("P110", f"`{n}` needs evidence (`evidence KIND ...`), but `{arg.text}` is {arg.type.describe()}", call.args[0])
    kind = arg.type.kind
    field = "hours"
    if n == "sum":
        second = call.args[1]
        if not isinstance(second, ast.Name):
            return call.error("P110", "the second argument of `sum` is the name of a numeric field", second)
        field = second.name
    fields = call.checker._item_fields(EvidenceItem(kind))
    ft = fields.get(field)
    if ft is None or not isinstance(ft, (Quantity, Money)):
        numeric = [f for f, t in fields.items() if isinstance(t, (Quantity, Money))]
        hint = call.checker.did_you_mean(field, numeric) or f"numeric fields: {', '.join(numeric)}"
        return call.error("P102", f"{kind} evidence has no numeric field `{field}`", call.span, hint)
    return ir.Sum(ft, arg, field, f"{field} of {kind} evidence", text=call.text, span=call.span)


def _rounding(call: FunctionCall) -> ir.Node:
    """`round(x)`, `floor(x)`, `ceil(x)`, and `round(x to whole UNIT)`: x in that unit, then rounded."""
    n = call.name
    problem = call.arity(1)
    if problem is not None:
        return problem
    written = call.args[0]
    to = written if isinstance(written, ast.ToWhole) else None
    arg = call.checker.expr(to.operand if to else written, call.scope)
    if arg.type == ANY:
        return call.failed()
    if not isinstance(arg.type, (Quantity, Money)):
        return call.error("P110", f"`{n}` needs a number, quantity or money, but `{arg.text}` is {arg.type.describe()}", written)
    if to is not None:
        arg = _in_unit(call, arg, to)
        if arg.type == ANY:
            return arg
    return ir.Round(arg.type, arg, n, text=call.text, span=call.span)


def _in_unit(call: FunctionCall, arg: ir.Node, to: ast.ToWhole) -> ir.Node:
    """`arg` expressed in the unit of `to whole UNIT` (a conversion the checker can prove exact)."""
    unit = canonical_unit(to.unit)
    if unit is None:
        hint = call.checker.did_you_mean(to.unit, [*UNITS, *UNIT_ALIASES]) or f"units: {', '.join(UNITS)}"
        return call.error("P204", f"`to whole {to.unit}`: unknown unit `{to.unit}`", to.unit_span, hint)
    t = arg.type
    if not isinstance(t, Quantity) or t.unit is None:
        what = "money" if isinstance(t, Money) else "a bare number"
        return call.error("P204", f"`to whole {unit}` needs a quantity with a unit, but `{arg.text}` is {what}", to, f"write `{call.name}({arg.text})`")
    if t.unit == unit:
        return arg
    down = conversion(t.unit, unit)
    if down is not None:  # years -> months: multiply
        return ir.Scaled(Quantity(unit), arg, down, text=arg.text, span=arg.span)
    up = conversion(unit, t.unit)
    if up is not None:  # days -> weeks: divide
        factor = ir.Lit(NUMBER, Decimal(up), text=str(up))
        return ir.Arith(Quantity(unit), "/", arg, factor, text=arg.text, span=arg.span)
    return call.error(
        "P204", f"`{arg.text}` is in {t.unit}, which does not turn into whole {unit} exactly", to.unit_span,
        "days and weeks do not convert to months or years (their length varies); use a unit of the same kind",
    )


def _extreme(call: FunctionCall) -> ir.Node:
    """`min(a, b, ...)`, `max(a, b, ...)`: of one type, ordered (numbers, quantities of one unit, money of one currency, dates, scale levels)."""
    n = call.name
    problem = call.arity(at_least=2)
    if problem is not None:
        return problem
    resolvable = [i for i, a in enumerate(call.args) if call.checker.resolvable(a, call.scope)]
    first = resolvable[0] if resolvable else 0
    typed: dict[int, ir.Node] = {first: call.arg(first)}
    t = typed[first].type
    for i in range(len(call.args)):
        if i not in typed:
            typed[i] = call.arg(i, t if t != ANY else None)
    args = [typed[i] for i in range(len(call.args))]
    if any(a.type == ANY for a in args):
        return call.failed()
    t = args[0].type
    if not (isinstance(t, (Quantity, Money, Scale)) or t == DATE):
        return call.error("P205", f"`{n}` needs numbers, quantities, money, dates or scale levels, but `{args[0].text}` is {t.describe()}", call.args[0])
    for a, written in zip(args[1:], call.args[1:]):
        if a.type != t:
            hint = None
            if isinstance(t, Quantity) and isinstance(a.type, Quantity) and t.unit and a.type.unit:
                hint = f"write both in {t.unit}, or both in {a.type.unit}"
            elif isinstance(t, Quantity) and isinstance(a.type, Quantity):
                hint = f"give `{a.text if a.type.unit is None else args[0].text}` its unit"
            return call.error("P205", f"`{n}` needs values of one unit: `{args[0].text}` is {t.describe()}, `{a.text}` is {a.type.describe()}", written, hint)
    if all(isinstance(a, ir.Lit) and a.value.__class__ is not Unknown for a in args):  # constants: a constant (a parameter may be one)
        values = [a.value for a in args]  # type: ignore[attr-defined]
        return ir.Lit(t, min(values) if n == "min" else max(values), text=call.text, span=call.span)
    return call.apply(t, args)


BUILTINS: tuple[Function, ...] = (
    Function("count", (), NUMBER, _not_called, "how many evidence items or set members: `count(evidence KIND ...)`", check=_count),
    Function("hours", (), Quantity("hours"), _not_called, "the hours of evidence items added up: `hours(evidence KIND ...)`", check=_total),
    Function("sum", (), NUMBER, _not_called, "a numeric field of evidence items added up: `sum(evidence KIND ..., FIELD)`", check=_total),
    Function("latest", (), ANY, _not_called, "the most recent evidence item: `latest(evidence KIND ...)`", check=_latest),
    Function("round", (), NUMBER, _not_called, "to a whole amount, halves away from zero: `round(x)`, `round(x to whole months)`", check=_rounding),
    Function("floor", (), NUMBER, _not_called, "down to a whole amount: `floor(x)`, `floor(x to whole weeks)`", check=_rounding),
    Function("ceil", (), NUMBER, _not_called, "up to a whole amount: `ceil(x)`, `ceil(x to whole weeks)`", check=_rounding),
    Function("min", (), NUMBER, runtime.minimum, "the smallest of two or more values of one unit: `min(a, b)`", check=_extreme),
    Function("max", (), NUMBER, runtime.maximum, "the largest of two or more values of one unit: `max(a, b)`", check=_extreme),
)

#: the names of the built-in functions, in the order they are documented
NAMES: tuple[str, ...] = tuple(f.name for f in BUILTINS)


@hookimpl
def accord_functions() -> tuple[Function, ...]:
    return BUILTINS
