"""Massachusetts declarations shared by the two MA programmes (`ma_sp_cap` and `ma_induction`).

Not a plugin of its own: `plugins/ma_sp_cap.py` and `plugins/ma_induction.py` both return these
declarations from their hooks, so each programme works when installed alone, and the registry
merges the identical declarations into one (same type, same implementation). Every MA name that
both programmes use is declared here, once:

- the licence history: evidence items of kind `licence`, one per licence held (the evidence date
  is the first day of the licence; `end_date` its last day, absent while it is still valid);
- functions over it (`years_under_licence`, `years_under_licence_in`, `holds_licence`), the most
  recent summative rating (`most_recent_rating`), who evaluates whom (`is_evaluator_of`), who stood
  at a relationship end on a given day (`related_on`) and a day count for deadlines (`nth_day`);
- the facts both programmes use (`grade_band`), and a self-assessment evidence kind (CAP step 1,
  a new teacher's self-assessment).

The shared educator vocabulary (relationships, `summative_evaluation`, `observation`, the
`performance` scale, `years_experience`, `mentor_trained`, ...) comes from `plugins/educator.py`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from accord.plugins.educator import PERFORMANCE
from accord.schema import EvidenceKind, FactSpec, Function
from accord.values import BOOL, DATE, PERSON, TEXT, Choice, Quantity, SetOf, unknown

#: the kinds of Massachusetts educator licence (603 CMR 7.02, 7.04); Emergency licences were issued 2020-2023
MA_LICENCE = Choice("ma_licence_type", ("provisional", "preliminary", "temporary", "emergency", "initial", "professional"))
#: how a deadline counts its days: every calendar day, or school days (counted as Monday to Friday)
DAY_UNIT = Choice("ma_day_unit", ("calendar_days", "school_days"))

LICENCE_KIND = "licence"
_YEARS = Quantity("years")


# --------------------------------------------------------------------------- declarations


def facts() -> list[FactSpec]:
    return [
        FactSpec("grade_band", TEXT, "the grade levels the person teaches or seeks to teach, e.g. \"1-6\", \"5-12\" (MA licence levels)"),
    ]


def evidence_kinds() -> list[EvidenceKind]:
    return [
        EvidenceKind(
            LICENCE_KIND,
            {"licence_type": MA_LICENCE, "licence_field": TEXT, "end_date": DATE},
            "a Massachusetts licence the subject holds or held: its date is its first day, `end_date` its last "
            "(absent while valid), `licence_field` its field and level (e.g. \"elementary 1-6\")",
        ),
        EvidenceKind(
            "self_assessment",
            {"purpose": TEXT},
            "a self-assessment by its subject (CAP step 1; a new teacher's self-assessment); not an evaluation",
        ),
    ]


def functions() -> list[Function]:
    return [
        Function(
            "years_under_licence", (PERSON, SetOf(MA_LICENCE)), _YEARS, years_under_licence,
            "full years the person has held a licence of one of these types, in any field, up to the as-of date (from the licence history)",
        ),
        Function(
            "years_under_licence_in", (PERSON, SetOf(MA_LICENCE), TEXT), _YEARS, years_under_licence_in,
            "full years the person has held a licence of one of these types in this field, up to the as-of date",
        ),
        Function(
            "holds_licence", (PERSON, SetOf(MA_LICENCE)), BOOL, holds_licence,
            "whether the person holds a licence of one of these types on the as-of date",
        ),
        Function(
            "holds_licence_in", (PERSON, SetOf(MA_LICENCE), TEXT), BOOL, holds_licence_in,
            "whether the person holds a licence of one of these types in this field (or role) on the as-of date",
        ),
        Function(
            "most_recent_rating", (PERSON,), PERFORMANCE, most_recent_rating,
            "the overall rating of the person's most recent summative evaluation on or before the as-of date",
        ),
        Function(
            "is_evaluator_of", (PERSON, PERSON), BOOL, is_evaluator_of,
            "whether the first person evaluates the second on the as-of date, or wrote the second's most recent summative evaluation",
        ),
        Function(
            "related_on", (PERSON, TEXT, PERSON, DATE), BOOL, related_on,
            "whether the first person stood at this relationship end (e.g. \"supervising_practitioner\") to the second on the date",
        ),
        Function(
            "nth_day", (DATE, Quantity("days"), DAY_UNIT), DATE, nth_day,
            "the n-th day counting the date as day 1, in calendar days or school days (Monday to Friday; holidays are not known)",
        ),
    ]


# --------------------------------------------------------------------------- the licence history


def _licences(ctx: Any, person: Any) -> Any:
    """The person's licence items dated on or before the as-of date, or unknown if there are none at all."""
    items = ctx.evidence(person, LICENCE_KIND)
    if not ctx.evidence(person, LICENCE_KIND, ever=True):
        return unknown(f"evidence {LICENCE_KIND}")
    return items


