"""Stage 1, parse: policy text -> `ast.Policy`.

The grammar is `grammars/accord.lark`, parsed LALR(1) by `grammars/_parser.py`, the stand-alone
parser that lark generates from it (regenerate it with the command in its test,
`tests/test_parser_generated.py`). Nothing is read from a cache: the tables are Python literals
shipped with Accord. The transformer is passed to the parser's constructor, so no parse tree is
built: the parser calls `_ToAst` as it reduces. Syntax errors become a `PolicyError` with a stable
code, file:line:column, a caret snippet and a hint.
"""

from __future__ import annotations

import contextlib
import functools
import datetime as dt
import queue
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from accord.grammars import _parser as _generated
from accord.grammars._parser import Token, Transformer

from . import ast, limits
from .errors import Diagnostic, PolicyError, Span, caret_snippet

_TOKEN_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted label ("...")',
    "NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "COLON": "`:`",
    "COMMA": "`,`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "EQUAL": "`=`",
    "COMPARE": "a comparison (`>=`, `=`, ...)",
    "DOT": "`.`",
    "ADD_OP": "`+` or `-`",
    "MUL_OP": "`*` or `/`",
    "ORDINAL": "an ordinal (`1st`, `2nd`, ...)",
    "IF": "`if`",
    "LET": "`let`",
    "WHEN": "`when`",
    "OTHERWISE": "`otherwise`",
    "$END": "the end of the file",
}


def _span(file: str, meta_or_token: Any) -> Span:
    m = meta_or_token
    return Span(file, m.line, m.column, getattr(m, "end_line", m.line) or m.line, getattr(m, "end_column", m.column) or m.column)


class _Right(str):
    """The word after `may` (raise, lower, change), told apart from a `source` citation."""


class _Word:
    """A period's name as written (`term`, `school year`), with its first and last token for spans."""

    def __init__(self, word: str, span: Span) -> None:
        self.word = word
        self.span = span


class _Applies:
    """A commitment's `when` condition, told apart from its other clauses."""

    def __init__(self, condition: Any) -> None:
        self.condition = condition


class _OwedBy:
    """A commitment's `owed by KIND`, told apart from its role."""

    def __init__(self, kind: Token) -> None:
        self.kind = kind


def _text(token: Token) -> str:
    return str(token)[1:-1].replace('\\"', '"').replace("\\\\", "\\")


