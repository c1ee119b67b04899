"""The policy AST: one frozen, slotted attrs class per construct, as the parser builds it.

Every node has a `span` (where it is in the policy file), left out of equality so that two
policies that say the same thing compare equal wherever they say it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from .errors import Span


def _span() -> Span:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- expressions


@attrs.frozen
class Expr:
    """An expression; `span` says where it is."""

    span: Span = _span()


@attrs.frozen
class Number(Expr):
    value: Decimal


@attrs.frozen
class QuantityLit(Expr):
    """`3 years`, `300 hours`: the unit word as written, checked later."""

    value: Decimal
    unit: str


@attrs.frozen
class MoneyLit(Expr):
    """`USD 500`: the currency code as written, checked later."""

    currency: str
    value: Decimal


@attrs.frozen
class DateLit(Expr):
    value: dt.date


@attrs.frozen
class StringLit(Expr):
    value: str


@attrs.frozen
class BoolLit(Expr):
    value: bool


@attrs.frozen
class Today(Expr):
    """The as-of date of the question."""


@attrs.frozen
class Name(Expr):
    """A bare name: a binding, a definition, a parameter, a constant or a scale/choice value."""

    name: str


@attrs.frozen
class Field(Expr):
    """`subject.name`: a fact, a relationship end, a place above, or an evidence field."""

    subject: Expr
    name: str
    name_span: Span = _span()


@attrs.frozen
class Call(Expr):
    """`name(args)`: a built-in, a plugin function or a definition with parameters."""

    name: str
    args: tuple[Expr, ...]


@attrs.frozen
class EvidenceQuery(Expr):
    """`evidence kind [of subject] [where condition]`, only as an argument of a call."""

    kind: str
    subject: Expr | None
    where: Expr | None


@attrs.frozen
class SetLit(Expr):
    items: tuple[Expr, ...]


@attrs.frozen
class Not(Expr):
    operand: Expr


@attrs.frozen
class BoolOp(Expr):
    """`a and b and c`, or `a or b`; `op` is "and" or "or"."""

    op: str
    operands: tuple[Expr, ...]


@attrs.frozen
class Compare(Expr):
    op: str
    left: Expr
    right: Expr


@attrs.frozen
class Member(Expr):
    """`x in S`, or `x not in S` when `negated`."""

    element: Expr
    collection: Expr
    negated: bool = False


@attrs.frozen
class Same(Expr):
    """`a is b`, or `a is not b` when `negated`: the same person or place."""

    left: Expr
    right: Expr
    negated: bool = False


@attrs.frozen
class Arith(Expr):
    op: str
    left: Expr
    right: Expr


@attrs.frozen
class Neg(Expr):
    operand: Expr


@attrs.frozen
class Quantifier(Expr):
    """`every x in S: body` or `any x in S: body`."""

    kind: str
    var: str
    collection: Expr
    body: Expr


# --------------------------------------------------------------------------- declarations


@attrs.frozen
class Header:
    """`policy "name"` and its clauses."""

    name: str
    programme: str | None = None
    version: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    source: str | None = None
    span: Span = _span()
    programme_span: Span = _span()


@attrs.frozen
class Define:
    """`define name(params) = body`: a named expression, expanded where it is used."""

    name: str
    params: tuple[str, ...]
    body: Expr
    span: Span = _span()


@attrs.frozen
class Parameter:
    """`parameter name [: type] = value [may raise|lower|change]`: a value an organisation sets."""

    name: str
    type_words: tuple[str, ...]
    value: Expr | None
    right: str | None
    span: Span = _span()


@attrs.frozen
class Requirement:
    """`require "label" [source "..."]: condition`."""

    label: str
    source: str | None
    condition: Expr
    span: Span = _span()


@attrs.frozen
class Exception_:
    """`except "label" grants|denies [overriding "other"] [source "..."]: condition`."""

    label: str
    effect: str
    overriding: tuple[str, ...]
    source: str | None
    condition: Expr
    span: Span = _span()


@attrs.frozen
class Preference:
    """`prefer "label" weight N: condition`, a soft criterion for matching."""

    label: str
    weight: Decimal
    source: str | None
    condition: Expr
    span: Span = _span()


@attrs.frozen
class Role:
    """`role name` and its requirements and exceptions."""

    name: str
    requirements: tuple[Requirement, ...]
    exceptions: tuple[Exception_, ...]
    span: Span = _span()


@attrs.frozen
class Pair:
    """`pair first, second`: rules on a relationship between two people in those roles."""

    first: str
    second: str
    requirements: tuple[Requirement, ...]
    preferences: tuple[Preference, ...]
    span: Span = _span()


@attrs.frozen
class Policy:
    """A parsed policy file."""

    header: Header
    defines: tuple[Define, ...]
    parameters: tuple[Parameter, ...]
    roles: tuple[Role, ...]
    pairs: tuple[Pair, ...]
    file: str = attrs.field(default="<policy>", eq=False)
    text: str = attrs.field(default="", eq=False, repr=False)
