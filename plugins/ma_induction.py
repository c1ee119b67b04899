"""Programme plugin `ma_induction`: Massachusetts district induction and mentoring (603 CMR 7.12/7.13).

The state's rules are in `rules/ma/induction.accord` (from ../shared/domain/programmes.md section
2); a district's policy extends it and attaches to the district (`rules/ma/districts/attleboro.accord`).
This plugin declares what those policies talk about:

- the roles: the mentor, the beginning and incoming teacher, the beginning and incoming
  administrator (7.13), and the viewers of mentoring records, held as role assignments
  (the district's mentor programme coordinator, administrators, resource professionals, the state);
- the facts that tell a beginning educator from an incoming one (licence category, new to the
  district or role, experience elsewhere and whether it included an induction programme), the
  administrator's years and first working day, and the district's mentoring component;
- the evidence of orientation and of release time (R-IND-4).

Mentoring logs, observations and evaluations come from the shared educator vocabulary
(`plugins/educator.py`); the licence history, the most recent summative rating, who evaluates
whom and the day count of deadlines are shared with `ma_sp_cap` in `plugins/ma_common.py`.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord import hookimpl
from accord.plugins import ma_common
from accord.schema import EvidenceKind, FactSpec, Function, Programme, RoleSpec
from accord.values import BOOL, DATE, TEXT, Choice, Quantity

LICENCE_CATEGORY = Choice("ma_licence_category", ("teacher", "administrator", "sisp"))


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name="ma_induction",
            title="Massachusetts district induction and mentoring (603 CMR 7.12/7.13)",
            roles=(
                RoleSpec("mentor", "a trained mentor of a beginning or incoming educator"),
                RoleSpec("beginning_teacher", "a teacher in the first year of practice, who receives the full induction programme"),
                RoleSpec("incoming_teacher", "an experienced teacher new to the district or role, who receives orientation"),
                RoleSpec("beginning_administrator", "an administrator in the first year in the role (603 CMR 7.13)"),
                RoleSpec("incoming_administrator", "an experienced administrator new to the district or role"),
                RoleSpec("coordinator", "the district's mentor programme coordinator or induction contact (held as a role assignment)"),
                RoleSpec("administrator", "a school or district administrator (held as a role assignment)"),
                RoleSpec("resource_professional", "a professional whose job is to help teachers, e.g. a coach (held as a role assignment)"),
                RoleSpec("state", "DESE, which receives the district's annual report (held as a role assignment at the state)"),
            ),
            description="603 CMR 7.12/7.13 and the DESE induction guidelines: mentors, beginning and incoming educators, deadlines, hours, confidentiality.",
            policy="ma/induction.accord",
            layers=("ma/districts/attleboro.accord",),
        )
    ]


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    # years_experience, mentor_trained, first_teaching_day, induction_year_end and subject_area
    # come from the shared educator vocabulary; grade_band from ma_common
    return [
        *ma_common.facts(),
        FactSpec("ma_licence_category", LICENCE_CATEGORY, "the person's position: teacher, administrator, or SISP (counselors and similar)"),
        FactSpec("new_to_district", BOOL, "new to the district this year"),
        FactSpec("new_to_role", BOOL, "new to the role this year"),
        FactSpec(
            "prior_experience_outside_ma_public", BOOL,
            "the person's earlier experience was out of state, in non-public schools or in charter schools",
        ),
        FactSpec(
            "completed_equivalent_induction", BOOL,
            "has completed a one-year induction programme that meets the Massachusetts requirements (there or elsewhere)",
        ),
        FactSpec("years_as_administrator", Quantity("years"), "full years of experience as an administrator"),
        FactSpec("first_working_day", DATE, "an administrator's first day of working in the role in the district"),
        FactSpec("mentoring_component", TEXT, "the district's mentoring component the person takes part in (Attleboro: \"A\" or \"B\")"),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        *ma_common.evidence_kinds(),
        EvidenceKind("orientation", {}, "the subject attended the district's orientation programme for new educators"),
        EvidenceKind(
            "release_time", {},
            "time the subject and their mentor were released from other duties for classroom observations and mentoring, with its hours (603 CMR 7.12(2)(d))",
        ),
    ]


@hookimpl
def accord_functions() -> Sequence[Function]:
    return ma_common.functions()
