"""Properties that must hold for every policy and every facts file, checked on generated ones.

The strategies are in `tests/strategies.py`; the number of examples comes from the Hypothesis
profile (`ci` or `dev`, registered in `tests/conftest.py`; `HYPOTHESIS_PROFILE=dev` picks one).

1. Bad policy text never escapes as anything but an Accord error.
2. Compiled and interpreted evaluation give the same decision, rule by rule; the outcome `decide`
   gives before its reasons are written out is the outcome of those reasons; and a grant and a
   deny that both apply always say which wins (or the checker would have refused them, P115).
3. Deciding is deterministic, down to the JSON (which is plain JSON) and the text.
4. A missing fact makes a rule unknown, never met or not met on its own, and filling in missing
   facts never changes an outcome that was decided without them (Kleene logic is monotone), on
   random policies and on random graphs of exceptions overriding one another (where a circle is
   refused, P116, because it would break this).
5. and/or/not follow Kleene's three-valued truth tables, a role's outcome is the Kleene `and` of
   its requirements, and the usual laws hold.
6. A facts document loads whole or raises `FactsError`, and what loads is what was written.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import example, given, note, settings
from hypothesis import strategies as st

import accord
from accord import Outcome
from accord.explain import decision_json, decision_text
from accord.facts import facts_from_document
from accord.parse import parse
from accord.values import BOOL, DATE, TEXT, Choice, Money, Quantity, Scale, SetOf, Type
from tests import strategies as s

MET, NOT_MET, UNKNOWN = "met", "not met", "unknown"
#: for the cheap properties (a parse, a small load): five times the profile's examples
MORE = settings(max_examples=5 * settings().max_examples)


def load(text: str) -> accord.CompiledPolicy:
    """Load a generated policy; a generated policy is well typed, so any error fails the test."""
    note(text)
    try:
        return accord.load_policy(text=text)
    except accord.PolicyError as exc:
        pytest.fail(f"a generated policy does not check:\n{text}\n{exc}")


def questions(policy: accord.CompiledPolicy, doc: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every question the policy answers about the people of `doc`: each role, each ordered pair."""
    people = s.rosters(doc)
    out: list[tuple[str, Any]] = [("role", (p, r)) for r in policy.checked.roles for p in people]
    if policy.checked.pairs:
        out += [("pair", (a, b)) for a in people for b in people]
    return out


def ask(policy: accord.CompiledPolicy, facts: accord.Facts, question: tuple[str, Any], as_of: dt.date, **kw: Any) -> accord.Decision:
    kind, (a, b) = question
    if kind == "role":
        return accord.decide(policy, facts, a, b, as_of, **kw)
    return accord.decide_pair(policy, facts, a, b, as_of, **kw)


def rules_of(d: accord.Decision) -> tuple[Any, ...]:
    return (*d.requirements, *d.exceptions, *d.preferences)


def assert_exceptions_say_which_wins(d: accord.Decision) -> None:
    """The checker's promise (P115): a grant and a deny that both apply say which wins."""
    met = [e for e in d.exceptions if e.status == MET]
    for g in (e for e in met if e.kind == "grants"):
        for n in (e for e in met if e.kind == "denies"):
            assert g.label in n.overriding or n.label in g.overriding, (g.label, g.condition, n.label, n.condition)


# --------------------------------------------------------------------------- 1. parser robustness

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?|[A-Za-z_]\w*|>=|<=|!=|\s+|.', re.S)
_KEYWORDS = sorted(set(re.findall(r'"([a-z]+)"', (s.ROOT_GRAMMAR.read_text("utf-8")))))
VOCABULARY = [
    *_KEYWORDS,
    *s.SCHEMA.facts, *s.SCHEMA.evidence, *s.ENDS, *s.ROLES, *s.SCHEMA.functions, *s.SCHEMA.constants,
    *s.BARE_VALUES, *(w for ws in s.UNIT_WORDS.values() for w in ws), *s.PLACE_KINDS,
    "count", "hours", "sum", "latest", "person", "today", "true", "false", "USD", "none", "may", "raise",
    "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", ".", ",", ":", "(", ")", "{", "}", "{}", "()",
    "0", "3", "2.5", "2025-01-01", "2025-02-30", '"x"', '"', "\\", "#", "\n", " ",
]


