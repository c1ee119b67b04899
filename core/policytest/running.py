"""Running a suite: each case's question asked through the public API and compared with what it
expects; the results as text, JSON and JUnit XML."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ..errors import AccordError
from .coverage import Coverage
from .suites import MET, NOT_MET, Case, CaseResult, Failure, Suite

# --------------------------------------------------------------------------- running


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _rules_expected(expect: dict[str, Any], rules: dict[str, Any], out: list[Failure]) -> None:
    """`fails:`, `rules:` and `missing:`, against the rules of a decision."""
    if "fails" in expect:
        want = sorted(_as_list(expect["fails"]))
        got = sorted(label for label, r in rules.items() if r.status == NOT_MET and r.kind == "require")
        if want != got:
            loc = next((rules[x].location for x in set(want) ^ set(got) if x in rules), None)
            out.append(Failure("rules not met", want, got, loc))
    for label, status in (expect.get("rules") or {}).items():
        r = rules.get(label)
        if r is None:
            out.append(Failure(f"rule `{label}`", status, "no such rule (its rules: " + ", ".join(rules) + ")"))
        elif r.status != str(status):
            out.append(Failure(f"rule `{label}`", str(status), r.status + (f" ({r.because})" if r.because else ""), r.location))


def _check_expected(decision: Any, expect: dict[str, Any]) -> list[Failure]:
    out: list[Failure] = []
    if "outcome" in expect and str(expect["outcome"]) != decision.outcome_word:
        decider = next((r for r in (*decision.requirements, *decision.exceptions) if r.status != MET), None)
        out.append(Failure("outcome", str(expect["outcome"]), decision.outcome_word, decider.location if decider else None))
    rules = {r.label: r for r in (*decision.requirements, *decision.exceptions, *decision.preferences)}
    _rules_expected(expect, rules, out)
    if "missing" in expect and sorted(_as_list(expect["missing"])) != sorted(decision.missing):
        out.append(Failure("missing facts", sorted(_as_list(expect["missing"])), list(decision.missing)))
    if "decided_by" in expect and (expect["decided_by"] or None) != decision.decided_by:
        out.append(Failure("decided by", expect["decided_by"], decision.decided_by))
    if "score" in expect and str(expect["score"]) != str(decision.score):
        out.append(Failure("score", str(expect["score"]), str(decision.score)))
    return out


def _incentives_expected(report: Any, expect: dict[str, Any]) -> list[Failure]:
    from ..evaluate import Outcome

    out: list[Failure] = []
    for key, outcome in (("receives", Outcome.YES), ("not_received", Outcome.NO), ("undetermined", Outcome.UNKNOWN)):
        if key in expect:
            want = sorted(_as_list(expect[key]) if expect[key] else [])
            got = sorted({a.label for a in report.awards if a.outcome is outcome})
            if want != got:
                out.append(Failure(key.replace("_", " "), want, got))
    if "totals" in expect:
        want = {str(k): str(v) for k, v in (expect["totals"] or {}).items()}
        if want != report.totals():
            out.append(Failure("totals", want, report.totals()))
    return out


def _place_incentives_expected(report: Any, expect: dict[str, Any]) -> list[Failure]:
    """A place's incentives: `receives`, `not_received`, `undetermined` name what it receives as
    `PERSON: LABEL` (the person it is given per); `place_pays` and `place_receives` are its
    totals by unit (`USD: 1000`)."""
    from ..evaluate import Outcome

    out: list[Failure] = []
    for key, outcome in (("receives", Outcome.YES), ("not_received", Outcome.NO), ("undetermined", Outcome.UNKNOWN)):
        if key in expect:
            want = sorted(_as_list(expect[key]) if expect[key] else [])
            got = sorted({f"{r.person}: {r.award.label}" for r in report.receipts if r.award.outcome is outcome})
            if want != got:
                out.append(Failure(key.replace("_", " "), want, got))
    for key, totals in (("place_pays", report.totals()), ("place_receives", report.received_totals())):
        if key in expect:
            want_totals = {str(k): str(v) for k, v in (expect[key] or {}).items()}
            shown = {k: str(v) for k, v in totals.items()}
            if want_totals != shown:
                out.append(Failure(key.replace("_", " "), want_totals, shown))
    if "totals" in expect:
        out.append(Failure("expectations of a place's incentives", "place_pays, place_receives", "totals"))
    return out


def _commitments_expected(report: Any, expect: dict[str, Any]) -> list[Failure]:
    out: list[Failure] = []
    if hasattr(report, "duties"):  # asked of a place: each duty is named `PERSON: LABEL`
        owed = [(f"{d.person}: ", d.progress) for d in report.duties]
    else:
        owed = [("", c) for c in report.commitments]
    parts = {who + p.label: p for who, c in owed for p in c.parts}
    labels = {who + c.label: c for who, c in owed}
    for label, place in (expect.get("owed_by") or {}).items():
        got = (labels[label].owed_by_place or "unknown") if label in labels and labels[label].owed_by else "not reported" if label not in labels else "nobody"
        if got != str(place):
            out.append(Failure(f"who owes `{label}`", str(place), got, labels[label].location if label in labels else None))
    for label, status in (expect.get("status") or {}).items():
        got = parts[label].status if label in parts else labels[label].status if label in labels else "not reported"
        if got != str(status):
            loc = parts[label].location if label in parts else labels[label].location if label in labels else None
            out.append(Failure(f"status of `{label}`", str(status), got, loc))
    for label, remaining in (expect.get("remaining") or {}).items():
        got = parts[label].remaining if label in parts else "not reported"
        if str(got) != str(remaining):
            out.append(Failure(f"remaining of `{label}`", str(remaining), got, parts[label].location if label in parts else None))
    return out


def run_case(suite: Suite, case: Case) -> CaseResult:
    """Ask one case's question and compare the answer with what it expects."""
    import accord

    policy, facts, a = suite.policy, case.facts, case.args
    try:
        if case.question == "check":
            decision = accord.decide(policy, facts, a["person"], a["role"], case.as_of, explain=True)
            failures = _check_expected(decision, case.expect)
        elif case.question == "pair":
            decision = accord.decide_pair(policy, facts, a["first"], a["second"], case.as_of, explain=True, ends=a.get("ends"))
            failures = _check_expected(decision, case.expect)
        elif case.question == "incentives":
            from ..incentives import incentives

            if "place" in a:
                from ..places import place_incentives

                failures = _place_incentives_expected(place_incentives(facts, a["place"], case.as_of, lambda _: policy), case.expect)
            else:
                failures = _incentives_expected(incentives(policy, facts, a["person"], case.as_of), case.expect)
        elif case.question == "access":
            from ..access import access

            answer = access(policy, facts, a["viewer"], a["record"], case.as_of)
            want = str(case.expect["outcome"])
            failures = [] if answer.outcome.value == want else [Failure("access", want, answer.outcome.value, answer.location)]
        else:
            from ..commitments import commitments

            if "place" in a:
                from ..places import place_commitments

                failures = _commitments_expected(place_commitments(facts, a["place"], case.as_of, lambda _: policy), case.expect)
            else:
                failures = _commitments_expected(commitments(policy, facts, a["person"], case.as_of, role=a.get("role")), case.expect)
    except AccordError as exc:
        return CaseResult(case, suite.file, error=exc.render())
    return CaseResult(case, suite.file, tuple(failures))


