"""Finer layering and records over time (issue 10, section 7; docs/language.md section 30).

`extend pair` adds requirements and preferences to the parent's pair rules; `replace "label": ...`
in an `extend` gives a requirement the parent marks `may change` a new condition (P284: no such
label, P285: fixed). `record KIND ... kept N [academic] UNIT [for "purpose"]`: after that no one
sees a record of the kind, and `accord access` says EXPIRED (P282/P283/P286 for a bad clause). A
person with no membership of an organisation on file is undetermined, never "not a member"; a
membership entry of category `none` says "known to have none".

Every decision is made with both engines, which must agree (tests.support, tests.questions).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accord
from accord.access import Access, Visibility, redact
from accord.evaluate import Outcome
from accord.facts import facts_from_document
from tests import strategies as s
from tests.questions import access, cli, cli_json, write
from tests.support import decide, decide_pair, facts

YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN
AS_OF = dt.date(2026, 1, 15)

PARENT = """policy "State"
  programme demo

role mentor
  require "experienced" may change source "state rule 1": person.years_experience >= 3 years
  require "trained": person.mentor_trained

pair mentor, mentee
  require "not the same person": mentor is not mentee
  require "same district" may change: mentor.district is mentee.district
"""

CHILD = """policy "District"
  extends "state"

extend role mentor
  replace "experienced": person.years_experience >= 2 years

extend pair mentor, mentee
  replace "same district": mentor.region is mentee.region
  require "the mentor is trained": mentor.mentor_trained
  prefer "same subject" weight 2: mentor.subject_area = mentee.subject_area
"""

DOC = {
    "places": [
        {"id": "rg", "kind": "region"},
        {"id": "d1", "kind": "district", "parent": "rg"},
        {"id": "d2", "kind": "district", "parent": "rg"},
    ],
    "people": [
        {"id": "pat", "place": "d1", "facts": {"years_experience": 2, "mentor_trained": True, "subject_area": "science"}},
        {"id": "nia", "place": "d2", "facts": {"subject_area": "science"}},
        {"id": "raw", "place": "d1", "facts": {"years_experience": 9, "mentor_trained": False}},
    ],
}


@pytest.fixture
def layered(tmp_path: Path) -> accord.CompiledPolicy:
    write(tmp_path, "state.accord", PARENT)
    return accord.load_policy(write(tmp_path, "district.accord", CHILD))


# =========================================================================== replace, extend pair


def test_a_replaced_requirement_keeps_its_label_and_citation_and_names_the_layer_that_replaced_it(layered):
    d = decide(layered, facts(DOC), "pat", "mentor", AS_OF)
    assert d.outcome is YES
    experienced = next(r for r in d.requirements if r.label == "experienced")
    assert experienced.status == "met" and experienced.source == "state rule 1"
    assert "district.accord:5:" in experienced.location and experienced.layer == "District"
    # the parent alone says no: 2 years < 3 years
    parent = accord.load_policy(text=PARENT)
    assert decide(parent, facts(DOC), "pat", "mentor", AS_OF).outcome is NO


def test_extend_pair_adds_requirements_and_preferences_and_replaces_by_label(layered):
    d = decide_pair(layered, facts(DOC), "pat", "nia", AS_OF)
    assert d.outcome is YES  # different districts, same region: the replaced rule is met
    assert [r.label for r in d.requirements] == ["not the same person", "same district", "the mentor is trained"]
    assert [p.label for p in d.preferences] == ["same subject"] and d.score == 2
    untrained = decide_pair(layered, facts(DOC), "raw", "nia", AS_OF)
    assert untrained.outcome is NO and "the mentor is trained" in [r.label for r in untrained.requirements if r.status == "not met"]


def test_replace_needs_the_parents_right_and_an_existing_label(tmp_path):
    write(tmp_path, "state.accord", PARENT)
    bad = write(tmp_path, "bad.accord", 'policy "Bad"\n  extends "state"\n\nextend role mentor\n  replace "trained": true\n  replace "experince": true\n')
    result = cli("lint", bad, engines=False)
    assert result.exit_code == 2
    assert "error[P285]" in result.stdout + result.stderr and "error[P284]" in result.stdout + result.stderr
    assert 'did you mean "experienced"?' in result.stdout + result.stderr
    missing = write(tmp_path, "nopair.accord", 'policy "Bad"\n  extends "state"\n\nextend pair mentor, coordinator\n  require "x": true\n')
    result = cli("lint", missing, engines=False)
    assert result.exit_code == 2 and "error[P121]" in result.stdout + result.stderr


def test_the_cli_shows_the_replaced_pair_rule(tmp_path):
    write(tmp_path, "state.accord", PARENT)
    child = write(tmp_path, "district.accord", CHILD)
    doc = write(tmp_path, "facts.json", DOC)
    result = cli("pair", doc, "pat", "nia", "--policy", child, "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.stdout
    assert "[met]      same district" in result.stdout and "same subject (weight 2)" in result.stdout


def test_a_formatted_layer_with_the_new_clauses_reads_the_same(tmp_path):
    from accord.fmt import format_text

    for text in (PARENT, CHILD, RETAINED):
        formatted = format_text(text)
        assert format_text(formatted) == formatted


# =========================================================================== memberships


MEMBERS = """
role mentee
  require "is a member": person.association_membership in {active, retired}
