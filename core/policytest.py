"""Policy tests (`accord test`): YAML files of questions and expected answers, run against a policy.

A test file (`NAME.test.yaml`, beside the policy `NAME.accord` it tests) names the policy, the
facts and the as-of date, then lists cases: a question (check, pair, incentives, access,
commitments) and what is expected. `load_suite` reads one file (every problem a `TestFileError`
with its file:line), `run_suite` asks each question through the public API, and `Coverage`
records which of met / not met / unknown every condition of every rule took (roles, pairs,
incentives, records, commitments, quantifier bodies).
`docs/testing.md` describes the format for policy authors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from . import ir
from .errors import AccordError, Diagnostic, Span

#: what a test file is called; `accord test DIR` finds every one under DIR
SUFFIX = ".test.yaml"
QUESTIONS = ("check", "pair", "incentives", "access", "commitments")
MET, NOT_MET, UNKNOWN = "met", "not met", "unknown"
_STATUSES = (MET, NOT_MET, UNKNOWN)


class TestFileError(AccordError):
    """A test file that cannot be read: bad YAML, an unknown key, a question without its person."""

    __test__ = False  # not a pytest test class, despite its name
    code = "T000"


TestFileError.__module__ = "accord"


# --------------------------------------------------------------------------- reading YAML


class _Map(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line it starts on (for located errors)."""

    line = 0


def _yaml_loader() -> type:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: Any, node: Any) -> _Map:
        out = _Map(loader.construct_mapping(node, deep=True))
        out.line = node.start_mark.line + 1
        return out

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return Loader


