"""The demo example answers as the README says it does."""

from __future__ import annotations

import pytest

import accord
from tests.conftest import AS_OF


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
@pytest.mark.parametrize(
    ("person", "role", "outcome"),
    [
        ("ana", "mentor", accord.Outcome.YES),
        ("ben", "mentor", accord.Outcome.NO),
        ("cara", "mentor", accord.Outcome.UNKNOWN),
        ("dev", "mentee", accord.Outcome.YES),
        ("eli", "mentee", accord.Outcome.YES),
        ("ana", "mentee", accord.Outcome.UNKNOWN),  # an unknown grant could still apply
    ],
)
def test_demo_outcomes(demo_policy, demo_facts, person, role, outcome, engine):
    decision = accord.decide(demo_policy, demo_facts, person, role, AS_OF, engine=engine)
    assert decision.outcome is outcome