class _ToAst(Transformer[Token, Any]):
    """Builds AST nodes as the LALR parser reduces, for one file at a time (see `_parser_for`).

    Callbacks get their children only (Lark passes no `meta` to a constructor transformer), so
    each node's span runs from its first child's start to its last child's end.
    """

    def __init__(self) -> None:
        super().__init__()
        self.file = "<policy>"
        #: id(node) -> (node, nesting depth, terms of its sum or product), for the limits
        self.measured: dict[int, tuple[Any, int, int]] = {}

    def _s(self, *items: Any) -> Span:
        located = [i for i in items if isinstance(i, Token) or getattr(i, "span", None) is not None]
        if not located:
            return Span(self.file, 0, 0)
        first, last = located[0], located[-1]
        a = _span(self.file, first) if isinstance(first, Token) else first.span
        b = _span(self.file, last) if isinstance(last, Token) else last.span
        return Span(self.file, a.line, a.column, b.end_line, b.end_column)

    # ---- header
    def start(self, c: list[Any]) -> tuple[Any, ...]:
        return tuple(c)

    def header(self, c: list[Any]) -> ast.Header:
        fields: dict[str, Any] = {"name": _text(c[0])}
        for clause in c[1:]:
            fields.update(clause)
        return ast.Header(**fields, span=_span(self.file, c[0]))

    def programme_clause(self, c: list[Token]) -> dict[str, Any]:
        return {"programme": str(c[0]), "programme_span": _span(self.file, c[0])}

    def version_clause(self, c: list[Token]) -> dict[str, Any]:
        return {"version": _text(c[0])}

    def effective_clause(self, c: list[Any]) -> dict[str, Any]:
        return {"effective_from": self._date(c[0]), "effective_to": self._date(c[1]) if c[1] else None}

    def source_clause(self, c: list[Token]) -> dict[str, Any]:
        return {"source": _text(c[0])}

    def extends_clause(self, c: list[Token]) -> dict[str, Any]:
        name = _text(c[0])
        size = len(name.encode("utf-8", "surrogatepass"))  # text given to the API may hold a lone surrogate
        if size > limits.MAX_EXTENDS_NAME_BYTES:
            raise PolicyError([_diag(
                "P135", f"the name after `extends` is {size} bytes long; at most {limits.MAX_EXTENDS_NAME_BYTES}",
                _span(self.file, c[0]), 'name the parent policy by its file name, e.g. extends "state"',
            )])
        return {"extends": name, "extends_span": _span(self.file, c[0])}

    def place_clause(self, c: list[Token]) -> dict[str, Any]:
        return {"place_kind": str(c[0]), "place": _text(c[1])}

    # ---- declarations
    def define(self, c: list[Any]) -> ast.Define:
        params = c[1] if len(c) == 3 else ()
        return ast.Define(str(c[0]), params, c[-1], span=_span(self.file, c[0]))

    def params(self, c: list[Token]) -> tuple[str, ...]:
        return tuple(str(t) for t in c)

    def parameter(self, c: list[Any]) -> ast.Parameter:
        name = c[0]
        type_words: tuple[str, ...] = ()
        rest = list(c[1:])
        if rest and isinstance(rest[0], tuple):
            type_words = rest.pop(0)
        value = rest.pop(0)
        right = rest.pop(0) if rest else None
        return ast.Parameter(str(name), type_words, value, right, span=_span(self.file, name))

    def type_ref(self, c: list[Token]) -> tuple[str, ...]:
        return tuple(str(t) for t in c)

    def none(self, c: list[Any]) -> None:
        return None

    def dated_value(self, c: list[Any]) -> tuple[ast.Expr, dt.date, Span]:
        return c[0], self._date(c[1]), _span(self.file, c[1])

    def dated(self, c: list[Any]) -> ast.DatedValues:
        first, last = c[0][0].span, c[-1][2]
        whole = Span(self.file, first.line, first.column, last.end_line, last.end_column)
        return ast.DatedValues(tuple(v for v, _, _ in c), tuple(d for _, d, _ in c), tuple(s for _, _, s in c), span=whole)

    def override_right(self, c: list[Token]) -> str:
        return _Right(c[0])

    def role(self, c: list[Any]) -> ast.Role:
        reqs = tuple(x for x in c[1:] if isinstance(x, ast.Requirement))
        excs = tuple(x for x in c[1:] if isinstance(x, ast.Exception_))
        right = next((x for x in c[1:] if isinstance(x, _Right)), None)
        return ast.Role(str(c[0]), reqs, excs, right, span=_span(self.file, c[0]))

    def pair(self, c: list[Any]) -> ast.Pair:
        reqs = tuple(x for x in c[2:] if isinstance(x, ast.Requirement))
        prefs = tuple(x for x in c[2:] if isinstance(x, ast.Preference))
        right = next((x for x in c[2:] if isinstance(x, _Right)), None)
        return ast.Pair(str(c[0]), str(c[1]), reqs, prefs, right, span=_span(self.file, c[0]))

    # ---- incentives
    def incentive(self, c: list[Any]) -> ast.Incentive:
        label, to, *clauses = c
        fields: dict[str, Any] = {"per": None, "amount": None, "payer": None, "source": None, "right": None}
        vouchers, recognitions, reqs, amounts, repeated = [], [], [], [], []
        for clause in clauses:
            if isinstance(clause, ast.Requirement):
                reqs.append(clause)
            elif isinstance(clause, tuple):
                kind, value = clause
                if kind == "voucher":
                    vouchers.append(value)
                elif kind == "recognition":
                    recognitions.append(value)
                elif kind == "amount":
                    amounts.append(value)
                else:
                    if fields[kind] is not None:
                        repeated.append(kind)
                    fields[kind] = value
            elif isinstance(clause, _Right):
                fields["right"] = clause
            elif isinstance(clause, str):
                if fields["source"] is not None:
                    repeated.append("source")
                fields["source"] = clause
        # `to mentor`: a role or an end; `to mentee.region` (any other expression): a place receives it
        receiver = None if isinstance(to, ast.Name) else to
        return ast.Incentive(
            _text(label), to.name if isinstance(to, ast.Name) else "", fields["per"], amounts[0] if amounts else None, tuple(vouchers), tuple(recognitions),
            fields["payer"], tuple(reqs), fields["source"], fields["right"], span=_span(self.file, label),
            amounts=tuple(amounts), repeated=tuple(repeated), receiver=receiver,
        )

    def per(self, c: list[Token]) -> tuple[str, Any]:
        return ("per", str(c[0]))

    def amount(self, c: list[Any]) -> tuple[str, Any]:
        return ("amount", c[0])

    def voucher(self, c: list[Token]) -> tuple[str, Any]:
        return ("voucher", _text(c[0]))

    def recognition(self, c: list[Token]) -> tuple[str, Any]:
        return ("recognition", _text(c[0]))

    def payer(self, c: list[Any]) -> tuple[str, Any]:
        return ("payer", c[0])

    # ---- records
    def record(self, c: list[Any]) -> ast.Record:
        visible = tuple(x for x in c[1:] if isinstance(x, ast.Visible))
        reveals = tuple(x for x in c[1:] if isinstance(x, ast.Reveal))
        right = next((x for x in c[1:] if isinstance(x, _Right)), None)
        kept = [x for x in c[1:] if isinstance(x, ast.Retention)]
        if len(kept) > 1:
            raise PolicyError([_diag("P286", f"record `{c[0]}` says how long it is kept twice", kept[1].span, "keep one `kept ...` clause")])
        return ast.Record(str(c[0]), visible, reveals, right, span=_span(self.file, c[0]), retention=kept[0] if kept else None)

    def retention(self, c: list[Any]) -> ast.Retention:
        amount, academic, unit, purpose, *rest = c
        source = rest[0] if rest else None
        return ast.Retention(
            int(Decimal(str(amount))) if "." not in str(amount) else -1, str(unit), academic is not None,
            _text(purpose) if purpose is not None else None, source, span=_span(self.file, amount),
        )

    def names(self, c: list[Token]) -> tuple[str, ...]:
        return tuple(str(t) for t in c)

    def visible(self, c: list[Any]) -> ast.Visible:
        viewers, when, cond = c
        shared = cond == "shared"
        return ast.Visible(viewers, shared=shared, condition=None if shared else cond, span=_span(self.file, when) if when else None)

    def shared(self, c: list[Any]) -> str:
        return "shared"

    def counts_visible(self, c: list[Any]) -> ast.Visible:
        return ast.Visible(c[0], counts_only=True)

    def reveal(self, c: list[Any]) -> ast.Reveal:
        label, viewers, *rest = c
        source = rest[0] if len(rest) == 3 else None
        return ast.Reveal(_text(label), viewers, source, rest[-1], span=_span(self.file, label))

    # ---- commitments
    def commitment(self, c: list[Any]) -> ast.Commitment:
        label, *rest = c
        owed = rest.pop(0) if isinstance(rest[0], _OwedBy) else None
        role, *rest = rest
        parts = tuple(x for x in rest if isinstance(x, ast.Part))
        right = next((x for x in rest if isinstance(x, _Right)), None)
        source = next((x for x in rest if isinstance(x, str) and not isinstance(x, _Right)), None)
        applies = next((x.condition for x in rest if isinstance(x, _Applies)), None)
        return ast.Commitment(
            _text(label), str(role), source, parts, right, applies=applies, span=_span(self.file, label),
            owed_by=str(owed.kind) if owed else None, owed_span=_span(self.file, owed.kind) if owed else None,
        )

    def owed_by(self, c: list[Token]) -> _OwedBy:
        return _OwedBy(c[0])

    def applies(self, c: list[Any]) -> _Applies:
        return _Applies(c[1])

    def quota(self, c: list[Any]) -> ast.Part:
        label, required, measure, start, due = c
        return ast.Part(
            "quota", _text(label) if label else None, required=required, measure=measure, due=due, start=start,
            span=self._s(label, required, measure),
        )

    def due(self, c: list[Any]) -> Any:
        return c[0]

    def deadline(self, c: list[Any]) -> ast.Part:
        label, due, cond = c
        return ast.Part("deadline", _text(label) if label else None, due=due, condition=cond, span=self._s(label, due, cond))

    def within(self, c: list[Any]) -> ast.Part:
        label, word, amount, origin, cond = c
        due = ast.Within(amount, origin, span=self._s(amount, origin))
        return ast.Part("deadline", _text(label) if label else None, due=due, condition=cond, span=self._s(label, word, cond))

    def recurring(self, c: list[Any]) -> ast.Part:
        label, period, start, required, measure = c
        return ast.Part(
            "recurring", _text(label) if label else None, required=required, measure=measure, period=period.word,
            start=start, span=self._s(label, period, measure),
        )

    def period_word(self, c: list[Token]) -> _Word:
        a, b = _span(self.file, c[0]), _span(self.file, c[-1])
        return _Word(" ".join(str(t) for t in c), Span(self.file, a.line, a.column, b.end_line, b.end_column))

    # ---- layering
    def set_value(self, c: list[Any]) -> ast.SetValue:
        return ast.SetValue(str(c[0]), c[1], span=_span(self.file, c[0]))

    def override(self, c: list[Any]) -> ast.Override:
        return ast.Override(c[0], span=c[0].span)

    def extend(self, c: list[Any]) -> ast.Extend:
        reqs = tuple(x for x in c[1:] if isinstance(x, ast.Requirement))
        excs = tuple(x for x in c[1:] if isinstance(x, ast.Exception_))
        repl = tuple(x for x in c[1:] if isinstance(x, ast.Replacement))
        return ast.Extend(ast.Role(str(c[0]), reqs, excs, span=_span(self.file, c[0])), span=_span(self.file, c[0]), replacements=repl)

    def extend_pair(self, c: list[Any]) -> ast.Extend:
        reqs = tuple(x for x in c[2:] if isinstance(x, ast.Requirement))
        prefs = tuple(x for x in c[2:] if isinstance(x, ast.Preference))
        repl = tuple(x for x in c[2:] if isinstance(x, ast.Replacement))
        pair = ast.Pair(str(c[0]), str(c[1]), reqs, prefs, span=_span(self.file, c[0]))
        return ast.Extend(pair, span=_span(self.file, c[0]), replacements=repl)

    def replacement(self, c: list[Any]) -> ast.Replacement:
        source = c[1] if len(c) == 3 else None
        return ast.Replacement(_text(c[0]), source, c[-1], span=_span(self.file, c[0]))

    def requirement(self, c: list[Any]) -> ast.Requirement:
        right = next((x for x in c[1:-1] if isinstance(x, _Right)), None)
        source = next((x for x in c[1:-1] if isinstance(x, str) and not isinstance(x, _Right)), None)
        return ast.Requirement(_text(c[0]), source, c[-1], span=_span(self.file, c[0]), right=right)

    def exception(self, c: list[Any]) -> ast.Exception_:
        label, effect, *rest = c
        overriding: tuple[str, ...] = ()
        source = None
        for part in rest[:-1]:
            if isinstance(part, tuple):
                overriding = part
            else:
                source = part
        return ast.Exception_(_text(label), str(effect), overriding, source, rest[-1], span=_span(self.file, label))

    def effect(self, c: list[Token]) -> str:
        return str(c[0])

    def overriding(self, c: list[Token]) -> tuple[str, ...]:
        return tuple(_text(t) for t in c)

    def citation(self, c: list[Token]) -> str:
        return _text(c[0])

    def preference(self, c: list[Any]) -> ast.Preference:
        source = c[3] if len(c) == 5 else None
        return ast.Preference(_text(c[0]), self._decimal(c[1]), source, c[-1], first=c[2] is not None, span=_span(self.file, c[0]))

    # ---- expressions
    def quantifier(self, c: list[Any]) -> ast.Quantifier:
        return ast.Quantifier(str(c[0]), str(c[1]), c[2], c[3], span=self._s(*c))

    def quantifier_word(self, c: list[Token]) -> Token:
        return c[0]

    def if_expr(self, c: list[Any]) -> ast.Expr:
        return ast.If(c[1], c[2], c[3], span=self._s(*c))

    def let_expr(self, c: list[Any]) -> ast.Expr:
        return ast.Let(str(c[1]), c[2], c[3], span=self._s(*c), name_span=_span(self.file, c[1]))

    def cases(self, c: list[Any]) -> ast.Expr:
        rows = [r for r in c if r is not None]
        flat = [x for row in rows for x in row if x is not None]
        otherwise = rows.pop()[0] if rows and isinstance(rows[-1][1], Token) else None
        node = ast.Cases(tuple(r[0] for r in rows), tuple(r[1] for r in rows), otherwise, span=self._s(*flat))
        self._measure(node, flat)  # type: ignore[attr-defined]
        return node

    def case(self, c: list[Any]) -> tuple[Any, Any]:
        return (c[0], c[2])

    def otherwise_case(self, c: list[Any]) -> tuple[Any, Any]:
        return (c[0], c[1])

    def to_whole(self, c: list[Any]) -> ast.Expr:
        return ast.ToWhole(c[0], str(c[1]), span=self._s(*c), unit_span=_span(self.file, c[1]))

    def or_expr(self, c: list[ast.Expr]) -> ast.Expr:
        return ast.BoolOp("or", tuple(c), span=self._s(*c))

    def and_expr(self, c: list[ast.Expr]) -> ast.Expr:
        return ast.BoolOp("and", tuple(c), span=self._s(*c))

    def not_(self, c: list[Any]) -> ast.Expr:
        return ast.Not(c[1], span=self._s(*c))

    def compare(self, c: list[Any]) -> ast.Expr:
        return ast.Compare(str(c[1]), c[0], c[2], span=self._s(*c))

    def member(self, c: list[ast.Expr]) -> ast.Expr:
        return ast.Member(c[0], c[1], span=self._s(*c))

    def not_member(self, c: list[ast.Expr]) -> ast.Expr:
        return ast.Member(c[0], c[1], negated=True, span=self._s(*c))

    def same(self, c: list[ast.Expr]) -> ast.Expr:
        return ast.Same(c[0], c[1], span=self._s(*c))

    def not_same(self, c: list[ast.Expr]) -> ast.Expr:
        return ast.Same(c[0], c[1], negated=True, span=self._s(*c))

    def arith(self, c: list[Any]) -> ast.Expr:
        return ast.Arith(str(c[1]), c[0], c[2], span=self._s(*c))

    def neg(self, c: list[Any]) -> ast.Expr:
        if str(c[0]) == "+":
            return c[1]  # type: ignore[no-any-return]
        return ast.Neg(c[1], span=self._s(*c))

    def field(self, c: list[Any]) -> ast.Expr:
        return ast.Field(c[0], str(c[1]), span=self._s(*c), name_span=_span(self.file, c[1]))

    def number(self, c: list[Token]) -> ast.Expr:
        return ast.Number(self._decimal(c[0]), span=self._s(*c))

    def quantity(self, c: list[Token]) -> ast.Expr:
        return ast.QuantityLit(self._decimal(c[0]), str(c[1]), span=self._s(*c))

    def school_quantity(self, c: list[Token]) -> ast.Expr:
        return ast.QuantityLit(self._decimal(c[0]), "school_days", span=self._s(*c))

    def school_days(self, c: list[Any]) -> ast.Expr:
        return ast.SchoolDays(c[2], c[3], span=self._s(*c))

    def nth_period(self, c: list[Any]) -> ast.Expr:
        the, nth, word, origin = c
        n = 1 if nth.type == "FIRST" else int(str(nth)[:-2])
        if n < 1 or n > 1000:
            raise PolicyError([_diag("P260", f"`{nth}`: a period is counted from the 1st, up to the 1000th", _span(self.file, nth))])
        return ast.NthPeriod(word.word, n, origin, span=self._s(the, origin))

    def the_of(self, c: list[Any]) -> ast.Expr:
        return ast.TheOf(c[1].word, c[2], span=self._s(c[0], c[2]))

    def percent(self, c: list[Token]) -> ast.Expr:
        return ast.Percent(self._decimal(c[0]), span=self._s(*c))

    def percent_of(self, c: list[Any]) -> ast.Expr:
        return ast.Percent(self._decimal(c[0]), c[2], span=self._s(*c))

    def rate(self, c: list[Token]) -> ast.Expr:
        return ast.RateLit(self._decimal(c[0]), str(c[1]), str(c[2]), span=self._s(*c))

    def money_rate(self, c: list[Token]) -> ast.Expr:
        return ast.RateLit(self._decimal(c[1]), None, str(c[2]), currency=str(c[0]), span=self._s(*c))

    def average(self, c: list[Any]) -> ast.Expr:
        _, measure, per, start, end = c
        return ast.Average(measure, str(per), start, end, span=self._s(*c))

    def money(self, c: list[Token]) -> ast.Expr:
        return ast.MoneyLit(str(c[0]), self._decimal(c[1]), span=self._s(*c))

    def _decimal(self, token: Token) -> Decimal:
        value = Decimal(str(token))  # exact, whatever its length: no int() and no context
        problem = limits.number_problem(value)
        if problem:
            shown = f"{str(token)[:12]}..." if len(token) > 16 else str(token)
            raise PolicyError([_diag(
                "P134", f"the number `{shown}` {problem}", _span(self.file, token),
                "write it in a larger unit, or round it",
            )])
        return value

    def _date(self, token: Token) -> dt.date:
        try:
            day = dt.date.fromisoformat(str(token))
        except ValueError:
            raise PolicyError([_diag("P004", f"`{token}` is not a date on the calendar", _span(self.file, token))]) from None
        if not limits.date_in_range(day):
            raise PolicyError([_diag(
                "P138", f"`{token}` is past the last year Accord accepts ({limits.MAX_YEAR})", _span(self.file, token),
                "moving such a date by a period could leave the calendar; leave the end open instead",
            )])
        return day

    def date(self, c: list[Token]) -> ast.Expr:
        return ast.DateLit(self._date(c[0]), span=self._s(*c))

    def string(self, c: list[Token]) -> ast.Expr:
        return ast.StringLit(_text(c[0]), span=self._s(*c))

    def true(self, c: list[Any]) -> ast.Expr:
        return ast.BoolLit(True, span=self._s(*c))

    def false(self, c: list[Any]) -> ast.Expr:
        return ast.BoolLit(False, span=self._s(*c))

    def today(self, c: list[Any]) -> ast.Expr:
        return ast.Today(span=self._s(*c))

    def name(self, c: list[Token]) -> ast.Expr:
        return ast.Name(str(c[0]), span=self._s(*c))

    def call(self, c: list[Any]) -> ast.Expr:
        args = tuple(a for a in c[2:-1] if a is not None)
        return ast.Call(str(c[0]), args, span=self._s(*c))

    def paren(self, c: list[Any]) -> ast.Expr:
        # Widen the span to take in the parentheses, so that the text of `not (a or b)` is whole.
        import attrs

        return attrs.evolve(c[1], span=self._s(*c))

    def set_literal(self, c: list[Any]) -> ast.Expr:
        return ast.SetLit(tuple(a for a in c[1:-1] if a is not None), span=self._s(*c))

    def evidence(self, c: list[Any]) -> ast.Expr:
        return ast.EvidenceQuery(str(c[1]), c[2], c[3], span=self._s(*c))

    def holders_at(self, c: list[Any]) -> ast.Expr:
        return ast.HoldersAt(str(c[0]), c[1], span=self._s(*c), role_span=_span(self.file, c[0]))


