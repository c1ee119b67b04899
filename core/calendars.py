"""School calendars: school years, terms, semesters and non-school days, as data.

A district (or any place) declares its calendar in the facts file (`calendars`); a person's place
inherits the calendar of the nearest place above it that has one (`Facts.place_chain`). A person
may have their own stretch of it: absences (days that are not school days for them) and a
part-time share (`part_time: 0.5`: each school day counts half). What a policy reads from a
calendar:

- `school days between A and B`: the school days after A up to and including B (times the
  person's part-time share), so that A..B plus B..C is A..C;
- `A + N school days`: the N-th school day after A (the part-time share stretches it);
- `the 2nd term from A`, `the term of A`, `the end of P`: calendar periods and their edges;
- `every term`, `each semester`, `every school year`: a commitment checked per calendar period.

A calendar covers the days from the start of its first school year to the end of its last. A
question about a day outside it, or about a person whose places have no calendar, is unknown,
naming what is missing: never a guess.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .model import Period
from .values import Unknown, iso_date

#: the kinds of calendar period, as a policy names them (singular), and their facts-file list
PERIOD_KINDS = {"term": "terms", "semester": "semesters", "school year": "school_years"}
#: how a policy may write each kind (`every terms` is accepted as `every term`)
PERIOD_WORDS = {
    "term": "term", "terms": "term", "semester": "semester", "semesters": "semester",
    "school year": "school year", "school years": "school year", "school_year": "school year",
}


@attrs.frozen
class CalendarPeriod:
    """One term, semester or school year of a calendar: `term 2 of 2025-26`, both ends inclusive."""

    kind: str
    name: str
    start: dt.date
    end: dt.date

    def label(self) -> str:
        return self.name

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@attrs.frozen(eq=False)
class Calendar:
    """A place's school calendar. `school_days` is every school day, oldest first: a weekday in a
    term of a school year (in a semester, when the year has no terms; anywhere in the year, when it
    has neither) that is not a non-school day."""

    owner: str
    periods: Mapping[str, tuple[CalendarPeriod, ...]]
    closed: frozenset[dt.date] = frozenset()
    school_days: tuple[dt.date, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        days: list[dt.date] = []
        for year in self.periods.get("school year", ()):
            # school is in session in the year's terms (else its semesters, else the whole year)
            for kind in ("term", "semester", "school year"):
                spans = [p for p in self.periods.get(kind, ()) if year.start <= p.start and p.end <= year.end]
                if spans:
                    break
            for span in spans:
                day = span.start
                while day <= span.end:
                    if day.weekday() < 5 and day not in self.closed:
                        days.append(day)
                    day += dt.timedelta(days=1)
        object.__setattr__(self, "school_days", tuple(days))

    @property
    def first(self) -> dt.date:
        return self.periods["school year"][0].start

    @property
    def last(self) -> dt.date:
        return self.periods["school year"][-1].end


@attrs.frozen
class Stretch:
    """A person's own calendar: days absent (not school days for them) and a part-time share."""

    person: str
    absences: tuple[Period, ...] = ()
    part_time: Decimal = Decimal(1)

    def absent(self, day: dt.date) -> bool:
        return any(p.contains(day) for p in self.absences)


_FULL = Stretch("")


# --------------------------------------------------------------------------- which calendar


def calendar_of(facts: Any, person: Any) -> Calendar | Unknown:
    """The calendar of the nearest place at or above the person's place that has one."""
    books: Mapping[str, Calendar] = getattr(facts, "calendars", None) or {}
    place_id = getattr(person, "place", None)
    for place in facts.place_chain(place_id):
        found = books.get(place.id)
        if found is not None:
            return found
    return Unknown([f"a calendar for {place_id or person.id}"])


def stretch_of(facts: Any, person: Any) -> Stretch:
    stretches: Mapping[str, Stretch] = getattr(facts, "stretches", None) or {}
    return stretches.get(person.id, _FULL)


def _beyond(cal: Calendar, day: dt.date) -> Unknown | None:
    """Unknown when the calendar does not cover `day` (before its first school year, after its last)."""
    if day < cal.first - dt.timedelta(days=1):
        return Unknown([f"the calendar of {cal.owner} before {cal.first.isoformat()}"])
    if day > cal.last:
        return Unknown([f"the calendar of {cal.owner} after {cal.last.isoformat()}"])
    return None


