"""The vocabulary every educator programme shares: relationships, evidence, the rating scale.

It declares no programme of its own. The Massachusetts performance levels, the mentoring,
evaluation and supervision relationships, and the common kinds of evidence (logs,
observations, evaluations) are declared once here; each programme plugin builds on them and
may add fields to these evidence kinds (the registry takes the union of the fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord import hookimpl
from accord.schema import EvidenceKind, FactSpec, Function, RelationshipKind
from accord.values import BOOL, DATE, NUMBER, PERSON, TEXT, Money, Quantity, Scale

#: the four performance levels of the Massachusetts educator evaluation framework
PERFORMANCE = Scale("performance", ("unsatisfactory", "needs_improvement", "proficient", "exemplary"))


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    return [
        FactSpec("years_experience", Quantity("years"), "full years of teaching experience"),
        FactSpec("mentor_trained", BOOL, "has completed mentor training"),
        FactSpec("first_teaching_day", DATE, "the first day the person taught in the district"),
        FactSpec("induction_year_end", DATE, "the last day of the person's induction year"),
        FactSpec("subject_area", TEXT, "the subject the person teaches"),
        # read by `accord match`: lowers the policy's `mentees_per_mentor` for this mentor, never raises it
        FactSpec("mentee_capacity", NUMBER, "how many mentees this mentor will take at most (accord match)"),
        # facts about a place (a district, a school): `district.enrolment`, `district.mentor_allotment`
        FactSpec("enrolment", NUMBER, "how many students the place enrols", about="place"),
        FactSpec("mentor_allotment", Money("USD"), "the place's yearly allotment for mentor stipends", about="place"),
        FactSpec("new_teachers", NUMBER, "how many teachers new to the profession the place employs this year", about="place"),
    ]


@hookimpl
def accord_relationship_kinds() -> Sequence[RelationshipKind]:
    return [
        RelationshipKind("mentoring", ("mentor", "mentee"), "a mentor supports a mentee; confidential, not evaluative"),
        RelationshipKind("evaluation", ("evaluator", "evaluatee"), "an evaluator rates an educator's performance"),
        RelationshipKind("supervision", ("supervising_practitioner", "candidate"), "a practitioner supervises a candidate's practicum"),
        RelationshipKind("program_supervision", ("program_supervisor", "candidate"), "the preparation programme's supervisor of a candidate"),
        RelationshipKind("lead_mentoring", ("lead_mentor", "mentor"), "a lead mentor supports and develops other mentors"),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        EvidenceKind(
            "mentoring_log",
            {"topic": TEXT, "safety_concern": BOOL, "mentee_informed": BOOL},
            "a meeting between mentor and mentee, with its hours; confidential",
        ),
        EvidenceKind("observation", {"announced": BOOL}, "a classroom observation; its author conducted it"),
        EvidenceKind("summative_evaluation", {"rating": PERFORMANCE}, "an end-of-cycle evaluation with its overall rating"),
        EvidenceKind(
            "evaluation_component",
            {"component": TEXT, "rating": PERFORMANCE},
            "one component of an evaluation; the subject may share it with a mentor",
        ),
    ]


def evaluates(ctx: Any, a: Any, b: Any) -> bool:
    """Whether `a` is `b`'s evaluator on the as-of date."""
    return a in ctx.related(b, "evaluator", ("evaluation",))


def _conflict(ctx: Any, a: Any, b: Any) -> bool:
    return evaluates(ctx, a, b) or evaluates(ctx, b, a)


@hookimpl
def accord_functions() -> Sequence[Function]:
    return [
        Function("evaluates", (PERSON, PERSON), BOOL, evaluates, "whether the first person evaluates the second on the as-of date"),
        Function("conflict_of_interest", (PERSON, PERSON), BOOL, _conflict, "whether either person evaluates the other on the as-of date"),
    ]
