"""The checked, typed form of a policy: what the checker produces and both evaluators consume.

Every name is resolved (a fact, a relationship end, a scale value, a plugin function), every use
of a definition is a `CallDefine` of its body (checked once per signature, so a body is shared,
never copied), every unit conversion is explicit, and every node knows its static type and the
policy text it came from (`text`, used by explanations). The compiler turns these nodes
into Python source; the interpreter walks them directly. Both must give the same answers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .errors import Diagnostic, Span, UsageError, suggest
from .values import Type

if TYPE_CHECKING:
    from .schema import Programme


def _meta() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class Node:
    """A typed expression; `text` is the policy text it came from, `span` where."""

    type: Type
    text: str = _meta()
    span: Span | None = _meta()


@attrs.frozen
class Lit(Node):
    """A constant: a literal, a parameter's value, a plugin constant or a scale/choice value."""

    value: object
    name: str | None = None  # the parameter or constant it came from


@attrs.frozen
class DatedLit(Node):
    """A dated parameter's value: the one in force on the as-of date (`values.Dated`), unknown
    before its first date."""

    value: object  # a values.Dated
    name: str
    missing: str  # what the unknown names before the first date


@attrs.frozen
class Var(Node):
    """A bound name: `person`, the two people of a pair rule, a quantifier's variable."""

    name: str


@attrs.frozen
class Today(Node):
    """The as-of date."""


@attrs.frozen
class Fact(Node):
    """A fact of a person; when absent it is unknown, and `missing` names it."""

    subject: Node
    name: str
    missing: str
    derive: Callable[..., object] | None = attrs.field(default=None, eq=False)


@attrs.frozen
class PlaceAbove(Node):
    """The place of a given kind at or above a person's place (`mentee.region`)."""

    subject: Node
    kind: str
    missing: str


@attrs.frozen
class Related(Node):
    """The people at one end (`mentor`) of the subject's relationships valid on the as-of date."""

    subject: Node
    end: str
    kinds: tuple[str, ...]


@attrs.frozen
class HoldersAt(Node):
    """The people at a place (or at a place under it) at one end (`mentor`) of a relationship of
    `kinds` valid on the as-of date (or in the period): `mentors at person.school`."""

    end: str
    kinds: tuple[str, ...]
    place: Node


@attrs.frozen
class ItemField(Node):
    """A field of an evidence item, or of a person/place (`id`, `name`)."""

    item: Node
    name: str
    missing: str


@attrs.frozen
class Not(Node):
    operand: Node


@attrs.frozen
class And(Node):
    operands: tuple[Node, ...]


@attrs.frozen
class Or(Node):
    operands: tuple[Node, ...]


@attrs.frozen
class Compare(Node):
    """`left op right`, op one of = != < <= > >= (as Python operators: == != < <= > >=)."""

    op: str
    left: Node
    right: Node


@attrs.frozen
class Member(Node):
    element: Node
    collection: Node
    negated: bool = False


@attrs.frozen
class Same(Node):
    left: Node
    right: Node
    negated: bool = False


@attrs.frozen
class Arith(Node):
    """Exact decimal arithmetic: + - * /."""

    op: str
    left: Node
    right: Node


@attrs.frozen
class Neg(Node):
    operand: Node


@attrs.frozen
class Scaled(Node):
    """A quantity converted to a smaller unit of its dimension (weeks -> days): times `factor`."""

    operand: Node
    factor: int


@attrs.frozen
class DateShift(Node):
    """A date moved by a number of days, weeks, months or years (calendar arithmetic)."""

    date: Node
    amount: Node
    unit: str
    sign: int


@attrs.frozen
class DateDiff(Node):
    """The number of calendar days from `right` to `left`."""

    left: Node
    right: Node


@attrs.frozen
class SchoolDays(Node):
    """`school days between A and B` on `person`'s calendar (core/calendars.py)."""

    person: Node
    left: Node
    right: Node


@attrs.frozen
class SchoolShift(Node):
    """A date moved by a number of school days on `person`'s calendar."""

    person: Node
    date: Node
    amount: Node
    sign: int


@attrs.frozen
class NthPeriod(Node):
    """`the 2nd term from A` on `person`'s calendar."""

    person: Node
    kind: str
    n: int
    origin: Node


@attrs.frozen
class PeriodOf(Node):
    """`the term of A`: the period of `person`'s calendar that contains a date."""

    person: Node
    kind: str
    date: Node


