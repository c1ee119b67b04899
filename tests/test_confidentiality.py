"""Confidentiality as noninterference, over random worlds.

A world is a policy (records with `visible to`, `when shared by subject`, counts-only and reveal
clauses; roles whose requirements and exceptions read records through `evidence` queries,
`count`/`hours`, quantifiers, a quantifier variable named `person`, definitions and plugin
functions; a pair rule with preferences), people with places, role assignments, relationships,
records and consents (some withdrawn), an as-of date and a viewer.

Its twin is the same world with different content in every record the viewer may not see (for
a counts-only record, everything but its hours). The property: every question asked with
`--viewer` whose outcome is the same in both worlds prints the same thing, text and JSON, with
and without `--explain`. So no value, reason, distance, trace line, score, "decided by" or
"still missing" carries what the viewer may not see, however the engine computed it; only the
outcome may differ (it is the answer asked for, and documented as visible).

The quick run is part of the normal suite; `pytest -m fuzz` runs the long one
(ACCORD_WORLDS worlds, default 10,000) and prints how many worlds and questions it compared.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

import accord
from accord.access import Access, Visibility, redact
from accord.cli import main
from accord.explain import decision_json, decision_text
from accord.facts import facts_from_document
from accord.plugins.educator import PERFORMANCE
from tests import strategies as s

PEOPLE = s.PEOPLE[:4]
KINDS = (*s.CONTENT_KINDS, "licence")
DAY = st.dates(dt.date(2026, 3, 1), dt.date(2026, 12, 31))

#: what a role's rules read: policy queries, aggregates, quantifiers (one over `person`, which
#: shadows the subject), definitions and plugin functions that read records themselves
ROLE_RULES = (
    *s.CONTENT_RULES,
    *s.OTHERS_RULES,
    "most_recent_rating(person) >= proficient",
    "any person in person.mentee: latest(evidence summative_evaluation).rating >= proficient",
    "every person in person.mentor: most_recent_rating(person) != unsatisfactory",
    "rated_well(person)",
    "some_mentee_rated_well(person)",
    "years_under_licence(person, {initial, professional}) >= 2 years",
    "holds_licence(person, {initial, professional})",
    "count(evidence summative_evaluation) >= 1",
    "hours(evidence mentoring_log) >= 2 hours",
    "person.years_experience >= 3 years",
)
PAIR_RULES = (
    'latest(evidence mentoring_log of mentee).topic != "abc"',
    "most_recent_rating(mentee) >= proficient",
    "most_recent_rating(mentor) = exemplary",
    "latest(evidence summative_evaluation of mentee).rating = exemplary",
    "rated_well(mentor)",
    "mentor.mentor_trained",
    "hours(evidence mentoring_log of mentor) >= 1 hours",
    "any person in mentor.mentee: most_recent_rating(person) >= proficient",
    "not is_evaluator_of(mentor, mentee)",
)
DEFINES = (
    "define rated_well(p) = most_recent_rating(p) >= proficient\n"
    "define some_mentee_rated_well(p) = any person in p.mentee: latest(evidence summative_evaluation of person).rating >= proficient\n"
)


@st.composite
def world_policies(draw: Any) -> str:
    """A policy over `KINDS` records whose roles and pair rule read them in every way there is."""
    text, _ = draw(s.record_policies(KINDS, s.CONTENT_VIEWERS, every_kind=True, retention=True))
    text += DEFINES
    for role in ("mentor", "mentee"):
        text += f"role {role}\n"
        for i, rule in enumerate(draw(st.lists(st.sampled_from(ROLE_RULES), min_size=1, max_size=3))):
            text += f'  require "r{i}": {rule}\n'
        effect = draw(st.sampled_from(["grants", "denies"]))  # one effect a role: no conflicting pair
        for i, rule in enumerate(draw(st.lists(st.sampled_from(ROLE_RULES), max_size=2))):
            text += f'  except "e{i}" {effect}: {rule}\n'
    text += "pair mentor, mentee\n"
    for i, rule in enumerate(draw(st.lists(st.sampled_from(PAIR_RULES), min_size=1, max_size=2))):
        text += f'  require "p{i}": {rule}\n'
    for i, rule in enumerate(draw(st.lists(st.sampled_from(PAIR_RULES), min_size=1, max_size=3))):
        text += f'  prefer "q{i}" weight {draw(st.integers(1, 9))}: {rule}\n'
    return text


@st.composite
def worlds(draw: Any) -> tuple[str, dict[str, Any], dt.date, str, Any]:
    text = draw(world_policies())
    doc = draw(s.record_documents(max_items=7, people=PEOPLE, kinds=KINDS))
    for person in doc["people"]:  # a fact no record holds, so some rules read no record at all
        if draw(st.booleans()):
            person.setdefault("facts", {})["years_experience"] = draw(st.integers(0, 6))
    return text, doc, draw(DAY), draw(st.sampled_from(PEOPLE)), draw(st.randoms(use_true_random=False))


def _levels(policy: accord.CompiledPolicy, doc: dict[str, Any], viewer: str, day: dt.date) -> dict[str, Access]:
    facts = facts_from_document(doc)
    seen = Visibility(policy, facts, facts.person(viewer), day)
    return {item.id: seen.level(item) for item in facts.evidence}


def _other_content(item: dict[str, Any], counts_only: bool, rnd: Any) -> None:
    """New content for a record the viewer may not see: every field, and its hours unless counts are visible."""
    for field, t in s.SCHEMA.evidence[item["kind"]].fields.items():
        if t == PERFORMANCE:
            item[field] = rnd.choice(PERFORMANCE.levels)
        elif field in ("topic", "summary", "licence_field", "purpose", "notes"):
            item[field] = rnd.choice(["abc", "xyz", "standard_1"])
        elif field == "licence_type":
            item[field] = rnd.choice(["provisional", "initial", "professional"])
        elif field == "end_date":
            item[field] = rnd.choice([None, "2025-06-30", "2027-06-30"])
        elif field == "announced":
            item[field] = rnd.choice([True, False])
        if item.get(field, 0) is None:
            del item[field]
    if not counts_only:
        item["hours"] = rnd.choice([0, 1, 2, 5])


def twin(doc: dict[str, Any], levels: dict[str, Access], rnd: Any) -> dict[str, Any]:
    other = copy.deepcopy(doc)
    for item in other["evidence"]:
        if levels[item["id"]] is not Access.ALLOW:
            _other_content(item, levels[item["id"]] is Access.COUNTS_ONLY, rnd)
    return other


def _questions(policy: accord.CompiledPolicy, facts: accord.Facts, day: dt.date) -> dict[tuple[Any, ...], Any]:
    out: dict[tuple[Any, ...], Any] = {}
    for person in PEOPLE:
        for role in ("mentor", "mentee"):
            out[("check", person, role)] = accord.decide(policy, facts, person, role, day, explain=True)
        for other in PEOPLE:
            if other != person:
                out[("pair", person, other)] = accord.decide_pair(policy, facts, person, other, day, explain=True)
    return out


STATS = {"worlds": 0, "questions": 0}


def _compare(text: str, doc: dict[str, Any], day: dt.date, viewer: str, rnd: Any) -> None:
    note(text)
    policy = accord.load_policy(text=text, path="world.accord")
    levels = _levels(policy, doc, viewer, day)
    assume(any(level is not Access.ALLOW for level in levels.values()))
    other = twin(doc, levels, rnd)
    assume(_levels(policy, other, viewer, day) == levels)  # what the viewer may see is the same in both
    note(json.dumps(doc))
    note(json.dumps(other))
    worlds = [facts_from_document(d) for d in (doc, other)]
    asked = [_questions(policy, f, day) for f in worlds]
    STATS["worlds"] += 1
    for key, first in asked[0].items():
        second = asked[1][key]
        if first.outcome is not second.outcome:
            continue  # the outcome is the answer asked for: it may differ
        STATS["questions"] += 1
        shown = [redact(d, policy, f, viewer) for d, f in zip((first, second), worlds)]
        for explain in (False, True):
            a, b = (decision_text(d, explain=explain) for d in shown)
            assert a == b, f"{viewer} can tell the worlds apart in {key}:\n{a}\n---\n{b}"
        a, b = (json.dumps(decision_json(d), default=str) for d in shown)
        assert a == b, f"{viewer} can tell the worlds apart in the JSON of {key}:\n{a}\n---\n{b}"


#: the audit's quantifier-shadowing world: `person` in `any person in person.mentee` is the mentee
SHADOW = (
    'policy "Shadow"\n  programme demo\nrecord summative_evaluation\n  visible to subject, evaluator\n'
    "role mentor\n  require \"a mentee was rated well\":\n"
    "    any person in person.mentee: latest(evidence summative_evaluation).rating >= proficient\n"
    'role mentee\n  require "r": true\npair mentor, mentee\n  require "p": true\n  prefer "q" weight 5: most_recent_rating(mentee) = exemplary\n'
    "record mentoring_log\n  visible to subject\nrecord observation\n  visible to subject\n"
    "record evaluation_component\n  visible to subject\nrecord licence\n  visible to subject\n"
)
SHADOW_DOC = {
    "places": s.PLACES, "people": [{"id": p} for p in PEOPLE], "consents": [],
    "relationships": [{"kind": "mentoring", "mentor": "p0", "mentee": "p1"}],
    "evidence": [
        {"id": "r0", "kind": "summative_evaluation", "subject": "p1", "date": "2025-05-01", "rating": "exemplary"},
        {"id": "r1", "kind": "summative_evaluation", "subject": "p0", "date": "2025-05-01", "rating": "proficient"},
    ],
}

QUICK = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(worlds())
@example((SHADOW, SHADOW_DOC, dt.date(2026, 6, 1), "p0", __import__("random").Random(1))).via("the audit's leak-shadow")
def test_a_viewer_cannot_tell_apart_worlds_that_differ_only_in_what_they_may_not_see(world):
    _compare(*world)


@pytest.mark.fuzz
@settings(max_examples=int(os.environ.get("ACCORD_WORLDS", "10000")), deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(worlds())
def test_long_random_worlds(world):
    _compare(*world)


@pytest.mark.fuzz
def test_long_random_worlds_report(capsys):
    """Runs after the long run (same module, file order): says how many worlds and questions it compared."""
    with capsys.disabled():
        print(f"\nrandom worlds: {STATS['worlds']} worlds compared, {STATS['questions']} questions with the same outcome, 0 leaks")


def test_the_cli_prints_the_same_for_both_worlds(tmp_path):
    """Through the CLI: check (one person, the roster, --explain) and pair, text and JSON, in both worlds at one path."""
    (tmp_path / "p.accord").write_text(SHADOW, encoding="utf-8")
    facts = tmp_path / "f.json"
    outputs = []
    for rating in ("exemplary", "needs_improvement"):
        doc = copy.deepcopy(SHADOW_DOC)
        doc["evidence"][0]["rating"] = rating
        facts.write_text(json.dumps(doc), encoding="utf-8")
        common = ["--policy", str(tmp_path / "p.accord"), "--as-of", "2026-06-01", "--viewer", "p0"]
        runs = []
        for args in (
            ["check", str(facts), "--person", "p0", "--role", "mentee", *common],
            ["check", str(facts), "--role", "mentee", *common],
            ["check", str(facts), "--person", "p0", "--role", "mentee", "--explain", "--format", "json", *common],
            ["pair", str(facts), "p0", "p1", *common],
            ["pair", str(facts), "p0", "p1", "--format", "json", *common],
        ):
            result = CliRunner().invoke(main, args)
            assert result.exit_code in (0, 1, 3), result.output
            runs.append((result.exit_code, result.output))
        outputs.append(runs)
    assert outputs[0] == outputs[1]
    # and the mentor role, whose outcome differs, hides the rating it rests on in both worlds
    for rating in ("exemplary", "needs_improvement"):
        doc = copy.deepcopy(SHADOW_DOC)
        doc["evidence"][0]["rating"] = rating
        facts.write_text(json.dumps(doc), encoding="utf-8")
        result = CliRunner().invoke(main, ["check", str(facts), "--person", "p0", "--role", "mentor", *common])
        assert "[hidden]   a mentee was rated well" in result.output and rating not in result.output
