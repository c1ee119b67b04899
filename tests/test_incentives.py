"""The incentives question: what a person receives, on what conditions, paid by whom, and why not.

Each construct is asked through the library with both engines (which must agree, see
`tests.questions`) and through `accord incentives` (text and JSON, both engines). Expected values
are worked out by hand from the policies and facts next to them.

Exit codes of `accord incentives`: 0 receives something, 1 nothing, 3 something undetermined,
2 bad input.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import accord
from accord.evaluate import Outcome
from tests.conftest import EXAMPLES
from tests.questions import AS_OF, cli, cli_json, incentives, inline, write
from tests.support import facts

YES, NO, UNKNOWN = Outcome.YES, Outcome.NO, Outcome.UNKNOWN
DEMO_FACTS = str(EXAMPLES / "demo" / "facts.json")
ACTIVE = [{"organisation": "demo_association", "category": "active", "from": "2020-01-01"}]

#: ana mentors dev (a member, same subject, District One) and eli (not a member, District Two);
#: her mentoring of fay ended before the as-of date; ben mentors nobody and has no facts.
DOC = {
    "places": [
        {"id": "st", "kind": "state", "name": "State"},
        {"id": "rg", "kind": "region", "name": "South Region", "parent": "st"},
        {"id": "d1", "kind": "district", "name": "District One", "parent": "rg"},
        {"id": "d2", "kind": "district", "name": "District Two", "parent": "rg"},
    ],
    "people": [
        {"id": "ana", "name": "Ana", "place": "d1", "facts": {"mentor_trained": True, "subject_area": "mathematics"}, "memberships": ACTIVE},
        {"id": "dev", "name": "Dev", "place": "d1", "facts": {"subject_area": "mathematics"}, "memberships": ACTIVE},
        {"id": "eli", "name": "Eli", "place": "d2", "facts": {"subject_area": "english"}, "memberships": [{"organisation": "demo_association", "category": "none"}]},
        {"id": "fay", "name": "Fay", "place": "d1", "facts": {"subject_area": "mathematics"}, "memberships": ACTIVE},
        {"id": "ben", "name": "Ben", "facts": {}},
    ],
    "relationships": [
        {"kind": "mentoring", "mentor": "ana", "mentee": "dev", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "ana", "mentee": "eli", "from": "2025-09-01"},
        {"kind": "mentoring", "mentor": "ana", "mentee": "fay", "from": "2024-09-01", "to": "2025-06-30"},
    ],
}
F = facts(DOC)

STIPEND = """
incentive "mentor stipend" to mentor per relationship
  amount USD 714.50
  paid by mentee.district
  require "the mentee is an active member": mentee.association_membership = active
  source "handbook 4.1"
