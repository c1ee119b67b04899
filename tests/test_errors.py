"""Errors people can act on: one malformed policy per error code, each with its exact message.

`tests/errors/<code>_<slug>.accord` is a policy that must fail with exactly that code;
`<code>_<slug>.expected` is the message `PolicyError.render()` gives for it, byte for byte.
Regenerate the goldens with `ACCORD_UPDATE_GOLDEN=1 python -m pytest tests/test_errors.py`,
then read every changed one: a golden is a reviewed message, not a snapshot.

Facts files have their own codes (F001-F004); those are checked below against their paths.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest

import accord
from accord.facts import facts_from_document

ROOT = Path(__file__).resolve().parent.parent
ERRORS = Path(__file__).resolve().parent / "errors"
FIXTURES = sorted(p.name for p in ERRORS.glob("P[0-9][0-9][0-9]_*.accord"))
UPDATE = os.environ.get("ACCORD_UPDATE_GOLDEN") == "1"


def _load(name: str) -> accord.PolicyError:
    """The problems of a fixture: its errors, or for a warning's fixture (which loads) its warnings."""
    try:
        policy = accord.load_policy(name)
    except accord.PolicyError as exc:
        return exc
    assert policy.checked.warnings, f"{name} loads without a problem"
    return accord.PolicyError(list(policy.checked.warnings))


#: codes the checker reports as warnings: the policy loads, and `accord lint --strict` fails on them
WARNING_CODES = {"P140", "P141", "P150", "P153", "P181"}


@pytest.fixture
def in_errors(monkeypatch):
    # Loaded by a relative name, so the file names in the messages (and the goldens) are stable.
    monkeypatch.chdir(ERRORS)


@pytest.mark.parametrize("name", FIXTURES)
def test_each_fixture_fails_with_its_own_code_and_its_golden_message(name, in_errors):
    code = name.split("_", 1)[0]
    error = _load(name)
    severity = "warning" if code in WARNING_CODES else "error"
    assert [d.code for d in error.diagnostics] == [code], error.render()
    d = error.diagnostics[0]
    assert d.span is not None and d.span.file == name and d.span.line >= 1, "every policy error says where it is"
    assert d.message == d.message.strip() and not d.message.endswith("."), "messages have no trailing period"
    assert d.message[0].islower() or d.message[0] in "`\"", "messages start in lower case"
    rendered = error.render()
    assert rendered.startswith(f"{name}:{d.span.line}:{d.span.column}: {severity}[{code}]: ")
    assert "Traceback" not in rendered
    golden = ERRORS / name.replace(".accord", ".expected")
    if UPDATE:
        golden.write_text(rendered + "\n", encoding="utf-8")
    assert golden.is_file(), f"no golden for {name}: run with ACCORD_UPDATE_GOLDEN=1 and review it"
    assert rendered + "\n" == golden.read_text(encoding="utf-8")


def test_every_golden_has_a_fixture():
    goldens = {p.name.replace(".expected", ".accord") for p in ERRORS.glob("*.expected")}
    assert goldens == set(FIXTURES)


def test_every_code_the_parser_and_checker_emit_has_a_fixture():
    emitted = set()
    modules = [ROOT / "core" / "parse.py", ROOT / "core" / "layers.py", ROOT / "core" / "builtins.py", *sorted((ROOT / "core" / "check").glob("*.py"))]
    for path in modules:
        assert path.is_file(), path
        emitted |= set(re.findall(r'"(P\d{3})"', path.read_text(encoding="utf-8")))
    covered = {name.split("_", 1)[0] for name in FIXTURES}
    assert emitted - covered == set(), "codes without a fixture in tests/errors"
    assert covered - emitted == set(), "fixtures for codes nobody emits"


def test_every_problem_of_a_file_is_reported_sorted_by_position():
    text = (
        'policy "Many problems"\n'
        "  programme demo\n"
        "role mentor\n"
        '  require "a": person.years_experiance >= 3 years\n'  # line 4: P102
        '  require "b": person.years_experience >= 3 hours\n'  # line 5: P111
        '  require "c": evaluate(person)\n'  # line 6: P105
    )
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(text=text)
    diags = excinfo.value.diagnostics
    assert [(d.code, d.span.line) for d in diags] == [("P102", 4), ("P111", 5), ("P105", 6)]
    rendered = excinfo.value.render()
    assert rendered.count("error[") == 3