@attrs.frozen
class PeriodEdge(Node):
    """`the start of P` or `the end of P`."""

    period: Node
    which: str


@attrs.frozen
class InPeriod(Node):
    """`A in P`: whether a date falls in a calendar period."""

    date: Node
    period: Node
    negated: bool = False


@attrs.frozen
class Average(Node):
    """`average of M per week from A [to B]`: M read over the window, per day or week of it."""

    measure: Node
    start: Node
    end: Node | None
    per: str
    today: Node


@attrs.frozen
class Accrued(Node):
    """What a rate comes to from `start` to today (whole units of `per`): the pace a quota owes."""

    rate: Node
    start: Node
    per: str
    today: Node


@attrs.frozen
class SetOf(Node):
    """A set built from expressions that are not all constants."""

    items: tuple[Node, ...]


@attrs.frozen
class CallFn(Node):
    """A call of a plugin function; `impl(ctx, *args)`."""

    name: str
    impl: Callable[..., object] = attrs.field(eq=False)
    args: tuple[Node, ...] = ()
    #: `Function.reason`: what the call found, in words, for reasons (None: "`f(...)` is true")
    reason: Callable[..., str | None] | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Choose(Node):
    """`if ... then ... else ...` or a decision table (`V when C, ..., V otherwise`).

    The rows are read in order and the first whose condition holds gives the value; `otherwise`
    (None: no `otherwise`) when none does. A condition that is unknown makes the value unknown,
    unless every value it could be is the same; when no row applies and there is no `otherwise`,
    the value is unknown and `missing` says so (see `runtime.choose`)."""

    conditions: tuple[Node, ...]
    values: tuple[Node, ...]
    otherwise: Node | None
    missing: str


@attrs.frozen
class Let(Node):
    """`let name = value in body`: `body` with `name` bound to the value, worked out once."""

    name: str
    value: Node
    body: Node


@attrs.frozen
class Evidence(Node):
    """The subject's evidence of a kind dated on or before the as-of date, filtered by `where`."""

    kind: str
    subject: Node
    var: str
    where: Node | None


@attrs.frozen
class Count(Node):
    """How many items or set members; a count is never unknown unless its input is."""

    operand: Node


@attrs.frozen
class Round(Node):
    """`round(x)` (halves away from zero), `floor(x)` or `ceil(x)`: a whole amount of the operand's unit."""

    operand: Node
    how: str


@attrs.frozen
class Sum(Node):
    """The total of one numeric field over evidence items; an item without it makes the total unknown."""

    operand: Node
    field: str
    missing: str


@attrs.frozen
class Latest(Node):
    """The most recent item of a list; unknown (naming the evidence) when the list is empty."""

    operand: Node
    missing: str


@attrs.frozen
class Quantified(Node):
    """`every`/`any` var in collection: body, with Kleene logic over the members."""

    kind: str
    var: str
    collection: Node
    body: Node


@attrs.frozen(slots=False)  # not slotted: `expanded` is cached on the instance
class CallDefine(Node):
    """A use of a definition: its `body`, bound `params` (runtime names) to `args` (caller's values).

    The checker checks a definition's body once per signature (the types and texts of its
    arguments and of the names bound where it is used) and every use of that signature shares
    the body, so checking and compiling cost grows with the policy text, not with how often a
    definition is used inside another. `params` are the definition's own parameters (as
    `$p...` placeholder names) followed by the names the body reads from where it is used
    (`person`, a quantifier's variable); `args` gives each its value at the call.

    `expanded` is the body with the arguments put in, what expanding the definition in place
    would give: explanations and analyses read it; both evaluators call the body instead.
    """

    name: str
    params: tuple[str, ...]
    args: tuple[Node, ...]
    body: Node = attrs.field(hash=False, repr=False)  # compared, never hashed nor shown: a shared graph

    @functools.cached_property
    def expanded(self) -> Node:
        mapping = {p: a for p, a in zip(self.params, self.args) if not (isinstance(a, Var) and a.name == p)}
        return attrs.evolve(substitute(self.body, mapping), text=self.text)


