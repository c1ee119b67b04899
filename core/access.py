"""Evaluate the confidentiality question: may this viewer see this record, on the as-of date?

Deny by default. A policy's `record KIND` clauses name who may see evidence of that kind, each
name relative to the record's subject on the as-of date: `subject`, `author`, a relationship end
(`mentor`: the subject's mentor through a relationship valid that day) or a role held at or above
the subject's place (`coordinator`). `when shared by subject` needs the subject's consent, active
that day, covering the record (by id, kind or `component`); a withdrawn consent stops access from
its date. `except ... reveals to ... when ...` opens a record to more viewers on a condition.
`counts visible to` gives counts and totals, never content.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from . import ir
from .ir import record_layers
from .compile import CompiledPolicy
from .errors import UsageError, suggest
from .answers import HIDDEN, MET, Access
from .evaluate import pair_rule, run_block
from .explain import HIDDEN_REASON
from .outcome import Outcome
from .model import Evidence, Facts, Person
from .runtime import Context, Read, RecordingContext
from .values import Unknown


@attrs.frozen
class AccessDecision:
    """Whether a viewer may see a record, and the clause of the policy that says so."""

    outcome: Access
    viewer: str
    viewer_name: str
    record: str
    kind: str
    subject: str
    as_of: dt.date
    reason: str
    policy: str
    location: str | None = None
    layer: str | None = None
    missing: tuple[str, ...] = ()


def _relation(ctx: Context, name: str, viewer: Person, subject: Person, item: Evidence, policy: CompiledPolicy) -> bool:
    """Whether `viewer` stands as `name` to the record's subject on the as-of date."""
    if name == "subject":
        return viewer is subject
    if name == "author":
        return item.author == viewer.id
    ends = _ends(policy)
    if name in ends:  # a relationship end is never a role assignment (facts that say so are refused)
        return viewer in ctx.related(subject, name, ends[name])
    chain = {p.id for p in ctx.facts.place_chain(subject.place)}
    return any(
        r.role == name and r.period.contains(ctx.as_of) and (r.place is None or r.place in chain) for r in viewer.roles
    )


def _ends(policy: CompiledPolicy) -> Mapping[str, tuple[str, ...]]:
    return policy.checked.ends


def _consented(facts: Facts, viewer: Person, subject: Person, item: Evidence, day: dt.date) -> bool:
    names = {item.id, item.kind, str(item.fields.get("component", ""))}
    return any(
        c.subject == subject.id and c.viewer == viewer.id and c.active_on(day) and c.components & names
        for c in facts.consents
    )


def access(
    policy: CompiledPolicy,
    facts: Facts,
    viewer: str,
    record: str,
    as_of: dt.date | None = None,
    *,
    engine: str = "compiled",
) -> AccessDecision:
    """May `viewer` see the evidence item `record` on `as_of`? Deny unless a clause allows it."""
    as_of = as_of or dt.date.today()
    policy.check_in_force(as_of)
    who = facts.person(viewer)
    item = _record(facts, record)
    return decide_access(policy, facts, who, item, Context(facts, as_of), engine)


def _record(facts: Facts, record: str) -> Evidence:
    for item in facts.evidence:
        if item.id == record:
            return item
    hint = suggest(record, [e.id for e in facts.evidence])
    more = f"; did you mean `{hint}`?" if hint else ""
    raise UsageError(f"no record (evidence item) `{record}` in {facts.source}{more}")


def decide_access(
    policy: CompiledPolicy, facts: Facts, viewer: Person, item: Evidence, ctx: Context, engine: str = "compiled"
) -> AccessDecision:
    """The access decision for one viewer and one record in a context."""
    top = policy.checked.records.get(item.kind)
    if top is None:
        return _decide_layer(policy, facts, viewer, item, ctx, engine, f"record:{item.kind}", None)
    # A layer's record only narrows its parent's: the viewer must pass every layer's rules, and
    # the most restrictive answer stands (nearest layer first, so a tie names the nearest rule).
    answer: AccessDecision | None = None
    for key, rec in record_layers(item.kind, top):
        found = _decide_layer(policy, facts, viewer, item, ctx, engine, key, rec)
        if answer is None or _RANK[found.outcome] < _RANK[answer.outcome]:
            answer = found
    assert answer is not None
    return answer