def _group(op: str) -> str:
    return "+" if op in "+-" else "*"


def _measured(method: Any) -> Any:
    """Wrap a transformer callback that builds an expression: measure it against the limits.

    Each node's nesting depth (and, for a sum or product, its number of terms) is worked out
    from its children's as the parser reduces, so a too-deep expression is refused before any
    recursive stage (check, compile, evaluate) sees it."""

    @functools.wraps(method)
    def wrapper(self: _ToAst, c: list[Any]) -> Any:
        node = method(self, c)
        if isinstance(node, ast.Expr):
            self._measure(node, c)
        return node

    return wrapper


def _measure(self: _ToAst, node: ast.Expr, c: list[Any]) -> None:
    # keyed by id(); the node is kept in the entry, so no id is reused while the text is parsed
    seen = self.measured

    def of(child: Any) -> tuple[int, int]:
        entry = seen.get(id(child))
        return (entry[1], entry[2]) if entry is not None and entry[0] is child else (0, 0)

    terms = 0
    if isinstance(node, ast.BoolOp) and len(node.operands) > limits.MAX_OPERANDS:
        extra = node.operands[limits.MAX_OPERANDS]
        raise PolicyError([_diag(
            "P131", f"this `{node.op}` has {len(node.operands)} operands; at most {limits.MAX_OPERANDS}", extra.span,
            "split the condition into definitions (`define ... = ...`) or several requirements",
        )])
    if len(c) == 3 and isinstance(c[0], Token) and c[0].type == "LPAR" and not isinstance(node, ast.Call):
        depth, terms = of(c[1])  # parentheses add no level
    else:
        depth = 1 + max((of(child)[0] for child in c if child is not None and not isinstance(child, Token)), default=0)
    if isinstance(node, ast.Arith):
        chained = isinstance(node.left, ast.Arith) and _group(node.left.op) == _group(node.op)
        terms = of(node.left)[1] + 1 if chained else 2
        if terms > limits.MAX_TERMS:
            raise PolicyError([_diag(
                "P131", f"this {'sum' if _group(node.op) == '+' else 'product'} has more than {limits.MAX_TERMS} terms", node.right.span,
                "add some of the terms up in a definition (`define ... = ...`) and use it",
            )])
    if depth > limits.MAX_NESTING:
        raise PolicyError([_diag(
            "P130", f"this expression nests more than {limits.MAX_NESTING} deep", node.span,
            "split it into definitions (`define ... = ...`), each a part of the condition",
        )])
    seen[id(node)] = (node, depth, terms)


