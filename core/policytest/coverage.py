"""Coverage: which of met / not met / unknown every condition of every rule took over a run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs

from .. import ir
from .suites import _STATUSES, MET, NOT_MET, UNKNOWN, Suite, _error

# --------------------------------------------------------------------------- coverage


def _reads_nothing(node: ir.Node) -> bool:
    """Whether a value is the same for everyone: it reads only constants and parameters."""
    return all(isinstance(n, (ir.Lit, ir.SetOf, ir.Arith, ir.Neg, ir.Scaled, ir.Compare, ir.Member, ir.And, ir.Or, ir.Not)) for n in ir.walk(node))


def _could_be_unknown(node: ir.Node) -> bool:
    """Whether a value can be unknown: it reads a fact, a field or a function, or a parameter set to `none`."""
    from ..values import Unknown

    return any(
        isinstance(n, (ir.Fact, ir.ItemField, ir.PlaceAbove, ir.Sum, ir.Latest, ir.CallFn)) or (isinstance(n, ir.Lit) and isinstance(n.value, Unknown))
        for n in ir.walk(node)
    )


_KLEENE_NOT = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}


def reachable(node: ir.Node) -> frozenset[str]:
    """The outcomes a condition can take for some person under this policy (a layer's parameters fixed).

    A condition over constants and parameters alone (`mentor_experience_required`) has the one
    value the policy gives it; `and`, `or` and `not` combine their operands' outcomes (in Kleene
    logic); any other condition can be met or not met, and unknown where it reads a fact.
    Operands are taken as independent: `x >= 3 and x < 2` still counts as reachable.
    """
    if isinstance(node, ir.Not):
        return frozenset(_KLEENE_NOT[o] for o in reachable(node.operand))
    if isinstance(node, (ir.And, ir.Or)):
        import itertools

        decisive, other = (MET, NOT_MET) if isinstance(node, ir.Or) else (NOT_MET, MET)
        out = set()
        for combo in itertools.product(*(reachable(op) for op in node.operands)):
            out.add(decisive if decisive in combo else UNKNOWN if UNKNOWN in combo else other)
        return frozenset(out)
    if _reads_nothing(node):
        value = _constant(node)
        if value is not None:
            return frozenset({value})
    return frozenset({MET, NOT_MET, UNKNOWN} if _could_be_unknown(node) else {MET, NOT_MET})


def _constant(node: ir.Node) -> str | None:
    """The outcome of a condition over constants alone, by asking the reference interpreter (no facts needed)."""
    from ..interpret import Interpreter
    from ..values import Unknown

    try:
        value = Interpreter(None).eval(node, {})  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - then it is counted as any condition is
        return None
    return MET if value is True else NOT_MET if value is False else UNKNOWN if isinstance(value, Unknown) else None


@attrs.define
class Condition:
    """One boolean condition inside a rule, and the outcomes the suites gave it."""

    rule: str  # the rule's label
    kind: str
    location: str  # the rule's file:line:col
    path: tuple[int, ...]  # where it sits in the rule's condition: () the whole condition
    text: str
    needed: tuple[str, ...]
    seen: set[str] = attrs.Factory(set)
    #: outcomes a suite declared unreachable, with why
    declared: dict[str, str] = attrs.Factory(dict)
    #: the kind of block the rule is in: role, pair, incentive, record or commitment
    block: str = "role"

    @property
    def missed(self) -> list[str]:
        return [s for s in self.needed if s not in self.seen]


def _conditions(node: ir.Node, path: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], ir.Node]]:
    """Every condition inside a rule's condition with its path: the operands of and/or/not and
    the body of a quantifier (`every m in person.mentor: BODY`), as `Coverage._trace` visits them."""
    yield path, node
    if isinstance(node, (ir.And, ir.Or, ir.Not)):
        for i, child in enumerate(ir.children(node)):
            yield from _conditions(child, (*path, i))
    elif isinstance(node, ir.Quantified):
        yield from _conditions(node.body, (*path, _BODY))


#: the body's index among a quantifier's children (collection, body)
_BODY = 1


def _outcome(value: Any) -> str:
    from ..values import Unknown

    return MET if value is True else NOT_MET if value is False else UNKNOWN if isinstance(value, Unknown) else "error"


def _labels(checked: Any) -> dict[tuple[str, str], str]:
    """Labels for rules whose own label says too little: a commitment's `when` (`applies`)."""
    return {("applies", str(c.span)): f"{c.label}: when" for c in checked.commitments if c.applies is not None}