"""


def by_partner(report):
    return {a.partner: a for a in report.awards}


# =========================================================================== money, per relationship


def test_a_stipend_per_relationship_is_given_once_for_each_relationship_valid_that_day():
    report = incentives(inline(STIPEND), F, "ana")
    awards = by_partner(report)
    assert set(awards) == {"dev", "eli"}  # fay's relationship ended on 2025-06-30
    dev, eli = awards["dev"], awards["eli"]
    assert (dev.outcome, dev.kind, dev.amount, dev.unit, dev.amount_text) == (YES, "money", Decimal("714.50"), "USD", "USD 714.50")
    assert (dev.payer, dev.partner_name, dev.source) == ("District One", "Dev", "handbook 4.1")
    assert eli.outcome is NO
    assert eli.payer == "District Two"  # who would pay is said even when the condition fails
    assert eli.reason == "the mentee is an active member: non_member != active"
    assert report.totals() == {"money (USD)": "USD 714.50"}


def test_a_relationship_is_read_on_the_as_of_date():
    # on 2025-01-15 only fay's relationship (2024-09-01 to 2025-06-30) was valid
    report = incentives(inline(STIPEND), F, "ana", dt.date(2025, 1, 15))
    assert [(a.partner, a.outcome) for a in report.awards] == [("fay", YES)]


def test_without_a_relationship_a_per_relationship_incentive_is_not_received_and_says_why():
    report = incentives(inline(STIPEND), F, "ben")
    (award,) = report.awards
    assert (award.outcome, award.partner, award.amount) == (NO, None, None)
    assert award.reason == "no mentoring relationship as mentor on 2026-01-15"
    assert report.totals() == {}


def test_money_is_exact_and_totals_add_up_to_the_cent():
    policy = inline(
        'incentive "a" to mentor per relationship\n  amount USD 0.10\n'
        'incentive "b" to mentor per relationship\n  amount USD 0.20\n'
        'incentive "c" to mentor per person\n  amount USD 333.33\n'
    )
    report = incentives(policy, F, "ana")
    amounts = [a.amount for a in report.awards]
    assert amounts == [Decimal("0.10"), Decimal("0.10"), Decimal("0.20"), Decimal("0.20"), Decimal("333.33")]
    assert report.totals() == {"money (USD)": "USD 333.93"}  # 2 x 0.10 + 2 x 0.20 + 333.33, no float error


def test_money_in_two_currencies_is_totalled_per_currency():
    policy = inline('incentive "a" to mentor per person\n  amount USD 100\nincentive "b" to mentor per person\n  amount GBP 50.5\n')
    assert incentives(policy, F, "ana").totals() == {"money (GBP)": "GBP 50.50", "money (USD)": "USD 100"}


def test_the_amount_may_be_a_parameter_and_a_none_parameter_makes_a_met_incentive_undetermined():
    policy = inline("parameter stipend: USD = none may change\n" + STIPEND.replace("USD 714.50", "stipend"))
    awards = by_partner(incentives(policy, F, "ana"))
    dev, eli = awards["dev"], awards["eli"]
    assert (dev.outcome, dev.amount, dev.amount_text) == (UNKNOWN, None, None)
    assert dev.reason == "the amount is not set: parameter stipend"
    assert dev.missing == ("parameter stipend",)
    assert eli.outcome is NO  # a failing condition decides, whatever the amount


# =========================================================================== other kinds


def test_pdps_release_time_vouchers_and_recognitions():
    policy = inline(
        'incentive "points" to mentor per person\n  amount 15 pdps\n'
        'incentive "release days" to mentor per person\n  amount 3 days\n'
        'incentive "release hours" to mentor per person\n  amount 10 hours\n'
        'incentive "course" to mentor per person\n  voucher "one graduate course"\n'
        'incentive "thanks" to mentor per person\n  recognition "certificate of service"\n'
    )
    report = incentives(policy, F, "ana")
    kinds = {a.label: (a.kind, a.amount_text, a.vouchers, a.recognitions) for a in report.awards}
    assert kinds == {
        "points": ("pdps", "15 PDPs", (), ()),
        "release days": ("release time", "3 days", (), ()),
        "release hours": ("release time", "10 hours", (), ()),
        "course": ("voucher", None, ("one graduate course",), ()),
        "thanks": ("recognition", None, (), ("certificate of service",)),
    }
    assert report.totals() == {
        "pdps": "15 PDPs",
        "release time": "3 days + 10 hours",  # days and hours do not convert; neither is lost
        "vouchers": "one graduate course",
        "recognitions": "certificate of service",
    }


def test_an_incentive_may_give_an_amount_and_a_voucher_together():
    policy = inline('incentive "bundle" to mentor per person\n  amount 5 pdps\n  voucher "book"\n  recognition "pin"\n')
    (award,) = incentives(policy, F, "ana").awards
    assert (award.kind, award.amount, award.vouchers, award.recognitions) == ("pdps", Decimal(5), ("book",), ("pin",))


# =========================================================================== conditions


def test_conditions_on_the_person_combine_with_kleene_logic():
    policy = inline('incentive "points" to mentor per person\n  amount 15 pdps\n  require "trained": person.mentor_trained\n')
    assert incentives(policy, F, "ana").awards[0].outcome is YES
    (ben,) = incentives(policy, F, "ben").awards
    assert (ben.outcome, ben.missing) == (UNKNOWN, ("person.mentor_trained",))
    assert ben.requirements[0].status == "unknown"
    loaded = facts({"people": [{"id": "x", "facts": {"mentor_trained": False}}]})
    (x,) = incentives(policy, loaded, "x").awards
    assert (x.outcome, x.reason) == (NO, "trained: person.mentor_trained is no")


def test_conditions_on_the_relationship_read_both_people():
    policy = inline(
        'incentive "matched" to mentor per relationship\n  amount USD 50\n'
        '  require "same subject": mentor.subject_area = mentee.subject_area\n'
        '  require "mentors someone": count(person.mentee) >= 1\n'
    )
    awards = by_partner(incentives(policy, F, "ana"))
    assert (awards["dev"].outcome, awards["eli"].outcome) == (YES, NO)
    assert awards["eli"].reason == "same subject: mathematics != english"


def test_an_incentive_to_the_other_end_names_the_partner():
    policy = inline('incentive "mentee grant" to mentee per relationship\n  amount USD 100\n  paid by mentor.district\n')
    (award,) = incentives(policy, F, "dev").awards
    assert (award.outcome, award.partner, award.payer) == (YES, "ana", "District One")


def test_an_incentive_to_a_role_is_per_person_and_an_end_is_per_relationship_unless_said():
    policy = inline('incentive "a" to mentor\n  amount 1 pdps\nincentive "b" to coordinator\n  amount 2 pdps\n')
    inc = policy.checked.incentives
    assert [(i.per, i.other, i.kinds) for i in inc] == [("relationship", "mentee", ("mentoring",)), ("person", None, ())]


@pytest.mark.parametrize(
    ("payer", "expected"),
    [
        ("mentee.district", "District Two"),
        ("mentee.region", "South Region"),
        ("person.district", "District One"),
        ("mentee.state", "State"),
        ('"demo_association"', "demo_association"),
        ("eli.district", None),  # not a name in scope: a check error (below)
    ],
)
def test_who_pays(payer, expected):
    text = f'incentive "s" to mentor per relationship\n  amount USD 1\n  paid by {payer}\n'
    if expected is None:
        with pytest.raises(accord.PolicyError):
            inline(text)
        return
    awards = by_partner(incentives(inline(text), F, "ana"))
    assert awards["eli"].payer == expected


def test_an_unknown_payer_is_left_out():
    # ben has no place, so his district is unknown: the incentive is still received, payer not known
    policy = inline('incentive "s" to mentor per person\n  amount USD 1\n  paid by person.district\n')
    (award,) = incentives(policy, F, "ben").awards
    assert (award.outcome, award.payer) == (YES, None)


def test_every_award_names_its_source_location_and_layer():
    (award,) = incentives(inline('incentive "p" to mentor per person\n  amount 1 pdps\n  source "h 9"\n'), F, "ana").awards
    assert (award.source, award.location, award.layer) == ("h 9", "x.accord:3:11", "Test policy")


def test_a_lead_mentor_is_paid_only_for_the_mentors_they_lead():
    """Regression: `Context.related` cached `person.mentor` (every kind with a `mentor` end) under the
    same key as the partners of `to lead_mentor` (lead_mentoring only), so once a rule had read
    `person.mentor`, x was paid a lead stipend for m2, the mentor who mentors x."""
    loaded = facts(
        {
            "people": [{"id": "x"}, {"id": "m1"}, {"id": "m2"}],
            "relationships": [
                {"kind": "lead_mentoring", "lead_mentor": "x", "mentor": "m1"},
                {"kind": "mentoring", "mentor": "m2", "mentee": "x"},
            ],
        }
    )
    policy = inline(
        'incentive "mentored" to mentee per person\n  recognition "r"\n  require "has a mentor": count(person.mentor) >= 1\n'
        'incentive "lead stipend" to lead_mentor per relationship\n  amount USD 100\n'
    )
    report = incentives(policy, loaded, "x")
    assert [(a.label, a.partner) for a in report.awards] == [("mentored", None), ("lead stipend", "m1")]
    assert report.totals()["money (USD)"] == "USD 100"


# =========================================================================== check errors


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('incentive "nothing" to mentor per person\n  require "x": true\n', "P128"),
        ('incentive "years" to mentor per person\n  amount 3 years\n', "P110"),
        ('incentive "text" to mentor per person\n  amount "a lot"\n', "P110"),
        ('incentive "x" to coordinator per relationship\n  amount 1 pdps\n', "P109"),
        ('incentive "x" to mentor per month\n  amount 1 pdps\n', "P119"),
        ('incentive "x" to dean per person\n  amount 1 pdps\n', "P103"),
        ('incentive "x" to mentor per person\n  amount 1 pdps\n  paid by 5\n', "P110"),
        ('incentive "x" to mentor per person\n  amount 1 pdps\n  require "y": person.no_such_fact\n', "P102"),
        ('incentive "x" to mentor per person\n  amount 1 pdps\nincentive "x" to mentor per person\n  amount 2 pdps\n', "P113"),
        ('incentive "x" to mentor per person may raise\n  amount 1 pdps\n', "P119"),
    ],
)
def test_incentive_check_errors(body, code):
    with pytest.raises(accord.PolicyError) as excinfo:
        inline(body)
    assert code in [d.code for d in excinfo.value.diagnostics]


def test_an_incentives_question_outside_the_policy_period_or_about_nobody_is_a_usage_error():
    policy = inline(STIPEND, header='policy "P"\n  programme demo\n  effective 2025-07-01 to 2026-06-30\n')
    with pytest.raises(accord.UsageError, match="2026-07-01"):
        incentives(policy, F, "ana", dt.date(2026, 7, 1))
    with pytest.raises(accord.UsageError, match="did you mean `ana`"):
        incentives(policy, F, "anna")


# =========================================================================== CLI


@pytest.fixture()
def files(tmp_path):
    policy = write(tmp_path, "stipend.accord", 'policy "Stipends"\n  programme demo\n' + STIPEND + 'incentive "points" to mentor per person\n  amount 15 pdps\n  require "trained": person.mentor_trained\n')
    return write(tmp_path, "facts.json", DOC), policy


def test_cli_text_lists_each_award_and_the_totals(files):
    facts_file, policy = files
    result = cli("incentives", facts_file, "--person", "ana", "--policy", policy, "--as-of", "2026-01-15")
    assert result.exit_code == 0
    out = result.stdout
    assert "[receives]  mentor stipend with mentee Dev (dev): USD 714.50, paid by District One" in out
    assert "[no]        mentor stipend with mentee Eli (eli): USD 714.50, paid by District Two" in out
    assert "why not: the mentee is an active member" in out
    assert "receives in total: money (USD): USD 714.50; pdps: 15 PDPs" in out


def test_cli_json_shape(files):
    facts_file, policy = files
    code, data = cli_json("incentives", facts_file, "--person", "ana", "--policy", policy, "--as-of", "2026-01-15")
    assert code == 0
    assert data["schema"] == "accord.incentives/1"
    assert (data["person"], data["as_of"]) == ({"id": "ana", "name": "Ana"}, "2026-01-15")
    dev = next(a for a in data["awards"] if a["relationship_with"] == {"id": "dev", "name": "Dev", "role": "mentee"})
    assert (dev["outcome"], dev["kind"], dev["amount"], dev["unit"], dev["paid_by"]) == ("receives", "money", "714.5", "USD", "District One")
    assert Decimal(dev["amount"]) == Decimal("714.50")  # a string: exact
    assert dev["requirements"][0]["status"] == "met"
    assert data["totals"] == {"money (USD)": "USD 714.50", "pdps": "15 PDPs"}
    assert data["would_receive_if_settled"] == {}


def test_cli_exit_codes(files):
    facts_file, policy = files
    args = ("--policy", policy, "--as-of", "2026-01-15")
    assert cli("incentives", facts_file, "--person", "ana", *args).exit_code == 0  # receives
    fay = cli("incentives", facts_file, "--person", "fay", *args)  # no mentee now, not trained (unknown)
    assert fay.exit_code == 3
    assert "would also receive, once what is missing is settled: pdps: 15 PDPs" in fay.stdout
    code, data = cli_json("incentives", facts_file, "--person", "fay", *args)
    assert data["would_receive_if_settled"] == {"pdps": "15 PDPs"}
    assert data["awards"][1]["missing"] == ["person.mentor_trained"]
    old = cli("incentives", facts_file, "--person", "ana", "--policy", policy, "--as-of", "2024-01-01")
    assert old.exit_code == 0  # points only: no relationship yet, trained
    nothing = write_policy_only_stipend(facts_file, policy)
    assert nothing.exit_code == 1


def write_policy_only_stipend(facts_file, policy):
    # dev is no one's mentor: the stipend is not received, and nothing else is offered
    from pathlib import Path

    only = Path(policy).with_name("only.accord")
    only.write_text('policy "Only"\n  programme demo\n' + STIPEND, encoding="utf-8")
    return cli("incentives", facts_file, "--person", "dev", "--policy", str(only), "--as-of", "2026-01-15")


@pytest.mark.parametrize(
    "args",
    [
        ("--person", "nobody"),
        ("--person", "ana", "--as-of", "2026-13-01"),
        ("--person", "ana", "--policy", "missing.accord"),
        (),  # no --person
    ],
)
def test_cli_bad_input_exits_2(files, args):
    facts_file, policy = files
    extra = () if "--policy" in args else ("--policy", policy)
    result = cli("incentives", facts_file, *args, *extra)
    assert result.exit_code == 2


def test_cli_needs_exactly_one_of_policy_or_programme(files):
    facts_file, policy = files
    assert cli("incentives", facts_file, "--person", "ana").exit_code == 2
    assert cli("incentives", facts_file, "--person", "ana", "--policy", policy, "--programme", "demo").exit_code == 2


# =========================================================================== the demo programme, placeful


def test_demo_ana_in_attleboro_gets_the_district_stipend_paid_by_attleboro():
    code, data = cli_json("incentives", DEMO_FACTS, "--person", "ana", "--programme", "demo", "--as-of", "2026-01-15")
    assert code == 0
    assert data["policy"] == {"name": "Attleboro demo mentoring", "file": "rules/demo/attleboro.accord"}
    stipend = data["awards"][0]
    assert (stipend["label"], stipend["outcome"], stipend["amount"], stipend["paid_by"]) == ("mentor stipend", "receives", "714", "Attleboro Public Schools")
    assert stipend["relationship_with"]["id"] == "dev"
    assert stipend["layer"] == "Demo District Mentoring"  # the incentive is the baseline's; the amount is Attleboro's
    assert data["totals"] == {"money (USD)": "USD 714", "pdps": "15 PDPs", "recognitions": "certificate of service"}


def test_demo_cara_in_norton_is_under_the_baseline_where_the_stipend_is_not_set():
    code, data = cli_json("incentives", DEMO_FACTS, "--person", "cara", "--programme", "demo", "--as-of", "2026-01-15")
    assert code == 0  # PDPs and the recognition
    assert data["policy"]["name"] == "Demo District Mentoring"
    stipend = data["awards"][0]
    assert (stipend["outcome"], stipend["amount"], stipend["paid_by"]) == ("does_not_receive", None, "Norton Public Schools")
    assert "parameter mentor_stipend" in stipend["missing"]  # unset, and named, though the condition decides


def test_demo_ben_receives_nothing():
    result = cli("incentives", DEMO_FACTS, "--person", "ben", "--programme", "demo", "--as-of", "2026-01-15")
    assert result.exit_code == 1
    assert "receives in total: nothing" in result.stdout


def test_demo_library_and_cli_agree(demo_facts):
    places = [p.id for p in demo_facts.place_chain(demo_facts.person("ana").place)]
    policy = accord.load_policy(programme="demo", places=places)
    report = incentives(policy, demo_facts, "ana", AS_OF)
    assert [(a.label, a.outcome, a.amount_text) for a in report.awards] == [
        ("mentor stipend", YES, "USD 714"),
        ("professional development points", YES, "15 PDPs"),
        ("recognition", YES, None),
    ]
