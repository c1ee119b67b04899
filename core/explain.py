"""Stage 5, explain: a `Decision` -> text a coordinator reads at a glance, or stable JSON.

The JSON shape is versioned (`"schema": "accord.decision/1"`) and documented in docs/cli.md;
fields are only ever added to it.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from decimal import Decimal
from typing import TYPE_CHECKING, Any


from . import ir
from .answers import ERROR, HIDDEN, MET, NOT_MET, UNKNOWN, Access, Decision, RuleResult, status_of
from .outcome import Outcome
from .runtime import Context, RuleFailure
from .values import DATE, Dated, Money, Quantity, Rate, Type, Unknown, period_text, show, show_money, show_number, to_json_value, unit_word

if TYPE_CHECKING:  # the other questions' modules load when their reports are formatted
    from .access import AccessDecision
    from .commitments import CommitmentProgress, CommitmentReport
    from .compile import CompiledPolicy
    from .incentives import IncentiveReport
    from .interpret import Interpreter, Trace

DECISION_SCHEMA = "accord.decision/1"
INCENTIVES_SCHEMA = "accord.incentives/1"
ACCESS_SCHEMA = "accord.access/1"
COMMITMENTS_SCHEMA = "accord.commitments/1"
ROLES_SCHEMA = "accord.roles/1"

_MARK = {MET: "[met]", NOT_MET: "[not met]", UNKNOWN: "[unknown]", ERROR: "[error]", HIDDEN: "[hidden]"}
_COLOUR = {MET: "green", NOT_MET: "red", UNKNOWN: "yellow", ERROR: "magenta", HIDDEN: "blue"}
_OUTCOME_COLOUR = {"eligible": "green", "allowed": "green", "not_eligible": "red", "not_allowed": "red", "undetermined": "yellow"}


def _style(text: str, **how: Any) -> str:
    """`click.style`, loaded when text is first styled: deciding (`accord.decide`) does not load click."""
    import click

    return click.style(text, **how)


# --------------------------------------------------------------------------- reasons: the words of each rule's result

_OP_WORDS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "in": "in", "not in": "not in"}

_NEGATED = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<", "in": "not in", "not in": "in"}


#: the reason shown for a rule that read a record the viewer may not see (`access.redact`)
HIDDEN_REASON = "rests on a record this viewer may not see"


def because(status: str, actual_text: str | None, op: str | None, required_text: str | None, missing: tuple[str, ...], error: str | None) -> str:
    """A rule's short reason: `2.9 years < 3 years`, `missing person.trained`, `yes`."""
    if status == ERROR:
        return f"could not be evaluated: {error}"
    if status == HIDDEN:
        return HIDDEN_REASON
    if status == UNKNOWN:
        return "missing " + ", ".join(missing)
    if op and required_text is not None:
        shown = op if status == MET else _NEGATED.get(op, op)
        return f"{actual_text} {shown} {required_text}"
    return actual_text or ""


def distance(rule: ir.Rule, status: str, actual: Any, required: Any) -> str | None:
    """How far an unmet comparison is from being met: `needs 0.1 more years`, `5 days late`."""
    cond = rule.condition
    if status != NOT_MET or not isinstance(cond, ir.Compare) or cond.op not in ("<", "<=", ">", ">="):
        return None
    t: Type = cond.left.type
    if t == DATE and isinstance(actual, dt.date) and isinstance(required, dt.date):
        days = abs((actual - required).days)
        if not days:  # the bound itself, in a strict comparison
            return f"needs a date {'after' if cond.op == '>' else 'before'} {required.isoformat()}"
        return f"{days} day{'s' if days != 1 else ''} {'late' if cond.op in ('<', '<=') else 'too early'}"
    if not isinstance(actual, Decimal) or not isinstance(required, Decimal):
        return None
    gap = required - actual if cond.op in (">", ">=") else actual - required
    if isinstance(t, Rate):  # an average below (or above) a rate: `needs 0.5 hours per week more`
        if not gap:
            return f"needs {'more' if cond.op == '>' else 'less'} than {show(required, t)}"
        return f"needs {show(gap, t)} more" if cond.op in (">", ">=") else f"over by {show(gap, t)}"
    unit = unit_word(t.unit, gap) if isinstance(t, Quantity) and t.unit else None
    amount = f"{t.currency} {show_money(gap)}" if isinstance(t, Money) else show_number(gap)
    if not gap and cond.op in (">", "<"):  # exactly at the bound of a strict comparison: no gap to give
        bound = f"{t.currency} {show_money(required)}" if isinstance(t, Money) else show_number(required) + (f" {unit}" if unit else "")
        return f"needs {'more' if cond.op == '>' else 'less'} than {bound}"
    if cond.op in (">", ">="):
        return f"needs {amount} more{' ' + unit if unit else ''}" + (" (and then some)" if cond.op == ">" else "")
    return f"over by {amount}{' ' + unit if unit else ''}" + (" (and then some)" if cond.op == "<" else "")


