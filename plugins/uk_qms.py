"""Programme plugin `uk_qms`: Qualified Mentor Status and Qualified Lead Mentor Status (University of Cumbria, DfE 2016 mentor standards).

Cumbria recognises school-based ITT mentors at two levels (QMS, QLMS). A mentor gathers evidence in
a portfolio while supporting a trainee (QMS) or other mentors (QLMS), links each piece to the DfE's
four national standards for school-based ITT mentors (July 2016), and a portfolio review panel
either awards the status or asks for more evidence and a resubmission: there are no fails.
Sources: ../shared/domain/programmes.md section 4 (SEED-004, PUB-50, PUB-52).

This plugin declares the vocabulary; the rules are in `rules/cumbria/qms-qlms.accord`. The
mentoring and lead_mentoring relationships come from the shared `educator` plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord import hookimpl
from accord.errors import Diagnostic, suggest
from accord.schema import Constant, EvidenceKind, FactSpec, Function, Programme, RoleSpec, Schema
from accord.values import BOOL, PERSON, TEXT, Choice, Quantity, SetOf

PROGRAMME = "uk_qms"

#: the DfE national standards for school-based ITT mentors (2016), as portfolio items link to them
STANDARDS = (
    "personal_qualities",  # Standard 1 - Personal qualities
    "teaching",  # Standard 2 - Teaching
    "professionalism",  # Standard 3 - Professionalism
    "self_development_and_partnership",  # Standard 4 - Self-development and working in partnership
)

#: the two levels of qualification (SEED-004 "The Qualifications")
QUALIFICATION = Choice("qualification", ("QMS", "QLMS"))
#: what the portfolio review panel can decide: there is no "fail" (SEED-004 "The 'Assessment'")
PANEL_OUTCOME = Choice("panel_outcome", ("awarded", "resubmit"))
#: whom the mentor was supporting when a piece of evidence arose: a trainee or NQT (QMS), or other mentors (QLMS)
SUPPORTED = Choice("supported", ("trainee", "nqt", "mentors"))


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name=PROGRAMME,
            title="Qualified Mentor Status and Qualified Lead Mentor Status (University of Cumbria, DfE 2016 mentor standards)",
            roles=(
                RoleSpec("qms_candidate", "may work toward Qualified Mentor Status and put a portfolio to the review panel"),
                RoleSpec("qms", "qualified mentor status: eligible, portfolio evidence for every standard, awarded by the panel"),
                RoleSpec("qlms_candidate", "may work toward Qualified Lead Mentor Status and put a portfolio to the review panel"),
                RoleSpec("qlms", "qualified lead mentor status: eligible, portfolio evidence for every standard, awarded by the panel"),
                RoleSpec("review_panel", "a member of the university's portfolio review panel (held as a role assignment)"),
            ),
            description="University of Cumbria mentor qualifications on the DfE national standards for school-based ITT mentors (2016).",
            policy="cumbria/qms-qlms.accord",
        )
    ]


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    return [
        FactSpec("partner_school_mentor", BOOL, "is a mentor in a University of Cumbria partner school"),
        FactSpec("supports_trainee", BOOL, "supports and guides an ITT trainee teacher in their setting"),
        FactSpec("supports_nqt", BOOL, "supports and guides a newly qualified teacher (NQT) in their setting"),
        FactSpec("mentoring_experience", Quantity("years"), "how long the person has worked as a school-based mentor"),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        EvidenceKind(
            "portfolio_item",
            {"supporting": SUPPORTED},
            "a reflective piece of QMS/QLMS portfolio evidence; `standards` lists the mentor standards it is linked to",
        ),
        EvidenceKind(
            "panel_review",
            {"qualification": QUALIFICATION, "outcome": PANEL_OUTCOME, "more_evidence_for": SetOf(TEXT)},
            "the portfolio review panel's decision on a QMS or QLMS portfolio: awarded, or resubmit with the standards needing more evidence",
        ),
    ]


def mentors_supported(ctx: Any, person: Any) -> frozenset[Any]:
    """The mentors `person` supports as their lead mentor on the as-of date."""
    return frozenset(ctx.related(person, "mentor", ("lead_mentoring",)))


@hookimpl
def accord_functions() -> Sequence[Function]:
    return [
        Function(
            "mentors_supported", (PERSON,), SetOf(PERSON), mentors_supported,
            "the mentors the person supports as lead mentor (lead_mentoring relationships valid on the as-of date)",
        ),
    ]


@hookimpl
def accord_constants() -> Sequence[Constant]:
    return [
        Constant(
            "mentor_standards", SetOf(TEXT), frozenset(STANDARDS),
            "the four DfE national standards for school-based ITT mentors (2016) that portfolio evidence links to",
        )
    ]


@hookimpl
def accord_check_policy(policy: Any, schema: Schema) -> Sequence[Diagnostic]:
    """`required_standards`, where a QMS policy (or a layer on it) sets it, names only mentor standards."""
    if policy.programme is None or policy.programme.name != PROGRAMME:
        return []
    param = policy.parameters.get("required_standards")
    if param is None or not isinstance(param.value, frozenset):
        return []
    unknown = sorted(str(s) for s in param.value - frozenset(STANDARDS))
    if unknown:
        names = ", ".join(f"`{s}`" for s in unknown)
        close = suggest(unknown[0], STANDARDS)
        hint = f"did you mean `{close}`? " if close else ""
        return [
            Diagnostic(
                "QMS001",
                f"required_standards names {names}, which {'is' if len(unknown) == 1 else 'are'} not a mentor standard",
                param.span,
                f"{hint}the mentor standards are {', '.join(STANDARDS)}",
            )
        ]
    if not param.value:
        return [Diagnostic("QMS001", "required_standards is empty: a portfolio must be linked to at least one mentor standard", param.span)]
    return []
