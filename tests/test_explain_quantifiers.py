"""A failing `every` or `any` is explained by the members it fails for, not as "`...` is false".

`every standard in mentor_standards: ...` must say which standards lack evidence (QMS, spec 4.4),
so the explanation of a false quantifier names the members whose condition is false: values as
they are shown elsewhere, people by name and id, evidence items by id. Both engines agree
(`tests.support.decide`).
"""

from __future__ import annotations

from tests.support import decide, only, people, policy


def because(body: str, person: str = "ana", role: str = "mentor", **extra: object) -> tuple[str, str]:
    loaded = people(
        ("ana", {"mentor_trained": True}),
        ("dev", {"new_to_role": False}),
        ("eli", {"new_to_role": True}),
        ("fay", {"new_to_role": False}),
        ("ben", {}),
        **extra,
    )
    result = only(decide(policy(f'role {role}\n  require "the condition": {body}\n'), loaded, person, role))
    return result.status, result.because


MENTORING = {"relationships": [{"kind": "mentoring", "mentor": "ana", "mentee": m, "from": "2025-09-01"} for m in ("dev", "eli", "fay")]}


def test_every_over_a_set_of_values_names_the_members_it_fails_for():
    assert because('every s in {"c", "a", "b"}: s = "b"') == ("not met", "not met for a, c")


def test_every_over_people_names_them():
    assert because("every m in person.mentee: m.new_to_role", **MENTORING) == ("not met", "not met for dev, fay")


def test_every_over_evidence_names_the_items_by_id():
    logs = {"evidence": [
        {"id": "l1", "kind": "mentoring_log", "subject": "ana", "date": "2025-10-01", "topic": "routines"},
        {"id": "l2", "kind": "mentoring_log", "subject": "ana", "date": "2025-10-08", "verified_by": "ben"},
        {"id": "l3", "kind": "mentoring_log", "subject": "ana", "date": "2025-10-15"},
    ]}
    assert because("every i in evidence mentoring_log: i.verified", **logs) == ("not met", "not met for l1, l3")


def test_a_met_or_unknown_every_is_reported_as_before():
    assert because('every s in {"a"}: s = "a"') == ("met", "")
    assert because("every m in person.mentee: m.subject_area = \"art\"", **MENTORING) == (
        "unknown", "missing m.subject_area")


def test_any_over_an_empty_set_says_it_is_empty():
    assert because("any m in person.mentee: m.new_to_role") == ("not met", "`person.mentee` is empty")


def test_any_that_no_member_meets_says_so():
    assert because('any s in {"a", "b"}: s = "z"') == ("not met", 'not met for any of {"a", "b"}')
