"""A test-only plugin, registered next to the demo programme, for what the demo does not declare.

The demo has no money facts, no evidence with a money field, and no function that fails or that
answers "unknown"; these are here so that the tests can reach those paths through the public API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import accord
from accord import hookimpl
from accord.schema import EvidenceKind, FactSpec, Function
from accord.values import BOOL, NUMBER, PERSON, Money, Quantity


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    return [
        FactSpec("stipend_paid", Money("USD"), "what the district paid the person as a mentor stipend"),
        FactSpec("pdp_total", Quantity("pdps"), "professional development points earned"),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [EvidenceKind("expense", {"amount": Money("USD")}, "a reimbursable expense")]


def _broken(ctx: Any, person: Any) -> bool:
    raise RuntimeError("the registry service is down")


def _has_badge(ctx: Any, person: Any) -> Any:
    """True for `ana`, false for `ben`, unknown (naming the badge registry) for anyone else."""
    if person.id == "ana":
        return True
    if person.id == "ben":
        return False
    return accord.unknown("badge registry entry")


@hookimpl
def accord_functions() -> Sequence[Function]:
    return [
        Function("broken_check", (PERSON,), BOOL, _broken, "always raises"),
        Function("has_badge", (PERSON,), BOOL, _has_badge, "true, false or unknown"),
        Function("double", (NUMBER,), NUMBER, lambda ctx, n: n * 2, "twice a number"),
    ]


REGISTRY: accord.Registry | None = None


def registry() -> accord.Registry:
    """The demo programme plus this plugin, built once."""
    global REGISTRY
    if REGISTRY is None:
        import sys

        REGISTRY = accord.Registry(plugins=[sys.modules[__name__]], entry_points=True)
    return REGISTRY
