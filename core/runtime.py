"""What a policy can reach while it is evaluated: the as-of date, the facts, and a few helpers.

`Context` answers navigation questions (who is this person's mentor on the as-of date, what
evidence do they have, which region is their district in). The helpers below are the operations
the compiled code calls rather than inlines (evidence filters, calendar arithmetic, plugin calls);
the interpreter uses the same ones, so both evaluators share one meaning for them.
"""

from __future__ import annotations

import bisect
import calendar
import decimal
import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from .model import Evidence, Facts, Person, Place, Relationship
from .values import Unknown, join_unknown, show_number

_U = Unknown


class Context:
    """The facts and the as-of date questions are asked against, and what has been looked up in them.

    Every record (evidence item) a rule reads is read through `evidence`: the compiled code, the
    interpreter and plugin functions (through `Records`, the only view of the facts they get) alike.
    A `RecordingContext` notes each such read, which is how `--viewer` redaction learns what a
    value was computed from, whatever construct computed it.
    """

    __slots__ = ("as_of", "facts", "since", "records", "_related", "_evidence", "_holders")

    def __init__(self, facts: Facts, as_of: dt.date, since: dt.date | None = None) -> None:
        self.as_of = as_of
        self.facts = facts
        #: when set, the context is a recurring expectation's period, from `since` to `as_of`:
        #: evidence dated before it is left out, and a relationship counts if it was valid on any
        #: day of the period (not only on its last day)
        self.since = since
        #: what plugin functions and derived facts are handed: the facts, read through this context
        self.records = Records(self)
        self._related: dict[tuple[str, str, tuple[str, ...]], frozenset[Person]] = {}
        self._evidence: dict[tuple[str, str], tuple[Evidence, ...]] = {}
        self._holders: dict[tuple[str, str, tuple[str, ...]], frozenset[Person]] = {}

    @classmethod
    def of(cls, facts: Facts, as_of: dt.date) -> Context:
        """The shared context of a day: made once, then reused for every question on that day."""
        cache = facts.contexts
        ctx = cache.get(as_of)
        if ctx is None:
            if len(cache) >= 64:  # a long run over many dates keeps only the recent ones
                cache.clear()
            ctx = cache[as_of] = cls(facts, as_of)
        return ctx  # type: ignore[no-any-return]

    def related(self, person: Any, end: str, kinds: tuple[str, ...]) -> Any:
        """The people at `end` of `person`'s relationships of `kinds` valid on the as-of date (or in the period)."""
        if person.__class__ is _U:
            return person
        key = (person.id, end, kinds)  # `to lead_mentor` reads the `mentor` end of lead_mentoring only
        found = self._related.get(key)
        if found is None:
            people = self.facts.people
            found = frozenset(
                people[rel.ends[end]]
                for rel in self.facts.relationships_of(person.id)
                if rel.kind in kinds
                and (rel.period.contains(self.as_of) if self.since is None else rel.period.overlaps(self.since, self.as_of))
                and rel.ends.get(end) != person.id
                and person.id in rel.ends.values()
            )
            self._related[key] = found
        return found

    def holders_at(self, place: Any, end: str, kinds: tuple[str, ...]) -> Any:
        """The people whose place is `place` or under it, standing at `end` of a relationship of
        `kinds` valid on the as-of date (or in the period): `mentors at person.school`.

        Reads people, places and relationships, never a record: nothing here for redaction."""
        if place.__class__ is _U:
            return place
        key = (place.id, end, kinds)
        found = self._holders.get(key)
        if found is None:
            people, facts = self.facts.people, self.facts
            ids = {
                rel.ends[end]
                for rel in facts.relationships
                if rel.kind in kinds and end in rel.ends
                and (rel.period.contains(self.as_of) if self.since is None else rel.period.overlaps(self.since, self.as_of))
            }
            found = frozenset(
                people[pid] for pid in ids if pid in people and any(p.id == place.id for p in facts.place_chain(people[pid].place))
            )
            self._holders[key] = found
        return found

    def evidence(self, person: Any, kind: str, aggregate: bool = False) -> Any:
        """The person's evidence of one kind dated on or before the as-of date, oldest first.

        `aggregate` says the caller uses only how many items there are and their totals (an
        unfiltered `count` or `sum`), which a counts-only viewer may see; it changes nothing here.
        """
        if person.__class__ is _U:
            return person
        key = (person.id, kind)
        items = self._evidence.get(key)
        if items is None:
            items = self.facts.evidence_of(person.id, kind)
            # oldest first, so a period's items are a slice: a recurring part over many periods
            # costs a search per period, not a pass over all the person's evidence
            if items and items[-1].date > self.as_of:
                items = items[: bisect.bisect_right(items, self.as_of, key=_date)]
            if self.since is not None and items and items[0].date < self.since:
                items = items[bisect.bisect_left(items, self.since, key=_date) :]
            self._evidence[key] = items
        return items

    def person_field(self, item: Any, name: str, missing: Unknown) -> Any:
        """The person an evidence item names as its author, verifier or subject."""
        if item.__class__ is _U:
            return item
        pid = getattr(item, name)
        return missing if pid is None else self.facts.people[pid]

    def place_above(self, subject: Any, kind: str, missing: Unknown) -> Any:
        """The place of `kind` at or above the subject's place ('' for the subject's own place)."""
        if subject.__class__ is _U:
            return subject
        place_id = subject.place if isinstance(subject, Person) else subject.id
        for place in self.facts.place_chain(place_id):
            if not kind or place.kind == kind:
                return place
        return missing


