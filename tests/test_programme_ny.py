"""New York mentoring of first-year teachers (`ny_mentoring`): the plugin, the policy through both
engines, and the walkthrough's questions through the CLI.

The rules are `rules/ny/mentoring.accord` (8 NYCRR 100.2(dd), 80-3.4); the expected answers are
worked out by hand from the policy and examples/ny/facts.json, next to each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord.cli import main
from accord.evaluate import Outcome
from tests.support import decide, facts

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/ny/facts.json"
LAYER = "examples/ny/district-layer.accord"
AS_OF = ["--as-of", "2026-01-15"]
STATE = ["--programme", "ny_mentoring", *AS_OF]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="accord")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def policy() -> accord.CompiledPolicy:
    return accord.load_policy(programme="ny_mentoring")


def test_the_programme_is_installed_through_its_entry_point():
    code, out = run("programmes")
    assert code == 0
    assert "ny_mentoring" in out and "rules/ny/mentoring.accord" in out
    for role in ("mentor", "new_teacher", "mentored_year_done"):
        assert f"role {role} " in out


@pytest.mark.parametrize(
    ("person", "line"),
    [
        ("lee", "eligible"),
        ("rae", "eligible"),
        ("mia", "not eligible"),  # a charter school: 100.2(dd) binds districts and BOCES
        ("noah", "not eligible"),  # three years elsewhere: exempt
        ("pia", "not eligible"),  # second year
        ("omar", "undetermined"),  # employer not on file
    ],
)
def test_who_is_a_new_teacher(person, line):
    code, out = run("check", EXAMPLE, "--role", "new_teacher", "--person", person, *STATE)
    assert out.splitlines()[0].startswith(line.upper()), out
    assert code == {"eligible": 0, "not eligible": 1, "undetermined": 3}[line]


def test_an_exempt_teacher_has_done_the_mentored_year_by_the_exception():
    code, out = run("check", EXAMPLE, "--role", "mentored_year_done", "--person", "noah", *STATE)
    assert code == 0
    assert 'decided by the exception "two years of acceptable teaching experience exempt the teacher"' in out


def test_the_evaluator_may_not_mentor_the_new_teacher():
    code, out = run("pair", EXAMPLE, "dan", "lee", *STATE)
    assert code == 1
    assert "[not met]  the mentor is not the new teacher's evaluator" in out


def test_the_state_sets_no_stipend_and_a_district_layer_does():
    code, out = run("incentives", EXAMPLE, "--person", "eve", *STATE)
    assert code == 3 and "parameter mentor_stipend" in out
    code, out = run("incentives", EXAMPLE, "--person", "eve", "--policy", LAYER, *AS_OF)
    assert code == 0 and "USD 1500, paid by Lansing Central School District" in out


def test_the_monthly_time_waits_for_the_district_then_is_checked():
    code, out = run("commitments", EXAMPLE, "--person", "lee", *STATE)
    assert code == 3 and "missing: parameter mentoring_hours_per_month" in out
    code, out = run("commitments", EXAMPLE, "--person", "lee", "--policy", LAYER, *AS_OF)
    assert code == 1
    assert "missed 2025-11-03 to 2025-12-02 (0 hours of 2 hours)" in out


def test_a_charter_school_teacher_owes_nothing():
    code, out = run("commitments", EXAMPLE, "--person", "mia", *STATE)
    assert code == 0 and "no commitments" in out


@pytest.mark.parametrize(
    ("viewer", "record", "code"),
    [("ana", "lee-log1", 0), ("lee", "lee-log1", 0), ("dan", "lee-log1", 1), ("quinn", "lee-log1", 4), ("sam", "pia-ver", 0), ("ana", "lee-eval", 1)],
)
def test_who_sees_what(viewer, record, code):
    assert run("access", EXAMPLE, "--viewer", viewer, "--record", record, *STATE)[0] == code


def test_the_json_answer_names_the_sources():
    code, out = run("check", EXAMPLE, "--person", "omar", "--role", "new_teacher", "--format", "json", *STATE)
    assert code == 3
    doc = json.loads(out)
    assert doc["outcome"] == "undetermined"
    assert any("100.2(dd)" in (r.get("source") or "") for r in doc["requirements"])


NEW = {"ny_certificate": "initial", "ny_employer": "school_district"}


@settings(max_examples=40, deadline=None)
@given(
    years=st.decimals(min_value=0, max_value=5, places=1),
    prior=st.decimals(min_value=0, max_value=5, places=1),
    employer=st.sampled_from(["school_district", "boces", "charter_school", "nonpublic_school"]),
)
def test_a_new_teacher_is_in_the_first_year_in_a_district_and_not_exempt(policy, years, prior, employer):
    f = facts({"people": [{"id": "t", "facts": {**NEW, "ny_employer": employer, "years_experience": float(years), "ny_prior_experience": float(prior)}}]})
    expected = years < 1 and prior < 2 and employer in ("school_district", "boces")
    assert decide(policy, f, "t", "new_teacher").outcome is (Outcome.YES if expected else Outcome.NO)
    # the mentored year is done by the exemption exactly when the earlier experience exempts
    done = decide(policy, f, "t", "mentored_year_done").outcome
    assert done is (Outcome.YES if prior >= 2 else Outcome.NO)


@settings(max_examples=20, deadline=None)
@given(missing=st.sampled_from(["ny_certificate", "ny_employer", "years_experience", "ny_prior_experience"]))
def test_a_missing_fact_is_unknown_never_no(policy, missing):
    known = {**NEW, "years_experience": 0, "ny_prior_experience": 0}
    del known[missing]
    f = facts({"people": [{"id": "t", "facts": known}]})
    d = decide(policy, f, "t", "new_teacher")
    assert d.outcome is Outcome.UNKNOWN
    assert f"person.{missing}" in d.missing
