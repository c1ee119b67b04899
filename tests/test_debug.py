"""Debugging a policy or a plugin: a rule that raises keeps its traceback, and `--debug` lets it through.

By default a rule that raises is reported in the answer (`could not be evaluated: ...`) and the
exception, traceback included, is kept on the `RuleFailure`. Under `accord.runtime.debug()`
(`accord --debug`), it propagates, and its traceback runs through the generated code, whose
lines are readable (registered in `linecache`, constants named after their parameters).
"""

from __future__ import annotations

import datetime as dt
import traceback

import pytest
from click.testing import CliRunner

import accord
from accord import runtime
from accord.cli import main
from tests import extra_plugin

POLICY = 'policy "Debug"\n  programme demo\nparameter bar = 3 years\nrole mentor\n  require "ok": person.years_experience >= bar\n  require "broken": broken_check(person)\n'
DOC = {"people": [{"id": "a", "facts": {"years_experience": 4}}]}


@pytest.fixture
def policy():
    return accord.load_policy(text=POLICY, registry=extra_plugin.registry())


def test_a_rule_that_raises_keeps_its_exception_and_traceback(policy):
    from accord.facts import facts_from_document

    facts = facts_from_document(DOC, extra_plugin.registry())
    d = accord.decide(policy, facts, "a", "mentor", dt.date(2026, 1, 1))
    broken = d.requirements[1]
    assert broken.status == "error" and "RuntimeError" in broken.error
    assert d.outcome is accord.Outcome.UNKNOWN


def test_under_debug_the_exception_propagates_through_the_generated_code(policy):
    from accord.facts import facts_from_document

    facts = facts_from_document(DOC, extra_plugin.registry())
    runtime.debug()
    try:
        with pytest.raises(RuntimeError) as excinfo:
            accord.decide(policy, facts, "a", "mentor", dt.date(2026, 1, 1))
    finally:
        runtime.debug(False)
    text = "".join(traceback.format_exception(excinfo.value))
    assert "<accord <policy>" in text  # a frame of the generated code, by its readable file name
    assert "_call(fn_broken_check_" in text  # its source line, from linecache, the function by its name
    assert "p_bar_" in policy.source  # a parameter's constant is named after the parameter


def test_the_cli_debug_flag_is_documented_and_off_by_default():
    result = CliRunner().invoke(main, ["--help"])
    assert "--debug" in result.output
    assert runtime.DEBUG is False