"""


@pytest.mark.parametrize(
    ("memberships", "outcome"),
    [
        ([{"organisation": "demo_association", "category": "active"}], YES),
        ([{"organisation": "demo_association", "category": "none"}], NO),  # known to have none
        ([{"organisation": "demo_association", "category": "active", "to": "2025-06-30"}], NO),  # it ended
        ([{"organisation": "other", "category": "active"}], UNKNOWN),  # nothing about this association
        ([], UNKNOWN),
        ([{"organisation": "demo_association", "category": "none", "to": "2025-06-30"}], UNKNOWN),  # known none until then only
    ],
)
def test_no_membership_on_file_is_undetermined_and_category_none_says_known_to_have_none(memberships, outcome):
    from tests.support import policy

    loaded = facts({"people": [{"id": "p", "memberships": memberships}]})
    d = decide(policy(MEMBERS), loaded, "p", "mentee", AS_OF)
    assert d.outcome is outcome
    if outcome is UNKNOWN:
        assert d.missing == ("person.association_membership",)


# =========================================================================== retention

RETAINED = """policy "Retention"
  programme demo

record mentoring_log
  visible to subject, mentor, coordinator
  counts visible to state
  kept 3 academic years for "program review" source "CAP data retention"

record observation
  visible to subject
  kept 18 months
