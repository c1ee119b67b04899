"""Compile to SQL: a checked role's requirements -> one query over a roster database.

The checked IR (`accord.ir`) of each requirement is translated into a `sqlglot` expression, so the
same policy is rendered for SQLite, DuckDB, Postgres or Spark SQL by dialect, never by string
formatting. SQL's NULL is Accord's unknown: comparisons with NULL are NULL, and SQL's AND, OR and
NOT are Kleene's, as the compiled and interpreted engines' are.

What pushes down (the rest raises `NotPushable` and runs in Python):

- a fact of the person (`person.years_experience`), constants and parameters, `today`;
- `=`, `!=`, `<`, `<=`, `>`, `>=`, `in` / `not in` a set of constants, `and`, `or`, `not`;
- unit conversions of a quantity (weeks to days);
- `count(evidence KIND)` of the person (no `where`) and `latest(evidence KIND).rating`.

`plan_role` splits a role's requirements into those that push down and those that do not. The
query gives, for each person, the Kleene "and" of the pushed ones: where that is false the
person is not eligible, whatever the rest says; everyone else is decided by `accord.decide`
(compiled Python) over the rows the query narrowed. A role with exceptions runs whole in Python.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs
import sqlglot
from sqlglot import exp

from . import ir
from .values import BOOL, DATE, Choice, Money, Quantity, Scale, SetOf, Simple, Type, Unknown


class NotPushable(Exception):
    """A construct that has no SQL translation here; the message names it."""


def _is_num(t: Type) -> bool:
    return isinstance(t, (Quantity, Money, Scale)) or t == BOOL


def _literal(value: object, t: Type) -> exp.Expression:
    if value is None or value.__class__ is Unknown:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, enum.IntEnum):
        return exp.Literal.number(int(value))
    if isinstance(value, (Decimal, int)):
        return exp.Literal.number(str(value))
    if isinstance(value, dt.date):
        return exp.Literal.string(value.isoformat())
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise NotPushable(f"a constant of type {t.describe()}")


@attrs.define
class _Query:
    """The query being built: one LEFT JOIN per fact read, named f0, f1, ..."""

    day: str
    param: str = "person"
    joins: dict[str, tuple[str, exp.Expression]] = attrs.Factory(dict)

    def fact(self, name: str, t: Type) -> exp.Expression:
        if name not in self.joins:
            alias = f"f{len(self.joins)}"
            on = exp.and_(
                exp.column("person", alias).eq(exp.column("id", "p")),
                exp.column("name", alias).eq(exp.Literal.string(name)),
                exp.or_(exp.column("valid_from", alias).is_(exp.Null()), exp.column("valid_from", alias) <= exp.Literal.string(self.day)),
                exp.or_(exp.column("valid_to", alias).is_(exp.Null()), exp.column("valid_to", alias) >= exp.Literal.string(self.day)),
            )
            self.joins[name] = (alias, on)
        alias = self.joins[name][0]
        column = exp.column("num" if _is_num(t) else "txt", alias)
        return exp.paren(column.eq(exp.Literal.number(1))) if t == BOOL else column

    def evidence(self, node: ir.Evidence) -> exp.Select:
        if node.where is not None:
            raise NotPushable("evidence filtered by `where`")
        self.subject(node.subject)
        return (
            exp.select()
            .from_(exp.alias_(exp.table_("evidence"), "e"))
            .where(
                exp.and_(
                    exp.column("subject", "e").eq(exp.column("id", "p")),
                    exp.column("kind", "e").eq(exp.Literal.string(node.kind)),
                    exp.column("date", "e") <= exp.Literal.string(self.day),
                )
            )
        )

    def subject(self, node: ir.Node) -> None:
        if not (isinstance(node, ir.Var) and node.name == self.param):
            raise NotPushable(f"`{node.text or node}`: only the person's own facts and evidence push down")

    def expr(self, n: ir.Node) -> exp.Expression:
        method = getattr(self, f"_{type(n).__name__}", None)
        if method is None:
            raise NotPushable(f"`{n.text or type(n).__name__}` ({type(n).__name__})")
        return method(n)  # type: ignore[no-any-return]

    def _Lit(self, n: ir.Lit) -> exp.Expression:
        return _literal(n.value, n.type)

    def _DatedLit(self, n: ir.DatedLit) -> exp.Expression:
        found = n.value.at(dt.date.fromisoformat(self.day))  # type: ignore[attr-defined]
        if found is None:
            raise NotPushable(f"`{n.text}` has no value on {self.day}")
        return _literal(found[0], n.type)

    def _Today(self, n: ir.Today) -> exp.Expression:
        return exp.Literal.string(self.day)

    def _Fact(self, n: ir.Fact) -> exp.Expression:
        if n.derive is not None:
            raise NotPushable(f"`{n.text}` is computed by the programme")
        if isinstance(n.type, SetOf) or not (isinstance(n.type, (Quantity, Money, Scale, Choice)) or n.type in (BOOL, DATE) or n.type == Simple("text")):
            raise NotPushable(f"`{n.text}`: a fact of type {n.type.describe()}")
        self.subject(n.subject)
        return self.fact(n.name, n.type)

    def _Not(self, n: ir.Not) -> exp.Expression:
        return exp.not_(exp.paren(self.expr(n.operand)))

    def _And(self, n: ir.And) -> exp.Expression:
        return exp.paren(exp.and_(*(exp.paren(self.expr(o)) for o in n.operands))) if n.operands else exp.Boolean(this=True)

    def _Or(self, n: ir.Or) -> exp.Expression:
        return exp.paren(exp.or_(*(exp.paren(self.expr(o)) for o in n.operands))) if n.operands else exp.Boolean(this=False)

    def _Compare(self, n: ir.Compare) -> exp.Expression:
        if not (_is_num(n.left.type) or n.left.type in (DATE, Simple("text")) or isinstance(n.left.type, Choice)):
            raise NotPushable(f"`{n.text}`: comparing {n.left.type.describe()}")
        ops = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
        return ops[n.op](this=self.expr(n.left), expression=self.expr(n.right))

    def _Member(self, n: ir.Member) -> exp.Expression:
        if not isinstance(n.collection, ir.Lit) or not isinstance(n.collection.value, frozenset):
            raise NotPushable(f"`{n.text}`: membership of a set that is not constant")
        element = self.expr(n.element)
        items = sorted(n.collection.value, key=repr)
        if not items:  # nothing is in the empty set; an unknown element stays unknown
            test: exp.Expression = exp.Case().when(element.is_(exp.Null()), exp.Null()).else_(exp.Boolean(this=False))
            return exp.not_(exp.paren(test)) if n.negated else test
        inside = exp.In(this=element, expressions=[_literal(v, n.element.type) for v in items])
        return exp.not_(exp.paren(inside)) if n.negated else inside

    def _Scaled(self, n: ir.Scaled) -> exp.Expression:
        return exp.paren(exp.Mul(this=self.expr(n.operand), expression=exp.Literal.number(n.factor)))

    def _Count(self, n: ir.Count) -> exp.Expression:
        if not isinstance(n.operand, ir.Evidence):
            raise NotPushable(f"`{n.text}`: a count of something other than evidence")
        return exp.Subquery(this=self.evidence(n.operand).select(exp.Count(this=exp.Star())))

    def _ItemField(self, n: ir.ItemField) -> exp.Expression:
        if not (isinstance(n.item, ir.Latest) and isinstance(n.item.operand, ir.Evidence) and n.name == "rating" and isinstance(n.type, Scale)):
            raise NotPushable(f"`{n.text}`: only the rating of the latest evidence pushes down")
        q = self.evidence(n.item.operand).select(exp.column("rating_level", "e"))
        q = q.order_by(exp.Ordered(this=exp.column("date", "e"), desc=True), exp.Ordered(this=exp.column("id", "e"), desc=True)).limit(1)
        return exp.Subquery(this=q)


@attrs.frozen
class Plan:
    """How one role of one policy is decided over a roster: which rules ran in SQL, which in Python."""

    policy: str
    role: str
    places: tuple[str | None, ...]  # the people's places this policy answers for (None: no place)
    pushed: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]  # (rule label, why it stays in Python)
    query: exp.Select | None

    def sql(self, dialect: str = "sqlite") -> str:
        """The query in a SQL dialect (sqlite, duckdb, postgres, spark...)."""
        return "" if self.query is None else self.query.sql(dialect=dialect, pretty=True)

    def describe(self) -> str:
        """Which rules ran where (`accord roster check --engine sql --explain`)."""
        lines = [f"policy \"{self.policy}\", role {self.role}:"]
        lines += [f"  in SQL:    {label}" for label in self.pushed]
        lines += [f"  in Python: {label} ({why})" for label, why in self.kept]
        return "\n".join(lines)


def plan_role(compiled: Any, role: str, day: dt.date, places: Sequence[str | None] = (None,), all_places: bool = True) -> Plan:
    """The query for one role of a policy, for the people at `places` (everyone when `all_places`)."""
    from .errors import UsageError

    checked = compiled.checked.roles.get(role)
    if checked is None:
        raise UsageError(f"policy `{compiled.name}` has no role `{role}`; roles: {', '.join(compiled.checked.roles)}")
    q = _Query(day.isoformat())
    pushed: list[str] = []
    kept: list[tuple[str, str]] = []
    conditions: list[exp.Expression] = []
    if checked.exceptions:
        kept += [(r.label, "a role with exceptions runs in Python") for r in checked.requirements]
    else:
        for rule in checked.requirements:
            try:
                conditions.append(exp.paren(q.expr(rule.condition)))
                pushed.append(rule.label)
            except NotPushable as exc:
                kept.append((rule.label, str(exc)))
    if not pushed:
        return Plan(compiled.name, role, tuple(places), (), tuple(kept), None)
    cond = exp.and_(*conditions) if len(conditions) > 1 else conditions[0]
    query = exp.select(exp.column("id", "p"), exp.column("name", "p"), exp.alias_(cond, "verdict")).from_(exp.alias_(exp.table_("people"), "p"))
    for alias, on in q.joins.values():
        query = query.join(exp.alias_(exp.table_("facts"), alias), on=on, join_type="left")
    if not all_places:
        named = [p for p in places if p is not None]
        where: list[exp.Expression] = []
        if named:
            where.append(exp.column("place", "p").isin(*(exp.Literal.string(p) for p in named)))
        if None in places:
            where.append(exp.column("place", "p").is_(exp.Null()))
        query = query.where(exp.or_(*where) if where else exp.Boolean(this=False))
    query = query.order_by(exp.column("id", "p"))
    return Plan(compiled.name, role, tuple(places), tuple(pushed), tuple(kept), query)


def _verdict(value: object) -> str:
    if value is None:
        return "undetermined"
    return "eligible" if value else "not_eligible"


def run(plan: Plan, conn: Any, dialect: str = "sqlite") -> Iterator[tuple[str, str | None, object]]:
    """The query's rows: (person, name, the Kleene "and" of the pushed rules: True, False or None)."""
    cursor = conn.execute(plan.sql(dialect))
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            return
        for pid, name, verdict in rows:
            yield pid, name, None if verdict is None else bool(verdict)


