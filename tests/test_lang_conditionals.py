"""Conditional values and number helpers (docs/language.md, section 24): `if ... then ... else`,
decision tables with their gaps and overlaps, `let`, `min`/`max`, `round(x to whole UNIT)`,
several amounts in one incentive, and the author-facing errors around them.

Every decision goes through both engines (tests/support.py, tests/questions.py), which must agree."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord.explain import incentives_json, incentives_text
from tests.questions import cli, incentives, inline, write
from tests.support import decide, people, policy, status_of

STIPEND_TABLE = """
define stipend =
  USD 1000 when person.years_experience < 1 years,
  USD 500  when person.years_experience >= 1 years and person.years_experience < 3 years,
  USD 0    otherwise
"""


def problems(body: str) -> list[tuple[str, int]]:
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(body)
    return [(d.code, d.span.line if d.span else 0) for d in excinfo.value.diagnostics]


# =========================================================================== if ... then ... else


@pytest.mark.parametrize(
    ("years", "status"),
    [(0.5, "not met"), (2, "met"), (7, "met"), (None, "unknown")],
)
def test_if_chooses_a_value_by_its_condition(years, status):
    loaded = people(("p", {"years_experience": years} if years is not None else {}))
    condition = "(if person.years_experience < 1 years then 0 hours else 10 hours) >= 5 hours"
    assert status_of(condition, loaded, "p") == status


def test_an_unknown_condition_gives_a_known_value_when_both_values_are_equal():
    loaded = people(("p", {}))
    assert status_of("(if person.mentor_trained then USD 5 else USD 5) = USD 5", loaded, "p") == "met"
    assert status_of("(if person.mentor_trained then USD 5 else USD 6) = USD 5", loaded, "p") == "unknown"


def test_if_reads_as_a_condition_too_and_names_what_is_missing():
    compiled = policy('role mentor\n  require "trained or senior": if person.mentor_trained then true else person.years_experience >= 5 years\n')
    loaded = people(("p", {"years_experience": 2}), ("q", {"mentor_trained": False, "years_experience": 2}), ("r", {}), ("s", {"years_experience": 6}))
    assert decide(compiled, loaded, "p", "mentor").requirements[0].status == "unknown"
    assert decide(compiled, loaded, "s", "mentor").outcome is accord.Outcome.YES  # either way it holds
    assert decide(compiled, loaded, "q", "mentor").outcome is accord.Outcome.NO
    assert decide(compiled, loaded, "r", "mentor").requirements[0].missing == ("person.mentor_trained", "person.years_experience")


def test_a_parameter_may_be_a_conditional_or_a_minimum_of_constants():
    compiled = policy(
        "parameter base = USD 500 may raise\n"
        "parameter extra = if base > USD 400 then USD 100 else USD 0\n"
        "parameter band = USD 1 when base > USD 600, USD 2 otherwise\n"
        "parameter cap = min(base, USD 450)\n"
        'role mentor\n  require "x": extra = USD 100 and band = USD 2 and cap = USD 450\n'
    )
    assert decide(compiled, people(("p", {})), "p", "mentor").outcome is accord.Outcome.YES


# =========================================================================== decision tables


@pytest.mark.parametrize(
    ("years", "amount"),
    [(0, "USD 1000"), (Decimal("0.99"), "USD 1000"), (1, "USD 500"), (2.5, "USD 500"), (3, "USD 0"), (40, "USD 0")],
)
def test_a_table_gives_the_value_of_the_row_that_applies(years, amount):
    body = STIPEND_TABLE + 'incentive "stipend" to mentor per person\n  amount stipend\n'
    report = incentives(inline(body), people(("p", {"years_experience": float(years)})), "p")
    assert report.awards[0].amount_text == amount


def test_a_table_with_an_unknown_condition_is_unknown_and_names_the_fact():
    body = STIPEND_TABLE + 'incentive "stipend" to mentor per person\n  amount stipend\n'
    report = incentives(inline(body), people(("p", {})), "p")
    (award,) = report.awards
    assert award.outcome is accord.Outcome.UNKNOWN and award.missing == ("person.years_experience",)


@given(st.decimals(min_value=0, max_value=60, places=2))
@settings(max_examples=40, deadline=None)
def test_the_table_agrees_with_the_handbook_sentence(years):
    body = STIPEND_TABLE + 'incentive "stipend" to mentor per person\n  amount stipend\n'
    report = incentives(_STIPEND_POLICY(body), people(("p", {"years_experience": str(years)})), "p")
    expected = 1000 if years < 1 else 500 if years < 3 else 0
    assert report.awards[0].amount == expected


_compiled: dict[str, accord.CompiledPolicy] = {}


def _STIPEND_POLICY(body: str) -> accord.CompiledPolicy:
    if body not in _compiled:
        _compiled[body] = inline(body)
    return _compiled[body]


def test_a_gap_between_rows_is_P201_with_the_case_that_falls_through():
    body = (
        "define stipend =\n"
        "  USD 1000 when person.years_experience < 1 years,\n"
        "  USD 500  when person.years_experience > 1 years\n"
        'role mentor\n  require "paid": stipend > USD 0\n'
    )
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(body)
    (d,) = excinfo.value.diagnostics
    assert d.code == "P201" and "`person.years_experience` is 1 year" in d.message


def test_overlapping_rows_with_different_values_are_P202_and_equal_values_are_fine():
    overlapping = "define s =\n  USD 1 when person.years_experience <= 1 years,\n  USD 2 when person.years_experience >= 1 years\n"
    assert problems(overlapping + 'role mentor\n  require "x": s > USD 0\n') == [("P202", 5)]
    same = "define s =\n  USD 1 when person.years_experience <= 1 years,\n  USD 1 when person.years_experience >= 1 years\n"
    policy(same + 'role mentor\n  require "x": s > USD 0\n')


def test_choices_and_booleans_are_analysed():
    gap = "define s =\n  1 when person.licence = initial,\n  2 when person.licence in {professional}\n"
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(gap + 'role mentor\n  require "x": s > 0\n')
    assert "`person.licence` is provisional" in excinfo.value.diagnostics[0].message
    whole = "define s =\n  1 when person.mentor_trained,\n  2 when not person.mentor_trained\n"
    policy(whole + 'role mentor\n  require "x": s > 0\n')


def test_conditions_over_two_facts_are_analysed_as_a_grid():
    body = (
        "define s =\n"
        "  1 when person.mentor_trained and person.years_experience >= 3 years,\n"
        "  2 when not person.mentor_trained,\n"
        "  3 when person.years_experience < 3 years\n"
        'role mentor\n  require "x": s > 0\n'
    )
    assert problems(body) == [("P202", 6)]  # untrained and under 3 years: rows 2 and 3


def test_what_the_analysis_cannot_read_is_left_alone():
    # two values compared with each other: no gap is claimed, and at run time no row is unknown
    body = "define s =\n  1 when person.years_experience > person.years_experience * 2,\n  2 when person.years_experience >= 1 years\n"
    compiled = policy(body + 'role mentor\n  require "x": s > 0\n')
    loaded = people(("p", {"years_experience": 0}))
    result = decide(compiled, loaded, "p", "mentor").requirements[0]
    assert result.status == "unknown" and "a row that applies" in result.missing[0]


def test_a_count_is_whole_so_zero_and_at_least_one_cover_it():
    policy('define s =\n  1 when count(evidence mentoring_log) = 0,\n  2 when count(evidence mentoring_log) >= 1\nrole mentor\n  require "x": s > 0\n')


def test_a_table_in_parentheses_is_a_value_anywhere():
    loaded = people(("p", {"years_experience": 2}))
    assert status_of("(1 hours when person.years_experience < 1 years, 3 hours otherwise) = 3 hours", loaded, "p") == "met"


# =========================================================================== let, min, max, round to


def test_let_names_a_value_inside_a_rule():
    loaded = people(("p", {"years_experience": 4}), ("q", {}))
    condition = "let years = person.years_experience in years >= 3 years and years < 10 years"
    assert status_of(condition, loaded, "p") == "met"
    assert status_of(condition, loaded, "q") == "unknown"


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("min(person.years_experience, 3 years) = 3 years", "met"),
        ("max(person.years_experience, 10 years) = 10 years", "met"),
        ("max(person.years_experience, 2 years, 1 years) = 4 years", "met"),
        ("min(2026-01-01, 2025-06-30) = 2025-06-30", "met"),
        ("round(18 months to whole years) = 2 years", "met"),
        ("floor(18 months to whole years) = 1 years", "met"),
        ("round(person.years_experience to whole months) = 48 months", "met"),
        ("ceil(10 days to whole weeks) = 2 weeks", "met"),
    ],
)
def test_number_helpers(condition, status):
    assert status_of(condition, people(("p", {"years_experience": 4})), "p") == status


def test_min_of_an_unknown_is_unknown():
    assert status_of("min(person.years_experience, 3 years) >= 0 years", people(("p", {})), "p") == "unknown"


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ("min(person.years_experience, 6 months) > 1 years", "P205"),
        ("max(person.years_experience) > 1 years", "P112"),
        ("max(person.licence, initial) = initial", "P205"),
        ("round(3 days to whole months) = 1 months", "P204"),
        ("round(3 to whole days) = 1 days", "P204"),
        ("count(3 days to whole months) = 1", "P204"),
        ("let mentor_stipend = 3 in mentor_stipend > 2", None),
    ],
)
def test_misuse_of_the_helpers_is_located(condition, code):
    body = f'role mentor\n  require "x": {condition}\n'
    if code is None:
        policy(body)
        return
    assert problems(body) == [(code, 4)]


# =========================================================================== several amounts


SEVERAL = """
incentive "first-year stipend" to mentor per person
  amount if person.years_experience < 1 years then USD 1000 else USD 500
  amount USD 200
  amount 10 pdps
