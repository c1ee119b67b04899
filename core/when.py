"""When, and what if: `accord check --when` and `--assume FACT=VALUE` (docs/cli.md).

**When.** The first date, from the as-of date up to a horizon (`HORIZON_YEARS`), on which a
person is eligible for a role if nothing else changes. Nothing is simulated: the facts, the
policy and the calendar are read as they are recorded, and only the date moves. The answer can
change only on a date where something changes, so those dates are asked, in order:

- the days something recorded about the person begins or ends: a dated fact's period, an
  accruing count's next step, a membership, a role, a relationship (and the partner's own),
  an evidence item about them (recorded ahead, it counts from its date);
- the dates of the policy's dated parameters, and the day after the policy (version) ends;
- the dates where a comparison with `today` flips: each comparison whose sides move with the
  date (`person.role_start > today - 12 months`, `today - x >= 700 days`) is evaluated on the
  as-of date and a year later, and the day where the difference of its sides crosses zero,
  taken as linear in the date, is asked, with the days either side;
- as a net for anything else that moves with time, the first day of every month.

The first date asked that is eligible is then narrowed down by bisection against the last date
asked before it that was not, so the date given is eligible and the day before it is not.

**What if.** `assume` answers with facts replaced (`{"licence": "professional"}`), as if they
were recorded so, on every date asked; `compare` says which rules and which outcome that changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from . import ir
from .errors import AccordError, UsageError, suggest
from .evaluate import Decision, decide
from .model import Facts
from .outcome import Outcome
from .values import Dated, Unknown, show

#: how far ahead `--when` looks, in years from the as-of date
HORIZON_YEARS = 10

PolicyOn = Callable[[dt.date], Any]
FactsOn = Callable[[dt.date], Facts]


@attrs.frozen
class When:
    """The first date on which a person is eligible for a role, or why no date up to the horizon is."""

    subject: str
    subject_name: str
    role: str
    as_of: dt.date
    horizon: dt.date
    #: the first eligible date (the as-of date itself when eligible already), or None
    date: dt.date | None
    #: the decision on `date`, or, when there is none, on the last day that could be asked
    decision: Decision
    #: why no date will do (empty when there is one)
    reason: str
    #: how many dates were asked
    asked: int
    assumed: tuple[tuple[str, str], ...] = ()

    @property
    def outcome(self) -> Outcome:
        if self.date is not None:
            return Outcome.YES
        return Outcome.UNKNOWN if self.decision.outcome is Outcome.UNKNOWN else Outcome.NO


@attrs.frozen
class Assumed:
    """A decision under assumed facts, and what they changed compared with the facts as recorded."""

    decision: Decision
    before: Decision
    assumed: tuple[tuple[str, str], ...]
    #: (what, before, after): `outcome`, or a rule's label, with its status before and after
    changed: tuple[tuple[str, str, str], ...]

    @property
    def outcome(self) -> Outcome:
        return self.decision.outcome


# --------------------------------------------------------------------------- assumptions


def parse_assumptions(items: Iterable[str], registry: Any = None) -> dict[str, Any]:
    """`FACT=VALUE` strings -> {fact: raw value}; VALUE is read as JSON when it is JSON (`true`,
    `6`, `"x"`), else as text (`professional`, `2026-09-01`). Checked against the fact's type by `assume`."""
    from .registry import default_registry

    schema = (registry or default_registry()).schema
    out: dict[str, Any] = {}
    for item in items:
        name, eq, text = item.partition("=")
        name = name.strip().removeprefix("person.")
        if not eq or not name:
            raise UsageError(f"--assume `{item}`: write FACT=VALUE, e.g. --assume mentor_trained=true")
        spec = schema.facts.get(name)
        if spec is None:
            hint = suggest(name, schema.facts)
            raise UsageError(f"--assume `{item}`: no installed programme declares the fact `{name}`" + (f"; did you mean `{hint}`?" if hint else ""))
        if spec.derive is not None:
            raise UsageError(f"--assume `{item}`: `{name}` is computed from other facts; assume those instead")
        text = text.strip()
        try:
            raw: Any = json.loads(text)
        except ValueError:
            raw = text
        from .schema import ValueProblem, read_value

        try:
            out[name] = read_value(raw, spec.type)
        except ValueProblem as exc:
            raise UsageError(f"--assume `{item}`: {exc}") from None
    return out


