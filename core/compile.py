"""Stage 3, compile: `CheckedPolicy` -> `CompiledPolicy`, Python functions generated from the IR.

Each block of the policy (a role, a pair rule, an incentive, a record, a commitment; see
`CheckedPolicy.blocks`) becomes one function `fn(ctx, *bound people)`. Each definition becomes
one function per signature (`ir.CallDefine`), which the blocks call. It returns, for every
rule, `(result, actual, required)`: the Kleene result (True, False or an `Unknown` naming what is
missing) and the two sides of the rule's top comparison, for explanations; and the value of
each of the block's expressions (an incentive's amount, a commitment's hours).

Each role also gets two smaller functions for `decide`, which wants the outcome first and the
reasons only if someone reads them: one gives the Kleene "and" of the role's requirements and
stops at the first one not met, as a hand-written check would; the other gives the values of the
role's exceptions.

The source is generated from the typed IR only: policy text never reaches it, constants go in as
bound names, and the code runs with no builtins. It is registered in `linecache`, so a traceback
or a debugger shows the generated lines.
"""

from __future__ import annotations

import datetime as dt
import itertools
import linecache
import re
from collections.abc import Callable
from typing import Any

import attrs

from . import calendars, ir, rates, runtime
from .errors import Diagnostic, PolicyError
from .ir import CheckedPolicy
from .values import EvidenceItem, Unknown

RuleRaw = tuple[Any, Any, Any]


Raw = tuple[tuple[RuleRaw, ...], tuple[Any, ...]]
#: the Kleene value of a condition as the outcome functions give it: True, False, or None for unknown
Verdict = bool | None


@attrs.frozen(eq=False)
class CompiledPolicy:
    """A checked policy with its generated functions; ask it questions with `accord.decide`."""

    checked: CheckedPolicy
    #: block key (`role:mentor`, `pair:0`, ...) -> fn(ctx, *bound values) -> (rule results, expression values)
    blocks: dict[str, Callable[..., Raw]]
    source: str = attrs.field(repr=False)
    #: block key -> the names of the parameters its rules and expressions read (for explanations)
    parameters: dict[str, tuple[str, ...]] = attrs.field(factory=dict, repr=False)
    #: role -> fn(ctx, person) -> the Kleene "and" of the role's requirements, stopping at the first not met
    requirements: dict[str, Callable[..., Verdict]] = attrs.field(factory=dict, repr=False)
    #: role -> fn(ctx, person) -> the value of each of the role's exceptions (roles with exceptions only)
    exceptions: dict[str, Callable[..., tuple[Verdict, ...]]] = attrs.field(factory=dict, repr=False)
    #: the first and last days the policy is in force (`date.min` and `date.max` where it leaves them open)
    period: tuple[dt.date, dt.date] = (dt.date.min, dt.date.max)
    #: block key -> the block its function evaluates (the interpreter runs these; names its values)
    units: dict[str, ir.Block] = attrs.field(factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.checked.name

    def check_in_force(self, as_of: dt.date) -> None:
        """Raise `UsageError` unless the policy is in force on `as_of` (naming its period)."""
        first, last = self.period
        if first <= as_of <= last:
            return
        from .errors import UsageError

        c = self.checked
        period = f"from {c.effective_from or 'the start'} to {c.effective_to or 'no end date'}"
        raise UsageError(
            f"policy `{c.name}` is in force {period}, not on {as_of.isoformat()}; ask with --as-of a date in that period"
        )


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_]")
_counter = itertools.count()


