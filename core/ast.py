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
class HoldersAt(Expr):
    """`mentors at person.school`: the people at a place (or under it) who stand at an end of a
    relationship valid on the as-of date; only as an argument of a call (`count(...)`)."""

    role: str
    place: Expr
    role_span: Span = _span()


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
class SchoolDays(Expr):
    """`school days between A and B`: the subject's school days after A, up to and including B."""

    left: Expr
    right: Expr


@attrs.frozen
class Within(Expr):
    """`N school days of A` (after `within`, in a deadline): the date N (school) days after A."""

    amount: Expr
    origin: Expr


@attrs.frozen
class NthPeriod(Expr):
    """`the 2nd term from A`: the n-th period of a kind of the subject's calendar, counted from A's."""

    kind: str
    n: int
    origin: Expr


@attrs.frozen
class TheOf(Expr):
    """`the term of A` (the period that contains a date) or `the end of P` / `the start of P`."""

    word: str
    operand: Expr


@attrs.frozen
class Percent(Expr):
    """`10 %` (a share, 0.1), or with a base, `10 % of timetable` (a tenth of it)."""

    value: Decimal
    base: Expr | None = None


@attrs.frozen
class RateLit(Expr):
    """`1 hour per week`, `USD 100 per month`: `unit` is a unit word or, with `currency`, None."""

    value: Decimal
    unit: str | None
    per: str
    currency: str | None = None


@attrs.frozen
class Average(Expr):
    """`average of M per week from A [to B]`: M over the window, per week of it."""

    measure: Expr
    per: str
    start: Expr
    end: Expr | None = None


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


@attrs.frozen
class If(Expr):
    """`if condition then value else other`: a value chosen by a condition."""

    condition: Expr
    then: Expr
    otherwise: Expr


@attrs.frozen
class Cases(Expr):
    """A decision table: `VALUE when CONDITION, ..., VALUE otherwise` (`otherwise` optional)."""

    values: tuple[Expr, ...]
    conditions: tuple[Expr, ...]
    otherwise: Expr | None = None


@attrs.frozen
class Let(Expr):
    """`let name = value in body`: a name for a value inside one expression."""

    name: str
    value: Expr
    body: Expr
    name_span: Span = _span()


@attrs.frozen
class ToWhole(Expr):
    """`x to whole UNIT`, only as the argument of `round`, `floor` or `ceil`."""

    operand: Expr
    unit: str
    unit_span: Span = _span()


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
    extends: str | None = None
    place_kind: str | None = None
    place: str | None = None
    span: Span = _span()
    programme_span: Span = _span()
    extends_span: Span = _span()


@attrs.frozen
class Define:
    """`define name(params) = body`: a named expression, expanded where it is used."""

    name: str
    params: tuple[str, ...]
    body: Expr
    span: Span = _span()


@attrs.frozen
class DatedValues:
    """`USD 1800 from 2024-07-01, USD 2000 from 2025-07-01`: a parameter's value by period, each
    in force from its date until the next one's (the last one without end)."""

    values: tuple[Expr, ...]
    dates: tuple[dt.date, ...]
    date_spans: tuple[Span, ...] = attrs.field(eq=False)
    span: Span = _span()


@attrs.frozen
class Parameter:
    """`parameter name [: type] = value [may raise|lower|change]`: a value an organisation sets."""

    name: str
    type_words: tuple[str, ...]
    value: Expr | DatedValues | None
    right: str | None
    span: Span = _span()


@attrs.frozen
class Requirement:
    """`require "label" [source "..."]: condition`."""

    label: str
    source: str | None
    condition: Expr
    span: Span = _span()
    #: `may change`: a layer below may `replace "label": ...` it
    right: str | None = None


@attrs.frozen
class Replacement:
    """`replace "label" [source "..."]: condition` in an `extend`: a new condition for the parent's requirement."""

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
    """`prefer "label" weight N [first]: condition`, a soft criterion for matching.

    `first` puts it in the first tier: the matcher meets first-tier preferences as often as it can
    before it weighs any other (`docs/language.md`, fallback preferences).
    """

    label: str
    weight: Decimal
    source: str | None
    condition: Expr
    first: bool = False
    span: Span = _span()


@attrs.frozen
class Role:
    """`role name` and its requirements and exceptions."""

    name: str
    requirements: tuple[Requirement, ...]
    exceptions: tuple[Exception_, ...]
    right: str | None = None
    span: Span = _span()


@attrs.frozen
class Pair:
    """`pair first, second`: rules on a relationship between two people in those roles."""

    first: str
    second: str
    requirements: tuple[Requirement, ...]
    preferences: tuple[Preference, ...]
    right: str | None = None
    span: Span = _span()


