"""Evaluate the time-commitments question: what is owed, what is done, and is it on time?

A commitment has parts. A quota (`at least 300 hours of hours(evidence practicum_log)`) reports
required, done, remaining, its due date and the earliest date it was met. A deadline
(`by person.first_teaching_day + 13 days: ...`) is met if its condition held on some day up to
the due date, read as of that day. A recurring expectation (`every month: at least 1 of ...`)
is checked period by period, the current period being still open. Each part is met, on track,
in progress, late, met late, or unknown (naming what is missing).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections.abc import Mapping
from typing import Any

import attrs

from . import ir
from .compile import CompiledPolicy
from .errors import Diagnostic, PolicyError, Span, caret_snippet
from .answers import RuleResult
from .evaluate import run_block
from .explain import results
from .model import Facts, Person, Place
from .outcome import Outcome
from . import calendars, runtime
from .runtime import Context, RuleFailure, shift
from .values import Unknown, show

MET, MET_LATE, ON_TRACK, IN_PROGRESS, LATE, UNKNOWN = "met", "met late", "on track", "in progress", "late", "unknown"
#: worst first: the status of a commitment is the worst of its parts
SEVERITY = _SEVERITY = [UNKNOWN, LATE, IN_PROGRESS, ON_TRACK, MET_LATE, MET]


@attrs.frozen
class PartProgress:
    """Progress on one part of a commitment."""

    label: str
    kind: str
    status: str
    required: str | None = None
    done: str | None = None
    remaining: str | None = None
    due: dt.date | None = None
    met_on: dt.date | None = None
    periods_met: int | None = None
    periods_due: int | None = None
    missed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    rule: RuleResult | None = None
    location: str | None = None
    #: a recurring part: progress in the period that is still open
    current: str | None = None
    #: False for a part met on a day that cannot be known: it reads nothing that has a date
    #: (`by 2025-09-30: person.mentor_trained`), so no record's date is borrowed for it
    met_on_known: bool = True
    #: a quota whose amount grows with `today` (an average per week) and is not reached: by how much
    behind: str | None = None
    #: why a value could not be computed (`a date moves by whole months, not 1.5 months ...`)
    errors: tuple[str, ...] = ()
    #: a recurring part over a school calendar's periods: one line per period, by its name
    periods: tuple[str, ...] = ()


@attrs.frozen
class CommitmentProgress:
    label: str
    role: str
    status: str
    parts: tuple[PartProgress, ...]
    source: str | None
    location: str | None
    layer: str | None
    #: whether its `when` condition holds for the person: True, or None when it is unknown
    applies: bool | None = True
    #: what would settle whether it applies
    missing: tuple[str, ...] = ()
    #: a duty a place owes the person (`owed by district`): the kind of place, and the place
    #: (its id and name; both None when the person's place of that kind is not in the facts)
    owed_by: str | None = None
    owed_by_place: str | None = None
    owed_by_name: str | None = None


@attrs.frozen
class CommitmentReport:
    subject: str
    subject_name: str
    policy: str
    policy_file: str
    as_of: dt.date
    commitments: tuple[CommitmentProgress, ...]

    @property
    def outcome(self) -> Outcome:
        """Undetermined if anything is unknown, else no if anything is late, else yes."""
        statuses = {c.status for c in self.commitments}
        return Outcome.UNKNOWN if UNKNOWN in statuses else Outcome.NO if LATE in statuses else Outcome.YES

    @property
    def exit_code(self) -> int:
        """3 if anything is unknown, else 1 if anything is late, else 0."""
        return self.outcome.exit_code


class _Runner:
    """Evaluates one commitment's block at any date (and period), caching by context."""

    def __init__(self, policy: CompiledPolicy, index: int, com: ir.CheckedCommitment, facts: Facts, person: Person, engine: str) -> None:
        self.policy, self.key, self.com, self.facts, self.person, self.engine = policy, f"commitment:{index}", com, facts, person, engine
        self.rule_index = {id(p): i for i, p in enumerate(x for x in com.parts if x.condition is not None)}

    def run(self, day: dt.date, since: dt.date | None = None) -> tuple[tuple[Any, ...], Mapping[str, Any], Context]:
        """The block's rules and named values (`part0.due`, ...) as of `day` (in the period from `since`)."""
        ctx = Context(self.facts, day, since)
        result = run_block(self.policy, self.key, ctx, (self.person,), self.engine)
        return result.rules, result.values, ctx

    @staticmethod
    def value(values: Mapping[str, Any], part_index: int, name: str) -> Any:
        """A part's `required`, `measure`, `due` or `start` value (None where the part has none)."""
        return values.get(f"part{part_index}.{name}")


