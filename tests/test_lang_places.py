"""Places as actors (issue 10, section 5; docs/language.md section 29).

A plugin declares facts about places (`FactSpec(..., about="place")`: the shared vocabulary has
`enrolment`, `mentor_allotment`, `new_teachers`); a facts file gives them under a place's `facts`;
a rule reads them from any place (`mentee.district.enrolment`, `person.place.enrolment`). A place
fact on a person is P280, a person's fact on a place P281, and a facts file that puts one under the
other is F050. A missing place fact is unknown, like any fact. A cap across people reads a count of
relationships (`count(mentor.mentee) <= 3`), or the holders of a relationship end at a place
(`count(mentors at mentor.school)`, P293/P294). A place owes duties (`commitment ... owed by
district for mentee`, P290; `accord commitments --place`) and receives money (`incentive ... to
district per mentee`, P291/P292; `accord incentives --place` shows receipts too).

Every decision is made with both engines, which must agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord.evaluate import Outcome
from accord.facts import facts_json_schema
from tests.questions import cli, cli_json, incentives, inline, write
from tests.support import decide, facts, policy

YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN
AS_OF = dt.date(2026, 1, 15)

DOC = {
    "places": [
        {"id": "ma", "kind": "state"},
        {"id": "big", "kind": "district", "parent": "ma", "facts": {"enrolment": 6400, "mentor_allotment": "USD 12000", "new_teachers": 24}},
        {"id": "small", "kind": "district", "parent": "ma", "facts": {"enrolment": 900}},
        {"id": "blank", "kind": "district", "parent": "ma"},
        {"id": "big_high", "kind": "school", "parent": "big"},
    ],
    "people": [
        {"id": "ann", "place": "big_high", "facts": {"mentor_trained": True}},
        {"id": "bo", "place": "small", "facts": {"mentor_trained": True}},
        {"id": "cy", "place": "blank", "facts": {"mentor_trained": True}},
        {"id": "m1", "place": "big_high"},
        {"id": "m2", "place": "big_high"},
        {"id": "m3", "place": "big_high"},
        {"id": "m4", "place": "big_high"},
    ],
    "relationships": [
        {"kind": "mentoring", "mentor": "ann", "mentee": m, "from": "2025-09-01"} for m in ("m1", "m2", "m3", "m4")
    ]
    + [{"kind": "mentoring", "mentor": "bo", "mentee": "m1", "from": "2025-09-01"}],
}

RULES = """
parameter large_district = 5000
parameter mentees_per_mentor_cap = 3

role mentor
  require "in a large district": person.district.enrolment >= large_district
  require "trained": person.mentor_trained

pair mentor, mentee
  require "at most 3 mentees per mentor": count(mentor.mentee) <= mentees_per_mentor_cap

incentive "allotment share" to mentor per relationship
  amount mentor.district.mentor_allotment / mentor.district.new_teachers
  paid by mentor.district
