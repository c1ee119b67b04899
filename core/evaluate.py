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
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import attrs

from . import ir
from .compile import CompiledPolicy
from .errors import UsageError
from .model import Facts, Person
from .outcome import Outcome
from .runtime import Context, RuleFailure
from .values import DATE, Money, Quantity, Type, Unknown, show, show_money, show_number, unit_word

if TYPE_CHECKING:
    from .interpret import Interpreter, Trace


#: how each question names its outcomes
OUTCOME_WORDS = {
    "eligibility": {Outcome.YES: "eligible", Outcome.NO: "not_eligible", Outcome.UNKNOWN: "undetermined"},
    "pair": {Outcome.YES: "allowed", Outcome.NO: "not_allowed", Outcome.UNKNOWN: "undetermined"},
}

MET, NOT_MET, UNKNOWN, ERROR = "met", "not met", "unknown", "error"
#: the status of a rule shown to a viewer who may not see a record it read (see `access.redact`)
HIDDEN = "hidden"
_OP_WORDS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "in": "in", "not in": "not in"}


@attrs.frozen
class RuleResult:
    """One rule of a decision: met, not met or unknown, with the values that made it so."""

    label: str
    kind: str  # require | grants | denies | prefer
    status: str  # met | not met | unknown | error
    condition: str
    source: str | None
    location: str | None
    actual: object = None
    required: object = None
    op: str | None = None
    actual_text: str | None = None
    required_text: str | None = None
    distance: str | None = None
    missing: tuple[str, ...] = ()
    error: str | None = None
    weight: Decimal | None = None
    overriding: tuple[str, ...] = ()
    layer: str | None = None
    trace: Trace | None = None

    @property
    def because(self) -> str:
        """A short reason: `2.9 years < 3 years`, `missing person.trained`, `yes`."""
        if self.status == ERROR:
            return f"could not be evaluated: {self.error}"
        if self.status == HIDDEN:
            return "rests on a record this viewer may not see"
        if self.status == UNKNOWN:
            return "missing " + ", ".join(self.missing)
        if self.op and self.required_text is not None:
            op = self.op if self.status == MET else _NEGATED.get(self.op, self.op)
            return f"{self.actual_text} {op} {self.required_text}"
        return self.actual_text or ""


_NEGATED = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<", "in": "not in", "not in": "in"}


class _Deferred:
    """A decision whose reasons are written out when first read (`decide` hands back such ones).

    Its outcome is set at once; every other field is left unset until something reads one, and
    then all are filled from `_fill`, `(function, *arguments)` of a call that builds the complete
    decision (a tuple: cheaper to make than a closure). So a caller that only asks for the outcome
    pays for the rules, not for the text that explains them. Reading a field, `==`, `repr` and
    `attrs.asdict` all see the complete decision. The fields set at once must equal the complete
    decision's (`decide` settles the outcome with the same `_settle` as `combine`); filling copies
    every field and checks that the outcome agrees.
    """

    __slots__ = ("_fill",)

    def __getattr__(self, name: str) -> Any:
        # Python calls this only for an attribute it did not find: here, a slot not yet filled.
        try:
            fill = object.__getattribute__(self, "_fill")
        except AttributeError:
            fill = None
        if fill is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        full = fill[0](*fill[1:])
        if full.outcome is not object.__getattribute__(self, "outcome"):
            raise AssertionError(f"a lazily filled decision changed its outcome: {full.outcome} after {self.outcome}")
        for field in attrs.fields(type(self)):  # all of them: probing each unset slot would raise
            object.__setattr__(self, field.name, getattr(full, field.name))
        object.__setattr__(self, "_fill", None)
        return object.__getattribute__(self, name)


@attrs.frozen
class Decision(_Deferred):
    """The answer to one question about one person (or pair), with every reason."""

    question: str
    outcome: Outcome
    subject: str
    subject_name: str
    role: str
    policy: str
    policy_version: str | None
    policy_file: str
    as_of: dt.date
    requirements: tuple[RuleResult, ...]
    exceptions: tuple[RuleResult, ...] = ()
    preferences: tuple[RuleResult, ...] = ()
    decided_by: str | None = None
    missing: tuple[str, ...] = ()
    other: str | None = None
    other_name: str | None = None
    score: Decimal | None = None
    #: the parameters the rules used: (name, value as text, the layer that supplied the value)
    parameters: tuple[tuple[str, str, str | None], ...] = ()
    #: set when the decision was redacted for a viewer
    viewer: str | None = None
    #: a pair decision: the pair rule's second end (`mentee`), where `other` stands
    other_role: str | None = None
    #: what redaction withheld from the viewer: `decided_by` (an exception is hidden), `score`
    #: (it counts only the preferences the viewer may see)
    withheld: tuple[str, ...] = ()

    @classmethod
    def later(cls, outcome: Outcome, fill: tuple[Any, ...]) -> Decision:
        """A decision with its outcome now, and every other field written out when first read,
        by `fill[0](*fill[1:])` (see `_Deferred`)."""
        decision = object.__new__(cls)
        _set_outcome(decision, outcome)
        _set_fill(decision, fill)
        return decision

    @property
    def outcome_word(self) -> str:
        return OUTCOME_WORDS[self.question][self.outcome]

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


