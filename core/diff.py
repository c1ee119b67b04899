"""`accord diff`: what changed between two versions of a policy, and whom it changes.

`policy_diff(old, new)` compares two checked policies as an author reads them: roles, rules,
parameters, pair rules, incentives, records and commitments added, removed or changed (with the
old and the new text), and rights changed. `roster_diff(old, new, facts, as_of)` decides every
person of a roster for every role under both versions and lists each answer that changes, from
what to what, with the rules whose status changed. A roster is a facts file now; a roster
database plugs in by handing `roster_diff` the `Facts` it reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from .values import Unknown, show


@attrs.frozen
class Change:
    """One difference: what (`rule`, `parameter`, ...), where (`role mentor`), how (added, removed, changed)."""

    what: str
    name: str
    how: str  # added | removed | changed | right changed
    old: str | None = None
    new: str | None = None
    location: str | None = None

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


def _rule_text(rule: Any) -> str:
    extra = f" weight {rule.weight}" if rule.weight is not None else ""
    over = f" overriding {', '.join(rule.overriding)}" if rule.overriding else ""
    return f"{rule.kind}{extra}{over}: {rule.condition.text}"


def _rules(where: str, old: Iterable[Any], new: Iterable[Any]) -> Iterator[Change]:
    a, b = {r.label: r for r in old}, {r.label: r for r in new}
    for label in [*a, *(k for k in b if k not in a)]:
        o, n = a.get(label), b.get(label)
        loc = str(n.span) if n is not None and n.span else str(o.span) if o is not None and o.span else None
        if o is None:
            yield Change("rule", f"{where}: \"{label}\"", "added", None, _rule_text(n), loc)
        elif n is None:
            yield Change("rule", f"{where}: \"{label}\"", "removed", _rule_text(o), None, loc)
        elif _rule_text(o) != _rule_text(n) or o.source != n.source:
            yield Change("rule", f"{where}: \"{label}\"", "changed", _rule_text(o) + _cite(o), _rule_text(n) + _cite(n), loc)


def _cite(rule: Any) -> str:
    return f" (source {rule.source})" if rule.source else ""


def _keyed(what: str, old: dict[str, Any], new: dict[str, Any], text: Any) -> Iterator[Change]:
    for key in [*old, *(k for k in new if k not in old)]:
        o, n = old.get(key), new.get(key)
        loc = str(n.span) if n is not None and getattr(n, "span", None) else None
        if o is None:
            yield Change(what, key, "added", None, text(n), loc)
        elif n is None:
            yield Change(what, key, "removed", text(o), None)
        else:
            if text(o) != text(n):
                yield Change(what, key, "changed", text(o), text(n), loc)
            if getattr(o, "right", None) != getattr(n, "right", None):
                yield Change(what, key, "right changed", o.right, n.right, loc)


def _parameter_text(p: Any) -> str:
    return "none" if isinstance(p.value, Unknown) else show(p.value, p.type)


def _incentive_text(i: Any) -> str:
    parts = [f"to {i.to} per {i.per}"]
    parts += [f"amount {a.text}" for _, a in i.amount_names()]
    parts += [f"voucher {v}" for v in i.vouchers] + [f"recognition {r}" for r in i.recognitions]
    if i.payer is not None:
        parts.append(f"paid by {i.payer.text}")
    parts += [f"require \"{r.label}\": {r.condition.text}" for r in i.requirements]
    return "; ".join(parts)


def _record_text(r: Any) -> str:
    parts = []
    for v in r.visible:
        head = ("counts visible to " if v.counts_only else "visible to ") + ", ".join(v.viewers)
        parts.append(head + (" when shared by subject" if v.shared else "") + (f" when {v.condition.text}" if v.condition is not None else ""))
    parts += [f"except \"{x.label}\" reveals to {', '.join(w)} when {x.condition.text}" for x, w in zip(r.reveals, r.reveal_viewers)]
    return "; ".join(parts)


def _commitment_text(c: Any) -> str:
    parts = [f"for {c.role}"] + ([f"when {c.applies.text}"] if c.applies is not None else [])
    for p in c.parts:
        bits = [f"\"{p.label}\" ({p.kind})"]
        bits += [f"{name} {getattr(p, name).text}" for name in ("required", "measure", "due", "condition", "start") if getattr(p, name) is not None]
        if p.period:
            bits.append(f"every {p.period}")
        parts.append(" ".join(bits))
    return "; ".join(parts)


def policy_diff(old: Any, new: Any) -> list[Change]:
    """Every difference between two compiled policies that an author would read, in policy order."""
    a, b = old.checked, new.checked
    out: list[Change] = []
    for field in ("name", "version", "effective_from", "effective_to", "source"):
        if getattr(a, field) != getattr(b, field):
            out.append(Change("header", field, "changed", str(getattr(a, field)), str(getattr(b, field))))
    out += _keyed("parameter", dict(a.parameters), dict(b.parameters), _parameter_text)
    for name in [*a.roles, *(r for r in b.roles if r not in a.roles)]:
        o, n = a.roles.get(name), b.roles.get(name)
        if o is None or n is None:
            out.append(Change("role", name, "added" if o is None else "removed", None, None, str(n.span) if n is not None and n.span else None))
            continue
        out += _rules(f"role {name}", o.requirements + o.exceptions, n.requirements + n.exceptions)
    pa, pb = {f"{p.first}, {p.second}": p for p in a.pairs}, {f"{p.first}, {p.second}": p for p in b.pairs}
    for key in [*pa, *(k for k in pb if k not in pa)]:
        if key not in pa or key not in pb:
            out.append(Change("pair rule", key, "added" if key not in pa else "removed"))
            continue
        out += _rules(f"pair {key}", pa[key].requirements + pa[key].preferences, pb[key].requirements + pb[key].preferences)
    out += _keyed("incentive", {i.label: i for i in a.incentives}, {i.label: i for i in b.incentives}, _incentive_text)
    out += _keyed("record", dict(a.records), dict(b.records), _record_text)
    out += _keyed("commitment", {c.label: c for c in a.commitments}, {c.label: c for c in b.commitments}, _commitment_text)
    return out


@attrs.frozen
class PersonChange:
    """A person whose answer for a role differs between the two versions."""

    person: str
    name: str
    role: str
    old: str  # eligible | not_eligible | undetermined | `not decided` (a role one version lacks)
    new: str
    rules: tuple[tuple[str, str, str], ...]  # (label, old status, new status) of each rule whose status changed

    def to_json(self) -> dict[str, Any]:
        return {"person": self.person, "name": self.name, "role": self.role, "old": self.old, "new": self.new,
                "rules": [{"rule": label, "old": o, "new": n} for label, o, n in self.rules]}


NOT_DECIDED = "not decided"


def _answer(policy: Any, facts: Any, person: str, role: str, as_of: dt.date) -> tuple[str, dict[str, str]]:
    from .errors import AccordError
    from .evaluate import decide

    if role not in policy.checked.roles:
        return NOT_DECIDED, {}
    try:
        d = decide(policy, facts, person, role, as_of)
    except AccordError as exc:  # not in force on that day, say: the answer is that message
        return f"error: {exc.diagnostics[0].message}", {}
    return d.outcome_word, {r.label: r.status for r in (*d.requirements, *d.exceptions)}


def roster_diff(old: Any, new: Any, facts: Any, as_of: dt.date) -> list[PersonChange]:
    """Every person of `facts` and role (of either version) whose eligibility differs between `old` and `new`."""
    roles = [*old.checked.roles, *(r for r in new.checked.roles if r not in old.checked.roles)]
    out = []
    for pid, person in facts.people.items():
        for role in roles:
            (was, before), (now, after) = _answer(old, facts, pid, role, as_of), _answer(new, facts, pid, role, as_of)
            if was == now:
                continue
            changed = tuple(
                (label, before.get(label, "absent"), after.get(label, "absent"))
                for label in [*before, *(k for k in after if k not in before)]
                if before.get(label) != after.get(label)
            )
            out.append(PersonChange(pid, person.name, role, was, now, changed))
    return out


def diff_text(changes: list[Change], people: list[PersonChange] | None) -> str:
    lines = []
    if not changes:
        lines.append("the two policies say the same thing")
    for c in changes:
        where = f"  ({c.location})" if c.location else ""
        lines.append(f"{c.how:<13} {c.what} {c.name}{where}")
        if c.old is not None:
            lines.append(f"    - {c.old}")
        if c.new is not None:
            lines.append(f"    + {c.new}")
    if people is not None:
        lines.append("")
        lines.append(f"{len(people)} answer{'s' if len(people) != 1 else ''} change{'s' if len(people) == 1 else ''}:" if people else "no one's answer changes")
        for p in people:
            why = "; ".join(f"\"{label}\" {o} -> {n}" for label, o, n in p.rules)
            lines.append(f"  {p.person:<10} {p.role:<12} {p.old.replace('_', ' ')} -> {p.new.replace('_', ' ')}" + (f"  ({why})" if why else ""))
    return "\n".join(lines)


def diff_json(old: Any, new: Any, changes: list[Change], people: list[PersonChange] | None, as_of: dt.date | None) -> dict[str, Any]:
    return {
        "schema": "accord.diff/1",
        "old": old.checked.file,
        "new": new.checked.file,
        "as_of": as_of.isoformat() if as_of else None,
        "changes": [c.to_json() for c in changes],
        "people": [p.to_json() for p in people] if people is not None else None,
    }