def _plain(value: Any) -> Any:
    """A YAML value as plain dicts and lists (what `facts_from_document` reads)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _error(code: str, message: str, file: str, line: int | None, hint: str | None = None) -> TestFileError:
    return TestFileError([Diagnostic(code, message, Span(file, line, 1) if line else None, hint)])


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _error("T001", f"cannot read test file `{path}`: {exc}", str(path), None) from None
    try:
        return yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise _error(
            "T002", f"`{path.name}` is not valid YAML: {problem}", str(path), mark.line + 1 if mark else None, "check the indentation and the `:` after each key"
        ) from None


# --------------------------------------------------------------------------- the model


@attrs.frozen
class Case:
    """One test: a question, the facts and date it is asked on, and what is expected."""

    name: str
    question: str
    args: dict[str, Any]
    facts: Any  # accord.Facts
    as_of: dt.date
    expect: dict[str, Any]
    line: int


@attrs.frozen
class Suite:
    """A test file: the policy it tests and its cases."""

    file: str
    policy: Any  # CompiledPolicy
    cases: tuple[Case, ...]
    #: outcomes the author declares no facts can produce: (rule label, condition text or None, outcome, why)
    unreachable: tuple[tuple[str, str | None, str, str], ...] = ()


@attrs.frozen
class Failure:
    """What one expectation wanted, and what Accord answered."""

    what: str
    expected: object
    actual: object
    location: str | None = None


@attrs.frozen
class CaseResult:
    case: Case
    file: str
    failures: tuple[Failure, ...] = ()
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.case.line}"


_FILE_KEYS = {"policy", "programme", "places", "as_of", "facts", "overrides", "tests", "unreachable"}
_CASE_KEYS = {"name", "as_of", "facts", "overrides", "expect", *QUESTIONS}
_EXPECT_KEYS = {
    "check": {"outcome", "fails", "rules", "missing", "decided_by"},
    "pair": {"outcome", "fails", "rules", "missing", "score"},
    "incentives": {"receives", "not_received", "undetermined", "totals"},
    "access": {"outcome"},
    "commitments": {"status", "remaining"},
}
_ARGS = {
    "check": ({"person", "role"}, set()),
    "pair": ({"first", "second"}, {"ends"}),
    "incentives": ({"person"}, set()),
    "access": ({"viewer", "record"}, set()),
    "commitments": ({"person"}, {"role"}),
}


def _keys(doc: Any, allowed: set[str], what: str, file: str, line: int) -> None:
    from .errors import suggest

    if not isinstance(doc, dict):
        raise _error("T003", f"{what} must be a mapping of `key: value`, got {type(doc).__name__}", file, line)
    for key in doc:
        if key not in allowed:
            close = suggest(str(key), allowed)
            hint = f"did you mean `{close}`?" if close else f"the keys are: {', '.join(sorted(allowed))}"
            raise _error("T004", f"unknown key `{key}` in {what}", file, getattr(doc, "line", line), hint)


def _date(value: Any, file: str, line: int) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _error("T005", f"`as_of: {value}` is not a date (YYYY-MM-DD)", file, line) from None


def _facts_document(spec: Any, overrides: Any, base_dir: Path, file: str, line: int) -> Any:
    """The facts document of a case: inline, or read from a file, with `overrides` applied."""
    from .facts import read_document

    if spec is None:
        raise _error("T006", "no facts: give `facts:` (inline, or a facts file) in the case or at the top of the file", file, line)
    if isinstance(spec, str):
        doc = read_document(base_dir / spec)
    else:
        doc = _plain(spec)
    if not overrides:
        return doc
    if not isinstance(overrides, dict) or not isinstance(doc, dict):
        raise _error("T007", "`overrides` must map a person id to the facts to change, e.g. `ana: {years_experience: 2}`", file, line)
    doc = json.loads(json.dumps(doc, default=str))  # a copy: a suite's shared facts stay as they were
    people = {p.get("id"): p for p in doc.get("people", []) if isinstance(p, dict)}
    for pid, changes in overrides.items():
        if pid not in people:
            raise _error("T008", f"`overrides` names `{pid}`, who is not in the facts", file, getattr(overrides, "line", line))
        if not isinstance(changes, dict):
            raise _error("T007", f"`overrides.{pid}` must map fact names to values (`null` removes a fact)", file, line)
        person_facts = people[pid].setdefault("facts", {})
        for name, value in _plain(changes).items():
            if value is None:
                person_facts.pop(name, None)  # a fact removed: the answer shows what it does when it is missing
            else:
                person_facts[name] = value.isoformat() if isinstance(value, dt.date) else value
    return doc


def load_suite(path: str | Path) -> Suite:
    """Read a test file and load its policy and facts; raises `TestFileError` (or a policy or facts error)."""
    from .facts import facts_from_document

    path = Path(path)
    file = str(path)
    doc = _read_yaml(path)
    _keys(doc, _FILE_KEYS, "a test file", file, 1)
    base_dir = path.parent
    policy = _load_policy(doc, path)
    as_of_default = doc.get("as_of")
    tests = doc.get("tests")
    if not isinstance(tests, list) or not tests:
        raise _error("T009", "a test file needs `tests:`, a list of cases", file, getattr(doc, "line", 1))
    facts_cache: dict[str, Any] = {}
    cases = []
    for i, raw in enumerate(tests):
        line = getattr(raw, "line", 1)
        _keys(raw, _CASE_KEYS, f"test {i + 1}", file, line)
        asked = [q for q in QUESTIONS if q in raw]
        if len(asked) != 1:
            raise _error("T010", f"test {i + 1} must ask exactly one question ({', '.join(QUESTIONS)}), it asks {len(asked)}", file, line)
        question = asked[0]
        args = raw[question]
        required, optional = _ARGS[question]
        if not isinstance(args, dict) or not required <= set(args):
            raise _error("T011", f"`{question}` needs {', '.join(sorted(required))}", file, line, f"e.g. `{question}: {{{', '.join(f'{k}: ...' for k in sorted(required))}}}`")
        _keys(args, required | optional, f"`{question}`", file, line)
        expect = raw.get("expect")
        if not isinstance(expect, dict) or not expect:
            raise _error("T012", f"test {i + 1} has no `expect:`", file, line, f"expect one of: {', '.join(sorted(_EXPECT_KEYS[question]))}")
        _keys(expect, _EXPECT_KEYS[question], f"`expect` of a `{question}` question", file, line)
        as_of = raw.get("as_of", as_of_default)
        if as_of is None:
            raise _error("T005", f"test {i + 1} has no `as_of` date (give it in the case or at the top of the file)", file, line)
        facts_spec = raw.get("facts", doc.get("facts"))
        overrides = {**(doc.get("overrides") or {}), **(raw.get("overrides") or {})} if "facts" not in raw else raw.get("overrides")
        key = json.dumps([facts_spec, overrides], default=str, sort_keys=True)
        if key not in facts_cache:
            facts_cache[key] = facts_from_document(_facts_document(facts_spec, overrides, base_dir, file, line), source=f"{file}:{line}")
        cases.append(
            Case(
                name=str(raw.get("name") or f"test {i + 1}"),
                question=question,
                args={str(k): str(v) for k, v in args.items()},
                facts=facts_cache[key],
                as_of=_date(as_of, file, line),
                expect=_plain(expect),
                line=line,
            )
        )
    return Suite(file, policy, tuple(cases), _unreachable(doc.get("unreachable"), file, getattr(doc, "line", 1)))


def _unreachable(raw: Any, file: str, line: int) -> tuple[tuple[str, str | None, str, str], ...]:
    out = []
    for item in raw or []:
        at = getattr(item, "line", line)
        _keys(item, {"rule", "condition", "outcome", "why"}, "an `unreachable` entry", file, at)
        if not {"rule", "outcome", "why"} <= set(item) or str(item["outcome"]) not in _STATUSES:
            raise _error(
                "T014", "an `unreachable` entry needs `rule`, `outcome` (met, not met or unknown) and `why`", file, at,
                "say why no facts can give that outcome: coverage shows the reason beside the rule",
            )
        out.append((str(item["rule"]), str(item["condition"]) if "condition" in item else None, str(item["outcome"]), str(item["why"])))
    return tuple(out)


def _load_policy(doc: dict[str, Any], path: Path) -> Any:
    import accord

    if "programme" in doc:
        places = doc.get("places") or []
        return accord.load_policy(programme=str(doc["programme"]), places=[str(p) for p in places])
    name = doc.get("policy") or path.name[: -len(SUFFIX)] + ".accord"
    policy_path = path.parent / str(name)
    return accord.load_policy(path=_shown(policy_path), text=_read_policy(policy_path, str(path), getattr(doc, "line", 1)))


def _read_policy(policy_path: Path, file: str, line: int) -> str:
    try:
        return policy_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise _error("T013", f"cannot read the policy `{policy_path}` this file tests", file, line, "name it with `policy: FILE.accord` (relative to the test file)") from None


def _shown(policy_path: Path) -> str:
    """How to name a policy file: a shipped policy as `rules/...` (as `extends` names its parents), else relative to here."""
    import importlib.resources

    resolved = policy_path.resolve()
    shipped = Path(str(importlib.resources.files("accord.rules"))).resolve()
    if resolved.is_relative_to(shipped):
        return "rules/" + resolved.relative_to(shipped).as_posix()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(policy_path)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """The test files a list of paths names: a file as it is, a folder searched for `*.test.yaml`."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*" + SUFFIX) if ".venv" not in q.parts and "node_modules" not in q.parts))
        elif p.is_file():
            out.append(p)
        else:
            raise TestFileError([Diagnostic("T001", f"no such test file or folder `{p}`")])
    return out


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
    from .evaluate import Outcome

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


