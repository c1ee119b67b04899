"""Each crash class of audit 2026-12 stays shut: over a documented limit is a located error
(exit 2), within it everything loads and compiles, and anything unexpected is a bug (exit 70).

The inputs are generated here, not read from the audit's folder, and each is tried at the
limit (it must work) and one past it (it must be refused with its code).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import accord
from accord import cli, limits
from accord.cli import main
from accord.values import show_number

from .support import AS_OF, people, policy

ROOT = Path(__file__).resolve().parent.parent
REQUIRE = 'role mentor\n  require "r": '


def _code(body: str) -> str:
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(body)
    return excinfo.value.diagnostics[0].code


def _lint(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "p.accord"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(path)])
    return result.exit_code, result.output


# --------------------------------------------------------------------------- policies


def _nots(n: int) -> str:
    return REQUIRE + "not " * n + "person.mentor_trained\n"


def _chain(op: str, n: int) -> str:
    return REQUIRE + f" {op} ".join(["person.mentor_trained"] * n) + "\n"


def _sum(n: int) -> str:
    return REQUIRE + "person.years_experience" + " + 1 years" * (n - 1) + " >= 3 years\n"


def _quantifiers(n: int) -> str:
    return REQUIRE + "".join(f"every m{i} in person.mentee: " for i in range(n)) + "person.mentor_trained\n"


@pytest.mark.parametrize(
    ("make", "at_limit", "code"),
    [
        (_nots, limits.MAX_NESTING - 1, "P130"),  # the `.field` is a level too
        (lambda n: _chain("and", n), limits.MAX_OPERANDS, "P131"),
        (lambda n: _chain("or", n), limits.MAX_OPERANDS, "P131"),
        (_sum, limits.MAX_TERMS, "P131"),
        (_quantifiers, limits.MAX_QUANTIFIERS, "P133"),
    ],
)
def test_an_expression_at_a_limit_compiles_and_one_past_it_is_refused(make, at_limit: int, code: str, tmp_path: Path) -> None:
    compiled = policy(make(at_limit))
    facts = people(("ana", {"mentor_trained": True, "years_experience": 5}))
    for engine in ("compiled", "interpreted"):
        accord.decide(compiled, facts, "ana", "mentor", AS_OF, engine=engine, explain=True)
    assert _code(make(at_limit + 1)) == code
    rc, out = _lint(tmp_path, 'policy "C" programme demo\n' + make(1000))
    assert rc == 2 and "Traceback" not in out and "error[P13" in out


def test_the_deepest_mixture_within_the_limits_compiles() -> None:
    # chains of 64 operands nested as deep as the limit allows: the generated code stays within
    # Python's 200 levels of parentheses because each chain is flat
    e = "person.mentor_trained"
    for i in range((limits.MAX_NESTING - 1) // 2):  # each level is a chain and a `not`; the `.field` is one more
        e = "(" + (" and " if i % 2 else " or ").join([f"not {e}"] + ["person.mentor_trained"] * (limits.MAX_OPERANDS - 1)) + ")"
    compiled = policy(REQUIRE + e + "\n")
    facts = people(("ana", {"mentor_trained": False}))
    answers = {accord.decide(compiled, facts, "ana", "mentor", AS_OF, engine=engine).outcome for engine in ("compiled", "interpreted")}
    assert len(answers) == 1


def test_a_definition_counts_as_its_body_written_out() -> None:
    defines = "".join(f"define d{i} = " + "not " * 20 + (f"d{i - 1}" if i else "person.mentor_trained") + "\n" for i in range(4))
    assert _code(defines + REQUIRE + "d3\n") == "P130"
    assert _code("define deep(x) = " + _quantifiers(5).split(": ", 1)[1].strip() + "\n" + REQUIRE + "".join(
        f"every q{i} in person.mentee: " for i in range(4)) + "deep(1)\n") == "P133"


@pytest.mark.parametrize(
    ("digits", "refused"),
    [("1" * 28, False), ("1" * 29, True), ("1" + "0" * 28, True), ("0." + "0" * 40 + "1", False), ("0." + "1" * 29, True), ("9" * 5000, True)],
)
def test_a_number_in_a_policy_has_at_most_28_significant_digits_and_is_below_10_to_the_28(digits: str, refused: bool) -> None:
    body = REQUIRE + f"person.years_experience >= {digits} years\n"
    if refused:
        assert _code(body) == "P134"
    else:
        policy(body)


def test_an_extends_name_has_at_most_255_bytes(tmp_path: Path) -> None:
    assert _code_of_header(f'extends "{"a" * 256}"') == "P135"
    assert _code_of_header(f'extends "{"é" * 128}"') == "P135"  # bytes, not characters
    # 255 bytes passes the limit: the file system may still refuse the name, which is P005, not a crash
    assert _code_of_header(f'extends "{"a" * 255}"') == "P005"
    rc, out = _lint(tmp_path, f'policy "C" extends "{"a/" * 2000}x"\n')
    assert rc == 2 and "Traceback" not in out
    # text given to the API may name what no file system can: a lone surrogate, a NUL (found by fuzzing)
    assert _code_of_header('extends "\ud800"') == "P005"
    assert _code_of_header('extends "a\x00b"') == "P005"


def _code_of_header(clause: str) -> str:
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy("/tmp/child.accord", text=f'policy "C" {clause}\n')
    return excinfo.value.diagnostics[0].code


def test_a_date_in_a_policy_is_at_most_in_year_9998() -> None:
    policy(REQUIRE + "person.first_teaching_day < 9998-12-31\n")
    assert _code(REQUIRE + "person.first_teaching_day < 9999-01-01\n") == "P138"


def test_a_policy_file_is_read_no_further_than_its_limit(tmp_path: Path) -> None:
    rc, out = _lint(tmp_path, 'policy "C" programme demo\n' + "#" * limits.MAX_POLICY_BYTES)
    assert rc == 2 and "error[P136]" in out
    if Path("/dev/zero").exists():
        result = CliRunner().invoke(main, ["lint", "/dev/zero"])
        assert result.exit_code == 2 and "error[P136]" in result.output


def test_a_date_moved_past_the_calendar_is_a_rule_error_not_a_crash() -> None:
    compiled = policy(REQUIRE + "person.first_teaching_day + 5000 years > 2026-01-01\n")
    facts = people(("ana", {"first_teaching_day": "9000-01-01"}))
    for engine in ("compiled", "interpreted"):
        decision = accord.decide(compiled, facts, "ana", "mentor", AS_OF, engine=engine, explain=True)
        assert decision.requirements[0].status == "error"


# --------------------------------------------------------------------------- numbers shown


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None) | st.sampled_from([Decimal("1e30"), Decimal("1" * 29), Decimal("-1.5e-45")]))
def test_any_number_is_shown_without_a_crash_and_reads_back_as_itself(d: Decimal) -> None:
    shown = show_number(d)
    assert Decimal(shown) == d or "E" in shown


def test_a_29_digit_number_in_a_reason_is_shown_exactly() -> None:
    compiled = policy(REQUIRE + "person.years_experience * 10 >= 3 years\n")
    facts = people(("ana", {"years_experience": "9" * 28}))
    decision = accord.decide(compiled, facts, "ana", "mentor", AS_OF)
    assert decision.requirements[0].status == "met"


# --------------------------------------------------------------------------- facts files


def _check(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(path), "--person", "ana", "--role", "mentor", "--programme", "demo", "--as-of", "2026-01-15", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("deep.json", '{"people": [{"id": "ana", "name": ' + "[" * 1000 + "]" * 1000 + "}]}", "F011"),
        ("deep.toml", "x = " + "[" * 1000 + "]" * 1000 + "\n", "F011"),
        ("long-int.json", '{"people": [{"id": "ana", "facts": {"years_experience": ' + "9" * 4301 + "}}]}", "F012"),
        ("long-int.toml", "x = " + "9" * 4301 + "\n", "F012"),
        ("29-digits.json", '{"people": [{"id": "ana", "facts": {"years_experience": ' + "1" * 29 + "}}]}", "F012"),
        ("float.json", '{"people": [{"id": "ana", "facts": {"years_experience": 1e30}}]}', "F012"),
        ("exponent.json", '{"people": [{"id": "ana", "facts": {"years_experience": 1e99999999999999999999}}]}', "F012"),
        ("exponent.toml", "x = 1e99999999999999999999\n", "F012"),
        ("string.json", '{"people": [{"id": "ana", "facts": {"years_experience": "1e30"}}]}', "F012"),
        ("far.json", '{"people": [{"id": "ana", "facts": {"first_teaching_day": "9999-12-15"}}]}', "F013"),
    ],
)
def test_a_facts_file_over_a_limit_is_refused_with_its_code(name: str, text: str, code: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    rc, out = _check(path)
    assert rc == 2 and f"error[{code}]" in out


def test_a_facts_file_at_the_limits_loads(tmp_path: Path) -> None:
    nested = "[" * (limits.MAX_FACTS_DEPTH - 3) + "]" * (limits.MAX_FACTS_DEPTH - 3)
    doc = '{"people": [{"id": "ana", "name": "A", "facts": {"years_experience": ' + "1" * 28 + ', "first_teaching_day": "9998-12-31"}}], "places": ' + nested + "}"
    path = tmp_path / "ok.json"
    path.write_text(doc, encoding="utf-8")
    rc, out = _check(path)
    # the places list of empty lists is refused by shape (F003), not by depth, and nothing crashes
    assert rc == 2 and "F011" not in out and "F012" not in out and "F013" not in out
    doc = json.loads(doc)
    doc["places"] = []
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _check(path)[0] in (0, 1, 3)


def test_a_facts_file_is_read_no_further_than_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FACTS_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"people": [{"id": "p" * 200}]}), encoding="utf-8")
    assert "error[F010]" in _check(path)[1]


def test_as_of_is_at_most_in_year_9998() -> None:
    facts = ROOT / "examples" / "demo" / "facts.json"
    result = CliRunner().invoke(main, ["commitments", str(facts), "--person", "dev", "--programme", "demo", "--as-of", "9999-12-31"])
    assert result.exit_code == 2 and "error[F013]" in result.output
    result = CliRunner().invoke(main, ["commitments", str(facts), "--person", "dev", "--programme", "demo", "--as-of", "9998-12-31"])
    # an answer, or the located limit on recurring periods (a monthly part since 2025: ~95,000 months)
    assert result.exit_code in (0, 1, 3) or (result.exit_code == 2 and "error[P152]" in result.output), result.output


# --------------------------------------------------------------------------- the internal-error path


@pytest.mark.parametrize("error", [RecursionError("maximum recursion depth exceeded"), MemoryError(), ArithmeticError("boom"), KeyError("x")])
def test_an_unexpected_exception_is_a_bug_with_its_own_exit_code(error: BaseException, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("accord.load.load_policy", broken)
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    result = CliRunner().invoke(main, ["lint", str(ROOT / "docs" / "examples" / "mentor.accord")])
    assert result.exit_code == cli.EXIT_INTERNAL == 70
    assert "internal error: this is a bug in Accord" in result.output
    assert type(error).__name__ in result.output and cli.REPORT_BUGS in result.output and cli.DEBUG_VARIABLE in result.output
    assert "Traceback" not in result.output
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    result = CliRunner().invoke(main, ["lint", str(ROOT / "docs" / "examples" / "mentor.accord")])
    assert result.exit_code == 70 and "Traceback" in result.output


def test_where_to_report_a_bug_is_said_in_one_place() -> None:
    sources = [p for p in (ROOT / "core").rglob("*.py") if cli.REPORT_BUGS in p.read_text(encoding="utf-8")]
    assert sources == [ROOT / "core" / "cli.py"]


def test_exit_code_70_is_documented() -> None:
    for doc in ("README.md", "docs/cli.md"):
        assert "70" in (ROOT / doc).read_text(encoding="utf-8"), doc
    result = CliRunner().invoke(main, ["--help"])
    assert "70" in result.output


def test_limits_are_documented() -> None:
    language = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in ("P130", "P131", "P133", "P134", "P135", "P136", "P137", "P138"):
        assert code in language, code
    for code in ("F010", "F011", "F012", "F013"):
        assert code in cli_doc, code
    assert "pytest -m fuzz" in cli_doc and "pytest -m fuzz" in (ROOT / "README.md").read_text(encoding="utf-8")

