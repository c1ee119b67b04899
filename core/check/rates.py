"""Stage 2 of the checker, shares, rates and averages (language section 28).

- `10 %` is a share (the number 0.1); `10 % of timetable` is a tenth of `timetable`, in its unit.
- `1 hour per week`, `USD 100 per month` are rates (`values.Rate`): an amount per unit. A rate
  times a quantity of its `per` unit (or one that converts) is an amount (`2 hours per week *
  10 weeks` is 20 hours); an amount divided by a quantity in another unit is a rate
  (`hours(...) / 10 weeks`); rates of one amount compare and add, their `per` units converted.
- `average of M per week from A [to B]` is M over the window A..B (B at most the as-of date)
  divided by the window's length: a rate, rounded to hundredths.

Codes P270-P274.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .. import ast, ir
from ..values import ANY, CURRENCIES, DATE, NUMBER, Money, Quantity, Rate, Type, canonical_unit, conversion, UNITS
from .calendars import Calendars

#: the units an average may be per: a window's length is a whole number of days
AVERAGE_UNITS = ("days", "weeks")


class Rates(Calendars):
    """Typing of shares, rates and averages; everything else is the earlier stages'."""

    def _Percent(self, e: ast.Percent, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        text = self.text(e.span)
        share = ir.Lit(NUMBER, e.value / 100, text=f"{e.value} %", span=e.span)
        if e.base is None:
            return ir.Lit(NUMBER, e.value / 100, text=text, span=e.span)
        base = self.expr(e.base, scope)
        if base.type == ANY:
            return ir.Error(ANY, text=text, span=e.span)
        if not isinstance(base.type, (Quantity, Money, Rate)):
            return self.error("P273", f"`% of` needs an amount, but `{base.text}` is {base.type.describe()}", e.base.span, "write the share of a number, a quantity, money or a rate")
        return ir.Arith(base.type, "*", base, share, text=text, span=e.span)

    def _per_unit(self, word: str, e: ast.Expr) -> str | None:
        unit = canonical_unit(word)
        if unit is None:
            self.error("P274", f"unknown unit `{word}` after `per`", e.span, self.did_you_mean(word, [*UNITS]) or f"units: {', '.join(UNITS)}")
        return unit

    def _RateLit(self, e: ast.RateLit, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        per = self._per_unit(e.per, e)
        if e.currency is not None:
            if e.currency not in CURRENCIES:
                return self.error("P107", f"unknown currency `{e.currency}`", e.span, self.did_you_mean(e.currency, CURRENCIES))
            amount: Type = Money(e.currency)
        else:
            unit = canonical_unit(e.unit or "")
            if unit is None:
                return self.error("P107", f"unknown unit `{e.unit}`", e.span, self.did_you_mean(e.unit or "", [*UNITS]) or f"units: {', '.join(UNITS)}")
            amount = Quantity(unit)
        if per is None:
            return ir.Error(ANY, text=self.text(e.span), span=e.span)
        return self._lit(e, e.value, Rate(amount, per))

    def _Average(self, e: ast.Average, scope: Mapping[str, ir.Node], expect: Type | None) -> ir.Node:
        text = self.text(e.span)
        measure = self.top(self.expr(e.measure, scope))
        per = self._per_unit(e.per, e)
        start = self._date_operand(e.start, scope, "`average ... from`")
        end = self._date_operand(e.end, scope, "`average ... to`") if e.end is not None else None
        if ANY in (measure.type, start.type) or (end is not None and end.type == ANY) or per is None:
            return ir.Error(ANY, text=text, span=e.span)
        if not isinstance(measure.type, (Quantity, Money)):
            return self.error("P271", f"an average needs an amount to add up, but `{measure.text}` is {measure.type.describe()}", e.measure.span, "use `hours(evidence KIND ...)` or `count(evidence KIND ...)`")
        if per not in AVERAGE_UNITS:
            return self.error("P271", f"an average is per day or per week, not per {e.per}", e.span, "months and years are not a whole number of days: write `per week`")
        return ir.Average(Rate(measure.type, per), measure, start, end, per, ir.Today(DATE, text="today"), text=text, span=e.span)

    def _unify(self, left: ir.Node, right: ir.Node, op: str, span: object) -> tuple[ir.Node, ir.Node]:
        lt, rt = left.type, right.type
        if not (isinstance(lt, Rate) or isinstance(rt, Rate)):
            return super()._unify(left, right, op, span)  # type: ignore[arg-type]
        if not (isinstance(lt, Rate) and isinstance(rt, Rate)):
            rate, other = (left, right) if isinstance(lt, Rate) else (right, left)
            return self.error("P111", f"`{rate.text}` is a rate ({rate.type.describe()}), but `{other.text}` is {other.type.describe()}", span, f"write a rate on both sides, such as `{other.text} per week`" if isinstance(other, ir.Lit) else "divide the amount by a length of time to get a rate"), right  # type: ignore[arg-type]
        if lt.amount != rt.amount:
            return self.error("P270", f"rates of different amounts do not mix: {lt.describe()} and {rt.describe()}", span), right  # type: ignore[arg-type]
        if lt.per == rt.per:
            return left, right
        # an amount per week is 7 times the same amount per day: scale the rate per the smaller unit
        up = conversion(lt.per, rt.per)
        if up is not None:
            return left, ir.Scaled(lt, right, up, text=right.text, span=right.span)
        down = conversion(rt.per, lt.per)
        if down is not None:
            return ir.Scaled(rt, left, down, text=left.text, span=left.span), right
        return self.error("P270", f"per {lt.per} and per {rt.per} do not mix", span), right  # type: ignore[arg-type]

    def _arith(self, e: ast.Arith, left: ir.Node, right: ir.Node, scope: Mapping[str, ir.Node]) -> ir.Node:
        lt, rt = left.type, right.type
        text = self.text(e.span)
        if ANY in (lt, rt):
            return super()._arith(e, left, right, scope)
        if isinstance(lt, Rate) or isinstance(rt, Rate):
            return self._rate_arith(e, left, right, text)
        if e.op == "/" and isinstance(lt, (Quantity, Money)) and lt != NUMBER and isinstance(rt, Quantity) and rt.unit is not None and lt != rt:
            # hours / weeks: a rate, unless the units convert (days / weeks is a plain number)
            if not (isinstance(lt, Quantity) and lt.unit is not None and UNITS[lt.unit][0] == UNITS[rt.unit][0]):
                return ir.Arith(Rate(lt, rt.unit), "/", left, right, text=text, span=e.span)
        return super()._arith(e, left, right, scope)

    def _rate_arith(self, e: ast.Arith, left: ir.Node, right: ir.Node, text: str) -> ir.Node:
        lt, rt = left.type, right.type
        if e.op in "+-":
            left, right = self._unify(left, right, e.op, e.span)
            if isinstance(left, ir.Error):
                return left
            return ir.Arith(left.type if isinstance(left.type, Rate) else right.type, e.op, left, right, text=text, span=e.span)
        if e.op == "*":
            rate, other = (left, right) if isinstance(lt, Rate) else (right, left)
            r: Rate = rate.type  # type: ignore[assignment]
            if other.type == NUMBER:
                return ir.Arith(r, "*", left, right, text=text, span=e.span)
            ot = other.type
            if isinstance(ot, Quantity) and ot.unit is not None:
                if ot.unit == r.per:
                    return ir.Arith(r.amount, "*", left, right, text=text, span=e.span)
                up = conversion(ot.unit, r.per)  # 2 weeks at a rate per day: 14 days
                if up is not None:
                    scaled = ir.Scaled(Quantity(r.per), other, up, text=other.text, span=other.span)
                    return ir.Arith(r.amount, "*", rate, scaled, text=text, span=e.span)
                down = conversion(r.per, ot.unit)  # 14 days at a rate per week: 2 weeks
                if down is not None:
                    product = ir.Arith(r.amount, "*", rate, other, text=text, span=e.span)
                    return ir.Arith(r.amount, "/", product, ir.Lit(NUMBER, Decimal(down), text=str(down)), text=text, span=e.span)
            return self.error("P270", f"a rate per {r.per} multiplies a number or a length in {r.per}, not `{other.text}` ({ot.describe()})", e.span)
        if isinstance(lt, Rate) and rt == NUMBER:
            return ir.Arith(lt, "/", left, right, text=text, span=e.span)
        if isinstance(lt, Rate) and isinstance(rt, Rate):
            left, right = self._unify(left, right, "/", e.span)
            if isinstance(left, ir.Error):
                return left
            return ir.Arith(NUMBER, "/", left, right, text=text, span=e.span)
        return self.error("P270", f"cannot divide {lt.describe()} by {rt.describe()}", e.span)

    def _pace(self, part: ast.Part, required: ir.Node, scope: Mapping[str, ir.Node]) -> ir.Node:
        """A quota whose amount is a rate (`at least 1 hour per week of ... from DATE`): what it owes today."""
        if required.type == ANY:
            return required
        rate = required.type
        if not isinstance(rate, Rate):
            return self.error("P272", f"`from` on a quota starts a pace, but `{required.text}` is {rate.describe()}, not a rate", part.span, "write the amount as a rate (`1 hour per week`), or leave `from` out")
        if rate.per not in ("days", "weeks", "months", "years"):
            return self.error("P272", f"a pace is per day, week, month or year, not per {rate.per}", part.span)
        if part.start is not None:
            start = self._date_operand(part.start, scope, "a pace's `from`")
        elif self.policy.header.effective_from is not None:
            start = ir.Lit(DATE, self.policy.header.effective_from, text=self.policy.header.effective_from.isoformat())
        else:
            return self.error("P272", f"a pace of `{required.text}` needs a start", part.span, "write `from DATE` after the measure, or give the policy an `effective` date")
        if start.type == ANY:
            return start
        return ir.Accrued(rate.amount, required, start, rate.per, ir.Today(DATE, text="today"), text=required.text, span=required.span)
