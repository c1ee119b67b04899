"""What programme plugins declare, and the `Schema` that merges every plugin's declarations.

A plugin returns these declarations from its hooks (see `accord.hookspecs`); the registry checks
them when the plugin registers, and the checker resolves every name in a policy against the merged
`Schema`: facts and their types, roles, relationship kinds and their ends, evidence kinds and their
fields, scales, constants and functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from . import limits

from .values import (
    BOOL,
    DATE,
    NUMBER,
    PERSON,
    TEXT,
    Choice,
    Money,
    Quantity,
    Scale,
    SetOf,
    Simple,
    Type,
    scale_enum,
    to_decimal,
)


@attrs.frozen
class FactSpec:
    """A fact about a person (or, with `about="place"`, a place): its name, type and meaning;
    `derive(ctx, person)` computes it."""

    name: str
    type: Type
    description: str = ""
    derive: Callable[[Any, Any], object] | None = attrs.field(default=None, eq=False)
    #: what the fact is about: "person" (`mentor.years_experience`) or "place" (`district.enrolment`)
    about: str = "person"


@attrs.frozen
class RoleSpec:
    """A role a policy can decide eligibility for."""

    name: str
    description: str = ""


@attrs.frozen
class RelationshipKind:
    """A kind of relationship and the names of its two ends (`mentoring`: mentor, mentee)."""

    name: str
    ends: tuple[str, str]
    description: str = ""


@attrs.frozen
class EvidenceKind:
    """A kind of evidence and the fields, beyond the standard ones, its items carry."""

    name: str
    fields: Mapping[str, Type] = attrs.Factory(dict)
    description: str = ""


#: fields every evidence item has, whatever its kind
EVIDENCE_FIELDS: dict[str, Type] = {
    "date": DATE,
    "hours": Quantity("hours"),
    "count": NUMBER,
    "standards": SetOf(TEXT),
    "verified": BOOL,
    "author": PERSON,
    "verified_by": PERSON,
    "subject": PERSON,
}


@attrs.frozen
class Function:
    """A function policies may call; `impl(ctx, *args)` must be pure and may return `Unknown`."""

    name: str
    params: tuple[Type, ...]
    returns: Type
    impl: Callable[..., object] = attrs.field(eq=False)
    description: str = ""
    #: types a call itself, instead of `params`/`returns`: `check(call)` is given an
    #: `accord.check.FunctionCall` (its arguments, typed on request, and `error`) and returns the
    #: typed call, usually `call.apply(result_type, args)` (evaluated through `impl`); the
    #: built-ins (`core/builtins.py`) return the IR node the engines evaluate for them
    check: Callable[..., object] | None = attrs.field(default=None, eq=False)
    #: says in words what a call found, for reasons: `reason(records, *args)` -> text or None;
    #: a rule that is this call (or its negation) reads that text instead of "`f(...)` is true"
    reason: Callable[..., str | None] | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Constant:
    """A named value policies may use, such as the set of mentor standards."""

    name: str
    type: Type
    value: object
    description: str = ""


@attrs.frozen
class Programme:
    """A programme type: its roles, and the policy `--programme NAME` uses by default."""

    name: str
    title: str
    roles: tuple[RoleSpec, ...]
    description: str = ""
    #: a policy file shipped in `accord.rules`, as a path relative to that package
    policy: str | None = None
    #: policies that extend it and attach to a place (`place district "attleboro"`), same form
    layers: tuple[str, ...] = ()
    #: other versions of `policy` (same form), each `effective` for its own period: `--programme`
    #: answers under the one in force on the as-of date; periods may not overlap (P242)
    versions: tuple[str, ...] = ()
    plugin: str = ""
    #: the package `policy` and `layers` are read from; a third-party plugin names its own
    rules_package: str = "accord.rules"

    def shown_path(self, path: str) -> str:
        """How a policy this programme ships is named to people: `rules/...` or `package:...`."""
        return f"rules/{path}" if self.rules_package == "accord.rules" else f"{self.rules_package}:{path}"


@attrs.frozen
class Schema:
    """Every declaration of every registered plugin, by name."""

    programmes: Mapping[str, Programme] = attrs.Factory(dict)
    facts: Mapping[str, FactSpec] = attrs.Factory(dict)
    relationships: Mapping[str, RelationshipKind] = attrs.Factory(dict)
    evidence: Mapping[str, EvidenceKind] = attrs.Factory(dict)
    functions: Mapping[str, Function] = attrs.Factory(dict)
    constants: Mapping[str, Constant] = attrs.Factory(dict)

    def ends(self) -> dict[str, list[RelationshipKind]]:
        """Relationship end name -> the kinds that have an end of that name."""
        out: dict[str, list[RelationshipKind]] = {}
        for kind in self.relationships.values():
            for end in kind.ends:
                out.setdefault(end, []).append(kind)
        return out

    def scales(self) -> dict[str, Scale]:
        return {t.name: t for t in _types_in(self) if isinstance(t, Scale)}

    def choices(self) -> dict[str, Choice]:
        return {t.name: t for t in _types_in(self) if isinstance(t, Choice)}


def _types_in(schema: Schema) -> list[Type]:
    types: list[Type] = [f.type for f in schema.facts.values()]
    for kind in schema.evidence.values():
        types.extend(kind.fields.values())
    for fn in schema.functions.values():
        types.extend(fn.params)
        types.append(fn.returns)
    types.extend(c.type for c in schema.constants.values())
    flat: list[Type] = []
    for t in types:
        while isinstance(t, SetOf):
            t = t.element
        flat.append(t)
    return flat


# --------------------------------------------------------------------------- reading values


class ValueProblem(ValueError):
    """A raw value that does not fit its declared type; the message says what was expected."""

    #: the diagnostic code, where the problem is a documented limit (`core/limits.py`)
    code: str | None = None

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def _got(raw: object) -> str:
    if isinstance(raw, str):
        return f'"{raw}"'
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if raw is None:
        return "null"
    return repr(raw) if not isinstance(raw, (list, dict)) else type(raw).__name__.replace("dict", "an object").replace("list", "a list")


def read_value(raw: object, t: Type) -> object:
    """Convert a value from a facts file to the runtime value of type `t`, or raise `ValueProblem`."""
    # the hot path of loading a roster: tell the types apart by class first (attrs `==` on every
    # value cost a quarter of a 100,000-person load), then compare
    cls = t.__class__
    if cls is Simple and t.name == "text":  # type: ignore[attr-defined]
        if isinstance(raw, str):
            return raw
        raise ValueProblem(f"expected text, got {_got(raw)}")
    if cls is Scale and isinstance(raw, str) and raw in t.levels:  # type: ignore[attr-defined]
        return scale_enum(t)[raw]  # type: ignore[arg-type]
    if cls is Quantity and raw.__class__ in (int, str):  # "3", 3; "3 years" goes the long way below
        d = to_decimal(raw)
        if d is not None:
            return _within_digits(d, raw)
    if cls is Simple and t == BOOL:
        if isinstance(raw, bool):
            return raw
        raise ValueProblem(f"expected true or false, got {_got(raw)}")
    if cls is Simple and t == DATE:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            if not limits.date_in_range(raw):
                raise ValueProblem(f"{raw.isoformat()} is past the last year Accord accepts ({limits.MAX_YEAR})", "F013")
            return raw
        if isinstance(raw, str):
            try:
                day = dt.date.fromisoformat(raw)
            except ValueError:
                pass
            else:
                if not limits.date_in_range(day):
                    raise ValueProblem(f"{_got(raw)} is past the last year Accord accepts ({limits.MAX_YEAR})", "F013")
                return day
        raise ValueProblem(f"expected a date (YYYY-MM-DD), got {_got(raw)}")
    if isinstance(t, Quantity):
        value = raw
        if isinstance(raw, str) and t.unit and raw.strip().endswith(t.unit):
            value = raw.strip()[: -len(t.unit)]
        d = to_decimal(value)
        if d is None:
            unit = f" of {t.unit}" if t.unit else ""
            raise ValueProblem(f"expected a number{unit}, got {_got(raw)}")
        return _within_digits(d, raw)
    if isinstance(t, Money):
        value = raw
        if isinstance(raw, str) and raw.strip().upper().startswith(t.currency):
            value = raw.strip()[len(t.currency) :]
        d = to_decimal(value)
        if d is None:
            raise ValueProblem(f"expected an amount in {t.currency}, got {_got(raw)}")
        return _within_digits(d, raw)
    if isinstance(t, Choice):
        if isinstance(raw, str) and raw in t.values:
            return raw
        raise ValueProblem(f"expected one of {', '.join(t.values)}, got {_got(raw)}")
    if isinstance(t, Scale):
        if isinstance(raw, str) and raw in t.levels:
            return scale_enum(t)[raw]
        raise ValueProblem(f"expected one of {', '.join(t.levels)}, got {_got(raw)}")
    if isinstance(t, SetOf):
        if not isinstance(raw, list):
            raise ValueProblem(f"expected a list, got {_got(raw)}")
        return frozenset(read_value(item, t.element) for item in raw)
    raise ValueProblem(f"facts of type {t.describe()} cannot be written in a facts file")


def _within_digits(d: object, raw: object) -> object:
    from decimal import Decimal

    assert isinstance(d, Decimal)
    problem = limits.number_problem(d)
    if problem:
        shown = _got(raw) if len(d.as_tuple().digits) <= 32 and not isinstance(raw, (list, dict)) else f"a number of {len(d.as_tuple().digits)} digits"
        raise ValueProblem(f"{shown} {problem}", "F012")
    return d


def json_schema_of(t: Type) -> dict[str, object]:
    """The JSON Schema of a value of type `t` in a facts file."""
    if t == BOOL:
        return {"type": "boolean"}
    if t == TEXT:
        return {"type": "string"}
    if t == DATE:
        return {"type": "string", "format": "date"}
    if isinstance(t, Quantity):
        return {"type": ["number", "string"], "description": f"a number of {t.unit}" if t.unit else "a number"}
    if isinstance(t, Money):
        return {"type": ["number", "string"], "description": f"an amount in {t.currency}, exact"}
    if isinstance(t, Choice):
        return {"enum": list(t.values)}
    if isinstance(t, Scale):
        return {"enum": list(t.levels), "description": " < ".join(t.levels)}
    if isinstance(t, SetOf):
        return {"type": "array", "items": json_schema_of(t.element)}
    return {}

