"""Read a facts file (JSON or TOML) into `model.Facts`, all of it or none of it.

cattrs structures the document; then every reference and every fact value is checked against
the schema the plugins declare. Each problem is named by its path in the document
(`people[2].facts.years_experience: expected a number of years, got "three"`), all are reported
together, and nothing is half loaded. `facts_json_schema` describes the same format.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.cols import is_sequence, list_structure_factory
from cattrs.gen import make_dict_structure_fn, override

from . import limits
from .calendars import CalendarReader
from .dated_facts import is_dated, read_dated
from .errors import Diagnostic, FactsError, suggest
from .model import PLACE_KINDS, Consent, Evidence, Facts, Membership, Period, Person, Place, Relationship, RoleAssignment
from .registry import Registry, default_registry
from .schema import EVIDENCE_FIELDS, Schema, ValueProblem, json_schema_of, read_value
from .values import DATE, NUMBER, TEXT

# --------------------------------------------------------------------------- the document


@attrs.define
class _PlaceDoc:
    id: str
    kind: str
    name: str = ""
    parent: str | None = None
    facts: dict[str, Any] = attrs.Factory(dict)


@attrs.define
class _MembershipDoc:
    organisation: str
    category: str = "member"
    start: dt.date | None = None
    end: dt.date | None = None


@attrs.define
class _RoleDoc:
    role: str
    place: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@attrs.define
class _PersonDoc:
    id: str
    name: str = ""
    place: str | None = None
    facts: dict[str, Any] = attrs.Factory(dict)
    memberships: list[_MembershipDoc] = attrs.Factory(list)
    roles: list[_RoleDoc] = attrs.Factory(list)


@attrs.define
class _RelationshipDoc:
    kind: str
    ends: dict[str, str] = attrs.Factory(dict)
    id: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


@attrs.define
class _EvidenceDoc:
    id: str
    kind: str
    subject: str
    date: dt.date
    author: str | None = None
    hours: Decimal | None = None
    count: Decimal | None = None
    standards: list[str] = attrs.Factory(list)
    verified_by: str | None = None
    fields: dict[str, Any] = attrs.Factory(dict)


@attrs.define
class _ConsentDoc:
    subject: str
    viewer: str
    components: list[str]
    start: dt.date
    withdrawn: dt.date | None = None
    id: str = ""


@attrs.define
class _Document:
    people: list[_PersonDoc]
    places: list[_PlaceDoc] = attrs.Factory(list)
    relationships: list[_RelationshipDoc] = attrs.Factory(list)
    evidence: list[_EvidenceDoc] = attrs.Factory(list)
    consents: list[_ConsentDoc] = attrs.Factory(list)
    #: school calendars and people's own stretches of them, read by `calendars.CalendarReader`
    calendars: list[dict[str, Any]] = attrs.Factory(list)


_RELATIONSHIP_KEYS = {"kind", "id", "from", "to"}
_EVIDENCE_KEYS = {"id", "kind", "subject", "date", "author", "hours", "count", "standards", "verified_by"}


# The document's own fields are read as strictly as the facts, by the same function.
def _strict_str(value: Any, _: type) -> Any:
    return read_value(value, TEXT)


def _date(value: Any, _: type) -> Any:
    return read_value(value, DATE)


def _decimal(value: Any, _: type) -> Any:
    return read_value(value, NUMBER)


def _strict_list(conv: cattrs.Converter) -> Any:
    """cattrs' list structuring, refusing anything but a list (it would split "abc" into letters)."""

    def factory(t: Any) -> Any:
        inner = list_structure_factory(t, conv)

        def structure(value: Any, _: Any) -> Any:
            if not isinstance(value, list):
                raise ValueProblem(f"expected a list, got {json.dumps(value, default=str)}")
            return inner(value, t)

        return structure

    return factory


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(Decimal, _decimal)
    conv.register_structure_hook_factory(is_sequence, _strict_list(conv))
    renamed = {"start": override(rename="from"), "end": override(rename="to")}
    for cls in (_MembershipDoc, _RoleDoc, _RelationshipDoc):
        conv.register_structure_hook(cls, make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True, **renamed))
    conv.register_structure_hook(
        _ConsentDoc, make_dict_structure_fn(_ConsentDoc, conv, _cattrs_forbid_extra_keys=True, start=override(rename="from"))
    )
    return conv


