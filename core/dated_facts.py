"""Dated facts: a fact's value over periods, read from a facts file (docs/cli.md, "Dated facts").

A fact in a facts file is a plain value (`"licence": "initial"`), as it always was, or:

- **periods**, a list of objects, each a value and the period it holds for (both ends inclusive,
  either open): `"licence": [{"value": "initial", "from": "2020-09-01", "to": "2023-08-31"},
  {"value": "professional", "from": "2023-09-01"}]`; one object alone is one period;
- **an accruing count**, for a fact counted in years or months (years of experience):
  `"years_experience": {"value": 6, "on": "2025-09-01", "accrues": true}` is 6 years on
  2025-09-01, 7 from 2026-09-01, and so on; unknown before `on`. It is kept as yearly (monthly)
  periods for `ACCRUAL_HORIZON_YEARS` years, the last one open, so that it is stored and asked
  about like any other dated fact (a roster keeps each period as a row, valid from/to).

Outside every period the fact is unknown, never false. Problems are F030 (a period's shape),
F031 (a period that ends before it starts), F032 (periods that overlap) and F033 (`accrues` on a
fact that is not counted in years or months).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .model import Period
from .schema import ValueProblem, read_value
from .values import Quantity, Type, iso_date

#: how far an accruing count is kept ahead of its date, in years
ACCRUAL_HORIZON_YEARS = 60

_PERIOD_KEYS = {"value", "from", "to"}
_ACCRUAL_KEYS = {"value", "on", "accrues"}

Bad = Callable[[str, str, str], None]


def is_dated(raw: object) -> bool:
    """Whether a fact's raw value is in a dated form (a list of objects, or an object)."""
    if isinstance(raw, dict):
        return True
    return isinstance(raw, list) and bool(raw) and all(isinstance(x, dict) for x in raw)


def read_dated(raw: object, t: Type, path: str, bad: Bad) -> tuple[tuple[Period, Any], ...] | None:
    """The (period, value) pairs of a dated fact, earliest first; None after reporting problems."""
    if isinstance(raw, dict) and "accrues" in raw:
        return _accrual(raw, t, path, bad)
    items = [raw] if isinstance(raw, dict) else list(raw)  # type: ignore[call-overload]
    out: list[tuple[Period, Any]] = []
    ok = True
    for i, item in enumerate(items):
        where = path if isinstance(raw, dict) else f"{path}[{i}]"
        extra = sorted(set(item) - _PERIOD_KEYS)
        if extra or "value" not in item:
            what = f"unknown key `{extra[0]}`" if extra else "no `value`"
            bad(where, f"{what}: a dated fact's period is {{\"value\": ..., \"from\": DATE, \"to\": DATE}} (from and to may be left out)", "F030")
            ok = False
            continue
        start, end = _day(item.get("from"), f"{where}.from", bad), _day(item.get("to"), f"{where}.to", bad)
        if start is False or end is False:
            ok = False
            continue
        if start is not None and end is not None and end < start:
            bad(where, f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})", "F031")
            ok = False
            continue
        if item["value"] is None:
            continue  # a period recorded as unknown: the same as no period
        try:
            value = read_value(item["value"], t)
        except ValueProblem as exc:
            bad(f"{where}.value", str(exc), exc.code)
            ok = False
            continue
        out.append((Period(start, end), value))
    if not ok:
        return None
    out.sort(key=lambda pv: pv[0].start or dt.date.min)
    for (a, _), (b, _) in zip(out, out[1:]):
        if a.end is None or b.start is None or b.start <= a.end:
            bad(path, f"two periods overlap: {_show(a)} and {_show(b)}; give each day one value", "F032")
            return None
    return tuple(out)


def _accrual(raw: dict[str, Any], t: Type, path: str, bad: Bad) -> tuple[tuple[Period, Any], ...] | None:
    extra = sorted(set(raw) - _ACCRUAL_KEYS)
    if extra or "value" not in raw or "on" not in raw or raw.get("accrues") is not True:
        what = f"unknown key `{extra[0]}`" if extra else "`value`, `on` and `\"accrues\": true` are all needed"
        bad(path, f"{what}: an accruing count is {{\"value\": 6, \"on\": DATE, \"accrues\": true}}", "F030")
        return None
    if not isinstance(t, Quantity) or t.unit not in ("years", "months"):
        bad(path, f"only a fact counted in years or months accrues; this one is {t.describe()}", "F033")
        return None
    on = _day(raw["on"], f"{path}.on", bad)
    if not isinstance(on, dt.date):
        if on is None:
            bad(f"{path}.on", "an accruing count needs the date its value was counted on", "F030")
        return None
    try:
        base = read_value(raw["value"], t)
    except ValueProblem as exc:
        bad(f"{path}.value", str(exc), exc.code)
        return None
    step = 12 if t.unit == "months" else 1
    periods = []
    steps = ACCRUAL_HORIZON_YEARS * step
    for k in range(steps):
        start = _add_months(on, k * (12 // step))
        end = None if k == steps - 1 else _add_months(on, (k + 1) * (12 // step)) - dt.timedelta(days=1)
        periods.append((Period(start, end), base + Decimal(k)))  # type: ignore[operator]
    return tuple(periods)


def _add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _day(raw: object, path: str, bad: Bad) -> dt.date | None | bool:
    """A period's end as a date, None when left out, False after reporting a bad one."""
    if raw is None:
        return None
    day = iso_date(raw)
    if day is not None:
        return day
    bad(path, f"expected a date (YYYY-MM-DD), got {raw!r}", "F030")
    return False


def _show(p: Period) -> str:
    return f"{p.start.isoformat() if p.start else 'the start'} to {p.end.isoformat() if p.end else 'no end'}"