def _days(cal: Calendar, stretch: Stretch, after: dt.date, upto: dt.date) -> int:
    """How many of the person's school days fall after `after`, up to and including `upto`."""
    days = cal.school_days
    lo, hi = bisect.bisect_right(days, after), bisect.bisect_right(days, upto)
    absent = 0
    for p in _merged(stretch.absences):  # the school days of each absence inside the range, by bisection
        first = max(p.start, after + dt.timedelta(days=1)) if p.start else after + dt.timedelta(days=1)
        last = min(p.end, upto) if p.end else upto
        if first <= last:
            absent += bisect.bisect_right(days, last) - bisect.bisect_left(days, first)
    return hi - lo - absent


def _merged(periods: tuple[Period, ...]) -> list[Period]:
    """Absences that overlap, merged, so that no school day is taken off twice."""
    out: list[Period] = []
    for p in sorted(periods, key=lambda p: p.start or dt.date.min):
        if out and (out[-1].end is None or p.start is None or p.start <= out[-1].end + dt.timedelta(days=1)):
            prev = out[-1]
            end = None if prev.end is None or p.end is None else max(prev.end, p.end)
            out[-1] = Period(prev.start, end)
        else:
            out.append(p)
    return out


# --------------------------------------------------------------------------- runtime helpers


def school_days(ctx: Any, person: Any, a: Any, b: Any) -> Any:
    """`school days between A and B`: the person's school days after A up to B (negative if B < A)."""
    if person.__class__ is Unknown or a.__class__ is Unknown or b.__class__ is Unknown:
        return _join(person, a, b)
    cal = calendar_of(ctx.facts, person)
    if cal.__class__ is Unknown:
        return cal
    assert isinstance(cal, Calendar)
    for day in (a, b):
        gap = _beyond(cal, day)
        if gap is not None:
            return gap
    stretch = stretch_of(ctx.facts, person)
    n = _days(cal, stretch, a, b) if a <= b else -_days(cal, stretch, b, a)
    return Decimal(n) * stretch.part_time


def school_shift(ctx: Any, person: Any, date: Any, amount: Any, sign: int) -> Any:
    """`A + N school days`: the day on which the person's N-th school day after A falls."""
    if person.__class__ is Unknown or date.__class__ is Unknown or amount.__class__ is Unknown:
        return _join(person, date, amount)
    cal = calendar_of(ctx.facts, person)
    if cal.__class__ is Unknown:
        return cal
    assert isinstance(cal, Calendar)
    gap = _beyond(cal, date)
    if gap is not None:
        return gap
    stretch = stretch_of(ctx.facts, person)
    # part-time: each school day counts `part_time`, so N school days take N / part_time days
    need = math.ceil(abs(amount) / stretch.part_time) if amount else 0
    if need == 0:
        return date
    forward = (amount > 0) == (sign > 0)
    days = cal.school_days
    if not stretch.absences:  # the N-th school day after (before) the date, by index
        i = bisect.bisect_right(days, date) + need - 1 if forward else bisect.bisect_left(days, date) - need
        if 0 <= i < len(days):
            return days[i]
    elif forward:
        mine = (d for d in days[bisect.bisect_right(days, date) :] if not stretch.absent(d))
    else:
        mine = (d for d in reversed(days[: bisect.bisect_left(days, date)]) if not stretch.absent(d))
    if stretch.absences:
        for i, day in enumerate(mine, 1):
            if i == need:
                return day
    edge = cal.last if forward else cal.first
    return Unknown([f"the calendar of {cal.owner} {'after' if forward else 'before'} {edge.isoformat()}"])


def periods_of(facts: Any, person: Any, kind: str) -> tuple[CalendarPeriod, ...] | Unknown:
    """Every period of a kind in the person's calendar, oldest first."""
    cal = calendar_of(facts, person)
    if cal.__class__ is Unknown:
        return cal  # type: ignore[return-value]
    assert isinstance(cal, Calendar)
    found = cal.periods.get(kind, ())
    if not found:
        return Unknown([f"the {PERIOD_KINDS[kind]} of {cal.owner}'s calendar"])
    return found