_ToAst._measure = _measure  # type: ignore[attr-defined]
for _name in (
    "quantifier", "or_expr", "and_expr", "not_", "compare", "member", "not_member", "same", "not_same", "arith", "neg",
    "field", "call", "paren", "set_literal", "evidence", "school_days", "nth_period", "the_of",
    "percent_of", "average", "if_expr", "let_expr", "to_whole", "holders_at",
):
    setattr(_ToAst, _name, _measured(getattr(_ToAst, _name)))



#: parsers not in use. A parser's transformer holds the file being parsed, so each parse takes a
#: parser of its own: threads never share one, and a parser is built only when none is free
#: (about 10 ms; the tables are shared literals of `grammars/_parser.py`).
_IDLE: queue.SimpleQueue[tuple[Any, _ToAst]] = queue.SimpleQueue()


@contextlib.contextmanager
def _parser_for(file: str) -> Iterator[Any]:
    try:
        parser, transformer = _IDLE.get_nowait()
    except queue.Empty:
        transformer = _ToAst()
        parser = _generated.Lark_StandAlone(transformer=transformer)
    transformer.file = file
    transformer.measured = {}
    try:
        yield parser
    finally:
        transformer.file = "<policy>"
        transformer.measured = {}  # let the nodes go
        _IDLE.put((parser, transformer))