# A decision's fields are slots: `Decision.later` sets them through their descriptors, as attrs'
# own __init__ does, which skips the frozen __setattr__ and the lookup by name.
_set_outcome = Decision.outcome.__set__  # type: ignore[attr-defined]
_set_fill = Decision._fill.__set__  # type: ignore[attr-defined]
_later = Decision.later


def _status(raw: Any) -> str:
    if raw is True:
        return MET
    if raw is False:
        return NOT_MET
    if isinstance(raw, RuleFailure):
        return ERROR
    return UNKNOWN


def _distance(rule: ir.Rule, status: str, actual: Any, required: Any) -> str | None:
    """How far an unmet comparison is from being met: `needs 0.1 more years`, `5 days late`."""
    cond = rule.condition
    if status != NOT_MET or not isinstance(cond, ir.Compare) or cond.op not in ("<", "<=", ">", ">="):
        return None
    t: Type = cond.left.type
    if t == DATE and isinstance(actual, dt.date) and isinstance(required, dt.date):
        days = abs((actual - required).days)
        if not days:  # the bound itself, in a strict comparison
            return f"needs a date {'after' if cond.op == '>' else 'before'} {required.isoformat()}"
        return f"{days} day{'s' if days != 1 else ''} {'late' if cond.op in ('<', '<=') else 'too early'}"
    if not isinstance(actual, Decimal) or not isinstance(required, Decimal):
        return None
    gap = required - actual if cond.op in (">", ">=") else actual - required
    unit = unit_word(t.unit, gap) if isinstance(t, Quantity) and t.unit else None
    amount = f"{t.currency} {show_money(gap)}" if isinstance(t, Money) else show_number(gap)
    if not gap and cond.op in (">", "<"):  # exactly at the bound of a strict comparison: no gap to give
        bound = f"{t.currency} {show_money(required)}" if isinstance(t, Money) else show_number(required) + (f" {unit}" if unit else "")
        return f"needs {'more' if cond.op == '>' else 'less'} than {bound}"
    if cond.op in (">", ">="):
        return f"needs {amount} more{' ' + unit if unit else ''}" + (" (and then some)" if cond.op == ">" else "")
    return f"over by {amount}{' ' + unit if unit else ''}" + (" (and then some)" if cond.op == "<" else "")


def _result(rule: ir.Rule, raw: tuple[Any, Any, Any], trace: Trace | None = None, layer: str | None = None) -> RuleResult:
    value, actual, required = raw
    status = _status(value)
    cond = rule.condition
    op = None
    req_text = None
    act_type: Type = cond.type
    if isinstance(cond, ir.Compare):
        op, act_type = _OP_WORDS[cond.op], cond.left.type
        req_text = show(required, cond.right.type)
    elif isinstance(cond, ir.Member):
        op, act_type = ("not in" if cond.negated else "in"), cond.element.type
        req_text = show(required, cond.collection.type)
    act_text = show(actual, act_type) if actual is not None else None
    if op is None and status in (MET, NOT_MET):
        if isinstance(cond, (ir.Fact, ir.ItemField)):
            act_text = f"{cond.text} is {show(actual, act_type)}"
        else:
            act_text = None if status == MET else f"`{cond.text}` is false"
    return RuleResult(
        label=rule.label,
        kind=rule.kind,
        status=status,
        condition=cond.text,
        source=rule.source,
        location=str(rule.span) if rule.span else None,
        actual=None if isinstance(actual, Unknown) else actual,
        required=None if isinstance(required, Unknown) else required,
        op=op,
        actual_text=None if isinstance(actual, Unknown) else act_text,
        required_text=req_text,
        distance=_distance(rule, status, actual, required),
        missing=tuple(sorted(value.missing)) if isinstance(value, Unknown) else (),
        error=value.message if isinstance(value, RuleFailure) else None,
        weight=rule.weight,
        overriding=rule.overriding,
        layer=layer,
        trace=trace,
    )


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


