"""Stage 5, explain: a `Decision` -> text a coordinator reads at a glance, or stable JSON.

The JSON shape is versioned (`"schema": "accord.decision/1"`) and documented in docs/cli.md;
fields are only ever added to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from .evaluate import ERROR, HIDDEN, MET, NOT_MET, UNKNOWN, Decision, Outcome, RuleResult
from .runtime import RuleFailure
from .values import show, to_json_value

if TYPE_CHECKING:  # the other questions' modules load when their reports are formatted
    from .access import AccessDecision
    from .commitments import CommitmentReport
    from .incentives import IncentiveReport
    from .interpret import Trace

DECISION_SCHEMA = "accord.decision/1"
INCENTIVES_SCHEMA = "accord.incentives/1"
ACCESS_SCHEMA = "accord.access/1"
COMMITMENTS_SCHEMA = "accord.commitments/1"
ROLES_SCHEMA = "accord.roles/1"

_MARK = {MET: "[met]", NOT_MET: "[not met]", UNKNOWN: "[unknown]", ERROR: "[error]", HIDDEN: "[hidden]"}
_COLOUR = {MET: "green", NOT_MET: "red", UNKNOWN: "yellow", ERROR: "magenta", HIDDEN: "blue"}
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
        "layer": r.layer,
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
        "parameters": [{"name": n, "value": v, "layer": layer} for n, v, layer in d.parameters],
        "viewer": d.viewer,
    }
    if d.viewer:
        out["withheld"] = list(d.withheld)
    if d.question == "pair":
        out["other"] = {"id": d.other, "name": d.other_name, "role": d.other_role}
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
        where = ", ".join(x for x in (r.source, r.location, f"layer \"{r.layer}\"" if explain and r.layer else None) if x)
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
    elif "decided_by" in d.withheld:
        lines.append("  decided by: not shown (an exception rests on a record this viewer may not see)")
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
    if d.question == "pair" and d.preferences:  # a pair rule without preferences has no score to show
        lines.append("")
        partial = ", counting only the preferences this viewer may see" if "score" in d.withheld else ""
        lines.append(f"  preferences (score {show(d.score)}{partial}):")
        for p in d.preferences:
            lines.extend(_rule_lines(p, explain, width))
    if d.missing:
        lines.append("")
        lines.append("  still missing: " + ", ".join(d.missing))
    if d.parameters and (explain or len(_layers(d)) > 1):
        lines.append("")
        lines.append("  values: " + "; ".join(f"{n} = {v}" + (f" ({layer})" if layer else "") for n, v, layer in d.parameters))
    if d.viewer:
        lines.append("")
        lines.append(f"  shown as {d.viewer} may see it: values from records they may not see are hidden")
    return "\n".join(lines)


def why(d: Decision) -> str:
    """What decided an eligibility decision, in one line: the unmet rules, or the unknown ones
    (exceptions too), or the exception that decided it."""
    if d.decided_by:
        return f"by exception \"{d.decided_by}\""
    failed = [r for r in d.requirements if r.status == NOT_MET]
    if d.outcome is Outcome.UNKNOWN and failed:  # only an exception could still change it
        reasons = failed + [r for r in d.exceptions if r.status in (UNKNOWN, ERROR)]
    elif d.outcome is Outcome.UNKNOWN:
        reasons = [r for r in (*d.requirements, *d.exceptions) if r.status in (UNKNOWN, ERROR)]
    else:
        reasons = failed
    reasons = reasons or [r for r in d.requirements if r.status != MET]
    return "; ".join(f"{r.label}: {r.because}" for r in reasons[:2]) + (" ..." if len(reasons) > 2 else "")


def _outcome_word(d: Decision) -> str:
    word = d.outcome_word.replace("_", " ")
    colour = {"eligible": "green", "not eligible": "red", "allowed": "green", "not allowed": "red"}.get(word, "yellow")
    return click.style(f"{word:<13}", fg=colour)


def roster_line(d: Decision) -> str:
    """One person's decision on one line of a roster, leading with what decided it."""
    return f"{_outcome_word(d)} {d.subject:<12} {d.subject_name:<24} {why(d)}"


def roles_text(a: Any) -> str:
    """Every role of the policy for one person: a line each, and why not where not eligible."""
    who = _who(a.subject, a.subject_name)
    eligible = a.eligible()
    lines = [
        f"{who}: eligible for {', '.join(eligible)}" if eligible else f"{who}: eligible for no role",
        f"  policy \"{a.policy}\" ({a.policy_file}), as of {a.as_of.isoformat()}",
        "",
    ]
    width = max((len(d.role) for d in a.decisions), default=0)
    for d in a.decisions:
        reason = why(d) if d.outcome is not Outcome.YES or d.decided_by else ""
        lines.append(f"  {_outcome_word(d)} {d.role:<{width}}  {reason}".rstrip())
    if a.decisions and a.decisions[0].viewer:
        lines += ["", f"  shown as {a.decisions[0].viewer} may see it: values from records they may not see are hidden"]
    return "\n".join(lines)


