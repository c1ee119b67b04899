"""A small test programme: district mentoring, enough to exercise every construct of the engine.

It is registered like any other programme, through the `accord.programmes` entry point, and its
default policy is `rules/demo/district-mentoring.accord`. The real programmes (SP/CAP, MA
induction, MASA, QMS/QLMS) follow the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord import hookimpl
from accord.schema import (
    Constant,
    EvidenceKind,
    FactSpec,
    Function,
    Programme,
    RelationshipKind,
    RoleSpec,
)
from accord.values import BOOL, DATE, PERSON, TEXT, Choice, Quantity, Scale, SetOf

PERFORMANCE = Scale("performance", ("unsatisfactory", "needs_improvement", "proficient", "exemplary"))
LICENCE = Choice("licence_type", ("provisional", "initial", "professional"))
MEMBERSHIP = Choice("membership_category", ("active", "retired", "non_member"))
APPLICATION = Choice("application_status", ("pending", "approved", "declined"))
ASSOCIATION = "demo_association"


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name="demo",
            title="Demo district mentoring",
            roles=(
                RoleSpec("mentor", "an experienced teacher who supports a mentee"),
                RoleSpec("mentee", "a teacher new to the district or the profession"),
                RoleSpec("coordinator", "runs the mentoring programme at a place (held as a role assignment)"),
                RoleSpec("administrator", "a school or district administrator (held as a role assignment)"),
                RoleSpec("state", "the state agency, which receives aggregate reports (held as a role assignment)"),
            ),
            description="A small test programme that exercises the engine; not a real programme's rules.",
            policy="demo/district-mentoring.accord",
            layers=("demo/attleboro.accord",),
        )
    ]


def _membership(ctx: Any, person: Any) -> str:
    """The person's category in the demo association on the as-of date, or `non_member`."""
    for m in person.memberships:
        if m.organisation == ASSOCIATION and m.period.contains(ctx.as_of) and m.category in MEMBERSHIP.values:
            return str(m.category)
    return "non_member"


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    return [
        FactSpec("years_experience", Quantity("years"), "full years of teaching experience"),
        FactSpec("mentor_trained", BOOL, "has completed the district's mentor training"),
        FactSpec("licence", LICENCE, "the licence the person holds now"),
        FactSpec("first_teaching_day", DATE, "the first day the person taught in the district"),
        FactSpec("new_to_role", BOOL, "new to the role this year"),
        FactSpec("special_application", APPLICATION, "the state of a special application for mentoring"),
        FactSpec("subject_area", TEXT, "the subject the person teaches"),
        FactSpec("induction_year_end", DATE, "the last day of the person's induction year"),
        FactSpec("association_membership", MEMBERSHIP, "category in the demo association on the as-of date (from memberships)", derive=_membership),
    ]


@hookimpl
def accord_relationship_kinds() -> Sequence[RelationshipKind]:
    return [
        RelationshipKind("mentoring", ("mentor", "mentee"), "a mentor supports a mentee; confidential, not evaluative"),
        RelationshipKind("evaluation", ("evaluator", "evaluatee"), "an evaluator rates an educator's performance"),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        EvidenceKind(
            "mentoring_log",
            {"topic": TEXT, "safety_concern": BOOL, "mentee_informed": BOOL},
            "a meeting between mentor and mentee, with its hours; confidential",
        ),
        EvidenceKind("observation", {"announced": BOOL}, "a classroom observation"),
        EvidenceKind("summative_evaluation", {"rating": PERFORMANCE}, "an end-of-cycle evaluation with its overall rating"),
        EvidenceKind(
            "evaluation_component",
            {"component": TEXT, "rating": PERFORMANCE},
            "one component of an evaluation; the subject may share it with a mentor",
        ),
    ]


def _evaluates(ctx: Any, a: Any, b: Any) -> bool:
    """Whether `a` is `b`'s evaluator on the as-of date."""
    return a in ctx.related(b, "evaluator", ("evaluation",))


@hookimpl
def accord_functions() -> Sequence[Function]:
    return [
        Function("evaluates", (PERSON, PERSON), BOOL, _evaluates, "whether the first person evaluates the second on the as-of date"),
        Function(
            "conflict_of_interest",
            (PERSON, PERSON),
            BOOL,
            lambda ctx, a, b: _evaluates(ctx, a, b) or _evaluates(ctx, b, a),
            "whether either person evaluates the other",
        ),
    ]


@hookimpl
def accord_constants() -> Sequence[Constant]:
    return [Constant("core_subjects", SetOf(TEXT), frozenset({"english", "mathematics", "science"}), "subjects with priority matching")]