def _commitments_expected(report: Any, expect: dict[str, Any]) -> list[Failure]:
    out: list[Failure] = []
    parts = {p.label: p for c in report.commitments for p in c.parts}
    labels = {c.label: c for c in report.commitments}
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
            from .incentives import incentives

            failures = _incentives_expected(incentives(policy, facts, a["person"], case.as_of), case.expect)
        elif case.question == "access":
            from .access import access

            answer = access(policy, facts, a["viewer"], a["record"], case.as_of)
            want = str(case.expect["outcome"])
            failures = [] if answer.outcome.value == want else [Failure("access", want, answer.outcome.value, answer.location)]
        else:
            from .commitments import commitments

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


# --------------------------------------------------------------------------- coverage


def _reads_nothing(node: ir.Node) -> bool:
    """Whether a value is the same for everyone: it reads only constants and parameters."""
    return all(isinstance(n, (ir.Lit, ir.SetOf, ir.Arith, ir.Neg, ir.Scaled, ir.Compare, ir.Member, ir.And, ir.Or, ir.Not)) for n in ir.walk(node))


def _could_be_unknown(node: ir.Node) -> bool:
    """Whether a value can be unknown: it reads a fact, a field or a function, or a parameter set to `none`."""
    from .values import Unknown

    return any(
        isinstance(n, (ir.Fact, ir.ItemField, ir.PlaceAbove, ir.Sum, ir.Latest, ir.CallFn)) or (isinstance(n, ir.Lit) and isinstance(n.value, Unknown))
        for n in ir.walk(node)
    )


_KLEENE_NOT = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}


