"""Stage 2 of the checker, school calendars: school days, calendar periods and their edges.

A calendar is read for the person asked about (`person` in a role, a commitment or an
incentive): `school days between A and B`, `A + 30 school days`, `the 2nd term from A`,
`the term of A`, `the end of P` and `A in P`. The calendar itself is data (`core/calendars.py`);
here only the types are checked. Codes P260-P264.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .. import ast, ir
from ..errors import Span
from ..calendars import PERIOD_WORDS
from ..values import ANY, BOOL, DATE, PERIOD, Quantity, Type
from .expressions import Expressions

SCHOOL_DAYS = Quantity("school_days")


class Calendars(Expressions):
    """Typing of the calendar constructs; everything else is the expressions stage's."""

    def _calendar_subject(self, scope: Mapping[str, ir.Node], e: ast.Expr, what: str) -> ir.Node:
        """Whose calendar: the person asked about (`person`)."""
        person = scope.get("person")
        if person is None:
            return self.error(
                "P261", f"{what} reads the calendar of the person asked about, and there is none here", e.span,
                "use it in a role, a commitment or an incentive, where `person` is the person asked about",
            )
        return person

    def _date_operand(self, e: ast.Expr, scope: Mapping[str, ir.Node], what: str) -> ir.Node:
        node = self.expr(e, scope)
        if node.type not in (DATE, ANY):
            return self.error("P263", f"{what} needs a date, but `{node.text}` is {node.type.describe()}", e.span)
        return node

    def _kind(self, word: str, e: ast.Expr) -> str | None:
        kind = PERIOD_WORDS.get(word)
        if kind is None:
            self.error(
                "P262", f"`{word}` is not a period of a school calendar", e.span,
                self.did_you_mean(word, [*PERIOD_WORDS, "start", "end"]) or "periods: term, semester, school year",
            )
        return kind

    def _SchoolDays(self, e: ast.SchoolDays, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        person = self._calendar_subject(scope, e, "`school days between`")
        left = self._date_operand(e.left, scope, "`school days between`")
        right = self._date_operand(e.right, scope, "`school days between`")
        if ANY in (person.type, left.type, right.type):
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        return ir.SchoolDays(SCHOOL_DAYS, person, left, right, text=self.text(e.span), span=e.span)

    def _Within(self, e: ast.Within, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        return self.expr(ast.Arith("+", e.origin, e.amount, span=e.span), scope)

    def _arith(self, e: ast.Arith, left: ir.Node, right: ir.Node, scope: Mapping[str, ir.Node]) -> ir.Node:
        if e.op not in "+-" or right.type != SCHOOL_DAYS or left.type not in (DATE, ANY):
            return super()._arith(e, left, right, scope)
        person = self._calendar_subject(scope, e, "a date moved by school days")
        if ANY in (left.type, person.type):
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        if isinstance(right, ir.Lit) and isinstance(right.value, Decimal) and right.value != right.value.to_integral_value():
            return self.error("P264", f"a date moves by whole school days, not `{right.text}`", e.right.span, "write a whole number of school days")
        return ir.SchoolShift(DATE, person, left, right, 1 if e.op == "+" else -1, text=self.text(e.span), span=e.span)

    def _unify(self, left: ir.Node, right: ir.Node, op: str, span: Span | None) -> tuple[ir.Node, ir.Node]:
        units = {t.unit for t in (left.type, right.type) if isinstance(t, Quantity)}
        if "school_days" in units and len(units) == 2 and None not in units:
            other = next(u for u in units if u != "school_days")
            school, plain = (left, right) if left.type == SCHOOL_DAYS else (right, left)
            return self.error(
                "P111", f"school days and {other} do not mix: `{school.text}` is in school days, `{plain.text}` in {other}", span,
                "count both in school days (`3 school days`); `school days between A and B` takes A and B as written, so put a sum in parentheses: `(B + 3 days)`",
            ), right
        return super()._unify(left, right, op, span)

    def _NthPeriod(self, e: ast.NthPeriod, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        kind = self._kind(e.kind, e)
        person = self._calendar_subject(scope, e, f"`the ... {e.kind} from`")
        origin = self._date_operand(e.origin, scope, f"`the ... {e.kind} from`")
        if kind is None or ANY in (person.type, origin.type):
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        return ir.NthPeriod(PERIOD, person, kind, e.n, origin, text=self.text(e.span), span=e.span)

    def _TheOf(self, e: ast.TheOf, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        text = self.text(e.span)
        if e.word in ("start", "end"):
            period = self.expr(e.operand, scope)
            if period.type == ANY:
                return ir.Error(ANY, text=text, span=e.span)
            if period.type != PERIOD:
                return self.error(
                    "P263", f"`the {e.word} of` needs a calendar period, but `{period.text}` is {period.type.describe()}", e.operand.span,
                    f"write `the {e.word} of the term of DATE` or `the {e.word} of the 2nd term from DATE`",
                )
            return ir.PeriodEdge(DATE, period, e.word, text=text, span=e.span)
        kind = self._kind(e.word, e)
        person = self._calendar_subject(scope, e, f"`the {e.word} of`")
        date = self._date_operand(e.operand, scope, f"`the {e.word} of`")
        if kind is None or ANY in (person.type, date.type):
            return ir.Error(ANY, text=text, span=e.span)
        return ir.PeriodOf(PERIOD, person, kind, date, text=text, span=e.span)

    def _Member(self, e: ast.Member, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        # a period written out, or a name or definition that is one (`today in induction_second_term`)
        named = isinstance(e.collection, (ast.Name, ast.Call)) and self.expr(e.collection, scope).type == PERIOD
        if not (_period_expr(e.collection) or named):
            return super()._Member(e, scope, expect)
        period = self.expr(e.collection, scope)
        date = self._date_operand(e.element, scope, "`in` a calendar period")
        if ANY in (period.type, date.type):
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        return ir.InPeriod(BOOL, date, period, e.negated, text=self.text(e.span), span=e.span)


def _period_expr(e: ast.Expr) -> bool:
    return isinstance(e, ast.NthPeriod) or isinstance(e, ast.TheOf) and e.word not in ("start", "end")
