"""The hand-written reference: the demo policy's `mentor` role as a plain Python function.

It does the same job as `accord.decide(policy, facts, person_id, "mentor", as_of)` under
`rules/demo/district-mentoring.accord`, over the same loaded `accord.Facts`: it reads the same
facts from `Person.facts`, treats a missing fact as undetermined (never as false), takes the
rating of the latest summative evaluation dated on or before `as_of`, and combines the four
requirements with Kleene "and". It returns only the outcome: no reasons, no citations, no list
of missing facts. That is the floor a policy engine is compared against.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import accord
from accord.registry import default_registry
from accord.values import scale_enum

YES, NO, UNKNOWN = accord.Outcome.YES, accord.Outcome.NO, accord.Outcome.UNKNOWN
MIN_YEARS = Decimal(3)  # parameter mentor_min_years = 3 years
# The performance scale as the installed plugins declare it (ratings load as its enum's members).
_RATING = default_registry().schema.evidence["summative_evaluation"].fields["rating"]
PROFICIENT = scale_enum(_RATING)["proficient"]  # type: ignore[arg-type]
LICENCES = frozenset({"initial", "professional"})


def mentor_by_hand(facts: accord.Facts, person_id: str, as_of: dt.date) -> accord.Outcome:
    """Whether the person may mentor under the demo policy: YES, NO or UNKNOWN."""
    person = facts.people[person_id]
    f = person.facts
    undetermined = False

    trained = f.get("mentor_trained")  # "is trained as a mentor"
    if trained is False:
        return NO
    if trained is None:
        undetermined = True

    years = f.get("years_experience")  # "has enough years of experience"
    if years is None:
        undetermined = True
    elif not years >= MIN_YEARS:
        return NO

    rating = None  # "was rated proficient or higher on the latest evaluation"
    for item in reversed(facts.evidence_of(person.id, "summative_evaluation")):
        if item.date <= as_of:
            rating = item.fields.get("rating")
            break
    if rating is None:
        undetermined = True
    elif not rating >= PROFICIENT:
        return NO

    licence = f.get("licence")  # "holds an initial or professional licence"
    if licence is None:
        undetermined = True
    elif licence not in LICENCES:
        return NO

    return UNKNOWN if undetermined else YES
