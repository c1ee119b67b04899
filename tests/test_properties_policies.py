"""Properties of the confidentiality, commitments and layering stages, on generated policies and facts.

The strategies are in `tests/strategies.py` (the section "records, commitments, layers").

a. No viewer but those a record's clauses name is ever allowed it (deny by default), for random
   people, places, role assignments, relationships, consents and dates: the model `stands_as`
   says who each name is, independently of the engine.
b. A consent shares from its date until its withdrawal: the day before it is withdrawn the mentor
   may see what it covers; from the withdrawal on, never through that consent.
c. Nothing a viewer is shown of a decision (`redact`, `accord check --viewer` and `accord pair
   --viewer`, text and JSON) holds the content of a record the viewer may not see.
d. Adding evidence never undoes a met quota: what is done never shrinks, a met part stays met (or
   met late), and it was not met later than before.
e. A child never loosens its parent's parameters: setting a fixed one is P123 (and redeclaring or
   redefining it an error), `may raise` never takes a lower value, `may lower` never a higher one.

Every question is asked with both engines, which must agree.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

import accord
from accord.access import Access, access, redact
from accord.cli import main
from accord.commitments import commitments
from accord.explain import decision_json, decision_text
from accord.facts import facts_from_document
from tests import strategies as s

ENGINES = ("compiled", "interpreted")
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def load(text: str, path: str = "generated.accord") -> accord.CompiledPolicy:
    note(text)
    try:
        return accord.load_policy(text=text, path=path)
    except accord.PolicyError as exc:
        pytest.fail(f"a generated policy does not check:\n{text}\n{exc}")


def both(ask: Any) -> Any:
    a, b = (ask(e) for e in ENGINES)
    assert a == b, f"engines disagree:\n{a}\n{b}"
    return a


# =========================================================================== (a) deny by default


@FAST
@given(s.record_policies(s.CONTENT_KINDS[:3], s.CONTENT_VIEWERS + ("administrator", "state", "candidate"), every_kind=True), s.record_documents(kinds=s.CONTENT_KINDS, people=s.PEOPLE[:3]), s.window_dates())
def test_no_viewer_outside_the_declared_ones_is_ever_allowed(policy_and_clauses, doc, day):
    text, clauses = policy_and_clauses
    policy, loaded = load(text), facts_from_document(doc)
    note(json.dumps(doc))
    for item in doc["evidence"]:
        declared = clauses.get(item["kind"], [])
        full = [n for form, names in declared if form in ("visible", "shared", "reveal") for n in names]
        counts = [n for form, names in declared if form == "counts" for n in names]
        for viewer in [p["id"] for p in doc["people"]]:
            d = both(lambda e: access(policy, loaded, viewer, item["id"], day, engine=e))
            holds = [n for n in full if s.stands_as(doc, viewer, n, item, day)]
            if d.outcome is Access.ALLOW:
                assert holds, f"{viewer} may see {item['id']} but stands as none of {full}: {d.reason}"
                said = re.search(r"(?:the record's|the subject's) (\w+)", d.reason)
                assert said and said.group(1) in holds, d.reason  # the relation it gives is one that holds
            elif d.outcome is Access.COUNTS_ONLY:
                assert any(s.stands_as(doc, viewer, n, item, day) for n in counts), d.reason
            elif d.outcome is Access.UNDETERMINED:
                assert holds, "only a clause that names the viewer can leave access open"
            if not declared:
                assert d.outcome is Access.DENY and "deny by default" in d.reason


# =========================================================================== (b) withdrawn consent


def _shares(doc: dict[str, Any], item: dict[str, Any], day: dt.date) -> bool:
    """The model: the mentor may see the item that day through some active consent that covers it."""
    names = {item["id"], item["kind"], item["component"]}
    return any(
        c["subject"] == "s" and c["viewer"] == "m" and set(c["components"]) & names
        and dt.date.fromisoformat(c["from"]) <= day and ("withdrawn" not in c or day < dt.date.fromisoformat(c["withdrawn"]))
        for c in doc["consents"]
    )


SHARED_ONLY = 'policy "Shared"\n  programme demo\nrecord evaluation_component\n  visible to mentor when shared by subject\n'


@FAST
@given(s.consent_scenarios(), s.window_dates())
@example(
    {"people": [{"id": "s"}, {"id": "m"}, {"id": "o"}], "relationships": [{"kind": "mentoring", "mentor": "m", "mentee": "s"}],
     "evidence": [{"id": "c0", "kind": "evaluation_component", "subject": "s", "date": "2025-01-01", "component": "standard_0"}],
     "consents": [{"subject": "s", "viewer": "m", "components": ["standard_0"], "from": "2025-12-01", "withdrawn": "2026-03-01"}]},
    dt.date(2026, 2, 28),
)
def test_a_withdrawn_consent_stops_access_from_its_withdrawal_date(doc, day):
    policy, loaded = load(SHARED_ONLY), facts_from_document(doc)
    note(json.dumps(doc))
    mentoring = doc["relationships"][0]
    for item in doc["evidence"]:
        # on a random day, and on both sides of every withdrawal
        days = {day}
        for c in doc["consents"]:
            if "withdrawn" in c:
                w = dt.date.fromisoformat(c["withdrawn"])
                days |= {w - dt.timedelta(days=1), w, w + dt.timedelta(days=30)}
        for d in sorted(days):
            outcome = both(lambda e: access(policy, loaded, "m", item["id"], d, engine=e)).outcome
            expected = s._in_period(mentoring, d) and _shares(doc, item, d)
            assert (outcome is Access.ALLOW) == expected, (item["id"], d.isoformat(), outcome)
            assert outcome in (Access.ALLOW, Access.DENY)
        for c in doc["consents"]:
            if "withdrawn" not in c or c["subject"] != "s" or c["viewer"] != "m":
                continue
            w = dt.date.fromisoformat(c["withdrawn"])
            others = [o for o in doc["consents"] if o is not c]
            if _shares({**doc, "consents": others}, item, w):
                continue  # another consent covers that day
            assert both(lambda e: access(policy, loaded, "m", item["id"], w, engine=e)).outcome is Access.DENY


# =========================================================================== (c) nothing leaks to a viewer


MARK = re.compile(r"QZX\d\dQZX")


def _denied(policy: accord.CompiledPolicy, loaded: accord.Facts, doc: dict[str, Any], viewer: str, day: dt.date) -> list[str]:
    """The markers of the items the viewer may not see that day: their text, and their hours unless
    the viewer may see counts and totals (a total over one item is that item's hours)."""
    out = []
    for i, item in enumerate(doc["evidence"]):
        outcome = access(policy, loaded, viewer, item["id"], day).outcome
        if outcome is not Access.ALLOW:
            out.append(s.marker(i))
        if outcome not in (Access.ALLOW, Access.COUNTS_ONLY):
            out.append(s.marker_hours(i))
    return out


def _leaks(markers: list[str], text: str) -> list[str]:
    return [m for m in markers if m in text]


#: as-of dates late in the window, so that most records are dated before them and read
LATE = st.dates(dt.date(2026, 6, 1), dt.date(2026, 12, 31))
#: p0 sees her own logs only; her log's author p1 has a log she may not see, which the rule reads
LEAK_POLICY = (
    'policy "Leak"\n  programme demo\nrecord mentoring_log\n  visible to subject\nrole mentor\n  require "r": true\n'
    'role mentee\n  require "r": latest(evidence mentoring_log of latest(evidence mentoring_log).author).hours >= 1 hours\n'
    'pair mentor, mentee\n  require "p": true\n'
)
LEAK_DOC = {
    "places": s.PLACES, "people": [{"id": p} for p in s.PEOPLE[:3]], "relationships": [], "consents": [],
    "evidence": [
        {"id": "r0", "kind": "mentoring_log", "subject": "p1", "author": "p2", "date": "2025-05-01", "topic": s.marker(0), "hours": s.marker_hours(0)},
        {"id": "r1", "kind": "mentoring_log", "subject": "p0", "author": "p1", "date": "2025-05-01", "topic": s.marker(1), "hours": s.marker_hours(1)},
    ],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(s.content_policies(), s.record_documents(markers=True, max_items=5, people=s.PEOPLE[:3], kinds=s.CONTENT_KINDS), LATE, st.sampled_from(s.PEOPLE[:3]), st.sampled_from(s.PEOPLE[:3]))
@example(LEAK_POLICY, LEAK_DOC, dt.date(2026, 1, 1), "p0", "p1").via("the redaction that looked at the subject's records only")
def test_no_output_for_a_viewer_holds_a_denied_records_content(text, doc, day, viewer, other):
    policy, loaded = load(text), facts_from_document(doc)
    note(json.dumps(doc))
    hidden = _denied(policy, loaded, doc, viewer, day)
    assume(hidden)
    for person in s.PEOPLE[:3]:
        for role in ("mentor", "mentee"):
            for explain in (False, True):
                d = both(lambda e: accord.decide(policy, loaded, person, role, day, explain=explain, engine=e))
                shown = redact(d, policy, loaded, viewer)
                assert shown.outcome is d.outcome
                out = decision_text(shown, explain=explain) + json.dumps(decision_json(shown))
                assert not _leaks(hidden, out), f"{viewer} sees {_leaks(hidden, out)} in {person} as {role}"
        d = both(lambda e: accord.decide_pair(policy, loaded, person, other, day, engine=e))
        shown = redact(d, policy, loaded, viewer)
        out = decision_text(shown) + json.dumps(decision_json(shown))
        assert not _leaks(hidden, out), f"{viewer} sees {_leaks(hidden, out)} in the pair {person}, {other}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(s.content_policies(), s.record_documents(markers=True, max_items=4, people=s.PEOPLE[:3], kinds=s.CONTENT_KINDS), LATE, st.sampled_from(s.PEOPLE[:3]), st.sampled_from(s.PEOPLE[:3]))
@example(LEAK_POLICY, LEAK_DOC, dt.date(2026, 1, 1), "p0", "p0")
def test_the_cli_viewer_option_shows_no_denied_content(tmp_path_factory, text, doc, day, viewer, person):
    folder = tmp_path_factory.mktemp("leak")
    (folder / "p.accord").write_text(text, encoding="utf-8")
    (folder / "f.json").write_text(json.dumps(doc), encoding="utf-8")
    policy, loaded = load(text), facts_from_document(doc)
    hidden = _denied(policy, loaded, doc, viewer, day)
    common = ["--policy", str(folder / "p.accord"), "--as-of", day.isoformat(), "--viewer", viewer]
    for args in (
        ["check", str(folder / "f.json"), "--person", person, "--role", "mentee", *common],
        ["check", str(folder / "f.json"), "--role", "mentor", *common],  # everyone, one line each
        ["check", str(folder / "f.json"), "--person", person, "--role", "mentor", "--explain", *common],
        ["pair", str(folder / "f.json"), person, "p0", *common],
    ):
        for fmt in ("text", "json"):
            result = CliRunner().invoke(main, [*args, "--format", fmt])
            assert result.exit_code in (0, 1, 3), result.output
            assert not _leaks(hidden, result.stdout), (args, _leaks(hidden, result.stdout))


# =========================================================================== (d) evidence only adds


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text.split()[0])


MET = ("met", "met late")


@FAST
@given(s.quota_policies(), st.lists(s.quota_items(), max_size=5), s.quota_items(), s.window_dates())
def test_adding_evidence_never_undoes_a_met_quota(text, items, extra, day):
    policy = load(text)
    base = {"people": [{"id": "dev"}], "evidence": [dict(item, id=f"e{i}") for i, item in enumerate(items)]}
    more = copy.deepcopy(base)
    more["evidence"].append(dict(extra, id="added"))
    note(json.dumps(more))
    before = both(lambda e: commitments(policy, facts_from_document(base), "dev", day, engine=e)).commitments[0]
    after = both(lambda e: commitments(policy, facts_from_document(more), "dev", day, engine=e)).commitments[0]
    for b, a in zip(before.parts, after.parts):
        assert "unknown" not in (a.status, b.status), "every field the measures read is known"
        assert _amount(a.done) >= _amount(b.done), (b.label, b.done, a.done)
        assert _amount(a.remaining) <= _amount(b.remaining)
        if b.status in MET:
            assert a.status in MET, (b.label, b.status, a.status)
            assert a.met_on <= b.met_on
            if b.status == "met":
                assert a.status == "met"
    if before.status in MET:
        assert after.status in MET


# =========================================================================== (e) layers never loosen


@settings(max_examples=150, deadline=None)
@given(s.layer_settings())
@example(("years", "3 years", None, "3 years", "set"))  # fixed: not even its own value
@example(("years", "3 years", "raise", "2.99 years", "set"))
@example(("hours", "40 hours", "lower", "40 hours", "set"))
@example(("performance", "proficient", "raise", "needs_improvement", "set"))
@example(("date", "2025-09-01", "lower", "none", "set"))
def test_a_child_never_loosens_its_parents_parameters(tmp_path_factory, setting):
    kind, parent_value, right, child_value, how = setting
    folder = tmp_path_factory.mktemp("layers")
    (folder / "parent.accord").write_text(s.layer_parent_text(kind, parent_value, right), encoding="utf-8")
    statement = {"set": f"set p = {child_value}", "parameter": f"parameter p = {child_value}", "define": f"define p = {child_value}"}[how]
    if how != "set" and child_value == "none":
        statement = "parameter p: number = none" if how == "parameter" else "define p = 1 years"
    child = folder / "child.accord"
    child.write_text(f'policy "Generated child"\n  extends "parent"\n\n{statement}\n', encoding="utf-8")
    note(child.read_text())
    try:
        policy = accord.load_policy(child)
    except accord.PolicyError as exc:
        codes = [d.code for d in exc.diagnostics]
        note(str(exc))
        if how == "parameter":
            assert codes == ["P124"]
        elif how == "define":
            assert "P113" in codes
        elif right is None:
            assert codes == ["P123"]
        else:
            assert codes == ["P123"] and right in ("raise", "lower")
            assert child_value == "none" or (
                s.layer_value_key(kind, child_value) < s.layer_value_key(kind, parent_value) if right == "raise"
                else s.layer_value_key(kind, child_value) > s.layer_value_key(kind, parent_value)
            )
        return
    assert how == "set", "redeclaring or redefining a parent's parameter is always an error"
    assert right is not None, "a fixed parameter can never be set"
    value = policy.checked.parameters["p"].value
    if child_value == "none":
        assert right == "change" and isinstance(value, accord.Unknown)
        return
    assert (value.name if kind == "performance" else value) == (child_value if kind == "performance" else s.layer_value_key(kind, child_value))
    old, new = s.layer_value_key(kind, parent_value), s.layer_value_key(kind, child_value)
    if right != "change":
        assert (new >= old) if right == "raise" else (new <= old)


@settings(max_examples=80, deadline=None)
@given(s.layer_settings(), s.layer_settings())
def test_a_grandchild_is_held_to_the_childs_value(tmp_path_factory, first, second):
    kind, parent_value, right, child_value, _ = first
    _, _, _, grand_value, _ = second
    assume(right in ("raise", "lower") and child_value != "none")
    grand_value = child_value if second[0] != kind else grand_value
    folder = tmp_path_factory.mktemp("grand")
    (folder / "parent.accord").write_text(s.layer_parent_text(kind, parent_value, right), encoding="utf-8")
    (folder / "child.accord").write_text(f'policy "C"\n  extends "parent"\nset p = {child_value}\n', encoding="utf-8")
    (folder / "grand.accord").write_text(f'policy "G"\n  extends "child"\nset p = {grand_value}\n', encoding="utf-8")
    key = lambda v: s.layer_value_key(kind, v)  # noqa: E731
    child_ok = key(child_value) >= key(parent_value) if right == "raise" else key(child_value) <= key(parent_value)
    grand_ok = grand_value != "none" and (key(grand_value) >= key(child_value) if right == "raise" else key(grand_value) <= key(child_value))
    try:
        accord.load_policy(folder / "grand.accord")
        assert child_ok and grand_ok
    except accord.PolicyError as exc:
        assert not (child_ok and grand_ok)
        assert {d.code for d in exc.diagnostics} == {"P123"}
