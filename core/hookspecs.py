"""Every hook a programme plugin can implement, grouped by the phase that calls it.

Hooks are called while plugins load and while policies are checked, never per decision: their
answers are baked into the compiled policy. A plugin is a module or object with `accord_…`
functions marked `@accord.hookimpl`, registered under the `accord.programmes` entry-point group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .ir import CheckedPolicy
    from .errors import Diagnostic
    from .question import Question
    from .schema import Constant, EvidenceKind, FactSpec, Function, Programme, RelationshipKind, Schema

PROJECT = "accord"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --------------------------------------------------------------------------- registration
# Called once, when the registry loads the plugins; the answers are validated and merged.


@hookspec
def accord_programmes() -> Sequence[Programme]:
    """Return the programme types this plugin adds, with their roles and default policy."""


@hookspec
def accord_facts() -> Sequence[FactSpec]:
    """Return the person facts this plugin declares, each with its type (and unit or scale)."""


@hookspec
def accord_relationship_kinds() -> Sequence[RelationshipKind]:
    """Return the relationship kinds this plugin declares, each with the names of its two ends."""


@hookspec
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    """Return the evidence kinds this plugin declares, with the extra fields their items carry."""


@hookspec
def accord_functions() -> Sequence[Function]:
    """Return the pure functions policies may call, each with its parameter and result types."""


@hookspec
def accord_constants() -> Sequence[Constant]:
    """Return named constant values policies may use (a set of standards, a list of licences)."""


@hookspec
def accord_questions() -> Sequence[Question]:
    """Return the questions this plugin adds: each becomes an `accord` command (see `accord.question`)."""


# --------------------------------------------------------------------------- checking
# Called once for each policy that has passed Accord's own checks, before it is compiled.


@hookspec
def accord_check_policy(policy: CheckedPolicy, schema: Schema) -> Sequence[Diagnostic]:
    """Return further problems this plugin finds in a checked policy of its programme."""
