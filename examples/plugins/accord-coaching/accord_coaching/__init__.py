"""Instructional coaching: a third-party Accord programme, installed as its own package.

Accord loads this module through the `accord.programmes` entry point that the package's
`pyproject.toml` declares (`coaching = "accord_coaching"`). It adds the `coaching` programme
(roles coach and coachee), the `coaching` relationship (coach, coachee), the `coaching_note`
evidence kind and the facts its policy reads. `evaluates`, the `evaluation` relationship and
`years_experience` come from Accord's shared `educator` vocabulary, which every installation has.

Its default policy, `coaching.accord`, is package data of this package
(`rules_package="accord_coaching"`), not a file in Accord's `rules/`.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord import hookimpl
from accord.schema import EvidenceKind, FactSpec, Programme, RelationshipKind, RoleSpec
from accord.values import BOOL, TEXT


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name="coaching",
            title="Instructional coaching",
            roles=(
                RoleSpec("coach", "a teacher who coaches colleagues; supportive, never evaluative"),
                RoleSpec("coachee", "a teacher who asked for coaching toward a goal of their own"),
            ),
            description="An example third-party programme: coaching that stays supportive, not evaluative.",
            policy="coaching.accord",
            rules_package="accord_coaching",
        )
    ]


@hookimpl
def accord_relationship_kinds() -> Sequence[RelationshipKind]:
    return [RelationshipKind("coaching", ("coach", "coachee"), "a coach supports a coachee; confidential, not evaluative")]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        EvidenceKind(
            "coaching_note",
            {"goal": TEXT, "topic": TEXT},
            "a coach's note of a coaching session; its subject is the coachee; confidential",
        )
    ]


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    return [
        FactSpec("coach_trained", BOOL, "has completed training in practice-based coaching"),
        FactSpec("requested_coaching", BOOL, "asked for coaching (coaching is voluntary)"),
        FactSpec("identified_goal", BOOL, "has identified a professional goal of their own to be coached toward"),
    ]