NAMES = sorted({w for w in VOCABULARY if re.fullmatch(r"[A-Za-z_]\w*", w) and w not in _KEYWORDS} | {"person", "mentor", "mentee", "q0", "k0", "d0"})
_SAME_CLASS = [  # tokens that can stand in for each other and still parse, often
    ("=", "!=", "<", "<=", ">", ">="),
    ("+", "-", "*", "/"),
    ("and", "or"),
    ("every", "any"),
    ("grants", "denies"),
    ("0", "1", "3", "2.5", "40", "0.01"),
]


def same_class(draw: Any, token: str) -> str:
    """A token of the same kind as `token`: another name, operator, number, date or label."""
    for group in _SAME_CLASS:
        if token in group:
            return draw(st.sampled_from(group))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", token):
        return draw(s.iso_dates(1, 9999))
    if re.fullmatch(r"\d+(\.\d+)?", token):
        return draw(st.sampled_from(_SAME_CLASS[-1]))
    if token.startswith('"'):
        return '"' + draw(st.sampled_from(["", "r0", "x0", "\\\"", "a b"])) + '"'
    if re.fullmatch(r"[A-Za-z_]\w*", token) and token not in _KEYWORDS:
        return draw(st.sampled_from(NAMES))
    return token


@st.composite
def mutated_policies(draw: Any) -> str:
    """A valid policy with a few edits: tokens deleted, repeated, swapped or replaced by other words
    of the language, and characters deleted or inserted."""
    text = draw(st.one_of(s.policies(), st.just(s.DEMO_POLICY)))
    tokens = _TOKEN.findall(text)
    for _ in range(draw(st.integers(1, 4))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        how = draw(st.sampled_from(["same", "same", "same", "delete", "repeat", "swap", "replace", "insert", "char-delete", "char-insert"]))
        if how == "same":
            tokens[i] = same_class(draw, tokens[i])
        elif how == "delete":
            del tokens[i]
        elif how == "repeat":
            tokens.insert(i, tokens[i])
        elif how == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif how == "replace":
            tokens[i] = draw(st.sampled_from(VOCABULARY))
        elif how == "insert":
            tokens.insert(i, " " + draw(st.sampled_from(VOCABULARY)) + " ")
        elif how == "char-delete" and tokens[i]:
            k = draw(st.integers(0, len(tokens[i]) - 1))
            tokens[i] = tokens[i][:k] + tokens[i][k + 1 :]
        else:
            tokens[i] = tokens[i] + draw(st.characters())
    return "".join(tokens)


def token_soup() -> st.SearchStrategy[str]:
    """Words of the language in random order: reaches deeper into the parser than random text."""
    return st.lists(st.sampled_from(VOCABULARY), max_size=30).map(" ".join).map(lambda t: 'policy "p" programme demo ' + t)


def parses_or_policy_error(text: str) -> None:
    try:
        parse(text)
    except accord.PolicyError as exc:
        assert exc.diagnostics, "a PolicyError names at least one problem"
        assert all(d.code.startswith("P") for d in exc.diagnostics)


@MORE
@given(st.text())
@example("")
@example('policy "p" effective 2025-02-30')
@example('policy "p" programme demo role mentor require "r": 3 years years')
def test_parser_raises_only_policy_error_on_any_text(text: str) -> None:
    parses_or_policy_error(text)


@MORE
@given(st.one_of(token_soup(), mutated_policies()))
def test_parser_raises_only_policy_error_on_near_policies(text: str) -> None:
    parses_or_policy_error(text)


@MORE
@given(st.one_of(mutated_policies(), token_soup(), st.text()))
@example('policy "p" programme demo role mentor require "r": every q in {}: q = "a"')
@example('policy "p" programme demo role mentor require "r": any q in {}: q.mentor_trained')
def test_load_policy_raises_only_accord_errors(text: str) -> None:
    """And a policy that loads can be asked every question without an unexpected exception."""
    note(text)
    try:
        policy = accord.load_policy(text=text)
    except accord.AccordError:
        return
    facts = facts_from_document(FIXED_DOC)
    for question in questions(policy, FIXED_DOC):
        for engine in ("compiled", "interpreted"):
            try:
                d = ask(policy, facts, question, dt.date(2026, 1, 15), engine=engine, explain=True)
            except accord.UsageError:
                continue  # a policy not in force on that date, a pair rule the policy lacks
            assert_exceptions_say_which_wins(d)


@given(s.policies(), st.text(min_size=1))
@example('policy "p" programme demo\nrole mentor\n  require "r": true\n', "a\nb")
@example('policy "p" programme demo\nrole mentor\n  require "r": true\n', "x\x00y")
def test_a_policy_loads_whatever_its_file_is_called(text: str, file: str) -> None:
    """The file name reaches error messages and the generated code's comments, never its code."""
    note(text)
    policy = accord.load_policy(file, text=text)
    assert policy.checked.file == file
    facts = facts_from_document(FIXED_DOC)
    for question in questions(policy, FIXED_DOC):
        for engine in ("compiled", "interpreted"):
            ask(policy, facts, question, dt.date(2026, 1, 15), engine=engine)


FIXED_DOC: dict[str, Any] = {
    "places": [dict(p) for p in s.PLACES],
    "people": [
        {"id": "ana", "place": "s1", "facts": {"years_experience": 7, "mentor_trained": True, "licence": "professional", "subject_area": "science", "first_teaching_day": "2015-08-27"}},
        {"id": "ben", "place": "d2", "facts": {"years_experience": "0", "new_to_role": True, "special_application": "approved"},
         "memberships": [{"organisation": "demo_association", "category": "active"}]},
    ],
    "relationships": [{"kind": "mentoring", "mentor": "ana", "mentee": "ben"}, {"kind": "evaluation", "evaluator": "ana", "evaluatee": "ana"}],
    "evidence": [
        {"id": "e1", "kind": "observation", "subject": "ben", "date": "2025-10-01", "announced": True, "hours": 0, "author": "ana"},
        {"id": "e2", "kind": "summative_evaluation", "subject": "ana", "date": "2025-06-01", "rating": "proficient", "standards": ["x"]},
    ],
}


# --------------------------------------------------------------------------- 2. compiled == interpreted

# Falsifying examples of bugs these properties found, kept as regression cases.
HEADER = 'policy "p" programme demo\n'
ONE_OBSERVATION = {"people": [{"id": "a"}], "evidence": [{"id": "e", "kind": "observation", "subject": "a", "date": "2025-01-01"}]}
FOUND = [
    # P115 "could both apply": each evidence query's item was named after its position
    HEADER + 'role mentee\n  require "r": true\n'
    '  except "x0" grants: (latest(evidence mentoring_log of person).verified) and (true)\n'
    '  except "x1" denies: (not (latest(evidence mentoring_log of person).verified)) and (true)\n',
    # compiled: not met, interpreted: met (the variable and the evidence item compiled to one name)
    HEADER + 'role mentor\n  require "r": any _item0_3_48 in {"x"}: count(evidence observation where _item0_3_48 = "x") >= 1\n',
    HEADER + 'role mentor\n  require "r": any _item0 in {"x"}: count(evidence observation where _item0 = "x") >= 1\n',
    # P110 "is empty" and P101 "unknown name" on definitions checked unused
    HEADER + 'define d5(p6, p7) = (any q8 in {p7.id, p6.name}: p7.programme is p6.district)\n'
    'define d0(p1) = (provisional) = (p1.licence)\nrole mentor\n  require "r": true\n',
    # TypeError from the checker: `X in k` with `parameter k: set of ... = none` (its value is unknown)
    HEADER + 'parameter k0: set of application_status = none\nrole mentee\n  require "r": true\n'
    '  except "x0" grants: (person.special_application = pending) and (person.special_application in k0)\n'
    '  except "x2" denies: (person.special_application in {}) and (person.special_application in k0)\n',
    # P115 "could both apply": `not A` against `A and ...` when A is an `and`
    HEADER + 'define d0(p1) = (p1.mentor_trained) and (p1.new_to_role)\nrole mentee\n  require "r": true\n'
    '  except "x0" grants: (d0(person)) and (true)\n  except "x2" denies: (not (d0(person))) and (true)\n',
]


def found(test: Any) -> Any:
    for text in FOUND:
        test = example(text, ONE_OBSERVATION, dt.date(2026, 1, 15))(test)
    return test


@found
@given(s.policies(), s.facts_documents(), s.as_of_dates())
def test_compiled_and_interpreted_evaluation_agree(text: str, doc: dict[str, Any], as_of: dt.date) -> None:
    policy = load(text)
    facts = facts_from_document(doc)
    for question in questions(policy, doc):
        compiled = ask(policy, facts, question, as_of, engine="compiled")
        interpreted = ask(policy, facts, question, as_of, engine="interpreted")
        # outcome, per-rule status, actual and required values, missing facts, errors, score
        assert compiled == interpreted, question
        assert decision_json(compiled) == decision_json(interpreted), question
        assert_exceptions_say_which_wins(compiled)


@found
@given(s.policies(), s.facts_documents(), s.as_of_dates())
def test_the_outcome_decide_gives_at_once_is_the_outcome_of_its_rules(text: str, doc: dict[str, Any], as_of: dt.date) -> None:
    """`decide` settles the outcome with generated functions that stop at the first requirement
    not met, and writes the rules' results out only when they are read: both must agree."""
    policy = load(text)
    facts = facts_from_document(doc)
    for kind, (person, role) in questions(policy, doc):
        if kind == "role":
            quick = accord.decide(policy, facts, person, role, as_of).outcome  # read before any reason
            assert quick is accord.decide(policy, facts, person, role, as_of, explain=True).outcome, (person, role)


# --------------------------------------------------------------------------- 3. determinism


@given(s.policies(), s.facts_documents(), s.as_of_dates(), st.booleans())
def test_decisions_are_deterministic(text: str, doc: dict[str, Any], as_of: dt.date, explain: bool) -> None:
    policy, again = load(text), accord.load_policy(text=text)
    facts, facts_again = facts_from_document(doc), facts_from_document(copy.deepcopy(doc))
    for question in questions(policy, doc):
        decision = ask(policy, facts, question, as_of, explain=explain)
        first = decision_json(decision)
        assert decision_json(ask(policy, facts, question, as_of, explain=explain)) == first
        assert decision_json(ask(again, facts_again, question, as_of, explain=explain)) == first
        assert json.loads(json.dumps(first)) == first  # plain JSON, as `--format json` prints it
        assert decision_text(decision, explain=explain) == decision_text(decision, explain=explain)


# --------------------------------------------------------------------------- 4. missing facts


@st.composite
def strict_conditions(draw: Any) -> tuple[str, str]:
    """(fact, a condition that cannot be settled without that fact): the fact compared with a
    literal, tested for membership, or (for a yes/no fact) the fact itself or its negation."""
    name = draw(st.sampled_from(sorted(s.STORED_FACTS)))
    t = s.STORED_FACTS[name]
    fact = f"person.{name}"
    if t == BOOL:
        return name, draw(st.sampled_from([fact, f"not {fact}", f"{fact} = true", f"{fact} != false"]))
    if isinstance(t, Quantity):
        n = draw(st.integers(0, 40))
        literal = f"{n} {t.unit}" if t.unit else str(n)  # a plain number fact (`mentee_capacity`) has no unit
        return name, f"{fact} {draw(st.sampled_from(['<', '<=', '>', '>=', '=', '!=']))} {literal}"
    if t == DATE:
        return name, f"{fact} {draw(st.sampled_from(['<', '>=', '=']))} {draw(s.iso_dates())}"
    if isinstance(t, (Choice, Scale)):
        values = t.values if isinstance(t, Choice) else t.levels
        picked = draw(st.lists(st.sampled_from(values), min_size=1, unique=True))
        return name, draw(st.sampled_from([f"{fact} = {picked[0]}", f"{fact} != {picked[0]}", f"{fact} in {{{', '.join(picked)}}}", f"{fact} not in {{{', '.join(picked)}}}"]))
    if t == TEXT:
        return name, draw(st.sampled_from([f'{fact} = "science"', f"{fact} in core_subjects", f"{fact} not in {{\"x\"}}"]))
    if isinstance(t, SetOf):
        return name, f"count({fact}) >= 0"
    return name, f"{fact} = {fact}"  # any other type: compared with itself, still unknown


@given(strict_conditions(), s.facts_documents(), s.as_of_dates(), st.sampled_from(["compiled", "interpreted"]))
def test_a_requirement_over_a_missing_fact_is_undetermined_and_names_it(
    condition: tuple[str, str], doc: dict[str, Any], as_of: dt.date, engine: str
) -> None:
    name, text = condition
    policy = load(f'policy "p" programme demo\nrole mentor\n  require "r": {text}\n')
    person = doc["people"][0]
    person["facts"].pop(name, None)
    d = accord.decide(policy, facts_from_document(doc), person["id"], "mentor", as_of, engine=engine)
    assert d.outcome is Outcome.UNKNOWN
    assert d.requirements[0].status == UNKNOWN
    assert d.missing == (f"person.{name}",)
    assert d.requirements[0].missing == (f"person.{name}",)


@given(s.policies_with(arithmetic=False), s.facts_documents(), s.as_of_dates(), st.data())
def test_filling_in_missing_facts_never_changes_what_was_decided(
    text: str, doc: dict[str, Any], as_of: dt.date, data: st.DataObject
) -> None:
    """Kleene logic is monotone: a rule that is met or not met with some facts missing stays so,
    whatever values the missing facts turn out to have, and so does an eligible / not eligible
    outcome (only an undetermined one may change)."""
    policy = load(text)
    filled = copy.deepcopy(doc)
    for person in filled["people"]:
        absent = [n for n in sorted(s.STORED_FACTS) if n not in person["facts"]]
        for n in data.draw(st.lists(st.sampled_from(absent), unique=True) if absent else st.just([]), label=f"fill {person['id']}"):
            person["facts"][n] = data.draw(s.fact_values(s.STORED_FACTS[n]), label=f"{person['id']}.{n}")
    before_facts, after_facts = facts_from_document(doc), facts_from_document(filled)
    for question in questions(policy, doc):
        before = ask(policy, before_facts, question, as_of)
        after = ask(policy, after_facts, question, as_of)
        for b, a in zip(rules_of(before), rules_of(after)):
            assert b.status != "error" and a.status != "error", (b, a)  # no arithmetic, so no failures
            if b.status in (MET, NOT_MET):
                assert a.status == b.status, (question, b.label, b.condition)
        if before.outcome is not Outcome.UNKNOWN:
            assert after.outcome is before.outcome, (question, before, after)


# --------------------------------------------------------------------------- 5. Kleene logic


@st.composite
def leaf_values(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(facts for one person, the model's value of each Kleene leaf for them)."""
    facts: dict[str, Any] = {}
    model: dict[str, Any] = {"true": True, "false": False, "k0": frozenset({"parameter k0"})}
    for name in ("mentor_trained", "new_to_role"):
        value = draw(st.sampled_from([True, False, None]))
        if value is not None:
            facts[name] = value
        model[f"person.{name}"] = frozenset({f"person.{name}"}) if value is None else value
    years = draw(st.sampled_from([1, 3, 5, None]))
    if years is not None:
        facts["years_experience"] = years
    model["(person.years_experience >= 3 years)"] = frozenset({"person.years_experience"}) if years is None else years >= 3
    return facts, model


def kleene_decision(conditions: list[str], facts: dict[str, Any], engine: str) -> accord.Decision:
    rules = "".join(f'  require "c{i}": {c}\n' for i, c in enumerate(conditions))
    return kleene_policy_decision(load(f'policy "k" programme demo\n{s.KLEENE_PRELUDE}role mentor\n{rules}'), facts, engine)


def kleene_policy_decision(policy: accord.CompiledPolicy, facts: dict[str, Any], engine: str) -> accord.Decision:
    doc = {"people": [{"id": "p", "facts": facts}]}
    role = next(iter(policy.checked.roles))
    return accord.decide(policy, facts_from_document(doc), "p", role, dt.date(2026, 1, 15), engine=engine)


def status_of(value: Any) -> str:
    return UNKNOWN if isinstance(value, frozenset) else MET if value else NOT_MET


@MORE
@given(st.lists(s.kleene_trees(), min_size=1, max_size=3), leaf_values(), st.sampled_from(["compiled", "interpreted"]))
def test_and_or_not_follow_the_kleene_truth_tables(trees: list[Any], leaves: Any, engine: str) -> None:
    """Each requirement's status and missing facts are the model's; the role's outcome is the
    Kleene `and` of its requirements (eligible only if all are met, not eligible if one is not)."""
    facts, model = leaves
    expected = [s.tree_value(tree, model) for tree in trees]
    d = kleene_decision([s.tree_text(tree) for tree in trees], facts, engine)
    for rule, value in zip(d.requirements, expected, strict=True):
        assert rule.status == status_of(value)
        assert set(rule.missing) == (value if isinstance(value, frozenset) else set())
    outcome = s.tree_value(("and", [("leaf", i) for i in range(len(trees))]), dict(enumerate(expected)))
    assert d.outcome is {MET: Outcome.YES, NOT_MET: Outcome.NO, UNKNOWN: Outcome.UNKNOWN}[status_of(outcome)]
    assert set(d.missing) == {m for v in expected if isinstance(v, frozenset) for m in v}


LAWS = [  # pairs of conditions that Kleene logic makes equal, whatever a, b and c are
    ("({a}) and ({b})", "({b}) and ({a})"),
    ("({a}) or ({b})", "({b}) or ({a})"),
    ("not (({a}) and ({b}))", "(not ({a})) or (not ({b}))"),
    ("not (({a}) or ({b}))", "(not ({a})) and (not ({b}))"),
    ("not (not ({a}))", "{a}"),
    ("({a}) and (({b}) or ({c}))", "(({a}) and ({b})) or (({a}) and ({c}))"),
    ("({a}) or (({b}) and ({c}))", "(({a}) or ({b})) and (({a}) or ({c}))"),
    ("({a}) or (({a}) and ({b}))", "{a}"),
    ("({a}) and (({a}) or ({b}))", "{a}"),
    ("({a}) and (({b}) and ({c}))", "(({a}) and ({b})) and ({c})"),
    ("({a}) and (true)", "{a}"),
    ("({a}) or (false)", "{a}"),
    ("({a}) and (false)", "false"),  # false and unknown is false
    ("({a}) or (true)", "true"),  # true or unknown is true
    ("({a}) or ({a})", "{a}"),
]


@given(s.kleene_trees(4), s.kleene_trees(4), s.kleene_trees(4), leaf_values(), st.sampled_from(["compiled", "interpreted"]))
def test_kleene_laws_hold(a: Any, b: Any, c: Any, leaves: Any, engine: str) -> None:
    facts, _ = leaves
    texts = {k: s.tree_text(t) for k, t in (("a", a), ("b", b), ("c", c))}
    conditions = [side.format(**texts) for law in LAWS for side in law]
    d = kleene_decision(conditions, facts, engine)
    for i, law in enumerate(LAWS):
        left, right = d.requirements[2 * i], d.requirements[2 * i + 1]
        assert left.status == right.status, law


# --------------------------------------------------------------------------- 4 and 5: exceptions


@st.composite
def filled_in(draw: Any, facts: dict[str, Any]) -> dict[str, Any]:
    """`facts` with some of the Kleene leaves' missing facts given values."""
    out = dict(facts)
    for name, values in (("mentor_trained", [True, False]), ("new_to_role", [True, False]), ("years_experience", [1, 3, 5])):
        if name not in out and draw(st.booleans()):
            out[name] = draw(st.sampled_from(values))
    return out


@given(s.exception_roles(), leaf_values(), st.data(), st.sampled_from(["compiled", "interpreted"]))
def test_exceptions_never_decide_what_a_missing_fact_could_change(role: tuple[str, bool], leaves: Any, data: st.DataObject, engine: str) -> None:
    """However exceptions override one another, a decided outcome survives filling in missing
    facts; and exceptions that override one another in a circle (so that, all applying, none
    would) are refused, as two that override each other are (P116)."""
    text, circular = role
    note(text)
    if circular:
        with pytest.raises(accord.PolicyError) as refused:
            accord.load_policy(text=text)
        assert "P116" in {d.code for d in refused.value.diagnostics}
        return
    facts, _ = leaves
    before = kleene_policy_decision(load(text), facts, engine)
    after = kleene_policy_decision(load(text), data.draw(filled_in(facts), label="filled in"), engine)
    for b, a in zip(rules_of(before), rules_of(after)):
        if b.status in (MET, NOT_MET):
            assert a.status == b.status
    if before.outcome is not Outcome.UNKNOWN:
        assert after.outcome is before.outcome, (before.decided_by, after.decided_by)


# --------------------------------------------------------------------------- 6. facts loading


class Invalid(Exception):
    """A raw value that is not a valid value of its type, so it should not have loaded."""


def expected(raw: Any, t: Type) -> Any:
    """What a raw facts-file value of type `t` must load as; `Invalid` if it must not load."""
    if t == BOOL and isinstance(raw, bool):
        return raw
    if t == TEXT and isinstance(raw, str):
        return raw
    if t == DATE:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
    if isinstance(t, (Quantity, Money)):
        d = s.decimal_of(raw, t.unit if isinstance(t, Quantity) else t.currency)
        if d is not None:
            return d
    if isinstance(t, Choice) and isinstance(raw, str) and raw in t.values:
        return raw
    if isinstance(t, Scale) and isinstance(raw, str) and raw in t.levels:
        return raw  # compared by name
    if isinstance(t, SetOf) and isinstance(raw, list):
        return frozenset(expected(x, t.element) for x in raw)
    raise Invalid(f"{raw!r} is not {t.describe()}")


def same(value: Any, raw: Any, t: Type, where: str) -> None:
    try:
        want = expected(raw, t)
    except Invalid as exc:
        pytest.fail(f"{where}: loaded although {exc}")
    got = value.name if isinstance(t, Scale) else value
    assert got == want and type(got) is type(want), f"{where}: {raw!r} loaded as {value!r}"


def period_of(raw: dict[str, Any], where: str) -> tuple[Any, Any]:
    out = []
    for key in ("from", "to"):
        if raw.get(key) is None:
            out.append(None)
            continue
        try:
            out.append(expected(raw[key], DATE))
        except Invalid as exc:
            pytest.fail(f"{where}.{key}: loaded although {exc}")
    return tuple(out)


def assert_round_trip(doc: dict[str, Any], facts: accord.Facts) -> None:
    """Everything in `facts` is what `doc` says, value for value."""
    assert list(facts.people) == [p["id"] for p in doc["people"]]
    for i, raw in enumerate(doc["people"]):
        person = facts.people[raw["id"]]
        assert (person.name, person.place) == (raw.get("name", ""), raw.get("place"))
        given_facts = {k: v for k, v in raw.get("facts", {}).items() if v is not None}
        assert set(person.facts) == set(given_facts), f"people[{i}].facts"
        for name, value in given_facts.items():
            same(person.facts[name], value, s.STORED_FACTS[name], f"people[{i}].facts.{name}")
        memberships = raw.get("memberships", [])
        assert len(person.memberships) == len(memberships)
        for j, (m, rm) in enumerate(zip(person.memberships, memberships)):
            assert (m.organisation, m.category) == (rm["organisation"], rm.get("category", "member"))
            assert (m.period.start, m.period.end) == period_of(rm, f"people[{i}].memberships[{j}]")
    relationships = doc.get("relationships", [])
    assert len(facts.relationships) == len(relationships)
    for i, (r, rr) in enumerate(zip(facts.relationships, relationships)):
        assert r.kind == rr["kind"]
        assert dict(r.ends) == {k: v for k, v in rr.items() if k not in ("kind", "id", "from", "to")}
        assert (r.period.start, r.period.end) == period_of(rr, f"relationships[{i}]")
    evidence = {e.id: e for e in facts.evidence}
    assert sorted(evidence) == sorted(e["id"] for e in doc.get("evidence", []))
    for i, re_ in enumerate(doc.get("evidence", [])):
        e, where = evidence[re_["id"]], f"evidence[{i}]"
        assert (e.kind, e.subject, e.author, e.verified_by) == (re_["kind"], re_["subject"], re_.get("author"), re_.get("verified_by"))
        same(e.date, re_["date"], DATE, f"{where}.date")
        for field in ("hours", "count"):
            if re_.get(field) is None:
                assert getattr(e, field) is None
            else:
                same(getattr(e, field), re_[field], Quantity(None), f"{where}.{field}")
        same(e.standards, re_.get("standards", []), SetOf(TEXT), f"{where}.standards")
        kind_fields = s.SCHEMA.evidence[e.kind].fields
        given_fields = {k: v for k, v in re_.items() if k in kind_fields and v is not None}
        assert set(e.fields) == set(given_fields)
        for name, value in given_fields.items():
            same(e.fields[name], value, kind_fields[name], f"{where}.{name}")


@MORE
@given(s.facts_documents())
def test_a_valid_facts_document_loads_and_round_trips(doc: dict[str, Any]) -> None:
    assert_round_trip(doc, facts_from_document(doc))


@MORE
@given(s.documents_or_junk())
@example({"people": [{"id": "a", "facts": {"years_experience": float("nan")}}]})
@example({"people": [{"id": "a"}], "evidence": [{"id": "e", "kind": "observation", "subject": "a", "date": "2025-01-01", "standards": "abc"}]})
def test_a_facts_document_loads_whole_or_raises_facts_error(doc: Any) -> None:
    note(repr(doc))
    try:
        facts = facts_from_document(doc)
    except accord.FactsError as exc:
        assert exc.diagnostics and all(d.code.startswith("F") for d in exc.diagnostics)
        return
    assert_round_trip(doc, facts)
