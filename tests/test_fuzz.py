"""Fuzzing: mutated shipped policies and facts files, through lint and every question.

The only outcomes allowed are an answer (exit 0, 1, 3 or 4) or an `AccordError` (exit 2);
anything else (exit 70 from the CLI, any other exception from the API) fails the test.

The normal run has a quick budget (a few hundred inputs). The long run is `pytest -m fuzz`
(left out of the normal run by `addopts`): ACCORD_FUZZ_EXAMPLES inputs per test (default
40,000; the three long tests together run over 100,000), with a summary line of the inputs run;
with ACCORD_FUZZ_PROGRESS=FILE the counts are also written to FILE every 500 inputs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.cli import main

from .fuzz_strategies import ROOT, count, document, facts_inputs, policy_inputs, run_facts, run_policy

LONG = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "40000"))
ANSWERS = {0, 1, 2, 3, 4}


def _budget(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=True)


# --------------------------------------------------------------------------- through the API


def _policies(data: st.DataObject) -> None:
    path, text = data.draw(policy_inputs())
    run_policy(path, text, engine=data.draw(st.sampled_from(["compiled", "interpreted"])))


def _facts(data: st.DataObject) -> None:
    path, text = data.draw(facts_inputs())
    with tempfile.TemporaryDirectory() as tmp:
        written = Path(tmp) / Path(path).name
        written.write_text(text, encoding="utf-8", errors="surrogatepass")
        run_facts(written, path)


@_budget(150)
@given(st.data())
def test_mutated_policies_load_or_are_refused_and_every_question_answers(data: st.DataObject) -> None:
    _policies(data)


@_budget(80)
@given(st.data())
def test_mutated_facts_load_or_are_refused_and_every_question_answers(data: st.DataObject) -> None:
    _facts(data)


# --------------------------------------------------------------------------- through the CLI


def _cli(data: st.DataObject) -> None:
    """A mutated policy or facts file through `accord lint` and every command, in-process."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        policy_path, policy_text = data.draw(policy_inputs()) if data.draw(st.booleans()) else data.draw(st.sampled_from(_POLICY_PAIRS))
        facts_path, facts_text = data.draw(facts_inputs())
        source = ROOT / policy_path
        for sibling in source.parent.glob("*.accord"):  # what `extends` finds beside the file
            shutil.copy(sibling, tmp)
        policy = Path(tmp) / source.name
        policy.write_text(policy_text, encoding="utf-8", errors="surrogatepass")
        facts = Path(tmp) / "facts.json"
        facts.write_text(facts_text, encoding="utf-8", errors="surrogatepass")
        under = data.draw(st.sampled_from([["--policy", str(policy)], ["--programme", "demo"], ["--programme", "ma_induction"]]))
        first, second = data.draw(st.sampled_from([("ana", "ben"), ("maria", "nate"), ("dev", "ana"), ("x", "y")]))
        commands = [
            ["lint", str(policy)],
            ["check", str(facts), "--role", data.draw(st.sampled_from(["mentor", "mentee", "supervising_practitioner"])), *under],
            ["check", str(facts), "--person", first, "--role", "mentor", "--explain", *under],
            ["pair", str(facts), first, second, *under],
            ["incentives", str(facts), "--person", first, *under],
            ["access", str(facts), "--viewer", first, "--record", data.draw(st.sampled_from(["ev1", "ev4", "e1"])), *under],
            ["commitments", str(facts), "--person", first, *under],
        ]
        as_of = data.draw(st.sampled_from(["2026-01-15", "9998-12-31", "0001-01-01", "9999-12-31"]))
        for args in commands:
            if args[0] != "lint":
                args = [*args, "--as-of", as_of, *data.draw(st.sampled_from([[], ["--format", "json"]]))]
            count("cli")
            result = runner.invoke(main, args)
            assert result.exit_code in ANSWERS, f"accord {' '.join(args)} exited {result.exit_code}:\n{result.output}"
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


_POLICY_PAIRS = [(p, (ROOT / p).read_text(encoding="utf-8")) for p in ("docs/examples/commitments.accord", "docs/examples/pairing.accord")]


@_budget(20)
@given(st.data())
def test_mutated_files_through_every_command_give_an_answer_or_exit_2(data: st.DataObject) -> None:
    _cli(data)


def test_a_parsed_document_of_any_shape_is_loaded_or_refused() -> None:
    for raw in (None, [], "x", 1, {"people": "x"}, {"people": [[[]]]}, {"people": [{"id": 10**4000}]}):
        document(raw)


# --------------------------------------------------------------------------- the long run: pytest -m fuzz


@pytest.mark.fuzz
@_budget(LONG)
@given(st.data())
def test_long_fuzz_policies(data: st.DataObject) -> None:
    _policies(data)


@pytest.mark.fuzz
@_budget(LONG)
@given(st.data())
def test_long_fuzz_facts(data: st.DataObject) -> None:
    _facts(data)


@pytest.mark.fuzz
@_budget(max(1, LONG // 8))
@given(st.data())
def test_long_fuzz_cli(data: st.DataObject) -> None:
    _cli(data)