_RANK = {Access.DENY: 0, Access.UNDETERMINED: 1, Access.COUNTS_ONLY: 2, Access.ALLOW: 3}


def _decide_layer(
    policy: CompiledPolicy, facts: Facts, viewer: Person, item: Evidence, ctx: Context, engine: str,
    key: str, rec: ir.CheckedRecord | None,
) -> AccessDecision:
    """The access decision under one layer's `record` rules (`key` is its block)."""
    subject = facts.people[item.subject]

    def decision(outcome: Access, reason: str, span: Any = None, missing: Iterable[str] = ()) -> AccessDecision:
        return AccessDecision(
            outcome, viewer.id, viewer.name, item.id, item.kind, subject.id, ctx.as_of, reason, policy.checked.name,
            str(span) if span else None, policy.checked.layer_name(span.file if span else None), tuple(sorted(missing)),
        )

    if rec is None:
        return decision(Access.DENY, f"no rule of the policy makes {item.kind} records visible (deny by default)")
    raws = run_block(policy, key, ctx, (item, subject, viewer), engine).rules
    conditional = iter(raws[: sum(1 for v in rec.visible if v.condition is not None)])
    reveal_raws = raws[sum(1 for v in rec.visible if v.condition is not None) :]
    counts: ir.CheckedVisible | None = None
    counts_as: list[str] = []
    unknown: set[str] = set()
    not_shared: str | None = None
    refused: tuple[str, str] | None = None
    for v in rec.visible:
        verdict: Any = True
        if v.condition is not None:
            verdict = next(conditional)[0]
        names = [n for n in v.viewers if _relation(ctx, n, viewer, subject, item, policy)]
        if not names:
            continue
        if v.shared and not _consented(facts, viewer, subject, item, ctx.as_of):
            not_shared = names[0]
            continue
        if verdict.__class__ is Unknown:
            unknown |= verdict.missing
            continue
        if verdict is not True:
            refused = (names[0], v.condition.text if v.condition is not None else "")
            continue
        if v.counts_only:
            if counts is None:
                counts, counts_as = v, names
            continue
        how = " (shared by the subject)" if v.shared else ""
        return decision(Access.ALLOW, f"the viewer is the record's {names[0]}{how}", v.span)
    for rule, viewers, raw in zip(rec.reveals, rec.reveal_viewers, reveal_raws):
        names = [n for n in viewers if _relation(ctx, n, viewer, subject, item, policy)]
        if not names:
            continue
        if raw[0] is True:
            return decision(Access.ALLOW, f"exception \"{rule.label}\" reveals it to the subject's {names[0]}", rule.span)
        if raw[0].__class__ is Unknown:
            unknown |= raw[0].missing
    if unknown:
        return decision(Access.UNDETERMINED, "a condition that could allow it is unknown (treated as deny)", rec.span, unknown)
    if counts is not None:
        return decision(Access.COUNTS_ONLY, f"counts and totals only: the viewer is the record's {', '.join(counts_as)}", counts.span)
    if refused is not None:
        return decision(Access.DENY, f"the viewer is the record's {refused[0]}, but `{refused[1]}` does not hold on {ctx.as_of.isoformat()}", rec.span)
    if not_shared is not None:
        return decision(Access.DENY, f"the viewer is the record's {not_shared}, but the subject has not shared this record with them on {ctx.as_of.isoformat()} (or has withdrawn it)", rec.span)
    return decision(Access.DENY, f"no clause of `record {item.kind}` names this viewer on {ctx.as_of.isoformat()} (deny by default)", rec.span)


# --------------------------------------------------------------------------- what a viewer is shown
#
# Redaction reads provenance, not policy text: each rule is evaluated again in a
# `RecordingContext`, which notes every record read on the way, by the policy's own `evidence`
# queries, by `count`/`sum`, by a quantifier over anyone's records, by a definition, or by a plugin
# function (plugins read records only through `runtime.Records`, which reads through the same
# context). A rule whose reads include a record the viewer may not see is shown as hidden, and so
# is everything computed from its value: its status, values, distance, trace and missing facts,
# the score it adds to, and the "decided by" its exception could change.