@attrs.frozen
class Incentive:
    """`incentive "label" to ROLE [per relationship|person]`: what a person in a role receives."""

    label: str
    to: str
    per: str | None
    amount: Expr | None
    vouchers: tuple[str, ...]
    recognitions: tuple[str, ...]
    payer: Expr | None
    requirements: tuple[Requirement, ...]
    source: str | None
    right: str | None = None
    span: Span = _span()
    #: every `amount` clause in order (`amount` is the first): the checker allows one
    amounts: tuple[Expr, ...] = ()
    #: the other one-off clauses (`per`, `paid by`, `source`) written more than once
    repeated: tuple[str, ...] = ()
    #: `to mentee.region per mentor`: the place that receives it (then `to` is ""); `to region`
    #: (a kind of place) is kept in `to`, and the checker tells it from a role
    receiver: Expr | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Visible:
    """`visible to a, b [when shared by subject | when condition]`, or `counts visible to ...`."""

    viewers: tuple[str, ...]
    counts_only: bool = False
    shared: bool = False
    condition: Expr | None = None
    span: Span = _span()


@attrs.frozen
class Reveal:
    """`except "label" reveals to a, b when condition`: an exception to confidentiality."""

    label: str
    viewers: tuple[str, ...]
    source: str | None
    condition: Expr
    span: Span = _span()


@attrs.frozen
class Record:
    """`record KIND`: who may see evidence of that kind; nobody else may."""

    kind: str
    visible: tuple[Visible, ...]
    reveals: tuple[Reveal, ...]
    right: str | None = None
    span: Span = _span()
    #: set by layering: the parent's record, which this one may only narrow (the parent's rules stay a floor)
    floor: Record | None = None
    #: `kept N [academic] UNIT [for "purpose"]`: how long a record stays visible to anyone
    retention: Retention | None = None


@attrs.frozen
class Retention:
    """`kept 3 academic years for "program review"`: a record is expired (seen by nobody) after that."""

    amount: int
    unit: str
    academic: bool = False
    purpose: str | None = None
    source: str | None = None
    span: Span = _span()


@attrs.frozen
class Part:
    """One part of a commitment.

    `quota`: at least `required` of `measure` [due `due`]; `deadline`: by `due`: `condition`;
    `recurring`: every `period` [from `start`]: at least `required` of `measure`.
    """

    kind: str
    label: str | None
    required: Expr | None = None
    measure: Expr | None = None
    due: Expr | None = None
    condition: Expr | None = None
    period: str | None = None
    start: Expr | None = None
    span: Span = _span()


@attrs.frozen
class Commitment:
    """`commitment "label" for ROLE`: time and evidence owed, in parts."""

    label: str
    role: str
    source: str | None
    parts: tuple[Part, ...]
    right: str | None = None
    #: `when CONDITION`: the commitment is owed only by the people for whom it holds
    applies: Expr | None = None
    span: Span = _span()
    #: `owed by district`: a duty the person's place of that kind owes them (None: the person owes it)
    owed_by: str | None = attrs.field(default=None, kw_only=True)
    owed_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class SetValue:
    """`set name = value`: a child policy's value for a parameter its parent declares."""

    name: str
    value: Expr | DatedValues | None
    span: Span = _span()


@attrs.frozen
class Override:
    """`override role|record|incentive|commitment|pair ...`: replaces the parent's rule of that name."""

    item: Role | Record | Incentive | Commitment | Pair
    span: Span = _span()


@attrs.frozen
class Extend:
    """`extend role NAME` / `extend pair A, B`: adds requirements (and denials, preferences) to the
    parent's role or pair, and `replace`s requirements the parent marks `may change`."""

    role: Role | Pair
    span: Span = _span()
    replacements: tuple[Replacement, ...] = ()


@attrs.frozen
class Policy:
    """A parsed policy file."""

    header: Header
    defines: tuple[Define, ...]
    parameters: tuple[Parameter, ...]
    roles: tuple[Role, ...]
    pairs: tuple[Pair, ...]
    incentives: tuple[Incentive, ...] = ()
    records: tuple[Record, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    sets: tuple[SetValue, ...] = ()
    overrides: tuple[Override, ...] = ()
    extends: tuple[Extend, ...] = ()
    file: str = attrs.field(default="<policy>", eq=False)
    text: str = attrs.field(default="", eq=False, repr=False)
    #: for a merged, layered policy: each layer's file -> its text, and the layers root first
    sources: dict[str, str] = attrs.field(factory=dict, eq=False, repr=False)
    layers: tuple[Header, ...] = attrs.field(default=(), eq=False, repr=False)