def assume(facts: Facts, person: str, values: Mapping[str, Any]) -> Facts:
    """The facts with `person`'s facts replaced by `values` (also over any dated value of those facts)."""
    if not values:
        return facts
    subject = facts.person(person)
    changed = attrs.evolve(
        subject,
        facts={**subject.facts, **values},
        dated={k: v for k, v in subject.dated.items() if k not in values},
    )
    people = {**facts.people, person: changed}
    return Facts(people, facts.places, facts.relationships, facts.evidence, facts.consents, facts.source)


def shown_assumptions(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((name, show(value)) for name, value in values.items())


def compare(before: Decision, after: Decision, values: Mapping[str, Any]) -> Assumed:
    """What the assumptions changed: the outcome, and each rule whose status differs."""
    changed: list[tuple[str, str, str]] = []
    if before.outcome is not after.outcome:
        changed.append(("outcome", _WORD[before.outcome], _WORD[after.outcome]))
    old = {r.label: r.status for r in (*before.requirements, *before.exceptions)}
    for r in (*after.requirements, *after.exceptions):
        if r.label in old and old[r.label] != r.status:
            changed.append((r.label, old[r.label], r.status))
    return Assumed(after, before, shown_assumptions(values), tuple(changed))


def decide_assuming(
    policy: Any, facts: Facts, person: str, role: str, as_of: dt.date, values: Mapping[str, Any], *, explain: bool = False, engine: str = "compiled",
) -> Assumed:
    """The decision as if `person`'s facts were `values`, compared with the decision without them."""
    before = decide(policy, facts, person, role, as_of, engine=engine)
    after = decide(policy, assume(facts.on(as_of), person, values), person, role, as_of, explain=explain, engine=engine)
    return compare(before, after, values)


# --------------------------------------------------------------------------- when


def when_eligible(
    policy: Any,
    facts: Facts | FactsOn,
    person: str,
    role: str,
    as_of: dt.date | None = None,
    *,
    horizon_years: int = HORIZON_YEARS,
    assume_values: Mapping[str, Any] | None = None,
    extra_dates: Iterable[dt.date] = (),
    engine: str = "compiled",
) -> When:
    """The first date from `as_of` to `horizon_years` later on which `person` is eligible for
    `role`, if nothing else changes. `policy` is a compiled policy or a function from a date to
    the policy in force then (raising `UsageError` when there is none); `facts` is `Facts` or a
    function from a date to the facts as on it (a roster); `extra_dates` are more days on which
    something recorded changes (a roster's rows)."""
    as_of = as_of or dt.date.today()
    horizon = _add_years(as_of, horizon_years)
    policy_on: PolicyOn = policy if callable(policy) and not hasattr(policy, "checked") else (lambda _d: policy)
    facts_on: FactsOn = facts if callable(facts) and not isinstance(facts, Facts) else facts.on  # type: ignore[union-attr]
    values = dict(assume_values or {})
    assumed = shown_assumptions(values)
    cache: dict[dt.date, Decision] = {}

    def ask(day: dt.date) -> Decision:
        found = cache.get(day)
        if found is None:
            seen = assume(facts_on(day), person, values)
            found = cache[day] = decide(policy_on(day), seen, person, role, day, engine=engine)
        return found

    first = ask(as_of)
    subject = facts_on(as_of).person(person)
    name = subject.name

    def answer(date: dt.date | None, decision: Decision, reason: str = "") -> When:
        return When(person, name, role, as_of, horizon, date, _full(decision), reason, len(cache), assumed)

    if first.outcome is Outcome.YES:
        return answer(as_of, first)
    days = _candidates(policy_on(as_of), facts_on(as_of), person, role, as_of, horizon, engine, extra_dates, values)
    last_no, last_decision, stop = as_of, first, ""
    for day in days:
        try:
            d = ask(day)
        except AccordError as exc:  # no policy in force on that day: nothing can be said from it on
            stop = f"no policy answers from {day.isoformat()} on ({exc.render().splitlines()[0].removeprefix('error[U000]: ')})"
            break
        if d.outcome is Outcome.YES:
            lo, hi = last_no, day
            while (hi - lo).days > 1:
                mid = lo + (hi - lo) / 2
                try:
                    m = ask(mid)
                except AccordError:
                    lo = mid
                    continue
                if m.outcome is Outcome.YES:
                    hi = mid
                else:
                    lo = mid
            return answer(hi, ask(hi))
        last_no, last_decision = day, d
    return answer(None, last_decision, _why_not(last_decision, last_no, horizon, stop))


def _full(d: Decision) -> Decision:
    d.requirements  # noqa: B018 - fills a lazily written decision
    return d


def _why_not(d: Decision, last: dt.date, horizon: dt.date, stop: str) -> str:
    rules = [r for r in (*d.requirements, *d.exceptions) if r.kind == "require" and r.status != "met"]
    parts = [f"{r.label}: {r.because}" for r in rules]
    since = f"on {last.isoformat()}, the last day asked" if stop else f"on {horizon.isoformat()}, the horizon"
    reason = f"{since}, still {'undetermined' if d.outcome is Outcome.UNKNOWN else 'not eligible'}"
    if parts:
        reason += ": " + "; ".join(parts)
    if d.missing:
        reason += f"; no recorded change supplies {', '.join(d.missing)}"
    if stop:
        reason += f"; {stop}"
    return reason


def _candidates(
    policy: Any, facts: Facts, person: str, role: str, as_of: dt.date, horizon: dt.date, engine: str,
    extra: Iterable[dt.date], values: Mapping[str, Any],
) -> list[dt.date]:
    """Every date after `as_of`, up to `horizon`, on which the answer might change (see the module)."""
    days: set[dt.date] = set(facts.change_dates(person)) | set(extra)
    checked = policy.checked
    for p in checked.parameters.values():
        if isinstance(p.value, Dated):
            days.update(p.value.dates())
    if checked.effective_to is not None:
        days.add(checked.effective_to + dt.timedelta(days=1))
    days |= _crossings(policy, assume(facts, person, values), person, role, as_of)
    month = dt.date(as_of.year, as_of.month, 1)
    while month <= horizon:
        days.add(month)
        month = _add_months(month, 1)
    days.add(horizon)
    return sorted(d for d in days if as_of < d <= horizon)


def _crossings(policy: Any, facts: Facts, person: str, role: str, as_of: dt.date) -> set[dt.date]:
    """The days where a comparison whose sides move with the date flips (linear estimate, +-1 day)."""
    from .interpret import Interpreter
    from .runtime import Context

    checked = policy.checked
    if role not in checked.roles:
        return set()
    rules = (*checked.roles[role].requirements, *checked.roles[role].exceptions)
    later = _add_years(as_of, 1)
    subject = facts.person(person)
    out: set[dt.date] = set()
    seen: set[int] = set()
    for rule in rules:
        for node in ir.walk(rule.condition):
            if id(node) in seen or not isinstance(node, ir.Compare):
                continue
            seen.add(id(node))
            if not any(isinstance(x, (ir.Today, ir.DatedLit)) for x in ir.walk(node)):
                continue
            gaps = []
            for day in (as_of, later):
                try:
                    it = Interpreter(Context(facts, day))
                    env = {"person": subject}
                    gaps.append(_number(it.eval(node.left, env)) - _number(it.eval(node.right, env)))  # type: ignore[operator]
                except Exception:  # noqa: BLE001 - a side that cannot be read alone (a quantifier's variable, an unknown)
                    break
            if len(gaps) != 2 or gaps[0] == gaps[1]:
                continue
            span = (later - as_of).days
            try:
                root = as_of + dt.timedelta(days=int(-gaps[0] * span / (gaps[1] - gaps[0])))
                out.update(root + dt.timedelta(days=shift) for shift in (-1, 0, 1, 2))
            except (OverflowError, ValueError):  # a crossing past the calendar: none to ask
                pass
    return out


_WORD = {Outcome.YES: "eligible", Outcome.NO: "not eligible", Outcome.UNKNOWN: "undetermined", Outcome.PARTIAL: "partial"}


# --------------------------------------------------------------------------- words (text and JSON)
# Kept here rather than in explain.py: they are this module's answers, and only `--when`/`--assume` print them.


def when_text(w: When, explain: bool = False) -> str:
    from .explain import decision_text

    who = f"{w.subject_name} ({w.subject})" if w.subject_name else w.subject
    assumed = f", assuming {_assumed(w.assumed)}" if w.assumed else ""
    if w.date is None:
        head = f"NO DATE up to {w.horizon.isoformat()}: {who} as {w.role}"
        lines = [head, f"  asked as of {w.as_of.isoformat()}{assumed}, if nothing else changes ({w.asked} dates asked)", f"  why: {w.reason}"]
    elif w.date == w.as_of:
        lines = [f"ELIGIBLE NOW: {who} as {w.role}", f"  eligible on the as-of date, {w.as_of.isoformat()}{assumed}"]
    else:
        lines = [
            f"ELIGIBLE FROM {w.date.isoformat()}: {who} as {w.role}",
            f"  asked as of {w.as_of.isoformat()}{assumed}: the first date on which the person is eligible if nothing else changes;",
            f"  the day before, {(w.date - dt.timedelta(days=1)).isoformat()}, they are not ({w.asked} dates asked, up to {w.horizon.isoformat()})",
        ]
    lines += ["", decision_text(w.decision, explain=explain)]
    return "\n".join(lines)


def when_json(w: When) -> dict[str, Any]:
    from .explain import decision_json

    return {
        "schema": "accord.when/1",
        "person": {"id": w.subject, "name": w.subject_name},
        "role": w.role,
        "as_of": w.as_of.isoformat(),
        "horizon": w.horizon.isoformat(),
        "first_eligible": w.date.isoformat() if w.date else None,
        "reason": w.reason or None,
        "dates_asked": w.asked,
        "assumed": [{"fact": n, "value": v} for n, v in w.assumed],
        "decision": decision_json(w.decision),
    }


def assumed_text(a: Assumed, explain: bool = False) -> str:
    from .explain import decision_text

    lines = [decision_text(a.decision, explain=explain), "", f"  assuming {_assumed(a.assumed)} (compared with the facts as recorded):"]
    if not a.changed:
        lines.append("    changes nothing")
    for what, old, new in a.changed:
        lines.append(f"    {'the outcome' if what == 'outcome' else what}: {old} -> {new}")
    return "\n".join(lines)


def assumed_json(a: Assumed) -> dict[str, Any]:
    from .explain import decision_json

    out = decision_json(a.decision)
    out["assumed"] = [{"fact": n, "value": v} for n, v in a.assumed]
    out["changed"] = [{"what": w, "before": o, "after": n} for w, o, n in a.changed]
    return out


def _assumed(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{n} = {v}" for n, v in pairs)


def _number(value: object) -> float:
    if isinstance(value, dt.date):
        return float(value.toordinal())
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, Unknown):
        raise ValueError("unknown")
    raise TypeError(type(value).__name__)


def _add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _add_years(day: dt.date, years: int) -> dt.date:
    """`years` later, kept within the calendar Accord accepts (`limits.MAX_YEAR`)."""
    from .limits import MAX_YEAR

    last = dt.date(MAX_YEAR, 12, 31)
    if day.year + years > MAX_YEAR:
        return last
    return min(_add_months(day, 12 * years), last)