def run_suite(suite: Suite, coverage: Coverage | None = None) -> list[CaseResult]:
    """Run every case of a suite; with `coverage`, every rule it evaluates on a case's day is counted."""
    if coverage is None:
        return [run_case(suite, case) for case in suite.cases]
    coverage.add_policy(suite.policy)
    coverage.declare(suite)
    recording = attrs.evolve(suite, policy=coverage.recording(suite.policy))
    out = []
    for case in suite.cases:
        coverage.as_of = case.as_of
        out.append(run_case(recording, case))
    return out


# --------------------------------------------------------------------------- reporting


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value


def report_text(results: list[CaseResult]) -> str:
    """pytest's style: a line of dots per file, then each failure, then a summary."""
    lines = []
    by_file: dict[str, list[CaseResult]] = {}
    for r in results:
        by_file.setdefault(r.file, []).append(r)
    for file, rs in by_file.items():
        lines.append(f"{file} " + "".join("." if r.passed else "E" if r.error else "F" for r in rs))
    failed = [r for r in results if not r.passed]
    if failed:
        lines.append("")
        lines.append("=" * 20 + " failures " + "=" * 20)
    for r in failed:
        lines.append(f"{r.where}: {r.case.name}")
        if r.error:
            lines.extend("    " + line for line in r.error.splitlines())
        for f in r.failures:
            lines.append(f"    {f.what}: expected {_show(f.expected)}, got {_show(f.actual)}" + (f"  (rule at {f.location})" if f.location else ""))
    passed = len(results) - len(failed)
    lines.append(f"{passed} passed" + (f", {len(failed)} failed" if failed else "") + f" in {len(by_file)} file{'s' if len(by_file) != 1 else ''}")
    return "\n".join(lines)


def report_json(results: list[CaseResult], coverage: Coverage | None) -> dict[str, Any]:
    return {
        "schema": "accord.test/1",
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "cases": [
            {
                "file": r.file,
                "line": r.case.line,
                "name": r.case.name,
                "question": r.case.question,
                "passed": r.passed,
                "error": r.error,
                "failures": [{"what": f.what, "expected": f.expected, "actual": f.actual, "location": f.location} for f in r.failures],
            }
            for r in results
        ],
        "coverage": coverage.to_json() if coverage else None,
    }


def junit_xml(results: list[CaseResult]) -> str:
    """The results as JUnit XML, one testsuite per file, for CI systems."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="accord test", tests=str(len(results)), failures=str(sum(not r.passed for r in results)))
    by_file: dict[str, list[CaseResult]] = {}
    for r in results:
        by_file.setdefault(r.file, []).append(r)
    for file, rs in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(len(rs)), failures=str(sum(bool(r.failures) for r in rs)), errors=str(sum(bool(r.error) for r in rs)))
        for r in rs:
            case = ET.SubElement(suite, "testcase", classname=file, name=r.case.name, file=file, line=str(r.case.line))
            if r.error:
                ET.SubElement(case, "error", message=r.error.splitlines()[0]).text = r.error
            elif r.failures:
                text = "\n".join(f"{f.what}: expected {_show(f.expected)}, got {_show(f.actual)}" for f in r.failures)
                ET.SubElement(case, "failure", message=text.splitlines()[0]).text = text
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