"""


def test_a_rule_reads_a_fact_of_a_place_up_the_chain():
    loaded = facts(DOC)
    p = policy(RULES)
    assert decide(p, loaded, "ann", "mentor", AS_OF).outcome is YES  # her school's district enrols 6,400
    d = decide(p, loaded, "bo", "mentor", AS_OF)
    assert d.outcome is NO and d.requirements[0].actual_text == "900"
    d = decide(p, loaded, "cy", "mentor", AS_OF)  # the district's enrolment is not on file
    assert d.outcome is UNKNOWN and d.missing == ("person.district.enrolment",)


def test_a_cap_across_people_reads_the_count_of_relationships():
    from tests.support import decide_pair

    loaded = facts(DOC)
    p = policy(RULES)
    d = decide_pair(p, loaded, "ann", "m1", AS_OF)  # ann already mentors four
    assert d.outcome is NO and d.requirements[0].status == "not met"
    assert decide_pair(p, loaded, "bo", "m1", AS_OF).outcome is YES


def test_an_allotment_spread_over_new_teachers_is_an_amount_paid_by_the_district():
    report = incentives(policy(RULES), facts(DOC), "ann", AS_OF)
    shares = [a for a in report.awards if a.label == "allotment share"]
    assert len(shares) == 4 and all(a.outcome is YES and a.amount == Decimal("500") for a in shares)
    assert {a.payer for a in shares} == {"big"}
    blank = [a for a in incentives(policy(RULES), facts(DOC), "bo", AS_OF).awards if a.label == "allotment share"]
    assert blank[0].outcome is UNKNOWN  # the small district has no allotment on file


@pytest.mark.parametrize(
    ("rule", "code"),
    [("person.enrolment >= 1", "P280"), ("person.district.mentor_trained", "P281"), ("person.district.enrolmnt >= 1", "P102")],
)
def test_reading_a_fact_from_the_wrong_kind_of_thing_is_a_located_error(rule, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(f'role mentor\n  require "r": {rule}\n')
    assert [d.code for d in excinfo.value.diagnostics] == [code]
    if code == "P102":
        assert "enrolment" in (excinfo.value.diagnostics[0].hint or "")


def test_the_facts_file_keeps_place_facts_to_places():
    with pytest.raises(accord.FactsError) as excinfo:
        facts({"places": [{"id": "d", "kind": "district", "facts": {"mentor_trained": True}}], "people": [{"id": "p", "facts": {"enrolment": 3}}]})
    codes = [d.code for d in excinfo.value.diagnostics]
    assert codes.count("F050") == 2
    assert "`enrolment` is a fact about a place, not a person" in str(excinfo.value)
    with pytest.raises(accord.FactsError):
        facts({"places": [{"id": "d", "kind": "district", "facts": {"enrolment": "many"}}], "people": []})


def test_the_facts_json_schema_lists_place_facts_under_places():
    schema = facts_json_schema()
    place = schema["properties"]["places"]["items"]["properties"]["facts"]["properties"]
    person = schema["properties"]["people"]["items"]["properties"]["facts"]["properties"]
    assert "enrolment" in place and "enrolment" not in person and "years_experience" not in place


def test_the_cli_answers_with_place_facts(tmp_path: Path):
    doc = write(tmp_path, "facts.json", DOC)
    pol = write(tmp_path, "p.accord", 'policy "Places"\n  programme demo\n' + RULES)
    result = cli("check", doc, "--person", "bo", "--role", "mentor", "--policy", pol, "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1 and "in a large district: 900 < 5000" in result.stdout
    code, data = cli_json("incentives", doc, "--person", "ann", "--policy", pol, "--as-of", AS_OF.isoformat())
    assert code == 0


def test_a_roster_keeps_place_facts(tmp_path: Path):
    from accord.roster.store import init_roster

    doc = write(tmp_path, "facts.json", DOC)
    roster = init_roster(tmp_path / "r.db", "demo")
    roster.import_files([doc], dt.date(2025, 9, 1))
    loaded = roster.facts_as_of(AS_OF)
    assert loaded.places["big"].facts["enrolment"] == 6400
    assert decide(policy(RULES), loaded, "bo", "mentor", AS_OF).outcome is NO


# =========================================================================== a place as the subject


def test_incentives_for_a_place_list_what_it_pays_to_whom(tmp_path: Path):
    from accord.places import place_incentives

    loaded = facts(DOC)
    p = policy(RULES)
    report = place_incentives(loaded, "big", AS_OF, lambda _: p)
    assert [(x.person, x.award.partner, x.award.outcome) for x in report.payments] == [("ann", m, YES) for m in ("m1", "m2", "m3", "m4")]
    assert report.totals() == {"USD": Decimal("2000")} and report.outcome is YES
    small = place_incentives(loaded, "small", AS_OF, lambda _: p)
    assert [x.award.outcome for x in small.payments] == [UNKNOWN] and small.outcome is UNKNOWN  # no allotment on file
    assert place_incentives(loaded, "ma", AS_OF, lambda _: p).outcome is NO  # the state pays nothing here


def test_the_cli_asks_about_a_place(tmp_path: Path):
    doc = write(tmp_path, "facts.json", DOC)
    pol = write(tmp_path, "p.accord", 'policy "Places"\n  programme demo\n' + RULES)
    result = cli("incentives", doc, "--place", "big", "--policy", pol, "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0
    assert result.stdout.startswith("Incentives paid by big (district)")
    assert "pays in total: USD 2000" in result.stdout
    assert cli("incentives", doc, "--place", "small", "--policy", pol, "--as-of", AS_OF.isoformat()).exit_code == 3
    code, data = cli_json("incentives", doc, "--place", "big", "--policy", pol, "--as-of", AS_OF.isoformat())
    assert code == 0 and data["schema"] == "accord.place-incentives/1" and data["totals"] == {"USD": "2000"}
    assert len(data["payments"]) == 4 and data["payments"][0]["to"]["id"] == "ann"
    wrong = cli("incentives", doc, "--place", "bigg", "--policy", pol, "--as-of", AS_OF.isoformat())
    assert wrong.exit_code == 2 and "did you mean `big`?" in wrong.stderr
    both = cli("incentives", doc, "--place", "big", "--person", "ann", "--policy", pol, engines=False)
    assert both.exit_code == 2 and "exactly one of --person ID or --place ID" in both.stderr


# =========================================================================== duties a place owes

DUTY = """
commitment "a mentor within two weeks" owed by district for mentee
  when person.new_to_role
  "a mentor is assigned": by person.first_teaching_day + 13 days: count(person.mentor) >= 1