def _known(value: Any) -> bool:
    return value is not None and value.__class__ is not Unknown and not isinstance(value, RuleFailure)


_ERROR = "error: "


def _unsettled(names: set[str]) -> dict[str, tuple[str, ...]]:
    """A part's `missing` facts and its `errors`, from what `_missing` collected."""
    return {
        "missing": tuple(sorted(n for n in names if not n.startswith(_ERROR))),
        "errors": tuple(sorted(n[len(_ERROR) :] for n in names if n.startswith(_ERROR))),
    }


def _missing(*values: Any) -> set[str]:
    out: set[str] = set()
    for v in values:
        if v.__class__ is Unknown:
            out |= v.missing
        elif isinstance(v, RuleFailure):
            out.add(_ERROR + v.message)
    return out


def _candidate_days(facts: Facts, person: Person, as_of: dt.date) -> list[dt.date]:
    """The days on which something about the person changed: evidence, relationships, consents."""
    days = {e.date for e in facts.evidence if e.subject == person.id}
    for rel in facts.relationships_of(person.id):
        if rel.period.start:
            days.add(rel.period.start)
    return sorted(d for d in days if d <= as_of)


def _known_total(r: _Runner, part: ir.CheckedPart, day: dt.date) -> Decimal | None:
    """For `hours(...)` or `sum(...)` over evidence: the total of the items whose field is known.

    Such a total only grows as items are added, so it is a lower bound of the unknown total:
    when it alone meets a quota, the quota is met whatever the missing values are. None when
    the measure is not such a total, or the items themselves are unknown (an unknown filter).
    """
    node, factor = part.measure, 1
    if isinstance(node, ir.Scaled):
        node, factor = node.operand, node.factor
    if not isinstance(node, ir.Sum):
        return None
    from .interpret import Interpreter

    items = Interpreter(Context(r.facts, day)).eval(node.operand, {"person": r.person})
    if items.__class__ is Unknown:
        return None
    values = (runtime.field(item, node.field, _NONE) for item in items)
    return sum((v for v in values if v is not _NONE), Decimal(0)) * factor


_NONE = Unknown()


def _measure(r: _Runner, i: int, part: ir.CheckedPart, values: Mapping[str, Any], day: dt.date) -> Any:
    """What is done: the measure, or when it is unknown but its known part meets the quota, that part."""
    done, required = r.value(values, i, "measure"), r.value(values, i, "required")
    if done.__class__ is Unknown and _known(required):
        lower = _known_total(r, part, day)
        if lower is not None and lower >= required:
            return lower
    return done


def _quota(r: _Runner, i: int, part: ir.CheckedPart, values: Mapping[str, Any], as_of: dt.date) -> PartProgress:
    required, due = r.value(values, i, "required"), r.value(values, i, "due")
    done = _measure(r, i, part, values, as_of)
    t = part.measure.type if part.measure is not None else None
    missing = _missing(required, done, due)
    if not (_known(required) and _known(done)):
        return PartProgress(part.label, part.kind, UNKNOWN, **_unsettled(missing), location=str(part.span) if part.span else None)
    remaining = max(Decimal(0), required - done)
    met_on = None
    undated = done >= required and not (ir.dated(part.measure) or ir.dated(part.required))  # type: ignore[arg-type]
    if undated:
        pass  # met, but on no day that can be known: the first record's date would be borrowed
    elif done >= required:
        for day in _candidate_days(r.facts, r.person, as_of):
            _, vals, _ = r.run(day)
            d, q = _measure(r, i, part, vals, day), r.value(vals, i, "required")
            if _known(d) and _known(q) and d >= q:
                met_on = day
                break
        met_on = met_on or as_of
    due_known = due if _known(due) else None
    # an amount that reads `today` (`(today - start) / 7 days * 1 hours`) is owed now: a pace, so
    # falling short of it is behind schedule today, whatever the due date; reaching it is on track
    pace = any(isinstance(n, ir.Today) for n in ir.walk(part.required))  # type: ignore[arg-type]
    behind = show(remaining, t) if pace and done < required else None
    if pace:
        status, met_on = (LATE if behind else ON_TRACK), None
    elif part.due is not None and due_known is None:
        status = UNKNOWN  # a due date that rests on a missing fact: on time or late cannot be told
    elif done >= required:
        status = MET_LATE if due_known and met_on and met_on > due_known else MET
    elif due_known is None:
        status = IN_PROGRESS
    else:
        status = LATE if as_of > due_known else ON_TRACK
    return PartProgress(
        part.label, part.kind, status, show(required, t), show(done, t), show(remaining, t), due_known, met_on,
        **_unsettled(missing), location=str(part.span) if part.span else None, met_on_known=not undated,
        behind=behind,
    )


