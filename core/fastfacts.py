"""The fast path of the facts loader: a valid document straight into `model.Facts`.

`accord.facts` reads a document precisely: cattrs structures all of it, then every value is
validated by `schema.read_value`, and every problem is named by its path. That costs about 150 us a
person on a roster (a person, three facts, three evaluations), ten times the decisions asked of it.
Most rosters are valid, so the loader first tries this path: one pass over the parsed document
with a reader compiled once per fact and per evidence field (a dict lookup for a level, a class
check for text), the model objects built directly. It gives exactly the `Facts` the precise path
gives (`tests/test_roster_fastpath.py` checks it on random documents), or, at the first thing it
does not accept as it is, None: then the precise path reads the document again and names every
problem as it always has. So a bad file costs a little more, and errors are unchanged.

Anything unusual is handed to the precise code rather than read here: a value of a less common
type or form goes to `read_value` itself; memberships, roles and the small tables (places,
relationships, consents) go through the precise path's own structuring and checks.
"""

from __future__ import annotations

import datetime as dt
import contextlib
import functools
import gc
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import limits
from .model import PLACE_KINDS, Consent, Evidence, Facts, Membership, Period, Person, Place, RoleAssignment
from .schema import Schema, ValueProblem, read_value
from .values import BOOL, DATE, NUMBER, TEXT, Choice, Quantity, Scale, Type, scale_enum


class _Refused(Exception):
    """The fast path does not take this document as it is; the precise path will."""


_DOC_KEYS = frozenset({"people", "places", "relationships", "evidence", "consents"})
_PERSON_KEYS = frozenset({"id", "name", "place", "facts", "memberships", "roles"})
_NUMBERS_BELOW = 10**limits.MAX_DIGITS  # an int below this in size is kept exactly (`limits.number_problem`)
_EVIDENCE_KEYS = frozenset({"id", "kind", "subject", "date", "author", "hours", "count", "standards", "verified_by"})
_FIRST_KEYS = frozenset({"id", "kind", "subject", "date"})
_NO_STANDARDS: frozenset[str] = frozenset()
_EMPTY: dict[str, Any] = {}
_LARGE = 20_000  # people and evidence items in a roster worth a collection when built
_NO_LIST: list[Any] = []


def _refuse(_: object = None) -> Any:
    raise _Refused


def _dates() -> Callable[[Any], Any]:
    """A DATE reader that remembers the days it has read (a roster repeats few dates)."""
    seen: dict[str, dt.date] = {}

    def read(v: Any) -> Any:
        if v.__class__ is str:
            day = seen.get(v)
            if day is None:
                try:
                    day = dt.date.fromisoformat(v)
                except ValueError:
                    raise _Refused from None
                if not limits.date_in_range(day):
                    raise _Refused
                seen[v] = day
            return day
        return _precise(v, DATE)

    return read


def _precise(v: Any, t: Type) -> Any:
    try:
        return read_value(v, t)
    except ValueProblem:
        raise _Refused from None