class _Gen:
    """Generates Python expressions from IR nodes; constants become bound names in `ns`."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {
            "__builtins__": {},
            "_U": Unknown,
            "_join": runtime.join_unknown,
            "_Exc": Exception,
            "_failed": runtime.failed,
            "_unknown_on": runtime.unknown_on,
            "_fact": runtime.fact,
            "_derived": runtime.derived,
            "_field": runtime.field,
            "_shift": runtime.shift,
            "_ddiff": runtime.date_diff,
            "_dated": runtime.dated_value,
            "_set": runtime.make_set,
            "_call": runtime.call,
            "_select": runtime.select,
            "_choose": runtime.choose,
            "_count": runtime.count,
            "_rounded": runtime.rounded,
            "_total": runtime.total,
            "_every": runtime.every,
            "_some": runtime.some,
        }
        self._consts: dict[int, str] = {}
        #: the names of constants that are never unknown: `strict` need not test them
        self._known: set[str] = {"True", "False"}
        self._tmp = 0
        #: id of a definition's checked body -> the name of its generated function
        self._defines: dict[int, str] = {}
        #: the source of those functions, written as the blocks first call them
        self.define_lines: list[str] = []
        #: id of a node -> (its generated expression, the node)
        self._exprs: dict[int, tuple[str, ir.Node]] = {}

    def const(self, value: object, hint: str | None = None) -> str:
        """The name a constant is bound to in the generated code: `p_<parameter>_<n>` for a
        parameter's value, `fn_<function>_<n>` for a plugin function, `missing_<n>` for an
        unknown, else `c_<n>`, so that a traceback into the generated code reads."""
        if value is True or value is False or value is None:
            return repr(value)
        key = id(value)
        if key not in self._consts:
            n = len(self._consts)
            if hint:
                name = f"{_SAFE_NAME.sub('_', hint)}_{n}"
            elif value.__class__ is Unknown:
                name = f"missing_{n}"
            else:
                name = f"c_{n}"
            self._consts[key] = name
            self.ns[name] = value
            if value.__class__ is not Unknown:
                self._known.add(name)
        return self._consts[key]

    def tmp(self) -> str:
        self._tmp += 1
        return f"_t{self._tmp}"

    @staticmethod
    def var(name: str) -> str:
        # A policy's own names are identifiers; the checker's (`$item0`) get another prefix, so a
        # quantifier variable called `_item0` can never be shadowed by an evidence item.
        return "v_" + name if name.isidentifier() else "i_" + _SAFE_NAME.sub("_", name)

    def strict(self, operands: list[str], body: Callable[..., str]) -> str:
        """An expression that is unknown if any operand is, else `body(*operands)`.

        Each operand is bound to a temporary and tested, except a constant that is never unknown
        (`3 years`), which is used as it is. The tests are one flat chain of conditional
        expressions (`a if x else b if y else c`), so each level of the policy's nesting costs
        two levels of parentheses in the generated code, whatever the number of operands:
        Python refuses more than 200 (`limits.MAX_NESTING` is set for that)."""
        names = [src if src in self._known else self.tmp() for src in operands]
        tests = []
        for i, (t, src) in enumerate(zip(names, operands)):
            if t == src:
                continue
            later = ", ".join(operands[i + 1 :])
            on_unknown = f"_join({t}, {later})" if later else t
            tests.append(f"{on_unknown} if ({t} := {src}).__class__ is _U else ")
        return "(" + "".join(tests) + body(*names) + ")"

    def expr(self, node: ir.Node) -> str:
        """The Python expression of a node, generated once: a role's rules are used by its reason
        function, its outcome function and its exceptions' function, which share the text."""
        key = id(node)
        if key not in self._exprs:
            self._exprs[key] = (getattr(self, f"_{type(node).__name__}")(node), node)  # the node kept alive: its id stays its own
        return self._exprs[key][0]

    def _Lit(self, n: ir.Lit) -> str:
        return self.const(n.value, f"p_{n.name}" if n.name else None)

    def _DatedLit(self, n: ir.DatedLit) -> str:
        return f"_dated({self.const(n.value, f'p_{n.name}')}, ctx.as_of, {self.const(Unknown([n.missing]))})"

    def _Var(self, n: ir.Var) -> str:
        return self.var(n.name)

    def _Today(self, n: ir.Today) -> str:
        return "ctx.as_of"

    def _Fact(self, n: ir.Fact) -> str:
        missing = self.const(Unknown([n.missing]))
        subject = self.expr(n.subject)
        if n.derive is not None:
            return f"_derived({self.const(n.derive)}, ctx, {subject}, {missing})"
        if isinstance(n.subject, ir.Var):
            return f"{subject}.facts.get({n.name!r}, {missing})"
        return f"_fact({subject}, {n.name!r}, {missing})"

    def _PlaceAbove(self, n: ir.PlaceAbove) -> str:
        return f"ctx.place_above({self.expr(n.subject)}, {n.kind!r}, {self.const(Unknown([n.missing]))})"

    def _Related(self, n: ir.Related) -> str:
        return f"ctx.related({self.expr(n.subject)}, {n.end!r}, {n.kinds!r})"

    def _HoldersAt(self, n: ir.HoldersAt) -> str:
        return f"ctx.holders_at({self.expr(n.place)}, {n.end!r}, {n.kinds!r})"

    def _ItemField(self, n: ir.ItemField) -> str:
        missing = self.const(Unknown([n.missing]))
        if n.name in runtime.PERSON_FIELDS:
            return f"ctx.person_field({self.expr(n.item)}, {n.name!r}, {missing})"
        if isinstance(n.item.type, EvidenceItem) and runtime.is_recorded_field(n.name):
            # a field its kind declares (`rating`), read inline: `runtime.field` for these
            item, value = self.tmp(), self.tmp()
            return f"({item} if ({item} := {self.expr(n.item)}).__class__ is _U else ({missing} if ({value} := {item}.fields.get({n.name!r})) is None else {value}))"
        return f"_field({self.expr(n.item)}, {n.name!r}, {missing})"

    def _Not(self, n: ir.Not) -> str:
        return self.strict([self.expr(n.operand)], lambda t: f"(not {t})")

    def _And(self, n: ir.And) -> str:
        return self._kleene(n.operands, "False", "True")

    def _Or(self, n: ir.Or) -> str:
        return self._kleene(n.operands, "True", "False")

    def _kleene(self, operands: tuple[ir.Node, ...], decisive: str, neutral: str) -> str:
        """Kleene and/or, left to right: the decisive value wins; unknowns join otherwise.

        Flat, whatever the number of operands: `D if (a := A) is D or (b := B) is D ... else
        (N if a is N and b is N ... else _join(a, b, ...))`; `_join` keeps only the unknowns."""
        temps = [self.tmp() for _ in operands]
        stops = " or ".join(f"({t} := {self.expr(op)}) is {decisive}" for t, op in zip(temps, operands))
        neutrals = " and ".join(f"{t} is {neutral}" for t in temps)
        return f"({decisive} if {stops} else {neutral} if {neutrals} else _join({', '.join(temps)}))"

    def _Compare(self, n: ir.Compare) -> str:
        return self.strict([self.expr(n.left), self.expr(n.right)], lambda a, b: f"({a} {n.op} {b})")

    def _Member(self, n: ir.Member) -> str:
        op = "not in" if n.negated else "in"
        return self.strict([self.expr(n.element), self.expr(n.collection)], lambda a, b: f"({a} {op} {b})")

    def _Same(self, n: ir.Same) -> str:
        op = "is not" if n.negated else "is"
        return self.strict([self.expr(n.left), self.expr(n.right)], lambda a, b: f"({a} {op} {b})")

    def _Arith(self, n: ir.Arith) -> str:
        # A chain of one precedence (`a + b - c + d`) is one flat expression, as the parser
        # counts it one level: its terms, then the operators between them, left to right.
        terms, ops = ir.arith_chain(n)

        def body(*names: str) -> str:
            return "(" + names[0] + "".join(f" {op} {name}" for op, name in zip(ops, names[1:])) + ")"

        return self.strict([self.expr(t) for t in terms], body)

    def _Neg(self, n: ir.Neg) -> str:
        return self.strict([self.expr(n.operand)], lambda a: f"(-{a})")

    def _Scaled(self, n: ir.Scaled) -> str:
        return self.strict([self.expr(n.operand)], lambda a: f"({a} * {n.factor})")

    def _DateShift(self, n: ir.DateShift) -> str:
        return f"_shift({self.expr(n.date)}, {self.expr(n.amount)}, {n.unit!r}, {n.sign})"

    def _DateDiff(self, n: ir.DateDiff) -> str:
        return f"_ddiff({self.expr(n.left)}, {self.expr(n.right)})"

    # ---- school calendars (core/calendars.py)
    def _SchoolDays(self, n: ir.SchoolDays) -> str:
        return f"{self.const(calendars.school_days, 'cal_school_days')}(ctx, {self.expr(n.person)}, {self.expr(n.left)}, {self.expr(n.right)})"

    def _SchoolShift(self, n: ir.SchoolShift) -> str:
        fn = self.const(calendars.school_shift, "cal_school_shift")
        return f"{fn}(ctx, {self.expr(n.person)}, {self.expr(n.date)}, {self.expr(n.amount)}, {n.sign})"

    def _NthPeriod(self, n: ir.NthPeriod) -> str:
        return f"{self.const(calendars.nth_period, 'cal_nth')}(ctx, {self.expr(n.person)}, {n.kind!r}, {n.n}, {self.expr(n.origin)})"

    def _PeriodOf(self, n: ir.PeriodOf) -> str:
        return f"{self.const(calendars.period_of, 'cal_period_of')}(ctx, {self.expr(n.person)}, {n.kind!r}, {self.expr(n.date)})"

    def _PeriodEdge(self, n: ir.PeriodEdge) -> str:
        return f"{self.const(calendars.period_edge, 'cal_edge')}({self.expr(n.period)}, {n.which!r})"

    # ---- rates and averages (core/rates.py)
    def _Average(self, n: ir.Average) -> str:
        # the measure is read in the window's own context: `ctx` is rebound inside the lambda
        end = self.expr(n.end) if n.end is not None else "None"
        fn = self.const(rates.average, "rate_average")
        return f"{fn}(ctx, {self.expr(n.start)}, {end}, {n.per!r}, lambda ctx: {self.expr(n.measure)})"

    def _Accrued(self, n: ir.Accrued) -> str:
        return f"{self.const(rates.accrued, 'rate_accrued')}({self.expr(n.rate)}, {self.expr(n.start)}, {self.expr(n.today)}, {n.per!r})"

    def _InPeriod(self, n: ir.InPeriod) -> str:
        return f"{self.const(calendars.in_period, 'cal_in')}({self.expr(n.date)}, {self.expr(n.period)}, {n.negated})"

    def _SetOf(self, n: ir.SetOf) -> str:
        return f"_set({', '.join(self.expr(i) for i in n.items)})"

    def _CallFn(self, n: ir.CallFn) -> str:
        args = "".join(f", {self.expr(a)}" for a in n.args)
        return f"_call({self.const(n.impl, f'fn_{n.name}')}, ctx{args})"

    def _CallDefine(self, n: ir.CallDefine) -> str:
        fn = self._defines.get(id(n.body))
        if fn is None:  # one function per definition and signature, however often it is used
            fn = self._defines[id(n.body)] = f"d{len(self._defines)}_{_SAFE_NAME.sub('_', n.name)}"
            params = "".join(f", {self.var(p)}" for p in n.params)
            body = self.expr(n.body)
            self.define_lines += [f"def {fn}(ctx{params}):", f"    # define {n.name}", f"    return {body}", ""]
        return f"{fn}(ctx{''.join(', ' + self.expr(a) for a in n.args)})"

    def _Choose(self, n: ir.Choose) -> str:
        rows = "".join(f"(lambda: {self.expr(c)}, lambda: {self.expr(v)}), " for c, v in zip(n.conditions, n.values))
        otherwise = f"lambda: {self.expr(n.otherwise)}" if n.otherwise is not None else "None"
        return f"_choose(({rows}), {otherwise}, {self.const(Unknown([n.missing]))})"

    def _Let(self, n: ir.Let) -> str:
        return f"(lambda {self.var(n.name)}: {self.expr(n.body)})({self.expr(n.value)})"

    def _Evidence(self, n: ir.Evidence) -> str:
        items = f"ctx.evidence({self.expr(n.subject)}, {n.kind!r})"
        if n.where is None:
            return items
        return f"_select({items}, lambda {self.var(n.var)}: {self.expr(n.where)})"

    def _Count(self, n: ir.Count) -> str:
        return f"_count({self.expr(n.operand)})"

    def _Round(self, n: ir.Round) -> str:
        return f"_rounded({self.expr(n.operand)}, {n.how!r})"

    def _Sum(self, n: ir.Sum) -> str:
        return f"_total({self.expr(n.operand)}, {n.field!r}, {self.const(Unknown([n.missing]))})"

    def _Latest(self, n: ir.Latest) -> str:
        items = self.tmp()  # inline `runtime.latest`
        return f"({items} if ({items} := {self.expr(n.operand)}).__class__ is _U else ({items}[-1] if {items} else {self.const(Unknown([n.missing]))}))"

    def _Quantified(self, n: ir.Quantified) -> str:
        fn = "_every" if n.kind == "every" else "_some"
        return f"{fn}({self.expr(n.collection)}, lambda {self.var(n.var)}: {self.expr(n.body)})"

    # ----------------------------------------------------------------------- functions

    def guarded(self, lines: list[str], target: str, statements: list[str], on_error: str) -> None:
        lines.append("    try:")
        lines.extend(f"        {st}" for st in statements)
        lines.append("    except _Exc as _e:")
        lines.append(f"        {on_error}")

    def block(self, fn: str, block: ir.Block, lines: list[str]) -> None:
        """Append a function evaluating `block`: (rule results, expression values)."""
        params = "".join(f", {self.var(p)}" for p in block.params)
        lines.append(f"def {fn}(ctx{params}):")
        results = []
        for rule in block.rules:
            r, a, b = self.tmp(), self.tmp(), self.tmp()
            lines.append(_comment(rule))
            cond = rule.condition
            if isinstance(cond, (ir.Compare, ir.Member)):
                left, right = (cond.left, cond.right) if isinstance(cond, ir.Compare) else (cond.element, cond.collection)
                op = cond.op if isinstance(cond, ir.Compare) else ("not in" if cond.negated else "in")
                right_src = self.expr(right)
                # a constant right side (`>= 3 years`) is never unknown: test only the left
                either = f"{a}.__class__ is _U" + ("" if right_src in self._known else f" or {b}.__class__ is _U")
                body = [
                    f"{a} = {self.expr(left)}",
                    f"{b} = {right_src}",
                    f"{r} = _join({a}, {b}) if {either} else ({a} {op} {b})",
                ]
            else:
                body = [f"{r} = {self.expr(cond)}", f"{a} = {r}", f"{b} = None"]
            self.guarded(lines, r, body, f"{r} = _failed(_e); {a} = {b} = None")
            results.append(f"({r}, {a}, {b})")
        values = []
        for node in block.exprs:
            v = self.tmp()
            self.guarded(lines, v, [f"{v} = {self.expr(node)}"], f"{v} = _failed(_e)")
            values.append(v)
        rules_tuple = "(" + "".join(x + ", " for x in results) + ")"
        values_tuple = "(" + "".join(x + ", " for x in values) + ")"
        lines.append(f"    return {rules_tuple}, {values_tuple}")
        lines.append("")

    def rule_value(self, rule: ir.Rule, lines: list[str]) -> str:
        """Append the statements that set a temporary to a rule's Kleene value (None if it raises)."""
        r = self.tmp()
        lines.append(_comment(rule))
        self.guarded(lines, r, [f"{r} = {self.expr(rule.condition)}"], f"{r} = _unknown_on(_e)")
        return r

    def requirements(self, fn: str, rules: tuple[ir.Rule, ...], lines: list[str]) -> None:
        """Append `fn(ctx, v_person)`: the Kleene "and" of the rules, True, False or None (unknown).

        It returns False at the first rule not met. A rule that raises is unknown, as `combine`
        reads an error."""
        lines += [f"def {fn}(ctx, v_person):", "    _u = False"]
        for rule in rules:
            r = self.rule_value(rule, lines)
            lines += [f"    if {r} is not True:", f"        if {r} is False:", "            return False", "        _u = True"]
        lines += ["    return None if _u else True", ""]

    def exceptions(self, fn: str, rules: tuple[ir.Rule, ...], lines: list[str]) -> None:
        """Append `fn(ctx, v_person)`: a tuple of each rule's Kleene value (None where unknown)."""
        lines.append(f"def {fn}(ctx, v_person):")
        values = [self.rule_value(rule, lines) for rule in rules]
        lines += ["    return (" + "".join(v + ", " for v in values) + ")", ""]