def test_at_most_ten_problems_are_shown_and_the_rest_counted():
    lines = "".join(f'  require "r{i}": person.nope{i}\n' for i in range(13))
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(text=f'policy "P"\n  programme demo\nrole mentor\n{lines}')
    assert len(excinfo.value.diagnostics) == 13
    rendered = excinfo.value.render()
    assert rendered.count("error[P102]") == 10
    assert rendered.endswith("... and 3 more errors")


def test_a_missing_policy_file_is_P005(tmp_path):
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(tmp_path / "nope.accord")
    assert [d.code for d in excinfo.value.diagnostics] == ["P005"]
    assert excinfo.value.render() == f"error[P005]: cannot read policy file `{tmp_path / 'nope.accord'}`: no such file"


def test_a_missing_parent_policy_is_P005(tmp_path):
    child = tmp_path / "child.accord"
    child.write_text('policy "Child"\n  programme demo\n  extends "no-such-parent"\n', encoding="utf-8")
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(child)
    assert [d.code for d in excinfo.value.diagnostics] == ["P005"]
    assert "`no-such-parent`" in excinfo.value.render()


def test_policy_errors_are_accord_errors_with_a_public_module():
    assert issubclass(accord.PolicyError, accord.AccordError)
    assert issubclass(accord.FactsError, accord.AccordError)
    assert accord.PolicyError.__module__ == "accord"


# =========================================================================== facts files

GOOD = {
    "places": [{"id": "att", "kind": "district"}],
    "people": [
        {"id": "ana", "place": "att", "facts": {"years_experience": 7}},
        {"id": "ben", "facts": {"years_experience": "2.9"}},
        {"id": "cara", "facts": {"years_experience": 12}},
    ],
    "relationships": [{"kind": "mentoring", "mentor": "ana", "mentee": "ben"}],
    "evidence": [{"id": "e1", "kind": "observation", "subject": "ben", "date": "2025-10-01", "announced": True}],
}


def _facts_error(doc: object) -> accord.FactsError:
    with pytest.raises(accord.FactsError) as excinfo:
        facts_from_document(doc, source="facts.json")
    return excinfo.value


def _with(path: str, value: object) -> dict:
    """GOOD with one value replaced, `path` like people[2].facts.years_experience."""
    doc = copy.deepcopy(GOOD)
    *parents, last = re.findall(r"[^.\[\]]+", path)
    node: object = doc
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]  # type: ignore[index]
    node[int(last) if last.isdigit() else last] = value  # type: ignore[index]
    return doc


def test_the_good_document_loads():
    loaded = facts_from_document(GOOD)
    assert set(loaded.people) == {"ana", "ben", "cara"}


def test_F001_a_missing_facts_file(tmp_path):
    with pytest.raises(accord.FactsError) as excinfo:
        accord.load_facts(tmp_path / "nope.json")
    assert [d.code for d in excinfo.value.diagnostics] == ["F001"]
    assert excinfo.value.render() == f"error[F001]: cannot read facts file `{tmp_path / 'nope.json'}`: no such file"


def test_F002_a_file_that_is_not_json_says_where(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text('{"people": [\n  {"id": "ana",}\n]}\n', encoding="utf-8")
    with pytest.raises(accord.FactsError) as excinfo:
        accord.load_facts(path)
    assert [d.code for d in excinfo.value.diagnostics] == ["F002"]
    assert excinfo.value.render().startswith(f"error[F002]: {path}:2:16: not valid JSON")


def test_F002_a_file_that_is_not_toml(tmp_path):
    path = tmp_path / "facts.toml"
    path.write_text("[[people]\nid = 'ana'\n", encoding="utf-8")
    with pytest.raises(accord.FactsError) as excinfo:
        accord.load_facts(path)
    assert [d.code for d in excinfo.value.diagnostics] == ["F002"]
    assert "not valid TOML" in excinfo.value.render()


def test_a_toml_facts_file_loads_like_json(tmp_path):
    path = tmp_path / "facts.toml"
    path.write_text('[[people]]\nid = "ana"\n[people.facts]\nyears_experience = 7\nmentor_trained = true\n', encoding="utf-8")
    loaded = accord.load_facts(path)
    assert loaded.people["ana"].facts["mentor_trained"] is True


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "facts.json: a facts file is an object with a `people` list"),
        (_with("people[0].nmae", "Ana"), "facts.json: people[0]: unknown field `nmae`; did you mean `name`?"),
        (_with("people[1].id", 3), "facts.json: people[1].id: expected text, got 3"),
        (_with("evidence[0].date", "2025-13-01"), 'facts.json: evidence[0].date: expected a date (YYYY-MM-DD), got "2025-13-01"'),
        (_with("relationships[0].from", "soon"), 'facts.json: relationships[0].from: expected a date (YYYY-MM-DD), got "soon"'),
    ],
)
def test_F003_a_document_of_the_wrong_shape_names_the_path(doc, message):
    error = _facts_error(doc)
    assert [d.code for d in error.diagnostics] == ["F003"]
    assert error.diagnostics[0].message == message


