"""The core model: people, places, relationships, evidence and consents, each valid for a period.

Everything is a frozen, slotted attrs class. `Facts` is one loaded facts file plus the indexes the
evaluators need (relationships by person, evidence by subject and kind, the place chain); build it
with `accord.load_facts`, which validates every value before anything is kept.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .errors import UsageError, suggest


@attrs.frozen
class Period:
    """From `start` to `end`, both inclusive; an open end is None."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        """Whether the period shares a day with `first` to `last` (both inclusive)."""
        return (self.start is None or self.start <= last) and (self.end is None or first <= self.end)


@attrs.frozen
class Place:
    """A state, region, district, school or preparation programme; `parent` is the place above."""

    id: str
    kind: str
    name: str = ""
    parent: str | None = None
    #: facts about the place (`enrolment`, `mentor_allotment`), validated like a person's
    facts: Mapping[str, Any] = attrs.field(factory=dict, eq=False)

    def label(self) -> str:
        return self.name or self.id


@attrs.frozen
class Membership:
    """Membership of an organisation (`masa`) in a category (`active`, `retired`) for a period."""

    organisation: str
    category: str = "member"
    period: Period = Period()


#: the category of a membership entry that says the person is known NOT to be a member of the
#: organisation for its period ("known to have none"); without any entry for an organisation, a
#: person's membership of it is unknown, never taken as no
NO_MEMBERSHIP = "none"


def memberships_on(person: "Person", organisation: str, day: dt.date) -> tuple[Membership, ...] | None:
    """The person's memberships of `organisation` on `day`: () when known to have none, None when unknown.

    Known to have none: an entry of category `none` covers the day, or the file records a
    membership of the organisation for other days only (its own period says it did not cover
    this one). Nothing on file about the organisation: unknown (a missing fact is never false).
    """
    on_file = [m for m in person.memberships if m.organisation == organisation]
    found = tuple(m for m in on_file if m.category != NO_MEMBERSHIP and m.period.contains(day))
    if found or any(m.category != NO_MEMBERSHIP for m in on_file):
        return found
    if any(m.period.contains(day) for m in on_file):
        return ()
    return None


@attrs.frozen
class RoleAssignment:
    """A person holding a role (`coordinator`, `evaluator`) at a place for a period."""

    role: str
    place: str | None = None
    period: Period = Period()


_DATE_ID = operator.attrgetter("date", "id")


# Identity, not value, makes two people the same person: `mentor is not mentee`.
@attrs.frozen(eq=False)
class Person:
    """A person with typed facts (validated against the facts the programme plugins declare)."""

    id: str
    name: str = ""
    place: str | None = None
    facts: Mapping[str, Any] = attrs.Factory(dict)
    memberships: tuple[Membership, ...] = ()
    roles: tuple[RoleAssignment, ...] = ()
    #: facts whose value changes with time: name -> (period, value) pairs, periods apart;
    #: `Facts.on(day)` puts the value in force on the day into `facts` (none in force: unknown)
    dated: Mapping[str, tuple[tuple[Period, Any], ...]] = attrs.Factory(dict)

    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id

    def on(self, day: dt.date) -> Person:
        """The person as on `day`: each dated fact's value then in `facts` (the same person when none is dated)."""
        if not self.dated:
            return self
        facts = dict(self.facts)
        for name, periods in self.dated.items():
            for period, value in periods:
                if period.contains(day):
                    facts[name] = value
                    break
        return attrs.evolve(self, facts=facts)

    def change_dates(self) -> set[dt.date]:
        """The days on which one of the person's own facts, memberships or roles begins or ends
        (the day after an end): where an answer about them may change."""
        days: set[dt.date] = set()
        periods = [p for periods in self.dated.values() for p, _ in periods]
        periods += [m.period for m in self.memberships] + [r.period for r in self.roles]
        for p in periods:
            if p.start is not None:
                days.add(p.start)
            if p.end is not None and p.end < dt.date.max:
                days.add(p.end + dt.timedelta(days=1))
        return days


@attrs.frozen
class Relationship:
    """A relationship of a declared kind (`mentoring`) between the people at its ends."""

    kind: str
    ends: Mapping[str, str]
    period: Period = Period()
    id: str = ""


@attrs.frozen(eq=False)
class Evidence:
    """An evidence item: a log entry, an observation, an evaluation, a portfolio piece."""

    id: str
    kind: str
    subject: str
    date: dt.date
    author: str | None = None
    hours: Decimal | None = None
    count: Decimal | None = None
    standards: frozenset[str] = frozenset()
    verified_by: str | None = None
    fields: Mapping[str, Any] = attrs.Factory(dict)


@attrs.frozen
class Consent:
    """The subject shares named evaluation components with a viewer from a date, until withdrawn."""

    subject: str
    viewer: str
    components: frozenset[str]
    start: dt.date
    withdrawn: dt.date | None = None
    id: str = ""

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.withdrawn is None or day < self.withdrawn)


