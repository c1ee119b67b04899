"""Reading a test file: its YAML, checked key by key, into a `Suite` of `Case`s (every problem a
`TestFileError` with its file:line)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..errors import AccordError, Diagnostic, Span

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
    "incentives": {"receives", "not_received", "undetermined", "totals", "place_receives", "place_pays"},
    "access": {"outcome"},
    "commitments": {"status", "remaining", "owed_by"},
}
_ARGS = {
    "check": ({"person", "role"}, set()),
    "pair": ({"first", "second"}, {"ends"}),
    "incentives": ({"person"}, set()),
    "access": ({"viewer", "record"}, set()),
    "commitments": ({"person"}, {"role"}),
}
#: questions that may be asked of a place instead of a person (`commitments: {place: attleboro}`)
_OF_A_PLACE = {"incentives", "commitments"}


def _keys(doc: Any, allowed: set[str], what: str, file: str, line: int) -> None:
    from ..errors import suggest

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
    from ..facts import read_document

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
    from ..facts import facts_from_document

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
        if question in _OF_A_PLACE and isinstance(args, dict) and "place" in args:  # a place is the subject
            required, optional = {"place"}, set()
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
