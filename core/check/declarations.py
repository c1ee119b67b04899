"""Stage 1 of the checker, scope and declarations: the programme, parameters and their rights,
`set` values, definitions and the viewer names a record may use."""

from __future__ import annotations

import attrs

from .. import ast, ir
from ..errors import Span
from ..schema import Programme
from ..values import (
    ANY,
    BOOL,
    CURRENCIES,
    DATE,
    NUMBER,
    PERSON,
    TEXT,
    UNITS,
    Money,
    Quantity,
    Dated,
    SetOf,
    Type,
    Unknown,
    canonical_unit,
    period_text,
    show,
)
from .base import RIGHTS, CheckerBase, _ordered


class Declarations(CheckerBase):
    """Stage 1 of the checker, scope and declarations: the programme, parameters and their rights,"""

    def _programme(self) -> Programme | None:
        h = self.policy.header
        if h.programme is None:
            self.error("P104", "the policy names no programme", h.span, "add `programme NAME` under `policy`; `accord programmes` lists them")
            return None
        prog = self.registry.query_programme(h.programme)
        if prog is None:
            installed = ", ".join(sorted(self.schema.programmes)) or "none"
            hint = self.did_you_mean(h.programme, self.schema.programmes) or f"installed programmes: {installed}"
            self.error("P104", f"no programme `{h.programme}` is installed", h.programme_span or h.span, hint)
        return prog

    def _parameter(self, param: ast.Parameter) -> None:
        if param.name in self.params or param.name in self.defines:
            self.error("P113", f"`{param.name}` is declared twice", param.span)
            return
        declared = self._type_words(param.type_words, param.span) if param.type_words else None
        right = param.right or "fixed"
        if param.right is not None and param.right not in RIGHTS:
            hint = self.did_you_mean(param.right, RIGHTS) or "write `may raise`, `may lower` or `may change`"
            self.error("P119", f"`may {param.right}` is not an override right", param.span, hint)
        if param.value is None:
            if declared is None:
                self.error("P119", f"parameter `{param.name}` is `none`, so it needs a type", param.span, f"write `parameter {param.name}: USD = none`")
                return self._failed_parameter(param, right)
            value: object = Unknown([f"parameter {param.name}"])
            t = declared
        elif isinstance(param.value, ast.DatedValues):
            checked = self._dated_values(param.name, param.value, declared)
            if checked is None:
                return self._failed_parameter(param, right)
            t, value = checked
            if declared is not None and declared != t:
                self.error("P110", f"parameter `{param.name}` is declared as {declared.describe()} but set to {t.describe()}", param.value.span)
        else:
            node = self.expr(param.value, {}, declared)
            if isinstance(node, ir.Error):
                return self._failed_parameter(param, right)
            if not isinstance(node, ir.Lit):
                self.error("P118", f"the value of parameter `{param.name}` must be a constant", param.value.span, "write a value such as `3 years`, `USD 500` or `2025-09-01`")
                return self._failed_parameter(param, right)
            t, value = node.type, node.value
            if declared is not None and declared != t:
                self.error("P110", f"parameter `{param.name}` is declared as {declared.describe()} but set to {t.describe()}", param.value.span)
        if right in ("raise", "lower") and not _ordered(t):
            self.error("P119", f"`may {right}` needs an ordered value; `{param.name}` is {t.describe()}", param.span, "use `may change`")
        self.params[param.name] = ir.CheckedParameter(param.name, t, value, right, param.span, param.span)

    def _dated_values(self, name: str, dated: ast.DatedValues, expect: Type | None) -> tuple[Type, Dated] | None:
        """A value by period: each a constant, all of one type, their dates in order (P240, P241)."""
        periods: list[tuple[object, object]] = []
        first: tuple[Type, str] | None = None
        ok = True
        for value, date, date_span in zip(dated.values, dated.dates, dated.date_spans):
            node = self.expr(value, {}, expect or (first[0] if first else None))
            if isinstance(node, ir.Error):
                ok = False
                continue
            if not isinstance(node, ir.Lit) or isinstance(node.value, Unknown):
                self.error("P118", f"the value of parameter `{name}` from {date.isoformat()} must be a constant", value.span, "write a value such as `USD 1800 from 2024-07-01`")
                ok = False
                continue
            if first is None:
                first = (node.type, date.isoformat())
            elif node.type != first[0]:
                self.error(
                    "P241", f"parameter `{name}` is {first[0].describe()} from {first[1]} but {node.type.describe()} from {date.isoformat()}",
                    value.span, "every period of a dated value must have the same type and unit",
                )
                ok = False
            if periods and date <= periods[-1][0]:  # type: ignore[operator]
                self.error(
                    "P240", f"the dates of parameter `{name}` are not in order: {date.isoformat()} is written after {periods[-1][0].isoformat()}",  # type: ignore[attr-defined]
                    date_span, "write the periods from the earliest to the latest, each date once",
                )
                ok = False
            periods.append((date, node.value))
        if not ok or first is None:
            return None
        return first[0], Dated(tuple(periods))  # type: ignore[arg-type]

    def _failed_parameter(self, param: ast.Parameter, right: str) -> None:
        """Declare a parameter whose value failed to check, so that its uses raise no further errors."""
        self.params[param.name] = ir.CheckedParameter(param.name, ANY, Unknown([f"parameter {param.name}"]), right, param.span, param.span)

    def _right(self, right: str | None, span: Span | None) -> str:
        if right is not None and right != "change":
            self.error("P119", f"`may {right}` is for parameters; a rule is either fixed or `may change`", span)
        return right or "fixed"

    def _set(self, setting: ast.SetValue) -> None:
        """A child's value for its parent's parameter, within the parameter's override right."""
        old = self.params.get(setting.name)
        if old is None:
            hint = self.did_you_mean(setting.name, self.params)
            here = setting.span.file if setting.span else None
            parents = [f for f in self._sources if f != here]
            where = f" (the policies it extends: {', '.join(parents)})" if parents else ""
            self.error("P121", f"no parameter `{setting.name}` to set{where}", setting.span, hint)
            return
        where = f"{old.declared.file}:{old.declared.line}" if old.declared else "the parent policy"
        if old.right == "fixed":
            self.error("P123", f"parameter `{setting.name}` is fixed by {where}; {setting.span.file if setting.span else 'this policy'} cannot set it", setting.span, "the parent would have to declare it `may raise`, `may lower` or `may change`")
            return
        if setting.value is None:
            value: object = Unknown([f"parameter {setting.name}"])
            t = old.type
        elif isinstance(setting.value, ast.DatedValues):
            checked = self._dated_values(setting.name, setting.value, old.type if old.type != ANY else None)
            if checked is None:
                return
            t, value = checked
            if t != old.type:
                self.error("P110", f"parameter `{setting.name}` is {old.type.describe()} ({where}), but is set to {t.describe()}", setting.value.span)
                return
        else:
            node = self.expr(setting.value, {}, old.type)
            if isinstance(node, ir.Error):
                return
            if not isinstance(node, ir.Lit):
                self.error("P118", f"the value of parameter `{setting.name}` must be a constant", setting.value.span)
                return
            t, value = node.type, node.value
            if t != old.type:
                self.error("P110", f"parameter `{setting.name}` is {old.type.describe()} ({where}), but is set to {t.describe()}", setting.value.span)
                return
        if isinstance(value, Dated) or isinstance(old.value, Dated):
            if not self._dated_within(setting, old, value, where):
                return
            self.params[setting.name] = attrs.evolve(old, value=value, span=setting.span)
            return
        known = not isinstance(value, Unknown) and not isinstance(old.value, Unknown)
        if old.right == "raise" and (not known or value < old.value):  # type: ignore[operator]
            self.error("P123", f"parameter `{setting.name}` may only be raised ({where} sets it to {show(old.value, old.type)})", setting.span)
            return
        if old.right == "lower" and (not known or value > old.value):  # type: ignore[operator]
            self.error("P123", f"parameter `{setting.name}` may only be lowered ({where} sets it to {show(old.value, old.type)})", setting.span)
            return
        self.params[setting.name] = attrs.evolve(old, value=value, span=setting.span)

    def _dated_within(self, setting: ast.SetValue, old: ir.CheckedParameter, value: object, where: str) -> bool:
        """`may raise` / `may lower` with a dated value on either side: on every date where either
        changes, the new value in force must be at least (at most) the parent's."""
        if old.right not in ("raise", "lower"):
            return True
        if isinstance(value, Unknown) or isinstance(old.value, Unknown):
            self.error("P123", f"parameter `{setting.name}` may only be {old.right}d, and one of the two values is not set", setting.span)
            return False
        new = value if isinstance(value, Dated) else None
        parent = old.value if isinstance(old.value, Dated) else None
        dates = sorted({*(new.dates() if new else ()), *(parent.dates() if parent else ())})
        for day in dates:
            mine = new.at(day) if new else (value, day, None)
            theirs = parent.at(day) if parent else (old.value, day, None)
            if theirs is None:
                continue
            if mine is None:
                self.error("P123", f"parameter `{setting.name}` has no value before {new.periods[0][0].isoformat()}, but {where} gives it one on {day.isoformat()}", setting.span)  # type: ignore[union-attr]
                return False
            if (old.right == "raise" and mine[0] < theirs[0]) or (old.right == "lower" and mine[0] > theirs[0]):  # type: ignore[operator]
                self.error(
                    "P123", f"parameter `{setting.name}` may only be {old.right}d ({where} sets it to {show(theirs[0], old.type)} {period_text(theirs[1], theirs[2])}; this sets {show(mine[0], old.type)} on {day.isoformat()})",
                    setting.span,
                )
                return False
        return True

    def _viewer_names(self, programme: Programme | None) -> list[str]:
        names = ["subject", "author", *self.schema.ends()]
        if programme is not None:
            names += [r.name for r in programme.roles]
        return names

    def _viewers(self, viewers: tuple[str, ...], known: list[str], span: Span | None) -> None:
        for v in viewers:
            if v not in known:
                self.error("P127", f"`{v}` is not a role, a relationship end, `subject` or `author`", span, self.did_you_mean(v, known))

    def _type_words(self, words: tuple[str, ...], span: Span | None) -> Type | None:
        word = " ".join(words)
        if len(words) > 2 and words[:2] == ("set", "of"):  # `set of licence_type`: a set parameter of bare names
            element = self._type_words(words[2:], span)
            return SetOf(element) if element is not None else None
        simple = {"number": NUMBER, "date": DATE, "text": TEXT, "bool": BOOL, "yes_no": BOOL}
        if word in simple:
            return simple[word]
        if canonical_unit(word):
            return Quantity(canonical_unit(word))
        if word in CURRENCIES:
            return Money(word)
        named = {**self.schema.scales(), **self.schema.choices()}
        if word in named:
            return named[word]
        options = [*simple, *UNITS, *CURRENCIES, *named]
        self.error("P107", f"unknown type `{word}`", span, self.did_you_mean(word, options))
        return None

    def _check_unused_defines(self) -> None:
        """Check the definitions no rule uses, so their mistakes show before someone uses them.

        The names a rule could bind (`person`, the relationship ends) are people here, and a
        definition's own parameters are of any type.
        """
        scope: dict[str, ir.Node] = {"person": ir.Var(PERSON, "person", text="person")}
        scope.update({end: ir.Var(PERSON, end, text=end) for end in self.schema.ends()})
        for name, define in self.defines.items():
            if name in self.expanded:
                continue
            inner = {**scope, **{p: ir.Var(ANY, p, text=p) for p in define.params}}
            self.expanding.append(name)
            self.expr(define.body, inner)
            self.expanding.pop()

    def _labels_unique(self, items: list[ast.Requirement | ast.Exception_] | list[ast.Requirement | ast.Preference]) -> None:
        seen: set[str] = set()
        for item in items:
            if item.label in seen:
                self.error("P113", f"two rules here are labelled \"{item.label}\"", item.span, "labels name rules in explanations: make each one different")
            seen.add(item.label)