def _deadline(r: _Runner, i: int, part: ir.CheckedPart, raws: tuple[Any, ...], values: Mapping[str, Any], ctx: Context) -> PartProgress:
    due = r.value(values, i, "due")
    rule_i = r.rule_index[id(part)]
    rule = ir.Rule(part.label, part.condition, r.com.source, part.span)  # type: ignore[arg-type]
    result = results(r.policy, (rule,), (raws[rule_i],), ctx, None)[0]
    if not _known(due):
        return PartProgress(part.label, part.kind, UNKNOWN, **_unsettled(_missing(due)), rule=result, location=str(part.span) if part.span else None)
    met_on = None
    unknown: set[str] = set()
    # a condition that reads nothing dated holds on every day or on none: read it once, today,
    # and say it is met without a date rather than take the first record's
    undated = not ir.dated(part.condition)  # type: ignore[arg-type]
    days = [ctx.as_of] if undated else [*_candidate_days(r.facts, r.person, ctx.as_of), ctx.as_of]
    for day in days:
        day_raws, _, _ = r.run(day)
        verdict = day_raws[rule_i][0]
        if verdict is True:
            met_on = day
            break
        unknown |= _missing(verdict)
    if met_on is not None and undated:
        status, met_on = MET, None
    elif met_on is not None:
        status = MET_LATE if met_on > due else MET
    elif unknown:
        status = UNKNOWN
    else:
        status = LATE if ctx.as_of > due else ON_TRACK
    return PartProgress(
        part.label, part.kind, status, due=due, met_on=met_on, **_unsettled(unknown if status == UNKNOWN else set()),
        rule=result, location=str(part.span) if part.span else None, met_on_known=not (undated and status == MET),
    )


#: the most periods a recurring part is checked over: beyond it the question is refused (P152)
#: rather than answered from some of the periods. 5000 weeks is 96 years; a period costs about
#: 12 µs compiled (23 µs interpreted), so the limit costs about 0.1 s.
MAX_PERIODS = 5000

_UNITS = {"week": "weeks", "month": "months", "year": "years"}


def _periods(start: dt.date, as_of: dt.date, period: str, span: Span | None = None, source: str = "") -> list[tuple[dt.date, dt.date]]:
    """Every calendar period from `start`, the last one containing `as_of` (at most MAX_PERIODS)."""
    out = []
    begin = start
    while begin <= as_of:
        if len(out) == MAX_PERIODS:
            raise PolicyError([Diagnostic(
                "P152",
                f"`every {period}` from {start.isoformat()} to {as_of.isoformat()} is more than {MAX_PERIODS} periods",
                span,
                "give the part a later `from` date, or ask with an earlier --as-of",
                caret_snippet(source, span) if span else None,
            )])
        # the n-th period is counted from the start, not from the previous one: month ends clamp
        # (Jan 31 -> Feb 28), and a chain of clamped dates would drift to the 28th
        try:
            end = shift(start, Decimal(len(out) + 1), _UNITS[period], 1) - dt.timedelta(days=1)
        except (ValueError, OverflowError):  # the period runs past year 9999: it ends with the calendar
            end = dt.date.max
        out.append((begin, end))
        if end == dt.date.max:
            break
        begin = end + dt.timedelta(days=1)
    return out


