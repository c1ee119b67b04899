"""Types, units and runtime values shared by the checker, the compiler and the interpreter.

Static types (`Type` subclasses) describe what an expression yields; the checker proves units and
currencies consistent, so at run time a quantity is a bare `Decimal` in its static unit. A value
that cannot be known (an absent fact, no evidence to take the latest of) is an `Unknown` that
carries the names of what is missing, so three-valued logic and the list of missing facts come
from the same object.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable
from decimal import Decimal

import attrs

# --------------------------------------------------------------------------- static types


@attrs.frozen
class Type:
    """The static type of an expression."""

    def describe(self) -> str:
        return type(self).__name__.lower()


@attrs.frozen
class Simple(Type):
    """A type with no parameters: yes/no, text, date, person, place."""

    name: str

    def describe(self) -> str:
        return {"bool": "yes/no"}.get(self.name, self.name)


BOOL = Simple("bool")
TEXT = Simple("text")
DATE = Simple("date")
PERSON = Simple("person")
PLACE = Simple("place")
PERIOD = Simple("calendar period")  # a term, semester or school year of a school calendar
ANY = Simple("any")  # only the empty set literal has elements of this type


@attrs.frozen
class Quantity(Type):
    """A number with a unit (`hours`, `years`, `pdps`), or a plain count when `unit` is None."""

    unit: str | None = None

    def describe(self) -> str:
        return f"a number of {self.unit}" if self.unit else "a number"


NUMBER = Quantity(None)


@attrs.frozen
class Money(Type):
    """An exact amount in one currency."""

    currency: str

    def describe(self) -> str:
        return f"money in {self.currency}"


@attrs.frozen
class Rate(Type):
    """An amount per unit of time or work: `hours per week`, `USD per month` (section 28)."""

    amount: Type  # a Quantity with a unit, or Money
    per: str  # a unit of UNITS

    def describe(self) -> str:
        what = f"{self.amount.currency}" if isinstance(self.amount, Money) else (self.amount.unit or "a number") if isinstance(self.amount, Quantity) else self.amount.describe()
        return f"a rate in {what} per {unit_word(self.per, Decimal(1))}"


@attrs.frozen
class Choice(Type):
    """One of a fixed, unordered set of named values (`active`, `retired`)."""

    name: str
    values: tuple[str, ...]

    def describe(self) -> str:
        return f"a {self.name} ({', '.join(self.values)})"


@attrs.frozen
class Scale(Type):
    """An ordered set of levels, lowest first; its values compare with < and >."""

    name: str
    levels: tuple[str, ...]

    def describe(self) -> str:
        return f"a {self.name} level ({' < '.join(self.levels)})"


@attrs.frozen
class SetOf(Type):
    """A finite set of values of one type."""

    element: Type

    def describe(self) -> str:
        return f"a set of {self.element.describe()}"


@attrs.frozen
class EvidenceList(Type):
    """The evidence items of one kind, oldest first."""

    kind: str

    def describe(self) -> str:
        return f"a list of {self.kind} evidence"


@attrs.frozen
class EvidenceItem(Type):
    """One evidence item of a kind."""

    kind: str

    def describe(self) -> str:
        return f"one {self.kind} evidence item"


def is_numeric(t: Type) -> bool:
    return isinstance(t, (Quantity, Money))


# --------------------------------------------------------------------------- units

#: unit -> (dimension, size in the dimension's smallest unit); only same-dimension units mix
UNITS: dict[str, tuple[str, int]] = {
    "hours": ("hours", 1),
    "days": ("days", 1),
    "weeks": ("days", 7),
    "months": ("months", 1),
    "years": ("months", 12),
    "pdps": ("pdps", 1),
    "school_days": ("school_days", 1),  # counted on a school calendar (core/calendars.py)
}
UNIT_ALIASES = {
    "hour": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "pdp": "pdps",
    "PDP": "pdps",
    "PDPs": "pdps",
}
#: units a date can be moved by
CALENDAR_UNITS = ("days", "weeks", "months", "years")
CURRENCIES = ("USD", "GBP", "EUR", "CAD")


def canonical_unit(word: str) -> str | None:
    if word in UNITS:
        return word
    return UNIT_ALIASES.get(word)


def conversion(from_unit: str, to_unit: str) -> int | None:
    """The whole factor that turns `from_unit` into `to_unit`, or None when they do not mix."""
    d1, s1 = UNITS[from_unit]
    d2, s2 = UNITS[to_unit]
    if d1 != d2 or s1 % s2:
        return None
    return s1 // s2


# --------------------------------------------------------------------------- runtime values


class Unknown:
    """A value that cannot be known; `missing` names the facts or evidence that would settle it."""

    __slots__ = ("missing",)

    def __init__(self, missing: Iterable[str] = ()) -> None:
        self.missing: frozenset[str] = frozenset(missing)

    def __repr__(self) -> str:
        return f"Unknown({sorted(self.missing)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.missing == self.missing

    def __hash__(self) -> int:
        return hash(self.missing)

    def __bool__(self) -> bool:
        raise TypeError("an unknown value has no truth value; use Kleene operations")


Unknown.__module__ = "accord"


def unknown(*names: str) -> Unknown:
    """An unknown value whose missing facts are `names` (for plugin functions)."""
    return Unknown(names)


def join_unknown(*values: object) -> Unknown:
    """One unknown carrying the missing facts of every unknown among `values`."""
    missing: set[str] = set()
    for v in values:
        if v.__class__ is Unknown:
            missing |= v.missing  # type: ignore[attr-defined]
    return Unknown(missing)


@attrs.frozen
class Dated:
    """A value by period (a dated parameter): `periods` are (first day, value) in date order; each
    is in force from its date until the day before the next one's, the last one without end."""

    periods: tuple[tuple[dt.date, object], ...]

    def at(self, as_of: dt.date) -> tuple[object, dt.date, dt.date | None] | None:
        """The value in force on `as_of`, its first day and its last day (None: no end), or None
        before the first date."""
        found = None
        for i, (start, value) in enumerate(self.periods):
            if start > as_of:
                break
            end = self.periods[i + 1][0] - dt.timedelta(days=1) if i + 1 < len(self.periods) else None
            found = (value, start, end)
        return found

    def dates(self) -> tuple[dt.date, ...]:
        """The dates on which the value changes."""
        return tuple(d for d, _ in self.periods)