"""


def test_several_amounts_are_parts_summed_per_currency_and_unit():
    report = incentives(inline(SEVERAL), people(("p", {"years_experience": 0})), "p")
    (award,) = report.awards
    assert [p.amount_text for p in award.parts] == ["USD 1000", "USD 200", "10 PDPs"]
    assert report.totals() == {"money (USD)": "USD 1200", "pdps": "10 PDPs"}
    assert "first-year stipend: USD 1000 + USD 200 + 10 PDPs" in incentives_text(report)
    parts = incentives_json(report)["awards"][0]["parts"]
    assert [(p["amount"], p["unit"]) for p in parts] == [("1000", "USD"), ("200", "USD"), ("10", "PDPs")]


def test_parts_of_one_kind_show_their_total_and_each_part():
    body = 'incentive "stipend" to mentor per person\n  amount USD 300\n  amount USD 200\n'
    (award,) = incentives(inline(body), people(("p", {})), "p").awards
    assert award.amount == 500 and award.amount_text == "USD 500 (USD 300 + USD 200)"


def test_one_amount_reads_as_before():
    body = 'incentive "stipend" to mentor per person\n  amount USD 300\n'
    (award,) = incentives(inline(body), people(("p", {})), "p").awards
    assert award.parts == () and award.amount_text == "USD 300"
    assert "parts" not in incentives_json(incentives(inline(body), people(("p", {})), "p"))["awards"][0]


def test_a_part_that_depends_on_a_missing_fact_leaves_the_award_undetermined():
    report = incentives(inline(SEVERAL), people(("p", {})), "p")
    (award,) = report.awards
    assert award.outcome is accord.Outcome.UNKNOWN and award.missing == ("person.years_experience",)
    assert report.totals(accord.Outcome.UNKNOWN) == {"money (USD)": "USD 200", "pdps": "10 PDPs"}


# =========================================================================== the CLI


def test_the_cli_answers_with_a_conditional_amount(tmp_path: Path):
    policy_file = write(tmp_path, "p.accord", 'policy "P"\n  programme demo\n' + STIPEND_TABLE + 'incentive "stipend" to mentor per person\n  amount stipend\n  amount USD 50\n')
    facts_file = write(tmp_path, "f.json", {"people": [{"id": "p", "facts": {"years_experience": 2}}]})
    result = cli("incentives", facts_file, "--person", "p", "--policy", policy_file, "--as-of", "2026-01-15", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["totals"] == {"money (USD)": "USD 550"}
    assert [p["amount"] for p in doc["awards"][0]["parts"]] == ["500", "50"]


def test_the_cli_reports_a_table_gap_as_exit_2(tmp_path: Path):
    policy_file = write(tmp_path, "p.accord", 'policy "P"\n  programme demo\ndefine s = 1 when person.mentor_trained\nrole mentor\n  require "x": s = 1\n')
    result = cli("lint", policy_file, engines=False)
    assert result.exit_code == 2 and "error[P201]" in result.stderr and "`person.mentor_trained` is no" in result.stderr


def test_the_cli_checks_with_if(tmp_path: Path):
    policy_file = write(tmp_path, "p.accord", 'policy "P"\n  programme demo\nrole mentor\n  require "x": (if person.mentor_trained then 1 years else 3 years) <= person.years_experience\n')
    facts_file = write(tmp_path, "f.json", {"people": [{"id": "p", "facts": {"years_experience": 2, "mentor_trained": True}}]})
    result = cli("check", facts_file, "--person", "p", "--role", "mentor", "--policy", policy_file, "--as-of", "2026-01-15")
    assert result.exit_code == 0, result.stdout + result.stderr


# =========================================================================== author-facing errors


def test_if_without_else_is_P206_not_a_missing_label():
    body = 'role mentor\n  require "x": if person.mentor_trained then person.years_experience >= 3 years\n  require "y": true\n'
    assert problems(body) == [("P206", 5)]


def test_python_style_if_is_P206():
    assert problems('role mentor\n  require "x": person.years_experience >= 3 years if person.mentor_trained\n')[0][0] == "P206"


def test_a_stray_then_elsewhere_is_not_blamed_on_if():
    codes = problems('role mentor\n  require "x": person.years_experience >= 3 years foo\n')
    assert codes[0][0] == "P001"


def test_a_definition_named_like_a_choice_value_is_P207():
    body = "define provisional(p) = p.licence = initial\nrole mentor\n  require \"x\": person.licence != provisional\n"
    assert ("P207", 5) in problems(body)


def test_a_choice_value_passed_to_a_definition_takes_its_choice():
    compiled = policy("define holds(k) = person.licence = k\nrole mentor\n  require \"x\": holds(professional)\n")
    assert decide(compiled, people(("p", {"licence": "professional"})), "p", "mentor").outcome is accord.Outcome.YES


def test_a_misspelt_choice_value_passed_to_a_definition_suggests_the_value():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy("define holds(k) = person.licence = k\nrole mentor\n  require \"x\": holds(profesional)\n")
    (d,) = excinfo.value.diagnostics
    assert d.code == "P101" and d.hint == "did you mean `professional`?"


def test_explain_shows_a_let_value_and_the_condition_an_if_read():
    compiled = policy(
        'role mentor\n'
        '  require "x": let years = person.years_experience in years >= 3 years or person.mentor_trained\n'
        '  require "y": if person.mentor_trained then true else person.years_experience > 10 years\n'
    )
    d = decide(compiled, people(("p", {"years_experience": 2, "mentor_trained": True})), "p", "mentor", explain=True)
    let_trace, if_trace = (r.trace for r in d.requirements)
    assert [(t.text, t.value) for t in let_trace.children][0] == ("years = person.years_experience", Decimal(2))
    assert [(t.text, t.value) for t in if_trace.children] == [("person.mentor_trained", True)]


_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "=": lambda a, b: a == b}
_row = st.tuples(st.sampled_from(sorted(_OPS)), st.integers(0, 4))


@given(st.lists(_row, min_size=1, max_size=3), st.decimals(min_value=0, max_value=6, places=1))
@settings(max_examples=60, deadline=None)
def test_a_table_the_checker_accepts_has_exactly_one_row_for_every_value(rows, years):
    """Soundness of the gap and overlap analysis: when it reports nothing, every value meets one row."""
    table = ",\n".join(f"  {i + 1} hours when person.years_experience {op} {c} years" for i, (op, c) in enumerate(rows))
    body = f"define s =\n{table}\nrole mentor\n  require \"x\": s > 0 hours\n"
    try:
        compiled = policy(body)
    except accord.PolicyError as exc:
        assert {d.code for d in exc.diagnostics} <= {"P201", "P202"}
        return
    applying = [i for i, (op, c) in enumerate(rows) if _OPS[op](years, c)]
    distinct = {i + 1 for i in applying}
    assert len(distinct) == 1, (rows, years)
    result = decide(compiled, people(("p", {"years_experience": str(years)})), "p", "mentor").requirements[0]
    assert result.status == "met"
