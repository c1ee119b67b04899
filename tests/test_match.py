"""`accord match`: the proposal is optimal (against exhaustive search), keeps every hard rule and
capacity, is repeatable, redacts for a viewer, and is accepted into a facts file."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accord
from accord.cli import main
from accord.errors import PolicyError, UsageError
from accord.match import match, match_csv, match_json

from .support import facts, policy

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "constructs"
POLICY, FACTS = EXAMPLES / "matching.accord", EXAMPLES / "matching.json"
AS_OF = dt.date(2026, 1, 15)
RULES = """
parameter mentees_per_mentor = {cap} may lower
role mentor
  require "is trained": person.mentor_trained
role mentee
  require "is new": person.new_to_role
pair mentor, mentee
  require "is not the same person": mentor is not mentee
  require "not the evaluator": not evaluates(mentor, mentee)
  prefer "same district" weight {w1} first: mentor.district is mentee.district
  prefer "same subject" weight {w2}: mentor.subject_area = mentee.subject_area
"""


def _example() -> accord.Facts:
    return accord.load_facts(FACTS)


def test_the_example_is_matched_and_explained() -> None:
    report = match(accord.load_policy(POLICY), _example(), AS_OF)
    pairs = {(p.mentor, p.mentee) for p in report.pairs}
    assert ("ben", "ivy") not in pairs and ("ben", "dev") not in pairs  # ben evaluates both
    assert report.kept == (("cara", "hana"),)
    assert {u.mentee for u in report.unmatched} == {"eli", "ivy"}
    ivy = next(u for u in report.unmatched if u.mentee == "ivy")
    assert {(c.mentor, c.reason, c.rule) for c in ivy.candidates} == {
        ("ana", "capacity", None), ("ben", "rule", "not the evaluator" if False else "the mentor does not evaluate the mentee"), ("cara", "capacity", None)
    }
    assert [u.person for u in report.undetermined] == ["jon"]
    # the greedy baseline takes ana for amy (first in id order), and falls short of the optimum
    assert report.greedy is not None and (report.greedy.first, report.greedy.score) < (report.totals.first, report.totals.score)
    assert report.exit_code == 1


def test_a_persons_capacity_fact_lowers_the_parameter() -> None:
    report = match(accord.load_policy(POLICY), _example(), AS_OF)
    assert dict((m, c) for m, c, _ in report.mentors) == {"ana": 1, "ben": 2, "cara": 2}
    taken: dict[str, int] = {}
    for p in report.pairs:
        taken[p.mentor] = taken.get(p.mentor, 0) + 1
    assert taken["ana"] == 1


def test_fixed_pairs_are_kept_and_bad_ones_refused() -> None:
    compiled, loaded = accord.load_policy(POLICY), _example()
    report = match(compiled, loaded, AS_OF, fixed=[("ana", "amy")])
    assert any((p.mentor, p.mentee, p.status) == ("ana", "amy", "fixed") for p in report.pairs)
    with pytest.raises(UsageError) as exc:
        match(compiled, loaded, AS_OF, fixed=[("ben", "ivy")])
    assert exc.value.diagnostics[0].code == "P185"


def test_the_cli_gives_text_json_and_csv_and_the_same_answer_twice() -> None:
    args = ["match", str(FACTS), "--policy", str(POLICY), "--as-of", "2026-01-15"]
    runner = CliRunner()
    text = runner.invoke(main, args)
    assert text.exit_code == 1, text.output
    assert "ivy: every candidate is excluded" in text.output and "a greedy assignment" in text.output
    first = runner.invoke(main, [*args, "--format", "json"])
    again = runner.invoke(main, [*args, "--format", "json"])
    assert first.output == again.output
    doc = json.loads(first.output)
    assert doc["format"] == "accord.match/1" and doc["totals"]["matched"] == 4
    csv = runner.invoke(main, [*args, "--format", "csv"]).output.splitlines()
    assert csv[0].startswith("mentor,mentee,status") and sum(",proposed," in r for r in csv) == 4


def test_accept_writes_relationships_from_the_date_and_logs(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "facts.json"
    target.write_text(FACTS.read_text())
    proposal = tmp_path / "proposal.csv"
    out = runner.invoke(main, ["match", str(target), "--policy", str(POLICY), "--as-of", "2026-01-15", "--format", "csv"])
    proposal.write_text(out.output)
    done = runner.invoke(main, ["match", "accept", str(target), str(proposal), "--as-of", "2026-01-20"])
    assert done.exit_code == 0, done.output
    loaded = accord.load_facts(target)
    new = [r for r in loaded.relationships if r.id.startswith("match-")]
    assert len(new) == 4 and all(r.period.start == dt.date(2026, 1, 20) for r in new)
    assert json.loads((tmp_path / "decisions.jsonl").read_text().splitlines()[-1])["decision"] == "match accepted"
    # matched again after the date, those pairs are kept, not proposed
    after = match(accord.load_policy(POLICY), loaded, dt.date(2026, 1, 21))
    assert len(after.kept) == 5 and not any(p.status == "proposed" for p in after.pairs if p.mentee != "eli")
    # accepting the same proposal twice would give a mentee two mentors
    twice = runner.invoke(main, ["match", "accept", str(target), str(proposal), "--as-of", "2026-01-21"])
    assert twice.exit_code == 2 and "P188" in twice.output


def test_misused_first_and_capacity_are_check_errors() -> None:
    with pytest.raises(PolicyError) as exc:
        policy(RULES.format(cap="1.5", w1="0", w2="3"))
    codes = sorted(d.code for d in exc.value.diagnostics)
    assert codes == ["P180", "P182"] and all(d.span for d in exc.value.diagnostics)
    every_first = policy(RULES.format(cap=2, w1=2, w2=3).replace("weight 3:", "weight 3 first:"))
    assert [w.code for w in every_first.checked.warnings] == ["P181"]


def test_a_viewer_sees_scores_without_the_preferences_they_may_not_see() -> None:
    body = RULES.format(cap=1, w1=2, w2=3) + (
        '  prefer "the mentee was evaluated" weight 7: count(evidence evaluation_component of mentee) >= 1\n'
        "record evaluation_component\n  visible to subject, evaluator\n"
    )
    compiled = policy(body)
    doc = {
        "people": [
            {"id": "m1", "place": None, "facts": {"mentor_trained": True, "subject_area": "art"}},
            {"id": "e1", "facts": {"new_to_role": True, "subject_area": "art"}},
        ],
        "evidence": [{"id": "c1", "kind": "evaluation_component", "subject": "e1", "author": "m1", "date": "2025-12-01",
                      "component": "standard_2", "rating": "proficient"}],
    }
    loaded = facts(doc)
    full = match(compiled, loaded, AS_OF)
    assert full.pairs[0].score == Decimal(10)
    seen = match(compiled, loaded, AS_OF, viewer="m1")  # m1 is not the evaluator: the record is hidden
    assert seen.pairs[0].score == Decimal(3) and "the mentee was evaluated" not in seen.pairs[0].met
    assert seen.greedy is None and "greedy" in seen.withheld
    out = json.dumps(match_json(seen)) + match_csv(seen)
    assert "10" not in out and '"7"' not in out


# --------------------------------------------------------------------------- against exhaustive search

SUBJECTS = ("art", "maths")
DISTRICTS = ("attleboro", "norton")


@st.composite
def pools(draw: st.DrawFn) -> tuple[accord.CompiledPolicy, accord.Facts]:
    cap = draw(st.integers(1, 2))
    w1, w2 = draw(st.integers(1, 4)), draw(st.integers(0, 9))
    compiled = policy(RULES.format(cap=cap, w1=w1, w2=w2))
    n_mentors, n_mentees = draw(st.integers(0, 3)), draw(st.integers(0, 4))
    people = []
    for i in range(n_mentors):
        f = {"mentor_trained": draw(st.booleans() | st.just(True)), "subject_area": draw(st.sampled_from(SUBJECTS))}
        if draw(st.booleans()):
            f["mentee_capacity"] = draw(st.integers(0, 2))
        people.append({"id": f"m{i}", "place": draw(st.sampled_from(DISTRICTS)), "facts": f})
    for i in range(n_mentees):
        people.append({"id": f"e{i}", "place": draw(st.sampled_from(DISTRICTS)),
                       "facts": {"new_to_role": True, "subject_area": draw(st.sampled_from(SUBJECTS))}})
    rels = [
        {"kind": "evaluation", "evaluator": f"m{a}", "evaluatee": f"e{b}", "from": "2025-01-01"}
        for a in range(n_mentors) for b in range(n_mentees) if draw(st.integers(0, 3)) == 0
    ]
    places = [{"id": d, "kind": "district"} for d in DISTRICTS]
    return compiled, facts({"places": places, "people": people, "relationships": rels})


def _best(compiled: accord.CompiledPolicy, loaded: accord.Facts, caps: dict[str, int], mentees: list[str]) -> tuple[int, Decimal, Decimal]:
    options: dict[str, list[tuple[str | None, Decimal, Decimal]]] = {}
    first_labels = {r.label for r in compiled.checked.pairs[0].preferences if r.first}
    for e in mentees:
        options[e] = [(None, Decimal(0), Decimal(0))]
        for m in caps:
            d = accord.decide_pair(compiled, loaded, m, e, AS_OF)
            if d.outcome is accord.Outcome.YES:
                f = sum((p.weight for p in d.preferences if p.status == "met" and p.label in first_labels), Decimal(0))
                options[e].append((m, f, d.score))
    best = (0, Decimal(0), Decimal(0))
    for choice in itertools.product(*options.values()):
        used: dict[str, int] = {}
        for m, _, _ in choice:
            if m is not None:
                used[m] = used.get(m, 0) + 1
        if all(n <= caps[m] for m, n in used.items()):
            best = max(best, (sum(m is not None for m, _, _ in choice), sum(f for _, f, _ in choice), sum(s for _, _, s in choice)))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_the_proposal_is_the_lexicographic_optimum_and_breaks_no_rule(pool: tuple[accord.CompiledPolicy, accord.Facts]) -> None:
    compiled, loaded = pool
    report = match(compiled, loaded, AS_OF)
    caps = {m: c for m, c, _ in report.mentors}
    used: dict[str, int] = {}
    for p in report.pairs:
        assert accord.decide_pair(compiled, loaded, p.mentor, p.mentee, AS_OF).outcome is accord.Outcome.YES
        used[p.mentor] = used.get(p.mentor, 0) + 1
    assert all(n <= caps[m] for m, n in used.items())
    assert len({p.mentee for p in report.pairs}) == len(report.pairs)
    mentees = sorted({p.mentee for p in report.pairs} | {u.mentee for u in report.unmatched})
    assert (report.totals.matched, report.totals.first, report.totals.score) == _best(compiled, loaded, caps, mentees)
    assert report.greedy is not None and (report.greedy.matched, report.greedy.first, report.greedy.score) <= (
        report.totals.matched, report.totals.first, report.totals.score)
    assert match_json(match(compiled, loaded, AS_OF)) == match_json(report)  # repeatable


def test_accepting_a_proposal_into_a_roster_database_adds_relationships_and_logs_them(tmp_path):
    """With a roster database, `accord match accept` imports the pairs as relationships valid from
    the acceptance date (one transaction) and records each in the append-only decision log; the
    same proposal cannot be accepted twice, and the database then proposes nobody for them."""
    import sqlite3

    masa = str(Path(__file__).resolve().parent.parent / "examples" / "masa" / "facts.json")
    db, proposal = str(tmp_path / "masa.db"), str(tmp_path / "proposal.json")
    cli = CliRunner()
    assert cli.invoke(main, ["roster", "init", db, "--programme", "masa"]).exit_code == 0
    assert cli.invoke(main, ["roster", "import", db, masa]).exit_code == 0
    proposed = cli.invoke(main, ["match", "propose", db, "--programme", "masa", "--as-of", "2021-09-15", "--format", "json"])
    from_file = cli.invoke(main, ["match", "propose", masa, "--programme", "masa", "--as-of", "2021-09-15", "--format", "json"])
    assert json.loads(proposed.output)["pairs"] == json.loads(from_file.output)["pairs"]  # the database proposes as the file does
    pairs = [(p["mentor"], p["mentee"]) for p in json.loads(proposed.output)["pairs"] if p["status"] == "proposed"]
    assert pairs
    Path(proposal).write_text(proposed.output, encoding="utf-8")
    accepted = cli.invoke(main, ["match", "accept", db, proposal, "--as-of", "2021-09-15"])
    assert accepted.exit_code == 0, accepted.output
    with sqlite3.connect(db) as conn:
        logged = conn.execute("SELECT person, question, outcome, as_of FROM decisions ORDER BY seq").fetchall()
        added = conn.execute("SELECT valid_from FROM relationships WHERE id LIKE 'match-%'").fetchall()
    assert logged == [(b, "match accept", "accepted", "2021-09-15") for _, b in pairs]
    assert added == [("2021-09-15",)] * len(pairs)
    again = cli.invoke(main, ["match", "accept", db, proposal, "--as-of", "2021-09-15"])
    assert again.exit_code == 2 and "error[P188]" in again.output
    after = cli.invoke(main, ["match", "propose", db, "--programme", "masa", "--as-of", "2021-09-16", "--format", "json"])
    assert not {b for _, b in pairs} & {p["mentee"] for p in json.loads(after.output)["pairs"] if p["status"] == "proposed"}


def test_a_roster_keeps_its_proposal_for_accept_to_take(tmp_path):
    """`accord match DB` keeps its proposal in the roster; `accord match accept DB` (no file) takes
    the latest one not yet accepted, once."""
    import sqlite3

    masa = str(Path(__file__).resolve().parent.parent / "examples" / "masa" / "facts.json")
    db = str(tmp_path / "masa.db")
    cli = CliRunner()
    assert cli.invoke(main, ["roster", "init", db, "--programme", "masa"]).exit_code == 0
    assert cli.invoke(main, ["roster", "import", db, masa]).exit_code == 0
    proposed = cli.invoke(main, ["match", "propose", db, "--programme", "masa", "--as-of", "2021-09-15", "--format", "json"])
    pairs = [(p["mentor"], p["mentee"]) for p in json.loads(proposed.output)["pairs"] if p["status"] == "proposed"]
    accepted = cli.invoke(main, ["match", "accept", db, "--as-of", "2021-09-15"])
    assert accepted.exit_code == 0 and f"accepted {len(pairs)} pair" in accepted.output, accepted.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM proposals WHERE accepted_at IS NOT NULL").fetchone() == (1,)
        assert [r[0] for r in conn.execute("SELECT person FROM decisions WHERE question = 'match accept' ORDER BY seq")] == [b for _, b in pairs]
    again = cli.invoke(main, ["match", "accept", db, "--as-of", "2021-09-15"])
    assert again.exit_code == 2 and "keeps no proposal" in again.output
    assert cli.invoke(main, ["match", "accept", masa, "--as-of", "2021-09-15"]).exit_code == 2  # a facts file needs its PROPOSAL