def rule_result(rule: ir.Rule, raw: tuple[Any, Any, Any], trace: Trace | None = None, layer: str | None = None, why_not: str | None = None) -> RuleResult:
    """A rule's result from its raw value `(value, actual, required)`, with its words; `why_not`
    says why a condition that is not a comparison is false (see `results`)."""
    value, actual, required = raw
    status = status_of(value)
    cond = rule.condition
    op = None
    req_text = None
    act_type: Type = cond.type
    if isinstance(cond, ir.Compare):
        op, act_type = _OP_WORDS[cond.op], cond.left.type
        req_text = show(required, cond.right.type)
    elif isinstance(cond, ir.Member):
        op, act_type = ("not in" if cond.negated else "in"), cond.element.type
        req_text = show(required, cond.collection.type)
    act_text = show(actual, act_type) if actual is not None else None
    if op is None and status in (MET, NOT_MET):
        if isinstance(cond, (ir.Fact, ir.ItemField)):
            act_text = f"{cond.text} is {show(actual, act_type)}"
        else:
            act_text = None if status == MET else why_not or f"`{cond.text}` is false"
    act_text = None if isinstance(actual, Unknown) else act_text
    missing = tuple(sorted(value.missing)) if isinstance(value, Unknown) else ()
    error = value.message if isinstance(value, RuleFailure) else None
    return RuleResult(
        label=rule.label,
        kind=rule.kind,
        status=status,
        condition=cond.text,
        source=rule.source,
        location=str(rule.span) if rule.span else None,
        actual=None if isinstance(actual, Unknown) else actual,
        required=None if isinstance(required, Unknown) else required,
        op=op,
        actual_text=act_text,
        required_text=req_text,
        distance=distance(rule, status, actual, required),
        missing=missing,
        error=error,
        weight=rule.weight,
        overriding=rule.overriding,
        layer=layer,
        trace=trace,
        because=because(status, act_text, op, req_text, missing, error),
    )


def parameters_used(policy: CompiledPolicy, block: str, as_of: dt.date | None = None) -> tuple[tuple[str, str, str | None], ...]:
    """The parameters a block (`role:mentor`) reads, with their values and the layer that set each.
    A dated parameter's value is the one in force on `as_of`, with the period it came from.

    Worked out once per policy and block when no parameter of it is dated (a compiled policy never
    changes): a roster's decision log asks it for every person."""
    known = _PARAMETERS_USED.get(policy)
    if known is None:
        known = _PARAMETERS_USED[policy] = {}
    found = known.get(block)
    if found is None:
        found = _parameters_used(policy, block, as_of)
        if not any(isinstance(policy.checked.parameters[n].value, Dated) for n in policy.parameters[block]):
            known[block] = found
    return found


_PARAMETERS_USED: weakref.WeakKeyDictionary[CompiledPolicy, dict[str, tuple[tuple[str, str, str | None], ...]]] = weakref.WeakKeyDictionary()


def _parameters_used(policy: CompiledPolicy, block: str, as_of: dt.date | None) -> tuple[tuple[str, str, str | None], ...]:
    out = []
    for name in policy.parameters[block]:
        p = policy.checked.parameters[name]
        if isinstance(p.value, Dated):
            found = p.value.at(as_of or dt.date.today())
            if found is None:
                value = f"not set before {p.value.periods[0][0].isoformat()}"
            else:  # an open last period holds until the policy itself ends
                end = found[2] if found[2] is not None else policy.checked.effective_to
                value = f"{show(found[0], p.type)} ({period_text(found[1], end)})"
        else:
            value = "not set" if isinstance(p.value, Unknown) else show(p.value, p.type)
        out.append((name, value, policy.checked.layer_name(p.span.file if p.span else None)))
    return tuple(out)