@attrs.frozen(eq=False)
class Facts:
    """One loaded facts file, indexed for evaluation. Build it with `accord.load_facts`."""

    people: Mapping[str, Person]
    places: Mapping[str, Place] = attrs.Factory(dict)
    relationships: tuple[Relationship, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    consents: tuple[Consent, ...] = ()
    source: str = "<facts>"
    #: school calendars by place id, and people's own stretches of them by person id (`core/calendars.py`)
    calendars: Mapping[str, Any] = attrs.Factory(dict)
    stretches: Mapping[str, Any] = attrs.Factory(dict)
    _by_person: Mapping[str, tuple[Relationship, ...]] = attrs.field(init=False)
    _by_subject: Mapping[tuple[str, str], tuple[Evidence, ...]] = attrs.field(init=False)
    #: the runtime's evaluation contexts by as-of date (`runtime.Context.of` keeps them): the facts
    #: never change, so a context, and what it has looked up, serves every question of the same day
    contexts: dict[object, object] = attrs.field(init=False, repr=False, eq=False)
    _chains: dict[str | None, tuple[Place, ...]] = attrs.field(init=False, repr=False, eq=False)
    #: the facts as on each day asked (`on`), when a person has dated facts; a view's origin
    _views: dict[dt.date, Facts] = attrs.field(init=False, repr=False, eq=False)
    _origin: Facts | None = attrs.field(init=False, repr=False, eq=False)
    #: whether some person's facts are dated (then a question reads `on(day)`, not these)
    dated: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_person: dict[str, list[Relationship]] = defaultdict(list)
        for rel in self.relationships:
            for pid in set(rel.ends.values()):
                by_person[pid].append(rel)
        # each subject's items of a kind, oldest first: grouped, then each group sorted (a stable
        # sort of a group gives the order sorting everything first would; a roster's groups are small)
        by_subject: dict[tuple[str, str], list[Evidence]] = {}
        for item in self.evidence:
            key = (item.subject, item.kind)
            group = by_subject.get(key)
            if group is None:
                by_subject[key] = [item]
            else:
                group.append(item)
        for group in by_subject.values():
            if len(group) > 1:
                group.sort(key=_DATE_ID)
        object.__setattr__(self, "_by_person", {k: tuple(v) for k, v in by_person.items()})
        object.__setattr__(self, "_by_subject", {k: tuple(v) for k, v in by_subject.items()})
        object.__setattr__(self, "contexts", {})
        object.__setattr__(self, "_chains", {})
        dated = any(p.dated for p in self.people.values())
        object.__setattr__(self, "_views", {} if dated else None)
        object.__setattr__(self, "_origin", None)
        object.__setattr__(self, "dated", dated)

    def on(self, day: dt.date) -> Facts:
        """The facts as on `day`: each person's dated facts replaced by the value in force then
        (these facts themselves when nobody's facts are dated). Asking about `day` reads these."""
        origin = self._origin or self
        if origin._views is None:
            return self
        view = origin._views.get(day)
        if view is None:
            people = {pid: p.on(day) for pid, p in origin.people.items()}
            view = Facts(people, origin.places, origin.relationships, origin.evidence, origin.consents, origin.source)
            object.__setattr__(view, "_origin", origin)
            object.__setattr__(view, "dated", True)
            if len(origin._views) > 400:  # `--when` asks on many days; keep the memory bounded
                origin._views.clear()
            origin._views[day] = view
        return view

    def change_dates(self, person_id: str) -> set[dt.date]:
        """The days on which something recorded about the person begins or ends: their dated
        facts, memberships and roles, the dates of their evidence, their relationships (and
        their partners' own)."""
        origin = self._origin or self
        person = origin.person(person_id)
        days = person.change_dates()
        for (subject, _kind), items in origin._by_subject.items():  # evidence recorded ahead, counted from its date
            if subject == person_id:
                days.update(e.date for e in items)
        for rel in origin.relationships_of(person_id):
            if rel.period.start is not None:
                days.add(rel.period.start)
            if rel.period.end is not None and rel.period.end < dt.date.max:
                days.add(rel.period.end + dt.timedelta(days=1))
            for other in rel.ends.values():
                if other != person_id and other in origin.people:
                    days |= origin.people[other].change_dates()
        return days

    def person(self, person_id: str) -> Person:
        """The person with this id; raises `UsageError` naming the closest id."""
        try:
            return self.people[person_id]
        except KeyError:
            hint = suggest(person_id, self.people)
            more = f"; did you mean `{hint}`?" if hint else ""
            raise UsageError(f"no person `{person_id}` in {self.source}{more}") from None

    def relationships_of(self, person_id: str) -> tuple[Relationship, ...]:
        return self._by_person.get(person_id, ())

    def evidence_of(self, person_id: str, kind: str) -> tuple[Evidence, ...]:
        """The person's evidence of one kind, oldest first."""
        return self._by_subject.get((person_id, kind), ())

    def place_chain(self, place_id: str | None) -> tuple[Place, ...]:
        """The place and every place above it, nearest first (worked out once per place: the facts never change)."""
        found = self._chains.get(place_id)
        if found is None:
            found = self._chains[place_id] = self._walk_up(place_id)
        return found

    def _walk_up(self, place_id: str | None) -> tuple[Place, ...]:
        chain: list[Place] = []
        seen: set[str] = set()
        while place_id is not None and place_id in self.places and place_id not in seen:
            seen.add(place_id)
            place = self.places[place_id]
            chain.append(place)
            place_id = place.parent
        return tuple(chain)


#: the kinds of place a facts file may name, and a policy may attach to (`place district "..."`)
PLACE_KINDS = ("state", "region", "district", "school", "programme")
