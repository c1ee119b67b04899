"""The checked, typed form of a policy: what the checker produces and both evaluators consume.

Every name is resolved (a fact, a relationship end, a scale value, a plugin function), every
definition is expanded, every unit conversion is explicit, and every node knows its static type
and the policy text it came from (`text`, used by explanations). The compiler turns these nodes
into Python source; the interpreter walks them directly. Both must give the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import attrs

from .errors import Span
from .values import Type


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
class SetOf(Node):
    """A set built from expressions that are not all constants."""

    items: tuple[Node, ...]


@attrs.frozen
class CallFn(Node):
    """A call of a plugin function; `impl(ctx, *args)`."""

    name: str
    impl: Callable[..., object] = attrs.field(eq=False)
    args: tuple[Node, ...] = ()


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


@attrs.frozen
class Block:
    """What one compiled function evaluates: rules and expressions over bound names."""

    params: tuple[str, ...]
    rules: tuple[Rule, ...]
    exprs: tuple[Node, ...] = ()


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, in evaluation order."""
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
        isinstance(n, (Evidence, Related, Today, CallFn)) or (isinstance(n, Fact) and n.derive is not None) for n in walk(node)
    )


def facts_read(node: Node) -> tuple[str, ...]:
    """The plain facts a value reads, as written (`person.mentor_trained`)."""
    return tuple(dict.fromkeys(n.text for n in walk(node) if isinstance(n, Fact) and n.derive is None))
