"""Confidentiality: who may see which record, relative to its subject on the as-of date.

Records are evidence items. Deny by default; `visible to` names viewers relative to the record's
subject (`subject`, `author`, a relationship end, a role held at or above the subject's place);
consent shares named components from a date until withdrawn; `except ... reveals to ... when ...`
opens a record on a condition; `counts visible to` gives aggregates only. `--viewer` hides from a
decision what the viewer may not see.

Exit codes of `accord access`: 0 allow, 1 deny, 3 undetermined, 4 counts only, 2 bad input.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

import accord
from accord.access import Access, redact
from accord.explain import decision_json, decision_text
from tests.conftest import EXAMPLES
from tests.questions import access, cli, cli_json, inline, write
from tests.support import decide, facts

ALLOW, DENY, COUNTS, UNDETERMINED = Access.ALLOW, Access.DENY, Access.COUNTS_ONLY, Access.UNDETERMINED
DEMO_FACTS = str(EXAMPLES / "demo" / "facts.json")

DOC = {
    "places": [
        {"id": "st", "kind": "state", "name": "State"},
        {"id": "rg", "kind": "region", "parent": "st"},
        {"id": "d1", "kind": "district", "name": "District One", "parent": "rg"},
        {"id": "d2", "kind": "district", "name": "District Two", "parent": "rg"},
        {"id": "s1", "kind": "school", "parent": "d1"},
    ],
    "people": [
        {"id": "dev", "name": "Dev", "place": "s1"},
        {"id": "ana", "name": "Ana", "place": "d1"},
        {"id": "old", "place": "d1"},
        {"id": "ben", "place": "d1"},
        {"id": "gus", "roles": [{"role": "coordinator", "place": "d1", "from": "2024-07-01"}]},
        {"id": "nora", "roles": [{"role": "coordinator", "place": "d2", "from": "2024-07-01"}]},
        {"id": "pat", "roles": [{"role": "coordinator", "place": "d1", "from": "2020-01-01", "to": "2025-06-30"}]},
        {"id": "ivy", "roles": [{"role": "state", "place": "st"}]},
        {"id": "hana", "roles": [{"role": "administrator", "place": "d1"}]},
        {"id": "zed"},
    ],
    "relationships": [
        {"kind": "mentoring", "mentor": "ana", "mentee": "dev", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "old", "mentee": "dev", "from": "2024-09-01", "to": "2025-06-30"},
        {"kind": "evaluation", "evaluator": "ben", "evaluatee": "dev", "from": "2025-09-01", "to": "2026-06-30"},
    ],
    "evidence": [
        {"id": "log1", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-10-01", "hours": 2, "topic": "routines"},
        {"id": "log2", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-12-03", "hours": 1,
         "safety_concern": True, "mentee_informed": True},
        {"id": "log3", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-12-04", "hours": 1,
         "safety_concern": True, "mentee_informed": False},
        {"id": "comp2", "kind": "evaluation_component", "subject": "dev", "author": "ben", "date": "2025-11-30", "component": "standard_2", "rating": "proficient"},
        {"id": "comp3", "kind": "evaluation_component", "subject": "dev", "author": "ben", "date": "2025-11-30", "component": "standard_3", "rating": "needs_improvement"},
        {"id": "sum1", "kind": "summative_evaluation", "subject": "dev", "author": "ben", "date": "2025-06-01", "rating": "proficient"},
        {"id": "obs1", "kind": "observation", "subject": "dev", "author": "ana", "date": "2025-10-02"},
    ],
    "consents": [
        {"id": "c1", "subject": "dev", "viewer": "ana", "components": ["standard_2"], "from": "2025-12-01", "withdrawn": "2026-03-01"},
        {"id": "c2", "subject": "dev", "viewer": "old", "components": ["evaluation_component"], "from": "2025-01-01"},
    ],
}
F = facts(DOC)

POLICY = """
record mentoring_log
  visible to subject, mentor, coordinator
  counts visible to state
  except "safety" reveals to administrator source "safety policy" when record.safety_concern and record.mentee_informed

record evaluation_component
  visible to subject, evaluator
  visible to mentor when shared by subject

record summative_evaluation
  visible to author
  visible to coordinator when record.date >= 2025-07-01
