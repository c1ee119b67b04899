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
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from . import ir
from .compile import CompiledPolicy
from .errors import UsageError, suggest
from .evaluate import HIDDEN, _check_in_force, pair_rule, run_block
from .model import Evidence, Facts, Person
from .runtime import Context
from .values import Unknown


class Access(enum.Enum):
    """How much of a record a viewer may see, from most to least."""

    ALLOW = "allow"
    COUNTS_ONLY = "counts_only"
    DENY = "deny"
    UNDETERMINED = "undetermined"

    @property
    def exit_code(self) -> int:
        """0 allow, 1 deny, 3 undetermined, 4 counts only."""
        return {Access.ALLOW: 0, Access.DENY: 1, Access.UNDETERMINED: 3, Access.COUNTS_ONLY: 4}[self]


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
    if name in ends and viewer in ctx.related(subject, name, ends[name]):
        return True
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
    _check_in_force(policy, as_of)
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
    subject = facts.people[item.subject]
    rec = policy.checked.records.get(item.kind)

    def decision(outcome: Access, reason: str, span: Any = None, missing: Iterable[str] = ()) -> AccessDecision:
        return AccessDecision(
            outcome, viewer.id, viewer.name, item.id, item.kind, subject.id, ctx.as_of, reason, policy.checked.name,
            str(span) if span else None, policy.checked.layer_name(span.file if span else None), tuple(sorted(missing)),
        )

    if rec is None:
        return decision(Access.DENY, f"no rule of the policy makes {item.kind} records visible (deny by default)")
    raws, _ = run_block(policy, f"record:{item.kind}", ctx, (item, subject, viewer), engine)
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


def visible_level(policy: CompiledPolicy, facts: Facts, viewer: Person, item: Evidence, ctx: Context) -> Access:
    """How much of `item` the viewer may see; undetermined counts as deny."""
    outcome = decide_access(policy, facts, viewer, item, ctx).outcome
    return Access.DENY if outcome is Access.UNDETERMINED else outcome


# --------------------------------------------------------------------------- what a viewer is shown


def evidence_read(node: ir.Node, aggregate: bool = False) -> set[tuple[str, bool]]:
    """(evidence kind, read only in aggregate?) for each kind of evidence an expression reads.

    `count` and `sum`/`hours` read evidence in aggregate (counts and totals); anything else
    (`latest(...).rating`, a quantifier over items) reads its content.
    """
    found: set[tuple[str, bool]] = set()
    if isinstance(node, ir.Evidence):
        # a filter reads the items' content, even inside a count (`where topic = "..."`)
        found.add((node.kind, aggregate and node.where is None))
    inner = isinstance(node, (ir.Count, ir.Sum))
    for child in ir.children(node):
        found |= evidence_read(child, aggregate or inner)
    return found


def reads_others(node: ir.Node, bound: frozenset[str]) -> bool:
    """Whether an expression reads evidence of anyone but the people bound to `bound` (`of e.author`)."""
    if isinstance(node, ir.Evidence) and not (isinstance(node.subject, ir.Var) and node.subject.name in bound):
        return True
    return any(reads_others(child, bound) for child in ir.children(node))


def hidden_kinds(
    policy: CompiledPolicy,
    facts: Facts,
    viewer: Person,
    subjects: Iterable[Person],
    rules: Iterable[ir.Rule],
    ctx: Context,
    bound: Iterable[str] = ("person",),
) -> set[str]:
    """The evidence kinds that rules read and the viewer may not see, for the subjects' records.

    `bound` names the rules' variables that stand for the subjects; a rule that reads evidence of
    anyone else (`evidence summative_evaluation of latest(evidence mentoring_log).author`) is
    checked against everyone's records of that kind.
    """
    hidden: set[str] = set()
    subjects, names = list(subjects), frozenset(bound)
    for rule in rules:
        readers = list(facts.people.values()) if reads_others(rule.condition, names) else subjects
        for kind, aggregate in evidence_read(rule.condition):
            for subject in readers:
                for item in facts.evidence_of(subject.id, kind):
                    level = visible_level(policy, facts, viewer, item, ctx)
                    if level is Access.DENY or (level is Access.COUNTS_ONLY and not aggregate):
                        hidden.add(kind)
    return hidden


def redact(decision: Any, policy: CompiledPolicy, facts: Facts, viewer: str) -> Any:
    """The decision as `viewer` may see it: values read from records they may not see are hidden.

    The outcome stays (it is the answer asked for); a rule that read the content of a record the
    viewer may not see (or, for a counts-only viewer, filtered it) is shown as `hidden`, with
    neither its status nor its values, distance or explanation trace.
    """
    who = facts.person(viewer)
    ctx = Context(facts, decision.as_of)
    c = policy.checked
    if decision.question == "pair":
        _, pair = pair_rule(policy, (decision.role, decision.other_role) if decision.other_role else None)
        groups = [(pair.requirements, decision.requirements), (pair.preferences, decision.preferences)]
        subjects = [facts.person(decision.subject), facts.person(decision.other)]
        bound: tuple[str, ...] = (pair.first, pair.second)
    else:
        role = c.role(decision.role)
        groups = [(role.requirements, decision.requirements), (role.exceptions, decision.exceptions)]
        subjects = [facts.person(decision.subject)]
        bound = ("person",)
    redacted = []
    for rules, shown in groups:
        out = []
        for rule, result in zip(rules, shown):
            if hidden_kinds(policy, facts, who, subjects, [rule], ctx, bound):
                result = attrs.evolve(
                    result, status=HIDDEN, actual=None, required=None, actual_text=None,
                    required_text=None, op=None, distance=None, trace=None, missing=(),
                )
            out.append(result)
        redacted.append(tuple(out))
    if decision.question == "pair":
        missing = sorted({m for r in redacted[0] for m in r.missing}) if decision.missing else []
        return attrs.evolve(decision, requirements=redacted[0], preferences=redacted[1], viewer=viewer, missing=tuple(missing))
    # what is still missing is read off the rules the viewer may see, never off a hidden one
    missing = sorted({m for group in redacted for r in group for m in r.missing}) if decision.missing else []
    return attrs.evolve(decision, requirements=redacted[0], exceptions=redacted[1], viewer=viewer, missing=tuple(missing))
