"""Evaluate the incentives question: what does a person receive, what would they, and why not.

An incentive is given once per relationship (for each relationship valid on the as-of date in
which the person stands at the incentive's `to` end) or once per person. Its requirements
combine with Kleene logic like a role's; an amount that is not set (a `none` parameter) makes a
met incentive undetermined, naming the parameter. Totals are per kind: money per currency,
PDPs, hours or days of release time, vouchers and recognitions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from . import ir
from .compile import CompiledPolicy
from .answers import RuleResult
from .evaluate import combine, run_block
from .explain import parameters_used, results
from .model import Facts, Person, Place
from .outcome import Outcome
from .runtime import Context, RuleFailure
from .values import Money, Quantity, Unknown, show_money, show_number


@attrs.frozen
class AwardPart:
    """One of several `amount`s of an incentive: its value (None when not known), kind and unit."""

    written: str
    kind: str
    amount: Decimal | None
    unit: str | None

    @property
    def amount_text(self) -> str | None:
        return None if self.amount is None else _shown(self.kind, self.unit, self.amount)


def _shown(kind: str, unit: str | None, amount: Decimal) -> str:
    return f"{unit} {show_money(amount)}" if kind == "money" else f"{show_number(amount)} {unit}"


@attrs.frozen
class Award:
    """One incentive, for one relationship or for the person: received, not received, or unknown."""

    label: str
    outcome: Outcome
    kind: str  # money | pdps | release time | voucher | recognition | none
    amount: Decimal | None
    unit: str | None
    vouchers: tuple[str, ...]
    recognitions: tuple[str, ...]
    payer: str | None
    partner: str | None
    partner_name: str | None
    #: the partner's end of the relationship (`mentee`, `candidate`)
    partner_role: str | None
    requirements: tuple[RuleResult, ...]
    missing: tuple[str, ...]
    #: the parameters its amount and requirements read: (name, value, the layer that set it)
    parameters: tuple[tuple[str, str, str | None], ...]
    reason: str
    source: str | None
    location: str | None
    layer: str | None
    #: what would say who pays, when `paid by` cannot be worked out (`mentee.region`)
    payer_missing: tuple[str, ...] = ()
    #: the parts of an incentive with several `amount`s, in order (`amount` is then their total
    #: when they are all of one kind and unit, else None); () for one amount
    parts: tuple[AwardPart, ...] = ()
    #: an incentive to a place (`to region per mentor`): the place that receives it (id and name;
    #: None when it cannot be worked out), and the role of the person it is given per
    receiver: str | None = None
    receiver_name: str | None = None
    through: str | None = None

    @property
    def amount_text(self) -> str | None:
        if self.parts:
            shown = [p.amount_text for p in self.parts if p.amount_text is not None]
            if self.amount is not None:
                return f"{_shown(self.kind, self.unit, self.amount)} ({' + '.join(shown)})"
            return " + ".join(shown) or None
        if self.amount is None:
            return None
        return _shown(self.kind, self.unit, self.amount)

    def amounts(self) -> list[tuple[str, str | None, Decimal]]:
        """Each known amount as (kind, unit, value): the parts, or the one amount."""
        if self.parts:
            return [(p.kind, p.unit, p.amount) for p in self.parts if p.amount is not None]
        return [(self.kind, self.unit, self.amount)] if self.amount is not None else []


@attrs.frozen
class IncentiveReport:
    """Every incentive of a policy for one person, with totals of what they receive."""

    subject: str
    subject_name: str
    policy: str
    policy_file: str
    as_of: dt.date
    awards: tuple[Award, ...]

    @property
    def outcome(self) -> Outcome:
        """Undetermined if any award depends on something missing, else yes if any is received, else no."""
        outcomes = {a.outcome for a in self.awards}
        return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.YES if Outcome.YES in outcomes else Outcome.NO

    @property
    def exit_code(self) -> int:
        """3 if something depends on missing facts, else 0 if the person receives something, else 1."""
        return self.outcome.exit_code

    def totals(self, outcome: Outcome = Outcome.YES) -> dict[str, str]:
        """Totals per kind of the awards with this outcome: `{"money": "USD 1214", ...}`."""
        sums: dict[tuple[str, str | None], Decimal] = {}
        vouchers: list[str] = []
        recognitions: list[str] = []
        for a in self.awards:
            if a.outcome is not outcome:
                continue
            for kind, unit, amount in a.amounts():
                sums[(kind, unit)] = sums.get((kind, unit), Decimal(0)) + amount
            vouchers += a.vouchers
            recognitions += a.recognitions
        out: dict[str, str] = {}
        for (kind, unit), total in sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            text = f"{unit} {show_money(total)}" if kind == "money" else f"{show_number(total)} {unit}"
            key = kind if kind != "money" else f"money ({unit})"
            out[key] = f"{out[key]} + {text}" if key in out else text  # release time: `3 days + 10 hours`
        if vouchers:
            out["vouchers"] = _counted(vouchers)
        if recognitions:
            out["recognitions"] = _counted(recognitions)
        return out


def _counted(items: list[str]) -> str:
    """`certificate, badge` or, when one is given twice, `certificate (2), badge`."""
    counts = dict.fromkeys(items, 0)
    for item in items:
        counts[item] += 1
    return ", ".join(f"{item} ({n})" if n > 1 else item for item, n in counts.items())


def _kind(inc: ir.CheckedIncentive) -> tuple[str, str | None]:
    t = inc.amount.type if inc.amount is not None else None
    if t is None:
        return ("voucher", None) if inc.vouchers else ("recognition", None) if inc.recognitions else ("none", None)
    return _kind_of(t)


def _kind_of(t: Any) -> tuple[str, str | None]:
    if isinstance(t, Money):
        return "money", t.currency
    if isinstance(t, Quantity) and t.unit == "pdps":
        return "pdps", "PDPs"
    return "release time", t.unit


def _payer(value: Any) -> str | None:
    if value is None or value.__class__ is Unknown or isinstance(value, RuleFailure):
        return None
    return value.label() if isinstance(value, Place) else str(value)


def _award(
    policy: CompiledPolicy,
    index: int,
    inc: ir.CheckedIncentive,
    ctx: Context,
    person: Person,
    partner: Person | None,
    engine: str,
) -> Award:
    values = (person, partner) if inc.other else (person,)
    result = run_block(policy, f"incentive:{index}", ctx, values, engine)
    env = {"person": person, inc.other: partner} if inc.other else {"person": person}
    reqs = results(policy, inc.requirements, result.rules, ctx, env)
    outcome, _ = combine(reqs, ())
    missing = {m for r in reqs for m in r.missing}
    kind, unit = _kind(inc)
    amount = None
    reason = ""
    parts: list[AwardPart] = []
    for name, node in inc.amount_names():
        value = result.values[name]
        known = None
        if value.__class__ is Unknown:
            missing |= value.missing
            if outcome is Outcome.YES:
                outcome = Outcome.UNKNOWN
                reason = "the amount is not set: " + ", ".join(sorted(value.missing))
        elif isinstance(value, RuleFailure):
            outcome, reason = Outcome.UNKNOWN, f"the amount could not be computed: {value.message}"
        else:
            known = value
        if inc.amounts:
            kind_of, unit_of = _kind_of(node.type)
            parts.append(AwardPart(node.text, kind_of, known, unit_of))
        else:
            amount = known
    if parts and len({(p.kind, p.unit) for p in parts}) == 1 and all(p.amount is not None for p in parts):
        amount = sum((p.amount for p in parts if p.amount is not None), Decimal(0))
    paid_by = result.values.get("payer")
    payer = _payer(paid_by)
    payer_missing: tuple[str, ...] = ()
    if paid_by.__class__ is Unknown:
        payer_missing = tuple(sorted(paid_by.missing))
        missing |= paid_by.missing
    receiver = receiver_name = None
    if inc.receiver is not None:
        to = result.values.get("receiver")
        if isinstance(to, Place):
            receiver, receiver_name = to.id, to.label()
        elif to.__class__ is Unknown:
            missing |= to.missing
    if not reason:
        failing = [r for r in reqs if r.status != "met"]
        reason = "; ".join(f"{r.label}: {r.because}" for r in failing)
    return Award(
        label=inc.label,
        outcome=outcome,
        kind=kind,
        amount=amount,
        unit=unit,
        vouchers=inc.vouchers,
        recognitions=inc.recognitions,
        payer=payer,
        partner=partner.id if partner else None,
        partner_name=partner.name if partner else None,
        partner_role=inc.other if partner else None,
        requirements=reqs,
        missing=tuple(sorted(missing)),
        parameters=parameters_used(policy, f"incentive:{index}", ctx.as_of),
        reason=reason,
        source=inc.source,
        location=str(inc.span) if inc.span else None,
        layer=policy.checked.layer_name(inc.span.file if inc.span else None),
        payer_missing=payer_missing,
        parts=tuple(parts),
        receiver=receiver,
        receiver_name=receiver_name,
        through=inc.to if inc.receiver is not None else None,
    )


def incentives(
    policy: CompiledPolicy, facts: Facts, person: str, as_of: dt.date | None = None, *, engine: str = "compiled",
    to_places: bool = False,
) -> IncentiveReport:
    """What `person` receives under the policy's incentives on `as_of`, and what they do not, and why.

    With `to_places`, instead, what places receive through the person: the incentives `to` a place
    (`to region per mentor`) given for them (`places.place_incentives` asks this way).
    """
    as_of = as_of or dt.date.today()
    policy.check_in_force(as_of)
    if facts.dated:
        facts = facts.on(as_of)  # dated facts: the values in force on the as-of date
    subject = facts.person(person)
    ctx = Context(facts, as_of)
    awards: list[Award] = []
    for index, inc in enumerate(policy.checked.incentives):
        if (inc.receiver is not None) != to_places:  # a place's incentive is not the person's, and back
            continue
        if inc.per == "person":
            awards.append(_award(policy, index, inc, ctx, subject, None, engine))
            continue
        assert inc.other is not None
        partners = sorted(ctx.related(subject, inc.other, inc.kinds), key=lambda p: p.id)
        for partner in partners:
            awards.append(_award(policy, index, inc, ctx, subject, partner, engine))
        if not partners and not to_places:
            kind, unit = _kind(inc)
            awards.append(
                Award(
                    inc.label, Outcome.NO, kind, None, unit, (), (), None, None, None, None, (), (), (),
                    f"no {' or '.join(inc.kinds)} relationship as {inc.to} on {as_of.isoformat()}",
                    inc.source, str(inc.span) if inc.span else None, policy.checked.layer_name(inc.span.file if inc.span else None),
                )
            )
    return IncentiveReport(subject.id, subject.name, policy.checked.name, policy.checked.file, as_of, tuple(awards))