def _date(item: Evidence) -> dt.date:
    return item.date


#: one read of records: (subject's id, evidence kind, read in aggregate only?)
Read = tuple[str, str, bool]


class RecordingContext(Context):
    """A context that notes every read of records, for redaction (`accord.access.redact`).

    Made fresh for each rule it evaluates, so nothing cached by another rule hides a read.
    """

    __slots__ = ("reads",)

    def __init__(self, facts: Facts, as_of: dt.date, since: dt.date | None = None) -> None:
        super().__init__(facts, as_of, since)
        self.reads: set[Read] = set()

    def evidence(self, person: Any, kind: str, aggregate: bool = False) -> Any:
        if person.__class__ is not _U:
            self.reads.add((person.id, kind, aggregate))
        return super().evidence(person, kind, aggregate)


class Records:
    """What a plugin function (or a derived fact) may read: people, places, relationships, and
    records through `evidence` only, so that every record it reads is known to redaction.

    A plugin function is called as `fn(records, *arguments)`; `records.as_of` is the as-of date.
    Do not reach past this object to the facts: a record read any other way would be shown to a
    viewer who may not see it.
    """

    __slots__ = ("_ctx",)

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @property
    def as_of(self) -> dt.date:
        """The date the question is asked as of."""
        return self._ctx.as_of

    def evidence(self, person: Person, kind: str, *, ever: bool = False) -> tuple[Evidence, ...]:
        """The person's records of one kind, oldest first: those dated on or before the as-of
        date (and in the current period, for a recurring expectation), or with `ever`, all of them."""
        items = self._ctx.evidence(person, kind)
        return self._ctx.facts.evidence_of(person.id, kind) if ever else items

    def count(self, person: Person, kind: str) -> int:
        """How many records of one kind the person has as of the as-of date (a counts-only read)."""
        return len(self._ctx.evidence(person, kind, True))

    def related(self, person: Person, end: str, kinds: tuple[str, ...]) -> frozenset[Person]:
        """The people at `end` of the person's relationships of `kinds` valid on the as-of date."""
        return self._ctx.related(person, end, kinds)  # type: ignore[no-any-return]

    def holders_at(self, place: Place, end: str, kinds: tuple[str, ...]) -> frozenset[Person]:
        """The people at the place (or under it) at `end` of a relationship of `kinds` valid on the as-of date."""
        return self._ctx.holders_at(place, end, kinds)  # type: ignore[no-any-return]

    def relationships_of(self, person: Person) -> tuple[Relationship, ...]:
        """Every relationship the person stands in, at any time (check `period` for the date)."""
        return self._ctx.facts.relationships_of(person.id)

    def person(self, person_id: str) -> Person:
        """The person with this id."""
        return self._ctx.facts.people[person_id]

    def place_chain(self, place_id: str | None) -> tuple[Place, ...]:
        """The place and the places above it, nearest first."""
        return self._ctx.facts.place_chain(place_id)

    def place_above(self, subject: Any, kind: str, missing: Unknown) -> Any:
        """The place of `kind` at or above the subject's place, else `missing`."""
        return self._ctx.place_above(subject, kind, missing)


# --------------------------------------------------------------------------- helpers


