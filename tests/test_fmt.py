"""`accord fmt`: one canonical layout, every comment kept, the meaning never changed.

Golden files: `tests/fmt/<case>/input.accord` must format to `expected.accord`, byte for byte.
Regenerate them with `ACCORD_UPDATE_GOLDEN=1 python -m pytest tests/test_fmt.py`, then read the
diff: a golden is a reviewed layout, not a snapshot.

Properties, for every shipped policy and for generated policies with their whitespace redrawn
and comments put among their tokens: `fmt(fmt(x)) == fmt(x)`, `parse(fmt(x)) == parse(x)`
(spans aside) and every comment is still there, in order.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

import accord
from accord import fmt
from accord.cli import main
from accord.fmt import format_text
from accord.parse import parse
from tests import strategies as s

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "fmt"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.accord").is_file())
UPDATE = os.environ.get("ACCORD_UPDATE_GOLDEN") == "1"
SHIPPED = sorted(
    {
        p.relative_to(ROOT).as_posix()
        for pattern in ("rules/**/*.accord", "docs/examples/*.accord", "examples/**/*.accord", "tests/corpus*/**/*.accord")
        for p in ROOT.glob(pattern)
    }
)
#: Shipped policies left as they are written, because the docs quote them: `docs/language.md`
#: shows the docs/examples files character for character, and the walkthroughs (examples/README.md,
#: examples/qms/README.md, docs/language.md) quote file:line:column locations in them that
#: formatting would move. Every other shipped policy is formatted.
NOT_FORMATTED = {
    "docs/examples/commitments.accord",  # `when` on the commitment's line
    "docs/examples/conflict.accord",  # header clauses on the `policy` line
    "docs/examples/dates.accord",
    "docs/examples/mentor.accord",  # two spaces before `may raise`
    "docs/examples/pairing.accord",
    "rules/cumbria/qms-qlms.accord",  # lines over 100 characters
    "rules/ma/supervising-practitioner.accord",
    "rules/masa/mentor-program-2021-2022.accord",
}

BAD = 'policy "Bad"\n  programme demo\n\nrole mentor\n  require "is trained" person.mentor_trained\n'
MESSY = 'policy "Messy"   programme demo\nrole mentor\n      require "is trained":person.mentor_trained   # why\n'
TIDY = 'policy "Messy"\n  programme demo\n\nrole mentor\n  require "is trained": person.mentor_trained      # why\n'


# --- golden layouts -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_each_input_formats_to_its_golden_layout(case):
    source = (GOLDEN / case / "input.accord").read_text(encoding="utf-8")
    golden = GOLDEN / case / "expected.accord"
    out = format_text(source, f"{case}/input.accord")
    if UPDATE:
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert out != source, "a golden case that changes nothing proves nothing"
    assert format_text(out) == out


def test_the_golden_cases_cover_the_layout():
    assert {"blocks", "comments", "long-lines", "operators"} <= set(CASES)


# --- shipped policies ---------------------------------------------------------------------------


def test_there_are_shipped_policies():
    assert len(SHIPPED) >= 40 and set(NOT_FORMATTED) <= set(SHIPPED)


@pytest.mark.parametrize("path", SHIPPED)
def test_formatting_a_shipped_policy_is_idempotent_and_keeps_its_meaning(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    once = format_text(text, path)
    assert format_text(once, path) == once
    assert parse(once, path) == parse(text, path)
    assert [ln.strip() for ln in text.splitlines() if ln.lstrip().startswith("#")] == [
        ln.strip() for ln in once.splitlines() if ln.lstrip().startswith("#")
    ]


@pytest.mark.parametrize("path", SHIPPED)
def test_which_shipped_policies_are_formatted(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    formatted = format_text(text, path) == text
    assert formatted == (path not in NOT_FORMATTED), f"{path}: update NOT_FORMATTED (and say why)"


# --- generated policies -------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(s.noisy_policies())
def test_formatting_generated_policies_is_idempotent_keeps_meaning_and_comments(noisy):
    text, comments = noisy
    out = format_text(text)
    assert format_text(out) == out
    assert parse(out) == parse(text)
    at = 0
    for comment in comments:
        found = out.find(comment, at)
        assert found >= 0, f"comment {comment!r} lost or moved out of order"
        at = found + len(comment)


# --- refusals -----------------------------------------------------------------------------------


def test_a_policy_that_does_not_parse_is_refused_with_the_parsers_located_error():
    with pytest.raises(accord.PolicyError) as excinfo:
        format_text(BAD, "bad.accord")
    d = excinfo.value.diagnostics[0]
    assert (d.code, str(d.span)) == ("P001", "bad.accord:5:24")


def test_output_that_would_mean_something_else_is_refused(monkeypatch):
    # break the layout on purpose: with no spaces, `person.mentor_trained or true` would read
    # as one long field name
    monkeypatch.setattr(fmt, "_space_between", lambda a, b: False)
    with pytest.raises(accord.PolicyError) as excinfo:
        format_text(TIDY.replace("mentor_trained", "mentor_trained or true"), "tidy.accord")
    assert [d.code for d in excinfo.value.diagnostics] == ["P170"]
    assert "`tidy.accord`" in excinfo.value.diagnostics[0].message


# --- the command --------------------------------------------------------------------------------


def _run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["fmt", *args], input=input)


def test_fmt_rewrites_a_file_in_place_keeping_its_permissions(tmp_path):
    path = tmp_path / "p.accord"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    result = _run(str(path))
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == TIDY
    assert f"reformatted {path}" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.accord"], "no temporary file is left behind"
    again = _run(str(path))
    assert (again.exit_code, again.output) == (0, "")


def test_fmt_check_exits_1_with_a_diff_and_writes_nothing(tmp_path):
    messy, tidy = tmp_path / "messy.accord", tmp_path / "tidy.accord"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    result = _run("--check", str(tidy), str(messy))
    assert result.exit_code == 1
    assert f"--- {messy}\n+++ {messy} (formatted)\n" in result.output
    assert '-      require "is trained":person.mentor_trained   # why\n' in result.output
    assert '+  require "is trained": person.mentor_trained      # why\n' in result.output
    assert str(tidy) not in result.output.replace(str(messy), "")
    assert "1 of 2 files not formatted" in result.output
    assert messy.read_text(encoding="utf-8") == MESSY
    ok = _run("--check", str(tidy))
    assert (ok.exit_code, ok.output) == (0, "")


def test_fmt_diff_prints_the_change_and_writes_nothing(tmp_path):
    path = tmp_path / "p.accord"
    path.write_text(MESSY, encoding="utf-8")
    result = _run("--diff", str(path))
    assert result.exit_code == 0
    assert result.output.startswith(f"--- {path}\n+++ {path} (formatted)\n@@ ")
    assert "+  programme demo\n" in result.output
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_dash_reads_stdin_and_writes_stdout():
    result = _run("-", input=MESSY)
    assert (result.exit_code, result.output) == (0, TIDY)
    check = _run("--check", "-", input=MESSY)
    assert check.exit_code == 1 and "--- <stdin>\n" in check.output


def test_fmt_refuses_a_file_that_does_not_parse_and_still_formats_the_others(tmp_path):
    bad, messy = tmp_path / "bad.accord", tmp_path / "messy.accord"
    bad.write_text(BAD, encoding="utf-8")
    messy.write_text(MESSY, encoding="utf-8")
    result = _run(str(bad), str(messy))
    assert result.exit_code == 2
    assert f"{bad}:5:24: error[P001]: unexpected `person`" in result.output
    assert "Traceback" not in result.output
    assert bad.read_text(encoding="utf-8") == BAD, "never half-formatted"
    assert messy.read_text(encoding="utf-8") == TIDY
    missing = _run(str(tmp_path / "nowhere.accord"))
    assert missing.exit_code == 2 and "error[P005]: cannot read policy file" in missing.output


def test_fmt_help_teaches_the_options():
    result = CliRunner().invoke(main, ["fmt", "--help"])
    assert result.exit_code == 0
    for word in ("--check", "--diff", "standard input", "Exit code"):
        assert word in result.output
