"""Programme plugin `masa`: MASA Mentor Program for Minnesota school administrators.

The rules come from ../shared/domain/programmes.md section 3 (SEED-003, "MASA Mentor Program
2021-2022"); the policy is `rules/masa/mentor-program-2021-2022.accord`. This plugin declares what
that policy needs beyond the shared `educator` vocabulary:

- roles: mentor and mentee, and the people the process questions name: the region coordinator and
  MASA staff (who see pair lists) and a representative of the mentee's school district (who may ask
  for a second-year extension). The last three are held as role assignments at a place.
- facts: the MASA membership category on the as-of date (derived from `memberships` with
  organisation "masa"); the first day in the current role, anywhere and in the state, which the
  policy reads against its "new to role" window (new to the role, new to it in Minnesota); a
  special application's status and MASA's decision on it; the person's component group. The
  region is read from the place chain.
- relationship kinds: line management and a declared conflict (both count as a conflict of
  interest), and an extension request (whose ends the extension pair rule names).
- evidence kinds: the region's pair list and accountability reports; a `face_to_face` field on
  the shared `mentoring_log`.
- functions: `conflict_between` (what counts is a policy parameter), `holds_role_at`,
  `stipend_region`, `first_member_team` and `mentoring_start`.

Every fact a policy reads is monotone in the stored facts: a fact that is not recorded is unknown,
never taken as no (so filling it in never changes a decided answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from accord import hookimpl, unknown
from accord.model import memberships_on
from accord.schema import EvidenceKind, FactSpec, Function, Programme, RelationshipKind, RoleSpec
from accord.values import BOOL, DATE, PERSON, PLACE, TEXT, Choice, SetOf

ORGANISATION = "masa"
#: the category of a person's MASA membership on the as-of date; `other` is any other category
#: (an associate or honorary member, say), `non_member` no MASA membership that day
MEMBERSHIP = Choice("masa_membership_category", ("active", "retired", "other", "non_member"))
#: a member's special application for mentoring: none made, pending, approved or declined
APPLICATION = Choice("masa_application_status", ("none", "pending", "approved", "declined"))
#: what `conflict_between` can count as a conflict of interest; the policy chooses which do
CONFLICT = Choice("masa_conflict_kind", ("evaluates", "line_manages", "declared", "same_district"))
#: whose region pays the mentor stipend, for `stipend_region`
PAYER = Choice("masa_stipend_payer", ("mentee", "mentor"))


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name="masa",
            title="MASA Mentor Program for Minnesota school administrators",
            roles=(
                RoleSpec("mentor", "an Active or Retired MASA member who mentors"),
                RoleSpec("mentee", "a MASA member new to the role or new to the role in Minnesota"),
                RoleSpec("region_coordinator", "a MASA region's coordinator or contact for mentoring (held as a role assignment at the region)"),
                RoleSpec("masa_staff", "MASA state staff, who receive the pair lists (held as a role assignment at the state)"),
                RoleSpec(
                    "district_representative",
                    "acts for a school district, e.g. to request extended mentoring for a mentee (held as a role assignment at the district)",
                ),
                RoleSpec(
                    "extension_applied",
                    "a mentee with a valid application for a second year, made to the region coordinator (R-MASA-EXT-2/3); approval stays MASA's decision",
                ),
            ),
            description="MASA Mentor Program 2021-2022: first-year mentoring for new school administrators, by region.",
            policy="masa/mentor-program-2021-2022.accord",
        )
    ]


# --------------------------------------------------------------------------- facts


#: the category a facts file gives a membership that names none: not recorded, so unknown
UNSTATED = "member"


def _memberships(ctx: Any, person: Any) -> tuple[Any, ...] | None:
    """The person's MASA memberships on the as-of date; () known to have none; None unknown."""
    return memberships_on(person, ORGANISATION, ctx.as_of)


def _membership(ctx: Any, person: Any) -> str | None:
    """The person's MASA membership category on the as-of date.

    `active` or `retired` as recorded; `other` for any other recorded category; `non_member` when
    the person has no MASA membership that day; unknown (None) for a membership whose category
    is not recorded.
    """
    found = _memberships(ctx, person)
    if found is None:
        return None
    if not found:
        return "non_member"
    categories = {str(m.category) for m in found}
    for category in ("active", "retired"):
        if category in categories:
            return category
    if categories - {UNSTATED}:
        return "other"
    return None


def _is_member(ctx: Any, person: Any) -> bool | None:
    """Whether the person has a MASA membership, of any category, on the as-of date (unknown when nothing is on file)."""
    found = _memberships(ctx, person)
    return None if found is None else bool(found)