"""

DUTY_DOC = {
    "places": [
        {"id": "ma", "kind": "state"},
        {"id": "big", "kind": "district", "parent": "ma", "name": "Big Public Schools"},
        {"id": "big_high", "kind": "school", "parent": "big"},
        {"id": "small", "kind": "district", "parent": "ma"},
    ],
    "people": [
        {"id": "ann", "place": "big_high", "facts": {"new_to_role": False}},
        # in time (day 6), late (day 23), never, and one whose first day is not on file
        {"id": "m1", "place": "big_high", "facts": {"new_to_role": True, "first_teaching_day": "2025-08-27"}},
        {"id": "m2", "place": "big", "facts": {"new_to_role": True, "first_teaching_day": "2025-08-10"}},
        {"id": "m3", "place": "big", "facts": {"new_to_role": True, "first_teaching_day": "2025-08-27"}},
        {"id": "m4", "place": "small", "facts": {"new_to_role": True}},
        {"id": "nowhere", "facts": {"new_to_role": True, "first_teaching_day": "2025-08-27"}},
    ],
    "relationships": [
        {"kind": "mentoring", "mentor": "ann", "mentee": "m1", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "ann", "mentee": "m2", "from": "2025-09-02"},
    ],
}


def _duties(place: str, body: str = DUTY):
    from accord.places import place_commitments

    loaded, p = facts(DUTY_DOC), policy(body)
    reports = [place_commitments(loaded, place, AS_OF, lambda _: p, engine=e) for e in ("compiled", "interpreted")]
    assert reports[0] == reports[1], "engines disagree"
    return reports[0]


def test_a_duty_owed_by_a_district_is_listed_for_the_district_per_person_it_is_owed_to():
    report = _duties("big")
    assert [(d.person, d.progress.status) for d in report.duties] == [("m1", "met"), ("m2", "met late"), ("m3", "late")]
    assert report.totals() == {"late": 1, "met late": 1, "met": 1} and report.outcome is NO and report.exit_code == 1
    assert all(d.progress.owed_by_place == "big" and d.progress.owed_by == "district" for d in report.duties)
    # the school and the state owe nothing: the duty is the district's
    assert _duties("big_high").duties == () and _duties("ma").duties == () and _duties("ma").exit_code == 0
    small = _duties("small")  # m4's first day is not on file: whether the duty is met is unknown
    assert [(d.person, d.progress.status) for d in small.duties] == [("m4", "unknown")] and small.exit_code == 3


def test_the_person_form_names_the_place_that_owes_the_duty():
    from tests.questions import commitments

    report = commitments(policy(DUTY), facts(DUTY_DOC), "m3")
    (c,) = report.commitments
    assert (c.owed_by, c.owed_by_place, c.owed_by_name, c.status) == ("district", "big", "Big Public Schools", "late")
    (c,) = commitments(policy(DUTY), facts(DUTY_DOC), "nowhere").commitments  # no district on file
    assert c.owed_by_place is None
    plain = commitments(policy(DUTY.replace(" owed by district", "")), facts(DUTY_DOC), "m3").commitments[0]
    assert plain.owed_by is None and plain.status == "late"


def test_the_cli_lists_the_duties_of_a_place(tmp_path: Path):
    doc = write(tmp_path, "facts.json", DUTY_DOC)
    pol = write(tmp_path, "p.accord", 'policy "Duties"\n  programme demo\n' + DUTY)
    args = ("--policy", pol, "--as-of", AS_OF.isoformat())
    result = cli("commitments", doc, "--place", "big", *args)
    assert result.exit_code == 1
    assert result.stdout.startswith("Duties owed by Big Public Schools (big) (district)")
    assert "  to Pat" not in result.stdout and "  to m3\n    LATE: a mentor within two weeks (for mentee)" in result.stdout
    assert result.stdout.rstrip().endswith("3 duties to 3 people: 1 late, 1 met late, 1 met")
    assert cli("commitments", doc, "--place", "small", *args).exit_code == 3
    nothing = cli("commitments", doc, "--place", "ma", *args)
    assert nothing.exit_code == 0 and "no duty of this place" in nothing.stdout
    code, data = cli_json("commitments", doc, "--place", "big", *args)
    assert code == 1 and data["schema"] == "accord.place-commitments/1" and data["outcome"] == "no"
    assert [(d["to"]["id"], d["status"]) for d in data["duties"]] == [("m1", "met"), ("m2", "met_late"), ("m3", "late")]
    assert data["duties"][0]["owed_by"] == {"kind": "district", "id": "big", "name": "Big Public Schools"}
    assert data["totals"] == {"late": 1, "met_late": 1, "met": 1}
    person = cli("commitments", doc, "--person", "m3", *args)
    assert "owed by the district: Big Public Schools" in person.stdout
    wrong = cli("commitments", doc, "--place", "bigg", *args)
    assert wrong.exit_code == 2 and "did you mean `big`?" in wrong.stderr
    for extra in (("--person", "m3"), ("--role", "mentee")):
        both = cli("commitments", doc, "--place", "big", *extra, *args, engines=False)
        assert both.exit_code == 2
    assert cli("commitments", doc, *args, engines=False).exit_code == 2


def test_a_duty_is_owed_by_a_kind_of_place():
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(DUTY.replace("owed by district", "owed by distrct"))
    (d,) = excinfo.value.diagnostics
    assert d.code == "P290" and "district" in (d.hint or "") and d.span is not None and d.span.column > 40


# =========================================================================== money paid to a place

GRANT = """
incentive "induction grant" to district per mentee
  amount USD 200
  paid by person.state
  require "the mentor is trained": mentor.mentor_trained