def test_F003_a_misspelt_table_says_both_what_is_missing_and_what_was_meant():
    error = _facts_error({"poeple": []})
    assert [(d.code, d.message) for d in error.diagnostics] == [
        ("F003", "facts.json: people: required but missing"),
        ("F003", "facts.json: unknown field `poeple`; did you mean `people`?"),
    ]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_with("people[2].facts.years_experience", "three"), 'people[2].facts.years_experience: expected a number of years, got "three"'),
        (_with("people[1].facts.mentor_trained", "yes"), 'people[1].facts.mentor_trained: expected true or false, got "yes"'),
        (_with("people[0].facts.licence", "full"), 'people[0].facts.licence: expected one of provisional, initial, professional, got "full"'),
        (
            _with("people[0].facts.years_experiance", 3),
            "people[0].facts.years_experiance: no installed programme declares this fact; did you mean `years_experience`?",
        ),
        (
            _with("people[0].facts.association_membership", "active"),
            "people[0].facts.association_membership: this fact is computed from other facts; leave it out",
        ),
        (_with("relationships[0].mentee", "bne"), "relationships[0].mentee: no person `bne`; did you mean `ben`?"),
        (_with("relationships[0].kind", "mentorin"), "relationships[0].kind: unknown relationship kind `mentorin`; did you mean `mentoring`?"),
        (_with("evidence[0].subject", "zed"), "evidence[0].subject: no person `zed`"),
        (_with("evidence[0].anounced", True), "evidence[0].anounced: observation evidence has no field `anounced`; did you mean `announced`?"),
        (_with("people[0].place", "atl"), "people[0].place: no place `atl`; did you mean `att`?"),
        (_with("places[0].kind", "distrct"), "places[0].kind: unknown kind of place `distrct`; did you mean `district`?"),
        (_with("people[2].id", "ana"), "people[2].id: `ana` is used twice"),
    ],
)
def test_F004_a_value_that_does_not_fit_names_its_path(doc, message):
    error = _facts_error(doc)
    assert [d.code for d in error.diagnostics] == ["F004"], error.render()
    assert error.diagnostics[0].message == f"facts.json: {message}"


def test_every_problem_of_a_facts_file_is_reported_at_once():
    doc = _with("people[2].facts.years_experience", "three")
    doc["relationships"].append({"kind": "mentoring", "mentor": "ana", "mentee": "zed"})
    doc["evidence"][0]["anounced"] = True
    error = _facts_error(doc)
    assert [d.message for d in error.diagnostics] == [
        'facts.json: people[2].facts.years_experience: expected a number of years, got "three"',
        "facts.json: relationships[1].mentee: no person `zed`",
        "facts.json: evidence[0].anounced: observation evidence has no field `anounced`; did you mean `announced`?",
    ]


def test_nothing_is_half_loaded(tmp_path):
    """A facts file with one bad value gives no Facts at all, and leaves its document untouched."""
    doc = _with("people[2].facts.years_experience", "three")
    before = copy.deepcopy(doc)
    _facts_error(doc)
    assert doc == before
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(accord.FactsError):
        accord.load_facts(path)
    # a later good load sees only its own people: nothing of the failed one leaked anywhere
    good = facts_from_document({"people": [{"id": "solo"}]})
    assert list(good.people) == ["solo"]
    with pytest.raises(accord.UsageError):
        good.person("ana")