def _special_application_approved(ctx: Any, person: Any) -> bool | None:
    """Approved: yes; none made or declined: no; pending or not recorded: unknown.

    MASA "may" mentor a member who makes special application: a discretionary decision, so while
    it is pending the answer is unknown, never no.
    """
    return {"approved": True, "declined": False, "none": False}.get(person.facts.get("masa_special_application"))


@hookimpl
def accord_facts() -> Sequence[FactSpec]:
    return [
        FactSpec(
            "masa_membership",
            MEMBERSHIP,
            "MASA membership category on the as-of date (from memberships with organisation \"masa\"): active, retired, other or non_member; unknown if a membership's category is not recorded",
            derive=_membership,
        ),
        FactSpec("masa_member", BOOL, "whether the person is a MASA member, of any category, on the as-of date (from memberships)", derive=_is_member),
        FactSpec("role_start", DATE, "the first day in the current role, anywhere (MASA: new to the role within the policy's window of it)"),
        FactSpec(
            "role_start_in_state",
            DATE,
            "the first day in the current role in the state (MASA: Minnesota; the same as role_start for someone who has held the role only there)",
        ),
        FactSpec(
            "masa_special_application",
            APPLICATION,
            "MASA: the member's special application for mentoring on extenuating circumstances: none (made), pending, approved or declined",
        ),
        FactSpec(
            "special_application_approved",
            BOOL,
            "MASA's decision on the special application (from masa_special_application): no if none was made or it was declined, unknown while it is pending or not recorded",
            derive=_special_application_approved,
        ),
        FactSpec("component_group", TEXT, "the MASA component group of the person's role (e.g. superintendents, central office administrators)"),
    ]


# --------------------------------------------------------------------------- relationships, evidence


@hookimpl
def accord_relationship_kinds() -> Sequence[RelationshipKind]:
    return [
        RelationshipKind("line_management", ("line_manager", "direct_report"), "a line manager supervises a direct report in their job"),
        RelationshipKind(
            "declared_conflict",
            ("party", "conflicted_party"),
            "a conflict of interest a region has recorded between two people (a family tie, a candidate for the other's job, ...)",
        ),
        RelationshipKind(
            "extension_request",
            ("requester", "extension_mentee"),
            "a request for second-year (extended) mentoring for a mentee; MASA: made to the region coordinator",
        ),
    ]


@hookimpl
def accord_evidence_kinds() -> Sequence[EvidenceKind]:
    return [
        EvidenceKind("mentoring_log", {"face_to_face": BOOL}),
        EvidenceKind("pair_list", {"mentor_id": TEXT}, "an entry of the region's list of mentees and their mentors (subject: the mentee)"),
        EvidenceKind("accountability_report", {"summary": TEXT}, "a report in the region's accountability and reporting process (subject: the mentee)"),
        EvidenceKind(
            "extension_application", {},
            "an application for second-year mentoring (subject: the mentee; author: who applies; verified_by: the region coordinator who received it)",
        ),
    ]


# --------------------------------------------------------------------------- functions


def _related(ctx: Any, person: Any, end: str, kind: str) -> set[str]:
    """The ids at `end` of the person's `kind` relationships valid on the as-of date (uncached)."""
    return {
        rel.ends[end]
        for rel in ctx.relationships_of(person)
        if rel.kind == kind and rel.period.contains(ctx.as_of) and rel.ends.get(end) != person.id
    }


def _linked(ctx: Any, a: Any, b: Any, kind: str, ends: tuple[str, str]) -> bool:
    """Whether `a` and `b` stand at the two ends of a `kind` relationship, either way round."""
    return b.id in _related(ctx, a, ends[1], kind) or b.id in _related(ctx, a, ends[0], kind)


def _district(ctx: Any, person: Any) -> Any:
    return next((p for p in ctx.place_chain(person.place) if p.kind == "district"), None)


def conflict_between(ctx: Any, a: Any, b: Any, kinds: frozenset[str]) -> Any:
    """Whether `a` and `b` have a conflict of interest of any of `kinds` on the as-of date.

    `evaluates`: either evaluates the other; `line_manages`: either is the other's line manager;
    `declared`: a region recorded a conflict between them; `same_district`: both belong to one
    school district (unknown if either district is not known).
    """
    missing = []
    if "evaluates" in kinds and _linked(ctx, a, b, "evaluation", ("evaluator", "evaluatee")):
        return True
    if "line_manages" in kinds and _linked(ctx, a, b, "line_management", ("line_manager", "direct_report")):
        return True
    if "declared" in kinds and _linked(ctx, a, b, "declared_conflict", ("party", "conflicted_party")):
        return True
    if "same_district" in kinds:
        da, db = _district(ctx, a), _district(ctx, b)
        if da is not None and db is not None:
            if da.id == db.id:
                return True
        else:
            missing += [f"the district of {p.id}" for p, d in ((a, da), (b, db)) if d is None]
    return unknown(*missing) if missing else False