def parameters_used(policy: CompiledPolicy, block: str) -> tuple[tuple[str, str, str | None], ...]:
    """The parameters a block (`role:mentor`) reads, with their values and the layer that set each."""
    out = []
    for name in policy.parameters[block]:
        p = policy.checked.parameters[name]
        value = "not set" if isinstance(p.value, Unknown) else show(p.value, p.type)
        out.append((name, value, policy.checked.layer_name(p.span.file if p.span else None)))
    return tuple(out)


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


def results(
    policy: CompiledPolicy,
    rules: tuple[ir.Rule, ...],
    raws: tuple[Any, ...],
    ctx: Context,
    env: dict[str, Any] | None,
    explain: bool = False,
) -> tuple[RuleResult, ...]:
    """The results of rules from their raw values; with `explain`, each with its trace.

    A composite condition (`a and b`) that is not met is explained by its first failing part,
    evaluated again by the interpreter: only on that path, so a met rule costs nothing more.
    """
    out = []
    for rule, raw in zip(rules, raws):
        interp = None
        if env is not None and (explain or raw[0] is False):
            from .interpret import Interpreter  # loaded only to explain

            interp = Interpreter(ctx)
        trace = interp.trace(rule.condition, env) if interp and explain and env is not None else None
        result = _result(rule, raw, trace, policy.checked.layer_name(rule.span.file if rule.span else None))
        if interp and env is not None and raw[0] is False and result.op is None and not isinstance(rule.condition, (ir.Fact, ir.ItemField)):
            result = attrs.evolve(result, actual_text=_why_not(rule.condition, env, interp))
        out.append(result)
    return tuple(out)


def _why_not(node: ir.Node, env: dict[str, Any], interp: Interpreter) -> str:
    """Why a condition that is false is false: its first false part, with the values compared."""
    while isinstance(node, ir.CallDefine):  # a definition's use, as written in place
        node = node.expanded
    if isinstance(node, ir.And):
        for part in node.operands:
            if interp.eval(part, env) is False:
                return _why_not(part, env, interp)
    if isinstance(node, ir.Or):
        return " and ".join(_why_not(part, env, interp) for part in node.operands)
    if isinstance(node, ir.Not):
        found = _found(node.operand, env, interp)
        return found or f"`{node.operand.text}` is true"
    if isinstance(node, ir.CallFn):
        found = _found(node, env, interp)
        if found:
            return found
    if isinstance(node, (ir.Compare, ir.Member)):
        left, right = (node.left, node.right) if isinstance(node, ir.Compare) else (node.element, node.collection)
        op = _OP_WORDS[node.op] if isinstance(node, ir.Compare) else ("not in" if node.negated else "in")
        a, b = interp.eval(left, env), interp.eval(right, env)
        return f"{left.text} is {show(a, left.type)}, not {op} {show(b, right.type)}" if isinstance(node, ir.Compare) else f"{left.text} is {show(a, left.type)}, which is {_NEGATED[op]} {show(b, right.type)}"
    if isinstance(node, ir.Quantified):
        return _why_not_quantified(node, env, interp)
    if isinstance(node, (ir.Fact, ir.ItemField)):
        return f"{node.text} is {show(interp.eval(node, env), node.type)}"
    return f"`{node.text}` is false"


def _found(node: ir.Node, env: dict[str, Any], interp: Interpreter) -> str | None:
    """What a plugin function's call found, in its own words (`Function.reason`), if it says."""
    if not isinstance(node, ir.CallFn) or node.reason is None:
        return None
    args = [interp.eval(a, env) for a in node.args]
    if any(isinstance(a, Unknown) for a in args):
        return None
    try:
        text = node.reason(interp.ctx.records, *args)
    except Exception:  # a reason is a courtesy: never let it break the decision
        return None
    return text if isinstance(text, str) and text.strip() else None


def _why_not_quantified(node: ir.Quantified, env: dict[str, Any], interp: Interpreter) -> str:
    """Why `every`/`any` is false, naming members: `not met for teaching, professionalism`."""
    from .model import Evidence
    from .runtime import _ordered
    from .values import SetOf

    members = interp.eval(node.collection, env)
    if not isinstance(members, (frozenset, tuple)):
        return f"`{node.text}` is false"
    if node.kind == "any":
        return f"`{node.collection.text}` is empty" if not members else f"not met for any of {node.collection.text}"
    failing = [m for m in _ordered(members) if interp.eval(node.body, {**env, node.var: m}) is False]
    elem = node.collection.type.element if isinstance(node.collection.type, SetOf) else None
    names = [m.id if isinstance(m, Evidence) else show(m, elem) for m in failing]
    return "not met for " + ", ".join(names)


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
