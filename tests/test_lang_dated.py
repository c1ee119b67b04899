"""Values that change with time (docs/language.md section 26): dated parameter values, dated
facts, a programme's policy versions, and `accord check --when` / `--assume`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord.cli import main
from accord.schema import Programme, RoleSpec
from accord.when import decide_assuming, parse_assumptions, when_eligible

from .support import ENGINES, decide, people, policy

D = dt.date

STIPEND = """
parameter stipend = USD 1800 from 2024-07-01, USD 2000 from 2025-07-01 may raise
parameter min_years = 3 years from 2024-01-01, 5 years from 2026-09-01

role mentor
  require "experienced": person.years_experience >= min_years

incentive "stipend" to mentor per person
  amount stipend
  require "is trained": person.mentor_trained
"""


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


# --------------------------------------------------------------------------- dated parameters


@pytest.mark.parametrize(
    ("day", "outcome", "shown"),
    [
        (D(2025, 3, 1), "YES", "3 years (2024-01-01 to 2026-08-31)"),
        (D(2026, 8, 31), "YES", "3 years (2024-01-01 to 2026-08-31)"),
        (D(2026, 9, 1), "NO", "5 years (from 2026-09-01)"),
    ],
)
def test_the_value_in_force_on_the_as_of_date_is_used_and_named_with_its_period(day, outcome, shown):
    compiled = policy(STIPEND)
    d = decide(compiled, people(("mo", {"years_experience": 4})), "mo", "mentor", day)
    assert d.outcome.name == outcome
    assert d.parameters == (("min_years", shown, "Test policy"),)


def test_before_the_first_date_a_dated_value_is_unknown_and_says_why():
    compiled = policy(STIPEND.replace("from 2024-01-01", "from 2025-01-01"))
    d = decide(compiled, people(("mo", {"years_experience": 4})), "mo", "mentor", D(2024, 6, 1))
    assert d.outcome is accord.Outcome.UNKNOWN
    assert d.missing == ("parameter min_years (no value before 2025-01-01)",)
    assert d.parameters == (("min_years", "not set before 2025-01-01", "Test policy"),)


@pytest.mark.parametrize(("day", "amount"), [(D(2024, 3, 1), None), (D(2025, 3, 1), "1800"), (D(2025, 7, 1), "2000")])
def test_an_incentive_amount_follows_the_dated_value_in_both_engines(day, amount):
    from accord.incentives import incentives

    compiled = policy(STIPEND)
    loaded = people(("mo", {"years_experience": 4, "mentor_trained": True}))
    reports = [incentives(compiled, loaded, "mo", day, engine=e) for e in ENGINES]
    assert reports[0] == reports[1]
    award = reports[0].awards[0]
    assert (str(award.amount) if award.outcome is accord.Outcome.YES else None) == amount


def test_a_layer_may_set_a_dated_value_within_its_right(tmp_path):
    (tmp_path / "state.accord").write_text('policy "State"\n  programme demo\n' + STIPEND, encoding="utf-8")
    child = tmp_path / "district.accord"
    child.write_text('policy "District"\n  extends "state"\nset stipend = USD 1900 from 2024-07-01, USD 2100 from 2025-07-01\n', encoding="utf-8")
    from accord.incentives import incentives

    compiled = accord.load_policy(child)
    loaded = people(("mo", {"years_experience": 4, "mentor_trained": True}))
    award = incentives(compiled, loaded, "mo", D(2025, 8, 1)).awards[0]
    assert str(award.amount) == "2100"
    assert award.parameters == (("stipend", "USD 2100 (from 2025-07-01)", "District"),)
    child.write_text('policy "District"\n  extends "state"\nset stipend = USD 1900 from 2024-07-01, USD 1950 from 2025-07-01\n', encoding="utf-8")
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(child)
    assert [d.code for d in excinfo.value.diagnostics] == ["P123"]
    assert "USD 2000 from 2025-07-01; this sets USD 1950 on 2025-07-01" in excinfo.value.render()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("USD 1 from 2025-07-01, USD 2 from 2024-07-01", "P240"),
        ("USD 1 from 2025-07-01, USD 2 from 2025-07-01", "P240"),
        ("USD 1 from 2024-07-01, 3 hours from 2025-07-01", "P241"),
        ("person.years_experience from 2024-07-01", "P101"),
    ],
)
def test_the_checker_refuses_a_malformed_dated_value_where_it_is(value, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(f"parameter stipend = {value}\n")
    d = excinfo.value.diagnostics[0]
    assert d.code == code and d.span is not None and d.span.line == 3


def test_accord_fmt_keeps_a_dated_value(tmp_path):
    path = tmp_path / "p.accord"
    path.write_text('policy "F"\n  programme demo\n\nparameter stipend = USD 1800 from 2024-07-01,   USD 2000  from 2025-07-01\n', encoding="utf-8")
    assert run("fmt", str(path)).exit_code == 0
    assert "parameter stipend = USD 1800 from 2024-07-01, USD 2000 from 2025-07-01\n" in path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- dated facts

KAI = {
    "mentor_trained": [{"value": False, "to": "2025-12-31"}, {"value": True, "from": "2026-01-01"}],
    "years_experience": {"value": 1, "on": "2025-09-01", "accrues": True},
    "licence": {"value": "professional", "from": "2024-09-01", "to": "2027-08-31"},
}


@pytest.mark.parametrize(
    ("day", "trained", "years", "licence"),
    [
        (D(2025, 8, 31), False, None, "professional"),
        (D(2025, 9, 1), False, 1, "professional"),
        (D(2026, 1, 1), True, 1, "professional"),
        (D(2026, 9, 1), True, 2, "professional"),
        (D(2030, 9, 1), True, 6, None),
    ],
)
def test_a_question_as_of_a_date_reads_the_facts_of_that_date(day, trained, years, licence):
    loaded = people(("kai", KAI))
    compiled = policy(
        'role mentor\n  require "trained": person.mentor_trained\n'
        '  require "experienced": person.years_experience >= 1 years\n'
        '  require "licensed": person.licence in {initial, professional}\n'
    )
    d = decide(compiled, loaded, "kai", "mentor", day)
    statuses = [r.status for r in d.requirements]
    assert statuses[0] == ("met" if trained else "not met")
    assert statuses[1] == ("unknown" if years is None else "met")
    assert statuses[2] == ("unknown" if licence is None else "met")
    if years is not None:
        assert d.requirements[1].actual == years


def test_plain_values_still_load_as_they_always_did():
    loaded = people(("mo", {"years_experience": 4, "licence": "initial"}))
    assert loaded.people["mo"].dated == {}
    assert loaded.on(D(2030, 1, 1)) is loaded


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ([{"value": True, "until": "2025-01-01"}], "F030"),
        ([{"from": "2025-01-01"}], "F030"),
        ([{"value": True, "from": "2025-13-01"}], "F030"),
        ([{"value": True, "from": "2025-09-01", "to": "2025-01-01"}], "F031"),
        ([{"value": True, "from": "2025-01-01"}, {"value": False, "from": "2025-06-01"}], "F032"),
        ({"value": 3, "accrues": True}, "F030"),
    ],
)
def test_a_malformed_dated_fact_is_a_located_error(value, code):
    with pytest.raises(accord.FactsError) as excinfo:
        people(("kai", {"mentor_trained": value}))
    assert [d.code for d in excinfo.value.diagnostics] == [code]
    assert "people[0].facts.mentor_trained" in excinfo.value.diagnostics[0].message


def test_only_a_count_of_years_or_months_accrues():
    with pytest.raises(accord.FactsError) as excinfo:
        people(("kai", {"first_teaching_day": {"value": "2020-01-01", "on": "2025-09-01", "accrues": True}}))
    assert [d.code for d in excinfo.value.diagnostics] == ["F033"]


def test_a_roster_importing_dated_facts_answers_as_the_facts_file_does(tmp_path):
    from accord.roster.store import init_roster

    doc = {"people": [{"id": "kai", "name": "Kai", "facts": KAI}]}
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    db = tmp_path / "r.db"
    init_roster(db, "demo").import_files([str(path)], D(2025, 1, 1))
    for day in ("2025-08-31", "2025-09-01", "2026-01-01", "2027-09-01", "2030-09-01"):
        by_file, by_roster = (
            json.loads(run("check", str(src), "--person", "kai", "--role", "mentor", "--programme", "demo", "--as-of", day, "--format", "json").output)
            for src in (path, db)
        )
        assert by_file["outcome"] == by_roster["outcome"]
        assert by_file["requirements"] == by_roster["requirements"], day


# --------------------------------------------------------------------------- policy versions

PACKAGE = "accord_versions_example"
V1 = 'policy "V1"\n  programme ver\n  effective 2024-07-01 to 2025-06-30\nrole mentor\n  require "trained": person.mentor_trained\n'
V2 = 'policy "V2"\n  programme ver\n  effective 2025-07-01\nrole mentor\n  require "trained": person.mentor_trained\n  require "experienced": person.years_experience >= 10 years\n'


class _Versions:
    @accord.hookimpl
    def accord_programmes(self):
        return [Programme("ver", "Versions", (RoleSpec("mentor"),), policy="v1.accord", versions=("v2.accord",), rules_package=PACKAGE)]


@pytest.fixture
def versions(tmp_path, monkeypatch):
    package = tmp_path / "site" / PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "v1.accord").write_text(V1, encoding="utf-8")
    (package / "v2.accord").write_text(V2, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield package, accord.Registry([_Versions()])
    sys.modules.pop(PACKAGE, None)


def test_the_version_in_force_on_the_as_of_date_is_chosen(versions):
    _, registry = versions
    for day, name in ((D(2024, 9, 1), "V1"), (D(2025, 6, 30), "V1"), (D(2025, 7, 1), "V2"), (D(2031, 1, 1), "V2")):
        assert accord.load_policy(programme="ver", registry=registry, as_of=day).checked.name == name


def test_a_date_before_every_version_is_a_usage_error_naming_them(versions):
    _, registry = versions
    with pytest.raises(accord.UsageError) as excinfo:
        accord.load_policy(programme="ver", registry=registry, as_of=D(2024, 1, 1))
    assert "no policy version in force on 2024-01-01" in excinfo.value.render()
    assert "accord_versions_example:v1.accord from 2024-07-01 to 2025-06-30" in excinfo.value.render()


def test_overlapping_versions_are_refused_at_the_later_header(versions):
    package, _ = versions
    (package / "v2.accord").write_text(V2.replace("effective 2025-07-01", "effective 2025-06-01"), encoding="utf-8")
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(programme="ver", registry=accord.Registry([_Versions()]), as_of=D(2025, 8, 1))
    d = excinfo.value.diagnostics[0]
    assert d.code == "P242" and d.span is not None and d.span.file.endswith("v2.accord")
    assert "overlap" in d.message


# --------------------------------------------------------------------------- --when and --assume

WHEN = """
parameter min_years = 3 years from 2024-01-01, 2 years from 2026-09-01