_CONVERTER = _converter()


def _lift_extras(raw: Any) -> Any:
    """Move a relationship's end names into `ends`, and an evidence item's own fields into `fields`."""
    if not isinstance(raw, dict):
        return raw
    raw = dict(raw)
    for key, known, into in (("relationships", _RELATIONSHIP_KEYS, "ends"), ("evidence", _EVIDENCE_KEYS, "fields")):
        items = raw.get(key)
        if isinstance(items, list):
            raw[key] = [
                {**{k: v for k, v in item.items() if k in known}, into: {k: v for k, v in item.items() if k not in known}}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return raw


_PATH = re.compile(r"^(?P<msg>.*) @ \$(?P<path>.*)$")


def _format_cattrs(exc: BaseException, _: Any) -> str:
    if isinstance(exc, KeyError):
        return "required but missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        keys = ", ".join(f"`{k}`" for k in sorted(exc.extra_fields))
        fields = [f.name for f in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        fields = ["from" if f == "start" else "to" if f == "end" else f for f in fields]
        hint = suggest(sorted(exc.extra_fields)[0], fields)
        return f"unknown field {keys}" + (f"; did you mean `{hint}`?" if hint else f"; fields here: {', '.join(fields)}")
    if isinstance(exc, ValueProblem):
        return str(exc)
    if isinstance(exc, (TypeError, ValueError, AttributeError)):
        return "expected an object" if "not a mapping" in str(exc) or isinstance(exc, AttributeError) else "expected a list"
    return str(exc)


def _paths(exc: Exception) -> list[tuple[str, str]]:
    out = []
    for line in cattrs.transform_error(exc, path="$", format_exception=_format_cattrs):
        m = _PATH.match(line)
        msg, path = (m["msg"], m["path"]) if m else (line, "")
        path = path.replace(".ends.", ".").replace(".fields.", ".").replace(".start", ".from").replace(".end", ".to")
        out.append((path.lstrip("."), msg))
    return out


# --------------------------------------------------------------------------- loading


def read_document(path: str | Path) -> Any:
    """The raw document in a facts file; `FactsError` if it cannot be read or parsed, or is over a limit."""
    p = Path(path)
    try:
        text = limits.read_limited(p, limits.MAX_FACTS_BYTES).decode("utf-8")
    except limits.TooLarge:
        raise FactsError([Diagnostic(
            "F010", f"facts file `{p}` is larger than {limits.MAX_FACTS_BYTES // 2**20} MiB", hint="split the roster into several facts files",
        )]) from None
    except FileNotFoundError:
        raise FactsError([Diagnostic("F001", f"cannot read facts file `{p}`: no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FactsError([Diagnostic("F001", f"cannot read facts file `{p}`: {exc}")]) from None
    toml = p.suffix.lower() == ".toml"
    _check_depth(text, p, toml)
    if toml:
        import tomllib  # only for .toml files

        try:
            return tomllib.loads(text, parse_float=functools.partial(_number, text, p, float))
        except tomllib.TOMLDecodeError as exc:
            raise FactsError([Diagnostic("F002", f"{p}: not valid TOML: {exc}")]) from None
        except ValueError as exc:  # an integer longer than Python converts (4300 digits)
            m = re.search(r"\d[\d_]{%d,}" % limits.MAX_DIGITS, text)
            if m is None:
                raise FactsError([Diagnostic("F002", f"{p}: not valid TOML: {exc}")]) from None
            problem = f"has {len(m.group())} digits; Accord keeps at most {limits.MAX_DIGITS} exactly"
            raise _too_many_digits(p, _where(text, m.start(), p), m.group(), problem) from None
    try:
        return json.loads(text, parse_int=functools.partial(_number, text, p, int), parse_float=functools.partial(_number, text, p, float))
    except json.JSONDecodeError as exc:
        raise FactsError([Diagnostic("F002", f"{p}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}")]) from None


def _where(text: str, offset: int, p: Path) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"{p}:{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _too_many_digits(p: Path, where: str | None, written: str, problem: str) -> FactsError:
    shown = written if len(written) <= 32 else f"{written[:12]}... ({len(written)} characters)"
    return FactsError([Diagnostic(
        "F012", f"{where or p}: the number `{shown}` {problem}", hint="round it, or write it in a larger unit",
    )])


def _number(text: str, p: Path, kind: type, written: str) -> Any:
    """A number as the JSON or TOML parser read it, refused before `int()` or `float()` when it is too long."""
    try:
        problem = limits.number_problem(Decimal(written.replace("_", "")))
    except ArithmeticError:  # an exponent past what Decimal holds
        problem = f"is 10^{limits.MAX_DIGITS} or more; Accord keeps numbers below that"
    if problem:
        at = text.find(written)
        raise _too_many_digits(p, _where(text, at, p) if at >= 0 else None, written, problem)
    return kind(written)


# a JSON string, or a bracket; TOML strings (basic, literal, multi-line) and comments are skipped too
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_TOML_TOKENS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]')


def _check_depth(text: str, p: Path, toml: bool) -> None:
    """Refuse a document nested deeper than `limits.MAX_FACTS_DEPTH` before a recursive parser reads it."""
    depth = 0
    for m in (_TOML_TOKENS if toml else _JSON_TOKENS).finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > limits.MAX_FACTS_DEPTH:
                raise FactsError([Diagnostic(
                    "F011", f"{_where(text, m.start(), p)}: lists and objects nest more than {limits.MAX_FACTS_DEPTH} deep",
                    hint="a facts file nests a few levels: people, their facts, a list of values",
                )])
        elif c in "]}":
            depth = max(0, depth - 1)


def load_facts(path: str | Path, registry: Registry | None = None, *, fast: bool = True) -> Facts:
    """Load and validate a facts file (.json or .toml); raises `FactsError` naming every problem.

    A valid JSON file is read by the fast path (`accord.fastfacts`), which gives the same `Facts`;
    anything it does not take, and `fast=False`, is read by the precise path, which names problems."""
    if fast:
        from .fastfacts import fast_load

        facts = fast_load(path, (registry or default_registry()).schema, sys.modules[__name__])
        if facts is not None:
            return facts
    return facts_from_document(read_document(path), registry, source=str(path), fast=fast)


def facts_from_document(raw: Any, registry: Registry | None = None, source: str = "<facts>", *, fast: bool = True) -> Facts:
    """Validate an already parsed facts document; raises `FactsError` naming every problem.

    The fast path (`accord.fastfacts`) is tried first unless `fast=False`; both give the same `Facts`."""
    schema = (registry or default_registry()).schema
    if fast:
        from .fastfacts import fast_facts

        facts = fast_facts(raw, schema, source, sys.modules[__name__])
        if facts is not None:
            return facts
    if not isinstance(raw, dict):
        raise FactsError([Diagnostic("F003", f"{source}: a facts file is an object with a `people` list")])
    try:
        doc = _CONVERTER.structure(_lift_extras(raw), _Document)
    except Exception as exc:  # cattrs wraps every problem in one exception group
        problems = _paths(exc)
        raise FactsError([Diagnostic("F003", f"{source}: {p}: {m}" if p else f"{source}: {m}") for p, m in problems]) from None
    return _Validator(schema, source).build(doc)


class _Validator:
    def __init__(self, schema: Schema, source: str) -> None:
        self.schema = schema
        self.source = source
        self.problems: list[tuple[str, str, str]] = []

    def bad(self, path: str, message: str, code: str | None = None) -> None:
        self.problems.append((path, message, code or "F004"))

    def ref(self, path: str, value: str | None, table: Mapping[str, object], what: str) -> None:
        if value is not None and value not in table:
            hint = suggest(value, table)
            self.bad(path, f"no {what} `{value}`" + (f"; did you mean `{hint}`?" if hint else ""))

    def build(self, doc: _Document) -> Facts:
        places = self._unique("places", [p.id for p in doc.places])
        people_ids = self._unique("people", [p.id for p in doc.people])
        self._unique("evidence", [e.id for e in doc.evidence])
        place_table = {p.id: p for p in doc.places}
        for i, place in enumerate(doc.places):
            if place.kind not in PLACE_KINDS:
                hint = suggest(place.kind, PLACE_KINDS)
                self.bad(f"places[{i}].kind", f"unknown kind of place `{place.kind}`" + (f"; did you mean `{hint}`?" if hint else f"; kinds: {', '.join(PLACE_KINDS)}"))
            self.ref(f"places[{i}].parent", place.parent, place_table, "place")
        place_facts = {p.id: self._facts(f"places[{i}].facts", p.facts, about="place") for i, p in enumerate(doc.places)}
        people: dict[str, Person] = {}
        ends = self.schema.ends()
        for i, doc_person in enumerate(doc.people):
            self.ref(f"people[{i}].place", doc_person.place, places, "place")
            dated: dict[str, Any] = {}
            facts = self._facts(f"people[{i}].facts", doc_person.facts, dated)
            for j, role in enumerate(doc_person.roles):
                self.ref(f"people[{i}].roles[{j}].place", role.place, places, "place")
                kinds = ends.get(role.role)
                if kinds:
                    # `visible to mentor` would read this assignment as "the mentor of everyone at the place"
                    self.bad(
                        f"people[{i}].roles[{j}].role",
                        f"`{role.role}` is an end of the `{kinds[0].name}` relationship, so it cannot also be a role "
                        f"assignment (it would make {doc_person.id} the {role.role} of everyone at the place); "
                        f"record a `{kinds[0].name}` relationship instead, or name the role otherwise",
                    )
            people[doc_person.id] = Person(
                id=doc_person.id,
                name=doc_person.name,
                place=doc_person.place,
                facts=facts,
                memberships=tuple(Membership(m.organisation, m.category, Period(m.start, m.end)) for m in doc_person.memberships),
                roles=tuple(RoleAssignment(r.role, r.place, Period(r.start, r.end)) for r in doc_person.roles),
                dated=dated,
            )
        relationships = [self._relationship(i, r, people_ids) for i, r in enumerate(doc.relationships)]
        evidence = [self._evidence(i, e, people_ids) for i, e in enumerate(doc.evidence)]
        for i, c in enumerate(doc.consents):
            self.ref(f"consents[{i}].subject", c.subject, people_ids, "person")
            self.ref(f"consents[{i}].viewer", c.viewer, people_ids, "person")
        calendars, stretches = CalendarReader(self.bad, places, people_ids).read(doc.calendars)
        if self.problems:
            raise FactsError([Diagnostic(code, f"{self.source}: {p}: {m}") for p, m, code in self.problems])
        return Facts(
            people=people,
            places={p.id: Place(p.id, p.kind, p.name, p.parent, place_facts.get(p.id, {})) for p in doc.places},
            relationships=tuple(r for r in relationships if r is not None),
            evidence=tuple(e for e in evidence if e is not None),
            consents=tuple(Consent(c.subject, c.viewer, frozenset(c.components), c.start, c.withdrawn, c.id) for c in doc.consents),
            source=self.source,
            calendars=calendars,
            stretches=stretches,
        )

    def _unique(self, table: str, ids: list[str]) -> dict[str, None]:
        seen: dict[str, None] = {}
        for i, ident in enumerate(ids):
            if ident in seen:
                self.bad(f"{table}[{i}].id", f"`{ident}` is used twice")
            seen[ident] = None
        return seen

    def _facts(self, path: str, raw: dict[str, Any], dated: dict[str, Any] | None = None, about: str = "person") -> dict[str, Any]:
        """The plain facts; the dated ones (docs/cli.md, "Dated facts") go into `dated`, which a
        place's facts do not have."""
        out: dict[str, Any] = {}
        declared = {n: s for n, s in self.schema.facts.items() if s.about == about}
        for name, value in raw.items():
            spec = declared.get(name)
            if spec is None:
                hint = suggest(name, declared)
                other = self.schema.facts.get(name)
                if other is not None:  # declared, but about the other kind of thing
                    self.bad(f"{path}.{name}", f"`{name}` is a fact about a {other.about}, not a {about}; write it under the {other.about}'s `facts`", "F050")
                    continue
                self.bad(f"{path}.{name}", "no installed programme declares this fact" + (f"; did you mean `{hint}`?" if hint else "; `accord schema` lists the facts"))
                continue
            if spec.derive is not None:
                self.bad(f"{path}.{name}", "this fact is computed from other facts; leave it out")
                continue
            if value is None:
                continue  # an explicit null is the same as an absent fact: unknown
            if is_dated(value):  # a set's members are never objects: a list of objects is periods
                if dated is None:
                    self.bad(f"{path}.{name}", f"a fact about a {about} has one value: give it without periods", "F034")
                    continue
                periods = read_dated(value, spec.type, f"{path}.{name}", self.bad)
                if periods is not None:
                    dated[name] = periods
                continue
            try:
                out[name] = read_value(value, spec.type)
            except ValueProblem as exc:
                self.bad(f"{path}.{name}", str(exc), exc.code)
        return out

    def _relationship(self, i: int, r: _RelationshipDoc, people: Mapping[str, None]) -> Relationship | None:
        kind = self.schema.relationships.get(r.kind)
        path = f"relationships[{i}]"
        if kind is None:
            hint = suggest(r.kind, self.schema.relationships)
            self.bad(f"{path}.kind", f"unknown relationship kind `{r.kind}`" + (f"; did you mean `{hint}`?" if hint else f"; kinds: {', '.join(self.schema.relationships)}"))
            return None
        for end in kind.ends:
            if end not in r.ends:
                self.bad(f"{path}.{end}", f"required but missing (a {kind.name} relationship names its {kind.ends[0]} and {kind.ends[1]})")
        for end, pid in r.ends.items():
            if end not in kind.ends:
                hint = suggest(end, kind.ends)
                self.bad(f"{path}.{end}", f"a {kind.name} relationship has no end `{end}`" + (f"; did you mean `{hint}`?" if hint else f"; its ends are {kind.ends[0]} and {kind.ends[1]}"))
            elif not isinstance(pid, str):
                self.bad(f"{path}.{end}", f"expected a person id, got {json.dumps(pid, default=str)}")
            else:
                self.ref(f"{path}.{end}", pid, people, "person")
        return Relationship(r.kind, dict(r.ends), Period(r.start, r.end), r.id)

    def _evidence(self, i: int, e: _EvidenceDoc, people: Mapping[str, None]) -> Evidence | None:
        path = f"evidence[{i}]"
        kind = self.schema.evidence.get(e.kind)
        for field in ("subject", "author", "verified_by"):
            self.ref(f"{path}.{field}", getattr(e, field), people, "person")
        if kind is None:
            hint = suggest(e.kind, self.schema.evidence)
            self.bad(f"{path}.kind", f"unknown evidence kind `{e.kind}`" + (f"; did you mean `{hint}`?" if hint else f"; kinds: {', '.join(self.schema.evidence)}"))
            return None
        fields: dict[str, Any] = {}
        for name, value in e.fields.items():
            t = kind.fields.get(name)
            if t is None:
                hint = suggest(name, [*kind.fields, *EVIDENCE_FIELDS])
                self.bad(f"{path}.{name}", f"{kind.name} evidence has no field `{name}`" + (f"; did you mean `{hint}`?" if hint else ""))
                continue
            if value is None:
                continue
            try:
                fields[name] = read_value(value, t)
            except ValueProblem as exc:
                self.bad(f"{path}.{name}", str(exc), exc.code)
        return Evidence(e.id, e.kind, e.subject, e.date, e.author, e.hours, e.count, frozenset(e.standards), e.verified_by, fields)


# --------------------------------------------------------------------------- JSON Schema


def facts_json_schema(registry: Registry | None = None) -> dict[str, Any]:
    """The JSON Schema of a facts file, with the facts every installed programme declares."""
    schema = (registry or default_registry()).schema
    date = {"type": "string", "format": "date"}
    period = {"from": {**date, "description": "first day (inclusive)"}, "to": {**date, "description": "last day (inclusive)"}}
    ident = {"type": "string", "minLength": 1}
    facts = {
        name: {**json_schema_of(spec.type), "description": spec.description}
        for name, spec in sorted(schema.facts.items())
        if spec.derive is None and spec.about == "person"
    }
    place_facts = {
        name: {**json_schema_of(spec.type), "description": spec.description}
        for name, spec in sorted(schema.facts.items())
        if spec.about == "place"
    }
    relationship_variants = [
        {
            "type": "object",
            "description": kind.description,
            "properties": {"kind": {"const": kind.name}, "id": ident, kind.ends[0]: ident, kind.ends[1]: ident, **period},
            "required": ["kind", *kind.ends],
            "additionalProperties": False,
        }
        for kind in schema.relationships.values()
    ]
    evidence_variants = [
        {
            "type": "object",
            "description": kind.description,
            "properties": {
                "kind": {"const": kind.name},
                "id": ident,
                "subject": ident,
                "author": ident,
                "date": date,
                "hours": {"type": ["number", "string"]},
                "count": {"type": ["number", "string"]},
                "standards": {"type": "array", "items": {"type": "string"}},
                "verified_by": ident,
                **{name: json_schema_of(t) for name, t in kind.fields.items()},
            },
            "required": ["id", "kind", "subject", "date"],
            "additionalProperties": False,
        }
        for kind in schema.evidence.values()
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://accord.example/schema/facts.json",
        "title": "Accord facts file",
        "description": "People, places, relationships, evidence and consents, each valid for a period. Dates are YYYY-MM-DD; numbers and amounts are exact (write them as strings to keep every digit).",
        "type": "object",
        "required": ["people"],
        "additionalProperties": False,
        "properties": {
            "places": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": ident,
                        "kind": {"enum": list(PLACE_KINDS)},
                        "name": {"type": "string"},
                        "parent": ident,
                        "facts": {"type": "object", "properties": place_facts, "additionalProperties": False},
                    },
                    "required": ["id", "kind"],
                    "additionalProperties": False,
                },
            },
            "people": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": ident,
                        "name": {"type": "string"},
                        "place": {**ident, "description": "the id of the place (school, district...) the person belongs to"},
                        "facts": {"type": "object", "properties": facts, "additionalProperties": False},
                        "memberships": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"organisation": ident, "category": {"type": "string"}, **period},
                                "required": ["organisation"],
                                "additionalProperties": False,
                            },
                        },
                        "roles": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"role": ident, "place": ident, **period},
                                "required": ["role"],
                                "additionalProperties": False,
                            },
                        },
                    },
                    "required": ["id"],
                    "additionalProperties": False,
                },
            },
            "relationships": {"type": "array", "items": {"oneOf": relationship_variants}},
            "evidence": {"type": "array", "items": {"oneOf": evidence_variants}},
            "consents": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": ident,
                        "subject": ident,
                        "viewer": ident,
                        "components": {"type": "array", "items": {"type": "string"}},
                        "from": date,
                        "withdrawn": date,
                    },
                    "required": ["subject", "viewer", "components", "from"],
                    "additionalProperties": False,
                },
            },
            "calendars": _calendars_schema(date, ident),
        },
    }


def _calendars_schema(date: dict[str, Any], ident: dict[str, Any]) -> dict[str, Any]:
    """School calendars and people's own stretches of them (core/calendars.py)."""
    span = {"type": "object", "properties": {"from": date, "to": date}, "required": ["from", "to"], "additionalProperties": False}
    year = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "from": date, "to": date, "terms": {"type": "array", "items": span}, "semesters": {"type": "array", "items": span}},
        "required": ["from", "to"],
        "additionalProperties": False,
    }
    place = {
        "type": "object",
        "description": "a place's school calendar, used by its people and the places below it",
        "properties": {
            "place": ident,
            "school_years": {"type": "array", "items": year, "minItems": 1},
            "non_school_days": {"type": "array", "items": {"oneOf": [date, span]}},
        },
        "required": ["place", "school_years"],
        "additionalProperties": False,
    }
    person = {
        "type": "object",
        "description": "a person's own stretch of their place's calendar",
        "properties": {
            "person": ident,
            "absences": {"type": "array", "items": span},
            "part_time": {"type": ["number", "string"], "description": "above 0, at most 1"},
        },
        "required": ["person"],
        "additionalProperties": False,
    }
    return {"type": "array", "items": {"oneOf": [place, person]}}