def reachable(node: ir.Node) -> frozenset[str]:
    """The outcomes a condition can take for some person under this policy (a layer's parameters fixed).

    A condition over constants and parameters alone (`mentor_experience_required`) has the one
    value the policy gives it; `and`, `or` and `not` combine their operands' outcomes (in Kleene
    logic); any other condition can be met or not met, and unknown where it reads a fact.
    Operands are taken as independent: `x >= 3 and x < 2` still counts as reachable.
    """
    if isinstance(node, ir.Not):
        return frozenset(_KLEENE_NOT[o] for o in reachable(node.operand))
    if isinstance(node, (ir.And, ir.Or)):
        import itertools

        decisive, other = (MET, NOT_MET) if isinstance(node, ir.Or) else (NOT_MET, MET)
        out = set()
        for combo in itertools.product(*(reachable(op) for op in node.operands)):
            out.add(decisive if decisive in combo else UNKNOWN if UNKNOWN in combo else other)
        return frozenset(out)
    if _reads_nothing(node):
        value = _constant(node)
        if value is not None:
            return frozenset({value})
    return frozenset({MET, NOT_MET, UNKNOWN} if _could_be_unknown(node) else {MET, NOT_MET})


def _constant(node: ir.Node) -> str | None:
    """The outcome of a condition over constants alone, by asking the reference interpreter (no facts needed)."""
    from .interpret import Interpreter
    from .values import Unknown

    try:
        value = Interpreter(None).eval(node, {})  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - then it is counted as any condition is
        return None
    return MET if value is True else NOT_MET if value is False else UNKNOWN if isinstance(value, Unknown) else None


@attrs.define
class Condition:
    """One boolean condition inside a rule, and the outcomes the suites gave it."""

    rule: str  # the rule's label
    kind: str
    location: str  # the rule's file:line:col
    path: tuple[int, ...]  # where it sits in the rule's condition: () the whole condition
    text: str
    needed: tuple[str, ...]
    seen: set[str] = attrs.Factory(set)
    #: outcomes a suite declared unreachable, with why
    declared: dict[str, str] = attrs.Factory(dict)
    #: the kind of block the rule is in: role, pair, incentive, record or commitment
    block: str = "role"

    @property
    def missed(self) -> list[str]:
        return [s for s in self.needed if s not in self.seen]


def _conditions(node: ir.Node, path: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], ir.Node]]:
    """Every condition inside a rule's condition with its path: the operands of and/or/not and
    the body of a quantifier (`every m in person.mentor: BODY`), as `Coverage._trace` visits them."""
    yield path, node
    if isinstance(node, (ir.And, ir.Or, ir.Not)):
        for i, child in enumerate(ir.children(node)):
            yield from _conditions(child, (*path, i))
    elif isinstance(node, ir.Quantified):
        yield from _conditions(node.body, (*path, _BODY))


#: the body's index among a quantifier's children (collection, body)
_BODY = 1


def _outcome(value: Any) -> str:
    from .values import Unknown

    return MET if value is True else NOT_MET if value is False else UNKNOWN if isinstance(value, Unknown) else "error"


def _labels(checked: Any) -> dict[tuple[str, str], str]:
    """Labels for rules whose own label says too little: a commitment's `when` (`applies`)."""
    return {("applies", str(c.span)): f"{c.label}: when" for c in checked.commitments if c.applies is not None}


