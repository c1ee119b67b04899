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