def results(
    policy: CompiledPolicy,
    rules: tuple[ir.Rule, ...],
    raws: tuple[Any, ...],
    ctx: Context,
    env: dict[str, Any] | None,
    explain: bool = False,
) -> tuple[RuleResult, ...]:
    """The results of rules from their raw values; with `explain`, each with its trace.

    A composite condition (`a and b`) that is not met is explained by its first failing part,
    evaluated again by the interpreter: only on that path, so a met rule costs nothing more.
    """
    out = []
    for rule, raw in zip(rules, raws):
        interp = None
        if env is not None and (explain or raw[0] is False):
            from .interpret import Interpreter  # loaded only to explain

            interp = Interpreter(ctx)
        trace = interp.trace(rule.condition, env) if interp and explain and env is not None else None
        cond = rule.condition
        why_not = None
        if interp and env is not None and raw[0] is False and not isinstance(cond, (ir.Compare, ir.Member, ir.Fact, ir.ItemField)):
            why_not = _why_not(cond, env, interp)
        out.append(rule_result(rule, raw, trace, policy.checked.layer_name(rule.span.file if rule.span else None), why_not))
    return tuple(out)


def _why_not(node: ir.Node, env: dict[str, Any], interp: Interpreter) -> str:
    """Why a condition that is false is false: its first false part, with the values compared."""
    while isinstance(node, ir.CallDefine):  # a definition's use, as written in place
        node = node.expanded
    if isinstance(node, ir.And):
        for part in node.operands:
            if interp.eval(part, env) is False:
                return _why_not(part, env, interp)
    if isinstance(node, ir.Or):
        return " and ".join(_why_not(part, env, interp) for part in node.operands)
    if isinstance(node, ir.Not):
        found = _found(node.operand, env, interp)
        return found or f"`{node.operand.text}` is true"
    if isinstance(node, ir.CallFn):
        found = _found(node, env, interp)
        if found:
            return found
    if isinstance(node, (ir.Compare, ir.Member)):
        left, right = (node.left, node.right) if isinstance(node, ir.Compare) else (node.element, node.collection)
        op = _OP_WORDS[node.op] if isinstance(node, ir.Compare) else ("not in" if node.negated else "in")
        a, b = interp.eval(left, env), interp.eval(right, env)
        return f"{left.text} is {show(a, left.type)}, not {op} {show(b, right.type)}" if isinstance(node, ir.Compare) else f"{left.text} is {show(a, left.type)}, which is {_NEGATED[op]} {show(b, right.type)}"
    if isinstance(node, ir.Quantified):
        return _why_not_quantified(node, env, interp)
    if isinstance(node, (ir.Fact, ir.ItemField)):
        return f"{node.text} is {show(interp.eval(node, env), node.type)}"
    return f"`{node.text}` is false"


def _found(node: ir.Node, env: dict[str, Any], interp: Interpreter) -> str | None:
    """What a plugin function's call found, in its own words (`Function.reason`), if it says."""
    if not isinstance(node, ir.CallFn) or node.reason is None:
        return None
    args = [interp.eval(a, env) for a in node.args]
    if any(isinstance(a, Unknown) for a in args):
        return None
    try:
        text = node.reason(interp.ctx.records, *args)
    except Exception:  # a reason is a courtesy: never let it break the decision
        return None
    return text if isinstance(text, str) and text.strip() else None


def _why_not_quantified(node: ir.Quantified, env: dict[str, Any], interp: Interpreter) -> str:
    """Why `every`/`any` is false, naming members: `not met for teaching, professionalism`."""
    from .model import Evidence
    from .runtime import _ordered
    from .values import SetOf

    members = interp.eval(node.collection, env)
    if not isinstance(members, (frozenset, tuple)):
        return f"`{node.text}` is false"
    if node.kind == "any":
        return f"`{node.collection.text}` is empty" if not members else f"not met for any of {node.collection.text}"
    failing = [m for m in _ordered(members) if interp.eval(node.body, {**env, node.var: m}) is False]
    elem = node.collection.type.element if isinstance(node.collection.type, SetOf) else None
    names = [m.id if isinstance(m, Evidence) else show(m, elem) for m in failing]
    return "not met for " + ", ".join(names)


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
    mark = _style(f"{_MARK[r.status]:<10}", fg=_COLOUR[r.status])
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
    headline = _style(word.replace("_", " ").upper(), fg=_OUTCOME_COLOUR[word], bold=True)
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
    if d.parameters and (explain or len(_layers(d)) > 1 or any(_dated(v) for _, v, _ in d.parameters)):
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
    return _style(f"{word:<13}", fg=colour)


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