class Coverage:
    """Which of met / not met / unknown each condition of each rule took across the suites.

    Counted: every rule of every block a policy compiles (`CheckedPolicy.blocks`): the
    requirements and exceptions of roles, the requirements and preferences of pair rules, the
    requirements of incentives, the `when` conditions of records (`visible ... when`, `reveals`),
    and the deadline conditions and `when` of commitments; inside each, the operands of
    and/or/not and the body of every quantifier, once per member. Each rule by its location, so
    a parent's rule is one rule however many layers' suites reach it. Each condition needs the
    outcomes it can reach (`reachable`), in any of the policies that use it.

    A suite's policy is replaced by a recording copy (`recording`) whose every block, when run
    on the day a case asks about, also evaluates its rules through the reference interpreter.
    """

    def __init__(self) -> None:
        self.conditions: dict[tuple[str, tuple[int, ...]], Condition] = {}
        self.exceptions: dict[str, str] = {}  # location -> label, of every exception (`grants`/`denies`)
        self.fired: set[str] = set()
        #: the day the current case asks about: evaluations on other days (a commitment's history) are not counted
        self.as_of: dt.date | None = None

    def add_policy(self, policy: Any) -> None:
        labels = _labels(policy.checked)
        for key, block in policy.units.items():
            for rule in block.rules:
                if rule.span is None or rule.condition is None:
                    continue
                loc = str(rule.span)
                label = labels.get((rule.label, loc), rule.label)
                if rule.kind in ("grants", "denies"):
                    self.exceptions[loc] = label
                for path, node in _conditions(rule.condition, ()):
                    # a rule of a parent layer may see other parameter values here: it needs what either allows
                    known = self.conditions.get((loc, path))
                    needed = reachable(node) | set(known.needed if known else ())
                    order = tuple(s for s in _STATUSES if s in needed)
                    if known:
                        known.needed = order
                    else:
                        self.conditions[(loc, path)] = Condition(label, rule.kind, loc, path, node.text, order, block=key.split(":")[0])

    def declare(self, suite: Suite) -> None:
        """Take out of what is needed the outcomes a suite declares unreachable; an entry that names no condition is a test-file error."""
        for label, text, outcome, why in suite.unreachable:
            found = [c for c in self.conditions.values() if c.rule == label and (c.text == text if text else not c.path)]
            if not found:
                raise _error("T015", f"`unreachable` names a rule or condition the policy does not have: `{label}`" + (f" `{text}`" if text else ""), suite.file, None)
            for c in found:
                if outcome in c.needed:
                    c.needed = tuple(s for s in c.needed if s != outcome)
                    c.declared[outcome] = why

    def recording(self, policy: Any) -> Any:
        """A copy of a compiled policy whose blocks answer as before and count every condition they evaluate."""
        blocks = {key: self._recorder(fn, policy.units[key]) for key, fn in policy.blocks.items()}
        return attrs.evolve(policy, blocks=blocks)

    def _recorder(self, fn: Any, block: ir.Block) -> Any:
        def run(ctx: Any, *values: Any) -> Any:
            out = fn(ctx, *values)
            if self.as_of is None or ctx.as_of == self.as_of:
                self.record(block, ctx, dict(zip(block.params, values)))
            return out

        return run

    def record(self, block: ir.Block, ctx: Any, env: dict[str, Any]) -> None:
        """Count the outcome of every condition of a block's rules, evaluated on `ctx` with `env` bound."""
        from .interpret import Interpreter

        interp = Interpreter(ctx)
        for rule in block.rules:
            if rule.span is None or rule.condition is None:
                continue
            loc = str(rule.span)
            value = self._trace(interp, loc, rule.condition, env, ())
            if rule.kind in ("grants", "denies") and value is True:
                self.fired.add(loc)

    def _trace(self, interp: Any, loc: str, node: ir.Node, env: dict[str, Any], path: tuple[int, ...]) -> Any:
        from . import runtime
        from .values import Unknown

        try:
            value = interp.eval(node, env)
        except Exception as exc:  # noqa: BLE001 - a failing condition is an outcome ("error"), as in a decision
            value = runtime.failed(exc)
        cond = self.conditions.get((loc, path))
        if cond is not None:
            cond.seen.add(_outcome(value))
        if isinstance(node, (ir.And, ir.Or, ir.Not)):
            for i, child in enumerate(ir.children(node)):
                self._trace(interp, loc, child, env, (*path, i))
        elif isinstance(node, ir.Quantified):
            try:
                members = interp.eval(node.collection, env)
            except Exception:  # noqa: BLE001 - the quantifier itself is counted as failing
                members = None
            if members is not None and members.__class__ is not Unknown and not isinstance(members, runtime.RuleFailure):
                for member in runtime._ordered(members):
                    self._trace(interp, loc, node.body, {**env, node.var: member}, (*path, _BODY))
        return value

    @property
    def needed(self) -> int:
        return sum(len(c.needed) for c in self.conditions.values())

    @property
    def covered(self) -> int:
        return sum(len(c.needed) - len(c.missed) for c in self.conditions.values())

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.needed if self.needed else 100.0

    def never_fired(self) -> list[tuple[str, str]]:
        return sorted((loc, label) for loc, label in self.exceptions.items() if loc not in self.fired)

    def to_json(self) -> dict[str, Any]:
        return {
            "percent": round(self.percent, 1),
            "covered": self.covered,
            "needed": self.needed,
            "conditions": [
                {
                    "rule": c.rule,
                    "kind": c.kind,
                    "location": c.location,
                    "path": list(c.path),
                    "condition": c.text,
                    "needed": list(c.needed),
                    "seen": [s for s in (*_STATUSES, "error") if s in c.seen],
                    "missed": c.missed,
                    "declared_unreachable": c.declared,
                    "block": c.block,
                }
                for c in self._sorted()
            ],
            "exceptions_never_fired": [{"location": loc, "rule": label} for loc, label in self.never_fired()],
        }

    def _sorted(self) -> list[Condition]:
        def key(c: Condition) -> tuple[str, int, int, tuple[int, ...]]:
            file, line, col = c.location.rsplit(":", 2)
            return file, int(line), int(col), c.path

        return sorted(self.conditions.values(), key=key)

    def text(self) -> str:
        by_file: dict[str, list[Condition]] = {}
        for c in self._sorted():
            by_file.setdefault(c.location.rsplit(":", 2)[0], []).append(c)
        lines = ["condition coverage (met / not met / unknown where it can be unknown):"]
        for file, conds in by_file.items():
            need = sum(len(c.needed) for c in conds)
            have = sum(len(c.needed) - len(c.missed) for c in conds)
            lines.append(f"  {file}: {have}/{need} ({100.0 * have / need:.0f}%)")
            for c in conds:
                where = "" if not c.path else f" `{c.text}`"
                for outcome, why in c.declared.items():
                    lines.append(f"    {c.location} \"{c.rule}\"{where}: {outcome} declared unreachable: {why}")
                if c.missed:
                    lines.append(f"    {c.location} \"{c.rule}\"{where}: never {' or '.join(c.missed)}")
        fired = self.never_fired()
        for loc, label in fired:
            lines.append(f"  exception never fired: {loc} \"{label}\"")
        lines.append(f"total: {self.covered}/{self.needed} ({self.percent:.1f}%)")
        return "\n".join(lines)


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