def roles_json(a: Any) -> dict[str, Any]:
    """The documented JSON shape of a roles answer: each role's decision, as `accord check` gives it."""
    return {
        "schema": ROLES_SCHEMA,
        "person": {"id": a.subject, "name": a.subject_name},
        "policy": {"name": a.policy, "file": a.policy_file},
        "as_of": a.as_of.isoformat(),
        "eligible": a.eligible(),
        "roles": [decision_json(d) for d in a.decisions],
    }


def _layers(d: Decision) -> set[str]:
    return {r.layer for r in (*d.requirements, *d.exceptions) if r.layer}


# --------------------------------------------------------------------------- incentives


def _report_head(schema: str, report: IncentiveReport | CommitmentReport) -> dict[str, Any]:
    """The keys every per-person report starts with, so that their JSON shapes agree."""
    return {
        "schema": schema,
        "person": {"id": report.subject, "name": report.subject_name},
        "policy": {"name": report.policy, "file": report.policy_file},
        "as_of": report.as_of.isoformat(),
    }


def incentives_json(report: IncentiveReport) -> dict[str, Any]:
    return {
        **_report_head(INCENTIVES_SCHEMA, report),
        "awards": [
            {
                "label": a.label,
                "outcome": {Outcome.YES: "receives", Outcome.NO: "does_not_receive", Outcome.UNKNOWN: "undetermined"}[a.outcome],
                "kind": a.kind,
                "amount": to_json_value(a.amount),
                "unit": a.unit,
                **({"parts": [
                    {"written": p.written, "kind": p.kind, "amount": to_json_value(p.amount), "unit": p.unit} for p in a.parts
                ]} if a.parts else {}),
                "vouchers": list(a.vouchers),
                "recognitions": list(a.recognitions),
                "paid_by": a.payer,
                "paid_by_missing": list(a.payer_missing),
                "relationship_with": {"id": a.partner, "name": a.partner_name, "role": a.partner_role} if a.partner else None,
                "reason": a.reason or None,
                "missing": list(a.missing),
                "parameters": [{"name": n, "value": v, "layer": layer} for n, v, layer in a.parameters],
                "requirements": [rule_json(r) for r in a.requirements],
                "source": a.source,
                "location": a.location,
                "layer": a.layer,
            }
            for a in report.awards
        ],
        "totals": report.totals(Outcome.YES),
        "would_receive_if_settled": report.totals(Outcome.UNKNOWN),
    }


def incentives_text(report: IncentiveReport) -> str:
    lines = [
        f"Incentives for {_who(report.subject, report.subject_name)}",
        f"  policy \"{report.policy}\" ({report.policy_file}), as of {report.as_of.isoformat()}",
        "",
    ]
    marks = {Outcome.YES: ("[receives]", "green"), Outcome.NO: ("[no]", "red"), Outcome.UNKNOWN: ("[unknown]", "yellow")}
    for a in report.awards:
        mark, colour = marks[a.outcome]
        what = ", ".join(x for x in (a.amount_text, *(f"a voucher for {v}" for v in a.vouchers), *a.recognitions) if x)
        partner = f" with {a.partner_role} {_who(a.partner, a.partner_name)}" if a.partner else ""
        payer = f", paid by {a.payer}" if a.payer else f", paid by: unknown (missing {', '.join(a.payer_missing)})" if a.payer_missing else ""
        lines.append(f"  {click.style(f'{mark:<11}', fg=colour)} {a.label}{partner}{': ' + what if what else ''}{payer}")
        layered = [(n, v, layer) for n, v, layer in a.parameters if layer and layer != a.layer]
        if layered:  # a value a district layer set for a rule of the layer below it
            lines.append(f"  {'':<11} values: " + "; ".join(f"{n} = {v} ({layer})" for n, v, layer in layered))
        if a.outcome is not Outcome.YES and a.reason:
            lines.append(f"  {'':<11} why not: {a.reason}")
        where = ", ".join(x for x in (a.source, a.location) if x)
        if a.outcome is not Outcome.YES and where:
            lines.append(f"  {'':<11} {where}")
    totals = report.totals(Outcome.YES)
    lines.append("")
    lines.append("  receives in total: " + ("; ".join(f"{k}: {v}" for k, v in totals.items()) if totals else "nothing"))
    pending = report.totals(Outcome.UNKNOWN)
    if pending:
        lines.append("  would also receive, once what is missing is settled: " + "; ".join(f"{k}: {v}" for k, v in pending.items()))
    return "\n".join(lines)


# --------------------------------------------------------------------------- access


