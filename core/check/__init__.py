"""Stage 2, check: `ast.Policy` -> `CheckedPolicy` (typed IR), or every problem at once.

The checker is a list of named stages, one module each, run in this order over one policy
(as OPA's compiler runs its stages):

1. `declarations`: the programme, parameters and their rights, `set` values, definitions;
2. `expressions`: every expression typed, names resolved against the `Schema` the plugins
   declare, units proven consistent and conversions made explicit, each definition's body
   checked once per signature (a use is an `ir.CallDefine`; a definition that reaches itself
   is an error, so every policy terminates); `calendars` and `rates` extend it with school
   calendars and with shares, rates and averages (subclasses, each handing on with `super()`);
3. `exceptions`: exceptions that could both apply with opposite effects, unless one overrides;
4. `lower`: roles, pairs, incentives, records and commitments lowered into IR blocks.

All problems of a file are collected, sorted by position and raised together; warnings are
kept on the checked policy."""

from __future__ import annotations

import attrs

from .. import ast, ir
from ..errors import PolicyError, caret_snippet
from ..ir import CheckedPolicy
from ..model import PLACE_KINDS
from ..registry import Registry, default_registry
from .base import BUILTINS, CAPACITY_PARAMETER, CheckerBase
from .calls import FunctionCall
from .conditionals import Conditionals
from .declarations import Declarations
from .exceptions import Exceptions
from .rates import Rates
from .lower import Lowering


class _Checker(Declarations, Rates, Conditionals, Exceptions, Lowering):
    """The checker: every stage's methods over one policy; `run` calls them in order."""

    def run(self) -> CheckedPolicy:
        p = self.policy
        programme = self._programme()
        for define in p.defines:
            if define.name in self.defines or define.name in BUILTINS:
                self.error("P113", f"`{define.name}` is defined twice", define.span)
            self.defines[define.name] = define
        for param in p.parameters:
            self._parameter(param)
        for setting in p.sets:
            self._set(setting)
        self.bodies.clear()  # a body checked for a parameter's value saw the values before the `set`s
        self._capacity()
        roles: dict[str, ir.CheckedRole] = {}
        for role in p.roles:
            self._right(role.right, role.span)
            if role.name in roles:
                self.error("P113", f"role `{role.name}` is declared twice", role.span)
                continue
            roles[role.name] = self._role(role, programme)
        pairs = tuple(self._pair(pair) for pair in p.pairs)
        incentives = tuple(self._incentive(inc, programme) for inc in p.incentives)
        records: dict[str, ir.CheckedRecord] = {}
        for rec in p.records:
            if rec.kind in records:
                self.error("P113", f"record `{rec.kind}` is declared twice", rec.span)
            checked_record = self._record(rec, programme)
            if checked_record is not None:
                records[rec.kind] = checked_record
        commitments = tuple(self._commitment(com, programme) for com in p.commitments)
        self._labels_unique([*p.incentives, *p.commitments])  # type: ignore[list-item]
        h = p.header
        if h.place_kind is not None and h.place_kind not in PLACE_KINDS:
            self.error("P119", f"`place {h.place_kind}`: a policy attaches to a {', '.join(PLACE_KINDS[:-1])} or {PLACE_KINDS[-1]}", h.span, self.did_you_mean(h.place_kind, PLACE_KINDS))
        if p.header.effective_from and p.header.effective_to and p.header.effective_to < p.header.effective_from:
            self.error("P120", "the policy's effective period ends before it starts", p.header.span)
        checked = CheckedPolicy(
            name=p.header.name,
            programme=programme,
            version=p.header.version,
            effective_from=p.header.effective_from,
            effective_to=p.header.effective_to,
            source=p.header.source,
            parameters=self.params,
            roles=roles,
            pairs=pairs,
            file=p.file,
            text=p.text,
            incentives=incentives,
            records=records,
            commitments=commitments,
            layers=tuple((h.span.file if h.span else p.file, h.name, h.place_kind, h.place) for h in p.layers)
            or ((p.file, p.header.name, p.header.place_kind, p.header.place),),
            ends={end: tuple(k.name for k in kinds) for end, kinds in self.schema.ends().items()},
        )
        self._check_unused_defines()
        if not self.diags:
            self._no_unchecked_nodes(checked)
        if not self.diags:
            self.diags.extend(self.registry.check_policy_hook(checked))
        if self.diags:
            self.diags = list(dict.fromkeys(self.diags))  # a definition used twice reports its problem once
            self.diags.sort(key=lambda d: (d.span.file, d.span.line, d.span.column) if d.span else ("", 0, 0))
            raise PolicyError(
                [attrs.evolve(d, snippet=caret_snippet(self._sources.get(d.span.file, ""), d.span)) if d.span else d for d in self.diags]
            )
        if self.warnings:
            warnings = sorted(dict.fromkeys(self.warnings), key=lambda d: (d.span.file, d.span.line, d.span.column) if d.span else ("", 0, 0))
            checked = attrs.evolve(
                checked,
                warnings=tuple(attrs.evolve(d, snippet=caret_snippet(self._sources.get(d.span.file, ""), d.span)) if d.span else d for d in warnings),
            )
        return checked


def check(policy: ast.Policy, registry: Registry | None = None) -> CheckedPolicy:
    """Resolve and type-check a parsed policy; raises `PolicyError` with every problem found."""
    return _Checker(policy, registry or default_registry()).run()


__all__ = ["BUILTINS", "CAPACITY_PARAMETER", "CheckedPolicy", "FunctionCall", "check"]