"""
P = inline(POLICY)


@pytest.mark.parametrize(
    ("viewer", "record", "outcome", "reason"),
    [
        ("dev", "log1", ALLOW, "the viewer is the record's subject"),
        ("ana", "log1", ALLOW, "the viewer is the record's mentor"),
        ("old", "log1", DENY, "no clause of `record mentoring_log` names this viewer on 2026-01-15 (deny by default)"),
        ("gus", "log1", ALLOW, "the viewer is the record's coordinator"),  # a coordinator of d1, above dev's school
        ("nora", "log1", DENY, None),  # a coordinator elsewhere
        ("pat", "log1", DENY, None),  # a coordinator no longer
        ("ivy", "log1", COUNTS, "counts and totals only: the viewer is the record's state"),
        ("zed", "log1", DENY, None),
        ("ben", "log1", DENY, None),  # the evaluator is not named for logs
        ("hana", "log2", ALLOW, "exception \"safety\" reveals it to the subject's administrator"),
        ("hana", "log3", DENY, None),  # the mentee was not informed
        ("hana", "log1", UNDETERMINED, "a condition that could allow it is unknown (treated as deny)"),
        ("ivy", "log2", COUNTS, None),  # the exception reveals to administrators only
        ("ben", "comp2", ALLOW, "the viewer is the record's evaluator"),
        ("dev", "comp3", ALLOW, None),
        ("ana", "comp2", ALLOW, "the viewer is the record's mentor (shared by the subject)"),
        ("ana", "comp3", DENY, "the viewer is the record's mentor, but the subject has not shared this record with them on 2026-01-15 (or has withdrawn it)"),
        ("old", "comp2", DENY, None),  # consent to a former mentor: the clause names the mentor of today
        ("gus", "comp2", DENY, None),
        ("ben", "sum1", ALLOW, "the viewer is the record's author"),
        ("gus", "sum1", DENY, None),  # the record is dated before 2025-07-01
        ("dev", "sum1", DENY, None),  # the subject is not named: deny by default
        ("ana", "obs1", DENY, "no rule of the policy makes observation records visible (deny by default)"),
        ("dev", "obs1", DENY, None),
    ],
)
def test_who_may_see_what(viewer, record, outcome, reason):
    d = access(P, F, viewer, record)
    assert d.outcome is outcome, d.reason
    assert (d.viewer, d.record, d.subject) == (viewer, record, "dev")
    if reason is not None:
        assert d.reason == reason
    assert d.outcome.exit_code == {ALLOW: 0, DENY: 1, UNDETERMINED: 3, COUNTS: 4}[outcome]


def test_an_undetermined_decision_names_what_is_missing():
    d = access(P, F, "hana", "log1")
    assert d.missing == ("mentee_informed of mentoring_log evidence", "safety_concern of mentoring_log evidence")


def test_the_clause_that_decides_is_located_in_the_policy():
    # a plain `visible to` clause is located at its record (line 4); a conditional one at its `when`
    assert access(P, F, "ana", "log1").location == "x.accord:4:8"
    assert access(P, F, "ana", "comp2").location == "x.accord:11:21"
    reveal = access(P, F, "hana", "log2")  # an exception at its label
    assert (reveal.location, reveal.layer, reveal.policy) == ("x.accord:7:10", "Test policy", "Test policy")


@pytest.mark.parametrize(
    ("viewer", "day", "outcome"),
    [
        ("old", "2025-06-30", ALLOW),  # the last day of old's mentoring
        ("old", "2025-07-01", DENY),
        ("ana", "2025-08-31", DENY),  # the day before ana's mentoring starts
        ("ana", "2025-09-01", ALLOW),
        ("pat", "2025-06-30", ALLOW),
        ("pat", "2025-07-01", DENY),
        ("ben", "2026-06-30", ALLOW),  # ben evaluates dev until 2026-06-30 (comp2)
        ("ben", "2026-07-01", DENY),
    ],
)
def test_relationships_and_roles_are_read_on_the_as_of_date(viewer, day, outcome):
    record = "comp2" if viewer == "ben" else "log1"
    assert access(P, F, viewer, record, dt.date.fromisoformat(day)).outcome is outcome


@pytest.mark.parametrize(
    ("day", "outcome"),
    [("2025-11-30", DENY), ("2025-12-01", ALLOW), ("2026-02-28", ALLOW), ("2026-03-01", DENY), ("2026-04-01", DENY)],
)
def test_consent_shares_from_its_date_and_stops_on_withdrawal(day, outcome):
    assert access(P, F, "ana", "comp2", dt.date.fromisoformat(day)).outcome is outcome


@pytest.mark.parametrize("components", [["comp2"], ["evaluation_component"], ["standard_2"], ["standard_9", "comp2"]])
def test_consent_may_name_the_record_its_kind_or_its_component(components):
    doc = copy.deepcopy(DOC)
    doc["consents"] = [{"subject": "dev", "viewer": "ana", "components": components, "from": "2025-01-01"}]
    assert access(P, facts(doc), "ana", "comp2").outcome is ALLOW
    assert access(P, facts(doc), "ana", "comp3").outcome is (ALLOW if "evaluation_component" in components else DENY)


def test_consent_by_someone_else_or_to_someone_else_does_not_share():
    doc = copy.deepcopy(DOC)
    doc["consents"] = [
        {"subject": "ana", "viewer": "ana", "components": ["standard_2"], "from": "2025-01-01"},  # not the subject
        {"subject": "dev", "viewer": "zed", "components": ["standard_2"], "from": "2025-01-01"},  # another viewer
    ]
    assert access(P, facts(doc), "ana", "comp2").outcome is DENY
    assert access(P, facts(doc), "zed", "comp2").outcome is DENY  # consented, but no clause names zed


def test_deny_by_default_without_any_record_clause():
    bare = inline('role mentor\n  require "t": true\n')
    for viewer in ("dev", "ana", "gus", "ivy", "hana"):
        assert access(bare, F, viewer, "log1").outcome is DENY


def test_a_full_clause_wins_over_counts_only_for_the_same_viewer():
    policy = inline("record mentoring_log\n  counts visible to coordinator\n  visible to coordinator when record.hours >= 2 hours\n")
    assert access(policy, F, "gus", "log1").outcome is ALLOW  # 2 hours
    assert access(policy, F, "gus", "log2").outcome is COUNTS  # 1 hour: counts only


def test_a_conditional_clause_that_is_unknown_is_undetermined_and_otherwise_deny():
    policy = inline("record mentoring_log\n  visible to coordinator when record.topic = \"routines\"\n")
    assert access(policy, F, "gus", "log1").outcome is ALLOW
    d = access(policy, F, "gus", "log2")  # no topic
    assert (d.outcome, d.missing) == (UNDETERMINED, ("topic of mentoring_log evidence",))
    assert access(policy, F, "zed", "log2").outcome is DENY  # not named at all: the unknown does not matter


def test_roles_are_relative_to_the_subjects_place_chain():
    doc = copy.deepcopy(DOC)
    doc["people"][0]["place"] = None  # dev has no place: only roles held everywhere reach him
    doc["people"].append({"id": "any", "roles": [{"role": "coordinator"}]})
    loaded = facts(doc)
    assert access(P, loaded, "gus", "log1").outcome is DENY
    assert access(P, loaded, "any", "log1").outcome is ALLOW


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("record mentoring_log\n  visible to dean\n", "P127"),
        ("record mentoring_log\n  counts visible to mentr\n", "P127"),
        ('record mentoring_log\n  except "x" reveals to nobody when true\n', "P127"),
        ("record diary\n  visible to subject\n", "P108"),
        ("record mentoring_log\n  visible to subject\nrecord mentoring_log\n  visible to mentor\n", "P113"),
        ("record mentoring_log may raise\n  visible to subject\n", "P119"),
        ("record mentoring_log\n  visible to subject when record.hours\n", "P117"),
        ("record mentoring_log\n  visible to subject when record.rating >= proficient\n", "P102"),
    ],
)
def test_record_check_errors(body, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        inline(body)
    assert code in [d.code for d in excinfo.value.diagnostics]


def test_an_unknown_record_or_viewer_is_a_usage_error():
    with pytest.raises(accord.UsageError, match="no record \\(evidence item\\) `log`.*did you mean `log"):
        access(P, F, "ana", "log")
    with pytest.raises(accord.UsageError, match="no person `anna`"):
        access(P, F, "anna", "log1")


# =========================================================================== CLI


@pytest.fixture()
def files(tmp_path):
    return write(tmp_path, "facts.json", DOC), write(tmp_path, "policy.accord", 'policy "Records"\n  programme demo\n' + POLICY)


@pytest.mark.parametrize(
    ("viewer", "record", "code", "word"),
    [("ana", "log1", 0, "ALLOW"), ("zed", "log1", 1, "DENY"), ("hana", "log1", 3, "UNDETERMINED"), ("ivy", "log1", 4, "COUNTS ONLY")],
)
def test_cli_exit_codes_and_text(files, viewer, record, code, word):
    facts_file, policy = files
    result = cli("access", facts_file, "--viewer", viewer, "--record", record, "--policy", policy, "--as-of", "2026-01-15")
    assert result.exit_code == code
    assert result.stdout.startswith(f"{word}: ")
    assert f"viewing mentoring_log record {record} (subject dev)" in result.stdout
    assert "as of 2026-01-15" in result.stdout


def test_cli_json(files):
    facts_file, policy = files
    code, data = cli_json("access", facts_file, "--viewer", "hana", "--record", "log2", "--policy", policy, "--as-of", "2026-01-15")
    assert code == 0
    assert data == {
        "schema": "accord.access/1",
        "outcome": "allow",
        "viewer": {"id": "hana", "name": ""},
        "record": {"id": "log2", "kind": "mentoring_log", "subject": "dev"},
        "as_of": "2026-01-15",
        "reason": "exception \"safety\" reveals it to the subject's administrator",
        "policy": "Records",
        "location": f"{policy}:7:10",
        "layer": "Records",
        "missing": [],
    }
    code, data = cli_json("access", facts_file, "--viewer", "hana", "--record", "log1", "--policy", policy, "--as-of", "2026-01-15")
    assert (code, data["outcome"]) == (3, "undetermined")
    assert data["missing"] == ["mentee_informed of mentoring_log evidence", "safety_concern of mentoring_log evidence"]


@pytest.mark.parametrize(
    "args",
    [
        ("--viewer", "ana", "--record", "nope"),
        ("--viewer", "nobody", "--record", "log1"),
        ("--viewer", "ana"),
        ("--record", "log1"),
    ],
)
def test_cli_bad_input_exits_2(files, args):
    facts_file, policy = files
    assert cli("access", facts_file, *args, "--policy", policy).exit_code == 2


def test_cli_withdrawn_consent(files):
    facts_file, policy = files
    args = ("access", facts_file, "--viewer", "ana", "--record", "comp2", "--policy", policy)
    assert cli(*args, "--as-of", "2026-02-28").exit_code == 0
    assert cli(*args, "--as-of", "2026-03-01").exit_code == 1


# =========================================================================== the demo programme


@pytest.mark.parametrize(
    ("viewer", "record", "day", "outcome", "layer"),
    [
        ("ana", "ev8", "2026-02-28", "allow", "Demo District Mentoring"),  # shared standard_2
        ("ana", "ev8", "2026-03-01", "deny", "Demo District Mentoring"),  # withdrawn
        ("ana", "ev9", "2026-01-15", "deny", "Demo District Mentoring"),  # standard_3 never shared
        ("hana", "ev7", "2026-01-15", "allow", "Attleboro demo mentoring"),  # Attleboro's safety exception
        ("ivy", "ev4", "2026-01-15", "counts_only", "Attleboro demo mentoring"),
        ("gus", "ev4", "2026-01-15", "allow", "Attleboro demo mentoring"),
        ("ben", "ev4", "2026-01-15", "deny", "Attleboro demo mentoring"),
    ],
)
def test_demo_access_names_the_layer_of_the_deciding_clause(viewer, record, day, outcome, layer):
    code, data = cli_json("access", DEMO_FACTS, "--viewer", viewer, "--record", record, "--programme", "demo", "--as-of", day)
    assert (data["outcome"], data["layer"]) == (outcome, layer)
    assert code == {"allow": 0, "deny": 1, "counts_only": 4}[outcome]


def test_demo_the_safety_exception_is_attleboros_only(tmp_path):
    """The policy is the record subject's: a Norton mentee's log stays closed to administrators."""
    doc = json.loads((EXAMPLES / "demo" / "facts.json").read_text(encoding="utf-8"))
    doc["people"].append({"id": "nadia", "place": "norton", "roles": [{"role": "administrator", "place": "norton"}]})
    doc["evidence"].append({"id": "ev20", "kind": "mentoring_log", "subject": "eli", "author": "cara", "date": "2025-12-01",
                            "hours": 1, "safety_concern": True, "mentee_informed": True})
    path = write(tmp_path, "facts.json", doc)
    code, data = cli_json("access", path, "--viewer", "nadia", "--record", "ev20", "--programme", "demo", "--as-of", "2026-01-15")
    assert (code, data["outcome"], data["policy"]) == (1, "deny", "Demo District Mentoring")
    code, data = cli_json("access", path, "--viewer", "hana", "--record", "ev7", "--programme", "demo", "--as-of", "2026-01-15")
    assert (code, data["policy"]) == (0, "Attleboro demo mentoring")


# =========================================================================== what a viewer is shown


def test_check_viewer_hides_a_rating_the_viewer_may_not_see():
    base = ("check", DEMO_FACTS, "--person", "ana", "--role", "mentor", "--programme", "demo", "--as-of", "2026-01-15")
    plain = cli(*base)
    assert "exemplary" in plain.stdout
    for fmt in ("text", "json"):
        hidden = cli(*base, "--viewer", "gus", "--format", fmt)  # a coordinator: summative evaluations are closed
        assert hidden.exit_code == 0  # the outcome stays
        assert "exemplary" not in hidden.stdout
        shown = cli(*base, "--viewer", "hana", "--format", fmt)  # an administrator may see them
        assert "exemplary" in shown.stdout
    code, data = cli_json(*base, "--viewer", "gus")
    rated = next(r for r in data["requirements"] if r["label"].startswith("was rated"))
    # its status would say something about the rating too: it is hidden with the values
    assert (rated["status"], rated["actual"], rated["required"]) == ("hidden", None, None)
    assert data["viewer"] == "gus"
    others = [r for r in data["requirements"] if not r["label"].startswith("was rated")]
    assert all(r["actual"] is not None for r in others)  # only what reads a hidden record is hidden


def test_check_viewer_that_does_not_exist_is_bad_input():
    result = cli("check", DEMO_FACTS, "--person", "ana", "--role", "mentor", "--programme", "demo", "--viewer", "nobody")
    assert result.exit_code == 2


def test_pair_viewer_hides_too():
    base = ("pair", DEMO_FACTS, "ana", "dev", "--programme", "demo", "--as-of", "2026-01-15")
    assert cli(*base).exit_code == 0
    assert cli(*base, "--viewer", "fay").exit_code == 0


def test_redact_keeps_the_outcome_and_hides_the_status_of_what_reads_a_hidden_record():
    policy = accord.load_policy(programme="demo", places=["attleboro", "southeast", "ma"])
    loaded = accord.load_facts(DEMO_FACTS)
    d = decide(policy, loaded, "ben", "mentor", dt.date(2026, 1, 15))
    r = redact(d, policy, loaded, "gus")
    assert r.outcome == d.outcome
    assert [x.status for x in r.requirements] == ["hidden" if x.label.startswith("was rated") else x.status for x in d.requirements]
    assert "needs_improvement" in decision_text(d) and "needs_improvement" not in decision_text(r)
    assert "needs_improvement" not in json.dumps(decision_json(r))


def test_redact_hides_evidence_of_someone_other_than_the_subject():
    """Regression: redaction looked only at the subject's records, so a rule reading the rating of
    the mentee's log's author (ana) showed it to the mentee, who may not see ana's evaluations."""
    policy = inline(
        'role mentee\n  require "logged with a well-rated mentor":\n'
        "    latest(evidence summative_evaluation of latest(evidence mentoring_log).author).rating >= proficient\n"
        "record summative_evaluation\n  visible to subject\nrecord mentoring_log\n  visible to subject, mentor\n"
    )
    loaded = facts(
        {
            "people": [{"id": "dev"}, {"id": "ana"}],
            "relationships": [{"kind": "mentoring", "mentor": "ana", "mentee": "dev"}],
            "evidence": [
                {"id": "e1", "kind": "mentoring_log", "subject": "dev", "author": "ana", "date": "2025-10-01"},
                {"id": "e2", "kind": "summative_evaluation", "subject": "ana", "date": "2025-06-01", "rating": "needs_improvement"},
            ],
        }
    )
    d = decide(policy, loaded, "dev", "mentee")
    assert "needs_improvement" in decision_text(d)
    for viewer in ("dev", "ana"):
        shown = redact(d, policy, loaded, viewer)
        text, data = decision_text(shown), json.dumps(decision_json(shown))
        if viewer == "dev":
            assert "needs_improvement" not in text and "needs_improvement" not in data
        else:
            assert "needs_improvement" in text  # ana sees her own evaluation and dev's logs


def test_a_role_assignment_named_like_a_relationship_end_is_refused_naming_both(tmp_path):
    """`visible to mentor` means the subject's mentor: an assignment `mentor` at a place would open
    every record under it, so the facts are refused, naming the assignment and the relationship."""
    from accord.facts import facts_from_document

    doc = {
        "places": [{"id": "d1", "kind": "district"}],
        "people": [{"id": "s", "place": "d1"}, {"id": "x", "roles": [{"role": "coordinator"}, {"role": "mentor", "place": "d1"}]}],
    }
    with pytest.raises(accord.FactsError) as excinfo:
        facts_from_document(doc)
    text = excinfo.value.render()
    assert "people[1].roles[1].role" in text and "`mentor` is an end of the `mentoring` relationship" in text
    from click.testing import CliRunner

    from accord.cli import main

    (tmp_path / "f.json").write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(main, ["access", str(tmp_path / "f.json"), "--viewer", "x", "--record", "r", "--programme", "demo"])
    assert result.exit_code == 2 and "people[1].roles[1].role" in result.output
