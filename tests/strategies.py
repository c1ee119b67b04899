"""Hypothesis strategies for Accord: well-typed policies, facts documents, as-of dates and rosters.

Everything is generated against the schema the installed programme plugins declare (the demo
programme's facts, evidence kinds, relationship kinds, scales, functions and constants), so a
generated policy checks by construction: a `PolicyError` on one is a bug in the generator or in the
checker, and the properties in `test_properties.py` treat it as a failure.

- `policies()` gives policy text: parameters (some `none`, so unknown), definitions with and
  without parameters, roles with requirements and exceptions (grants, denies, `overriding`), and a
  pair rule with preferences. Expressions are typed: facts of each type, literals with matching
  units, scale and choice values, sets, and/or/not, comparisons, `count`/`hours`/`sum`/`latest`
  over `evidence KIND where ...`, `every`/`any` over sets, plugin functions, date arithmetic.
- `facts_documents()` gives facts documents as the dicts a JSON or TOML file parses to;
  `mutated_documents()` gives the same with random damage, and `documents_or_junk()` anything.
- `as_of_dates()`, `rosters()` and `kleene_trees()` round it off.

Generation is bounded (expression depth, list sizes), so each example takes milliseconds.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import itertools
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from accord.model import PLACE_KINDS
from accord.registry import default_registry
from accord.schema import EVIDENCE_FIELDS
from accord.values import BOOL, DATE, PERSON, TEXT, UNIT_ALIASES, UNITS, Choice, Money, Quantity, Scale, SetOf, Type

# --------------------------------------------------------------------------- the schema, as tags
#
# The generator thinks in tags rather than accord types: quantities are tagged by dimension
# (`q:months` covers years and months, which the checker converts), so any two expressions with one
# tag may be compared, added or put on either side of `=`.

SCHEMA = default_registry().schema
PROGRAMME = SCHEMA.programmes["demo"]
#: the demo programme's own policy, and the grammar (for its keywords)
DEMO_POLICY = default_registry().programme_policy("demo")[1]
ROOT_GRAMMAR = importlib.resources.files("accord.grammars").joinpath("accord.lark")
ROLES = tuple(r.name for r in PROGRAMME.roles)


def tag_of(t: Type) -> str | None:
    """The generator's tag for an accord type, or None for types it does not generate."""
    if t == BOOL:
        return "bool"
    if t == TEXT:
        return "text"
    if t == DATE:
        return "date"
    if t == PERSON:
        return "person"
    if isinstance(t, Quantity):
        return "number" if t.unit is None else "q:" + UNITS[t.unit][0]
    if isinstance(t, Money):
        return "money:" + t.currency
    if isinstance(t, Choice):
        return "c:" + t.name
    if isinstance(t, Scale):
        return "s:" + t.name
    if isinstance(t, SetOf):
        inner = tag_of(t.element)
        return None if inner is None else "set:" + inner
    return None


#: tag -> the named values (choice values, scale levels, lowest first)
VALUES: dict[str, tuple[str, ...]] = {}
for _t in [*SCHEMA.scales().values(), *SCHEMA.choices().values()]:
    VALUES[tag_of(_t)] = _t.levels if isinstance(_t, Scale) else _t.values  # type: ignore[index]
BARE_VALUES = frozenset(v for vs in VALUES.values() for v in vs)

#: dimension -> the unit words a literal of that dimension may use
UNIT_WORDS: dict[str, tuple[str, ...]] = {}
for _u, (_dim, _) in UNITS.items():
    UNIT_WORDS.setdefault("q:" + _dim, ())
    UNIT_WORDS["q:" + _dim] += (_u, *(a for a, c in UNIT_ALIASES.items() if c == _u))
#: the unit type word a `parameter x: WORD = none` may declare, per dimension
UNIT_TYPE = {"q:months": "years", "q:days": "days", "q:hours": "hours", "q:pdps": "pdps"}
CALENDAR_TAGS = ("q:months", "q:days")

def _writable(t: Type) -> bool:
    """Whether a facts file can hold a value of `t` (and `fact_values` can write one)."""
    if isinstance(t, SetOf):
        return _writable(t.element)
    return t in (BOOL, TEXT, DATE) or isinstance(t, (Quantity, Money, Choice, Scale))


#: tag -> facts of that tag (every fact, derived ones included: policies may read them)
FACTS: dict[str, list[str]] = {}
#: the facts a facts file may carry, with their types (derived facts are computed, never stored)
STORED_FACTS: dict[str, Type] = {}
for _name, _spec in SCHEMA.facts.items():
    if _spec.about != "person":  # a place's facts (`district.enrolment`) are read from a place
        continue
    _tag = tag_of(_spec.type)
    if _tag is not None:
        FACTS.setdefault(_tag, []).append(_name)
    if _spec.derive is None and _writable(_spec.type):
        STORED_FACTS[_name] = _spec.type

#: evidence kind -> {field: tag}, standard fields included
EVIDENCE: dict[str, dict[str, str]] = {
    kind: {f: tg for f, t in {**EVIDENCE_FIELDS, **ek.fields}.items() if (tg := tag_of(t)) is not None}
    for kind, ek in SCHEMA.evidence.items()
}
#: relationship end names (`person.mentor` is a set of people)
ENDS = tuple(sorted({end for k in SCHEMA.relationships.values() for end in k.ends}))
PAIRS = tuple(k.ends for k in SCHEMA.relationships.values())
#: function name -> (parameter tags, return tag, parameter types)
FUNCTIONS = {
    f.name: (tuple(tag_of(p) for p in f.params), tag_of(f.returns), f.params)
    for f in SCHEMA.functions.values()
    if f.check is None and all(tag_of(p) for p in f.params) and tag_of(f.returns)  # a function that types itself has no fixed signature
}
CONSTANTS: dict[str, list[str]] = {}
CONSTANTS_ALL = frozenset(SCHEMA.constants)
for _c in SCHEMA.constants.values():
    if (_tag := tag_of(_c.type)) is not None:
        CONSTANTS.setdefault(_tag, []).append(_c.name)

ORDERED = ("number", "q:months", "q:days", "q:hours", "money:USD", "date", *(t for t in VALUES if t.startswith("s:")))
EQUALITY = ("bool", "text", "person", "place", *(t for t in VALUES if t.startswith("c:")))
TEXTS = ("mathematics", "science", "english", "art", "history", "x", "")
PERSON_TAGS = ("person",)

# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Scope:
    """What an expression may name where it is generated."""

    persons: tuple[str, ...]
    texts: tuple[str, ...] = ()
    #: the evidence kind whose fields are bare names here (inside `where`)
    item: str | None = None
    #: whether `evidence KIND` without `of` means `person` (inside a role)
    implicit: bool = False


@dataclass(frozen=True)
class Options:
    """Which constructs a policy may use."""

    #: `/` and `*` on quantities: division by zero is an error status, and products can move a
    #: date out of the calendar; monotonicity needs policies whose rules never fail
    arithmetic: bool = True
    #: `overriding` may go round in a circle of three or more (a over b, b over c, c over a); two
    #: that override each other are P116, so never that
    cycles: bool = False
    max_depth: int = 3


_QUANTITY_LITERAL = re.compile(r"[-(\s]*\d+(\.\d+)?\s+[A-Za-z]+[)\s]*")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_LABEL_CHARS = string.ascii_letters + string.digits + " -_.,;:!?()'/#{}" + "éßλ中"