def nth_period(ctx: Any, person: Any, kind: str, n: int, date: Any) -> Any:
    """`the 2nd term from A`: the period containing A (or the first after it) is the 1st."""
    if person.__class__ is Unknown or date.__class__ is Unknown:
        return _join(person, date)
    found = periods_of(ctx.facts, person, kind)
    if found.__class__ is Unknown:
        return found
    assert isinstance(found, tuple)
    cal = calendar_of(ctx.facts, person)
    assert isinstance(cal, Calendar)
    if date < cal.first:  # which period it starts in cannot be told before the calendar begins
        return Unknown([f"the calendar of {cal.owner} before {cal.first.isoformat()}"])
    first = next((i for i, p in enumerate(found) if p.end >= date), None)
    if first is None or first + n - 1 >= len(found):
        return Unknown([f"the {PERIOD_KINDS[kind]} of {cal.owner}'s calendar after {found[-1].end.isoformat()}"])
    return found[first + n - 1]


def period_of(ctx: Any, person: Any, kind: str, date: Any) -> Any:
    """`the term of A`: the period that contains A; unknown when A falls between two (a holiday)."""
    if person.__class__ is Unknown or date.__class__ is Unknown:
        return _join(person, date)
    found = periods_of(ctx.facts, person, kind)
    if found.__class__ is Unknown:
        return found
    assert isinstance(found, tuple)
    for p in found:
        if p.contains(date):
            return p
    owner = calendar_of(ctx.facts, person).owner  # type: ignore[union-attr]
    return Unknown([f"the {kind} of {date.isoformat()} in {owner}'s calendar"])


def period_edge(period: Any, which: str) -> Any:
    """`the start of P`, `the end of P`."""
    if period.__class__ is Unknown:
        return period
    return period.start if which == "start" else period.end


def in_period(day: Any, period: Any, negated: bool) -> Any:
    """`A in P`: whether a date falls in a period."""
    if day.__class__ is Unknown or period.__class__ is Unknown:
        return _join(day, period)
    return (not period.contains(day)) if negated else period.contains(day)


def _join(*values: Any) -> Unknown:
    missing: set[str] = set()
    for v in values:
        if v.__class__ is Unknown:
            missing |= v.missing
    return Unknown(missing)


#: the runtime helpers by name, for the compiler's namespace
HELPERS: dict[str, Callable[..., Any]] = {
    "_school_days": school_days,
    "_school_shift": school_shift,
    "_nth_period": nth_period,
    "_period_of": period_of,
    "_period_edge": period_edge,
    "_in_period": in_period,
}


# --------------------------------------------------------------------------- the facts file