"""

RECORDS = {
    "people": [
        {"id": "nia"},
        {"id": "mo"},
        {"id": "cole", "roles": [{"role": "coordinator"}]},
        {"id": "sam", "roles": [{"role": "state"}]},
    ],
    "relationships": [{"kind": "mentoring", "mentor": "mo", "mentee": "nia"}],
    "evidence": [
        {"id": "log1", "kind": "mentoring_log", "subject": "nia", "author": "mo", "date": "2025-09-12", "hours": 2},
        {"id": "obs1", "kind": "observation", "subject": "nia", "author": "mo", "date": "2025-01-31"},
    ],
}


@pytest.mark.parametrize(
    ("record", "last_day", "expired_on"),
    [
        ("log1", "2028-06-30", "2028-07-01"),  # the academic year 2025-26 and the two after it
        ("obs1", "2026-07-30", "2026-07-31"),  # 18 months from 2025-01-31
    ],
)
def test_a_record_expires_for_every_viewer_after_its_retention(record, last_day, expired_on):
    policy = accord.load_policy(text=RETAINED)
    loaded = facts(RECORDS)
    assert access(policy, loaded, "nia", record, dt.date.fromisoformat(last_day)).outcome is Access.ALLOW
    for viewer in ("nia", "mo", "cole", "sam"):
        d = access(policy, loaded, viewer, record, dt.date.fromisoformat(expired_on))
        assert d.outcome is Access.EXPIRED and d.outcome.exit_code == 1
        assert f"expired on {expired_on}" in d.reason


def test_the_cli_says_expired(tmp_path):
    pol = write(tmp_path, "retention.accord", RETAINED)
    doc = write(tmp_path, "facts.json", RECORDS)
    result = cli("access", doc, "--viewer", "cole", "--record", "log1", "--policy", pol, "--as-of", "2028-07-01")
    assert result.exit_code == 1
    assert result.stdout.startswith("EXPIRED: cole viewing mentoring_log record log1")
    assert "kept 3 academic years for program review: it expired on 2028-07-01" in result.stdout
    code, data = cli_json("access", doc, "--viewer", "cole", "--record", "log1", "--policy", pol, "--as-of", "2028-07-01")
    assert code == 1 and data["outcome"] == "expired"


@pytest.mark.parametrize(
    ("clause", "code"),
    [("kept 3 semesters", "P282"), ("kept 3 academic months", "P282"), ("kept 0 years", "P283"), ("kept 1.5 years", "P283"), ("kept 1 year\n  kept 2 years", "P286")],
)
def test_a_bad_retention_is_a_located_error(clause, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(text=f'policy "r"\n  programme demo\nrecord mentoring_log\n  visible to subject\n  {clause}\n')
    assert [d.code for d in excinfo.value.diagnostics] == [code]
    assert excinfo.value.diagnostics[0].span.line >= 5


def test_a_layer_may_shorten_a_retention_never_lengthen_it(tmp_path):
    write(tmp_path, "state.accord", RETAINED)
    longer = write(tmp_path, "longer.accord", 'policy "Longer"\n  extends "state"\n\noverride record mentoring_log\n  visible to subject\n  kept 10 years\n')
    shorter = write(tmp_path, "shorter.accord", 'policy "Shorter"\n  extends "state"\n\noverride record mentoring_log\n  visible to subject\n  kept 1 years\n')
    loaded = facts(RECORDS)
    assert access(accord.load_policy(longer), loaded, "nia", "log1", dt.date(2028, 7, 1)).outcome is Access.EXPIRED  # the parent's floor
    assert access(accord.load_policy(shorter), loaded, "nia", "log1", dt.date(2026, 9, 12)).outcome is Access.EXPIRED


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    s.record_policies(s.RECORD_KINDS, s.VIEWER_NAMES, every_kind=True, retention=True),
    s.record_documents(max_items=6),
    st.dates(dt.date(2024, 1, 1), dt.date(2036, 12, 31)),
)
def test_an_expired_record_never_shows_for_any_viewer(text_clauses, doc, day):
    """Whoever asks, on any day: a record past its retention is EXPIRED in both engines, and any
    decision that reads it is redacted for every viewer, as for a record they may not see."""
    text, _ = text_clauses
    policy = accord.load_policy(text=text)
    loaded = facts_from_document(doc)
    for item in loaded.evidence:
        rec = policy.checked.records.get(item.kind)
        expired = rec is not None and rec.retention is not None and day >= rec.retention.expires(item.date)
        for viewer in loaded.people:
            d = access(policy, loaded, viewer, item.id, day)
            assert (d.outcome is Access.EXPIRED) == expired
            if expired:
                assert Visibility(policy, loaded, loaded.people[viewer], day).hides([(item.subject, item.kind, True)])


def test_an_expired_record_is_hidden_from_a_decision_that_reads_it():
    text = RETAINED + '\nrole mentee\n  require "has logged": count(evidence mentoring_log) >= 1\n'
    policy = accord.load_policy(text=text)
    loaded = facts(RECORDS)
    before = redact(accord.decide(policy, loaded, "nia", "mentee", dt.date(2028, 6, 30)), policy, loaded, "cole")
    after = redact(accord.decide(policy, loaded, "nia", "mentee", dt.date(2028, 7, 1)), policy, loaded, "cole")
    assert before.requirements[0].status == "met"
    assert after.requirements[0].status == "hidden"


# =========================================================================== two authorities


TWO = {
    "places": [
        {"id": "ma", "kind": "state"},
        {"id": "uni", "kind": "programme", "parent": "ma"},
        {"id": "attleboro", "kind": "district", "parent": "ma"},
    ],
    "people": [
        {"id": "cam", "place": "attleboro", "facts": {"years_experience": 0}},
        {"id": "ps", "place": "uni", "roles": [{"role": "coordinator", "place": "uni"}]},
        {"id": "dc", "place": "attleboro", "roles": [{"role": "coordinator", "place": "attleboro"}]},
    ],
    "evidence": [{"id": "l1", "kind": "mentoring_log", "subject": "cam", "date": "2025-10-01"}],
}


def test_a_person_under_two_authorities_is_answered_by_the_layers_of_their_own_place():
    """A candidate of a university (a `programme` place) placed in a district: the person's place
    is the district, so the district's layers answer; the university reaches the candidate through
    a relationship (a program supervisor) or a role held at the candidate's place chain, never by
    the university's own layer (docs/language.md section 30)."""
    text = 'policy "p"\n  programme demo\nrecord mentoring_log\n  visible to subject, coordinator\n'
    policy = accord.load_policy(text=text)
    loaded = facts(TWO)
    assert access(policy, loaded, "dc", "l1", AS_OF).outcome is Access.ALLOW  # coordinator at the candidate's district
    assert access(policy, loaded, "ps", "l1", AS_OF).outcome is Access.DENY  # the university is not above the district