class PolicyWriter:
    """Writes one well-typed policy, drawing every choice from Hypothesis."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any], options: Options) -> None:
        self.draw = draw
        self.opt = options
        self.params: dict[str, list[str]] = {}
        #: tag -> [(name, arity)]; arity 0 reads no person, arity n takes n people
        self.defines: dict[str, list[tuple[str, int]]] = {}
        self._n = itertools.count()

    # ----------------------------------------------------------------------- helpers

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(options)))

    def coin(self) -> bool:
        return bool(self.draw(st.booleans()))

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self._n)}"

    def variable(self, sc: Scope) -> str:
        """A quantifier's variable; now and then one that looks like the engine's own names."""
        odd = [n for n in ("_item0", "_item1", "ctx", "_t1", "_c0", "_U", "v_person") if n not in (*sc.persons, *sc.texts)]
        if odd and self.draw(st.integers(0, 9)) == 0:
            return self.pick(odd)
        return self.fresh("q")

    def reserved(self, sc: Scope) -> set[str]:
        """Names that mean something here, so a scale or choice value of that name cannot be bare."""
        # `person` and the relationship ends too: a definition may be used where they are bound
        names = {*sc.persons, *sc.texts, "person", *ENDS, *CONSTANTS_ALL, *EVIDENCE.get(sc.item or "", {})}
        names.update(n for ns in self.params.values() for n in ns)
        names.update(n for ds in self.defines.values() for n, _ in ds)
        return names

    def bare(self, tag: str, sc: Scope) -> list[str]:
        return [v for v in VALUES[tag] if v not in self.reserved(sc)]

    def one_of(self, thunks: list[Callable[[], str]]) -> str:
        """Run one of the candidate generators; Hypothesis shrinks towards the first."""
        assert thunks, "no candidate expression"
        return thunks[self.draw(st.integers(0, len(thunks) - 1))]()

    def number(self, lo: int = 0, hi: int = 12) -> str:
        whole = self.draw(st.integers(lo, hi))
        if self.coin():
            return str(whole)
        return f"{whole}.{self.draw(st.integers(0, 99)):02d}".rstrip("0").rstrip(".") or "0"

    def date_literal(self) -> str:
        return self.draw(st.dates(dt.date(1995, 1, 1), dt.date(2035, 12, 31))).isoformat()

    def text_literal(self) -> str:
        return _string(self.draw(st.sampled_from(TEXTS) | st.text(string.ascii_letters + " é\"\\", max_size=6)))

    def label(self, prefix: str) -> str:
        return _string(prefix + " " + self.draw(st.text(_LABEL_CHARS, max_size=12)))

    # ----------------------------------------------------------------------- availability

    def available(self, tag: str, sc: Scope) -> bool:
        """Whether an expression of this tag can be written here without a bare scale value."""
        if tag in ("bool", "number", "date", "text", "set:text") or tag.startswith(("q:", "money:")):
            return True
        if tag in ("person", "place", "set:person"):
            return bool(sc.persons)
        return bool(self._common(tag, sc, functions=False))

    def argument(self, tag: str, t: Type, sc: Scope) -> str | None:
        """An argument of a plugin function (the parameter's type is known, so values may be bare)."""
        if isinstance(t, Quantity) and t.unit:  # a function takes its own unit, unconverted
            return f"{self.draw(st.integers(0, 40))} {t.unit}"
        if tag.startswith(("c:", "s:")):
            return self.expr(tag, sc, 0, bare_ok=True)
        if tag.startswith(("set:c:", "set:s:")):
            bare = self.bare(tag[4:], sc)
            return "{" + ", ".join(self.draw(st.lists(st.sampled_from(bare), max_size=2, unique=True)) if bare else []) + "}"
        return self.expr(tag, sc, 0) if self.available(tag, sc) else None

    # ----------------------------------------------------------------------- expressions

    def expr(self, tag: str, sc: Scope, depth: int, bare_ok: bool = False) -> str:
        """An expression of `tag`; a bare scale or choice value only when `bare_ok`."""
        method = getattr(self, "_" + tag.split(":")[0] if ":" in tag else "_" + tag)
        return method(tag, sc, max(depth, 0), bare_ok)  # type: ignore[no-any-return]

    def _common(self, tag: str, sc: Scope, functions: bool = True) -> list[Callable[[], str]]:
        """Parameters, argument-free definitions, facts, item fields, constants and plugin function
        calls of `tag`."""
        out: list[Callable[[], str]] = []
        if tag in self.params:
            out.append(lambda: self.pick(self.params[tag]))
        zero = [n for n, a in self.defines.get(tag, []) if a == 0]
        if zero:
            out.append(lambda: self.pick(zero))
        if sc.persons and tag in FACTS:
            out.append(lambda: f"{self.pick(sc.persons)}.{self.pick(FACTS[tag])}")
        fields = [f for f, t in EVIDENCE.get(sc.item or "", {}).items() if t == tag]
        if fields:
            out.append(lambda: self.pick(fields))
        if tag in CONSTANTS:
            out.append(lambda: self.pick(CONSTANTS[tag]))
        latest_kinds = [k for k, fs in EVIDENCE.items() if tag in fs.values()]
        if sc.persons and latest_kinds:

            def latest() -> str:
                kind = self.pick(latest_kinds)
                field = self.pick([f for f, t in EVIDENCE[kind].items() if t == tag])
                return f"latest({self.evidence(sc, 0, kind)}).{field}"

            out.append(latest)
        if functions and sc.persons:
            for fn, (params, ret, types) in FUNCTIONS.items():
                if ret == tag and all(p.startswith(("c:", "s:", "set:c:", "set:s:")) or self.available(p, sc) for p in params):
                    out.append(lambda fn=fn, params=params, types=types: f"{fn}({', '.join(self.argument(p, t, sc) or '' for p, t in zip(params, types))})")
        return out

    def evidence(self, sc: Scope, depth: int, kind: str | None = None) -> str:
        """`evidence KIND [of P] [where ...]`, only ever as a call argument."""
        kind = kind or self.pick(sorted(EVIDENCE))
        text = f"evidence {kind}"
        if not sc.implicit or self.coin():
            text += f" of {self.pick(sc.persons)}"
        if depth > 0 and self.coin():
            inner = replace(sc, item=kind)
            text += f" where {self.expr('bool', inner, depth - 1)}"
        return text

    def _bool(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        c: list[Callable[[], str]] = [lambda: "true", lambda: "false", *self._common("bool", sc)]
        for name, arity in self.defines.get("bool", []):
            if arity and sc.persons:
                c.append(lambda name=name, arity=arity: f"{name}({', '.join(self.pick(sc.persons) for _ in range(arity))})")
        if depth <= 0:
            return self.one_of(c)
        d = depth - 1
        c += [
            lambda: f"not ({self.expr('bool', sc, d)})",
            lambda: self.pick([" and ", " or "]).join(f"({self.expr('bool', sc, d)})" for _ in range(self.draw(st.integers(2, 3)))),
            lambda: self.compare(self.pick([t for t in ORDERED if self.available(t, sc)]), sc, d, ordered=True),
            lambda: self.compare(self.pick([t for t in EQUALITY if self.available(t, sc)]), sc, d, ordered=False),
            lambda: self.member(sc, d),
            lambda: self.quantifier(sc, d),
        ]
        if sc.persons:
            c.append(lambda: f"{self.expr('person', sc, d)} is {self.pick(['', 'not '])}{self.expr('person', sc, d)}")
            c.append(lambda: f"{self.expr('place', sc, d)} is {self.pick(['', 'not '])}{self.expr('place', sc, d)}")
        return self.one_of(c)

    def compare(self, tag: str, sc: Scope, depth: int, ordered: bool) -> str:
        ops = ["<", "<=", ">", ">=", "=", "!="] if ordered else ["=", "!="]
        left = self.expr(tag, sc, depth, bare_ok=self.coin())
        right = self.expr(tag, sc, depth, bare_ok=left not in BARE_VALUES)
        return f"({left}) {self.pick(ops)} ({right})"

    def member(self, sc: Scope, depth: int) -> str:
        tags = [t for t in ("text", "person", *VALUES) if self.available(t, sc)]
        tag = self.pick(tags)
        element = self.expr(tag, sc, depth)
        if tag == "text":
            collection = self.expr("set:text", sc, depth)
        elif tag == "person":
            collection = self.expr("set:person", sc, depth)
        elif f"set:{tag}" in self.params and self.coin():
            collection = self.pick(self.params[f"set:{tag}"])
        elif f"set:{tag}" in CONSTANTS and self.coin():
            collection = self.pick(CONSTANTS[f"set:{tag}"])
        else:
            bare = self.bare(tag, sc)
            members = self.draw(st.lists(st.sampled_from(bare), max_size=3)) if bare else []
            if self.coin() or not members:
                members.append(self.expr(tag, sc, depth))
            collection = "{" + ", ".join(members) + "}"
        return f"({element}) {self.pick(['in', 'not in'])} {collection}"

    def quantifier(self, sc: Scope, depth: int) -> str:
        var = self.variable(sc)
        if sc.persons and self.coin():
            collection = self.expr("set:person", sc, depth)
            inner = replace(sc, persons=(*sc.persons, var))
        else:
            collection = self.expr("set:text", sc, depth)
            inner = replace(sc, texts=(*sc.texts, var))
        return f"({self.pick(['every', 'any'])} {var} in {collection}: {self.expr('bool', inner, depth)})"

    def _number(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        c: list[Callable[[], str]] = [lambda: self.number(), *self._common("number", sc)]
        c.append(lambda: f"count({self.expr('set:text', sc, 0)})")
        if sc.persons:
            c.append(lambda: f"count({self.evidence(sc, depth)})")
            c.append(lambda: f"count({self.pick(sc.persons)}.{self.pick(ENDS)})")
            c.append(lambda: f"sum({self.evidence(sc, depth)}, count)")
        if depth > 0:
            c += self._arithmetic("number", sc, depth - 1)
        return self.one_of(c)

    def _arithmetic(self, tag: str, sc: Scope, d: int) -> list[Callable[[], str]]:
        out: list[Callable[[], str]] = [
            lambda: f"({self.expr(tag, sc, d)}) {self.pick(['+', '-'])} ({self.expr(tag, sc, d)})",
            lambda: f"-({self.expr(tag, sc, d)})",
        ]
        if self.opt.arithmetic:
            out.append(lambda: f"({self.expr(tag, sc, d)}) * ({self.expr('number', sc, d)})")
            out.append(lambda: f"({self.expr('number', sc, d)}) * ({self.expr(tag, sc, d)})")
            out.append(lambda: f"({self.expr(tag, sc, d)}) / ({self.expr('number', sc, d)})")
        return out

    def _q(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        c: list[Callable[[], str]] = [lambda: f"{self.number(0, 50)} {self.pick(UNIT_WORDS[tag])}", *self._common(tag, sc)]
        if tag == "q:hours" and sc.persons:
            c.append(lambda: f"hours({self.evidence(sc, depth)})")
            c.append(lambda: f"sum({self.evidence(sc, depth)}, hours)")
        if depth > 0:
            c += self._arithmetic(tag, sc, depth - 1)
            if tag == "q:days":
                c.append(lambda: f"({self.expr('date', sc, depth - 1)}) - ({self.expr('date', sc, depth - 1)})")
        return self.one_of(c)

    def _money(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        currency = tag.split(":")[1]
        c: list[Callable[[], str]] = [lambda: f"{currency} {self.number(0, 900)}", *self._common(tag, sc)]
        if depth > 0:
            c += self._arithmetic(tag, sc, depth - 1)
        return self.one_of(c)

    def _date(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        c: list[Callable[[], str]] = [self.date_literal, lambda: "today", *self._common("date", sc)]
        if depth > 0:
            c.append(lambda: f"({self.expr('date', sc, depth - 1)}) {self.pick(['+', '-'])} ({self.shift(sc, depth - 1)})")
        return self.one_of(c)

    def shift(self, sc: Scope, depth: int) -> str:
        """How far to move a date: a whole number of days, weeks, months or years. A constant
        amount must be whole (a check error otherwise); a computed one that is not whole is an
        error when the rule runs, so policies that must not fail only move dates by constants."""
        tag = self.pick(CALENDAR_TAGS)
        whole = f"{self.draw(st.integers(0, 40))} {self.pick(UNIT_WORDS[tag])}"
        if not self.opt.arithmetic or self.coin():
            return whole
        amount = self.expr(tag, sc, depth)
        constants = {n for ns in self.params.values() for n in ns} | {n for ds in self.defines.values() for n, _ in ds}
        return whole if _QUANTITY_LITERAL.fullmatch(amount) or amount in constants else amount

    def _text(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        c: list[Callable[[], str]] = [self.text_literal, *self._common("text", sc)]
        if sc.texts:
            c.append(lambda: self.pick(sc.texts))
        if sc.persons:
            c.append(lambda: f"{self.pick(sc.persons)}.{self.pick(['id', 'name'])}")
        return self.one_of(c)

    def _c(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        c = self._common(tag, sc)
        bare = self.bare(tag, sc)
        if bare_ok and bare:
            c.append(lambda: self.pick(bare))
        return self.one_of(c)

    _s = _c

    def _person(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        c: list[Callable[[], str]] = [lambda: self.pick(sc.persons)] if sc.persons else []
        return self.one_of(c + self._common("person", sc))

    def _place(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        person = self.pick(sc.persons)
        kinds = ["place", *PLACE_KINDS]
        text = f"{person}.{self.pick(kinds)}"
        if self.coin():
            text += f".{self.pick(PLACE_KINDS)}"
        return text

    def _set(self, tag: str, sc: Scope, depth: int, bare_ok: bool) -> str:
        if tag == "set:person":
            return f"{self.pick(sc.persons)}.{self.pick(ENDS)}"
        c: list[Callable[[], str]] = [
            lambda: "{" + ", ".join(self.text_literal() for _ in range(self.draw(st.integers(1, 3)))) + "}",
            *self._common(tag, sc),
        ]
        if depth > 0:
            c.append(lambda: "{" + ", ".join(self.expr("text", sc, depth - 1) for _ in range(self.draw(st.integers(1, 3)))) + "}")
        return self.one_of(c)

    # ----------------------------------------------------------------------- declarations

    def parameter(self) -> str:
        name = self.fresh("k")
        kind = self.draw(st.integers(0, 6))
        if kind == 6:  # a set of scale or choice values, or `none` (a set not known)
            with_facts = sorted(t for t in VALUES if t in FACTS)  # so that `person.X in k` can be written
            tag = "set:" + self.pick(with_facts if with_facts and self.coin() else sorted(VALUES))
            values = self.draw(st.lists(st.sampled_from(VALUES[tag[4:]]), max_size=3, unique=True))
            value = "none" if self.coin() else "{" + ", ".join(values) + "}"
            text = f"parameter {name}: set of {tag.split(':')[2]} = {value}"
        elif kind == 0:  # unknown: `none` needs a type
            tag = self.pick(["bool", "q:months", "q:hours", "q:days", "number", "date", "text", "money:USD"])
            word = {"bool": "yes_no", "number": "number", "date": "date", "text": "text", "money:USD": "USD"}.get(tag) or UNIT_TYPE[tag]
            text = f"parameter {name}: {word} = none"
        elif kind == 1:
            tag = self.pick([t for t in VALUES])
            text = f"parameter {name}: {tag.split(':')[1]} = {self.pick(VALUES[tag])}"
        elif kind == 2:
            tag = "set:text"
            text = f"parameter {name} = {self._set(tag, Scope(()), 0, False)}"
        else:
            tag = self.pick(["q:months", "q:hours", "q:days", "number", "date", "text", "bool"])
            literal = {
                "number": lambda: self.number(),
                "date": self.date_literal,
                "text": self.text_literal,
                "bool": lambda: self.pick(["true", "false"]),
            }.get(tag, lambda: f"{self.pick(['', '-'])}{self.number(0, 50)} {UNIT_TYPE[tag]}")()
            text = f"parameter {name} = {literal}"
        if tag in ORDERED:
            text += self.pick(["", "  may raise", "  may lower", "  may change"])
        else:
            text += self.pick(["", "  may change"])
        self.params.setdefault(tag, []).append(name)
        return text

    def define(self) -> str:
        arity = self.draw(st.integers(0, 2))
        name = self.fresh("d")
        if arity == 0:
            tag = self.pick(["number", "q:months", "q:hours", "date", "set:text", "bool"])
            body = self.expr(tag, Scope(()), 1)
            text = f"define {name} = {body}"
        else:
            tag = "bool"
            names = [self.fresh("p") for _ in range(arity)]
            body = self.expr("bool", Scope(tuple(names)), self.opt.max_depth - 1)
            text = f"define {name}({', '.join(names)}) = {body}"
        self.defines.setdefault(tag, []).append((name, arity))
        return text

    def condition(self, sc: Scope) -> str:
        return self.expr("bool", sc, self.draw(st.integers(0, self.opt.max_depth)))

    def citation(self) -> str:
        return f" source {self.label('cite')}" if self.coin() else ""

    def role(self, name: str) -> str:
        sc = Scope(("person",), implicit=True)
        lines = [f"role {name}"]
        for i in range(self.draw(st.integers(1, 3))):
            lines.append(f"  require {self.label(f'r{i}')}{self.citation()}:\n    {self.condition(sc)}")
        lines += self.exceptions(sc)
        return "\n".join(lines)

    def exceptions(self, sc: Scope) -> list[str]:
        n = self.draw(st.integers(0, 3))
        effects = [self.pick(["grants", "denies"]) for _ in range(n)]
        labels = [self.label(f"x{i}") for i in range(n)]
        conditions = [self.condition(sc) for _ in range(n)]
        # Grants and denies that could both apply need an order; a random priority gives one.
        rank = self.draw(st.permutations(range(n))) if n else []
        disjoint = n > 1 and self.coin()
        if disjoint:  # or make every grant and deny provably exclusive, with no order at all
            choices = [f for tag, fs in FACTS.items() if tag.startswith(("c:", "s:")) for f in fs]
            if self.coin() or not choices:  # `A` against `not A`
                atom = self.expr("bool", Scope(("person",)), 0)
                guards = (f"({atom})", f"(not ({atom}))")
            else:  # `X = v` against `X in {values but v}`
                with_sets = [f for f in choices if any(f in FACTS.get(p[4:], []) for p in self.params if p.startswith("set:"))]
                fact = self.pick(with_sets if with_sets and self.coin() else choices)
                tag = next(tag for tag, fs in FACTS.items() if fact in fs)
                v = self.pick(VALUES[tag])
                others = self.draw(st.lists(st.sampled_from([w for w in VALUES[tag] if w != v] or [v]), max_size=3, unique=True))
                others = [w for w in others if w != v]
                guards = (f"(person.{fact} = {v})", f"(person.{fact} in {{{', '.join(others)}}})")
                if f"set:{tag}" in self.params and self.coin():  # a set parameter, perhaps `none`
                    also = f" and (person.{fact} in {self.pick(self.params[f'set:{tag}'])})"
                    guards = (guards[0] + also, guards[1] + also)
            for i in range(n):
                guard = guards[0] if effects[i] == "grants" else guards[1]
                conditions[i] = f"{guard} and ({conditions[i]})"
        overriding: list[list[int]] = [[] for _ in range(n)]
        for i, j in itertools.permutations(range(n), 2):
            higher = rank[i] > rank[j]
            must = effects[i] != effects[j] and not disjoint
            if higher and (must or self.coin()):
                overriding[i].append(j)
        if self.opt.cycles:  # back edges, from lower to higher, where the higher does not override
            for i, j in itertools.permutations(range(n), 2):
                if rank[i] < rank[j] and i not in overriding[j] and self.coin():
                    overriding[i].append(j)
        lines = []
        for i in range(n):
            over = f" overriding {', '.join(labels[j] for j in overriding[i])}" if overriding[i] else ""
            lines.append(f"  except {labels[i]} {effects[i]}{over}{self.citation()}:\n    {conditions[i]}")
        return lines

    def pair(self) -> str:
        first, second = self.pick(PAIRS)
        sc = Scope((first, second))
        lines = [f"pair {first}, {second}"]
        for i in range(self.draw(st.integers(1, 3))):
            lines.append(f"  require {self.label(f'r{i}')}{self.citation()}:\n    {self.condition(sc)}")
        for i in range(self.draw(st.integers(0, 2))):
            lines.append(f"  prefer {self.label(f'w{i}')} weight {self.number(0, 9)}{self.citation()}:\n    {self.condition(sc)}")
        return "\n".join(lines)

    def policy(self) -> str:
        header = [f"policy {self.label('generated')}", f"  programme {PROGRAMME.name}"]
        if self.coin():
            header.append(f"  version {self.label('v')}")
        if self.coin():
            header.append("  effective 1990-01-01" + self.pick(["", " to 2100-12-31"]))
        if self.coin():
            header.append(f"  source {self.label('handbook')}")
        items = [self.parameter() for _ in range(self.draw(st.integers(0, 3)))]
        items += [self.define() for _ in range(self.draw(st.integers(0, 3)))]
        roles = self.draw(st.lists(st.sampled_from(ROLES), min_size=1, unique=True))
        items += [self.role(r) for r in roles]
        if self.coin():
            items.append(self.pair())
        return "\n".join(header) + "\n\n" + "\n\n".join(items) + "\n"


@st.composite
def policies(draw: Callable[[st.SearchStrategy[Any]], Any], options: Options = Options()) -> str:
    """The text of a random, well-typed policy for the demo programme."""
    return PolicyWriter(draw, options).policy()


def policies_with(**options: Any) -> st.SearchStrategy[str]:
    return policies(Options(**options))


# --------------------------------------------------------------------------- facts documents

PLACES = [
    {"id": "st", "kind": "state", "name": "State"},
    {"id": "rg", "kind": "region", "parent": "st"},
    {"id": "d1", "kind": "district", "name": "District One", "parent": "rg"},
    {"id": "d2", "kind": "district", "parent": "rg"},
    {"id": "s1", "kind": "school", "parent": "d1"},
]
ASSOCIATION = "demo_association"


def dates(lo: int = 1995, hi: int = 2035) -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(lo, 1, 1), dt.date(hi, 12, 31))


def iso_dates(lo: int = 1995, hi: int = 2035) -> st.SearchStrategy[str]:
    return dates(lo, hi).map(dt.date.isoformat)


def numbers(lo: int = 0, hi: int = 40, unit: str | None = None) -> st.SearchStrategy[Any]:
    """A number as a facts file may write it: an int, a float, a numeric string, `"3 years"`."""
    exact = st.decimals(lo, hi, places=2, allow_nan=False, allow_infinity=False)
    forms = [st.integers(lo, hi), exact.map(str), st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=32)]
    if unit:
        forms.append(exact.map(lambda d: f"{d} {unit}"))
    return st.one_of(forms)


def fact_values(t: Type) -> st.SearchStrategy[Any]:
    """A valid raw value of a fact of type `t`."""
    if t == BOOL:
        return st.booleans()
    if t == TEXT:
        return st.sampled_from(TEXTS) | st.text(max_size=8)
    if t == DATE:
        return iso_dates()
    if isinstance(t, Quantity):
        return numbers(0, 60, t.unit)
    if isinstance(t, Money):
        return numbers(0, 2000) | numbers(0, 2000).map(lambda v: f"{t.currency} {v}")
    if isinstance(t, Choice):
        return st.sampled_from(t.values)
    if isinstance(t, Scale):
        return st.sampled_from(t.levels)
    if isinstance(t, SetOf):
        return st.lists(fact_values(t.element), max_size=3)
    raise AssertionError(f"no values for {t}")


def _period(draw: Callable[[st.SearchStrategy[Any]], Any], into: dict[str, Any]) -> dict[str, Any]:
    if draw(st.booleans()):
        into["from"] = draw(iso_dates())
    if draw(st.booleans()):
        into["to"] = draw(iso_dates())
    return into


@st.composite
def facts_documents(draw: Callable[[st.SearchStrategy[Any]], Any], min_people: int = 1, max_people: int = 4) -> dict[str, Any]:
    """A valid facts document: people with random subsets of the facts, memberships, relationships
    with periods, evidence with dates, hours, ratings and the like."""
    odd_ids = st.text(string.ascii_letters + string.digits + "_-. é", min_size=1, max_size=6)
    ids = draw(st.lists(st.sampled_from(["ana", "ben", "cara", "dev", "eli"]) | odd_ids, min_size=min_people, max_size=max_people, unique=True))
    with_places = draw(st.booleans())
    place_ids = [p["id"] for p in PLACES] if with_places else []
    people = []
    for pid in ids:
        person: dict[str, Any] = {"id": pid}
        if draw(st.booleans()):
            person["name"] = draw(st.text(max_size=8))
        if place_ids and draw(st.booleans()):
            person["place"] = draw(st.sampled_from(place_ids))
        # each fact present two times in three, so that rules are often decided, not only unknown
        names = [n for n in sorted(STORED_FACTS) if draw(st.integers(0, 2))]
        person["facts"] = {n: draw(fact_values(STORED_FACTS[n])) for n in names}
        memberships = []
        for _ in range(draw(st.integers(0, 2))):
            m = {"organisation": draw(st.sampled_from([ASSOCIATION, ASSOCIATION, "other_org"]))}
            if draw(st.booleans()):
                m["category"] = draw(st.sampled_from([*VALUES["c:membership_category"], "member"]))
            memberships.append(_period(draw, m))
        if memberships or draw(st.booleans()):
            person["memberships"] = memberships
        people.append(person)
    relationships = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(sorted(SCHEMA.relationships)))
        a, b = SCHEMA.relationships[kind].ends
        rel = {"kind": kind, a: draw(st.sampled_from(ids)), b: draw(st.sampled_from(ids))}
        relationships.append(_period(draw, rel))
    evidence = []
    for i in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(sorted(SCHEMA.evidence)))
        item: dict[str, Any] = {"id": f"ev{i}", "kind": kind, "subject": draw(st.sampled_from(ids)), "date": draw(iso_dates())}
        if draw(st.booleans()):
            item["author"] = draw(st.sampled_from(ids))
        if draw(st.booleans()):
            item["hours"] = draw(numbers(0, 10))
        if draw(st.booleans()):
            item["count"] = draw(st.integers(0, 5))
        if draw(st.booleans()):
            item["standards"] = draw(st.lists(st.sampled_from(TEXTS), max_size=3))
        if draw(st.booleans()):
            item["verified_by"] = draw(st.sampled_from(ids))
        for field, t in SCHEMA.evidence[kind].fields.items():
            if draw(st.booleans()):
                item[field] = draw(fact_values(t))
        evidence.append(item)
    doc: dict[str, Any] = {"people": people}
    if with_places:
        doc["places"] = [dict(p) for p in PLACES]
    if relationships or draw(st.booleans()):
        doc["relationships"] = relationships
    if evidence or draw(st.booleans()):
        doc["evidence"] = evidence
    return doc


#: values that stress a loader: near-misses of every kind of value a facts file holds
AWKWARD = [
    "", " ", "NaN", "nan", "Infinity", "-Infinity", "1e999", "1e-999", "3 years", "3 hours", "USD 5", "three",
    "2025-02-30", "2025-13-01", "20250101", "2025-01-01T00:00", "active", "proficient", "approved", "ana", "p0",
    "mentor", "mentoring", "evaluation", "observation", "\x00", "é", "[]", "{}",
    float("nan"), float("inf"), float("-inf"), 1e300, -0.0, 10**30, -1, True, False, None, [], {}, [None], {"": None},
    dt.date(2025, 1, 1), dt.datetime(2025, 1, 1, 12, 0), dt.time(12, 0),
]

def _json_containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.text(max_size=6) | st.sampled_from(["id", "kind", "facts", "from", "to"])
    return st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3)


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6) | st.sampled_from(AWKWARD),
    _json_containers,
    max_leaves=8,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@st.composite
def mutated_documents(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """A valid facts document with one to three random changes: a value replaced (by a near-miss or
    any JSON value), a key removed, an unknown key added, a value wrapped in a list."""
    import copy

    doc: Any = copy.deepcopy(draw(facts_documents()))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        what = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap"]))
        if not path:
            if what == "replace":
                doc = draw(json_values)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        if what == "replace":
            parent[key] = draw(json_values)
        elif what == "delete":
            del parent[key]
        elif what == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=6) | st.sampled_from(sorted(STORED_FACTS)) | st.sampled_from(["hours", "from", "rating", "association_membership"]))] = draw(json_values)
        elif what == "add" and isinstance(parent, list):
            parent.insert(key, draw(json_values))
        else:
            parent[key] = [parent[key]]
    return doc


def documents_or_junk() -> st.SearchStrategy[Any]:
    """Anything a facts file could parse to: valid, damaged, or not a document at all."""
    return st.one_of(facts_documents(), mutated_documents(), json_values, st.dictionaries(st.sampled_from(["people", "places", "evidence", "relationships", "consents", "x"]), json_values))


def as_of_dates() -> st.SearchStrategy[dt.date]:
    return dates(2000, 2035)


def rosters(doc: dict[str, Any]) -> list[str]:
    """Every person of a facts document, in document order."""
    return [p["id"] for p in doc["people"]]


# --------------------------------------------------------------------------- Kleene trees
#
# A small tree language with a model: leaves whose three-valued truth the test controls, and/or/not
# and quantifiers over a non-empty constant set (which must behave like their body).

#: leaf text -> the name a decision gives it when it is missing (None: never missing)
KLEENE_LEAVES = {
    "true": None,
    "false": None,
    "person.mentor_trained": "person.mentor_trained",
    "person.new_to_role": "person.new_to_role",
    "k0": "parameter k0",  # parameter k0: yes_no = none
    "(person.years_experience >= 3 years)": "person.years_experience",
}
KLEENE_PRELUDE = "parameter k0: yes_no = none\n"

Tree = Any  # ("leaf", text) | ("not", t) | ("and"|"or", [t...]) | ("every"|"any", t)


def _kleene_nodes(inner: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        inner.map(lambda t: ("not", t)),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)),
        st.tuples(st.sampled_from(["every", "any"]), inner),
    )


