"""Programme plugin `ny_mentoring`: New York's mentoring of first-year teachers.

8 NYCRR 100.2(dd) requires each school district and BOCES to describe, in its professional
development plan, a mentoring programme for teachers who hold an initial certificate (how mentors
are selected and prepared, what they do, the time allotted), consistent with any collective
bargaining obligation; 8 NYCRR 80-3.4 makes one year of mentored experience, in the first year of
employment, a requirement of the professional certificate. The rules are in
`rules/ny/mentoring.accord`; docs/programmes.md section 8 lists each with its source and how sure
it is.

The mentoring and evaluation relationships, mentoring logs, observations and summative
evaluations come from the shared `educator` plugin (`plugins/educator.py`), as do the facts
`mentor_trained` (prepared as a mentor), `years_experience`, `first_teaching_day` and
`subject_area`. This plugin adds the New York certificate, the employer, the experience that
exempts a teacher from the mentored year, the district's selection of mentors and the district's
verification that the mentored year was completed.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord import hookimpl
from accord.schema import EvidenceKind, FactSpec, Programme, RoleSpec
from accord.values import BOOL, Choice, Quantity

PROGRAMME = "ny_mentoring"

#: the New York classroom teaching certificate the person holds now (8 NYCRR Part 80: initial,
#: conditional initial and transitional certificates, the professional certificate, and the
#: permanent certificate of before 2004)
CERTIFICATE = Choice(
    "ny_certificate", ("initial", "conditional_initial", "transitional", "professional", "permanent", "other_certificate")
)
#: who employs the teacher: 100.2(dd) binds school districts and BOCES
EMPLOYER = Choice("ny_employer", ("school_district", "boces", "charter_school", "nonpublic_school"))


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name=PROGRAMME,
            title="New York mentoring of first-year teachers (8 NYCRR 100.2(dd), 80-3.4)",
            roles=(
                RoleSpec("mentor", "a teacher selected and prepared by the district to mentor a new teacher"),
                RoleSpec("new_teacher", "a teacher with an initial certificate in the first year of employment, owed a mentored experience"),
                RoleSpec("mentored_year_done", "has met the professional certificate's one year of mentored experience (or is exempt)"),
                RoleSpec("coordinator", "the district's mentoring programme coordinator (held as a role assignment)"),
                RoleSpec("administrator", "a school or district administrator (held as a role assignment)"),
                RoleSpec("state", "NYSED, which certifies teachers (held as a role assignment at the state)"),
            ),
            description="8 NYCRR 100.2(dd) district mentoring programmes and the mentored-experience requirement of 8 NYCRR 80-3.4.",
            policy="ny/mentoring.accord",
        )
    ]


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    # mentor_trained, years_experience, first_teaching_day and subject_area come from the shared
    # educator vocabulary (plugins/educator.py)
    return [
        FactSpec("ny_certificate", CERTIFICATE, "the New York classroom teaching certificate the person holds now"),
        FactSpec("ny_employer", EMPLOYER, "who employs the person as a teacher: a school district, a BOCES, a charter school or a nonpublic school"),
        FactSpec(
            "ny_prior_experience", Quantity("years"),
            "full years of teaching before the current position, elsewhere (out of state, nonpublic or charter schools)",
        ),
        FactSpec("ny_mentor_selected", BOOL, "selected as a mentor by the district's published selection procedure"),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        EvidenceKind(
            "mentored_year_verification", {},
            "the employing district's statement that the subject completed one year of mentored experience; its author signed it",
        ),
    ]