class CalendarReader:
    """Reads the `calendars` list of a facts file; `bad(path, message, code)` collects problems."""

    def __init__(self, bad: Callable[[str, str, str], None], places: Mapping[str, object], people: Mapping[str, object]) -> None:
        self.bad, self.places, self.people = bad, places, people

    def read(self, raw: list[Any]) -> tuple[dict[str, Calendar], dict[str, Stretch]]:
        calendars: dict[str, Calendar] = {}
        stretches: dict[str, Stretch] = {}
        for i, entry in enumerate(raw):
            path = f"calendars[{i}]"
            if not isinstance(entry, dict):
                self.bad(path, "a calendar is an object with a `place` (or a `person`)", "F040")
                continue
            if ("place" in entry) == ("person" in entry):
                self.bad(path, "a calendar names either a `place` (a school calendar) or a `person` (their own stretch of it)", "F040")
                continue
            if "place" in entry:
                cal = self._calendar(path, entry)
                if cal is not None:
                    if cal.owner in calendars:
                        self.bad(f"{path}.place", f"`{cal.owner}` has two calendars; give each place one", "F042")
                    calendars[cal.owner] = cal
            else:
                stretch = self._stretch(path, entry)
                if stretch is not None:
                    if stretch.person in stretches:
                        self.bad(f"{path}.person", f"`{stretch.person}` has two calendars; give each person one", "F042")
                    stretches[stretch.person] = stretch
        return calendars, stretches

    def _keys(self, path: str, entry: Mapping[str, Any], allowed: tuple[str, ...]) -> bool:
        extra = sorted(k for k in entry if k not in allowed)
        for key in extra:
            self.bad(f"{path}.{key}", f"unknown field; fields here: {', '.join(allowed)}", "F044")
        return not extra

    def _date(self, path: str, value: Any) -> dt.date | None:
        day = iso_date(value)
        if day is not None:
            return day
        self.bad(path, f"expected a date (YYYY-MM-DD), got {value!r}", "F041")
        return None

    def _span(self, path: str, value: Any, allowed: tuple[str, ...] = ("from", "to")) -> tuple[dt.date, dt.date] | None:
        if not isinstance(value, dict) or not self._keys(path, value, allowed):
            if not isinstance(value, dict):
                self.bad(path, "expected an object with `from` and `to`", "F041")
            return None
        if "from" not in value or "to" not in value:
            self.bad(path, "a period needs both `from` and `to` (first and last day, inclusive)", "F041")
            return None
        start, end = self._date(f"{path}.from", value["from"]), self._date(f"{path}.to", value["to"])
        if start is None or end is None:
            return None
        if end < start:
            self.bad(path, f"ends ({end.isoformat()}) before it starts ({start.isoformat()})", "F041")
            return None
        return start, end

    def _calendar(self, path: str, entry: Mapping[str, Any]) -> Calendar | None:
        if not self._keys(path, entry, ("place", "school_years", "non_school_days")):
            return None
        owner = entry["place"]
        if owner not in self.places:
            self.bad(f"{path}.place", f"no place `{owner}`", "F040")
            return None
        years = entry.get("school_years")
        if not isinstance(years, list) or not years:
            self.bad(f"{path}.school_years", "a calendar lists its school years: [{\"name\": \"2025-26\", \"from\": ..., \"to\": ..., \"terms\": [...]}]", "F041")
            return None
        periods: dict[str, list[CalendarPeriod]] = {"school year": [], "term": [], "semester": []}
        ok = True
        for j, year in enumerate(years):
            ypath = f"{path}.school_years[{j}]"
            span = self._span(ypath, year, ("name", "from", "to", "terms", "semesters"))
            if span is None:
                ok = False
                continue
            name = str(year.get("name") or f"{span[0].year}-{(span[0].year + 1) % 100:02d}")
            periods["school year"].append(CalendarPeriod("school year", f"school year {name}", *span))
            for kind in ("term", "semester"):
                for k, part in enumerate(year.get(PERIOD_KINDS[kind], []) or []):
                    ppath = f"{ypath}.{PERIOD_KINDS[kind]}[{k}]"
                    pspan = self._span(ppath, part)
                    if pspan is None:
                        ok = False
                    elif pspan[0] < span[0] or pspan[1] > span[1]:
                        self.bad(ppath, f"{pspan[0].isoformat()} to {pspan[1].isoformat()} is not inside school year {name} ({span[0].isoformat()} to {span[1].isoformat()})", "F041")
                        ok = False
                    else:
                        periods[kind].append(CalendarPeriod(kind, f"{kind} {k + 1} of {name}", *pspan))
        for kind, found in periods.items():
            found.sort(key=lambda p: p.start)
            for before, after in zip(found, found[1:]):
                if after.start <= before.end:
                    self.bad(path, f"{before.name} and {after.name} overlap", "F041")
                    ok = False
        closed: set[dt.date] = set()
        for j, item in enumerate(entry.get("non_school_days", []) or []):
            jpath = f"{path}.non_school_days[{j}]"
            if isinstance(item, dict):
                span = self._span(jpath, item)
                if span is None:
                    ok = False
                    continue
                day = span[0]
                while day <= span[1]:
                    closed.add(day)
                    day += dt.timedelta(days=1)
            else:
                day_or_none = self._date(jpath, item)
                if day_or_none is None:
                    ok = False
                else:
                    closed.add(day_or_none)
        if not ok:
            return None
        return Calendar(owner, {k: tuple(v) for k, v in periods.items()}, frozenset(closed))

    def _stretch(self, path: str, entry: Mapping[str, Any]) -> Stretch | None:
        if not self._keys(path, entry, ("person", "absences", "part_time")):
            return None
        person = entry["person"]
        if person not in self.people:
            self.bad(f"{path}.person", f"no person `{person}`", "F040")
            return None
        absences = []
        for j, item in enumerate(entry.get("absences", []) or []):
            span = self._span(f"{path}.absences[{j}]", item)
            if span is None:
                return None
            absences.append(Period(*span))
        share = entry.get("part_time", 1)
        try:
            part = Decimal(str(share)) if not isinstance(share, bool) else None
        except ArithmeticError:
            part = None
        if part is None or not part.is_finite() or not Decimal(0) < part <= 1:
            self.bad(f"{path}.part_time", f"a part-time share is a number above 0 and at most 1 (0.5 for half time), got {share!r}", "F043")
            return None
        return Stretch(person, tuple(absences), part)