def kleene_trees(max_leaves: int = 8) -> st.SearchStrategy[Tree]:
    leaf = st.sampled_from(sorted(KLEENE_LEAVES)).map(lambda t: ("leaf", t))
    return st.recursive(leaf, _kleene_nodes, max_leaves=max_leaves)


def tree_text(tree: Tree) -> str:
    op, arg = tree
    if op == "leaf":
        return str(arg)
    if op == "not":
        return f"not ({tree_text(arg)})"
    if op in ("and", "or"):
        return f" {op} ".join(f"({tree_text(t)})" for t in arg)
    return f'({op} q in {{"a", "b"}}: {tree_text(arg)})'


def tree_value(tree: Tree, leaves: dict[str, Any]) -> Any:
    """The model: True, False, or the frozenset of missing names of an unknown value."""
    op, arg = tree
    if op == "leaf":
        return leaves[arg]
    if op == "not":
        v = tree_value(arg, leaves)
        return v if isinstance(v, frozenset) else not v
    if op in ("every", "any"):
        return tree_value(arg, leaves)
    values = [tree_value(t, leaves) for t in arg]
    decisive = op == "or"
    if decisive in values:
        return decisive
    unknown = [v for v in values if isinstance(v, frozenset)]
    return frozenset().union(*unknown) if unknown else (not decisive)


