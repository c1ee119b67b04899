"""Stage 2, check: `ast.Policy` -> `CheckedPolicy` (typed IR), or every problem at once.

Every name, field, role, scale value and unit is resolved against the `Schema` the programme
plugins declare; definitions are expanded where they are used (a definition that reaches itself
is an error, so every policy terminates); units are proven consistent and conversions made
explicit. Two exceptions that could both apply with opposite effects are an error unless one
overrides the other. All problems of a file are collected, sorted by position and raised together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal

import attrs

from . import ast, ir, limits
from .errors import Diagnostic, PolicyError, Span, caret_snippet, suggest
from .registry import Registry, default_registry
from .schema import EVIDENCE_FIELDS, Programme, Schema
from .values import (
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
    EvidenceItem,
    EvidenceList,
    Money,
    Quantity,
    Scale,
    SetOf,
    Type,
    Unknown,
    canonical_unit,
    conversion,
    scale_enum,
    show,
)

#: kinds of place, nearest last; `person.region` walks up the person's place chain
PLACE_KINDS = ("state", "region", "district", "school", "programme")
BUILTINS = ("count", "hours", "sum", "latest")
RIGHTS = ("raise", "lower", "change")
_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@attrs.frozen
class CheckedPolicy:
    """A policy whose every name is resolved; the input of `compile` and of the interpreter."""

    name: str
    programme: Programme | None
    version: str | None
    effective_from: dt.date | None
    effective_to: dt.date | None
    source: str | None
    parameters: Mapping[str, ir.CheckedParameter]
    roles: Mapping[str, ir.CheckedRole]
    pairs: tuple[ir.CheckedPair, ...]
    file: str
    text: str = attrs.field(repr=False, eq=False)
    incentives: tuple[ir.CheckedIncentive, ...] = ()
    records: Mapping[str, ir.CheckedRecord] = attrs.Factory(dict)
    commitments: tuple[ir.CheckedCommitment, ...] = ()
    #: the layers, root first: (file, policy name, place kind, place id)
    layers: tuple[tuple[str, str, str | None, str | None], ...] = ()
    #: relationship end -> the kinds that have it, from the schema the policy was checked against
    ends: Mapping[str, tuple[str, ...]] = attrs.Factory(dict)
    #: problems that do not stop the policy from loading (`accord lint` shows them; `--strict` fails on them)
    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False, repr=False)

    def layer_name(self, file: str | None) -> str | None:
        """The name of the policy (layer) that a file holds."""
        return next((name for f, name, _, _ in self.layers if f == file), None)

    def blocks(self) -> dict[str, ir.Block]:
        """Every compiled unit of the policy, by key: `role:NAME`, `pair:N`, `incentive:N`, ..."""
        out: dict[str, ir.Block] = {}
        for name, role in self.roles.items():
            out[f"role:{name}"] = ir.Block(("person",), role.requirements + role.exceptions)
        for i, pair in enumerate(self.pairs):
            out[f"pair:{i}"] = ir.Block((pair.first, pair.second), pair.requirements + pair.preferences)
        for i, inc in enumerate(self.incentives):
            params = ("person", inc.other) if inc.other else ("person",)
            exprs = tuple(x for x in (inc.amount, inc.payer) if x is not None)
            out[f"incentive:{i}"] = ir.Block(params, inc.requirements, exprs)
        for kind, rec in self.records.items():
            rules = tuple(
                ir.Rule(f"visible to {', '.join(v.viewers)}", v.condition, None, v.span)
                for v in rec.visible
                if v.condition is not None
            )
            out[f"record:{kind}"] = ir.Block(("record", "subject", "viewer"), rules + rec.reveals)
        for i, com in enumerate(self.commitments):
            rules = tuple(ir.Rule(p.label, p.condition, com.source, p.span) for p in com.parts if p.condition is not None)
            if com.applies is not None:  # last, so that the parts' rules keep their places
                rules += (ir.Rule("applies", com.applies, com.source, com.span),)
            exprs = tuple(x for p in com.parts for x in (p.required, p.measure, p.due, p.start) if x is not None)
            out[f"commitment:{i}"] = ir.Block(("person",), rules, exprs)
        return out

    def role(self, name: str) -> ir.CheckedRole:
        """The role called `name`; raises `UsageError` naming the roles the policy decides."""
        from .errors import UsageError

        if name in self.roles:
            return self.roles[name]
        known = ", ".join(self.roles) or "none"
        hint = suggest(name, self.roles)
        more = f"; did you mean `{hint}`?" if hint else ""
        raise UsageError(f"policy `{self.name}` has no role `{name}` (its roles: {known}){more}")


class _Checker:
    def __init__(self, policy: ast.Policy, registry: Registry) -> None:
        self.policy = policy
        self.registry = registry
        self.schema: Schema = registry.schema
        self.diags: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.defines: dict[str, ast.Define] = {}
        self.params: dict[str, ir.CheckedParameter] = {}
        self.expanding: list[str] = []
        self.expanded: set[str] = set()
        #: how deep the expression being checked nests, and how many quantifiers it is inside
        self.depth = 0
        self.quantifiers = 0
        self._sources = policy.sources or {policy.file: policy.text}
        self._lines = {f: t.splitlines() for f, t in self._sources.items()}

    # ----------------------------------------------------------------------- reporting

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> ir.Error:
        self.diags.append(Diagnostic(code, message, span, hint))
        return ir.Error(ANY, text="", span=span)

    def warn(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        """A construct that loads but likely does not mean what its author wrote (or costs too much)."""
        self.warnings.append(Diagnostic(code, message, span, hint, severity="warning"))

    def text(self, span: Span | None) -> str:
        """The policy text a span covers, on one line."""
        lines = self._lines.get(span.file) if span is not None else None
        if span is None or not lines or span.line < 1:
            return ""
        if span.end_line == span.line:
            return lines[span.line - 1][span.column - 1 : span.end_column - 1]
        parts = [lines[span.line - 1][span.column - 1 :]]
        parts += lines[span.line : span.end_line - 1]
        parts.append(lines[span.end_line - 1][: span.end_column - 1])
        return " ".join(p.strip() for p in parts)

    def did_you_mean(self, word: str, candidates: Mapping[str, object] | list[str] | tuple[str, ...]) -> str | None:
        hint = suggest(word, candidates)
        return f"did you mean `{hint}`?" if hint else None

    # ----------------------------------------------------------------------- policy

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

    def _no_unchecked_nodes(self, checked: CheckedPolicy) -> None:
        """A safety net: a node the checker could not type must never reach the compiler."""

        def walk(node: ir.Node) -> ir.Node | None:
            if isinstance(node, ir.Error):
                return node
            for child in ir.children(node):
                found = walk(child)
                if found is not None:
                    return found
            return None

        for block in checked.blocks().values():
            for node in (*(r.condition for r in block.rules), *block.exprs):
                bad = walk(node)
                if bad is not None:
                    self.error("P110", f"cannot work out what `{bad.text or node.text}` is", bad.span or node.span)
                    return

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
        known = not isinstance(value, Unknown) and not isinstance(old.value, Unknown)
        if old.right == "raise" and (not known or value < old.value):  # type: ignore[operator]
            self.error("P123", f"parameter `{setting.name}` may only be raised ({where} sets it to {show(old.value, old.type)})", setting.span)
            return
        if old.right == "lower" and (not known or value > old.value):  # type: ignore[operator]
            self.error("P123", f"parameter `{setting.name}` may only be lowered ({where} sets it to {show(old.value, old.type)})", setting.span)
            return
        self.params[setting.name] = attrs.evolve(old, value=value, span=setting.span)

    def _viewer_names(self, programme: Programme | None) -> list[str]:
        names = ["subject", "author", *self.schema.ends()]
        if programme is not None:
            names += [r.name for r in programme.roles]
        return names

    def _incentive(self, inc: ast.Incentive, programme: Programme | None) -> ir.CheckedIncentive:
        ends = self.schema.ends()
        per = inc.per or ("relationship" if inc.to in ends else "person")
        if per not in ("relationship", "person"):
            self.error("P119", f"`per {per}`: an incentive is given per relationship or per person", inc.span)
            per = "person"
        other: str | None = None
        kinds: tuple[str, ...] = ()
        scope: dict[str, ir.Node] = {"person": ir.Var(PERSON, "person", text="person")}
        if per == "relationship":
            if inc.to not in ends:
                hint = self.did_you_mean(inc.to, ends) or f"relationship ends: {', '.join(ends)}"
                self.error("P109", f"`per relationship` needs `to` to name a relationship end, not `{inc.to}`", inc.span, hint)
            else:
                # `to mentor` means the kinds where the mentor leads (mentoring), before those where
                # a mentor is led (lead_mentoring): the first end, if any kind has it first.
                candidates = [k for k in ends[inc.to] if k.ends[0] == inc.to] or ends[inc.to]
                kinds = tuple(k.name for k in candidates)
                others = {k.ends[1] if k.ends[0] == inc.to else k.ends[0] for k in candidates}
                other = sorted(others)[0]
                if len(others) > 1:
                    self.error("P109", f"`{inc.to}` is an end of several relationship kinds with different partners ({', '.join(sorted(others))})", inc.span)
                scope[other] = ir.Var(PERSON, other, text=other)
        elif programme is not None and inc.to not in {r.name for r in programme.roles} and inc.to not in ends:
            names = [r.name for r in programme.roles]
            self.error("P103", f"programme `{programme.name}` has no role `{inc.to}`", inc.span, self.did_you_mean(inc.to, names))
        scope[inc.to] = ir.Var(PERSON, "person", text=inc.to)
        amount = None
        if inc.amount is not None:
            amount = self.expr(inc.amount, scope)
            if amount.type != ANY and not (isinstance(amount.type, Money) or (isinstance(amount.type, Quantity) and amount.type.unit in ("pdps", "hours", "days"))):
                self.error("P110", f"an incentive's amount is money, PDPs, or hours or days of release time, not {amount.type.describe()}", inc.amount.span)
        if amount is None and not inc.vouchers and not inc.recognitions:
            self.error("P128", f"incentive \"{inc.label}\" gives nothing", inc.span, "add `amount USD 500`, `amount 10 pdps`, `voucher \"...\"` or `recognition \"...\"`")
        payer = None
        if inc.payer is not None:
            payer = self.expr(inc.payer, scope)
            if payer.type not in (PLACE, TEXT, ANY):
                self.error("P110", f"`paid by` names a place (`region`, `mentee.district`) or an organisation in quotes, not {payer.type.describe()}", inc.payer.span)
        reqs = self._rules(inc.requirements, scope)
        self._labels_unique(list(inc.requirements))
        return ir.CheckedIncentive(
            inc.label, inc.to, per, other, kinds, amount, inc.vouchers, inc.recognitions, payer, reqs, inc.source,
            self._right(inc.right, inc.span), inc.span,
        )

    def _viewers(self, viewers: tuple[str, ...], known: list[str], span: Span | None) -> None:
        for v in viewers:
            if v not in known:
                self.error("P127", f"`{v}` is not a role, a relationship end, `subject` or `author`", span, self.did_you_mean(v, known))

    def _record(self, rec: ast.Record, programme: Programme | None) -> ir.CheckedRecord | None:
        if rec.kind not in self.schema.evidence:
            self.error("P108", f"unknown evidence kind `{rec.kind}`", rec.span, self.did_you_mean(rec.kind, self.schema.evidence))
            return None
        known = self._viewer_names(programme)
        scope: dict[str, ir.Node] = {
            "record": ir.Var(EvidenceItem(rec.kind), "record", text="record"),
            "subject": ir.Var(PERSON, "subject", text="subject"),
            "viewer": ir.Var(PERSON, "viewer", text="viewer"),
        }
        visible = []
        for v in rec.visible:
            self._viewers(v.viewers, known, v.span or rec.span)
            cond = self.condition(v.condition, scope) if v.condition is not None else None
            visible.append(ir.CheckedVisible(v.viewers, v.counts_only, v.shared, cond, v.span or rec.span))
        reveals = []
        for r in rec.reveals:
            self._viewers(r.viewers, known, r.span)
            reveals.append(ir.Rule(r.label, self.condition(r.condition, scope), r.source, r.span, "reveals"))
        return ir.CheckedRecord(rec.kind, tuple(visible), tuple(reveals), tuple(r.viewers for r in rec.reveals), self._right(rec.right, rec.span), rec.span)

    def _commitment(self, com: ast.Commitment, programme: Programme | None) -> ir.CheckedCommitment:
        ends = self.schema.ends()
        if programme is not None and com.role not in {r.name for r in programme.roles} and com.role not in ends:
            names = [r.name for r in programme.roles]
            self.error("P103", f"programme `{programme.name}` has no role `{com.role}`", com.span, self.did_you_mean(com.role, names))
        scope: dict[str, ir.Node] = {"person": ir.Var(PERSON, "person", text="person"), com.role: ir.Var(PERSON, "person", text=com.role)}
        parts = []
        for part in com.parts:
            required = measure = due = cond = start = None
            if part.required is not None and part.measure is not None:
                measure = self.expr(part.measure, scope)
                required = self.expr(part.required, scope, measure.type)
                if ANY not in (measure.type, required.type):
                    if not isinstance(measure.type, (Quantity, Money)):
                        self.error("P110", f"`at least ... of` needs an amount to count, but `{measure.text}` is {measure.type.describe()}", part.measure.span, "use `hours(evidence KIND ...)` or `count(evidence KIND ...)`")
                    else:
                        required, measure = self._unify(required, measure, ">=", part.span)
            if part.due is not None:
                due = self.expr(part.due, scope)
                if due.type not in (DATE, ANY):
                    self.error("P110", f"a due date must be a date, but `{due.text}` is {due.type.describe()}", part.due.span)
            if part.start is not None:
                start = self.expr(part.start, scope)
                if start.type not in (DATE, ANY):
                    self.error("P110", f"`from` needs a date, but `{start.text}` is {start.type.describe()}", part.start.span)
            if part.condition is not None:
                cond = self.condition(part.condition, scope)
            period = None
            if part.period is not None:
                period = {"week": "week", "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year"}.get(part.period)
                if period is None:
                    self.error("P119", f"`every {part.period}`: a recurring expectation is every week, month or year", part.span)
            label = part.label or {
                "quota": f"at least {required.text if required else ''} of {measure.text if measure else ''}",
                "deadline": f"by {due.text if due else ''}",
                "recurring": f"every {part.period}",
            }[part.kind]
            parts.append(ir.CheckedPart(part.kind, label, required, measure, due, cond, period, start, part.span))
        applies = self.condition(com.applies, scope) if com.applies is not None else None
        return ir.CheckedCommitment(com.label, com.role, com.source, tuple(parts), self._right(com.right, com.span), com.span, applies)

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

    def _role(self, role: ast.Role, programme: Programme | None) -> ir.CheckedRole:
        if programme is not None and role.name not in {r.name for r in programme.roles}:
            names = [r.name for r in programme.roles]
            hint = self.did_you_mean(role.name, names) or f"programme `{programme.name}` has roles: {', '.join(names)}"
            self.error("P103", f"programme `{programme.name}` has no role `{role.name}`", role.span, hint)
        scope: dict[str, ir.Node] = {"person": ir.Var(PERSON, "person", text="person")}
        reqs = self._rules(role.requirements, scope)
        excs = tuple(
            ir.Rule(e.label, self.condition(e.condition, scope), e.source, e.span, e.effect, e.overriding)
            for e in role.exceptions
        )
        self._labels_unique([*role.requirements, *role.exceptions])
        self._exceptions_consistent(role, excs)
        return ir.CheckedRole(role.name, reqs, excs, role.span)

    def _rules(self, reqs: tuple[ast.Requirement, ...], scope: dict[str, ir.Node]) -> tuple[ir.Rule, ...]:
        return tuple(ir.Rule(r.label, self.condition(r.condition, scope), r.source, r.span) for r in reqs)

    def _labels_unique(self, items: list[ast.Requirement | ast.Exception_] | list[ast.Requirement | ast.Preference]) -> None:
        seen: set[str] = set()
        for item in items:
            if item.label in seen:
                self.error("P113", f"two rules here are labelled \"{item.label}\"", item.span, "labels name rules in explanations: make each one different")
            seen.add(item.label)

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

    def _pair(self, pair: ast.Pair) -> ir.CheckedPair:
        ends = {k.ends for k in self.schema.relationships.values()}
        if (pair.first, pair.second) not in ends:
            known = ", ".join(f"{a}, {b}" for a, b in sorted(ends)) or "none"
            reverse = (pair.second, pair.first) in ends
            hint = f"write `pair {pair.second}, {pair.first}`" if reverse else f"relationship ends: {known}"
            self.error("P109", f"no relationship kind has the ends `{pair.first}, {pair.second}`", pair.span, hint)
        if pair.first == pair.second:
            self.error("P109", "a pair rule needs two different names", pair.span)
        scope: dict[str, ir.Node] = {
            pair.first: ir.Var(PERSON, pair.first, text=pair.first),
            pair.second: ir.Var(PERSON, pair.second, text=pair.second),
        }
        reqs = self._rules(pair.requirements, scope)
        prefs = tuple(
            ir.Rule(p.label, self.condition(p.condition, scope), p.source, p.span, "prefer", weight=p.weight)
            for p in pair.preferences
        )
        self._labels_unique([*pair.requirements, *pair.preferences])
        return ir.CheckedPair(pair.first, pair.second, reqs, prefs, pair.span)

    def condition(self, e: ast.Expr, scope: dict[str, ir.Node]) -> ir.Node:
        node = self.expr(e, scope)
        if node.type not in (BOOL, ANY):
            self.error("P117", f"a rule needs a yes/no condition, but `{node.text}` is {node.type.describe()}", e.span, "compare it with something, e.g. `>= 3 years`")
        return node

    # ----------------------------------------------------------------------- expressions

    def expr(self, e: ast.Expr, scope: Mapping[str, ir.Node], expect: Type | None = None) -> ir.Node:
        method = getattr(self, f"_{type(e).__name__}")
        # The parser bounds each expression as written; here a definition counts as its body
        # written out where it is used, which the parser cannot see (limits.MAX_NESTING).
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
        if n in self.defines:
            return self._expand(self.defines[n], (), scope, e)
        if n in self.params:
            p = self.params[n]
            return ir.Lit(p.type, p.value, n, text=n, span=e.span)
        if n in self.schema.constants:
            c = self.schema.constants[n]
            return ir.Lit(c.type, c.value, n, text=n, span=e.span)
        values = _values_of(expect)
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
        if len(args) != len(define.params):
            return self.error("P112", f"`{define.name}` takes {len(define.params)} argument{'s' if len(define.params) != 1 else ''}, got {len(args)}", at.span)
        if define.name in self.expanding:
            chain = " -> ".join([*self.expanding[self.expanding.index(define.name) :], define.name])
            return self.error("P114", f"`{define.name}` refers to itself ({chain})", define.span, "definitions cannot be recursive; write the condition out")
        self.expanding.append(define.name)
        self.expanded.add(define.name)
        inner = {k: v for k, v in scope.items() if k != "$item"}
        inner.update(zip(define.params, args))
        before = len(self.diags)
        node = self.expr(define.body, inner)
        self.expanding.pop()
        if len(self.diags) > before:
            return ir.Error(ANY, text="", span=at.span)
        return attrs.evolve(node, text=self.text(at.span) or node.text)

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
            if name in self.schema.facts:
                spec = self.schema.facts[name]
                return ir.Fact(spec.type, subject, name, path, spec.derive, text=path, span=span)
            ends = self.schema.ends()
            if name in ends:
                kinds = tuple(k.name for k in ends[name])
                return ir.Related(SetOf(PERSON), subject, name, kinds, text=path, span=span)
            if name in PLACE_KINDS:
                return ir.PlaceAbove(PLACE, subject, name, path, text=path, span=span)
            options = ["id", "name", "place", *self.schema.facts, *ends, *PLACE_KINDS]
            return self.error("P102", f"people have no fact `{name}`", name_span, self.did_you_mean(name, options) or "`accord schema` lists the facts")
        if t == PLACE:
            if name in ("id", "name", "kind"):
                return ir.ItemField(TEXT, subject, name, path, text=path, span=span)
            if name in PLACE_KINDS:
                return ir.PlaceAbove(PLACE, subject, name, path, text=path, span=span)
            return self.error("P102", f"places have no field `{name}`", name_span, self.did_you_mean(name, ["id", "name", "kind", *PLACE_KINDS]))
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
        if n in BUILTINS:
            return self._builtin(e, scope, text)
        if n in self.defines:
            args = tuple(self.expr(a, scope) for a in e.args)
            return self._expand(self.defines[n], args, scope, e)
        fn = self.schema.functions.get(n)
        if fn is None:
            options = [*BUILTINS, *self.defines, *self.schema.functions]
            return self.error("P105", f"unknown function `{n}`", e.span, self.did_you_mean(n, options))
        if len(e.args) != len(fn.params):
            return self.error("P112", f"`{n}` takes {len(fn.params)} argument{'s' if len(fn.params) != 1 else ''}, got {len(e.args)}", e.span)
        args = []
        for arg, want in zip(e.args, fn.params):
            node = self.expr(arg, scope, want)
            if node.type not in (want, ANY) and not (isinstance(want, SetOf) and node.type == SetOf(ANY)):
                self.error("P110", f"`{n}` needs {want.describe()} here, but `{node.text}` is {node.type.describe()}", arg.span)
            args.append(node)
        return ir.CallFn(fn.returns, n, fn.impl, tuple(args), text=text, span=e.span)

    def _builtin(self, e: ast.Call, scope: Mapping[str, ir.Node], text: str) -> ir.Node:
        n = e.name
        want = 2 if n == "sum" else 1
        if len(e.args) != want:
            return self.error("P112", f"`{n}` takes {want} argument{'s' if want > 1 else ''}, got {len(e.args)}", e.span)
        arg = self.expr(e.args[0], scope)
        if arg.type == ANY:
            return ir.Error(ANY, text=text, span=e.span)
        if n == "count":
            if not isinstance(arg.type, (EvidenceList, SetOf)):
                return self.error("P110", f"`count` needs evidence or a set, but `{arg.text}` is {arg.type.describe()}", e.args[0].span)
            return ir.Count(NUMBER, arg, text=text, span=e.span)
        if not isinstance(arg.type, EvidenceList):
            return self.error("P110", f"`{n}` needs evidence (`evidence KIND ...`), but `{arg.text}` is {arg.type.describe()}", e.args[0].span)
        kind = arg.type.kind
        if n == "latest":
            return ir.Latest(EvidenceItem(kind), arg, f"evidence {kind}", text=text, span=e.span)
        field = "hours"
        if n == "sum":
            second = e.args[1]
            if not isinstance(second, ast.Name):
                return self.error("P110", "the second argument of `sum` is the name of a numeric field", second.span)
            field = second.name
        fields = self._item_fields(EvidenceItem(kind))
        ft = fields.get(field)
        if ft is None or not isinstance(ft, (Quantity, Money)):
            numeric = [f for f, t in fields.items() if isinstance(t, (Quantity, Money))]
            return self.error("P102", f"{kind} evidence has no numeric field `{field}`", e.span, self.did_you_mean(field, numeric) or f"numeric fields: {', '.join(numeric)}")
        return ir.Sum(ft, arg, field, f"{field} of {kind} evidence", text=text, span=e.span)

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
            where = self.condition(e.where, inner)
        return ir.Evidence(EvidenceList(e.kind), e.kind, subject, var, where, text=self.text(e.span), span=e.span)

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
        left, right = self.expr(e.left, scope), self.expr(e.right, scope)
        text = self.text(e.span)
        lt, rt = left.type, right.type
        if ANY in (lt, rt):
            return ir.Error(ANY, text=text, span=e.span)
        if lt == DATE and e.op in "+-" and isinstance(rt, Quantity) and rt.unit in CALENDAR_UNITS:
            if isinstance(right, ir.Lit) and isinstance(right.value, Decimal) and right.value != right.value.to_integral_value():
                return self.error("P111", f"a date moves by whole {rt.unit}, not `{right.text}`", e.right.span, "write the amount in a smaller unit: `45 days`")
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
        if self.quantifiers >= limits.MAX_QUANTIFIERS:
            return self.error(
                "P133", f"more than {limits.MAX_QUANTIFIERS} `every`/`any` inside one another", e.span,
                "each one multiplies the work by the size of its set; count or filter instead, e.g. count(evidence ... where ...)",
            )
        self.quantifiers += 1
        try:
            body = self.condition(e.body, inner)
        finally:
            self.quantifiers -= 1
        return ir.Quantified(BOOL, e.kind, e.var, coll, body, text=text, span=e.span)


_LEAVES = (ast.Number, ast.QuantityLit, ast.MoneyLit, ast.DateLit, ast.StringLit, ast.BoolLit, ast.Today, ast.Name)


def _ordered(t: Type) -> bool:
    return isinstance(t, (Quantity, Money, Scale)) or t == DATE


def _values_of(t: Type | None) -> tuple[Choice | Scale, tuple[str, ...]] | None:
    while isinstance(t, SetOf):
        t = t.element
    if isinstance(t, Choice):
        return t, t.values
    if isinstance(t, Scale):
        return t, t.levels
    return None


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


def _atoms(node: ir.Node) -> Iterator[ir.Node]:
    """Every condition that holds when `node` does: itself and, through `and`, each part (the
    `and`s inside too, so that `d(person) and x` meets `not d(person)` when `d` is an `and`)."""
    yield node
    if isinstance(node, ir.And):
        for op in node.operands:
            yield from _atoms(op)


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
            if (isinstance(x, ir.Not) and x.operand == y) or (isinstance(y, ir.Not) and y.operand == x):
                return True
            fx, fy = _fixes(x), _fixes(y)
            if fx and fy and fx[0] == fy[0] and not (fx[1] & fy[1]):
                return True
    return False


def check(policy: ast.Policy, registry: Registry | None = None) -> CheckedPolicy:
    """Resolve and type-check a parsed policy; raises `PolicyError` with every problem found."""
    return _Checker(policy, registry or default_registry()).run()
