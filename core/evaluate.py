"""Stage 4, evaluate: a compiled policy, facts, a person, a role and a date -> a `Decision`.

The rules of a role run (compiled by default, or through the reference interpreter) and give one
of three results each: met, not met, or unknown (with the facts that would settle it). The role's
requirements combine with Kleene logic; then its exceptions may grant or deny. Nothing here calls
a plugin hook: everything the rules need was baked in when the policy was compiled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from . import ir
from .answers import ERROR, HIDDEN, MET, NOT_MET, OUTCOME_WORDS, UNKNOWN, Decision, RuleResult
from .compile import CompiledPolicy
from .errors import UsageError
from .explain import parameters_used, results
from .model import Facts, Person
from .outcome import Outcome
from .runtime import Context

#: what this module gives: deciding; the answers' types are `accord.answers`, their words `accord.explain`
__all__ = [
    "ERROR", "HIDDEN", "MET", "NOT_MET", "OUTCOME_WORDS", "UNKNOWN",
    "Decision", "Outcome", "RuleResult",
    "combine", "decide", "decide_pair", "pair_rule", "parameters_used", "results", "run_block",
]

_later = Decision.later


def combine(requirements: tuple[RuleResult, ...], exceptions: tuple[RuleResult, ...]) -> tuple[Outcome, str | None]:
    """The outcome of a role: Kleene 'and' of its requirements, then its exceptions.

    A met exception decides unless another met exception overrides it; a deny wins over a grant
    the checker could not prove disjoint from it. An unknown exception that could have changed the
    outcome makes it undetermined.
    """
    statuses = {r.status for r in requirements}
    base = Outcome.NO if NOT_MET in statuses else Outcome.UNKNOWN if statuses - {MET} else Outcome.YES
    return _settle(base, exceptions)


class _ExceptionLike(Protocol):
    status: str
    label: str
    kind: str
    overriding: tuple[str, ...]


class _RawException(NamedTuple):
    """What `_settle` reads of an exception, before its `RuleResult` is written out."""

    status: str
    label: str
    kind: str
    overriding: tuple[str, ...]


def _settle(base: Outcome, exceptions: Sequence[_ExceptionLike]) -> tuple[Outcome, str | None]:
    """The outcome of a role from the outcome of its requirements and its exceptions (see `combine`)."""
    met = [e for e in exceptions if e.status == MET]

    def overridden(e: _ExceptionLike) -> bool:
        return any(e.label in o.overriding for o in met)

    live = [e for e in met if not overridden(e)]
    deny = next((e for e in live if e.kind == "denies"), None)
    grant = next((e for e in live if e.kind == "grants"), None)
    decider = deny or grant
    outcome = Outcome.NO if deny else Outcome.YES if grant else base
    for e in exceptions:
        if e.status not in (UNKNOWN, ERROR) or overridden(e):
            continue
        beats_decider = decider is None or decider.label in e.overriding
        if e.kind == "grants" and outcome is Outcome.NO and beats_decider:
            outcome = Outcome.UNKNOWN
        if e.kind == "denies" and outcome is Outcome.YES and beats_decider:
            outcome = Outcome.UNKNOWN
    # An unknown exception that could beat the decider leaves the outcome open: nothing decided it.
    return outcome, decider.label if decider and outcome is not Outcome.UNKNOWN else None


def _missing(*groups: tuple[RuleResult, ...]) -> tuple[str, ...]:
    return tuple(sorted({m for group in groups for r in group for m in r.missing}))


def run_block(policy: CompiledPolicy, key: str, ctx: Context, values: tuple[Any, ...], engine: str = "compiled") -> ir.BlockResult:
    """Evaluate one block of a policy (`role:mentor`, `incentive:0`, ...) with its bound values,
    compiled or interpreted: each rule's raw result, and each expression's value by name."""
    block = policy.units[key]
    if engine == "compiled":
        rules, exprs = policy.blocks[key](ctx, *values)
    elif engine == "interpreted":
        from .interpret import Interpreter  # only here and for explanations: keeps `accord check` start-up short

        rules, exprs = Interpreter(ctx).block(block, dict(zip(block.params, values)))
    else:
        raise ValueError(f"unknown engine {engine!r}")
    return ir.BlockResult(rules, dict(zip(block.names, exprs)))


def decide(
    policy: CompiledPolicy,
    facts: Facts,
    person: str,
    role: str,
    as_of: dt.date | None = None,
    *,
    explain: bool = False,
    engine: str = "compiled",
) -> Decision:
    """Decide whether `person` is eligible for `role` under `policy` on `as_of` (default today).

    `engine="interpreted"` runs the reference interpreter instead of the compiled code; the two
    must agree. `explain=True` adds, for each rule, the value of every condition inside it.
    """
    as_of = as_of or dt.date.today()
    first, last = policy.period
    if not first <= as_of <= last:
        policy.check_in_force(as_of)
    requirements = policy.requirements.get(role)
    if requirements is None or explain or engine != "compiled":
        c = policy.checked
        checked_role = c.roles[role] if role in c.roles else c.role(role)  # role() raises, naming the roles
        subject = facts.person(person)
        ctx = Context.of(facts, as_of)
        raws = run_block(policy, "role:" + role, ctx, (subject,), engine).rules
        return _eligibility(policy, checked_role, role, subject, ctx, raws, explain)
    # The outcome now, from the generated functions that give it alone; the reasons, their text and
    # the parameters when first read (`_Deferred`).
    subject = facts.people.get(person) or facts.person(person)  # person() raises, naming the closest id
    ctx = facts.contexts.get(as_of) or Context.of(facts, as_of)  # Context.of's own first step, without the call
    outcome = _OUTCOME_OF[requirements(ctx, subject)]
    exceptions = policy.exceptions.get(role)
    if exceptions is not None:
        pending = [
            _RawException(MET if v is True else NOT_MET if v is False else UNKNOWN, r.label, r.kind, r.overriding)
            for r, v in zip(policy.checked.roles[role].exceptions, exceptions(ctx, subject))
        ]
        outcome = _settle(outcome, pending)[0]
    return _later(outcome, (_eligibility_later, policy, role, subject, ctx))


_OUTCOME_OF = {True: Outcome.YES, False: Outcome.NO, None: Outcome.UNKNOWN}


def _eligibility_later(policy: CompiledPolicy, role: str, subject: Person, ctx: Context) -> Decision:
    """The complete decision `decide` put off: the role's rules run again, every result kept."""
    raws = policy.blocks["role:" + role](ctx, subject)[0]
    return _eligibility(policy, policy.checked.roles[role], role, subject, ctx, raws, False)