def _recurring(r: _Runner, i: int, part: ir.CheckedPart, values: Mapping[str, Any], policy: CompiledPolicy, as_of: dt.date) -> PartProgress:
    start = r.value(values, i, "start") if part.start is not None else policy.checked.effective_from
    if part.start is not None and not _known(start):
        return PartProgress(part.label, part.kind, UNKNOWN, **_unsettled(_missing(start)), location=str(part.span) if part.span else None)
    if start is None:
        days = _candidate_days(r.facts, r.person, as_of)
        start = days[0] if days else as_of
    assert part.period is not None
    names: list[str | None]
    if part.period in calendars.PERIOD_KINDS:  # a school calendar's terms, semesters or years
        found = calendars.periods_of(r.facts, r.person, part.period)
        if found.__class__ is Unknown:
            return PartProgress(part.label, part.kind, UNKNOWN, **_unsettled(_missing(found)), location=str(part.span) if part.span else None)
        chosen = [p for p in found if p.end >= start and p.start <= as_of]  # type: ignore[union-attr]
        periods, names = [(p.start, p.end) for p in chosen], [p.name for p in chosen]
    else:
        periods = _periods(start, as_of, part.period, part.span, policy.checked.text if part.span and part.span.file == policy.checked.file else "")
        names = [None] * len(periods)
    met = 0
    missed: list[str] = []
    unknown: set[str] = set()
    current_met = False
    current: str | None = None
    t = part.measure.type if part.measure is not None else None
    lines: list[str] = []
    for (begin, end), name in zip(periods, names):
        _, vals, _ = r.run(min(end, as_of), since=begin)
        done, required = r.value(vals, i, "measure"), r.value(vals, i, "required")
        closed = end < as_of
        if not (_known(done) and _known(required)):
            unknown |= _missing(done, required)
            if name:
                lines.append(f"{name}: unknown")
            continue
        amounts = f"{show(done, t)} of {show(required, t)}"
        if name:  # a calendar period: one line each, by its name (`term 2 of 2025-26: 8 of 12 hours`)
            state = ("met" if done >= required else "missed") if closed else ("met so far" if done >= required else "so far")
            lines.append(f"{name}: {amounts}, {state} ({begin.isoformat()} to {end.isoformat()})")
        if not closed:
            current = f"{name}: {amounts} so far" if name else f"{amounts} so far in this period ({begin.isoformat()} to {end.isoformat()})"
        if done >= required:
            met += closed
            current_met = current_met or not closed
        elif closed:
            missed.append(f"{name} ({amounts})" if name else f"{begin.isoformat()} to {end.isoformat()} ({amounts})")
    closed_count = sum(1 for _, end in periods if end < as_of)
    if unknown:
        status = UNKNOWN
    elif missed:
        status = LATE
    else:
        status = MET if current_met else ON_TRACK  # nothing missed; not yet begun is on track
    return PartProgress(
        part.label, part.kind, status, periods_met=met, periods_due=closed_count, missed=tuple(missed),
        **_unsettled(unknown), location=str(part.span) if part.span else None, current=current, periods=tuple(lines),
    )


def commitments(
    policy: CompiledPolicy,
    facts: Facts,
    person: str,
    as_of: dt.date | None = None,
    *,
    role: str | None = None,
    engine: str = "compiled",
) -> CommitmentReport:
    """Progress on each of the policy's commitments (for `role`, if given) for `person` on `as_of`.

    A commitment with a `when` condition that does not hold for the person is left out; one whose
    condition is unknown is reported with its parts, as unknown, naming what is missing.
    """
    as_of = as_of or dt.date.today()
    policy.check_in_force(as_of)
    if facts.dated:
        facts = facts.on(as_of)  # dated facts: the values in force on the as-of date, for every period counted
    subject = facts.person(person)
    out = []
    for index, com in enumerate(policy.checked.commitments):
        if role is not None and com.role != role:
            continue
        r = _Runner(policy, index, com, facts, subject, engine)
        raws, values, ctx = r.run(as_of)
        applies: bool | None = True
        unsettled: set[str] = set()
        if com.applies is not None:
            verdict = raws[len(r.rule_index)][0]
            if verdict is False:
                continue
            if verdict is not True:
                applies, unsettled = None, _missing(verdict)
        parts = []
        for i, part in enumerate(com.parts):
            if part.kind == "quota":
                parts.append(_quota(r, i, part, values, as_of))
            elif part.kind == "deadline":
                parts.append(_deadline(r, i, part, raws, values, ctx))
            else:
                parts.append(_recurring(r, i, part, values, policy, as_of))
        status = min((p.status for p in parts), key=_SEVERITY.index) if applies else UNKNOWN
        owed = values.get("owed_by") if com.owed_by is not None else None
        owed_id, owed_name = (owed.id, owed.label()) if isinstance(owed, Place) else (None, None)
        out.append(
            CommitmentProgress(
                com.label, com.role, status, tuple(parts), com.source, str(com.span) if com.span else None,
                policy.checked.layer_name(com.span.file if com.span else None), applies, tuple(sorted(unsettled)),
                com.owed_by, owed_id, owed_name,
            )
        )
    return CommitmentReport(subject.id, subject.name, policy.checked.name, policy.checked.file, as_of, tuple(out))