def substitute(node: Node, mapping: Mapping[str, Node], _memo: dict[int, Node] | None = None) -> Node:
    """`node` with each `Var` named in `mapping` replaced by its node (keeping the Var's text and span).

    Shared sub-expressions stay shared. A definition's placeholder names (`$p...`) are never
    bound inside a body, so no inner scope can shadow them."""
    if not mapping:
        return node
    memo: dict[int, Node] = {} if _memo is None else _memo
    done = memo.get(id(node))
    if done is not None:
        return done
    if isinstance(node, Var) and node.name in mapping:
        out: Node = attrs.evolve(mapping[node.name], text=node.text, span=node.span)
    else:
        changes: dict[str, object] = {}
        for field in attrs.fields(type(node)):
            if field.name == "body" and isinstance(node, CallDefine):
                continue  # a called body is closed: it reads only its own params
            value = getattr(node, field.name)
            if isinstance(value, Node) and field.name != "type":
                new = substitute(value, mapping, memo)
                if new is not value:
                    changes[field.name] = new
            elif isinstance(value, tuple) and any(isinstance(v, Node) for v in value):
                items = tuple(substitute(v, mapping, memo) if isinstance(v, Node) else v for v in value)
                if any(a is not b for a, b in zip(items, value)):
                    changes[field.name] = items
        out = attrs.evolve(node, **changes) if changes else node
    memo[id(node)] = out
    return out


@attrs.frozen
class Error(Node):
    """Stands in for an expression that failed to check, so checking can go on."""


# --------------------------------------------------------------------------- checked policy


@attrs.frozen
class Rule:
    """A requirement, exception or preference, checked."""

    label: str
    condition: Node
    source: str | None
    span: Span | None = attrs.field(eq=False)
    kind: str = "require"  # require | grants | denies | prefer
    overriding: tuple[str, ...] = ()
    weight: Decimal | None = None
    #: a preference in the first tier (`prefer ... first`): matching meets these before the others
    first: bool = False


@attrs.frozen
class CheckedRole:
    name: str
    requirements: tuple[Rule, ...]
    exceptions: tuple[Rule, ...]
    span: Span | None = attrs.field(eq=False)


@attrs.frozen
class CheckedPair:
    first: str
    second: str
    requirements: tuple[Rule, ...]
    preferences: tuple[Rule, ...]
    span: Span | None = attrs.field(eq=False)


@attrs.frozen
class CheckedParameter:
    """A parameter: its value, and the statement that supplied it (a declaration or a `set`)."""

    name: str
    type: Type
    value: object  # an Unknown when the parameter is `none`
    right: str
    span: Span | None = attrs.field(eq=False)
    declared: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class CheckedIncentive:
    """What a person in role `to` receives: once per relationship (with `other`) or per person."""

    label: str
    to: str
    per: str  # relationship | person
    other: str | None
    kinds: tuple[str, ...]
    amount: Node | None
    vouchers: tuple[str, ...]
    recognitions: tuple[str, ...]
    payer: Node | None
    requirements: tuple[Rule, ...]
    source: str | None
    right: str
    span: Span | None = attrs.field(eq=False)
    #: every `amount` when there are several (`amount` is the first): parts of one award; () for one
    amounts: tuple[Node, ...] = ()
    #: `to region per mentor`: the place that receives it (then `to` is the role it is given per)
    receiver: Node | None = None

    def amount_names(self) -> list[tuple[str, Node]]:
        """Each amount with the name of its value in the block: `amount`, then `amount1`, `amount2`..."""
        if not self.amounts:
            return [("amount", self.amount)] if self.amount is not None else []
        return [(f"amount{j}" if j else "amount", x) for j, x in enumerate(self.amounts)]


@attrs.frozen
class CheckedVisible:
    viewers: tuple[str, ...]
    counts_only: bool
    shared: bool
    condition: Node | None
    span: Span | None = attrs.field(eq=False)


@attrs.frozen
class CheckedRecord:
    """Who may see evidence of `kind`: `visible` clauses, then `reveals` exceptions; deny otherwise."""

    kind: str
    visible: tuple[CheckedVisible, ...]
    reveals: tuple[Rule, ...]
    reveal_viewers: tuple[tuple[str, ...], ...]
    right: str
    span: Span | None = attrs.field(eq=False)
    #: the parent policy's record this one narrows: a viewer needs both to allow (a floor, never widened)
    floor: CheckedRecord | None = None
    #: how long a record of this kind is kept; after that nobody sees it (`accord access`: expired)
    retention: CheckedRetention | None = None


#: the first month of an academic year (July: a Massachusetts school and fiscal year runs July to June)
ACADEMIC_YEAR_START_MONTH = 7


