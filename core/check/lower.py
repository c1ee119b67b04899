"""Stage 4 of the checker, lowering: roles, pair rules, incentives, records and commitments into
the IR blocks that the compiler and the interpreter run."""

from __future__ import annotations

from decimal import Decimal

import attrs

from .. import ast, ir
from ..calendars import PERIOD_WORDS
from ..ir import CheckedPolicy
from ..model import PLACE_KINDS
from ..schema import Programme
from ..values import (
    ANY,
    DATE,
    NUMBER,
    PERSON,
    PLACE,
    TEXT,
    EvidenceItem,
    Money,
    Quantity,
    Rate,
)
from .base import CAPACITY_PARAMETER, CheckerBase


class Lowering(CheckerBase):
    """Stage 4 of the checker, lowering: roles, pair rules, incentives, records and commitments into"""

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
            ir.Rule(p.label, self.condition(p.condition, scope), p.source, p.span, "prefer", weight=p.weight, first=p.first)
            for p in pair.preferences
        )
        self._labels_unique([*pair.requirements, *pair.preferences])
        self._tiers(pair)
        return ir.CheckedPair(pair.first, pair.second, reqs, prefs, pair.span)

    def _tiers(self, pair: ast.Pair) -> None:
        """A `first` preference must weigh something and must stand before some other preference."""
        for p in pair.preferences:
            if p.first and p.weight <= 0:
                self.error(
                    "P180", f"the `first` preference `{p.label}` has weight {p.weight}, so meeting it first gains nothing",
                    p.span, "give it a weight above 0, or drop `first`",
                )
        if pair.preferences and all(p.first for p in pair.preferences):
            self.warn(
                "P181", f"every preference of `pair {pair.first}, {pair.second}` is `first`, so `first` orders nothing",
                pair.preferences[0].span,
                "mark `first` only the preferences a match should meet before the others (the handbook's 'preferable')",
            )

    def _capacity(self) -> None:
        """`mentees_per_mentor`, read by `accord match`, must be a whole number of at least 1."""
        param = self.params.get(CAPACITY_PARAMETER)
        if param is None:
            return
        value = param.value
        if param.type != NUMBER or not isinstance(value, Decimal) or value < 1 or value != value.to_integral_value():
            shown = value if isinstance(value, Decimal) else param.type.describe()
            self.error(
                "P182", f"`{CAPACITY_PARAMETER}` is how many mentees a mentor may take, a whole number of at least 1, not {shown}",
                param.span, f"write e.g. `parameter {CAPACITY_PARAMETER} = 2 may lower`",
            )

    def _incentive(self, inc: ast.Incentive, programme: Programme | None) -> ir.CheckedIncentive:
        if inc.receiver is not None or self._is_place_kind(inc.to, programme):
            return self._incentive_to_place(inc, programme)
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
        for clause in dict.fromkeys(inc.repeated):
            word = {"payer": "paid by"}.get(clause, clause)
            self.error("P151", f"incentive \"{inc.label}\" says `{word}` more than once", inc.span, f"keep one `{word}`: only the last one would count")
        # several `amount`s are parts of one award, added up per currency and unit
        amounts = []
        for written in inc.amounts or ((inc.amount,) if inc.amount is not None else ()):
            node = self.top(self.expr(written, scope))
            if node.type != ANY and not (isinstance(node.type, Money) or (isinstance(node.type, Quantity) and node.type.unit in ("pdps", "hours", "days"))):
                self.error("P110", f"an incentive's amount is money, PDPs, or hours or days of release time, not {node.type.describe()}", written.span)
            amounts.append(node)
        amount = amounts[0] if amounts else None
        if amount is None and not inc.vouchers and not inc.recognitions:
            self.error("P128", f"incentive \"{inc.label}\" gives nothing", inc.span, "add `amount USD 500`, `amount 10 pdps`, `voucher \"...\"` or `recognition \"...\"`")
        payer = None
        if inc.payer is not None:
            payer = self.top(self.expr(inc.payer, scope))
            if payer.type not in (PLACE, TEXT, ANY):
                self.error("P110", f"`paid by` names a place (`region`, `mentee.district`) or an organisation in quotes, not {payer.type.describe()}", inc.payer.span)
        reqs = self._rules(inc.requirements, scope)
        self._labels_unique(list(inc.requirements))
        return ir.CheckedIncentive(
            inc.label, inc.to, per, other, kinds, amount, inc.vouchers, inc.recognitions, payer, reqs, inc.source,
            self._right(inc.right, inc.span), inc.span, amounts=tuple(amounts) if len(amounts) > 1 else (),
        )

    def _is_place_kind(self, name: str, programme: Programme | None) -> bool:
        """`to region`: a kind of place, unless the programme has a role or an end of that name."""
        roles = {r.name for r in programme.roles} if programme is not None else set()
        return name in PLACE_KINDS and name not in roles and name not in self.schema.ends()

    def _incentive_to_place(self, inc: ast.Incentive, programme: Programme | None) -> ir.CheckedIncentive:
        """`incentive "..." to region per mentor`: the place receives it, once for each person (or
        relationship) the same incentive `to mentor` would be given for; `person` is that one."""
        shown = inc.to or "PLACE"
        if inc.per is None or inc.per in ("relationship", "person"):
            message = (
                f"incentive \"{inc.label}\" goes to a place: `per {inc.per}` must name the role it is given per instead"
                if inc.per else f"incentive \"{inc.label}\" goes to a place but does not say per whom it is given"
            )
            self.error("P291", message, inc.span, f"name a role or relationship end: `to {shown} per mentor`")
            return ir.CheckedIncentive(inc.label, "", "person", None, (), None, (), (), None, (), inc.source, "fixed", inc.span)
        checked = self._incentive(attrs.evolve(inc, to=inc.per, per=None, receiver=None), programme)
        person = ir.Var(PERSON, "person", text="person")
        scope: dict[str, ir.Node] = {"person": person, checked.to: ir.Var(PERSON, "person", text=checked.to)}
        if checked.other:
            scope[checked.other] = ir.Var(PERSON, checked.other, text=checked.other)
        if inc.receiver is None:  # `to region`: the region of the one it is given per (`mentor.region`)
            path = f"{checked.to}.{inc.to}"
            receiver: ir.Node = ir.PlaceAbove(PLACE, person, inc.to, path, text=path, span=inc.span)
        else:
            receiver = self.top(self.expr(inc.receiver, scope))
            if receiver.type not in (PLACE, ANY):
                self.error(
                    "P292", f"an incentive goes to a role, a relationship end or a place, but `{receiver.text}` is {receiver.type.describe()}",
                    inc.receiver.span, "name a place: `to region per mentor`, `to mentee.district per mentor`",
                )
        return attrs.evolve(checked, receiver=receiver)

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
        floor = self._record(rec.floor, programme) if rec.floor is not None else None
        right = rec.right
        if right not in (None, "change", "widen"):
            self.error("P119", f"`may {right}`: a record is either fixed (layers below may only narrow it) or `may widen`", rec.span)
        retention = self._retention(rec) if rec.retention is not None else None
        return ir.CheckedRecord(rec.kind, tuple(visible), tuple(reveals), tuple(r.viewers for r in rec.reveals), right or "fixed", rec.span, floor, retention)

    def _retention(self, rec: ast.Record) -> ir.CheckedRetention | None:
        kept = rec.retention
        assert kept is not None
        units = ("years",) if kept.academic else ("days", "weeks", "months", "years")
        unit = kept.unit if kept.unit.endswith("s") else kept.unit + "s"  # `kept 1 year`
        if unit not in units:
            what = "academic years" if kept.academic else "days, weeks, months or years"
            self.error("P282", f"a record is kept for {what}, not `{kept.unit}`", kept.span, f"e.g. `kept 3 {'academic ' if kept.academic else ''}years`")
            return None
        if kept.amount < 1:
            self.error("P283", f"a record is kept for a whole number of {unit}, at least 1", kept.span, "e.g. `kept 3 academic years`")
            return None
        return ir.CheckedRetention(kept.amount, unit, kept.academic, kept.purpose, kept.source, kept.span)

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
                measure = self.top(self.expr(part.measure, scope))
                required = self.top(self.expr(part.required, scope, measure.type))
                if part.kind == "quota" and (part.start is not None or isinstance(required.type, Rate)):
                    required = self._pace(part, required, scope)  # type: ignore[attr-defined]
                if ANY not in (measure.type, required.type):
                    if not isinstance(measure.type, (Quantity, Money)):
                        self.error("P110", f"`at least ... of` needs an amount to count, but `{measure.text}` is {measure.type.describe()}", part.measure.span, "use `hours(evidence KIND ...)` or `count(evidence KIND ...)`")
                    else:
                        required, measure = self._unify(required, measure, ">=", part.span)
            if part.due is not None:
                due = self.top(self.expr(part.due, scope))
                if due.type not in (DATE, ANY):
                    self.error("P110", f"a due date must be a date, but `{due.text}` is {due.type.describe()}", part.due.span)
            if part.start is not None and part.kind != "quota":  # a quota's `from` is its pace's start
                start = self.top(self.expr(part.start, scope))
                if start.type not in (DATE, ANY):
                    self.error("P110", f"`from` needs a date, but `{start.text}` is {start.type.describe()}", part.start.span)
            if part.condition is not None:
                cond = self.condition(part.condition, scope)
            self._dated(part, cond if part.kind == "deadline" else measure if due is not None else None)
            period = None
            if part.period is not None:
                period = {"week": "week", "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year", **PERIOD_WORDS}.get(part.period)
                if period is None:
                    self.error("P119", f"`every {part.period}`: a recurring expectation is every week, month or year, or every term, semester or school year of a school calendar", part.span)
                elif part.start is None and self.policy.header.effective_from is None:
                    self.warn(
                        "P153",
                        f"`every {part.period}` has no `from` date and the policy no `effective` date, so its periods start at each person's first record",
                        part.span,
                        f"write `every {part.period} from DATE` (or `from person.first_teaching_day`)",
                    )
            label = part.label or {
                "quota": f"at least {required.text if required else ''} of {measure.text if measure else ''}",
                "deadline": f"by {due.text if due else ''}",
                "recurring": f"every {part.period}",
                **({"deadline": f"within {due.text}"} if isinstance(part.due, ast.Within) and due is not None else {}),
            }[part.kind]
            parts.append(ir.CheckedPart(part.kind, label, required, measure, due, cond, period, start, part.span))
        applies = self.condition(com.applies, scope) if com.applies is not None else None
        owed_place = None
        if com.owed_by is not None:
            if com.owed_by not in PLACE_KINDS:
                hint = self.did_you_mean(com.owed_by, PLACE_KINDS) or f"a place kind: {', '.join(PLACE_KINDS)}"
                self.error("P290", f"`owed by {com.owed_by}`: a duty is owed by a kind of place, not `{com.owed_by}`", com.owed_span or com.span, hint)
            else:  # the person's place of that kind, read like `person.district`
                path = f"{com.role}.{com.owed_by}"
                owed_place = ir.PlaceAbove(PLACE, scope["person"], com.owed_by, path, text=path, span=com.owed_span)
        return ir.CheckedCommitment(
            com.label, com.role, com.source, tuple(parts), self._right(com.right, com.span), com.span, applies,
            owed_by=com.owed_by if owed_place is not None else None, owed_place=owed_place,
        )

    def _dated(self, part: ast.Part, node: ir.Node | None) -> None:
        """Warn when a deadline (or a quota with a due date) reads nothing that has a date (P150)."""
        if node is None or node.type == ANY or ir.dated(node):
            return
        facts = ir.facts_read(node)
        shown = f" ({', '.join(f'`{f}`' for f in facts)})" if facts else ""
        what = "deadline" if part.kind == "deadline" else "quota"
        self.warn(
            "P150",
            f"this {what} reads nothing that has a date{shown}, so the day it was met cannot be known",
            part.span,
            "count dated records instead (`count(evidence KIND) >= 1`); a condition that must hold now belongs in a role's `require`",
        )

    def _no_unchecked_nodes(self, checked: CheckedPolicy) -> None:
        """A safety net: a node the checker could not type must never reach the compiler."""

        seen: set[int] = set()

        def walk(node: ir.Node) -> ir.Node | None:
            if isinstance(node, ir.Error):
                return node
            if id(node) in seen:  # a part shared by definitions' expansions
                return None
            seen.add(id(node))
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