def _reader(t: Type, dates: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A function reading a raw value of type `t` as `read_value` does, raising `_Refused` where it would not."""
    if t == TEXT:
        return lambda v: v if v.__class__ is str else _refuse()
    if t == BOOL:
        return lambda v: v if v is True or v is False else _refuse()
    if t == DATE:
        return dates
    cls = t.__class__
    if cls is Scale:
        members = {lv: scale_enum(t)[lv] for lv in t.levels}  # type: ignore[attr-defined]

        def level(v: Any) -> Any:
            found = members.get(v) if v.__class__ is str else None
            return found if found is not None else _precise(v, t)

        return level
    if cls is Choice:
        values = frozenset(t.values)  # type: ignore[attr-defined]
        return lambda v: v if v.__class__ is str and v in values else _precise(v, t)
    if cls is Quantity:
        return lambda v: Decimal(v) if v.__class__ is int and -_NUMBERS_BELOW < v < _NUMBERS_BELOW else _precise(v, t)
    return functools.partial(_precise, t=t)


_COMPILED: dict[int, tuple[Schema, Any]] = {}


def _readers(schema: Schema) -> Any:
    """`_compile(schema)`, once per schema (kept by identity: a schema holds dicts, so has no hash)."""
    found = _COMPILED.get(id(schema))
    if found is None or found[0] is not schema:
        found = _COMPILED[id(schema)] = (schema, _compile(schema))
    return found[1]


def _compile(schema: Schema) -> tuple[dict[str, Callable[[Any], Any]], dict[str, dict[str, Callable[[Any], Any]]], Callable[[Any], Any]]:
    """Per stored fact and per evidence kind's field, its reader (compiled once per schema)."""
    dates = _dates()
    facts = {name: _reader(spec.type, dates) for name, spec in schema.facts.items() if spec.derive is None}
    evidence = {kind.name: {f: _reader(t, dates) for f, t in kind.fields.items()} for kind in schema.evidence.values()}
    return facts, evidence, dates


@contextlib.contextmanager
def gc_paused() -> Any:
    """No cyclic garbage collection while a roster is built: it makes no cycles, and the collector
    would walk the whole growing heap again and again (it tripled the time of a 100,000-person load)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def fast_load(path: str | Path, schema: Schema, precise: Any) -> Facts | None:
    """A JSON facts file read by the fast path, or None (read it precisely: `facts.load_facts`).

    `precise` is the precise loader, `accord.facts` (passed in: it imports this module): its
    check of a float's digits, its structuring of the small tables and its checks are used as they are."""
    _number = precise._number

    p = Path(path)
    if p.suffix.lower() == ".toml":
        return None
    try:
        text = limits.read_limited(p, limits.MAX_FACTS_BYTES).decode("utf-8")
        # No depth check first: the fast path takes containers only where the format has them
        # (at most a few levels deep), so a document it accepts is within `MAX_FACTS_DEPTH`; a
        # deeper one is refused here (or by the parser's own recursion limit) and read precisely.
        # Integers are parsed by json itself and checked where they are kept (`_reader`).
        with gc_paused():
            raw = json.loads(text, parse_float=functools.partial(_number, text, p, float))
    except Exception:  # unreadable, too large, not JSON, a number too long: the precise path says which
        return None
    del text
    facts = fast_facts(raw, schema, str(path), precise)
    del raw  # before the collection: it need not walk the parsed document too
    if facts is not None:
        _make_old(facts)
    return facts


def fast_facts(raw: Any, schema: Schema, source: str, precise: Any, collect: bool = False) -> Facts | None:
    """`Facts` from a parsed document, exactly as `facts.facts_from_document` builds them, or None.

    `collect`: a large roster is made old to the collector (`_make_old`) once built, for a caller
    that goes on to ask it questions (`fast_load` does so after dropping the parsed document)."""
    try:
        with gc_paused():
            facts = _build(raw, schema, source, precise)
    except _Refused:
        return None
    except (KeyError, TypeError, AttributeError, ValueError):  # a missing key, a wrong container
        return None
    if collect:
        _make_old(facts)
    return facts


def _make_old(facts: Facts) -> None:
    """Everything built while the collector was paused is young to it, and it would walk all of it
    again at each of its generations as questions are asked; one full collection now makes a large
    roster old at once (a third less time asking 100,000 people afterwards)."""
    if len(facts.people) + len(facts.evidence) > _LARGE:
        gc.collect()


def _build(raw: Any, schema: Schema, source: str, precise: Any) -> Facts:
    _CONVERTER, _lift_extras, _Validator = precise._CONVERTER, precise._lift_extras, precise._Validator
    _ConsentDoc, _MembershipDoc, _PlaceDoc = precise._ConsentDoc, precise._MembershipDoc, precise._PlaceDoc
    _RelationshipDoc, _RoleDoc = precise._RelationshipDoc, precise._RoleDoc

    if raw.__class__ is not dict or not raw.keys() <= _DOC_KEYS:
        raise _Refused
    people_raw = raw["people"]
    evidence_raw = raw.get("evidence", _NO_LIST)
    if people_raw.__class__ is not list or evidence_raw.__class__ is not list:
        raise _Refused
    check = _Validator(schema, source)
    # the small tables: the precise path's own structuring and checks
    small = _lift_extras({k: raw[k] for k in ("relationships",) if k in raw})
    try:
        place_docs: list[_PlaceDoc] = _CONVERTER.structure(raw.get("places", []), list[_PlaceDoc])
        rel_docs: list[_RelationshipDoc] = _CONVERTER.structure(small.get("relationships", []), list[_RelationshipDoc])
        consent_docs: list[_ConsentDoc] = _CONVERTER.structure(raw.get("consents", []), list[_ConsentDoc])
    except Exception:
        raise _Refused from None
    places = check._unique("places", [p.id for p in place_docs])
    place_table = {p.id: p for p in place_docs}
    for i, place in enumerate(place_docs):
        if place.kind not in PLACE_KINDS or place.facts:  # facts about places: the precise path reads them
            raise _Refused
        check.ref(f"places[{i}].parent", place.parent, place_table, "place")

    fact_readers, field_readers, read_date = _readers(schema)
    ends = schema.ends()
    people: dict[str, Person] = {}
    for p in people_raw:
        if p.__class__ is not dict or not p.keys() <= _PERSON_KEYS:
            raise _Refused
        pid = p["id"]
        name = p.get("name", "")
        place = p.get("place")
        if pid.__class__ is not str or name.__class__ is not str or pid in people:
            raise _Refused
        if place is not None and (place.__class__ is not str or place not in places):
            raise _Refused
        raw_facts = p.get("facts", _EMPTY)
        if raw_facts.__class__ is not dict:
            raise _Refused
        facts = {}
        for fact, value in raw_facts.items():
            read = fact_readers[fact]  # KeyError: not declared, or derived
            if value is not None:
                facts[fact] = read(value)
        memberships: tuple[Membership, ...] = ()
        roles: tuple[RoleAssignment, ...] = ()
        if p.get("memberships"):
            try:
                docs = _CONVERTER.structure(p["memberships"], list[_MembershipDoc])
            except Exception:
                raise _Refused from None
            memberships = tuple(Membership(m.organisation, m.category, Period(m.start, m.end)) for m in docs)
        elif p.get("memberships", _NO_LIST) != []:
            raise _Refused
        if p.get("roles"):
            try:
                role_docs = _CONVERTER.structure(p["roles"], list[_RoleDoc])
            except Exception:
                raise _Refused from None
            for r in role_docs:
                if (r.place is not None and r.place not in places) or ends.get(r.role):
                    raise _Refused
            roles = tuple(RoleAssignment(r.role, r.place, Period(r.start, r.end)) for r in role_docs)
        elif p.get("roles", _NO_LIST) != []:
            raise _Refused
        people[pid] = Person(pid, name, place, facts, memberships, roles)

    evidence = _evidence(evidence_raw, people, field_readers, read_date)
    relationships = [check._relationship(i, r, people) for i, r in enumerate(rel_docs)]
    for i, c in enumerate(consent_docs):
        check.ref(f"consents[{i}].subject", c.subject, people, "person")
        check.ref(f"consents[{i}].viewer", c.viewer, people, "person")
    if check.problems:
        raise _Refused
    return Facts(
        people=people,
        places={p.id: Place(p.id, p.kind, p.name, p.parent) for p in place_docs},
        relationships=tuple(r for r in relationships if r is not None),
        evidence=tuple(evidence),
        consents=tuple(Consent(c.subject, c.viewer, frozenset(c.components), c.start, c.withdrawn, c.id) for c in consent_docs),
        source=source,
    )


def _evidence(
    items: list[Any], people: Mapping[str, Person],
    field_readers: Mapping[str, Mapping[str, Callable[[Any], Any]]], read_date: Callable[[Any], Any],
) -> list[Evidence]:  # fmt: skip
    out: list[Evidence] = []
    seen: set[str] = set()
    for e in items:
        if e.__class__ is not dict:
            raise _Refused
        eid = e["id"]
        kind = e["kind"]
        subject = e["subject"]
        if eid.__class__ is not str or kind.__class__ is not str or subject.__class__ is not str or eid in seen or subject not in people:
            raise _Refused
        seen.add(eid)
        readers = field_readers[kind]  # KeyError: no such kind of evidence
        day = read_date(e["date"])
        author = hours = count = verified_by = None
        standards: frozenset[str] = _NO_STANDARDS
        fields = {}
        for key, value in e.items():
            if key in _FIRST_KEYS:
                continue
            if key not in _EVIDENCE_KEYS:
                read = readers[key]  # KeyError: not a field of this kind of evidence
                if value is not None:
                    fields[key] = read(value)
            elif key == "author" or key == "verified_by":
                if value is not None and (value.__class__ is not str or value not in people):
                    raise _Refused
                if key == "author":
                    author = value
                else:
                    verified_by = value
            elif key == "hours" or key == "count":
                number = None if value is None else _precise(value, NUMBER)
                if key == "hours":
                    hours = number
                else:
                    count = number
            else:  # standards
                if value.__class__ is not list or any(s.__class__ is not str for s in value):
                    raise _Refused
                standards = frozenset(value)
        out.append(Evidence(eid, kind, subject, day, author, hours, count, standards, verified_by, fields))
    return out

