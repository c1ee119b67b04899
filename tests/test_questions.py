"""The question abstraction: every question is declared once and asked through one runner.

`accord roles` is the example of a question added the new way (one module, one registration);
a plugin adds a question through `accord_questions` and it becomes a command.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import click
import pytest
from click.testing import CliRunner

import accord
from accord import hookimpl
from accord.cli import main
from accord.outcome import Outcome, overall
from accord.question import Asking, Policies, Question, ask
from accord.questions import BUILTIN, builtin
from tests.conftest import EXAMPLES

AS_OF = dt.date(2026, 1, 15)
MA = str(EXAMPLES / "ma" / "facts.json")
DEMO = str(EXAMPLES / "demo" / "facts.json")


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_every_builtin_question_is_a_command_with_help_and_one_exit_code_mapping():
    names = [q.name for q in builtin()]
    assert len(names) == len(set(names)) == len(BUILTIN)
    for q in builtin():
        result = run(q.name, "--help")
        assert result.exit_code == 0 and " ".join(q.help.split("\n")[0].split()) in " ".join(result.output.split())
    assert {o: o.exit_code for o in Outcome} == {Outcome.YES: 0, Outcome.NO: 1, Outcome.UNKNOWN: 3, Outcome.PARTIAL: 4}
    assert overall([Outcome.YES, Outcome.NO]) is Outcome.NO and overall([Outcome.NO, Outcome.UNKNOWN]) is Outcome.UNKNOWN
    assert overall([]) is Outcome.YES


@pytest.mark.parametrize("person", ["maria", "nate", "una", "rosa", "cal", "dee"])
def test_roles_lists_exactly_the_roles_check_finds_eligible(person):
    facts = accord.load_facts(MA)
    policies = Policies(programme="ma_induction")
    report = ask(builtin()[BUILTIN.index("roles")], Asking(facts, policies, AS_OF, {"person": person}))
    (answer,) = report.answers
    policy = policies.for_person(facts, person)
    expected = [r for r in policy.checked.roles if accord.decide(policy, facts, person, r, AS_OF).outcome is Outcome.YES]
    assert answer.eligible() == expected
    result = run("roles", MA, "--person", person, "--programme", "ma_induction", "--as-of", "2026-01-15", "--format", "json")
    data = json.loads(result.output)
    assert data["schema"] == "accord.roles/1" and data["eligible"] == expected
    assert [r["role"] for r in data["roles"]] == list(policy.checked.roles)
    assert result.exit_code == (0 if expected else report.exit_code)


def test_roles_text_leads_each_role_with_its_outcome_and_why_not():
    result = run("roles", MA, "--person", "maria", "--programme", "ma_induction", "--as-of", "2026-01-15")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Maria Alves (maria): eligible for mentor"
    assert any(line.startswith("  eligible      mentor") for line in lines)
    assert any(line.startswith("  not eligible  beginning_teacher") and "years_experience is 9 years" in line for line in lines)


def test_roles_for_a_viewer_hides_what_rests_on_records_they_may_not_see():
    shown = run("roles", MA, "--person", "maria", "--programme", "ma_sp_cap", "--as-of", "2026-01-15", "--viewer", "una")
    plain = run("roles", MA, "--person", "maria", "--programme", "ma_sp_cap", "--as-of", "2026-01-15")
    assert shown.exit_code == plain.exit_code
    assert "exemplary" in plain.output + run("check", MA, "--person", "maria", "--role", "supervising_practitioner", "--programme", "ma_sp_cap", "--as-of", "2026-01-15").output
    assert "exemplary" not in shown.output and "9 years" not in shown.output
    assert "shown as una may see it" in shown.output


def test_an_unknown_viewer_or_person_is_bad_input():
    assert run("roles", MA, "--person", "maria", "--programme", "ma_induction", "--viewer", "nobody").exit_code == 2
    result = run("roles", MA, "--person", "mariaa", "--programme", "ma_induction")
    assert result.exit_code == 2 and "maria" in result.output


# --------------------------------------------------------------------------- a plugin's question


def _headcount(asking: Asking) -> list[int]:
    return [len(asking.facts.people)]


HEADCOUNT = Question(
    name="headcount",
    summary="how many people are in the facts?",
    help="Count the people in FACTS (a plugin's question).",
    answer=_headcount,
    outcome=lambda n: Outcome.YES if n else Outcome.NO,
    text=lambda answers, asking: f"{answers[0]} people",
    data=lambda answers, asking: {"people": answers[0]},
    options=(click.Option(["--loud"], is_flag=True, help="Unused: shows a plugin's own option."),),
)


class _QuestionPlugin:
    @hookimpl
    def accord_questions(self) -> Sequence[Question]:
        return [HEADCOUNT]


def test_a_plugin_adds_a_question_and_it_becomes_a_command(monkeypatch):
    from accord import registry

    reg = accord.Registry(plugins=[_QuestionPlugin()])
    monkeypatch.setattr(registry, "default_registry", lambda: reg)
    assert "headcount" in run("--help").output
    result = run("headcount", DEMO, "--programme", "demo", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == {"people": len(accord.load_facts(DEMO).people)}
    assert run("headcount", "--help").exit_code == 0


def test_a_plugin_question_may_not_take_a_builtin_name(monkeypatch):
    from accord import registry

    class Clash:
        @hookimpl
        def accord_questions(self) -> Sequence[Question]:
            import attrs

            return [attrs.evolve(HEADCOUNT, name="check"), attrs.evolve(HEADCOUNT, name="pair")][:1]

    reg = accord.Registry(plugins=[Clash()])
    monkeypatch.setattr(registry, "default_registry", lambda: reg)
    from accord.questions import questions

    with pytest.raises(accord.PluginError, match="`check` is already asked"):
        questions()
    result = run("nosuch", DEMO)
    assert result.exit_code == 2 and "already asked" in result.output
