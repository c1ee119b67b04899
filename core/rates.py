"""Rates and averages at run time (language section 28; typed by `core/check/rates.py`).

`average` reads a measure over a window (a context from its first day to its last, the last no
later than the as-of date) and divides it by the window's length; `accrued` is what a rate owes
from a start date to the as-of date, in whole units, for a quota kept at a pace.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .runtime import Context, RecordingContext, shift
from .values import Unknown, join_unknown

_HUNDREDTHS = Decimal("0.01")
_DAYS = {"days": 1, "weeks": 7}


def window(ctx: Context, start: dt.date, end: dt.date) -> Context:
    """A context over `start` to `end`: evidence dated in it, relationships valid on any day of it."""
    inner = type(ctx)(ctx.facts, end, start) if isinstance(ctx, RecordingContext) else Context(ctx.facts, end, start)
    if isinstance(ctx, RecordingContext) and isinstance(inner, RecordingContext):
        inner.reads = ctx.reads  # what the window reads is read by the rule: redaction sees it
    return inner


def average(ctx: Context, start: Any, end: Any, per: str, measure: Callable[[Context], Any]) -> Any:
    """`average of M per UNIT from START [to END]`: M over the window / its length, to hundredths."""
    if start.__class__ is Unknown or end.__class__ is Unknown:
        return join_unknown(start, end)
    last = ctx.as_of if end is None else min(end, ctx.as_of)
    if start > last:
        return Unknown([f"an average from {start.isoformat()}, which has not begun"])
    total = measure(window(ctx, start, last))
    if total.__class__ is Unknown:
        return total
    days = (last - start).days + 1
    return (total * _DAYS[per] / Decimal(days)).quantize(_HUNDREDTHS, rounding=decimal.ROUND_HALF_UP)


def accrued(rate: Any, start: Any, today: dt.date, per: str) -> Any:
    """What `rate` owes from `start` to `today`: the rate times the whole units of `per` elapsed."""
    if rate.__class__ is Unknown or start.__class__ is Unknown:
        return join_unknown(rate, start)
    if today < start:
        return rate * 0
    if per in ("days", "weeks"):
        units = ((today - start).days + 1) // _DAYS[per]
    elif per in ("months", "years"):
        step = 12 if per == "years" else 1
        units = 0
        while shift(start, Decimal((units + 1) * step), "months", 1) <= today + dt.timedelta(days=1):
            units += 1
    else:  # a rate per hour or per PDP owes nothing by the passing of days
        raise ValueError(f"a pace is per day, week, month or year, not per {per}")
    return rate * units