def _eligibility(
    policy: CompiledPolicy,
    checked_role: ir.CheckedRole,
    role: str,
    subject: Person,
    ctx: Context,
    raws: tuple[Any, ...],
    explain: bool,
) -> Decision:
    """The complete decision on one person and role, every reason written out, from its raw results."""
    env = {"person": subject}
    n = len(checked_role.requirements)
    reqs = results(policy, checked_role.requirements, raws[:n], ctx, env, explain)
    excs = results(policy, checked_role.exceptions, raws[n:], ctx, env, explain)
    outcome, decided_by = combine(reqs, excs)
    c = policy.checked
    return Decision(
        question="eligibility",
        outcome=outcome,
        subject=subject.id,
        subject_name=subject.name,
        role=role,
        policy=c.name,
        policy_version=c.version,
        policy_file=c.file,
        as_of=ctx.as_of,
        requirements=reqs,
        exceptions=excs,
        decided_by=decided_by,
        missing=() if outcome is Outcome.YES else _missing(reqs, excs),  # nothing missing can undo a yes
        parameters=parameters_used(policy, f"role:{role}"),
    )


def pair_rule(policy: CompiledPolicy, ends: str | Sequence[str] | None = None) -> tuple[int, ir.CheckedPair]:
    """The policy's pair rule with these ends (`"requester, mentee"` or a pair of names), and its index.

    Without `ends`, the first pair rule. Raises `UsageError` naming the pair rules there are.
    """
    c = policy.checked
    if not c.pairs:
        raise UsageError(f"policy `{c.name}` has no pair rule")
    if ends is None:
        return 0, c.pairs[0]
    names = tuple(n.strip() for n in (ends.split(",") if isinstance(ends, str) else ends))
    if len(names) != 2 or not all(names):
        raise UsageError(f"name a pair rule by its two ends, e.g. `mentor,mentee`, not `{', '.join(names)}`")
    for i, pair in enumerate(c.pairs):
        if (pair.first, pair.second) == names:
            return i, pair
    known = "; ".join(f"{p.first}, {p.second}" for p in c.pairs)
    hint = ""
    if len(names) == 2 and any((p.second, p.first) == names for p in c.pairs):
        hint = f"; its ends are the other way round: `{names[1]}, {names[0]}`"
    raise UsageError(f"policy `{c.name}` has no pair rule `{', '.join(names)}` (its pair rules: {known}){hint}")


def decide_pair(
    policy: CompiledPolicy,
    facts: Facts,
    first: str,
    second: str,
    as_of: dt.date | None = None,
    *,
    explain: bool = False,
    engine: str = "compiled",
    ends: str | Sequence[str] | None = None,
) -> Decision:
    """Whether `first` and `second` may be paired under a pair rule of the policy, and how well.

    The pair rule is the one whose ends are `ends` (`("requester", "mentee")`, or the text
    `"requester, mentee"`), by default the policy's first. `first` stands at the rule's first end
    (`mentor` in `pair mentor, mentee`). The hard requirements combine with Kleene logic; the
    score is the total weight of met preferences.
    """
    as_of = as_of or dt.date.today()
    policy.check_in_force(as_of)
    c = policy.checked
    index, pair = pair_rule(policy, ends)
    a, b = facts.person(first), facts.person(second)
    ctx = Context(facts, as_of)
    raws = run_block(policy, f"pair:{index}", ctx, (a, b), engine).rules
    env = {pair.first: a, pair.second: b}
    n = len(pair.requirements)
    reqs = results(policy, pair.requirements, raws[:n], ctx, env, explain)
    prefs = results(policy, pair.preferences, raws[n:], ctx, env, explain)
    outcome, _ = combine(reqs, ())
    score = sum((p.weight or Decimal(0) for p in prefs if p.status == MET), Decimal(0))
    return Decision(
        question="pair",
        outcome=outcome,
        subject=a.id,
        subject_name=a.name,
        role=pair.first,
        policy=c.name,
        policy_version=c.version,
        policy_file=c.file,
        as_of=as_of,
        requirements=reqs,
        preferences=prefs,
        missing=() if outcome is Outcome.YES else _missing(reqs),
        other=b.id,
        other_name=b.name,
        score=score,
        parameters=parameters_used(policy, f"pair:{index}"),
        other_role=pair.second,
    )
