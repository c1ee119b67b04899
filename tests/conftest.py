"""Shared fixtures: the demo programme's policy and facts, through the public API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import accord

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
AS_OF = dt.date(2026, 1, 15)


@pytest.fixture(scope="session")
def demo_policy() -> accord.CompiledPolicy:
    return accord.load_policy(programme="demo")


@pytest.fixture(scope="session")
def demo_facts() -> accord.Facts:
    return accord.load_facts(EXAMPLES / "demo" / "facts.json")


# Hypothesis profiles for the property tests: `ci` is reproducible (derandomized, no example
# database), `dev` explores new examples on every run and replays the failures it saved. With
# either, tests/test_properties.py runs in about 30 s on 2 cores. Pick one with
# HYPOTHESIS_PROFILE=ci|dev; the default is `ci` when $CI is set, else `dev`.
import os  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", max_examples=100, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_terminal_summary(terminalreporter: object) -> None:
    """After a fuzz run, one line with the inputs it ran (the figure `pytest -m fuzz` reports)."""
    import sys

    module = sys.modules.get("tests.fuzz_strategies")
    counts = getattr(module, "COUNTS", None)
    if counts:
        line = (
            f"fuzz: {counts['policy'] + counts['facts'] + counts['cli']} inputs run "
            f"({counts['policy']} policies, {counts['policy refused']} refused; {counts['facts']} facts files, "
            f"{counts['facts refused']} refused; {counts['cli']} CLI commands)"
        )
        terminalreporter.write_line(line)  # type: ignore[attr-defined]