role mentor
  require "is trained": person.mentor_trained
  require "experienced": person.years_experience >= min_years
  require "licensed": person.licence in {initial, professional}
"""


def test_when_finds_the_first_date_a_dated_parameter_and_accruing_experience_allow():
    compiled = policy(WHEN)
    facts = people(("kai", {**KAI, "licence": "professional"}))
    for engine in ENGINES:
        w = when_eligible(compiled, facts, "kai", "mentor", D(2025, 8, 1), engine=engine)
        assert w.date == D(2026, 9, 1) and w.outcome is accord.Outcome.YES
        assert w.decision.parameters == (("min_years", "2 years (from 2026-09-01)", "Test policy"),)


def test_when_solves_a_threshold_on_today():
    compiled = policy('role mentor\n  require "started 700 days ago": today - person.first_teaching_day >= 700 days\n')
    w = when_eligible(compiled, people(("nia", {"first_teaching_day": "2025-08-27"})), "nia", "mentor", D(2025, 9, 1))
    assert w.date == D(2025, 8, 27) + dt.timedelta(days=700)


def test_when_says_why_no_date_will_do():
    compiled = policy(WHEN)
    w = when_eligible(compiled, people(("kai", {**KAI, "licence": "provisional"})), "kai", "mentor", D(2025, 8, 1))
    assert w.date is None and w.outcome is accord.Outcome.NO
    assert "licensed: provisional not in {initial, professional}" in w.reason
    assert w.horizon == D(2035, 8, 1)


def test_when_stops_where_the_policy_ends():
    compiled = policy(WHEN, header='policy "Test policy"\n  programme demo\n  effective 2024-01-01 to 2026-06-30\n')
    w = when_eligible(compiled, people(("kai", {**KAI, "licence": "professional"})), "kai", "mentor", D(2025, 8, 1))
    assert w.date is None
    assert "no policy answers from 2026-07-01 on" in w.reason


@settings(max_examples=25, deadline=None)
@given(
    start=st.dates(D(2020, 1, 1), D(2026, 1, 1)),
    days=st.integers(1, 2000),
    years=st.integers(0, 6),
    on=st.dates(D(2024, 1, 1), D(2027, 1, 1)),
    as_of=st.dates(D(2024, 1, 1), D(2026, 1, 1)),
)
def test_the_date_when_gives_is_eligible_and_the_day_before_is_not(start, days, years, on, as_of):
    compiled = policy(
        WHEN.replace('  require "licensed": person.licence in {initial, professional}\n', "")
        + f'  require "started long enough ago": today - person.first_teaching_day >= {days} days\n'
    )
    facts = people(("p", {"first_teaching_day": start.isoformat(), "mentor_trained": True, "years_experience": {"value": years, "on": on.isoformat(), "accrues": True}}))
    w = when_eligible(compiled, facts, "p", "mentor", as_of)
    if w.date is None:
        assert decide(compiled, facts, "p", "mentor", w.horizon).outcome is not accord.Outcome.YES
        return
    assert decide(compiled, facts, "p", "mentor", w.date).outcome is accord.Outcome.YES
    if w.date > as_of:
        assert decide(compiled, facts, "p", "mentor", w.date - dt.timedelta(days=1)).outcome is not accord.Outcome.YES


def test_assume_answers_as_if_a_fact_were_so_and_says_what_changed():
    compiled = policy(WHEN)
    facts = people(("kai", KAI))
    values = parse_assumptions(["mentor_trained=true", "years_experience=5"])
    a = decide_assuming(compiled, facts, "kai", "mentor", D(2025, 8, 1), values)
    assert a.outcome is accord.Outcome.YES and a.before.outcome is accord.Outcome.NO
    assert a.changed == (("outcome", "not eligible", "eligible"), ("is trained", "not met", "met"), ("experienced", "unknown", "met"))


@pytest.mark.parametrize(("item", "says"), [("nope=1", "no installed programme declares"), ("licence=zzz", "expected one of"), ("licence", "FACT=VALUE"), ("association_membership=active", "computed")])
def test_a_bad_assumption_is_a_usage_error(item, says):
    with pytest.raises(accord.UsageError) as excinfo:
        parse_assumptions([item])
    assert says in excinfo.value.render()


def _files(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "p.accord").write_text('policy "When"\n  programme demo\n  effective 2024-01-01\n' + WHEN, encoding="utf-8")
    (tmp_path / "f.json").write_text(json.dumps({"people": [{"id": "kai", "name": "Kai", "facts": {**KAI, "licence": "professional"}}]}), encoding="utf-8")
    return str(tmp_path / "p.accord"), str(tmp_path / "f.json")


def test_cli_when_prints_the_date_and_the_decision_on_it(tmp_path):
    p, f = _files(tmp_path)
    result = run("check", f, "--person", "kai", "--role", "mentor", "--policy", p, "--as-of", "2025-08-01", "--when")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ELIGIBLE FROM 2026-09-01: Kai (kai) as mentor\n")
    assert "the day before, 2026-08-31, they are not" in result.output
    data = json.loads(run("check", f, "--person", "kai", "--role", "mentor", "--policy", p, "--as-of", "2025-08-01", "--when", "--format", "json").output)
    assert data["schema"] == "accord.when/1" and data["first_eligible"] == "2026-09-01"


def test_cli_when_with_an_assumption_that_rules_every_date_out(tmp_path):
    p, f = _files(tmp_path)
    result = run("check", f, "--person", "kai", "--role", "mentor", "--policy", p, "--as-of", "2025-08-01", "--when", "--assume", "licence=provisional")
    assert result.exit_code == 1
    assert result.output.startswith("NO DATE up to 2035-08-01: Kai (kai) as mentor\n")
    assert "assuming licence = provisional" in result.output


def test_cli_assume_says_which_outcomes_changed(tmp_path):
    p, f = _files(tmp_path)
    result = run("check", f, "--person", "kai", "--role", "mentor", "--policy", p, "--as-of", "2025-08-01", "--assume", "mentor_trained=true", "--assume", "years_experience=3")
    assert result.exit_code == 0
    assert "the outcome: not eligible -> eligible" in result.output
    bad = run("check", f, "--person", "kai", "--role", "mentor", "--policy", p, "--assume", "licence=zzz")
    assert bad.exit_code == 2 and "expected one of" in bad.output


def test_cli_when_and_assume_read_a_roster_on_each_date_asked(tmp_path):
    from accord.roster.store import init_roster

    p, f = _files(tmp_path)
    db = tmp_path / "r.db"
    init_roster(db, "demo").import_files([f], D(2025, 1, 1))
    for args in (["--when"], ["--assume", "mentor_trained=true"], ["--when", "--assume", "licence=provisional"]):
        by_file, by_roster = (
            json.loads(run("check", src, "--person", "kai", "--role", "mentor", "--policy", p, "--as-of", "2025-08-01", "--format", "json", *args).output)
            for src in (f, str(db))
        )
        for data in (by_file, by_roster):
            data.get("decision", data).pop("policy", None)
        assert by_file == by_roster, args


def test_cli_when_for_everyone_in_the_facts(tmp_path):
    p, f = _files(tmp_path)
    result = run("check", f, "--role", "mentor", "--policy", p, "--as-of", "2025-08-01", "--when")
    assert result.exit_code == 0 and result.output.startswith("ELIGIBLE FROM 2026-09-01: Kai (kai) as mentor")
    assert run("check", f, "--role", "mentor", "--policy", p, "--when", "--viewer", "kai").exit_code == 2


def test_when_moves_on_to_the_next_policy_version(versions):
    package, registry = versions
    (package / "v1.accord").write_text(V1.replace('person.mentor_trained\n', 'person.mentor_trained and person.years_experience >= 20 years\n'), encoding="utf-8")
    (package / "v2.accord").write_text(V2.replace('  require "experienced": person.years_experience >= 10 years\n', ""), encoding="utf-8")
    registry = accord.Registry([_Versions()])
    facts = people(("mo", {"mentor_trained": True, "years_experience": 5}))
    w = when_eligible(lambda day: accord.load_policy(programme="ver", registry=registry, as_of=day), facts, "mo", "mentor", D(2024, 9, 1))
    assert w.date == D(2025, 7, 1) and w.decision.policy == "V2"


def test_when_reads_evidence_recorded_ahead_from_its_date():
    compiled = policy('role mentor\n  require "rated well": latest(evidence summative_evaluation).rating >= proficient\n')
    facts = people(
        ("mo", {}),
        evidence=[{"id": "e1", "kind": "summative_evaluation", "subject": "mo", "date": "2026-06-12", "rating": "proficient"}],
    )
    w = when_eligible(compiled, facts, "mo", "mentor", D(2026, 1, 15))
    assert w.date == D(2026, 6, 12)


def test_a_toml_facts_file_may_date_its_facts(tmp_path):
    p, _ = _files(tmp_path)
    toml = tmp_path / "f.toml"
    toml.write_text(
        '[[people]]\nid = "kai"\nname = "Kai"\n[people.facts]\n'
        "mentor_trained = [{value = false, to = 2025-12-31}, {value = true, from = 2026-01-01}]\n"
        "years_experience = {value = 1, on = 2025-09-01, accrues = true}\n"
        'licence = "initial"\n',
        encoding="utf-8",
    )
    result = run("check", str(toml), "--person", "kai", "--role", "mentor", "--policy", p, "--as-of", "2025-08-01", "--when")
    assert result.output.startswith("ELIGIBLE FROM 2026-09-01: Kai (kai) as mentor\n"), result.output


def test_when_near_the_end_of_the_calendar_stops_at_its_last_day():
    compiled = policy('role mentor\n  require "trained": person.mentor_trained\n')
    w = when_eligible(compiled, people(("mo", {"mentor_trained": False})), "mo", "mentor", D(9995, 1, 1))
    assert w.date is None and w.horizon == D(9998, 12, 31)


def test_a_roster_decided_in_sql_reads_dated_values_and_dated_rows_as_python_does(tmp_path):
    from accord.roster.store import init_roster

    db = tmp_path / "r.db"
    init_roster(db, "demo").import_files(["examples/constructs/dated-facts.json"], D(2025, 1, 1))
    for day in ("2025-10-01", "2026-08-31", "2026-09-01"):
        args = ["roster", "check", str(db), "--role", "mentor", "--policy", "examples/constructs/dated.accord", "--as-of", day]
        python, sql = (_roster_lines(run(*args, *engine).output) for engine in ([], ["--engine", "sql"]))
        assert python == sql and len(python) == 2, day


def _roster_lines(output: str) -> set[tuple[str, str]]:
    """(outcome, person) of each line of `accord roster check`."""
    out = set()
    for line in output.splitlines():
        words = line.split()
        if words[:2] == ["not", "eligible"]:
            out.add(("not eligible", words[2]))
        elif words[:1] in (["eligible"], ["undetermined"]):
            out.add((words[0], words[1]))
    return out