def _circular(n: int, edges: set[tuple[int, int]]) -> bool:
    """Whether a directed graph on 0..n-1 has a circle (a self-loop counts)."""
    state = [0] * n  # 0 unseen, 1 on the path, 2 done

    def visit(i: int) -> bool:
        state[i] = 1
        for a, b in edges:
            if a == i and (state[b] == 1 or (state[b] == 0 and visit(b))):
                return True
        state[i] = 2
        return False

    return any(state[i] == 0 and visit(i) for i in range(n))


@st.composite
def exception_roles(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[str, bool]:
    """(policy text, whether its `overriding` graph has a circle): one role whose requirements and
    exceptions are Kleene trees, its exceptions overriding one another in a random graph. Every
    grant and deny are ordered one way, never both ways (that is P116 already); a circle of three
    or more, or an exception overriding itself, may be there."""
    n = draw(st.integers(1, 4))
    effects = [draw(st.sampled_from(["grants", "denies"])) for _ in range(n)]
    edges: set[tuple[int, int]] = set()
    for i, j in itertools.combinations(range(n), 2):
        way = draw(st.sampled_from(["ij", "ji"] if effects[i] != effects[j] else ["none", "ij", "ji"]))
        if way != "none":
            edges.add((i, j) if way == "ij" else (j, i))
    if draw(st.integers(0, 9)) == 0:
        i = draw(st.integers(0, n - 1))
        edges.add((i, i))
    lines = [f'policy "exceptions" programme {PROGRAMME.name}', KLEENE_PRELUDE.strip(), f"role {ROLES[0]}"]
    for k, tree in enumerate(draw(st.lists(kleene_trees(4), min_size=1, max_size=2))):
        lines.append(f'  require "r{k}": {tree_text(tree)}')
    for i in range(n):
        over = sorted(j for a, j in edges if a == i)
        names = f" overriding {', '.join(f'{chr(34)}x{j}{chr(34)}' for j in over)}" if over else ""
        lines.append(f'  except "x{i}" {effects[i]}{names}: {tree_text(draw(kleene_trees(4)))}')
    return "\n".join(lines) + "\n", _circular(n, edges)


def decimal_of(raw: Any, unit: str | None = None) -> Decimal | None:
    """What a number written in a facts file means, or None if it is not a finite number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        d = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = raw.strip()
        if unit and text.upper().startswith(unit.upper()) and unit.isupper():
            text = text[len(unit) :]
        elif unit and text.endswith(unit):
            text = text[: -len(unit)]
        try:
            d = Decimal(text.strip())
        except ArithmeticError:
            return None
    else:
        return None
    return d if d.is_finite() else None


# --------------------------------------------------------------------------- records, commitments, layers
#
# Strategies for `test_properties_policies.py`: record (confidentiality) policies with the facts
# they are asked about, quota commitments with evidence to add, and parent/child parameter rights.
# Dates fall in a two-year window so that periods, consents and as-of dates overlap often.

WINDOW = (2025, 2026)
#: every name a `visible to` clause may use
VIEWER_NAMES = ("subject", "author", *ENDS, *ROLES)
#: ids of the people of a generated facts document
PEOPLE = ("p0", "p1", "p2", "p3", "p4")
#: the roles a facts file may assign: a relationship end (`mentor`) is never one (the facts are refused)
ASSIGNABLE_ROLES = tuple(r for r in ROLES if r not in ENDS)
PLACE_IDS = tuple(p["id"] for p in PLACES)
RECORD_KINDS = tuple(sorted(SCHEMA.evidence))


def window_dates() -> st.SearchStrategy[dt.date]:
    return dates(*WINDOW)


def _window_period(draw: Callable[[st.SearchStrategy[Any]], Any], into: dict[str, Any]) -> dict[str, Any]:
    """A period inside the window (an open start or end half the time); `from` never after `to`."""
    a, b = sorted([draw(window_dates()), draw(window_dates())])
    if draw(st.booleans()):
        into["from"] = a.isoformat()
    if draw(st.booleans()):
        into["to"] = b.isoformat()
    return into


#: record conditions (a `when` of `visible to`, or of `except ... reveals`); any of them may be
#: unknown for an item that lacks the field
RECORD_CONDITIONS = (
    "true",
    "false",
    "record.date >= 2025-07-01",
    "record.hours >= 1 hours",
    "record.verified",
    "subject.mentor_trained",
    "count(subject.mentor) >= 1",
    "viewer.new_to_role",
)


@st.composite
def record_policies(
    draw: Callable[[st.SearchStrategy[Any]], Any],
    kinds: Sequence[str] = RECORD_KINDS,
    names: Sequence[str] = VIEWER_NAMES,
    every_kind: bool = False,
    retention: bool = False,
) -> tuple[str, dict[str, list[tuple[str, tuple[str, ...]]]]]:
    """(policy text, clauses): `record` declarations for some evidence kinds, with `visible to`
    (plain, `when ...`, `when shared by subject`), `counts visible to` and `except ... reveals`.
    `clauses` maps each declared kind to its clauses as (form, names), form being `visible`,
    `shared`, `counts` or `reveal` (whatever its condition). With `every_kind`, each of `kinds`
    is declared, with at least one clause. With `retention`, a kind may also say how long it is
    kept (`kept N months`, `kept 1 academic years`), so that some records have expired."""
    lines = ['policy "Generated records"', "  programme demo", ""]
    clauses: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    declared = list(kinds) if every_kind else draw(st.lists(st.sampled_from(list(kinds)), unique=True, max_size=len(kinds)))
    for kind in declared:
        lines.append(f"record {kind}")
        clauses[kind] = []
        for i in range(draw(st.integers(int(every_kind), 4))):
            named = tuple(draw(st.lists(st.sampled_from(list(names)), min_size=1, max_size=3, unique=True)))
            form = draw(st.sampled_from(["visible", "visible", "shared", "counts", "reveal"]))
            listed = ", ".join(named)
            if form == "visible":
                when = draw(st.none() | st.sampled_from(RECORD_CONDITIONS))
                lines.append(f"  visible to {listed}" + (f" when {when}" if when else ""))
            elif form == "shared":
                lines.append(f"  visible to {listed} when shared by subject")
            elif form == "counts":
                lines.append(f"  counts visible to {listed}")
            else:
                lines.append(f'  except "reveal {i}" reveals to {listed} when {draw(st.sampled_from(RECORD_CONDITIONS))}')
            clauses[kind].append((form, named))
        if retention:
            kept = draw(st.none() | st.sampled_from(["kept 1 academic years", "kept 2 months", "kept 6 months", "kept 12 months", "kept 30 days"]))
            if kept:
                lines.append(f"  {kept}")
        lines.append("")
    return "\n".join(lines) + "\n", clauses


#: a unique marker for the text fields of evidence item `i`; a test asserts it never reaches a
#: viewer who may not see the item
def marker(i: int) -> str:
    return f"QZX{i:02d}QZX"


@st.composite
def record_documents(
    draw: Callable[[st.SearchStrategy[Any]], Any],
    markers: bool = False,
    max_items: int = 6,
    people: Sequence[str] = PEOPLE,
    kinds: Sequence[str] = RECORD_KINDS + ("mentoring_log", "observation"),
) -> dict[str, Any]:
    """A facts document for confidentiality: people with places and role assignments (periods in
    the window), relationships of every kind between them, evidence of every kind with authors,
    and consents, some withdrawn. With `markers`, every text field of item `i` holds `marker(i)`
    and its hours are `marker_hours(i)`, and every item has an author."""
    ids, people = list(people), []
    for pid in ids:
        person: dict[str, Any] = {"id": pid, "name": pid.upper()}
        if draw(st.booleans()):
            person["place"] = draw(st.sampled_from(PLACE_IDS))
        if draw(st.booleans()):
            person["facts"] = {"mentor_trained": draw(st.booleans()), "new_to_role": draw(st.booleans())}
        roles = []
        for _ in range(draw(st.integers(0, 2))):
            role: dict[str, Any] = {"role": draw(st.sampled_from(ASSIGNABLE_ROLES))}
            if draw(st.integers(0, 3)):
                role["place"] = draw(st.sampled_from(PLACE_IDS))
            roles.append(_window_period(draw, role))
        if roles:
            person["roles"] = roles
        people.append(person)
    relationships = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(sorted(SCHEMA.relationships)))
        a, b = SCHEMA.relationships[kind].ends
        first, second = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        relationships.append(_window_period(draw, {"kind": kind, a: first, b: second}))
    evidence = []
    for i in range(draw(st.integers(1, max_items))):
        kind = draw(st.sampled_from(list(kinds)))
        item: dict[str, Any] = {"id": f"r{i}", "kind": kind, "subject": draw(st.sampled_from(ids)), "date": draw(window_dates()).isoformat()}
        if markers or draw(st.booleans()):
            item["author"] = draw(st.sampled_from(ids))
        if markers:
            item["hours"] = marker_hours(i)
        elif draw(st.booleans()):
            item["hours"] = draw(st.integers(0, 3))
        if draw(st.booleans()):
            item["verified_by"] = draw(st.sampled_from(ids))
        for field, t in SCHEMA.evidence[kind].fields.items():
            if t == TEXT and markers:
                item[field] = marker(i)
            elif draw(st.booleans()):
                item[field] = draw(fact_values(t)) if t != TEXT else draw(st.sampled_from(["standard_1", "standard_2", "x"]))
        evidence.append(item)
    consents = []
    names = sorted({e["id"] for e in evidence} | set(RECORD_KINDS) | {"standard_1", "standard_2"})
    for _ in range(draw(st.integers(0, 4))):
        start = draw(window_dates())
        consent: dict[str, Any] = {
            "subject": draw(st.sampled_from(ids)),
            "viewer": draw(st.sampled_from(ids)),
            "components": draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)),
            "from": start.isoformat(),
        }
        if draw(st.booleans()):
            consent["withdrawn"] = draw(st.dates(start + dt.timedelta(days=1), dt.date(WINDOW[1] + 1, 1, 31))).isoformat()
        consents.append(consent)
    return {"places": [dict(p) for p in PLACES], "people": people, "relationships": relationships, "evidence": evidence, "consents": consents}


def marker_hours(i: int) -> str:
    """Hours no two items share and no sum of them can equal: `1.0001`, `1.0002`, `1.0004`, ..."""
    return f"1.{2 ** i:04d}"


def _in_period(period: dict[str, Any], day: dt.date) -> bool:
    start, end = period.get("from"), period.get("to")
    return (start is None or dt.date.fromisoformat(start) <= day) and (end is None or day <= dt.date.fromisoformat(end))


def place_chain(place: str | None) -> list[str]:
    parents = {p["id"]: p.get("parent") for p in PLACES}
    chain = []
    while place is not None and place in parents and place not in chain:
        chain.append(place)
        place = parents[place]
    return chain


def stands_as(doc: dict[str, Any], viewer: str, name: str, item: dict[str, Any], day: dt.date) -> bool:
    """The model of `visible to NAME`: whether `viewer` stands as `name` to the item's subject on `day`.

    `subject` and `author` are the item's; a relationship end is the subject's partner at that end
    through a relationship valid that day (never a role assignment: none may be named like an
    end); any other name is a role the viewer holds that day at or above the subject's place, or
    everywhere."""
    subject = item["subject"]
    if name == "subject":
        return viewer == subject
    if name == "author":
        return item.get("author") == viewer
    for rel in doc.get("relationships", []):
        ends = SCHEMA.relationships[rel["kind"]].ends
        if name in ends and rel[name] == viewer != subject and subject in (rel[e] for e in ends) and _in_period(rel, day):
            return True
    if name in ENDS:
        return False
    person = next(p for p in doc["people"] if p["id"] == subject)
    chain = place_chain(person.get("place"))
    who = next(p for p in doc["people"] if p["id"] == viewer)
    return any(r["role"] == name and _in_period(r, day) and (r.get("place") is None or r["place"] in chain) for r in who.get("roles", []))


@st.composite
def consent_scenarios(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, Any]:
    """A mentee, a mentor (the mentoring relationship with a random period), evaluation components,
    and consents from the mentee to the mentor (and to others), each from a date, some withdrawn."""
    doc = {
        "people": [{"id": "s"}, {"id": "m"}, {"id": "o"}],
        "relationships": [_window_period(draw, {"kind": "mentoring", "mentor": "m", "mentee": "s"})],
        "evidence": [
            {"id": f"c{i}", "kind": "evaluation_component", "subject": "s", "date": "2025-01-01", "component": f"standard_{i}"}
            for i in range(draw(st.integers(1, 3)))
        ],
        "consents": [],
    }
    names = [e["id"] for e in doc["evidence"]] + [e["component"] for e in doc["evidence"]] + ["evaluation_component", "observation"]
    for _ in range(draw(st.integers(1, 4))):
        start = draw(window_dates())
        consent = {"subject": draw(st.sampled_from(["s", "s", "s", "o"])), "viewer": draw(st.sampled_from(["m", "m", "m", "o"])),
                   "components": draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)), "from": start.isoformat()}
        if draw(st.booleans()) or not doc["consents"]:
            consent["withdrawn"] = draw(st.dates(start + dt.timedelta(days=1), dt.date(2027, 1, 31))).isoformat()
        doc["consents"].append(consent)
    return doc


#: the viewers of the records of `content_policies`: few, so that some see a record and some do not
CONTENT_VIEWERS = ("subject", "author", "mentor", "mentee", "coordinator", "evaluator")
#: the kinds of evidence `content_policies` read
CONTENT_KINDS = ("mentoring_log", "observation", "evaluation_component", "summative_evaluation")
#: requirements that read evidence content (never a marker: the markers are in the facts only)
CONTENT_RULES = (
    'latest(evidence mentoring_log).topic = "abc"',
    'latest(evidence mentoring_log).topic != "abc"',
    "latest(evidence mentoring_log).hours >= 1 hours",
    "hours(evidence mentoring_log) >= 1 hours",
    'count(evidence mentoring_log where topic = "abc") >= 1',
    'latest(evidence evaluation_component).component in {"standard_1", "abc"}',
    'any e in evidence evaluation_component: e.component = "abc"',
    'every e in evidence observation: e.announced',
    "latest(evidence summative_evaluation).rating >= proficient",
    "latest(evidence observation).hours < 2 hours",
    'every m in person.mentor: latest(evidence mentoring_log of m).topic != "abc"',
    'any m in person.mentee: latest(evidence evaluation_component of m).component = "abc"',
    "person.mentor_trained",
)
#: requirements that read the records of someone other than the person decided on, and show them
OTHERS_RULES = (
    'latest(evidence mentoring_log of latest(evidence observation).author).topic = "abc"',
    "latest(evidence mentoring_log of latest(evidence mentoring_log).author).hours >= 1 hours",
    "latest(evidence observation of latest(evidence mentoring_log).author).hours < 2 hours",
    'latest(evidence evaluation_component of latest(evidence observation).verified_by).component != "abc"',
)


@st.composite
def content_policies(draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    """A policy whose mentor and mentee roles and pair rule read evidence content, with records."""
    text, _ = draw(record_policies(CONTENT_KINDS, CONTENT_VIEWERS, every_kind=True))
    for role in ("mentor", "mentee"):
        text += f"role {role}\n"
        rules = draw(st.lists(st.sampled_from(CONTENT_RULES), min_size=1, max_size=3))
        rules.append(draw(st.sampled_from(OTHERS_RULES)))  # the content of someone else's records
        for i, rule in enumerate(rules):
            text += f'  require "r{i}": {rule}\n'
    text += 'pair mentor, mentee\n  require "p": latest(evidence mentoring_log of mentee).topic != "abc"\n'
    text += '  prefer "q" weight 1: latest(evidence mentoring_log of mentor).hours >= 1 hours\n'
    return text


#: quota measures whose value can only grow as items are added (their filters read the item only)
QUOTA_MEASURES = (
    "hours(evidence mentoring_log)",
    "count(evidence mentoring_log)",
    "count(evidence observation where announced)",
    "count(evidence observation where not announced)",
    'count(evidence mentoring_log where topic = "a")',
    "hours(evidence mentoring_log where date >= 2025-06-01)",
    "count(evidence evaluation_component where rating >= proficient)",
    'count(evidence evaluation_component where component in {"standard_1", "standard_2"})',
    "hours(evidence observation where hours >= 1 hours)",
)


@st.composite
def quota_policies(draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    """A commitment with one to four quota parts (some with due dates) over `QUOTA_MEASURES`."""
    text = 'policy "Generated quotas"\n  programme demo\n\ncommitment "c" for mentee\n'
    for i in range(draw(st.integers(1, 4))):
        measure = draw(st.sampled_from(QUOTA_MEASURES))
        amount = draw(st.integers(0, 6))
        required = f"{amount} hours" if measure.startswith("hours") else str(amount)
        due = f" due {draw(window_dates()).isoformat()}" if draw(st.booleans()) else ""
        text += f'  "q{i}": at least {required} of {measure}{due}\n'
    return text


@st.composite
def quota_items(draw: Callable[[st.SearchStrategy[Any]], Any], subject: str = "dev", start: int = 0) -> dict[str, Any]:
    """An evidence item of `subject` with every field a quota measure reads (none unknown)."""
    kind = draw(st.sampled_from(["mentoring_log", "observation", "evaluation_component"]))
    item: dict[str, Any] = {"id": f"q{start}", "kind": kind, "subject": subject, "date": draw(window_dates()).isoformat(),
                            "hours": draw(st.sampled_from(["0", "0.5", "1", "2.25", "3"]))}
    if kind == "mentoring_log":
        item["topic"] = draw(st.sampled_from(["a", "b"]))
    elif kind == "observation":
        item["announced"] = draw(st.booleans())
    else:
        item["component"] = draw(st.sampled_from(["standard_1", "standard_2", "standard_3"]))
        item["rating"] = draw(st.sampled_from(["needs_improvement", "proficient", "exemplary"]))
    return item


#: parameter types for layering: (type word or None, value strategy as policy text, sort key)
_LAYER_TYPES: dict[str, tuple[str | None, Callable[[], st.SearchStrategy[str]]]] = {
    "years": (None, lambda: st.integers(0, 12).map(lambda n: f"{n} years") | st.decimals(0, 12, places=2).map(lambda d: f"{d} years")),
    "hours": (None, lambda: st.integers(0, 200).map(lambda n: f"{n} hours")),
    "USD": (None, lambda: st.decimals(0, 2000, places=2).map(lambda d: f"USD {d}")),
    "date": (None, lambda: window_dates().map(dt.date.isoformat)),
    "performance": ("performance", lambda: st.sampled_from(["unsatisfactory", "needs_improvement", "proficient", "exemplary"])),
}
LEVELS = ("unsatisfactory", "needs_improvement", "proficient", "exemplary")


def layer_value_key(kind: str, text: str) -> Any:
    """The order of a parameter value as written (what `may raise` / `may lower` compare)."""
    if kind == "performance":
        return LEVELS.index(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    return Decimal(text.replace("USD", "").split()[0])


@st.composite
def layer_settings(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[str, str, str | None, str, str]:
    """(type kind, parent value, right or None for fixed, child value or `none`, how the child says it)."""
    kind = draw(st.sampled_from(sorted(_LAYER_TYPES)))
    values = _LAYER_TYPES[kind][1]()
    parent = draw(values)
    right = draw(st.sampled_from([None, "raise", "lower", "change"]))
    child = "none" if draw(st.integers(0, 9)) == 0 else draw(values | st.just(parent))
    how = draw(st.sampled_from(["set", "set", "set", "parameter", "define"]))
    return kind, parent, right, child, how


def layer_parent_text(kind: str, parent: str, right: str | None) -> str:
    word = _LAYER_TYPES[kind][0]
    typed = f": {word}" if word else ""
    return f'policy "Generated parent"\n  programme demo\n\nparameter p{typed} = {parent}' + (f" may {right}" if right else "") + "\n"


# --------------------------------------------------------------------------- formatter noise

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_COMMENT_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Zs")), max_size=20)


@st.composite
def noisy_policies(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[str, list[str]]:
    """(text, its comments in order): a generated policy with its whitespace redrawn between tokens
    (spaces, tabs, line breaks, blank lines, odd indentation) and `# ...` comments put among them,
    own-line and trailing. Strings are left alone, so the policy means what it meant."""
    text = draw(policies())
    comments: list[str] = []

    def gap(needed: bool) -> str:
        kind = draw(st.integers(0, 12))
        if kind == 0:
            comments.append(("# " + draw(_COMMENT_TEXT)).rstrip())
            return draw(st.sampled_from(["", " ", "   "])) + comments[-1] + "\n" + draw(st.sampled_from(["", "  ", "\t", "      "]))
        if kind <= 3:
            return draw(st.sampled_from(["\n", "\n\n", "\n\n\n", "\n   ", "\n\t"]))
        return draw(st.sampled_from([" ", "  ", "\t"] if needed else ["", "", " ", "  "]))

    def rewrite(code: str) -> str:
        return re.sub(r"\s+|(?<=[(,{:])|(?=[)},:])", lambda m: gap(bool(m.group())), code)

    parts, last = [], 0
    for m in _STRING.finditer(text):
        parts += [rewrite(text[last : m.start()]), m.group()]
        last = m.end()
    parts.append(rewrite(text[last:]))
    return "".join(parts), comments