def roster_eligibility(roster: Any, chooser: Any, role: str | None, day: dt.date, *, all_roles: bool = False, conn: Any = None, dialect: str = "sqlite") -> Iterator[tuple[Plan, Iterator[tuple[str, str | None, str, str]]]]:
    """Eligibility of everyone in a roster, pushed down where it can be: one (plan, rows) per policy and role.

    Rows are (person, name, question, outcome word), outcome as `accord.decide` gives it.
    """
    places = roster.places()
    by_policy: dict[int, tuple[Any, list[str | None]]] = {}
    for place in [None, *places.places]:
        from .model import Facts, Person

        compiled = chooser.for_person(Facts({"_": Person("_", place=place)}, places=places.places), "_")
        by_policy.setdefault(id(compiled), (compiled, []))[1].append(place)
    one = len(by_policy) == 1
    for compiled, at in by_policy.values():
        first, last = compiled.period
        for r in list(compiled.checked.roles) if all_roles else [role]:
            assert r is not None
            plan = plan_role(compiled, r, day, at, all_places=one)
            if not first <= day <= last and plan.query is not None:
                plan = attrs.evolve(plan, pushed=(), kept=tuple((x, "the policy is not in force that day") for x in plan.pushed), query=None)
            yield plan, _rows(roster, chooser, plan, compiled, r, day, at, one, conn, dialect)