def _field_key(text: str) -> str:
    return " ".join(text.lower().split())


def _held_periods(ctx: Any, person: Any, types: frozenset[str], field: str | None) -> Any:
    """The merged periods (first day, last day) in which the person held a licence of `types` (in `field`)."""
    items = _licences(ctx, person)
    if items.__class__ is not tuple:
        return items
    periods = []
    for item in items:
        kind = item.fields.get("licence_type")
        if kind is None:
            return unknown(f"licence_type of {LICENCE_KIND} evidence")
        if kind not in types:
            continue
        if field is not None:
            held_field = item.fields.get("licence_field")
            if held_field is None:
                return unknown(f"licence_field of {LICENCE_KIND} evidence")
            if _field_key(held_field) != _field_key(field):
                continue
        end = item.fields.get("end_date")
        last = ctx.as_of if end is None else min(end, ctx.as_of)
        if last >= item.date:
            periods.append((item.date, last))
    periods.sort()
    merged: list[tuple[dt.date, dt.date]] = []
    for start, last in periods:
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((start, last))
    return merged


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def full_months(start: dt.date, last: dt.date) -> int:
    """Whole months from `start` to `last`, both inclusive: 2023-01-15 to 2026-01-14 is 36."""
    months = (last.year - start.year) * 12 + (last.month - start.month) + 1
    while months > 0 and _add_months(start, months) > last + dt.timedelta(days=1):
        months -= 1
    return max(months, 0)


def _years(periods: Any) -> Any:
    if periods.__class__ is not list:
        return periods
    months = sum(full_months(start, last) for start, last in periods)
    return Decimal(months // 12)


def years_under_licence(ctx: Any, person: Any, types: frozenset[str]) -> Any:
    """Full years under a licence of `types`: the whole months of every period held, added up, over 12.

    The periods of licences that overlap or follow each other are merged first, so a year held
    under two licences at once counts once. The as-of day counts as held.
    """
    return _years(_held_periods(ctx, person, types, None))


def years_under_licence_in(ctx: Any, person: Any, types: frozenset[str], field: str) -> Any:
    """Like `years_under_licence`, counting only licences in `field` (compared without case or extra spaces)."""
    return _years(_held_periods(ctx, person, types, field))


def holds_licence(ctx: Any, person: Any, types: frozenset[str]) -> Any:
    periods = _held_periods(ctx, person, types, None)
    if periods.__class__ is not list:
        return periods
    return any(start <= ctx.as_of <= last for start, last in periods)


def holds_licence_in(ctx: Any, person: Any, types: frozenset[str], field: str) -> Any:
    """Like `holds_licence`, counting only licences in `field` (R-SP-6: "in the same role")."""
    periods = _held_periods(ctx, person, types, field)
    if periods.__class__ is not list:
        return periods
    return any(start <= ctx.as_of <= last for start, last in periods)


# --------------------------------------------------------------------------- evaluations and relationships


def most_recent_rating(ctx: Any, person: Any) -> Any:
    items = ctx.evidence(person, "summative_evaluation")
    if not items:
        return unknown("evidence summative_evaluation")
    rating = items[-1].fields.get("rating")
    return unknown("rating of summative_evaluation evidence") if rating is None else rating


def is_evaluator_of(ctx: Any, a: Any, b: Any) -> bool:
    if a in ctx.related(b, "evaluator", ("evaluation",)):
        return True
    items = ctx.evidence(b, "summative_evaluation")
    return bool(items) and items[-1].author == a.id


def related_on(ctx: Any, a: Any, end: str, b: Any, day: dt.date) -> bool:
    return any(
        rel.ends.get(end) == a.id and a.id != b.id and b.id in rel.ends.values() and rel.period.contains(day)
        for rel in ctx.relationships_of(b)
    )


def nth_day(ctx: Any, start: dt.date, n: Decimal, unit: str) -> dt.date:
    """Day `n` counting `start` as day 1. School days are Monday to Friday (a weekend start counts from Monday)."""
    count = int(n)
    if unit == "calendar_days":
        return start + dt.timedelta(days=max(count, 1) - 1)
    day = start
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    seen = 1
    while seen < count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            seen += 1
    return day