def conflict_found(ctx: Any, a: Any, b: Any, kinds: frozenset[str]) -> str | None:
    """What `conflict_between` found, in words, for reasons (its `Function.reason`)."""
    links = (
        ("evaluates", "evaluation", ("evaluator", "evaluatee"), "one evaluates the other"),
        ("line_manages", "line_management", ("line_manager", "direct_report"), "one line-manages the other"),
        ("declared", "declared_conflict", ("party", "conflicted_party"), "a region recorded a conflict between them"),
    )
    for kind, relationship, ends, words in links:
        if kind in kinds and _linked(ctx, a, b, relationship, ends):
            return f"{words} ({kind})"
    if "same_district" in kinds:
        da, db = _district(ctx, a), _district(ctx, b)
        if da is not None and db is not None and da.id == db.id:
            return f"both are in {da.label()} (same_district)"
    return None


def holds_role_at(ctx: Any, person: Any, role: str, place: Any) -> bool:
    """Whether the person holds the role (a role assignment) at exactly this place on the as-of date."""
    return any(r.role == role and r.place == place.id and r.period.contains(ctx.as_of) for r in person.roles)


def stipend_region(ctx: Any, mentor: Any, mentee: Any, whose: str) -> Any:
    """The region that pays a team's stipend: the mentee's or the mentor's region (`whose`)."""
    person = mentor if whose == "mentor" else mentee
    return ctx.place_above(person, "region", unknown(f"{'mentor' if whose == 'mentor' else 'mentee'}.region"))


def _first_start(ctx: Any, mentor: Any, mentee_id: str) -> dt.date:
    """The first day of the earliest mentoring relationship of this mentor and mentee (no start: the earliest)."""
    starts = [
        rel.period.start or dt.date.min
        for rel in ctx.relationships_of(mentor)
        if rel.kind == "mentoring" and rel.ends.get("mentor") == mentor.id and rel.ends.get("mentee") == mentee_id
    ]
    return min(starts, default=dt.date.max)


def first_member_team(ctx: Any, mentor: Any, mentee: Any, since: dt.date) -> bool:
    """Whether no other current mentee of the mentor who is a MASA member, matched on or after
    `since`, was matched before this mentee.

    Teams are ordered by the start of their earliest mentoring relationship, then by the mentee's
    id: the stipend "for each mentor" goes with the mentor's first team of the year in which the
    mentee is a member. Teams matched before `since` (second-year teams) do not take it.
    """
    mine = (_first_start(ctx, mentor, mentee.id), mentee.id)
    undetermined = []
    for other in _related(ctx, mentor, "mentee", "mentoring"):
        if other == mentee.id:
            continue
        theirs = (_first_start(ctx, mentor, other), other)
        if not (theirs[0] >= since and theirs < mine):
            continue
        member = _is_member(ctx, ctx.person(other))
        if member:
            return False
        if member is None:  # nothing on file about their membership: that team may come first
            undetermined.append(f"{other}.masa_member")
    return unknown(*undetermined) if undetermined else True


def mentoring_start(ctx: Any, mentor: Any, mentee: Any) -> Any:
    """The first day of the earliest mentoring relationship between the two, at any time."""
    starts = [
        rel.period.start
        for rel in ctx.relationships_of(mentor)
        if rel.kind == "mentoring" and rel.ends.get("mentor") == mentor.id and rel.ends.get("mentee") == mentee.id
    ]
    if not starts:
        return unknown(f"a mentoring relationship between {mentor.id} and {mentee.id}")
    if any(s is None for s in starts):
        return unknown(f"the start of the mentoring relationship between {mentor.id} and {mentee.id}")
    return min(s for s in starts if s is not None)


@hookimpl
def accord_functions() -> Sequence[Function]:
    return [
        Function(
            "conflict_between",
            (PERSON, PERSON, SetOf(CONFLICT)),
            BOOL,
            conflict_between,
            f"whether two people have a conflict of interest of the given kinds ({', '.join(CONFLICT.values)}) on the as-of date",
            reason=conflict_found,
        ),
        Function("holds_role_at", (PERSON, TEXT, PLACE), BOOL, holds_role_at, "whether the person holds the role at exactly this place on the as-of date"),
        Function("stipend_region", (PERSON, PERSON, PAYER), PLACE, stipend_region, "the region of the mentee (`mentee`) or of the mentor (`mentor`)"),
        Function(
            "first_member_team",
            (PERSON, PERSON, DATE),
            BOOL,
            first_member_team,
            "whether no other current mentee of the mentor who is a MASA member, matched on or after the date, was matched earlier",
        ),
        Function("mentoring_start", (PERSON, PERSON), DATE, mentoring_start, "the first day of the earliest mentoring relationship between mentor and mentee"),
    ]