def _rows(roster: Any, chooser: Any, plan: Plan, compiled: Any, role: str, day: dt.date, at: list[str | None], everyone: bool, conn: Any, dialect: str) -> Iterator[tuple[str, str | None, str, str]]:
    from .roster.questions import ask

    question = f"eligibility:{role}"
    if plan.query is None:
        ids = None if everyone else _people_at(roster, at)
        for a in ask(roster, chooser, "eligibility", day, roles=[role], people=ids):
            yield a.person, a.result.subject_name, question, a.result.outcome_word
        return
    rest: list[str] = []
    names: dict[str, str | None] = {}
    for pid, name, verdict in run(plan, conn or roster.conn, dialect):
        if plan.kept and verdict is not False:
            rest.append(pid)
            names[pid] = name
            continue
        yield pid, name, question, _verdict(verdict)
    if rest:
        for a in ask(roster, chooser, "eligibility", day, roles=[role], people=rest):
            yield a.person, names[a.person], question, a.result.outcome_word


def _people_at(roster: Any, places: list[str | None]) -> list[str]:
    named = [p for p in places if p is not None]
    sql = "SELECT id FROM people WHERE place IN (SELECT value FROM json_each(?))" + (" OR place IS NULL" if None in places else "") + " ORDER BY id"
    import json

    return [r[0] for r in roster.conn.execute(sql, (json.dumps(named),))]


def to_duckdb(roster: Any) -> Any:
    """A DuckDB database in memory holding the roster's tables the pushed-down queries read."""
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE people (id VARCHAR, name VARCHAR, place VARCHAR)")
    con.execute("CREATE TABLE facts (person VARCHAR, name VARCHAR, num DOUBLE, txt VARCHAR, valid_from VARCHAR, valid_to VARCHAR)")
    con.execute("CREATE TABLE evidence (id VARCHAR, kind VARCHAR, subject VARCHAR, date VARCHAR, rating_level INTEGER)")
    for table, columns in (("people", "id, name, place"), ("facts", "person, name, num, txt, valid_from, valid_to"), ("evidence", "id, kind, subject, date, rating_level")):
        rows = roster.conn.execute(f"SELECT {columns} FROM {table}").fetchall()
        if rows:
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns.split(',')))})", rows)
    return con


def dialects() -> list[str]:
    """The SQL dialects sqlglot can render a plan in."""
    return sorted(d.value for d in sqlglot.Dialects if d.value)