def access_json(d: AccessDecision) -> dict[str, Any]:
    return {
        "schema": ACCESS_SCHEMA,
        "outcome": d.outcome.value,
        "viewer": {"id": d.viewer, "name": d.viewer_name},
        "record": {"id": d.record, "kind": d.kind, "subject": d.subject},
        "as_of": d.as_of.isoformat(),
        "reason": d.reason,
        "policy": d.policy,
        "location": d.location,
        "layer": d.layer,
        "missing": list(d.missing),
    }


def access_text(d: AccessDecision) -> str:
    from .access import Access

    colour = {Access.ALLOW: "green", Access.DENY: "red", Access.COUNTS_ONLY: "cyan", Access.UNDETERMINED: "yellow"}[d.outcome]
    word = click.style(d.outcome.value.replace("_", " ").upper(), fg=colour, bold=True)
    lines = [
        f"{word}: {_who(d.viewer, d.viewer_name)} viewing {d.kind} record {d.record} (subject {d.subject})",
        f"  policy \"{d.policy}\", as of {d.as_of.isoformat()}",
        f"  because {d.reason}",
    ]
    where = ", ".join(x for x in (d.location, f"layer \"{d.layer}\"" if d.layer else None) if x)
    if where:
        lines.append(f"  {where}")
    if d.missing:
        lines.append("  still missing: " + ", ".join(d.missing))
    return "\n".join(lines)


# --------------------------------------------------------------------------- commitments


def commitments_json(report: CommitmentReport) -> dict[str, Any]:
    return {
        **_report_head(COMMITMENTS_SCHEMA, report),
        "commitments": [
            {
                "label": c.label,
                "role": c.role,
                "status": c.status.replace(" ", "_"),
                "source": c.source,
                "location": c.location,
                "layer": c.layer,
                "applies": c.applies,
                "missing": list(c.missing),
                "parts": [
                    {
                        "label": p.label,
                        "kind": p.kind,
                        "status": p.status.replace(" ", "_"),
                        "required": p.required,
                        "done": p.done,
                        "remaining": p.remaining,
                        "due": p.due.isoformat() if p.due else None,
                        "met_on": p.met_on.isoformat() if p.met_on else None,
                        "met_on_known": p.met_on_known,
                        "behind": p.behind,
                        "periods_met": p.periods_met,
                        "periods_due": p.periods_due,
                        "current_period": p.current,
                        "missed": list(p.missed),
                        "missing": list(p.missing),
                        "errors": list(p.errors),
                        "location": p.location,
                    }
                    for p in c.parts
                ],
            }
            for c in report.commitments
        ],
    }


_PROGRESS_COLOUR = {"met": "green", "met late": "green", "on track": "cyan", "in progress": "cyan", "late": "red", "unknown": "yellow"}


def commitments_text(report: CommitmentReport) -> str:
    lines = [
        f"Commitments of {_who(report.subject, report.subject_name)}",
        f"  policy \"{report.policy}\" ({report.policy_file}), as of {report.as_of.isoformat()}",
    ]
    if not report.commitments:
        lines.append("")
        lines.append("  no commitments")
    for c in report.commitments:
        lines.append("")
        head = click.style(c.status.upper(), fg=_PROGRESS_COLOUR[c.status], bold=True)
        lines.append(f"  {head}: {c.label} (for {c.role})" + (f", {c.source}" if c.source else ""))
        if c.applies is None:
            lines.append(f"    whether it applies is unknown: missing {', '.join(c.missing)}")
        for p in c.parts:
            mark = click.style(f"[{p.status}]".ljust(14), fg=_PROGRESS_COLOUR[p.status])
            detail = []
            if p.required is not None:
                detail.append(f"{p.done} of {p.required} done, {p.remaining} to go")
            if p.behind:
                detail.append(f"behind schedule by {p.behind}")
            if p.periods_due is not None:
                detail.append(f"{p.periods_met} of {p.periods_due} past period{'s' if p.periods_due != 1 else ''} met")
            if p.current:
                detail.append(p.current)
            if p.due:
                detail.append(f"due {p.due.isoformat()}")
            if p.met_on:
                detail.append(f"met on {p.met_on.isoformat()}")
            elif not p.met_on_known:
                detail.append("met, date not known")
            lines.append(f"    {mark} {p.label}" + (f": {'; '.join(detail)}" if detail else ""))
            for miss in p.missed[:3]:
                lines.append(f"    {'':<14} missed {miss}")
            if len(p.missed) > 3:
                lines.append(f"    {'':<14} ... and {len(p.missed) - 3} more missed period{'s' if len(p.missed) > 4 else ''}")
            if p.missing:
                lines.append(f"    {'':<14} missing: {', '.join(p.missing)}")
            for error in p.errors:
                lines.append(f"    {'':<14} error: {error}")
    return "\n".join(lines)
