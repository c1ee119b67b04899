"""Programme plugin `ma_sp_cap`: Massachusetts supervising practitioners and the Candidate Assessment of Performance (SP/CAP).

The rules are in `rules/ma/supervising-practitioner.accord` (from ../shared/domain/programmes.md
section 1: 603 CMR 7.02, 7.03, 7.04 and the CAP guidelines). This plugin declares what that
policy talks about:

- the roles: the supervising practitioner (SP), the teacher candidate, the candidate who has
  completed CAP (`ready_to_teach`), and the CAP Triad's viewers (program supervisor, sponsoring
  organization, the state), who are relationship ends or role assignments;
- the candidate's facts (licence sought, practicum route and setting, CAP guidelines version) and
  the SP's training;
- the evidence of a practicum: hours logs, waivers, CAP observations (`observation`, with the
  extra field `joint`), CAP ratings per essential element, and the other CAP evidence;
- the essential elements of each version of the CAP guidelines (2016, 2019, 2024), as constants
  and as the function `cap_elements(version)`.

The licence history, the most recent summative rating and the other MA functions are shared with
`ma_induction` and declared once in `plugins/ma_common.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord import hookimpl
from accord.plugins import ma_common
from accord.plugins.educator import PERFORMANCE
from accord.schema import Constant, EvidenceKind, FactSpec, Function, Programme, RelationshipKind, RoleSpec
from accord.values import BOOL, TEXT, Choice, SetOf, unknown

PRACTICUM_ROUTE = Choice("ma_practicum_route", ("initial_teacher", "additional_licence", "reading_specialist", "practicum_equivalent"))
PRACTICUM_SETTING = Choice(
    "ma_practicum_setting",
    (
        "ma_public_school",
        "approved_private_special_education_school",
        "eec_approved_preschool",
        "educational_collaborative",
        "school_requiring_ma_licensure",
        "other",
    ),
)
CAP_ASSESSMENT = Choice("cap_assessment", ("formative", "summative"))
CAP_CATEGORY = Choice(
    "cap_evidence_category",
    ("measure_of_student_learning", "student_feedback", "candidate_artifact", "professional_practice_goal"),
)
#: whose summative CAP rating of an element counts when the SP and the PS rate it (R-CAP-6, uncertain)
CAP_FINAL_RATER = Choice("cap_final_rater", ("both_raters", "sp_decides", "ps_decides"))

#: R-CAP-4: the six essential elements of the 2016 CAP guidelines
CAP_ELEMENTS_2016 = {
    "1.A.4": "Well-Structured Lessons",
    "1.B.2": "Adjustment to Practice",
    "2.A.3": "Meeting Diverse Needs",
    "2.B.1": "Safe Learning Environment",
    "2.D.2": "High Expectations",
    "4.A.1": "Reflective Practice",
}
#: R-CAP-4b: the seven elements of the 2019 guidelines (1.A.1 added; 1.A.3 and 2.E.1 renumbered)
CAP_ELEMENTS_2019 = {
    "1.A.1": "Subject Matter Knowledge",
    "1.A.3": "Well-Structured Units and Lessons",
    "1.B.2": "Adjustment to Practice",
    "2.A.3": "Meeting Diverse Needs",
    "2.B.1": "Safe Learning Environment",
    "2.E.1": "High Expectations",
    "4.A.1": "Reflective Practice",
}
#: R-CAP-4b: seven of the eight elements of the 2024 guidelines; the eighth is not in the sources
#: read (the policy's parameter `cap_2024_eighth_element` names it)
CAP_ELEMENTS_2024_KNOWN = {
    "I.A.1": "Subject Matter Knowledge",
    "II.A.1": "High Expectations and Support",
    "II.B.2": "Safe Learning Environment",
    "I.C.2": "Adjustments to Practice",
    "II.A.3": "Inclusive Instruction",
    "III.C.1": "Collaboration on Student Learning and Well-Being",
    "IV.A.1": "Reflective Practice (presumed; truncated in the source)",
}
CAP_ELEMENTS = {"2016": CAP_ELEMENTS_2016, "2019": CAP_ELEMENTS_2019, "2024": CAP_ELEMENTS_2024_KNOWN}

#: R-SP-HRS-4: where a practicum may take place (603 CMR 7.04(4))
APPROVED_SETTINGS = frozenset(PRACTICUM_SETTING.values) - {"other"}


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name="ma_sp_cap",
            title="Massachusetts supervising practitioners and the Candidate Assessment of Performance (SP/CAP)",
            roles=(
                RoleSpec("supervising_practitioner", "the PK-12 educator who supervises a candidate's practicum (603 CMR 7.02)"),
                RoleSpec("candidate", "a teacher candidate in a practicum of an approved preparation programme"),
                RoleSpec("ready_to_teach", "a candidate who has completed the practicum hours and CAP and is rated ready to teach"),
                RoleSpec("program_supervisor", "the sponsoring organization's supervisor of a candidate (a relationship end; no eligibility rules in the sources)"),
                RoleSpec("sponsoring_organization", "staff of the educator preparation provider, e.g. its CAP manager (held as a role assignment at the programme)"),
                RoleSpec("state", "DESE, which receives every formative and summative CAP rating (held as a role assignment at the state)"),
                RoleSpec("apprenticeship_mentor", "the trained mentor of an administrative apprenticeship/internship, with a Professional licence in the role (R-SP-6)"),
                RoleSpec("apprentice", "a candidate for an administrator's licence in an administrative apprenticeship/internship (R-SP-6)"),
            ),
            description="603 CMR 7.02/7.03/7.04 and the CAP guidelines: who may supervise a practicum, the hours, the CAP observations and ratings, who may see them.",
            policy="ma/supervising-practitioner.accord",
        )
    ]


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    return [
        *ma_common.facts(),
        FactSpec("sp_trained", BOOL, "has completed the sponsoring organization's training for supervising practitioners"),
        FactSpec("in_approved_programme", BOOL, "is enrolled in a state-approved educator preparation programme"),
        FactSpec(
            "licence_sought_field", TEXT,
            "the field and level of the licence the candidate seeks, written as on licences (e.g. \"elementary 1-6\")",
        ),
        FactSpec(
            "practicum_route", PRACTICUM_ROUTE,
            "initial_teacher (300 hours), additional_licence (603 CMR 7.15(2)(a)), reading_specialist (150 hours) or practicum_equivalent (the educator of record, employed in the role: R-SP-5)",
        ),
        FactSpec("practicum_setting", PRACTICUM_SETTING, "where the practicum takes place (603 CMR 7.04(4))"),
        FactSpec("cap_guidelines_version", TEXT, "the CAP guidelines the candidate is assessed under: \"2016\", \"2019\" or \"2024\""),
    ]


@hookimpl
def accord_relationship_kinds() -> Sequence[RelationshipKind]:
    return [
        RelationshipKind(
            "apprenticeship", ("apprenticeship_mentor", "apprentice"),
            "a trained mentor guides an administrative apprenticeship/internship (603 CMR 7.02, R-SP-6)",
        ),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        *ma_common.evidence_kinds(),
        EvidenceKind(
            "observation",
            {"joint": BOOL},
            "a classroom observation; CAP: `joint` when the SP and the PS conducted it together (Announced #1)",
        ),
        EvidenceKind(
            "practicum_log",
            {"full_responsibility": BOOL},
            "hours of practicum (subject: the candidate); `full_responsibility` when the candidate had full responsibility for the classroom",
        ),
        EvidenceKind(
            "practicum_waiver",
            {},
            "practicum hours the sponsoring organization waived after reviewing prior work (603 CMR 7.03(1)(b)); `verified_by` signs it",
        ),
        EvidenceKind(
            "cap_rating",
            {"element": TEXT, "assessment": CAP_ASSESSMENT, "quality": PERFORMANCE, "scope": PERFORMANCE, "consistency": PERFORMANCE},
            "a formative or summative CAP rating of one essential element (subject: the candidate; author: the SP or PS)",
        ),
        EvidenceKind(
            "cap_evidence",
            {"category": CAP_CATEGORY},
            "CAP evidence other than observations: measure of student learning, student feedback, artifacts, professional practice goal",
        ),
    ]


def cap_elements(ctx: Any, version: str) -> Any:
    """The codes of the essential elements of a version of the CAP guidelines (2024: the seven known)."""
    elements = CAP_ELEMENTS.get(version.strip())
    if elements is None:
        return unknown(f"the essential elements of CAP guidelines \"{version}\" (known: 2016, 2019, 2024)")
    return frozenset(elements)


@hookimpl
def accord_functions() -> Sequence[Function]:
    return [
        *ma_common.functions(),
        Function(
            "cap_elements", (TEXT,), SetOf(TEXT), cap_elements,
            "the essential element codes of CAP guidelines version \"2016\" (6), \"2019\" (7) or \"2024\" (the 7 known of 8)",
        ),
    ]


@hookimpl
def accord_constants() -> Sequence[Constant]:
    return [
        Constant("cap_elements_2016", SetOf(TEXT), frozenset(CAP_ELEMENTS_2016), "the six essential elements of the 2016 CAP guidelines"),
        Constant("cap_elements_2019", SetOf(TEXT), frozenset(CAP_ELEMENTS_2019), "the seven essential elements of the 2019 CAP guidelines"),
        Constant("cap_elements_2024_known", SetOf(TEXT), frozenset(CAP_ELEMENTS_2024_KNOWN), "the seven known of the eight 2024 elements"),
        Constant("cap_evidence_categories", SetOf(CAP_CATEGORY), frozenset(CAP_CATEGORY.values), "the CAP evidence categories besides observations (R-CAP-7)"),
        Constant("approved_practicum_settings", SetOf(PRACTICUM_SETTING), APPROVED_SETTINGS, "where a practicum may take place (603 CMR 7.04(4))"),
        Constant("cap_final_raters", SetOf(CAP_FINAL_RATER), frozenset(CAP_FINAL_RATER.values), "the choices of whose summative CAP rating counts"),
    ]