class Coverage:
    """Which of met / not met / unknown each condition of each rule took across the suites.

    Counted: every rule of every block a policy compiles (`CheckedPolicy.blocks`): the
    requirements and exceptions of roles, the requirements and preferences of pair rules, the
    requirements of incentives, the `when` conditions of records (`visible ... when`, `reveals`),
    and the deadline conditions and `when` of commitments; inside each, the operands of
    and/or/not and the body of every quantifier, once per member. Each rule by its location, so
    a parent's rule is one rule however many layers' suites reach it. Each condition needs the
    outcomes it can reach (`reachable`), in any of the policies that use it.

    A suite's policy is replaced by a recording copy (`recording`) whose every block, when run
    on the day a case asks about, also evaluates its rules through the reference interpreter.
    """

    def __init__(self) -> None:
        self.conditions: dict[tuple[str, tuple[int, ...]], Condition] = {}
        self.exceptions: dict[str, str] = {}  # location -> label, of every exception (`grants`/`denies`)
        self.fired: set[str] = set()
        #: the day the current case asks about: evaluations on other days (a commitment's history) are not counted
        self.as_of: dt.date | None = None

    def add_policy(self, policy: Any) -> None:
        labels = _labels(policy.checked)
        for key, block in policy.units.items():
            for rule in block.rules:
                if rule.span is None or rule.condition is None:
                    continue
                loc = str(rule.span)
                label = labels.get((rule.label, loc), rule.label)
                if rule.kind in ("grants", "denies"):
                    self.exceptions[loc] = label
                for path, node in _conditions(rule.condition, ()):
                    # a rule of a parent layer may see other parameter values here: it needs what either allows
                    known = self.conditions.get((loc, path))
                    needed = reachable(node) | set(known.needed if known else ())
                    order = tuple(s for s in _STATUSES if s in needed)
                    if known:
                        known.needed = order
                    else:
                        self.conditions[(loc, path)] = Condition(label, rule.kind, loc, path, node.text, order, block=key.split(":")[0])

    def declare(self, suite: Suite) -> None:
        """Take out of what is needed the outcomes a suite declares unreachable; an entry that names no condition is a test-file error."""
        for label, text, outcome, why in suite.unreachable:
            found = [c for c in self.conditions.values() if c.rule == label and (c.text == text if text else not c.path)]
            if not found:
                raise _error("T015", f"`unreachable` names a rule or condition the policy does not have: `{label}`" + (f" `{text}`" if text else ""), suite.file, None)
            for c in found:
                if outcome in c.needed:
                    c.needed = tuple(s for s in c.needed if s != outcome)
                    c.declared[outcome] = why

    def recording(self, policy: Any) -> Any:
        """A copy of a compiled policy whose blocks answer as before and count every condition they evaluate."""
        blocks = {key: self._recorder(fn, policy.units[key]) for key, fn in policy.blocks.items()}
        return attrs.evolve(policy, blocks=blocks)

    def _recorder(self, fn: Any, block: ir.Block) -> Any:
        def run(ctx: Any, *values: Any) -> Any:
            out = fn(ctx, *values)
            if self.as_of is None or ctx.as_of == self.as_of:
                self.record(block, ctx, dict(zip(block.params, values)))
            return out

        return run

    def record(self, block: ir.Block, ctx: Any, env: dict[str, Any]) -> None:
        """Count the outcome of every condition of a block's rules, evaluated on `ctx` with `env` bound."""
        from ..interpret import Interpreter

        interp = Interpreter(ctx)
        for rule in block.rules:
            if rule.span is None or rule.condition is None:
                continue
            loc = str(rule.span)
            value = self._trace(interp, loc, rule.condition, env, ())
            if rule.kind in ("grants", "denies") and value is True:
                self.fired.add(loc)

    def _trace(self, interp: Any, loc: str, node: ir.Node, env: dict[str, Any], path: tuple[int, ...]) -> Any:
        from .. import runtime
        from ..values import Unknown

        try:
            value = interp.eval(node, env)
        except Exception as exc:  # noqa: BLE001 - a failing condition is an outcome ("error"), as in a decision
            value = runtime.failed(exc)
        cond = self.conditions.get((loc, path))
        if cond is not None:
            cond.seen.add(_outcome(value))
        if isinstance(node, (ir.And, ir.Or, ir.Not)):
            for i, child in enumerate(ir.children(node)):
                self._trace(interp, loc, child, env, (*path, i))
        elif isinstance(node, ir.Quantified):
            try:
                members = interp.eval(node.collection, env)
            except Exception:  # noqa: BLE001 - the quantifier itself is counted as failing
                members = None
            if members is not None and members.__class__ is not Unknown and not isinstance(members, runtime.RuleFailure):
                for member in runtime._ordered(members):
                    self._trace(interp, loc, node.body, {**env, node.var: member}, (*path, _BODY))
        return value

    @property
    def needed(self) -> int:
        return sum(len(c.needed) for c in self.conditions.values())

    @property
    def covered(self) -> int:
        return sum(len(c.needed) - len(c.missed) for c in self.conditions.values())

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.needed if self.needed else 100.0

    def never_fired(self) -> list[tuple[str, str]]:
        return sorted((loc, label) for loc, label in self.exceptions.items() if loc not in self.fired)

    def to_json(self) -> dict[str, Any]:
        return {
            "percent": round(self.percent, 1),
            "covered": self.covered,
            "needed": self.needed,
            "conditions": [
                {
                    "rule": c.rule,
                    "kind": c.kind,
                    "location": c.location,
                    "path": list(c.path),
                    "condition": c.text,
                    "needed": list(c.needed),
                    "seen": [s for s in (*_STATUSES, "error") if s in c.seen],
                    "missed": c.missed,
                    "declared_unreachable": c.declared,
                    "block": c.block,
                }
                for c in self._sorted()
            ],
            "exceptions_never_fired": [{"location": loc, "rule": label} for loc, label in self.never_fired()],
        }

    def _sorted(self) -> list[Condition]:
        def key(c: Condition) -> tuple[str, int, int, tuple[int, ...]]:
            file, line, col = c.location.rsplit(":", 2)
            return file, int(line), int(col), c.path

        return sorted(self.conditions.values(), key=key)

    def text(self) -> str:
        by_file: dict[str, list[Condition]] = {}
        for c in self._sorted():
            by_file.setdefault(c.location.rsplit(":", 2)[0], []).append(c)
        lines = ["condition coverage (met / not met / unknown where it can be unknown):"]
        for file, conds in by_file.items():
            need = sum(len(c.needed) for c in conds)
            have = sum(len(c.needed) - len(c.missed) for c in conds)
            lines.append(f"  {file}: {have}/{need} ({100.0 * have / need:.0f}%)")
            for c in conds:
                where = "" if not c.path else f" `{c.text}`"
                for outcome, why in c.declared.items():
                    lines.append(f"    {c.location} \"{c.rule}\"{where}: {outcome} declared unreachable: {why}")
                if c.missed:
                    lines.append(f"    {c.location} \"{c.rule}\"{where}: never {' or '.join(c.missed)}")
        fired = self.never_fired()
        for loc, label in fired:
            lines.append(f"  exception never fired: {loc} \"{label}\"")
        lines.append(f"total: {self.covered}/{self.needed} ({self.percent:.1f}%)")
        return "\n".join(lines)