@attrs.frozen
class CheckedRetention:
    """`kept N [academic] UNIT [for "purpose"]`, checked: `expires(date)` is the first day a record
    dated `date` is no longer visible to anyone."""

    amount: int
    unit: str  # days, weeks, months or years
    academic: bool
    purpose: str | None
    source: str | None
    span: Span | None = attrs.field(eq=False)

    def expires(self, date: dt.date) -> dt.date:
        if self.academic:
            # kept for the academic year the record was made in and the N-1 after it
            first = date.year if date.month >= ACADEMIC_YEAR_START_MONTH else date.year - 1
            return dt.date(first + self.amount, ACADEMIC_YEAR_START_MONTH, 1)
        if self.unit in ("days", "weeks"):
            return date + dt.timedelta(days=self.amount * (7 if self.unit == "weeks" else 1))
        months = self.amount * (12 if self.unit == "years" else 1)
        year, month = divmod(date.month - 1 + months, 12)
        year += date.year
        month += 1
        return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))

    def describe(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit.rstrip("s")
        return f"kept {self.amount} {'academic ' if self.academic else ''}{unit}" + (f" for {self.purpose}" if self.purpose else "")


@attrs.frozen
class CheckedPart:
    """A part of a commitment (see `ast.Part`), checked."""

    kind: str
    label: str
    required: Node | None
    measure: Node | None
    due: Node | None
    condition: Node | None
    period: str | None
    start: Node | None
    span: Span | None = attrs.field(eq=False)


@attrs.frozen
class CheckedCommitment:
    label: str
    role: str
    source: str | None
    parts: tuple[CheckedPart, ...]
    right: str
    span: Span | None = attrs.field(eq=False)
    #: `when CONDITION`: owed only by the people for whom it holds (None: by everyone asked about)
    applies: Node | None = None
    #: `owed by district`: the kind of place that owes it to the person, and that place read from
    #: the person (`person.district`), a named value `owed_by` of the block (None: the person owes it)
    owed_by: str | None = None
    owed_place: Node | None = None


@attrs.frozen
class Block:
    """What one compiled function evaluates: rules and named expressions over bound names."""

    params: tuple[str, ...]
    rules: tuple[Rule, ...]
    exprs: tuple[Node, ...] = ()
    #: the name of each expression's value (`amount`, `payer`, `part0.due`), in the order of `exprs`
    names: tuple[str, ...] = ()


@attrs.frozen
class BlockResult:
    """What a block gave: each rule's raw result `(value, actual, required)`, in the block's
    order, and each expression's value by its name."""

    rules: tuple[tuple[Any, Any, Any], ...]
    values: Mapping[str, Any] = attrs.Factory(dict)


def arith_chain(n: Arith) -> tuple[list[Node], list[str]]:
    """The terms and operators of a chain of one precedence (`a + b - c`, `a / b * c`), left to
    right: both evaluators take it as one step (every term, then the operators)."""
    group = "+-" if n.op in "+-" else "*/"
    terms: list[Node] = [n.right]
    ops = [n.op]
    left = n.left
    while isinstance(left, Arith) and left.op in group:
        terms.append(left.right)
        ops.append(left.op)
        left = left.left
    terms.append(left)
    return terms[::-1], ops[::-1]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, in evaluation order.

    A definition's use has one: its expansion, so that a walk sees what the policy says in
    place. A walk over a policy whose definitions use one another should skip the nodes it has
    seen (by `id`): expansions share their parts."""
    if isinstance(node, CallDefine):
        return (node.expanded,)
    out: list[Node] = []
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        if isinstance(value, Node) and field.name != "type":
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, Node))
    return tuple(out)


def walk(node: Node) -> Iterator[Node]:
    """The node and every node under it."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))


def dated(node: Node) -> bool:
    """Whether a value can change from one day to the next: it reads evidence, relationships, `today`,
    a computed fact or a plugin function (which sees the day).

    A plain fact is what is recorded now, not since when: a condition that reads only facts and
    constants cannot say on which day it first held.
    """
    return any(
        isinstance(n, (Evidence, Related, HoldersAt, Today, CallFn)) or (isinstance(n, Fact) and n.derive is not None) for n in walk(node)
    )


def facts_read(node: Node) -> tuple[str, ...]:
    """The plain facts a value reads, as written (`person.mentor_trained`)."""
    return tuple(dict.fromkeys(n.text for n in walk(node) if isinstance(n, Fact) and n.derive is None))


# --------------------------------------------------------------------------- a checked policy


@attrs.frozen
class CheckedPolicy:
    """A policy whose every name is resolved; the input of `compile` and of the interpreter."""

    name: str
    programme: Programme | None
    version: str | None
    effective_from: dt.date | None
    effective_to: dt.date | None
    source: str | None
    parameters: Mapping[str, CheckedParameter]
    roles: Mapping[str, CheckedRole]
    pairs: tuple[CheckedPair, ...]
    file: str
    text: str = attrs.field(repr=False, eq=False)
    incentives: tuple[CheckedIncentive, ...] = ()
    records: Mapping[str, CheckedRecord] = attrs.Factory(dict)
    commitments: tuple[CheckedCommitment, ...] = ()
    #: the layers, root first: (file, policy name, place kind, place id)
    layers: tuple[tuple[str, str, str | None, str | None], ...] = ()
    #: relationship end -> the kinds that have it, from the schema the policy was checked against
    ends: Mapping[str, tuple[str, ...]] = attrs.Factory(dict)
    #: problems that do not stop the policy from loading (`accord lint` shows them; `--strict` fails on them)
    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False, repr=False)

    def layer_name(self, file: str | None) -> str | None:
        """The name of the policy (layer) that a file holds."""
        return next((name for f, name, _, _ in self.layers if f == file), None)

    def blocks(self) -> dict[str, Block]:
        """Every compiled unit of the policy, by key: `role:NAME`, `pair:N`, `incentive:N`, ..."""
        out: dict[str, Block] = {}
        for name, role in self.roles.items():
            out[f"role:{name}"] = Block(("person",), role.requirements + role.exceptions)
        for i, pair in enumerate(self.pairs):
            out[f"pair:{i}"] = Block((pair.first, pair.second), pair.requirements + pair.preferences)
        for i, inc in enumerate(self.incentives):
            params = ("person", inc.other) if inc.other else ("person",)
            named = [*inc.amount_names(), *([("payer", inc.payer)] if inc.payer is not None else [])]
            if inc.receiver is not None:
                named.append(("receiver", inc.receiver))
            out[f"incentive:{i}"] = Block(params, inc.requirements, tuple(x for _, x in named), tuple(n for n, _ in named))
        for kind, top in self.records.items():
            for key, rec in record_layers(kind, top):
                rules = tuple(
                    Rule(f"visible to {', '.join(v.viewers)}", v.condition, None, v.span)
                    for v in rec.visible
                    if v.condition is not None
                )
                out[key] = Block(("record", "subject", "viewer"), rules + rec.reveals)
        for i, com in enumerate(self.commitments):
            rules = tuple(Rule(p.label, p.condition, com.source, p.span) for p in com.parts if p.condition is not None)
            if com.applies is not None:  # last, so that the parts' rules keep their places
                rules += (Rule("applies", com.applies, com.source, com.span),)
            named = [
                (f"part{j}.{field}", getattr(p, field))
                for j, p in enumerate(com.parts)
                for field in ("required", "measure", "due", "start")
                if getattr(p, field) is not None
            ]
            if com.owed_place is not None:
                named.append(("owed_by", com.owed_place))
            out[f"commitment:{i}"] = Block(("person",), rules, tuple(x for _, x in named), tuple(n for n, _ in named))
        return out

    def role(self, name: str) -> CheckedRole:
        """The role called `name`; raises `UsageError` naming the roles the policy decides."""
        if name in self.roles:
            return self.roles[name]
        known = ", ".join(self.roles) or "none"
        hint = suggest(name, self.roles)
        more = f"; did you mean `{hint}`?" if hint else ""
        raise UsageError(f"policy `{self.name}` has no role `{name}` (its roles: {known}){more}")


def record_layers(kind: str, rec: CheckedRecord) -> list[tuple[str, CheckedRecord]]:
    """A record's rules and the floors under it, nearest first, each with its block key
    (`record:KIND`, then `record:KIND:floor1`, ...)."""
    out: list[tuple[str, CheckedRecord]] = []
    layer: CheckedRecord | None = rec
    while layer is not None:
        out.append((f"record:{kind}" + (f":floor{len(out)}" if out else ""), layer))
        layer = layer.floor
    return out