def _diag(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, span, hint)


#: the tokens an expression can start with; listed one by one they read like a token dump
_EXPRESSION_START = {"NAME", "NUMBER", "DATE", "STRING", "LPAR", "LBRACE", "ADD_OP", "TRUE", "FALSE", "TODAY", "NOT", "ANY", "EVERY", "EVIDENCE", "SCHOOL", "THE", "AVERAGE", "IF", "LET"}


def _expected(names: set[str]) -> str:
    lead = []
    if {"NAME", "NUMBER", "LPAR"} <= names:
        lead = ["a condition" if "NOT" in names else "a value"]
        names = names - _EXPRESSION_START
    words = lead + sorted({_TOKEN_WORDS.get(n, f"`{n.lower()}`") for n in names})
    if len(words) > 6:
        words = words[:6] + ["..."]
    return ", ".join(words)


def _syntax_error(exc: _generated.UnexpectedInput, file: str, text: str = "") -> Diagnostic:
    span = Span(file, exc.line if exc.line > 0 else 1, exc.column if exc.column > 0 else 1)
    if isinstance(exc, _generated.UnexpectedCharacters):
        char = exc.char
        if char == '"':
            return _diag("P003", "this label has no closing `\"`", span, 'labels are written in double quotes on one line: "is trained"')
        hint = {"&": "write `and`", "|": "write `or`", "!": "write `not`, or `!=` for not equal", "'": 'labels use double quotes: "is trained"'}.get(char)
        return _diag("P002", f"`{char}` cannot appear here", span, hint)
    if isinstance(exc, _generated.UnexpectedEOF):
        return _diag("P001", f"the policy ends too early; expected {_expected(set(exc.expected))}", span)
    assert isinstance(exc, _generated.UnexpectedToken)
    tok = exc.token
    if tok.type == "$END":
        return _diag("P001", f"the policy ends too early; expected {_expected(set(exc.expected))}", span)
    expected = set(exc.expected)
    problem = _if_problem(tok, expected, span, text[: tok.start_pos or 0] if text else "")
    if problem is not None:
        return problem
    hint = None
    if "STRING" in expected and tok.type != "STRING" and "NAME" not in expected:  # a label, not a value
        hint = 'every rule needs a label in double quotes, e.g. require "is trained": person.trained'
    elif tok.type == "COMPARE" and str(tok) == "=" and "COMPARE" not in expected:
        hint = "a comparison needs a value on each side"
    elif "COLON" in expected and tok.type != "COLON":
        hint = "a rule's condition comes after `:`"
    elif str(tok) in {"require", "except", "prefer"} and "role" not in str(exc.state):
        hint = "`require`, `except` and `prefer` belong under a `role` or `pair`"
    return _diag("P001", f"unexpected `{tok}`; expected {_expected(expected)}", span, hint)