def _comment(rule: ir.Rule) -> str:
    return f"    # {rule.kind} {rule.label!r} {_one_line(str(rule.span or ''))}"


def _one_line(text: str) -> str:
    """Text for a comment of the generated code: a file name may hold a line break or a NUL, and
    must not end the comment (the next line would be code) nor stop `compile()`."""
    return repr(text)[1:-1]


def compile_policy(checked: CheckedPolicy) -> CompiledPolicy:
    """Generate, compile and load the Python functions of a checked policy."""
    gen = _Gen()
    lines = [f"# generated by accord from {_one_line(checked.file)}: policy {checked.name!r}"]
    names: dict[str, str] = {}
    units = checked.blocks()
    for key, block in units.items():
        fn = "b_" + _SAFE_NAME.sub("_", key)
        names[key] = fn
        gen.block(fn, block, lines)
    requirements: dict[str, str] = {}
    exceptions: dict[str, str] = {}
    for i, (name, role) in enumerate(checked.roles.items()):
        requirements[name] = f"r{i}_{_SAFE_NAME.sub('_', name)}_requirements"
        gen.requirements(requirements[name], role.requirements, lines)
        if role.exceptions:
            exceptions[name] = f"r{i}_{_SAFE_NAME.sub('_', name)}_exceptions"
            gen.exceptions(exceptions[name], role.exceptions, lines)
    lines[1:1] = gen.define_lines
    source = "\n".join(lines) + "\n"
    filename = f"<accord {_one_line(checked.file)} #{next(_counter)}>"
    try:
        code = compile(source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError) as exc:  # Python's own parser limits
        raise PolicyError([Diagnostic(
            "P137", f"{checked.file}: the policy is too complex to compile ({type(exc).__name__}: {exc})",
            hint="within the documented limits this cannot happen; please report it, and split the deepest condition into definitions",
        )]) from None
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, gen.ns)  # noqa: S102 - source generated from the checked IR, run without builtins
    return CompiledPolicy(
        checked=checked,
        blocks={key: gen.ns[fn] for key, fn in names.items()},
        source=source,
        parameters={key: _parameters_read(block, checked) for key, block in units.items()},
        units=units,
        requirements={role: gen.ns[fn] for role, fn in requirements.items()},
        exceptions={role: gen.ns[fn] for role, fn in exceptions.items()},
        period=(checked.effective_from or dt.date.min, checked.effective_to or dt.date.max),
    )


def _parameters_read(block: ir.Block, checked: CheckedPolicy) -> tuple[str, ...]:
    """The parameters a block reads, in the order it reads them."""
    names: dict[str, None] = {}
    seen: set[int] = set()

    def walk(node: ir.Node) -> None:
        if id(node) in seen:  # a part shared by definitions' expansions: read already
            return
        seen.add(id(node))
        if isinstance(node, (ir.Lit, ir.DatedLit)) and node.name in checked.parameters:
            names[node.name] = None
        for child in ir.children(node):
            walk(child)

    for node in (*(rule.condition for rule in block.rules), *block.exprs):
        walk(node)
    return tuple(names)
