"""Guards the checker and loader keep: each of these was once accepted, or crashed."""

from __future__ import annotations

import datetime as dt

import pytest

import accord
from accord.facts import facts_from_document

HEAD = 'policy "p"\n  programme demo\n'


def codes(text: str) -> list[str]:
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(text=HEAD + text, path="p.accord")
    return [d.code for d in excinfo.value.diagnostics]


def test_exceptions_that_override_each_other_are_an_error():
    assert codes(
        'role mentor\n  require "r": person.mentor_trained\n'
        '  except "a" denies overriding "b": person.new_to_role\n'
        '  except "b" grants overriding "a": person.years_experience >= 2 years\n'
    ) == ["P116"]


def test_an_unused_definition_is_checked_too():
    assert codes('define unused = person.no_such_fact\nrole mentor\n  require "r": person.mentor_trained\n') == ["P102"]


def test_an_unused_definition_with_parameters_is_checked_too():
    assert codes('define d(p) = p.mentor_trained and nonsense\nrole mentor\n  require "r": true\n') == ["P101"]


def test_a_definition_used_twice_reports_its_problem_once():
    assert codes('define t = person.mentor_traned\nrole mentor\n  require "a": t\n  require "b": t\n') == ["P102"]


def test_a_date_moves_by_whole_calendar_units():
    assert codes('role mentor\n  require "r": person.first_teaching_day + 1.5 months > 2025-01-01\n') == ["P111"]


def test_division_by_zero_reads_plainly():
    compiled = accord.load_policy(text=HEAD + 'role mentor\n  require "r": person.years_experience / 0 >= 1 years\n')
    facts = facts_from_document({"people": [{"id": "a", "facts": {"years_experience": 3}}]})
    d = accord.decide(compiled, facts, "a", "mentor", dt.date(2026, 1, 1))
    assert d.requirements[0].because == "could not be evaluated: division by zero"


def test_a_layer_keeps_its_parents_effective_period(tmp_path):
    (tmp_path / "parent.accord").write_text(HEAD + '  effective 2025-07-01 to 2026-06-30\nrole mentor\n  require "r": true\n')
    (tmp_path / "child.accord").write_text('policy "c"\n  extends "parent"\n')
    child = accord.load_policy(tmp_path / "child.accord")
    assert (child.checked.effective_from, child.checked.effective_to) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    facts = facts_from_document({"people": [{"id": "a"}]})
    with pytest.raises(accord.UsageError):
        accord.decide(child, facts, "a", "mentor", dt.date(2024, 1, 1))


def test_a_plugin_registered_again_is_the_same_plugin():
    import accord.plugins.demo as demo

    registry = accord.Registry([demo])
    assert "demo" in registry.schema.programmes


def test_a_programme_whose_policy_cannot_be_read_is_a_usage_error():
    from accord import hookimpl
    from accord.schema import Programme, RoleSpec

    class Broken:
        @hookimpl
        def accord_programmes(self):
            return [Programme("broken", "Broken", (RoleSpec("mentor"),), policy="nowhere.accord", rules_package="no_such_package")]

    registry = accord.Registry([Broken()])
    with pytest.raises(accord.UsageError, match="cannot be read"):
        accord.load_policy(programme="broken", registry=registry)


@pytest.mark.parametrize("name", ["/etc/passwd", "../../../../../etc/passwd", "~/.ssh/id_rsa"])
def test_extends_reads_only_policy_files(tmp_path, name):
    child = tmp_path / "child.accord"
    child.write_text(f'policy "c"\n  extends "{name}"\n', encoding="utf-8")
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(child)
    assert [d.code for d in excinfo.value.diagnostics] == ["P005"]
    assert "root:" not in excinfo.value.render()  # nothing of the file is quoted