# --------------------------------------------------------------------------- boundary cases (`--generate`)


@attrs.frozen
class _Threshold:
    """A requirement's comparison of a person's fact with a constant: `person.years_experience >= 3 years`."""

    fact: str
    op: str  # >=, >, <=, <, ==, !=, in, not in
    value: object
    type: Any
    rule: str


def _thresholds(rule: ir.Rule) -> Iterator[_Threshold]:
    flip = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
    for node in ir.walk(rule.condition):
        if isinstance(node, ir.Compare):
            left, right, op = node.left, node.right, node.op
            if isinstance(left, ir.Lit) and isinstance(right, ir.Fact):
                left, right, op = right, left, flip[op]
            if isinstance(left, ir.Fact) and isinstance(left.subject, ir.Var) and left.derive is None and isinstance(right, ir.Lit):
                yield _Threshold(left.name, op, right.value, left.type, rule.label)
        elif isinstance(node, ir.Member) and isinstance(node.element, ir.Fact) and isinstance(node.element.subject, ir.Var):
            if node.element.derive is None and isinstance(node.collection, ir.Lit) and isinstance(node.collection.value, frozenset):
                yield _Threshold(node.element.name, "not in" if node.negated else "in", node.collection.value, node.element.type, rule.label)
        elif isinstance(node, ir.Fact) and isinstance(node.subject, ir.Var) and node.derive is None and str(node.type) == str(_bool()):
            yield _Threshold(node.name, "==", True, node.type, rule.label)


def _bool() -> Any:
    from .values import BOOL

    return BOOL


def _step(value: object) -> Any:
    from decimal import Decimal

    if isinstance(value, dt.date):
        return dt.timedelta(days=1)
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        return Decimal(1).scaleb(min(int(exponent), 0) - 1)
    return None


def _doc_value(value: object) -> object:
    """A runtime value as a facts file writes it."""
    import enum
    from decimal import Decimal

    from .values import show_number

    if isinstance(value, enum.IntEnum):
        return value.name
    if isinstance(value, Decimal):
        text = show_number(value)
        return int(text) if "." not in text else float(text) if len(text) < 15 else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _other(value: object, t: Any, avoid: Iterable[object]) -> object | None:
    """A value of type `t` that is none of `avoid` (for `=` and `in`): another choice or level."""
    avoid = set(avoid)
    options = list(getattr(t, "values", ()) or getattr(t, "levels", ()))
    if isinstance(value, bool):
        return not value
    for o in options:
        if o not in {getattr(a, "name", a) for a in avoid}:
            return o
    return None