incentive "regional stipend" to mentee.region per mentor
  amount USD 500
  paid by "the association"
"""

GRANT_DOC = {
    "places": [
        {"id": "ma", "kind": "state", "name": "Massachusetts"},
        {"id": "se", "kind": "region", "parent": "ma"},
        {"id": "ne", "kind": "region", "parent": "ma"},
        {"id": "big", "kind": "district", "parent": "se"},
        {"id": "far", "kind": "district", "parent": "ne"},
    ],
    "people": [
        {"id": "ann", "place": "big", "facts": {"mentor_trained": True}},
        {"id": "bo", "place": "far"},  # training not on file
        {"id": "m1", "place": "big"},
        {"id": "m2", "place": "big"},
        {"id": "m3", "place": "far"},
        {"id": "m4"},  # no place on file
    ],
    "relationships": [
        {"kind": "mentoring", "mentor": "ann", "mentee": "m1", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "ann", "mentee": "m2", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "bo", "mentee": "m3", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "ann", "mentee": "m3", "from": "2025-09-01", "to": "2025-10-01"},
        {"kind": "mentoring", "mentor": "bo", "mentee": "m4", "from": "2025-09-01"},
    ],
}


def _money(place: str):
    from accord.places import place_incentives

    loaded, p = facts(GRANT_DOC), policy(GRANT)
    reports = [place_incentives(loaded, place, AS_OF, lambda _: p, engine=e) for e in ("compiled", "interpreted")]
    assert reports[0] == reports[1], "engines disagree"
    return reports[0]


def test_a_place_receives_an_incentive_per_person_of_a_role():
    big = _money("big")
    assert [(x.person, x.award.partner, x.award.label, x.award.outcome) for x in big.receipts] == [
        ("m1", "ann", "induction grant", YES), ("m2", "ann", "induction grant", YES),
    ]
    assert big.received_totals() == {"USD": Decimal("400")} and big.totals() == {} and big.outcome is YES
    far = _money("far")  # m3's mentor bo: training not on file; the mentoring with ann ended
    assert [(x.person, x.award.outcome) for x in far.receipts] == [("m3", UNKNOWN)] and far.outcome is UNKNOWN
    # the mentee's region receives the stipend, per mentor: ann's two teams in se; bo's in ne
    se = _money("se")
    assert [(x.person, x.award.partner) for x in se.receipts] == [("ann", "m1"), ("ann", "m2")]
    assert se.received_totals() == {"USD": Decimal("1000")}
    assert [(x.person, x.award.partner) for x in _money("ne").receipts] == [("bo", "m3")]
    state = _money("ma")  # the state pays the grants, to the districts
    assert state.receipts == () and [x.award.receiver for x in state.payments] == ["big", "big", "far"]
    assert state.totals() == {"USD": Decimal("400")}


def test_an_incentive_to_a_place_is_not_the_persons():
    from tests.questions import incentives

    assert incentives(policy(GRANT), facts(GRANT_DOC), "m1").awards == ()
    assert incentives(policy(GRANT), facts(GRANT_DOC), "ann").awards == ()
    # with no place on file, the receiving place is unknown: it is nobody's receipt, and says what is missing
    from accord.incentives import incentives as raw

    (award,) = [a for a in raw(policy(GRANT), facts(GRANT_DOC), "m4", AS_OF, to_places=True).awards]
    assert award.receiver is None and "m4" not in str(award.missing) and "mentee.district" in award.missing


def test_the_cli_shows_what_a_place_receives(tmp_path: Path):
    doc = write(tmp_path, "facts.json", GRANT_DOC)
    pol = write(tmp_path, "p.accord", 'policy "Grants"\n  programme demo\n' + GRANT)
    args = ("--policy", pol, "--as-of", AS_OF.isoformat())
    result = cli("incentives", doc, "--place", "big", *args)
    assert result.exit_code == 0 and result.stdout.startswith("Incentives paid by and to big (district)")
    assert "induction grant for mentee m1 with mentor ann: USD 200, paid by Massachusetts" in result.stdout
    assert "receives in total: USD 400" in result.stdout
    assert cli("incentives", doc, "--place", "far", *args).exit_code == 3
    state = cli("incentives", doc, "--place", "ma", *args)
    assert "induction grant to big for mentee m1 with mentor ann: USD 200" in state.stdout and state.exit_code == 3  # far's is undetermined
    code, data = cli_json("incentives", doc, "--place", "se", *args)
    assert code == 0 and data["received_totals"] == {"USD": "1000"} and data["totals"] == {}
    assert [(x["through"]["id"], x["through"]["role"], x["partner"], x["payer"]) for x in data["receipts"]] == [
        ("ann", "mentor", "m1", "the association"), ("ann", "mentor", "m2", "the association"),
    ]
    code, data = cli_json("incentives", doc, "--place", "ma", *args)
    assert data["payments"][0]["receiver"] == {"id": "big", "name": "big", "for": "mentee"}


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("to district", "P291"),
        ("to district per relationship", "P291"),
        ("to mentee.years_experience per mentee", "P292"),
        ("to district per mentie", "P103"),
    ],
)
def test_an_incentive_to_a_place_misused_is_a_located_error(line, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(f'incentive "grant" {line}\n  amount USD 200\n')
    assert [d.code for d in excinfo.value.diagnostics] == [code]
    assert excinfo.value.diagnostics[0].span is not None


# =========================================================================== the holders of a role at a place

CAPS_DOC = {
    "places": [
        {"id": "ma", "kind": "state"},
        {"id": "big", "kind": "district", "parent": "ma", "facts": {"mentor_allotment": "USD 9000"}},
        {"id": "high", "kind": "school", "parent": "big"},
        {"id": "hill", "kind": "school", "parent": "big"},
    ],
    "people": [
        {"id": "a", "place": "high"}, {"id": "b", "place": "high"}, {"id": "c", "place": "hill"},
        {"id": "d", "place": "big"}, {"id": "e", "place": "high"}, {"id": "z"},
        {"id": "m1", "place": "high"}, {"id": "m2", "place": "hill"}, {"id": "m3"},
    ],
    "relationships": [
        {"kind": "mentoring", "mentor": "a", "mentee": "m1", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "a", "mentee": "m2", "from": "2025-09-01"},  # a counts once
        {"kind": "mentoring", "mentor": "b", "mentee": "m1", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "c", "mentee": "m2", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "d", "mentee": "m3", "from": "2025-09-01"},  # at the district itself
        {"kind": "mentoring", "mentor": "e", "mentee": "m1", "from": "2024-09-01", "to": "2025-06-30"},  # ended
        {"kind": "mentoring", "mentor": "z", "mentee": "m3", "from": "2025-09-01"},  # no place on file
    ],
}


def _count_at(expr: str, who: str = "m1", doc: dict = CAPS_DOC):
    p = policy(f'role mentee\n  require "n": {expr}\n')
    d = decide(p, facts(doc), who, "mentee", AS_OF)
    return d.requirements[0]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("count(mentors at person.school) = 2", "a, b at high"),
        ("count(mentors at person.district) = 4", "a, b, c, d: the schools under it count"),
        ("count(mentors at person.state) = 4", "z has no place"),
        ("count(mentees at person.school) = 1", "m1: the holders of either end"),
        ("count(mentor at person.school) = 2", "the singular reads the same"),
    ],
)
def test_a_count_of_the_holders_of_a_role_at_a_place(expr, expected):
    assert _count_at(expr).status == "met", expected


def test_a_count_at_an_unknown_place_is_unknown_and_names_it():
    r = _count_at("count(mentors at person.school) <= 3", who="m3")
    assert r.status == "unknown" and r.missing == ("person.school",)


def test_a_cap_at_a_school_and_an_allotment_spread_over_the_districts_mentors():
    from tests.support import decide_pair

    body = """