def fact(subject: Any, name: str, missing: Unknown) -> Any:
    if subject.__class__ is _U:
        return subject
    return subject.facts.get(name, missing)


def derived(fn: Callable[..., object], ctx: Context, subject: Any, missing: Unknown) -> Any:
    if subject.__class__ is _U:
        return subject
    value = fn(ctx.records, subject)
    return missing if value is None else value


def field(item: Any, name: str, missing: Unknown) -> Any:
    """A field of an evidence item, person or place; absent is unknown."""
    if item.__class__ is _U:
        return item
    if isinstance(item, Evidence):
        if name == "verified":
            return item.verified_by is not None
        value = getattr(item, name) if name in _EVIDENCE_ATTRS else item.fields.get(name)
    else:
        value = getattr(item, name, None)
    return missing if value is None else value


_EVIDENCE_ATTRS = frozenset({"date", "hours", "count", "standards", "kind", "id"})


def is_recorded_field(name: str) -> bool:
    """Whether `field` reads this field of an evidence item from its `fields` (one its kind declares)."""
    return name != "verified" and name not in _EVIDENCE_ATTRS and name not in PERSON_FIELDS

#: evidence fields that name a person; `Context.person_field` resolves them
PERSON_FIELDS = frozenset({"author", "verified_by", "subject"})


def shift(date: Any, amount: Any, unit: str, sign: int) -> Any:
    """Calendar arithmetic: a date moved by days, weeks, months or years (clamped to month end)."""
    if date.__class__ is _U or amount.__class__ is _U:
        return join_unknown(date, amount)
    if amount != amount.to_integral_value():
        raise WholeAmountError(f"a date moves by whole {unit}, not {show_number(amount)} {unit}: round the amount with `round(...)`, `floor(...)` or `ceil(...)`")
    n = int(amount) * sign
    if unit in ("days", "weeks"):
        return date + dt.timedelta(days=n * (7 if unit == "weeks" else 1))
    months = n * (12 if unit == "years" else 1)
    y, m = divmod(date.month - 1 + months, 12)
    year, month = date.year + y, m + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


class WholeAmountError(ValueError):
    """A date moved by a computed amount that is not whole (`1.5 months`); a rule error, never a guess."""


_ROUNDING = {"round": decimal.ROUND_HALF_UP, "floor": decimal.ROUND_FLOOR, "ceil": decimal.ROUND_CEILING}


def rounded(value: Any, how: str) -> Any:
    """`round(x)` (halves away from zero), `floor(x)` or `ceil(x)`: a number, quantity or money to a whole amount of its unit."""
    if value.__class__ is _U:
        return value
    return value.quantize(Decimal(1), rounding=_ROUNDING[how])


def dated_value(dated: Any, as_of: dt.date, missing: Any) -> Any:
    """A dated parameter's value in force on `as_of`; `missing` (an unknown) before its first date."""
    found = dated.at(as_of)
    return missing if found is None else found[0]


def date_diff(left: Any, right: Any) -> Any:
    if left.__class__ is _U or right.__class__ is _U:
        return join_unknown(left, right)
    return Decimal((left - right).days)


def make_set(*items: Any) -> Any:
    if any(i.__class__ is _U for i in items):
        return join_unknown(*items)
    return frozenset(items)


def call(fn: Callable[..., object], ctx: Context, *args: Any) -> Any:
    """A plugin function: unknown in, unknown out (the function never sees an unknown)."""
    if any(a.__class__ is _U for a in args):
        return join_unknown(*args)
    return fn(ctx.records, *args)


def choose(rows: Any, otherwise: Any, none_applies: Unknown) -> Any:
    """The value of a conditional (`ir.Choose`): `rows` are (condition, value) thunks read in order,
    `otherwise` a thunk or None.

    The first row whose condition is true gives the value. A condition that is unknown leaves
    its row possible: the value is unknown (naming what the conditions miss) unless every
    possible value is the same. No row true and no `otherwise`: `none_applies`, or unknown."""
    unknowns = []
    possible = []
    decided = False
    for condition, value in rows:
        verdict = condition()
        if verdict is True:
            possible.append(value)
            decided = True
            break
        if verdict is not False:
            unknowns.append(verdict)
            possible.append(value)
    if not decided:
        if otherwise is None:
            return join_unknown(*unknowns) if unknowns else none_applies
        possible.append(otherwise)
    if not unknowns:
        return possible[-1]()
    values = [v() for v in possible]
    first = values[0]
    if all(v.__class__ is not _U for v in values) and all(v == first for v in values[1:]):
        return first
    return join_unknown(*unknowns, *(v for v in values if v.__class__ is _U))