class Visibility:
    """What one viewer may see of the facts on one date; answers are kept per record."""

    def __init__(self, policy: CompiledPolicy, facts: Facts, viewer: Person, as_of: dt.date) -> None:
        self.policy, self.facts, self.viewer = policy, facts, viewer
        self.ctx = Context(facts, as_of)
        self._level: dict[str, Access] = {}

    def level(self, item: Evidence) -> Access:
        """How much of the record the viewer may see; undetermined counts as deny."""
        found = self._level.get(item.id)
        if found is None:
            found = decide_access(self.policy, self.facts, self.viewer, item, self.ctx).outcome
            found = self._level[item.id] = Access.DENY if found is Access.UNDETERMINED else found
        return found

    def hides(self, reads: Iterable[Read]) -> bool:
        """Whether any of these reads touched a record the viewer may not see (at the depth it was read)."""
        for subject, kind, aggregate in reads:
            for item in self.facts.evidence_of(subject, kind):  # every item of the kind, whatever its date
                level = self.level(item)
                if level is Access.DENY or (level is Access.COUNTS_ONLY and not aggregate):
                    return True
        return False

    def rule_hidden(self, rule: ir.Rule, env: Mapping[str, Any], since: dt.date | None = None) -> bool:
        """Whether the rule's value rests on a record the viewer may not see."""
        return self.hides(rule_reads(self.facts, self.ctx.as_of, rule.condition, env, since))


def rule_reads(facts: Facts, as_of: dt.date, node: ir.Node, env: Mapping[str, Any], since: dt.date | None = None) -> set[Read]:
    """Every record an expression reads, evaluated in full (each part of an and/or, as `--explain` does)."""
    from .interpret import Interpreter

    ctx = RecordingContext(facts, as_of, since)
    Interpreter(ctx).trace(node, dict(env))
    return ctx.reads


def _hidden_result(result: Any) -> Any:
    return attrs.evolve(
        result, status=HIDDEN, actual=None, required=None, actual_text=None,
        required_text=None, op=None, distance=None, trace=None, missing=(), because=HIDDEN_REASON,
    )


def redact(decision: Any, policy: CompiledPolicy, facts: Facts, viewer: str) -> Any:
    """The decision as `viewer` may see it: everything computed from records they may not see is hidden.

    The outcome stays (it is the answer asked for). A rule that read a record the viewer may not
    see (or, for a counts-only viewer, read more than its count and totals) is shown as `hidden`,
    with neither its status nor its values, distance or explanation trace; the score counts only
    the preferences the viewer may see, and "decided by" is withheld when any exception is hidden.
    """
    seen = Visibility(policy, facts, facts.person(viewer), decision.as_of)
    c = policy.checked
    if decision.question == "pair":
        _, pair = pair_rule(policy, (decision.role, decision.other_role) if decision.other_role else None)
        groups = [(pair.requirements, decision.requirements), (pair.preferences, decision.preferences)]
        env: dict[str, Any] = {pair.first: facts.person(decision.subject), pair.second: facts.person(decision.other)}
    else:
        role = c.role(decision.role)
        groups = [(role.requirements, decision.requirements), (role.exceptions, decision.exceptions)]
        env = {"person": facts.person(decision.subject)}
    redacted: list[tuple[Any, ...]] = []
    for rules, shown in groups:
        redacted.append(tuple(_hidden_result(r) if seen.rule_hidden(rule, env) else r for rule, r in zip(rules, shown)))
    withheld = []
    # what is still missing is read off the rules the viewer may see, as `decide` reads it off all
    # (a pair's preferences never count), never off a hidden one and never off whether one is missing
    counted = redacted[:1] if decision.question == "pair" else redacted
    missing = [] if decision.outcome is Outcome.YES else sorted({m for group in counted for r in group for m in r.missing})
    if decision.question == "pair":
        prefs = redacted[1]
        score = decision.score
        if any(p.status == HIDDEN for p in prefs):
            score = sum((p.weight or Decimal(0) for p in prefs if p.status == MET), Decimal(0))
            withheld.append("score")
        return attrs.evolve(
            decision, requirements=redacted[0], preferences=prefs, score=score, viewer=viewer,
            missing=tuple(missing), withheld=tuple(withheld),
        )
    decided_by = decision.decided_by
    if any(e.status == HIDDEN for e in redacted[1]):
        decided_by = None  # which exception decided depends on every exception's value
        withheld.append("decided_by")
    return attrs.evolve(
        decision, requirements=redacted[0], exceptions=redacted[1], decided_by=decided_by, viewer=viewer,
        missing=tuple(missing), withheld=tuple(withheld),
    )
