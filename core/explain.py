"""Stage 5, explain: a `Decision` -> text a coordinator reads at a glance, or stable JSON.

The JSON shape is versioned (`"schema": "accord.decision/1"`) and documented in docs/cli.md;
fields are only ever added to it.
"""

from __future__ import annotations

from typing import Any

import click

from .evaluate import ERROR, MET, NOT_MET, UNKNOWN, Decision, RuleResult
from .interpret import Trace
from .runtime import RuleFailure
from .values import show, to_json_value

DECISION_SCHEMA = "accord.decision/1"

_MARK = {MET: "[met]", NOT_MET: "[not met]", UNKNOWN: "[unknown]", ERROR: "[error]"}
_COLOUR = {MET: "green", NOT_MET: "red", UNKNOWN: "yellow", ERROR: "magenta"}
_OUTCOME_COLOUR = {"eligible": "green", "allowed": "green", "not_eligible": "red", "not_allowed": "red", "undetermined": "yellow"}


# --------------------------------------------------------------------------- JSON


def _trace_json(t: Trace) -> dict[str, Any]:
    value: Any
    if isinstance(t.value, RuleFailure):
        value = {"error": t.value.message}
    else:
        value = to_json_value(t.value)
    out: dict[str, Any] = {"condition": t.text, "value": value}
    if t.children:
        out["parts"] = [_trace_json(c) for c in t.children]
    return out


def rule_json(r: RuleResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label": r.label,
        "status": r.status.replace(" ", "_"),
        "condition": r.condition,
        "actual": to_json_value(r.actual),
        "op": r.op,
        "required": to_json_value(r.required),
        "reason": r.because,
        "distance": r.distance,
        "missing": list(r.missing),
        "error": r.error,
        "source": r.source,
        "location": r.location,
    }
    if r.kind in ("grants", "denies"):
        out["effect"] = r.kind
        out["overriding"] = list(r.overriding)
    if r.kind == "prefer":
        out["weight"] = to_json_value(r.weight)
    if r.trace is not None:
        out["trace"] = _trace_json(r.trace)
    return out


def decision_json(d: Decision) -> dict[str, Any]:
    """The documented JSON shape of a decision."""
    out: dict[str, Any] = {
        "schema": DECISION_SCHEMA,
        "question": d.question,
        "outcome": d.outcome_word,
        "person": {"id": d.subject, "name": d.subject_name},
        "role": d.role,
        "policy": {"name": d.policy, "version": d.policy_version, "file": d.policy_file},
        "as_of": d.as_of.isoformat(),
        "decided_by": d.decided_by,
        "requirements": [rule_json(r) for r in d.requirements],
        "exceptions": [rule_json(r) for r in d.exceptions],
        "missing": list(d.missing),
    }
    if d.question == "pair":
        out["other"] = {"id": d.other, "name": d.other_name}
        out["preferences"] = [rule_json(r) for r in d.preferences]
        out["score"] = to_json_value(d.score)
    return out


# --------------------------------------------------------------------------- text


def _who(ident: str, name: str | None) -> str:
    return f"{name} ({ident})" if name else ident


def _trace_lines(t: Trace, depth: int) -> list[str]:
    value = t.value.message if isinstance(t.value, RuleFailure) else show(t.value, t.type)
    lines = [f"{'  ' * depth}{t.text}  ->  {value}"]
    for child in t.children:
        lines.extend(_trace_lines(child, depth + 1))
    return lines


def _rule_lines(r: RuleResult, explain: bool, width: int) -> list[str]:
    mark = click.style(f"{_MARK[r.status]:<10}", fg=_COLOUR[r.status])
    effect = f" ({r.kind})" if r.kind in ("grants", "denies") else f" (weight {show(r.weight)})" if r.kind == "prefer" else ""
    because = r.because
    if r.distance:
        because += f"; {r.distance}"
    lines = [f"  {mark} {r.label}{effect}" + (f": {because}" if because else "")]
    if explain or r.status != MET:
        where = ", ".join(x for x in (r.source, r.location) if x)
        if where:
            lines.append(f"  {'':<10} {where}")
    if explain and r.trace is not None:
        lines.extend(f"  {'':<10}   {line}" for line in _trace_lines(r.trace, 0))
    return lines


def decision_text(d: Decision, explain: bool = False) -> str:
    """A decision as a coordinator reads it: the outcome first, then each rule and why."""
    word = d.outcome_word
    headline = click.style(word.replace("_", " ").upper(), fg=_OUTCOME_COLOUR[word], bold=True)
    if d.question == "pair":
        who = f"{_who(d.subject, d.subject_name)} as {d.role}, with {_who(d.other or '', d.other_name)}"
    else:
        who = f"{_who(d.subject, d.subject_name)} as {d.role}"
    version = f" {d.policy_version}" if d.policy_version else ""
    lines = [
        f"{headline}: {who}",
        f"  policy \"{d.policy}\"{version} ({d.policy_file}), as of {d.as_of.isoformat()}",
    ]
    if d.decided_by:
        lines.append(f"  decided by the exception \"{d.decided_by}\"")
    lines.append("")
    width = 10
    for r in d.requirements:
        lines.extend(_rule_lines(r, explain, width))
    shown_exceptions = [e for e in d.exceptions if explain or e.status != NOT_MET]
    if shown_exceptions:
        lines.append("")
        lines.append("  exceptions:")
        for e in shown_exceptions:
            lines.extend(_rule_lines(e, explain, width))
    if d.question == "pair":
        lines.append("")
        lines.append(f"  preferences (score {show(d.score)}):")
        for p in d.preferences:
            lines.extend(_rule_lines(p, explain, width))
    if d.missing:
        lines.append("")
        lines.append("  still missing: " + ", ".join(d.missing))
    return "\n".join(lines)