def _cases(th: _Threshold) -> tuple[object, list[tuple[str, object]]]:
    """The passing value of a threshold, and the boundary cases: exactly at, just outside, missing."""
    import enum

    v, op = th.value, th.op
    step = _step(v)
    cases: list[tuple[str, object]] = []
    if op in ("in", "not in"):
        members = sorted(v, key=str)  # type: ignore[arg-type]
        outside = _other(None, th.type, members)
        inside = members[0] if members else None
        passing = inside if op == "in" else outside
        cases = [(f"`{th.fact}` is {_doc_value(inside)}", inside), (f"`{th.fact}` is outside the set", outside)]
        return passing, [(n, x) for n, x in cases if x is not None]
    if isinstance(v, enum.IntEnum):
        levels = list(type(v))
        below = levels[v - 1] if v > 0 else None
        above = levels[v + 1] if v + 1 < len(levels) else None
        near = below if op in (">=", ">", "==") else above
        passing = v if op in (">=", "<=", "==") else above if op == ">" else below
        cases = [(f"`{th.fact}` exactly at {v.name}", v), (f"`{th.fact}` just {'below' if near is below else 'above'} {v.name}", near)]
        return passing, [(n, x) for n, x in cases if x is not None]
    if step is None:  # a choice, text or yes/no: equal, or something else
        other = _other(v, th.type, [v])
        passing = v if op == "==" else other
        cases = [(f"`{th.fact}` is {_yaml(_doc_value(v))}", v), (f"`{th.fact}` is something else", other)]
        return passing, [(n, x) for n, x in cases if x is not None]
    below, above = v - step, v + step  # type: ignore[operator]
    passing = {">=": v, ">": above, "<=": v, "<": below, "==": v, "!=": above}[op]
    outside = below if op in (">=", ">", "==", "!=") else above
    word = "below" if outside is below else "above"
    return passing, [(f"`{th.fact}` exactly at {_doc_value(v)}", v), (f"`{th.fact}` just {word} {_doc_value(v)}", outside)]


def _yaml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def generate(policy_path: str | Path, as_of: dt.date | None = None) -> str:
    """A starting test file for a policy: for every threshold of every role's rules, the cases
    exactly at it, just outside it, and with the fact missing, each expected answer filled in
    from what Accord answers now and marked `# confirm`."""
    import accord
    from .facts import facts_from_document

    path = Path(policy_path)
    policy = accord.load_policy(path=_shown(path), text=_read_policy(path, str(path), 1))
    c = policy.checked
    as_of = as_of or c.effective_from or dt.date.today()
    out = [
        f"# Boundary cases for {path.name}, written by `accord test --generate`.",
        "# Every expected answer is what Accord answers today: confirm each one against the policy's text.",
        f"policy: {path.name}",
        f"as_of: {as_of.isoformat()}",
        "tests:",
    ]
    n = 0
    for role_name, role in c.roles.items():
        thresholds = [th for rule in role.requirements + role.exceptions for th in _thresholds(rule)]
        if not thresholds:
            continue
        base: dict[str, object] = {}
        for th in thresholds:
            passing, _ = _cases(th)
            if passing is not None and th.fact not in base:
                base[th.fact] = _doc_value(passing)
        for th in thresholds:
            _, cases = _cases(th)
            for name, value in [*cases, (f"`{th.fact}` missing", None)]:
                person_facts = {**base, th.fact: _doc_value(value)} if value is not None else {k: v for k, v in base.items() if k != th.fact}
                doc = {"people": [{"id": "p", "name": "Test Person", "facts": person_facts}]}
                try:
                    decision = accord.decide(policy, facts_from_document(doc), "p", role_name, as_of)
                except AccordError as exc:
                    out.append(f"  # {role_name}, {name}: skipped, {exc.diagnostics[0].message}")
                    continue
                status = next((r.status for r in (*decision.requirements, *decision.exceptions) if r.label == th.rule), "unknown")
                n += 1
                out += [
                    f"  - name: {_yaml(f'{role_name}: {name}')}",
                    f"    check: {{person: p, role: {role_name}}}",
                    "    facts:",
                    "      people:",
                    "        - id: p",
                    f"          facts: {_yaml(person_facts)}",
                    "    expect:",
                    f"      outcome: {decision.outcome_word}  # confirm",
                    f"      rules: {{{_yaml(th.rule)}: {status}}}  # confirm",
                ]
    if not n:
        out.append("  []  # no requirement compares a person's fact with a constant: write the cases by hand")
    return "\n".join(out) + "\n"