def minimum(records: Any, *values: Any) -> Any:
    """`min(a, b, ...)`: the smallest value (the checker makes them one type; unknowns never reach here)."""
    return min(values)


def maximum(records: Any, *values: Any) -> Any:
    """`max(a, b, ...)`: the largest value."""
    return max(values)


def select(items: Any, keep: Callable[[Any], Any] | None) -> Any:
    """Items for which `keep` is true; unknown if it is unknown for any item."""
    if items.__class__ is _U or keep is None:
        return items
    out = []
    unknowns = []
    for item in items:
        verdict = keep(item)
        if verdict is True:
            out.append(item)
        elif verdict.__class__ is _U:
            unknowns.append(verdict)
    if unknowns:
        return join_unknown(*unknowns)
    return tuple(out)


def count(items: Any) -> Any:
    if items.__class__ is _U:
        return items
    return Decimal(len(items))


def total(items: Any, name: str, missing: Unknown) -> Any:
    if items.__class__ is _U:
        return items
    result = Decimal(0)
    for item in items:
        value = field(item, name, missing)
        if value.__class__ is _U:
            return value
        result += value
    return result


def latest(items: Any, missing: Unknown) -> Any:
    if items.__class__ is _U:
        return items
    return items[-1] if items else missing


def _quantify(collection: Any, body: Callable[[Any], Any], decisive: bool) -> Any:
    """Kleene fold over the members: the decisive value wins, else unknown if any member is."""
    if collection.__class__ is _U:
        return collection
    unknowns = []
    for member in _ordered(collection):
        verdict = body(member)
        if verdict is decisive:
            return decisive
        if verdict.__class__ is _U:
            unknowns.append(verdict)
    return join_unknown(*unknowns) if unknowns else not decisive


def every(collection: Any, body: Callable[[Any], Any]) -> Any:
    """Kleene 'for all': false if any member is false, else unknown if any is unknown."""
    return _quantify(collection, body, False)


def some(collection: Any, body: Callable[[Any], Any]) -> Any:
    """Kleene 'there is': true if any member is true, else unknown if any is unknown."""
    return _quantify(collection, body, True)


def _ordered(collection: Iterable[Any]) -> Iterable[Any]:
    """A deterministic order for sets, so that both evaluators visit members alike."""
    if isinstance(collection, frozenset):
        return sorted(collection, key=_sort_key)
    return collection


def _sort_key(value: Any) -> tuple[str, str]:
    if isinstance(value, (Person, Place)):
        return ("", value.id)
    return (type(value).__name__, str(value))


#: when set (`accord --debug`, `accord.runtime.debug()`), a rule that raises is not reported as an
#: error in the decision: its exception propagates with its traceback, down into the generated
#: source (registered in `linecache`, so the traceback shows the policy's generated lines)
DEBUG = False


def debug(on: bool = True) -> None:
    """Let a rule's exception propagate, traceback and all, instead of becoming a `RuleFailure`."""
    global DEBUG
    DEBUG = on


class RuleFailure:
    """A rule whose evaluation raised (a division by zero, a failing plugin function).

    `error` is the exception itself, traceback included: `traceback.format_exception(f.error)`
    shows the generated source and the plugin function that raised.
    """

    __slots__ = ("message", "error")

    def __init__(self, error: BaseException) -> None:
        self.error = error
        if isinstance(error, decimal.DivisionByZero):
            self.message = "division by zero"
        elif isinstance(error, decimal.InvalidOperation):
            self.message = "an arithmetic operation with no answer (such as 0 / 0)"
        elif isinstance(error, WholeAmountError):
            self.message = str(error)
        else:
            self.message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__

    def __repr__(self) -> str:
        return f"RuleFailure({self.message!r})"


def failed(error: BaseException) -> RuleFailure:
    """What a rule that raised gives: a `RuleFailure`, or under `debug()`, the exception again."""
    if DEBUG:
        raise error
    return RuleFailure(error)


def unknown_on(error: BaseException) -> None:
    """What a rule that raised gives to an outcome function: unknown, or under `debug()`, the exception again."""
    if DEBUG:
        raise error
    return None
