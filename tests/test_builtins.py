"""Built-in functions are a plugin (`core/builtins.py`), registered first through `accord_functions`,
with the typing callback (`Function.check`) any plugin may give a function; and plugin functions
may say what they found (`Function.reason`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

import accord
from accord import hookimpl
from accord import builtins as accord_builtins
from accord.check import FunctionCall
from accord.errors import PluginError
from accord.schema import Function
from accord.values import NUMBER, PERSON, Quantity
from tests.support import decide, people, policy, status_of


def test_the_builtins_are_registered_through_the_function_hook_before_any_plugin():
    registry = accord.Registry()
    assert registry.declared_by("function", "count") == accord_builtins.PLUGIN_NAME
    for name in ("count", "hours", "sum", "latest", "round", "floor", "ceil", "min", "max"):
        fn = registry.schema.functions[name]
        assert fn.check is not None, name
    assert list(registry.schema.functions)[: len(accord_builtins.NAMES)] == list(accord_builtins.NAMES)


def test_a_registry_without_entry_points_still_has_the_builtins():
    registry = accord.Registry(entry_points=False)
    assert set(accord_builtins.NAMES) <= set(registry.schema.functions)


class _Shadow:
    @hookimpl
    def accord_functions(self) -> Sequence[Function]:
        return [Function("count", (PERSON,), NUMBER, lambda ctx, p: Decimal(1))]


def test_a_plugin_cannot_take_a_builtin_name():
    with pytest.raises(PluginError) as excinfo:
        accord.Registry([_Shadow()])
    assert "`count` is already declared differently by `accord.builtins`" in str(excinfo.value)


# --------------------------------------------------------------------------- a plugin's own typed function


def _clamp(call: FunctionCall) -> Any:
    """`clamp(x, low, high)`: any quantity, its bounds in its unit; the result in that unit."""
    problem = call.arity(3)
    if problem is not None:
        return problem
    args = [call.arg(i) for i in range(3)]
    t = args[0].type
    if not isinstance(t, Quantity):
        return call.error("P110", f"`clamp` needs a quantity, but `{args[0].text}` is {t.describe()}", call.args[0])
    for a, written in zip(args[1:], call.args[1:]):
        if a.type != t:
            return call.error("P110", f"`clamp` needs its bounds in {t.unit}", written)
    return call.apply(t, args)


class _Clamp:
    @hookimpl
    def accord_functions(self) -> Sequence[Function]:
        impl = lambda records, x, low, high: max(low, min(x, high))  # noqa: E731
        return [Function("clamp", (), NUMBER, impl, "x kept between two bounds", check=_clamp)]


@pytest.fixture(scope="module")
def clamp_registry():
    return accord.Registry([_Clamp()])


@pytest.mark.parametrize(("years", "status"), [(1, "not met"), (3, "met"), (30, "met"), (None, "unknown")])
def test_a_plugin_function_types_its_own_arguments(clamp_registry, years, status):
    compiled = policy('role mentor\n  require "x": clamp(person.years_experience, 2 years, 5 years) >= 3 years\n', registry=clamp_registry)
    loaded = people(("p", {"years_experience": years} if years is not None else {}), registry=clamp_registry)
    assert str(decide(compiled, loaded, "p", "mentor").requirements[0].status) == status


def test_a_plugin_functions_own_typing_error_is_located(clamp_registry):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy('role mentor\n  require "x": clamp(person.years_experience, 2 hours, 5 years) >= 3 years\n', registry=clamp_registry)
    (d,) = excinfo.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("P110", 4, 47)  # at `2 hours`


# --------------------------------------------------------------------------- reasons


def _similar(ctx: Any, a: Any, b: Any) -> bool:
    return a.facts.get("subject_area") == b.facts.get("subject_area")


def _similar_reason(ctx: Any, a: Any, b: Any) -> str | None:
    area = a.facts.get("subject_area")
    return f"both teach {area}" if area == b.facts.get("subject_area") else None


class _Reasoned:
    @hookimpl
    def accord_functions(self) -> Sequence[Function]:
        return [Function("same_subject", (PERSON, PERSON), accord.values.BOOL, _similar, reason=_similar_reason)]


def test_a_plugin_function_says_what_it_found_in_reasons():
    registry = accord.Registry([_Reasoned()])
    compiled = policy('pair mentor, mentee\n  require "different subjects": not same_subject(mentor, mentee)\n', registry=registry)
    loaded = people(("m", {"subject_area": "science"}), ("e", {"subject_area": "science"}), registry=registry)
    from tests.support import decide_pair

    result = decide_pair(compiled, loaded, "m", "e").requirements[0]
    assert result.status == "not met" and result.actual_text == "both teach science"


# --------------------------------------------------------------------------- no behaviour change


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("count(evidence mentoring_log) >= 1", "not met"),
        ("hours(evidence mentoring_log) >= 0 hours", "met"),
        ("round(person.years_experience) = 3 years", "met"),
        ("floor(person.years_experience) = 2 years", "met"),
        ("ceil(person.years_experience) = 3 years", "met"),
    ],
)
def test_the_builtins_answer_as_before(condition, status):
    assert status_of(condition, people(("p", {"years_experience": 2.5})), "p") == status


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ("count(person.years_experience) > 1", "P110"),
        ("count() > 1", "P112"),
        ("sum(evidence mentoring_log, nope) > 1 hours", "P102"),
        ("latest(3) = 3", "P110"),
    ],
)
def test_the_builtins_refuse_as_before(condition, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(f'role mentor\n  require "x": {condition}\n')
    assert excinfo.value.diagnostics[0].code == code