_IF_FORM = "write `if CONDITION then VALUE else OTHER VALUE`"


def _if_problem(tok: Token, expected: set[str], span: Span, before: str) -> Diagnostic | None:
    """A conditional written another way than `if ... then ... else ...` (P206). `before` is the
    text up to the error: the parser's expectations alone may name `then` or `else` where no `if`
    is open (LALR(1) merges states)."""
    words = re.findall(r"\b(if|then|else)\b", re.sub(r'"([^"\\\n]|\\.)*"|#[^\n]*', "", before))
    if tok.type == "IF":
        return _diag("P206", "`if` comes first: the condition, then the two values", span, _IF_FORM)
    if "ELSE" in expected and words.count("then") > words.count("else"):
        return _diag(
            "P206", f"this `if` has no `else`: found `{tok}` where `else` should be", span,
            f"{_IF_FORM}; a rule that applies only in some cases is `not (CONDITION) or RULE`",
        )
    if "THEN" in expected and words.count("if") > words.count("then"):
        return _diag("P206", f"`if CONDITION` is followed by `then`, not `{tok}`", span, _IF_FORM)
    return None


def parse(text: str, file: str = "<policy>") -> ast.Policy:
    """Parse policy text into an `ast.Policy`; raises `PolicyError` on a syntax error."""
    try:
        with _parser_for(file) as parser:
            header, *items = parser.parse(text)
    except _generated.UnexpectedInput as exc:
        d = _syntax_error(exc, file, text)
        raise PolicyError([_with_snippet(d, text)]) from None
    except _generated.VisitError as exc:  # an error raised inside the transformer
        if isinstance(exc.orig_exc, PolicyError):
            raise PolicyError([_with_snippet(d, text) for d in exc.orig_exc.diagnostics]) from None
        raise
    except PolicyError as exc:
        raise PolicyError([_with_snippet(d, text) for d in exc.diagnostics]) from None
    return ast.Policy(
        header=header,
        defines=tuple(i for i in items if isinstance(i, ast.Define)),
        parameters=tuple(i for i in items if isinstance(i, ast.Parameter)),
        roles=tuple(i for i in items if isinstance(i, ast.Role)),
        pairs=tuple(i for i in items if isinstance(i, ast.Pair)),
        incentives=tuple(i for i in items if isinstance(i, ast.Incentive)),
        records=tuple(i for i in items if isinstance(i, ast.Record)),
        commitments=tuple(i for i in items if isinstance(i, ast.Commitment)),
        sets=tuple(i for i in items if isinstance(i, ast.SetValue)),
        overrides=tuple(i for i in items if isinstance(i, ast.Override)),
        extends=tuple(i for i in items if isinstance(i, ast.Extend)),
        file=file,
        text=text,
    )


def _with_snippet(d: Diagnostic, text: str) -> Diagnostic:
    if d.span is None or d.snippet:
        return d
    import attrs

    return attrs.evolve(d, snippet=caret_snippet(text, d.span))