def iso_date(raw: object) -> dt.date | None:
    """A date as a facts file gives it (a TOML date, or `YYYY-MM-DD` text), or None if it is not one."""
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def period_text(start: dt.date, end: dt.date | None) -> str:
    """`from 2025-07-01` or `2024-07-01 to 2025-06-30`."""
    return f"from {start.isoformat()}" if end is None else f"{start.isoformat()} to {end.isoformat()}"


_scale_enums: dict[tuple[str, tuple[str, ...]], type[enum.IntEnum]] = {}


def scale_enum(scale: Scale) -> type[enum.IntEnum]:
    """The runtime enum of a scale: its levels are ints, so they compare at C speed."""
    key = (scale.name, scale.levels)
    if key not in _scale_enums:
        _scale_enums[key] = enum.IntEnum(scale.name, {lv: i for i, lv in enumerate(scale.levels)})  # type: ignore[misc]
    return _scale_enums[key]


def to_decimal(value: object) -> Decimal | None:
    """An exact Decimal from an int, a float (via its shortest repr) or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except ArithmeticError:
            return None
        return d if d.is_finite() else None
    return None


def show_number(d: Decimal) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros after the point.

    Exact whatever its length (no rounding to the 28-digit context); a number too long to read
    written out (over 40 digits, which only arithmetic can make) is shown as `1.5E+45`."""
    if not d.is_finite():
        return str(d)
    if not -40 < d.adjusted() < 40:
        digits = str(d.as_tuple().digits[0]) + "." + "".join(map(str, d.as_tuple().digits[1:]))
        return ("-" if d.is_signed() else "") + digits.rstrip("0").rstrip(".") + f"E{d.adjusted():+d}"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def show_money(d: Decimal) -> str:
    """An amount as people write money: `714`, `714.50` (cents shown once there are any)."""
    text = show_number(d)
    cents = text.partition(".")[2]
    return text + "0" if len(cents) == 1 else text


def unit_word(unit: str, amount: Decimal) -> str:
    """`years`, or `year` for exactly one (`pdps` stays as written)."""
    if amount in (1, -1) and unit.endswith("s") and unit != "pdps":
        return unit[:-1].replace("_", " ")
    return unit.replace("_", " ")


def show(value: object, t: Type | None = None) -> str:
    """A value as a coordinator reads it: `2.9 years`, `USD 714`, `yes`, `{active, retired}`."""
    if value.__class__ is Unknown:
        return "unknown"
    if value.__class__ is Dated:  # a dated parameter's whole value, as written
        return ", ".join(f"{show(v, t)} from {d.isoformat()}" for d, v in value.periods)  # type: ignore[attr-defined]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, enum.IntEnum):
        return value.name
    if isinstance(value, Decimal):
        if isinstance(t, Rate):
            return f"{show(value, t.amount)} per {unit_word(t.per, Decimal(1))}"
        if isinstance(t, Money):
            return f"{t.currency} {show_money(value)}"
        if isinstance(t, Quantity) and t.unit:
            return f"{show_number(value)} {unit_word(t.unit, value)}"
        return show_number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        elem = t.element if isinstance(t, SetOf) else None
        return "{" + ", ".join(sorted(show(v, elem) for v in value)) + "}"
    if isinstance(value, tuple):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    label = getattr(value, "label", None)
    if callable(label):
        return str(label())
    return str(value)


def to_json_value(value: object) -> object:
    """A value in JSON: Decimal as a string (exact), dates ISO, levels by name, unknown as null."""
    if value is None or value.__class__ is Unknown:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, enum.IntEnum):
        return value.name
    if isinstance(value, Decimal):
        return show_number(value)
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        return sorted(str(to_json_value(v)) for v in value)
    if isinstance(value, tuple):
        return len(value)
    ident = getattr(value, "id", None)
    if isinstance(ident, str):
        return ident
    return str(value)
