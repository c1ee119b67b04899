"""A small test programme: district mentoring, enough to exercise every construct of the engine.

It is registered like any other programme, through the `accord.programmes` entry point, and its
default policy is `rules/demo/district-mentoring.accord`; relationships, evidence kinds and the
performance scale come from the shared `educator` vocabulary plugin. The real programmes (SP/CAP, MA
induction, MASA, QMS/QLMS) follow the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord import hookimpl
from accord.model import memberships_on
from accord.schema import Constant, FactSpec, Programme, RoleSpec
from accord.values import BOOL, TEXT, Choice, SetOf
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


def _membership(ctx: Any, person: Any) -> str | None:
    """The person's category in the demo association on the as-of date; `non_member` when known
    to have none that day; unknown (None) when nothing about the association is on file."""
    found = memberships_on(person, ASSOCIATION, ctx.as_of)
    if found is None:
        return None
    for m in found:
        if m.category in MEMBERSHIP.values:
            return str(m.category)
    return "non_member"


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    # years_experience, mentor_trained, first_teaching_day, induction_year_end and subject_area
    # come from the shared `educator` vocabulary
    return [
        FactSpec("licence", LICENCE, "the licence the person holds now"),
        FactSpec("new_to_role", BOOL, "new to the role this year"),
        FactSpec("special_application", APPLICATION, "the state of a special application for mentoring"),
        FactSpec("association_membership", MEMBERSHIP, "category in the demo association on the as-of date (from memberships)", derive=_membership),
    ]


@hookimpl
def accord_constants() -> Sequence[Constant]:
    return [Constant("core_subjects", SetOf(TEXT), frozenset({"english", "mathematics", "science"}), "subjects with priority matching")]