_DATED_TEXT = re.compile(r"\((from \d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2})\)$|^not set before ")


def _dated(value: str) -> bool:
    """Whether a parameter's value text is a dated parameter's (`USD 1800 (2024-07-01 to 2025-06-30)`)."""
    return _DATED_TEXT.search(value) is not None


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
        lines.append(f"  {_style(f'{mark:<11}', fg=colour)} {a.label}{partner}{': ' + what if what else ''}{payer}")
        layered = [(n, v, layer) for n, v, layer in a.parameters if (layer and layer != a.layer) or _dated(v)]
        if layered:  # a value a district layer set for a rule of the layer below it, or a dated value's period
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
    colour = {Access.ALLOW: "green", Access.DENY: "red", Access.COUNTS_ONLY: "cyan", Access.UNDETERMINED: "yellow", Access.EXPIRED: "red"}[d.outcome]
    word = _style(d.outcome.value.replace("_", " ").upper(), fg=colour, bold=True)
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


def commitment_json(c: CommitmentProgress) -> dict[str, Any]:
    """One commitment's progress, as data (an item of `accord.commitments/1`'s `commitments`)."""
    return {
        "label": c.label,
        "role": c.role,
        "status": c.status.replace(" ", "_"),
        "source": c.source,
        "location": c.location,
        "layer": c.layer,
        "applies": c.applies,
        "missing": list(c.missing),
        **({"owed_by": {"kind": c.owed_by, "id": c.owed_by_place, "name": c.owed_by_name}} if c.owed_by else {}),
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
                **({"periods": list(p.periods)} if p.periods else {}),
                "missing": list(p.missing),
                "errors": list(p.errors),
                "location": p.location,
            }
            for p in c.parts
        ],
    }


def commitments_json(report: CommitmentReport) -> dict[str, Any]:
    return {
        **_report_head(COMMITMENTS_SCHEMA, report),
        "commitments": [commitment_json(c) for c in report.commitments],
    }


_PROGRESS_COLOUR = {"met": "green", "met late": "green", "on track": "cyan", "in progress": "cyan", "late": "red", "unknown": "yellow"}


def commitment_lines(c: CommitmentProgress) -> list[str]:
    """One commitment's lines (its head, then a line per part), indented by two spaces."""
    lines: list[str] = []
    head = _style(c.status.upper(), fg=_PROGRESS_COLOUR[c.status], bold=True)
    lines.append(f"  {head}: {c.label} (for {c.role})" + (f", {c.source}" if c.source else ""))
    if c.owed_by:  # a place's duty to the person, not the person's own
        owed = c.owed_by_name or f"unknown (missing {c.role}.{c.owed_by})"
        lines.append(f"    owed by the {c.owed_by}: {owed}")
    if c.applies is None:
        lines.append(f"    whether it applies is unknown: missing {', '.join(c.missing)}")
    for p in c.parts:
        mark = _style(f"[{p.status}]".ljust(14), fg=_PROGRESS_COLOUR[p.status])
        detail = []
        if p.required is not None:
            detail.append(f"{p.done} of {p.required} done, {p.remaining} to go")
        if p.behind:
            detail.append(f"behind schedule by {p.behind}")
        if p.periods_due is not None:
            detail.append(f"{p.periods_met} of {p.periods_due} past period{'s' if p.periods_due != 1 else ''} met")
        if p.current and not p.periods:
            detail.append(p.current)
        if p.due:
            detail.append(f"due {p.due.isoformat()}")
        if p.met_on:
            detail.append(f"met on {p.met_on.isoformat()}")
        elif not p.met_on_known:
            detail.append("met, date not known")
        lines.append(f"    {mark} {p.label}" + (f": {'; '.join(detail)}" if detail else ""))
        for period in p.periods:  # a school calendar's periods: each one, met or missed
            lines.append(f"    {'':<14} {period}")
        for miss in () if p.periods else p.missed[:3]:
            lines.append(f"    {'':<14} missed {miss}")
        if len(p.missed) > 3 and not p.periods:
            lines.append(f"    {'':<14} ... and {len(p.missed) - 3} more missed period{'s' if len(p.missed) > 4 else ''}")
        if p.missing:
            lines.append(f"    {'':<14} missing: {', '.join(p.missing)}")
        for error in p.errors:
            lines.append(f"    {'':<14} error: {error}")
    return lines


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
        lines += commitment_lines(c)
    return "\n".join(lines)