pair mentor, mentee
  require "at most two mentors per school": count(mentor.mentee) >= 1 or count(mentors at mentor.school) < 2

incentive "allotment share" to mentor per person
  amount mentor.district.mentor_allotment / count(mentors at mentor.district)
  paid by mentor.district
"""
    p, loaded = policy(body), facts(CAPS_DOC)
    assert decide_pair(p, loaded, "e", "m1").outcome is NO  # high has a and b
    assert decide_pair(p, loaded, "a", "m1").outcome is YES  # already mentors
    assert decide_pair(p, loaded, "c", "m2").outcome is YES  # hill has one
    from tests.questions import incentives

    (award,) = incentives(p, loaded, "a").awards
    assert award.amount == Decimal("2250") and award.payer == "big"
    # on an earlier day, e's relationship was valid and the others not yet begun
    assert decide_pair(p, loaded, "b", "m2", dt.date(2025, 1, 15)).outcome is YES


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["high", "hill", "big", None]), st.booleans()), min_size=1, max_size=8))
def test_a_district_counts_the_mentors_of_its_schools_and_its_own(people):
    """The law: a district's mentors are its schools' and its own, each counted once."""
    doc = {
        "places": CAPS_DOC["places"],
        "people": [{"id": f"p{i}", **({"place": place} if place else {})} for i, (place, _) in enumerate(people)] + [{"id": "t", "place": "high"}],
        "relationships": [
            {"kind": "mentoring", "mentor": f"p{i}", "mentee": "t", "from": "2025-09-01" if now else "2024-01-01", **({} if now else {"to": "2024-06-30"})}
            for i, (_, now) in enumerate(people)
        ],
    }
    loaded = facts(doc)
    from accord.runtime import Context

    ctx = Context(loaded, AS_OF)
    counts = {place: {x.id for x in ctx.holders_at(loaded.places[place], "mentor", ("mentoring",))} for place in ("high", "hill", "big", "ma")}
    own = {f"p{i}" for i, (place, now) in enumerate(people) if place == "big" and now}
    assert counts["big"] == counts["high"] | counts["hill"] | own and not counts["high"] & counts["hill"]
    assert counts["ma"] == counts["big"]
    assert len(counts["big"]) == sum(1 for place, now in people if place and now)
    # and a rule reads the same count, in both engines (`decide` insists they agree)
    rule = f'count(mentors at person.district) = {len(counts["big"])} and count(mentors at person.school) = {len(counts["high"])}'
    assert decide(policy(f'role mentee\n  require "n": {rule}\n'), loaded, "t", "mentee").outcome is YES


@pytest.mark.parametrize(
    ("expr", "code"),
    [
        ("count(teachers at person.school) >= 1", "P293"),
        ("count(mentors at person.years_experience) >= 1", "P294"),
        ("count(mentors at person.shcool) >= 1", "P102"),
    ],
)
def test_counting_holders_misused_is_a_located_error(expr, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        policy(f'role mentor\n  require "r": {expr}\n')
    assert [d.code for d in excinfo.value.diagnostics] == [code]
    assert excinfo.value.diagnostics[0].span is not None


def test_counting_holders_reads_no_record_and_keeps_the_roster_whole():
    """The count reads people, places and relationships, not records: a viewer's redaction has
    nothing to hide in it; and since it reads beyond a person's own relationships, a roster asks
    it of the whole roster, never of a batch."""
    from accord.roster.questions import _self_contained
    from accord.runtime import RecordingContext

    loaded = facts(CAPS_DOC)
    ctx = RecordingContext(loaded, AS_OF)
    assert len(ctx.holders_at(loaded.places["big"], "mentor", ("mentoring",))) == 4 and ctx.reads == set()
    p = policy('role mentor\n  require "room": count(mentors at person.school) < 3\n')
    assert not _self_contained([p], "eligibility", None)
    assert _self_contained([policy('role mentor\n  require "trained": person.mentor_trained\n')], "eligibility", None)
