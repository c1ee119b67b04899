"""The `accord` command, through click's CliRunner: every command, its exit codes, text and JSON.

Exit codes: 0 eligible / allowed / clean, 1 not eligible / not allowed, 3 undetermined, 2 bad
input or usage. An expected failure is a message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from accord.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO_FACTS = ROOT / "examples" / "demo" / "facts.json"
CORPUS = Path(__file__).resolve().parent / "corpus"

POLICY = """\
policy "CLI test policy"
  programme demo
  version "7"
  effective 2025-07-01 to 2026-06-30

role mentor
  require "is trained" source "handbook 3.1":
    person.mentor_trained
  require "has three years of experience" source "handbook 3.2":
    person.years_experience >= 3 years

pair mentor, mentee
  require "is not the same person": mentor is not mentee
  require "the mentor does not evaluate the mentee": not evaluates(mentor, mentee)
  prefer "same subject" weight 3: mentor.subject_area = mentee.subject_area
"""

FACTS = {
    "people": [
        {"id": "ana", "name": "Ana Ruiz", "facts": {"mentor_trained": True, "years_experience": 7, "subject_area": "mathematics"}},
        {"id": "ben", "name": "Ben Okafor", "facts": {"mentor_trained": True, "years_experience": "2.9", "subject_area": "science"}},
        {"id": "cara", "name": "Cara Lind", "facts": {"years_experience": 12, "subject_area": "mathematics"}},
        {"id": "dev", "name": "Dev Patel", "facts": {"subject_area": "mathematics"}},
    ],
    "relationships": [{"kind": "evaluation", "evaluator": "ben", "evaluatee": "dev", "from": "2025-09-01", "to": "2026-01-31"}],
}
AS_OF = ["--as-of", "2026-01-15"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    policy = tmp_path / "policy.accord"
    policy.write_text(POLICY, encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS), encoding="utf-8")
    broken = tmp_path / "broken.accord"
    broken.write_text(POLICY.replace("person.years_experience", "person.years_experiance"), encoding="utf-8")
    return {"policy": str(policy), "facts": str(facts), "broken": str(broken), "dir": str(tmp_path)}


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    # a traceback is a bug: every expected failure ends in SystemExit with a message
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def check(files: dict[str, str], *args: str) -> Result:
    return run("check", files["facts"], "--policy", files["policy"], *AS_OF, *args)


# =========================================================================== check: exit codes and text


@pytest.mark.parametrize(
    ("person", "code", "headline"),
    [
        ("ana", 0, "ELIGIBLE: Ana Ruiz (ana) as mentor"),
        ("ben", 1, "NOT ELIGIBLE: Ben Okafor (ben) as mentor"),  # 2.9 years
        ("cara", 3, "UNDETERMINED: Cara Lind (cara) as mentor"),  # training unknown
    ],
)
def test_check_exit_code_follows_the_outcome(files, person, code, headline):
    result = check(files, "--person", person, "--role", "mentor")
    assert result.exit_code == code, result.output
    assert result.stdout.splitlines()[0] == headline
    assert 'policy "CLI test policy" 7' in result.stdout
    assert "as of 2026-01-15" in result.stdout


def test_check_text_says_why_with_citations_and_what_is_missing(files):
    ben = check(files, "--person", "ben", "--role", "mentor").stdout
    assert "has three years of experience: 2.9 years < 3 years; needs 0.1 more years" in ben
    assert "handbook 3.2" in ben and "policy.accord:9:11" in ben
    cara = check(files, "--person", "cara", "--role", "mentor").stdout
    assert "is trained: missing person.mentor_trained" in cara
    assert "still missing: person.mentor_trained" in cara


def test_check_explain_shows_the_value_of_every_condition(files):
    plain = check(files, "--person", "ben", "--role", "mentor").stdout
    explained = check(files, "--person", "ben", "--role", "mentor", "--explain").stdout
    # traces: the condition, an arrow, its value
    assert "person.years_experience >= 3 years  ->  no" in explained
    assert "person.mentor_trained  ->  yes" in explained
    assert "  ->  " not in plain
    # with --explain, met rules show their citation too
    assert "handbook 3.1" in explained and "handbook 3.1" not in plain


def test_check_explain_in_json_adds_traces(files):
    data = json.loads(check(files, "--person", "ben", "--role", "mentor", "--explain", "--format", "json").stdout)
    trace = data["requirements"][1]["trace"]
    assert (trace["condition"], trace["value"]) == ("person.years_experience >= 3 years", False)
    plain = json.loads(check(files, "--person", "ben", "--role", "mentor", "--format", "json").stdout)
    assert "trace" not in plain["requirements"][1]


def test_check_as_of_changes_the_answer(files):
    # ben evaluates dev until 2026-01-31: the pair is not allowed on the 15th, allowed in February
    args = ["pair", files["facts"], "ben", "dev", "--policy", files["policy"]]
    assert json.loads(run(*args, "--as-of", "2026-01-15", "--format", "json").stdout)["requirements"][1]["status"] == "not_met"
    assert json.loads(run(*args, "--as-of", "2026-02-01", "--format", "json").stdout)["requirements"][1]["status"] == "met"


def test_check_json_shape(files):
    result = check(files, "--person", "ben", "--role", "mentor", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema"] == "accord.decision/1"
    assert data["question"] == "eligibility"
    assert data["outcome"] == "not_eligible"
    assert data["person"] == {"id": "ben", "name": "Ben Okafor"}
    assert data["role"] == "mentor"
    assert data["policy"] == {"name": "CLI test policy", "version": "7", "file": files["policy"]}
    assert data["as_of"] == "2026-01-15"
    assert data["missing"] == [] and data["exceptions"] == [] and data["decided_by"] is None
    trained, years = data["requirements"]
    assert trained["status"] == "met" and trained["source"] == "handbook 3.1"
    assert years == {
        **years,
        "label": "has three years of experience",
        "status": "not_met",
        "condition": "person.years_experience >= 3 years",
        "actual": "2.9",  # exact decimals travel as strings
        "op": ">=",
        "required": "3",
        "reason": "2.9 years < 3 years",
        "distance": "needs 0.1 more years",
        "missing": [],
        "source": "handbook 3.2",
        "location": f"{files['policy']}:9:11",
    }


def test_check_json_of_an_undetermined_decision_names_the_missing_facts(files):
    result = check(files, "--person", "cara", "--role", "mentor", "--format", "json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["outcome"] == "undetermined"
    assert data["missing"] == ["person.mentor_trained"]
    assert data["requirements"][0]["status"] == "unknown"
    assert data["requirements"][0]["actual"] is None


# =========================================================================== check: roster mode


def test_roster_mode_prints_one_line_per_person_and_the_worst_exit_code(files):
    result = check(files, "--role", "mentor")
    assert result.exit_code == 3  # cara and dev are undetermined
    lines = result.stdout.splitlines()
    assert len(lines) == len(FACTS["people"])
    assert [line[:13].strip() for line in lines] == ["eligible", "not eligible", "undetermined", "undetermined"]
    assert [line[14:].split()[0] for line in lines] == ["ana", "ben", "cara", "dev"]
    assert "Ben Okafor" in lines[1] and "has three years of experience: 2.9 years < 3 years" in lines[1]
    assert "is trained: missing person.mentor_trained" in lines[2]


def test_roster_of_chosen_people_and_its_exit_code(files):
    result = check(files, "--role", "mentor", "--person", "ana", "--person", "ben")
    assert result.exit_code == 1  # the worst of eligible and not eligible
    assert len(result.stdout.splitlines()) == 2
    assert check(files, "--role", "mentor", "--person", "ana", "--person", "ana").exit_code == 0


def test_roster_in_json_is_a_list_of_decisions(files):
    result = check(files, "--role", "mentor", "--format", "json")
    data = json.loads(result.stdout)
    assert [d["person"]["id"] for d in data] == ["ana", "ben", "cara", "dev"]
    assert [d["outcome"] for d in data] == ["eligible", "not_eligible", "undetermined", "undetermined"]
    assert all(d["schema"] == "accord.decision/1" for d in data)


# =========================================================================== check: bad input, exit 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "ana", "--role", "mentr"], "no role `mentr`"),
        (["--person", "anna", "--role", "mentor"], "no person `anna`"),
        (["--person", "ana", "--role", "mentor", "--as-of", "2026-07-01"], "in force from 2025-07-01 to 2026-06-30"),
        (["--person", "ana", "--role", "mentor", "--as-of", "2026-13-01"], "Invalid value for '--as-of'"),
    ],
)
def test_check_usage_errors_exit_2_with_a_message(files, args, message):
    result = run("check", files["facts"], "--policy", files["policy"], *AS_OF, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_check_suggests_the_closest_role_and_person(files):
    assert "did you mean `mentor`?" in check(files, "--person", "ana", "--role", "mentr").stderr
    assert "did you mean `ana`?" in check(files, "--person", "anna", "--role", "mentor").stderr


def test_check_needs_exactly_one_of_policy_and_programme(files):
    neither = run("check", files["facts"], "--person", "ana", "--role", "mentor", *AS_OF)
    both = run("check", files["facts"], "--person", "ana", "--role", "mentor", "--policy", files["policy"], "--programme", "demo", *AS_OF)
    for result in (neither, both):
        assert result.exit_code == 2
        assert "exactly one of --policy FILE or --programme NAME" in result.stderr


def test_check_unknown_programme(files):
    result = run("check", files["facts"], "--person", "ana", "--role", "mentor", "--programme", "dmeo", *AS_OF)
    assert result.exit_code == 2
    assert "no programme `dmeo` is installed" in result.stderr and "did you mean `demo`?" in result.stderr


def test_check_missing_files(files):
    no_facts = run("check", files["dir"] + "/nope.json", "--person", "ana", "--role", "mentor", "--policy", files["policy"], *AS_OF)
    assert no_facts.exit_code == 2 and "error[F001]" in no_facts.stderr
    no_policy = run("check", files["facts"], "--person", "ana", "--role", "mentor", "--policy", files["dir"] + "/nope.accord", *AS_OF)
    assert no_policy.exit_code == 2 and "error[P005]" in no_policy.stderr


def test_check_malformed_policy_shows_the_error_with_its_line(files):
    result = run("check", files["facts"], "--person", "ana", "--role", "mentor", "--policy", files["broken"], *AS_OF)
    assert result.exit_code == 2
    assert f"{files['broken']}:10:12: error[P102]: people have no fact `years_experiance`" in result.stderr
    assert "did you mean `years_experience`?" in result.stderr


def test_check_malformed_facts_names_the_path(files, tmp_path):
    bad = tmp_path / "bad.json"
    doc = json.loads(json.dumps(FACTS))
    doc["people"][2]["facts"]["years_experience"] = "three"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = run("check", str(bad), "--person", "ana", "--role", "mentor", "--policy", files["policy"], *AS_OF)
    assert result.exit_code == 2
    assert 'people[2].facts.years_experience: expected a number of years, got "three"' in result.stderr


def test_check_role_is_required(files):
    result = run("check", files["facts"], "--person", "ana", "--policy", files["policy"])
    assert result.exit_code == 2
    assert "--role" in result.stderr


# =========================================================================== the demo programme, as in the README


def test_the_readme_command_says_ana_may_mentor():
    result = run("check", str(DEMO_FACTS), "--person", "ana", "--role", "mentor", "--programme", "demo", *AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ELIGIBLE: Ana Ruiz (ana) as mentor")


def test_the_demo_programme_ships_a_policy_that_lints_clean():
    result = run("lint", str(ROOT / "rules" / "demo" / "district-mentoring.accord"))
    assert result.exit_code == 0, result.output


# =========================================================================== pair


@pytest.mark.parametrize(
    ("first", "second", "code", "outcome", "score"),
    [
        ("ana", "dev", 0, "allowed", "3"),
        ("ben", "dev", 1, "not_allowed", "0"),  # ben evaluates dev; science is not mathematics
        ("ana", "ana", 1, "not_allowed", "3"),
    ],
)
def test_pair_exit_codes_and_json(files, first, second, code, outcome, score):
    result = run("pair", files["facts"], first, second, "--policy", files["policy"], *AS_OF, "--format", "json")
    assert result.exit_code == code
    data = json.loads(result.stdout)
    assert data["schema"] == "accord.decision/1"
    assert (data["question"], data["outcome"], data["score"]) == ("pair", outcome, score)
    assert (data["person"]["id"], data["other"]["id"], data["role"]) == (first, second, "mentor")
    assert [p["label"] for p in data["preferences"]] == ["same subject"]
    assert data["preferences"][0]["weight"] == "3"


def test_pair_undetermined_exits_3(files, tmp_path):
    policy = tmp_path / "p.accord"
    policy.write_text('policy "P"\n  programme demo\npair mentor, mentee\n  require "trained mentor": mentor.mentor_trained\n', encoding="utf-8")
    result = run("pair", files["facts"], "cara", "dev", "--policy", str(policy), *AS_OF)
    assert result.exit_code == 3
    assert result.stdout.startswith("UNDETERMINED: Cara Lind (cara) as mentor, with Dev Patel (dev)")
    assert "still missing: mentor.mentor_trained" in result.stdout


def test_pair_text_shows_preferences_and_score(files):
    result = run("pair", files["facts"], "ana", "dev", "--policy", files["policy"], *AS_OF)
    assert result.exit_code == 0
    assert result.stdout.startswith("ALLOWED: Ana Ruiz (ana) as mentor, with Dev Patel (dev)")
    assert "preferences (score 3):" in result.stdout
    assert "same subject (weight 3): mathematics = mathematics" in result.stdout


def test_pair_explain(files):
    result = run("pair", files["facts"], "ben", "dev", "--policy", files["policy"], *AS_OF, "--explain")
    assert "evaluates(mentor, mentee)  ->  yes" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["zed", "dev"], "no person `zed`"),
        (["ana", "dev", "--programme", "nope"], "no programme `nope`"),
    ],
)
def test_pair_usage_errors(files, args, message):
    extra = [] if "--programme" in args else ["--policy", files["policy"]]
    result = run("pair", files["facts"], *args, *extra, *AS_OF)
    assert result.exit_code == 2
    assert message in result.stderr


def test_pair_under_a_policy_without_a_pair_rule(files, tmp_path):
    policy = tmp_path / "p.accord"
    policy.write_text('policy "P"\n  programme demo\nrole mentor\n  require "t": person.mentor_trained\n', encoding="utf-8")
    result = run("pair", files["facts"], "ana", "dev", "--policy", str(policy), *AS_OF)
    assert result.exit_code == 2
    assert "no pair rule" in result.stderr


# =========================================================================== lint


def test_lint_a_clean_policy(files):
    result = run("lint", files["policy"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f'{files["policy"]}: ok (policy "CLI test policy", roles: mentor)'


def test_lint_reports_every_problem_of_every_file(files, tmp_path):
    two = tmp_path / "two.accord"
    two.write_text('policy "P"\n  programme demo\nrole mentor\n  require "a": person.nope\n  require "b": 3 years >= 2 hours\n', encoding="utf-8")
    result = run("lint", files["policy"], files["broken"], str(two))
    assert result.exit_code == 2
    assert f"{files['policy']}: ok" in result.stdout
    assert f"{files['broken']}:10:12: error[P102]" in result.stderr
    assert f"{two}:4:23: error[P102]" in result.stderr
    assert f"{two}:5:16: error[P111]" in result.stderr
    assert "   4 |   require \"a\": person.nope" in result.stderr  # the line, with a caret under it


def test_lint_json(files):
    result = run("lint", files["policy"], files["broken"], "--format", "json")
    assert result.exit_code == 2
    ok, bad = json.loads(result.stdout)
    assert ok == {"file": files["policy"], "ok": True, "errors": [], "warnings": [], "policy": "CLI test policy", "roles": ["mentor"]}
    assert bad["file"] == files["broken"] and bad["ok"] is False
    (error,) = bad["errors"]
    assert {k: error[k] for k in ("code", "file", "line", "column")} == {"code": "P102", "file": files["broken"], "line": 10, "column": 12}
    assert error["message"] == "people have no fact `years_experiance`"
    assert error["hint"] == "did you mean `years_experience`?"


def test_lint_a_missing_file_and_no_file(files):
    missing = run("lint", files["dir"] + "/nope.accord")
    assert missing.exit_code == 2 and "error[P005]" in missing.stderr
    none = run("lint")
    assert none.exit_code == 2 and "Missing argument" in none.stderr


def test_lint_every_error_fixture_fails():
    fixtures = sorted((ROOT / "tests" / "errors").glob("P*.accord"))
    # --strict: a warning's fixture (P140...) loads, and fails only as a warning
    result = CliRunner().invoke(main, ["lint", "--strict", "--format", "json", *map(str, fixtures)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    report = json.loads(result.stdout)
    assert [r["ok"] for r in report] == [False] * len(fixtures)
    assert [(r["errors"] or r["warnings"])[0]["code"] for r in report] == [f.name.split("_")[0] for f in fixtures]


# =========================================================================== programmes


def test_programmes_text_lists_demo_and_its_roles():
    result = run("programmes")
    assert result.exit_code == 0
    assert "demo" in result.stdout and "Demo district mentoring" in result.stdout
    assert "role mentor" in result.stdout and "role mentee" in result.stdout
    assert "default policy: rules/demo/district-mentoring.accord" in result.stdout


def test_programmes_json():
    data = json.loads(run("programmes", "--format", "json").stdout)
    by_name = {p["name"]: p for p in data}
    demo = by_name["demo"]
    assert demo["plugin"] == "demo"
    assert demo["policy"] == "rules/demo/district-mentoring.accord"
    assert {"mentor", "mentee"} <= {r["name"] for r in demo["roles"]}
    assert all(set(p) >= {"name", "title", "plugin", "policy", "roles"} for p in data)
    assert [p["name"] for p in data] == sorted(by_name)


# =========================================================================== schema


def _schema() -> dict[str, Any]:
    result = run("schema")
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_schema_is_a_json_schema_with_the_demo_facts():
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["required"] == ["people"]
    person = schema["properties"]["people"]["items"]
    facts = person["properties"]["facts"]["properties"]
    assert facts["years_experience"]["type"] == ["number", "string"]
    assert facts["mentor_trained"]["type"] == "boolean"
    assert facts["licence"]["enum"] == ["provisional", "initial", "professional"]
    assert facts["first_teaching_day"] == {**facts["first_teaching_day"], "type": "string", "format": "date"}
    assert "association_membership" not in facts  # derived facts are not written in a facts file
    assert person["properties"]["facts"]["additionalProperties"] is False
    kinds = {v["properties"]["kind"]["const"]: v for v in schema["properties"]["relationships"]["items"]["oneOf"]}
    assert set(kinds["mentoring"]["required"]) == {"kind", "mentor", "mentee"}
    evidence = {v["properties"]["kind"]["const"]: v for v in schema["properties"]["evidence"]["items"]["oneOf"]}
    assert evidence["observation"]["properties"]["announced"] == {"type": "boolean"}
    assert evidence["summative_evaluation"]["properties"]["rating"]["enum"][:1] == ["unsatisfactory"]


# A small validator for the part of JSON Schema that `accord schema` uses (jsonschema is not a
# dependency): type, enum, const, required, properties, additionalProperties, items, oneOf, format.
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "number": (int, float)}


def _problems(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    out: list[str] = []
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not _problems(value, s, path)]
        return [] if len(matching) == 1 else [f"{path}: matches {len(matching)} of oneOf"]
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, _TYPES[t]) and not (t == "number" and isinstance(value, bool)) for t in types)
        if not ok:
            return [f"{path}: not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: not {schema['const']}")
    if schema.get("format") == "date" and isinstance(value, str):
        import datetime as dt

        try:
            dt.date.fromisoformat(value)
        except ValueError:
            out.append(f"{path}: not a date")
    if schema.get("minLength") and isinstance(value, str) and len(value) < schema["minLength"]:
        out.append(f"{path}: too short")
    if isinstance(value, dict):
        out += [f"{path}.{k}: required" for k in schema.get("required", []) if k not in value]
        props = schema.get("properties", {})
        for k, v in value.items():
            if k in props:
                out += _problems(v, props[k], f"{path}.{k}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{path}.{k}: not allowed")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += _problems(item, schema["items"], f"{path}[{i}]")
    return out


@pytest.mark.parametrize("facts_file", [DEMO_FACTS, *sorted(CORPUS.glob("*/facts.json"))], ids=lambda p: p.parent.name)
def test_facts_files_conform_to_the_schema(facts_file):
    assert _problems(json.loads(facts_file.read_text(encoding="utf-8")), _schema()) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["people"][0]["facts"].update(licence="full"), "$.people[0].facts.licence: not one of"),
        (lambda d: d["people"][0]["facts"].update(years_experiance=3), "$.people[0].facts.years_experiance: not allowed"),
        (lambda d: d["people"][0].pop("id"), "$.people[0].id: required"),
        (lambda d: d["relationships"][0].pop("mentee"), "$.relationships[0]: matches 0 of oneOf"),
        (lambda d: d["evidence"][0].update(date="2025-13-01"), "$.evidence[0]: matches 0 of oneOf"),
        (lambda d: d.pop("people"), "$.people: required"),
    ],
)
def test_the_schema_rejects_what_the_loader_rejects(change, problem):
    doc = json.loads(DEMO_FACTS.read_text(encoding="utf-8"))
    change(doc)
    problems = _problems(doc, _schema())
    assert any(p.startswith(problem) for p in problems), problems


# =========================================================================== help


@pytest.mark.parametrize("command", ["check", "pair", "lint", "programmes", "schema"])
def test_help_of_each_command_mentions_its_options(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    cmd = main.commands[command]
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert any(opt in result.stdout for opt in param.opts), f"{command} --help does not mention {param.opts}"
        if isinstance(param, click.Argument):
            assert param.human_readable_name.upper() in result.stdout
    first_sentence = " ".join(cmd.help.split("\n\n")[0].split())
    assert first_sentence in " ".join(result.stdout.split())


def test_main_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("check", "pair", "lint", "programmes", "schema"):
        assert command in result.stdout
    assert "Exit codes" in result.stdout


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and "version" in result.stdout
