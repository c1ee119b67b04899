"""Stage 2 of the checker, expressions and units: every name, field, call and operator typed.

Resolves names against the scope and the schema, checks units and scales, makes conversions
explicit, checks each definition's body once per signature (`ir.CallDefine`), and warns about
constructs whose cost grows faster than the input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from .. import ast, ir, limits
from ..errors import Span, suggest
from ..model import PLACE_KINDS
from ..schema import EVIDENCE_FIELDS
from ..values import (
    ANY,
    BOOL,
    CALENDAR_UNITS,
    CURRENCIES,
    DATE,
    NUMBER,
    PERSON,
    PLACE,
    TEXT,
    UNIT_ALIASES,
    UNITS,
    Choice,
    Dated,
    EvidenceItem,
    EvidenceList,
    Money,
    Quantity,
    Scale,
    SetOf,
    Type,
    canonical_unit,
    conversion,
    scale_enum,
)
from .base import BUILTINS, SIZE_WARNING, _OPS, CheckerBase, _ordered
from .calls import FunctionCall


class Expressions(CheckerBase):
    """Stage 2 of the checker, expressions and units: every name, field, call and operator typed."""

    def expr(self, e: ast.Expr, scope: Mapping[str, ir.Node], expect: Type | None = None) -> ir.Node:
        method = getattr(self, f"_{type(e).__name__}")
        # The parser bounds each expression as written; here a definition's body counts where it
        # is first used, which the parser cannot see (limits.MAX_NESTING).
        step = 0 if isinstance(e, _LEAVES) else 1
        if self.depth + step > limits.MAX_NESTING:
            return self.error(
                "P130", f"with the definitions it uses written out, this expression nests more than {limits.MAX_NESTING} deep", e.span,
                "a definition is written out where it is used: use fewer definitions inside one another",
            )
        self.depth += step
        try:
            node: ir.Node = method(e, scope, expect)
        finally:
            self.depth -= step
        return node

    def _lit(self, e: ast.Expr, value: object, t: Type, name: str | None = None) -> ir.Lit:
        return ir.Lit(t, value, name, text=self.text(e.span), span=e.span)

    def _Number(self, e: ast.Number, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return self._lit(e, e.value, NUMBER)

    def _QuantityLit(self, e: ast.QuantityLit, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        unit = canonical_unit(e.unit)
        if unit is None:
            if e.unit in CURRENCIES:
                return self.error("P107", f"money is written with the currency first: `{e.unit} {e.value}`", e.span)
            return self.error("P107", f"unknown unit `{e.unit}`", e.span, self.did_you_mean(e.unit, [*UNITS, *UNIT_ALIASES]) or f"units: {', '.join(UNITS)}")
        return self._lit(e, e.value, Quantity(unit))

    def _MoneyLit(self, e: ast.MoneyLit, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        if e.currency not in CURRENCIES:
            return self.error("P107", f"unknown currency `{e.currency}`", e.span, self.did_you_mean(e.currency, CURRENCIES) or f"currencies: {', '.join(CURRENCIES)}")
        return self._lit(e, e.value, Money(e.currency))

    def _DateLit(self, e: ast.DateLit, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return self._lit(e, e.value, DATE)

    def _StringLit(self, e: ast.StringLit, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return self._lit(e, e.value, TEXT)

    def _BoolLit(self, e: ast.BoolLit, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return self._lit(e, e.value, BOOL)

    def _Today(self, e: ast.Today, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return ir.Today(DATE, text="today", span=e.span)

    def _item_var(self, scope: Mapping[str, ir.Node]) -> ir.Node | None:
        return scope.get("$item")

    def resolvable(self, e: ast.Expr, scope: Mapping[str, ir.Node]) -> bool:
        """Whether a bare name means something without knowing the type it is compared with."""
        if not isinstance(e, ast.Name):
            return True
        n = e.name
        item = self._item_var(scope)
        if item is not None and n in self._item_fields(item.type):
            return True
        return n in scope or n in self.defines or n in self.params or n in self.schema.constants

    def _Name(self, e: ast.Name, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        n = e.name
        item = self._item_var(scope)
        if item is not None and n in self._item_fields(item.type):
            return self._field(item, n, e.span, e.span)
        if n in scope:
            bound = scope[n]
            return attrs.evolve(bound, text=bound.text or n, span=bound.span or e.span)
        values = _values_of(expect)
        if n in self.defines:
            if values is not None and n in values[1]:
                d = self.defines[n]
                return self.error(
                    "P207", f"`{n}` here is a value of {values[0].describe()}, but a definition is also called `{n}` (line {d.span.line if d.span else '?'})", e.span,
                    f"rename the definition (e.g. `is_{n}`), so that `{n}` means the value",
                )
            d = self.defines[n]
            owners = [t.describe() for t in (*self.schema.choices().values(), *self.schema.scales().values()) if n in _values_of(t)[1]]  # type: ignore[index]
            if d.params and owners:
                return self.error(
                    "P207", f"`{n}` is written as a value of {owners[0]}, but it is the name of a definition that takes {len(d.params)} argument{'s' if len(d.params) != 1 else ''} (line {d.span.line if d.span else '?'})", e.span,
                    f"rename the definition (e.g. `is_{n}`), so that `{n}` means the value",
                )
            return self._expand(d, (), scope, e)
        if n in self.params:
            p = self.params[n]
            if isinstance(p.value, Dated):
                first = p.value.periods[0][0].isoformat()
                return ir.DatedLit(p.type, p.value, n, f"parameter {n} (no value before {first})", text=n, span=e.span)
            return ir.Lit(p.type, p.value, n, text=n, span=e.span)
        if n in self.schema.constants:
            c = self.schema.constants[n]
            return ir.Lit(c.type, c.value, n, text=n, span=e.span)
        if values is not None and n in values[1]:
            t = values[0]
            return self._lit(e, scale_enum(t)[n] if isinstance(t, Scale) else n, t)
        candidates = [*scope, *self.defines, *self.params, *self.schema.constants]
        if values is not None:
            candidates += list(values[1])
        # A fact's exact name, written without `person.`, beats a merely similar name in scope.
        hint = f"did you mean `person.{n}`?" if "person" in scope and n in self.schema.facts else None
        if hint is None:
            hint = self.did_you_mean(n, [c for c in candidates if not c.startswith("$")])
        if hint is None and values is not None:
            hint = f"{values[0].describe()}"
        return self.error("P101", f"unknown name `{n}`", e.span, hint)

    def _expand(self, define: ast.Define, args: tuple[ir.Node, ...], scope: Mapping[str, ir.Node], at: ast.Expr) -> ir.Node:
        """A use of a definition: a call of its body, checked once per signature.

        The body is checked in the scope of the use (a definition may read `person`), with each
        parameter bound to its argument: a constant as it is (so that `within(3 years)` checks
        as it reads), anything else as a placeholder `Var` of the argument's type and text. The
        signature is every name in that scope with its type and text, so one body serves every
        use that would have expanded to the same thing, and a chain of definitions that each use
        the one before twice costs one check per definition, not 2^n.
        """
        if len(args) != len(define.params):
            return self.error("P112", f"`{define.name}` takes {len(define.params)} argument{'s' if len(define.params) != 1 else ''}, got {len(args)}", at.span)
        if define.name in self.expanding:
            chain = " -> ".join([*self.expanding[self.expanding.index(define.name) :], define.name])
            return self.error("P114", f"`{define.name}` refers to itself ({chain})", define.span, "definitions cannot be recursive; write the condition out")
        self.expanded.add(define.name)
        inner = {k: v for k, v in scope.items() if k != "$item"}
        values: dict[str, ir.Node] = {}  # runtime name -> the value at the call
        for param, arg in zip(define.params, args):
            if isinstance(arg, ir.Lit):
                inner[param] = arg
                continue
            name = f"$p{len(define.name)}_{define.name}_{param}"  # the length keeps `a_b`+`c` apart from `a`+`b_c`
            inner[param] = ir.Var(arg.type, name, text=arg.text, span=arg.span)
            values[name] = arg
        key = (define.name, *sorted((k, _signature(v)) for k, v in inner.items()))
        if key not in self.bodies:
            self.expanding.append(define.name)
            before = len(self.diags)
            saved = self.loops, self.deepest, self.grows
            self.loops, self.deepest, self.grows = [], 0, set()  # the body on its own, wherever it is used
            node = self.expr(define.body, inner)
            inside = (self.deepest, frozenset(self.grows))
            self.loops, self.deepest, self.grows = saved
            self.expanding.pop()
            self.bodies[key] = None if len(self.diags) > before else node
            if self.bodies[key] is not None:
                self.body_loops[id(node)] = inside
                self._size_warning(define, node)
        body = self.bodies[key]
        if body is None:
            return ir.Error(ANY, text="", span=at.span)
        depth, grows = self.body_loops.get(id(body), (0, frozenset()))
        if depth and self.loops:  # its loops run inside the loops around this use
            what = f"`{define.name}` loops over {' and '.join(sorted(grows))} inside a loop over {' and '.join(dict.fromkeys(self.loops))}"
            self._nested_warning([*self.loops, *sorted(grows)], len(self.loops) + depth, at.span, what)
        self.deepest = max(self.deepest, len(self.loops) + depth)
        self.grows |= grows
        for v in inner.values():
            if isinstance(v, ir.Var) and v.name not in values:
                values[v.name] = v
        call = ir.CallDefine(body.type, define.name, tuple(values), tuple(values.values()), body, text=self.text(at.span) or body.text, span=at.span)
        # a body with nothing inside (a constant, a name) is cheaper to use in place, and a
        # constant must stay one (`parameter x = d`)
        return call.expanded if not ir.children(body) else call

    def _loop(self, kind: str | None, span: Span | None, check: Callable[[], ir.Node]) -> ir.Node:
        """Check what runs once per member of a collection; `kind` says what grows, if it does."""
        if kind is None:
            return check()
        self.loops.append(kind)
        self.grows.add(kind)
        self.deepest = max(self.deepest, len(self.loops))
        if len(self.loops) >= 2:
            self._nested_warning(self.loops, len(self.loops), span, f"nested quantifiers over {' and '.join(dict.fromkeys(self.loops))}")
        try:
            return check()
        finally:
            self.loops.pop()

    def _nested_warning(self, kinds: list[str], depth: int, span: Span | None, what: str) -> None:
        items = " and ".join(dict.fromkeys({"evidence": "evidence items", "relationships": "related people"}[k] for k in kinds))
        self.warn(
            "P140",
            f"{what}: cost grows as n^{depth} in the number of {items}",
            span,
            "fine for a handful of items; for many, count or filter once (`count(evidence KIND where ...)`) instead of looping inside a loop",
        )

    def _size(self, node: ir.Node) -> int:
        """How many conditions `node` would be with every definition written out in place."""
        if isinstance(node, ir.CallDefine):
            return self.sizes.get(id(node.body), 1) + sum(self._size(a) for a in node.args)
        return 1 + sum(self._size(c) for c in ir.children(node))

    def _size_warning(self, define: ast.Define, body: ir.Node) -> None:
        size = self.sizes[id(body)] = self._size(body)
        if size > SIZE_WARNING and not self.warned_size:
            self.warned_size = True
            self.warn(
                "P141",
                f"`{define.name}` written out in place is {size:,} conditions: checking it is quick, but evaluating it may run them all",
                define.span,
                "a definition that uses another several times multiplies its cost; use each one once, or give the shared part a name used once",
            )

    def _item_fields(self, t: Type) -> dict[str, Type]:
        if isinstance(t, EvidenceItem):
            kind = self.schema.evidence.get(t.kind)
            return {**EVIDENCE_FIELDS, **(kind.fields if kind else {})}
        return {}

    def _Field(self, e: ast.Field, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        subject = self.expr(e.subject, scope)
        return self._field(subject, e.name, e.span, e.name_span)

    def _field(self, subject: ir.Node, name: str, span: Span | None, name_span: Span | None) -> ir.Node:
        t = subject.type
        path = f"{subject.text}.{name}" if subject.text and not subject.text.startswith("$") else name
        if t == ANY:
            return ir.Error(ANY, text=path, span=span)
        if t == PERSON:
            if name in ("id", "name"):
                return ir.ItemField(TEXT, subject, name, path, text=path, span=span)
            if name == "place":
                return ir.PlaceAbove(PLACE, subject, "", path, text=path, span=span)
            spec = self.schema.facts.get(name)
            if spec is not None and spec.about == "person":
                return ir.Fact(spec.type, subject, name, path, spec.derive, text=path, span=span)
            if spec is not None:
                return self.error("P280", f"`{name}` is a fact about a place, not a person", name_span, f"read it from the person's place: `{subject.text}.district.{name}` or `{subject.text}.place.{name}`")
            ends = self.schema.ends()
            if name in ends:
                kinds = tuple(k.name for k in ends[name])
                return ir.Related(SetOf(PERSON), subject, name, kinds, text=path, span=span)
            if name in PLACE_KINDS:
                return ir.PlaceAbove(PLACE, subject, name, path, text=path, span=span)
            options = ["id", "name", "place", *(n for n, s in self.schema.facts.items() if s.about == "person"), *ends, *PLACE_KINDS]
            return self.error("P102", f"people have no fact `{name}`", name_span, self.did_you_mean(name, options) or "`accord schema` lists the facts")
        if t == PLACE:
            if name in ("id", "name", "kind"):
                return ir.ItemField(TEXT, subject, name, path, text=path, span=span)
            if name in PLACE_KINDS:
                return ir.PlaceAbove(PLACE, subject, name, path, text=path, span=span)
            spec = self.schema.facts.get(name)
            if spec is not None and spec.about == "place":  # a place's own fact: `district.enrolment`
                return ir.Fact(spec.type, subject, name, path, None, text=path, span=span)
            if spec is not None:
                return self.error("P281", f"`{name}` is a fact about a person, not a place", name_span, "read it from a person: `mentor." + name + "`")
            place_facts = [n for n, s in self.schema.facts.items() if s.about == "place"]
            return self.error("P102", f"places have no field `{name}`", name_span, self.did_you_mean(name, ["id", "name", "kind", *PLACE_KINDS, *place_facts]))
        if isinstance(t, EvidenceItem):
            fields = self._item_fields(t)
            if name in fields:
                missing = f"{name} of {t.kind} evidence"
                return ir.ItemField(fields[name], subject, name, missing, text=path if not subject.text.startswith("$") else name, span=span)
            return self.error("P102", f"{t.kind} evidence has no field `{name}`", name_span, self.did_you_mean(name, fields))
        what = f"`{subject.text}`" if subject.text else "this"
        hint = "use `every x in ...: x.field` or `any x in ...: x.field`" if isinstance(t, (SetOf, EvidenceList)) else None
        return self.error("P102", f"{what} is {t.describe()} and has no field `{name}`", name_span, hint)

    def _Call(self, e: ast.Call, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        n = e.name
        text = self.text(e.span)
        fn = self.schema.functions.get(n)
        if n in self.defines and n not in BUILTINS:
            return self._call_define(self.defines[n], e, scope)
        if fn is None:
            options = [*self.defines, *self.schema.functions]
            return self.error("P105", f"unknown function `{n}`", e.span, self.did_you_mean(n, options))
        if fn.check is not None:  # it types itself: the built-ins (core/builtins.py), min/max, ...
            node = fn.check(FunctionCall(self, fn, e, scope, text))
            if not isinstance(node, ir.Node):
                raise TypeError(f"the typing callback of function `{n}` returned {node!r}, not a typed call")
            return node
        if len(e.args) != len(fn.params):
            return self.error("P112", f"`{n}` takes {len(fn.params)} argument{'s' if len(fn.params) != 1 else ''}, got {len(e.args)}", e.span)
        args = []
        for arg, want in zip(e.args, fn.params):
            node = self.expr(arg, scope, want)
            if node.type not in (want, ANY) and not (isinstance(want, SetOf) and node.type == SetOf(ANY)):
                self.error("P110", f"`{n}` needs {want.describe()} here, but `{node.text}` is {node.type.describe()}", arg.span)
            args.append(node)
        return ir.CallFn(fn.returns, n, fn.impl, tuple(args), fn.reason, text=text, span=e.span)

    def _call_define(self, define: ast.Define, e: ast.Call, scope: Mapping[str, ir.Node]) -> ir.Node:
        args: list[ir.Node | list[ir.Node]] = [self._define_arg(a, scope) for a in e.args]
        for i, arg in enumerate(args):
            if not isinstance(arg, list):
                continue
            # a bare value that several choices have: the one the definition's body accepts
            fits = []
            for candidate in arg:
                trial = [candidate if j == i else (a[0] if isinstance(a, list) else a) for j, a in enumerate(args)]
                errors, warnings, bodies = len(self.diags), len(self.warnings), set(self.bodies)
                node = self._expand(define, tuple(trial), scope, e)  # type: ignore[arg-type]
                if len(self.diags) == errors and node.type != ANY:
                    fits.append(candidate)
                del self.diags[errors:], self.warnings[warnings:]
                for key in set(self.bodies) - bodies:  # a trial's failure is not the body's last word
                    if self.bodies[key] is None:
                        del self.bodies[key]
            if not fits:  # none fits: the body says why, with the first
                args[i] = arg[0]
                continue
            if len(fits) > 1:
                kinds = ", ".join(c.type.describe() for c in fits)
                return self.error(
                    "P208", f"`{e.args[i].span and self.text(e.args[i].span)}` passed to `{define.name}` could be a value of {kinds}", e.args[i].span,
                    f"compare the fact with the value where it is known, e.g. `person.FACT = {self.text(e.args[i].span)}`, and pass that",
                )
            args[i] = fits[0]
        return self._expand(define, tuple(args), scope, e)  # type: ignore[arg-type]

    def _define_arg(self, e: ast.Expr, scope: Mapping[str, ir.Node]) -> ir.Node | list[ir.Node]:
        """An argument of a definition: a bare choice or scale value takes the type that has it
        (a definition's parameters have no declared type to give it); several types: a list."""
        if not isinstance(e, ast.Name) or self.resolvable(e, scope):
            return self.expr(e, scope)
        owners = [t for t in (*self.schema.choices().values(), *self.schema.scales().values()) if e.name in _values_of(t)[1]]  # type: ignore[index]
        if len(owners) == 1:
            return self.expr(e, scope, owners[0])
        if len(owners) > 1:
            return [self.expr(e, scope, t) for t in owners]
        every = [v for t in (*self.schema.choices().values(), *self.schema.scales().values()) for v in _values_of(t)[1]]  # type: ignore[index]
        names = [k for k in (*scope, *self.defines, *self.params, *self.schema.constants, *every) if not k.startswith("$")]
        return self.error("P101", f"unknown name `{e.name}`", e.span, self.did_you_mean(e.name, names))

    def _EvidenceQuery(self, e: ast.EvidenceQuery, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        if e.kind not in self.schema.evidence:
            return self.error("P108", f"unknown evidence kind `{e.kind}`", e.span, self.did_you_mean(e.kind, self.schema.evidence) or f"kinds: {', '.join(self.schema.evidence) or 'none'}")
        if e.subject is not None:
            subject = self.expr(e.subject, scope)
            if subject.type not in (PERSON, ANY):
                return self.error("P110", f"`of` needs a person, but `{subject.text}` is {subject.type.describe()}", e.subject.span)
        elif "person" in scope:
            subject = scope["person"]
        else:
            names = [k for k in scope if not k.startswith("$")]
            return self.error("P101", "whose evidence? there is no `person` here", e.span, f"write `evidence {e.kind} of {names[0] if names else 'NAME'}`")
        # Named by nesting depth, not by position, so that one condition written twice checks to
        # equal IR (`_disjoint` compares conditions); an inner item shadows an outer one, as its
        # bare field names do.
        outer = scope.get("$item")
        var = f"$item{int(outer.name[5:]) + 1}" if isinstance(outer, ir.Var) else "$item0"
        where = None
        if e.where is not None:
            item = ir.Var(EvidenceItem(e.kind), var, text="$item")
            inner = {**scope, "$item": item}
            where = self._loop("evidence", e.span, lambda: self.condition(e.where, inner))
        return ir.Evidence(EvidenceList(e.kind), e.kind, subject, var, where, text=self.text(e.span), span=e.span)

    def _HoldersAt(self, e: ast.HoldersAt, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        ends = self.schema.ends()
        # `mentors at ...` or `mentor at ...`: an end of a relationship kind, plural or not
        end = e.role if e.role in ends else e.role[:-1] if e.role.endswith("s") and e.role[:-1] in ends else None
        if end is None:
            hint = suggest(e.role, ends) or suggest(e.role.rstrip("s"), ends)
            return self.error(
                "P293", f"`{e.role} at`: people at a place are counted by their end of a relationship, and `{e.role}` is none",
                e.role_span or e.span, f"did you mean `{hint}s`?" if hint else f"relationship ends: {', '.join(ends)} (`mentors at person.school`)",
            )
        place = self.expr(e.place, scope)
        if place.type == ANY:
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        if place.type != PLACE:
            return self.error("P294", f"`{e.role} at` needs a place, but `{place.text}` is {place.type.describe()}", e.place.span, "e.g. `person.school`, `mentee.district`")
        kinds = tuple(k.name for k in ends[end])
        return ir.HoldersAt(SetOf(PERSON), end, kinds, place, text=self.text(e.span), span=e.span)

    def _SetLit(self, e: ast.SetLit, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        elem_expect = expect.element if isinstance(expect, SetOf) else None
        items = [self.expr(i, scope, elem_expect) for i in e.items]
        types = {i.type for i in items if i.type != ANY}
        if len(types) > 1:
            return self.error("P110", "a set's members must all be of one type", e.span)
        elem = types.pop() if types else (elem_expect or ANY)
        t = SetOf(elem)
        if all(isinstance(i, ir.Lit) for i in items):
            return self._lit(e, frozenset(i.value for i in items), t)  # type: ignore[attr-defined]
        return ir.SetOf(t, tuple(items), text=self.text(e.span), span=e.span)

    def _bool_operand(self, e: ast.Expr, scope: Mapping[str, ir.Node], word: str) -> ir.Node:
        node = self.expr(e, scope)
        if node.type not in (BOOL, ANY):
            self.error("P110", f"`{word}` needs yes/no conditions, but `{node.text}` is {node.type.describe()}", e.span)
        return node

    def _Not(self, e: ast.Not, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return ir.Not(BOOL, self._bool_operand(e.operand, scope, "not"), text=self.text(e.span), span=e.span)

    def _BoolOp(self, e: ast.BoolOp, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        ops = tuple(self._bool_operand(o, scope, e.op) for o in e.operands)
        cls = ir.And if e.op == "and" else ir.Or
        return cls(BOOL, ops, text=self.text(e.span), span=e.span)

    def _pair_of(self, left: ast.Expr, right: ast.Expr, scope: Mapping[str, ir.Node]) -> tuple[ir.Node, ir.Node]:
        """Check two operands, letting a bare scale or choice value take the other side's type."""
        if not self.resolvable(left, scope) and self.resolvable(right, scope):
            r = self.expr(right, scope)
            if r.type == ANY:  # reported already, or a definition's parameter (checked unused)
                return ir.Error(ANY, text="", span=left.span), r
            return self.expr(left, scope, r.type), r
        lt = self.expr(left, scope)
        if lt.type == ANY and not self.resolvable(right, scope):
            return lt, ir.Error(ANY, text="", span=right.span)  # the left side was already reported
        return lt, self.expr(right, scope, lt.type)

    def _Compare(self, e: ast.Compare, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        left, right = self._pair_of(e.left, e.right, scope)
        text = self.text(e.span)
        if ANY in (left.type, right.type):
            return ir.Error(ANY, text=text, span=e.span)
        if left.type in (PERSON, PLACE) and left.type == right.type and e.op in ("=", "!="):
            return ir.Same(BOOL, left, right, e.op == "!=", text=text, span=e.span)
        left, right = self._unify(left, right, e.op, e.span)
        if isinstance(left, ir.Error):
            return left
        return ir.Compare(BOOL, _OPS[e.op], left, right, text=text, span=e.span)

    def _unify(self, left: ir.Node, right: ir.Node, op: str, span: Span | None) -> tuple[ir.Node, ir.Node]:
        """Bring two operands to one type, converting units; an error node when they do not mix."""
        lt, rt = left.type, right.type
        ordering = op in ("<", "<=", ">", ">=")
        if isinstance(lt, Quantity) and isinstance(rt, Quantity):
            if lt.unit == rt.unit:
                return left, right
            if lt.unit is None or rt.unit is None:
                bare, unit = (left, rt.unit) if lt.unit is None else (right, lt.unit)
                return self.error("P111", f"`{bare.text}` has no unit but is compared with {unit}", span, f"write `{bare.text} {unit}`"), right
            to_r = conversion(lt.unit, rt.unit)
            if to_r is not None:
                return ir.Scaled(rt, left, to_r, text=left.text, span=left.span), right
            to_l = conversion(rt.unit, lt.unit)
            if to_l is not None:
                return left, ir.Scaled(lt, right, to_l, text=right.text, span=right.span)
            return self.error("P111", f"{lt.unit} and {rt.unit} do not mix: `{left.text}` is in {lt.unit}, `{right.text}` in {rt.unit}", span), right
        if isinstance(lt, Money) and isinstance(rt, Money):
            if lt.currency != rt.currency:
                return self.error("P111", f"money in {lt.currency} and {rt.currency} do not mix", span), right
            return left, right
        if lt != rt:
            verb = {"+": "add", "-": "subtract"}.get(op, "compare")
            return self.error("P110", f"cannot {verb} `{left.text}` and `{right.text}`: `{left.text}` is {lt.describe()}, `{right.text}` is {rt.describe()}", span), right
        if ordering and not _ordered(lt):
            return self.error("P110", f"`{op}` needs ordered values, but `{left.text}` is {lt.describe()}", span, "only = and != compare these"), right
        return left, right

    def _Member(self, e: ast.Member, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        text = self.text(e.span)
        if not self.resolvable(e.element, scope) and self.resolvable(e.collection, scope):
            coll = self.expr(e.collection, scope)
            elem = self.expr(e.element, scope, coll.type.element if isinstance(coll.type, SetOf) else None)
        else:
            elem = self.expr(e.element, scope)
            if elem.type == ANY:  # already reported; checking the set against it would only add noise
                return ir.Error(ANY, text=text, span=e.span)
            coll = self.expr(e.collection, scope, SetOf(elem.type))
        if ANY in (elem.type, coll.type):
            return ir.Error(ANY, text=text, span=e.span)
        if not isinstance(coll.type, SetOf):
            return self.error("P110", f"`in` needs a set on its right, but `{coll.text}` is {coll.type.describe()}", e.collection.span, "write a set in braces: `{a, b}`")
        if coll.type.element not in (elem.type, ANY):
            return self.error("P110", f"`{elem.text}` is {elem.type.describe()}, but `{coll.text}` holds {coll.type.element.describe()}", e.span)
        return ir.Member(BOOL, elem, coll, e.negated, text=text, span=e.span)

    def _Same(self, e: ast.Same, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        left, right = self.expr(e.left, scope), self.expr(e.right, scope)
        text = self.text(e.span)
        if ANY in (left.type, right.type):
            return ir.Error(ANY, text=text, span=e.span)
        if left.type not in (PERSON, PLACE) or left.type != right.type:
            return self.error("P110", f"`is` compares two people or two places, not `{left.text}` and `{right.text}`", e.span, "use `=` to compare values")
        return ir.Same(BOOL, left, right, e.negated, text=text, span=e.span)

    def _Arith(self, e: ast.Arith, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return self._arith(e, self.expr(e.left, scope), self.expr(e.right, scope), scope)

    def _arith(self, e: ast.Arith, left: ir.Node, right: ir.Node, scope: Mapping[str, ir.Node]) -> ir.Node:
        """`left op right`, both checked (later stages add calendar and rate arithmetic)."""
        text = self.text(e.span)
        lt, rt = left.type, right.type
        if ANY in (lt, rt):
            return ir.Error(ANY, text=text, span=e.span)
        if lt == DATE and e.op in "+-" and isinstance(rt, Quantity) and rt.unit in CALENDAR_UNITS:
            if isinstance(right, ir.Lit) and isinstance(right.value, Decimal) and right.value != right.value.to_integral_value():
                return self.error("P111", f"a date moves by whole {rt.unit}, not `{right.text}`", e.right.span, f"write whole {rt.unit} or a smaller unit; round a computed amount with `round(...)`, `floor(...)` or `ceil(...)`")
            return ir.DateShift(DATE, left, right, rt.unit, 1 if e.op == "+" else -1, text=text, span=e.span)
        if lt == DATE and rt == DATE and e.op == "-":
            return ir.DateDiff(Quantity("days"), left, right, text=text, span=e.span)
        if lt == DATE and e.op in "+-" and isinstance(rt, Quantity):
            what = rt.unit or "a bare number"
            hint = f"write `{left.text} {e.op} {right.text.split()[0]} days`" if isinstance(right, ir.Lit) else None
            return self.error("P111", f"a date moves by days, weeks, months or years, not by {what}", e.span, hint)
        if e.op in "+-":
            left, right = self._unify(left, right, e.op, e.span)
            if isinstance(left, ir.Error):
                return left
            if not isinstance(left.type, (Quantity, Money)):
                return self.error("P110", f"`{e.op}` needs numbers, money or dates, not {left.type.describe()}", e.span)
            return ir.Arith(left.type, e.op, left, right, text=text, span=e.span)
        numeric = (Quantity, Money)
        if not isinstance(lt, numeric) or not isinstance(rt, numeric):
            return self.error("P110", f"`{e.op}` needs numbers on both sides", e.span)
        if e.op == "*":
            if lt != NUMBER and rt != NUMBER:
                return self.error("P111", f"cannot multiply {lt.describe()} by {rt.describe()}", e.span)
            return ir.Arith(rt if lt == NUMBER else lt, "*", left, right, text=text, span=e.span)
        if rt == NUMBER:
            return ir.Arith(lt, "/", left, right, text=text, span=e.span)
        if lt == rt:
            return ir.Arith(NUMBER, "/", left, right, text=text, span=e.span)
        return self.error("P111", f"cannot divide {lt.describe()} by {rt.describe()}", e.span)

    def _Neg(self, e: ast.Neg, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        operand = self.expr(e.operand, scope)
        if operand.type != ANY and not isinstance(operand.type, (Quantity, Money)):
            return self.error("P110", f"`-` needs a number, but `{operand.text}` is {operand.type.describe()}", e.span)
        if isinstance(operand, ir.Lit) and isinstance(operand.value, Decimal):
            return attrs.evolve(operand, value=-operand.value, text=self.text(e.span))
        return ir.Neg(operand.type, operand, text=self.text(e.span), span=e.span)

    def _Quantifier(self, e: ast.Quantifier, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        coll = self.expr(e.collection, scope)
        text = self.text(e.span)
        # Only a constant `{}` is empty: members of unknown type (a definition's parameters, when it
        # is checked unused) also make a set of `any`.
        if coll.type == SetOf(ANY) and isinstance(coll, ir.Lit) and not coll.value:
            return self.error("P110", f"`{coll.text}` is empty, so `{e.kind}` has nothing to range over", e.collection.span)
        if isinstance(coll.type, SetOf):
            elem = coll.type.element
        elif isinstance(coll.type, EvidenceList):
            elem = EvidenceItem(coll.type.kind)
        elif coll.type == ANY:
            elem = ANY
        else:
            return self.error("P110", f"`{e.kind}` ranges over a set or evidence, but `{coll.text}` is {coll.type.describe()}", e.collection.span)
        inner = {**scope, e.var: ir.Var(elem, e.var, text=e.var)}
        grows = "evidence" if isinstance(coll.type, EvidenceList) else "relationships" if coll.type == SetOf(PERSON) and not isinstance(coll, ir.Lit) else None
        if self.quantifiers >= limits.MAX_QUANTIFIERS:
            return self.error(
                "P133", f"more than {limits.MAX_QUANTIFIERS} `every`/`any` inside one another", e.span,
                "each one multiplies the work by the size of its set; count or filter instead, e.g. count(evidence ... where ...)",
            )
        self.quantifiers += 1
        try:
            body = self._loop(grows, e.span, lambda: self.condition(e.body, inner))
        finally:
            self.quantifiers -= 1
        return ir.Quantified(BOOL, e.kind, e.var, coll, body, text=text, span=e.span)


def _signature(node: ir.Node) -> tuple[object, ...]:
    """What a bound name contributes to a definition's signature: all that its body's check reads."""
    if isinstance(node, ir.Lit):
        try:
            hash(node.value)
            return ("lit", node, node.text)
        except TypeError:
            return ("lit", id(node))
    if isinstance(node, ir.Var):
        return ("var", node.type, node.name, node.text)
    return ("node", id(node))  # never here: a scope binds names to variables and constants



def _values_of(t: Type | None) -> tuple[Choice | Scale, tuple[str, ...]] | None:
    while isinstance(t, SetOf):
        t = t.element
    if isinstance(t, Choice):
        return t, t.values
    if isinstance(t, Scale):
        return t, t.levels
    return None


#: expressions that add no level of nesting (the limits count operators, not leaves)
_LEAVES = (ast.Number, ast.QuantityLit, ast.MoneyLit, ast.DateLit, ast.StringLit, ast.BoolLit, ast.Today, ast.Name)
