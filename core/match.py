"""Matching (`accord match`): who should mentor whom, as an optimal, explained assignment.

In: a policy for each person (a district's layer, or one policy), facts, an as-of date, the pair
rule's ends, pairs to keep (`fixed`). Out: a `MatchReport`: the proposed pairs with the
preferences each meets, every mentee left without a mentor and why, the people whose eligibility
is undetermined, the totals and how far a greedy assignment falls short.

The pool: a person eligible (yes) for a mentee role and with no current relationship of the pair
rule's kind is a mentee; otherwise a person eligible for the mentor role with capacity left is a
mentor. Capacity is the mentor's policy's `mentees_per_mentor` (1 where the policy has none),
lowered by the person's `mentee_capacity` fact, less their current mentees and fixed pairs.

Hard rules are the pair rule's requirements: a pair is a candidate only when all are met (an
unknown one excludes it: nothing undetermined is proposed). The objective is lexicographic: first
the number of mentees matched, then the total weight of the `first` preferences met, then the
total weight of the others. Weights are scaled to whole numbers and the three levels packed into
one exact integer cost, and the assignment is solved by `scipy.optimize.linear_sum_assignment`
(rows: mentees; columns: one per mentor's free place, and one "no mentor" column per mentee).
Rows and columns are in id order and the solver is deterministic, so a run is repeatable.

The pair rules run through the compiled block of each policy (`evaluate.run_block`), not through
`decide_pair`: a Cumbria-sized pool asks about a million pairs, and a full `Decision` per pair
would cost more than the matching itself. `decide_pair` (and `access.redact`) explain the few
pairs shown to a `viewer`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .check import CAPACITY_PARAMETER
from .compile import CompiledPolicy
from .errors import Diagnostic, UsageError
from .answers import HIDDEN, MET, NOT_MET, UNKNOWN
from .evaluate import decide, decide_pair, pair_rule
from .outcome import Outcome
from .model import Facts, Person
from .runtime import Context
from .values import Unknown

#: the fact that lowers one mentor's capacity (declared by the educator plugin)
CAPACITY_FACT = "mentee_capacity"
#: exact integers in a float64 cost matrix: every total the solver forms must stay below this
_EXACT = 2**52

PolicyFor = Callable[[str], CompiledPolicy]


@attrs.frozen
class Pairing:
    """A proposed (or fixed) pair: the preferences it meets and its score."""

    mentor: str
    mentee: str
    mentor_name: str
    mentee_name: str
    status: str  # proposed | fixed
    score: Decimal
    first_score: Decimal
    met: tuple[str, ...]  # the labels of the preferences met; `first` ones first
    hidden: bool = False  # some preference rests on a record the viewer may not see


@attrs.frozen
class Exclusion:
    """Why one candidate mentor was not given to an unmatched mentee."""

    mentor: str
    reason: str  # capacity | rule | hidden
    rule: str | None = None  # the label of the first requirement not met
    status: str | None = None  # not met | unknown
    because: str = ""


@attrs.frozen
class Unmatched:
    mentee: str
    mentee_name: str
    candidates: tuple[Exclusion, ...]


@attrs.frozen
class Undetermined:
    """A person whose eligibility for an end of the pair could not be decided, and what is missing."""

    person: str
    name: str
    roles: tuple[str, ...]
    missing: tuple[str, ...]


@attrs.frozen
class Totals:
    matched: int
    first: Decimal
    score: Decimal
    seconds: float = 0.0


@attrs.frozen
class MatchReport:
    """The proposal and its explanation (`explain_match` turns it into text, JSON or CSV)."""

    policy: str
    as_of: dt.date
    ends: tuple[str, str]
    relationship: str
    pairs: tuple[Pairing, ...]
    kept: tuple[tuple[str, str], ...]
    unmatched: tuple[Unmatched, ...]
    undetermined: tuple[Undetermined, ...]
    mentees: int  # the mentees in the pool (without a current mentor)
    mentors: tuple[tuple[str, int, int], ...]  # (id, capacity, places left before matching)
    totals: Totals
    greedy: Totals | None
    viewer: str | None = None
    withheld: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 every mentee has a mentor, 1 some have none, 3 all matched but someone is undetermined."""
        if self.unmatched:
            return 1
        return 3 if self.undetermined else 0


def _error(code: str, message: str, hint: str | None = None) -> UsageError:
    return UsageError([Diagnostic(code, message, hint=hint)])


@attrs.frozen
class _Rule:
    """One policy's pair block, its split and its integer weights."""

    policy: CompiledPolicy
    key: str
    n: int  # requirements
    first: tuple[int, ...]  # scaled weight per preference if `first`, else 0
    rest: tuple[int, ...]
    labels: tuple[str, ...]
    req_labels: tuple[str, ...]


def match(
    policy: CompiledPolicy | PolicyFor,
    facts: Facts,
    as_of: dt.date,
    *,
    ends: str | Sequence[str] | None = None,
    mentee_roles: Sequence[str] | None = None,
    mentor_role: str | None = None,
    place: str | None = None,
    fixed: Iterable[tuple[str, str]] = (),
    viewer: str | None = None,
    greedy: bool = True,
) -> MatchReport:
    """Propose an optimal assignment of mentors to mentees under the policy's pair rule.

    `policy` is one compiled policy or a function from a person id to theirs (a district's
    layer): eligibility is decided under each person's own policy, a pair under the mentee's.
    `mentee_roles` default to the pair rule's second end, `mentor_role` to its first.
    """
    policy_for: PolicyFor = (lambda _pid: policy) if isinstance(policy, CompiledPolicy) else policy
    people = sorted(facts.people)
    if place is not None:
        if place not in facts.places:
            from .errors import suggest

            hint = suggest(place, facts.places)
            raise _error("P183", f"no place `{place}` in {facts.source}", f"did you mean `{hint}`?" if hint else "name a place of the facts file")
        people = [p for p in people if place in {x.id for x in facts.place_chain(facts.people[p].place)}]
    if viewer is not None:
        facts.person(viewer)
    first_policy = policy if isinstance(policy, CompiledPolicy) else policy_for(people[0]) if people else None
    if first_policy is None:
        raise _error("P183", f"no people to match in {facts.source}" + (f" under place `{place}`" if place else ""))
    _, pair = pair_rule(first_policy, ends)
    end_names = (pair.first, pair.second)
    kind = _kind(end_names)
    mentee_roles = tuple(mentee_roles or (pair.second,))
    mentor_role = mentor_role or pair.first

    # ---- the pool
    current: dict[str, list[str]] = {}  # mentor -> current mentees
    has_mentor: set[str] = set()
    kept: list[tuple[str, str]] = []
    for rel in facts.relationships:
        if rel.kind == kind and rel.period.contains(as_of):
            a, b = rel.ends.get(pair.first), rel.ends.get(pair.second)
            if a and b:
                current.setdefault(a, []).append(b)
                has_mentor.add(b)
                if a in facts.people and b in facts.people and (a in people or b in people):
                    kept.append((a, b))
    mentees: list[Person] = []
    mentors: list[Person] = []
    capacity: dict[str, int] = {}
    undetermined: list[Undetermined] = []
    for pid in people:
        person = facts.people[pid]
        pol = policy_for(pid)
        missing: set[str] = set()
        unsure: list[str] = []
        outcomes = []
        for role in mentee_roles:
            d = decide(pol, facts, pid, role, as_of)
            outcomes.append(d.outcome)
            if d.outcome is Outcome.UNKNOWN:
                unsure.append(role)
                missing.update(d.missing)
        if Outcome.YES in outcomes or pid in has_mentor:  # someone with a mentor is not offered as one
            if pid not in has_mentor:
                mentees.append(person)
            continue
        d = decide(pol, facts, pid, mentor_role, as_of)
        if d.outcome is Outcome.YES:
            cap = _capacity(pol, person) - len(current.get(pid, ()))
            capacity[pid] = max(cap, 0)
            mentors.append(person)
            continue
        if d.outcome is Outcome.UNKNOWN:
            unsure.append(mentor_role)
            missing.update(d.missing)
        if unsure:
            undetermined.append(Undetermined(pid, person.name, tuple(unsure), tuple(sorted(missing))))
    places_before = tuple((m.id, capacity[m.id] + len(current.get(m.id, ())), capacity[m.id]) for m in mentors)

    # ---- the candidate pairs
    ctx = Context.of(facts, as_of)
    rules: dict[int, _Rule] = {}
    scale = _scale(policy_for, mentees, ends)

    def rule_of(mentee: Person) -> _Rule:
        pol = policy_for(mentee.id)
        got = rules.get(id(pol))
        if got is None:
            index, p = pair_rule(pol, ends)
            w = [int(r.weight * scale) if r.weight else 0 for r in p.preferences]
            got = rules[id(pol)] = _Rule(
                pol, f"pair:{index}", len(p.requirements),
                tuple(x if r.first else 0 for x, r in zip(w, p.preferences)),
                tuple(0 if r.first else x for x, r in zip(w, p.preferences)),
                tuple(r.label for r in p.preferences), tuple(r.label for r in p.requirements),
            )
        return got

    fixed_pairs = _fixed(fixed, facts, mentees, mentors, capacity, rule_of, ctx)
    fixed_mentees = {b for _, b in fixed_pairs}
    pool = [m for m in mentees if m.id not in fixed_mentees]
    open_mentors = [m for m in mentors if capacity[m.id] > 0]
    # edges[i] = [(j, first, rest)] for every allowed pair of mentee i and open mentor j. The inner
    # loop is the matcher's cost (a million pairs at Cumbria's size): plain list and identity
    # tests, no generators, and the met preferences are worked out again only for the chosen pairs.
    edges: list[list[tuple[int, int, int]]] = []
    for mentee in pool:
        r = rule_of(mentee)
        block, n, fw, rw = r.policy.blocks[r.key], r.n, r.first, r.rest
        all_true = [True] * n
        prefs = tuple(range(len(fw)))
        row = []
        for j, mentor in enumerate(open_mentors):
            vals = [x[0] for x in block(ctx, mentor, mentee)[0]]
            if vals[:n] == all_true:  # a rule gives True, False, an Unknown or a RuleFailure: none of the others equals True
                f = s = 0
                for k in prefs:
                    if vals[n + k] is True:
                        f += fw[k]
                        s += rw[k]
                row.append((j, f, s))
        edges.append(row)

    # ---- solve
    started = time.perf_counter()
    chosen = _solve(edges, [capacity[m.id] for m in open_mentors])
    solved = time.perf_counter() - started
    greedy_totals = _greedy(edges, [capacity[m.id] for m in open_mentors], scale) if greedy else None

    out: list[Pairing] = []
    for a, b in fixed_pairs:
        mentee = facts.people[b]
        r = rule_of(mentee)
        raws = r.policy.blocks[r.key](ctx, facts.people[a], mentee)[0]
        met = tuple(k for k, x in enumerate(raws[r.n:]) if x[0] is True)
        out.append(_pairing(facts.people[a], mentee, "fixed", r, met, scale))
    for i, e in chosen.items():
        j = edges[i][e][0]
        r = rule_of(pool[i])
        raws = r.policy.blocks[r.key](ctx, open_mentors[j], pool[i])[0]
        met = tuple(k for k, x in enumerate(raws[r.n:]) if x[0] is True)
        out.append(_pairing(open_mentors[j], pool[i], "proposed", r, met, scale))
    out.sort(key=lambda p: (p.mentee, p.mentor))

    unmatched = []
    taken = {p.mentor: 0 for p in out}
    for p in out:
        taken[p.mentor] += 1
    for i, mentee in enumerate(pool):
        if i in chosen:
            continue
        r = rule_of(mentee)
        why = []
        for mentor in mentors:
            raws = r.policy.blocks[r.key](ctx, mentor, mentee)[0]
            bad = next(((k, x[0]) for k, x in enumerate(raws[: r.n]) if x[0] is not True), None)
            if bad is None:
                left = capacity[mentor.id]
                because = _places(left, len(current.get(mentor.id, ())))
                why.append(Exclusion(mentor.id, "capacity", because=because))
            else:
                status = NOT_MET if bad[1] is False else UNKNOWN
                because = "missing " + ", ".join(sorted(bad[1].missing)) if isinstance(bad[1], Unknown) else ""
                why.append(Exclusion(mentor.id, "rule", r.req_labels[bad[0]], status, because))
        unmatched.append(Unmatched(mentee.id, mentee.name, tuple(why)))

    totals = Totals(
        len(out),
        sum((p.first_score for p in out), Decimal(0)),
        sum((p.score for p in out), Decimal(0)),
        solved,
    )
    report = MatchReport(
        policy=first_policy.checked.name,
        as_of=as_of,
        ends=end_names,
        relationship=kind,
        pairs=tuple(out),
        kept=tuple(sorted(kept)),
        unmatched=tuple(unmatched),
        undetermined=tuple(undetermined),
        mentees=len(mentees),
        mentors=places_before,
        totals=totals,
        greedy=attrs.evolve(greedy_totals, matched=greedy_totals.matched + len(fixed_pairs),
                            first=greedy_totals.first + sum((p.first_score for p in out if p.status == "fixed"), Decimal(0)),
                            score=greedy_totals.score + sum((p.score for p in out if p.status == "fixed"), Decimal(0)))
        if greedy_totals else None,
    )
    return _redact(report, policy_for, facts, viewer) if viewer else report


def _places(proposed: int, current: int) -> str:
    if proposed:
        return f"its {proposed} place{'s' if proposed != 1 else ''} taken in this proposal" + (f" ({current} already taken)" if current else "")
    return f"no place left ({current} current {'mentees' if current != 1 else 'mentee'})"


def _kind(ends: tuple[str, str]) -> str:
    from .registry import default_registry

    for k in default_registry().schema.relationships.values():
        if tuple(k.ends) == ends:
            return str(k.name)
    raise _error("P184", f"no relationship kind has the ends `{ends[0]}, {ends[1]}`, so there is nothing to propose")


def _capacity(policy: CompiledPolicy, person: Person) -> int:
    param = policy.checked.parameters.get(CAPACITY_PARAMETER)
    cap = 1 if param is None or isinstance(param.value, Unknown) else int(param.value)  # type: ignore[arg-type]
    own = person.facts.get(CAPACITY_FACT)
    if isinstance(own, Decimal) and own >= 0:  # the person's own figure can lower the policy's, never raise it
        cap = min(cap, int(own))
    return cap


def _scale(policy_for: PolicyFor, mentees: Sequence[Person], ends: Any) -> int:
    """10 to the largest number of decimal places of any weight: weights times it are whole."""
    places = 0
    seen: set[int] = set()
    for m in mentees:
        pol = policy_for(m.id)
        if id(pol) in seen:
            continue
        seen.add(id(pol))
        for r in pair_rule(pol, ends)[1].preferences:
            if r.weight is not None:
                places = max(places, -int(r.weight.normalize().as_tuple().exponent))
    return 10**places


def _fixed(
    fixed: Iterable[tuple[str, str]], facts: Facts, mentees: list[Person], mentors: list[Person],
    capacity: dict[str, int], rule_of: Callable[[Person], _Rule], ctx: Context,
) -> list[tuple[str, str]]:
    """Check and place the pairs to keep: each mentee in the pool, each mentor eligible with a place left."""
    out: list[tuple[str, str]] = []
    pool, able = {m.id for m in mentees}, {m.id for m in mentors}
    for a, b in fixed:
        facts.person(a), facts.person(b)
        if b not in pool or b in {y for _, y in out}:
            raise _error("P185", f"fixed pair `{a}:{b}`: `{b}` is not a mentee waiting for a mentor", "fix only mentees who are eligible and have no current mentor")
        if a not in able:
            raise _error("P185", f"fixed pair `{a}:{b}`: `{a}` is not an eligible mentor", "check them with `accord check --role` first")
        if capacity[a] <= 0:
            raise _error("P185", f"fixed pair `{a}:{b}`: `{a}` has no place left", "fix fewer pairs on this mentor, or raise their capacity")
        r = rule_of(facts.people[b])
        raws = r.policy.blocks[r.key](ctx, facts.people[a], facts.people[b])[0]
        bad = next((k for k, x in enumerate(raws[: r.n]) if x[0] is not True), None)
        if bad is not None:
            raise _error("P185", f"fixed pair `{a}:{b}` breaks the rule `{r.req_labels[bad]}`", f"ask `accord pair FACTS {a} {b}` why")
        capacity[a] -= 1
        out.append((a, b))
    return out


def _pairing(mentor: Person, mentee: Person, status: str, r: _Rule, met: tuple[int, ...], scale: int) -> Pairing:
    order = sorted(met, key=lambda k: (not r.first[k], k))
    return Pairing(
        mentor.id, mentee.id, mentor.name, mentee.name, status,
        Decimal(sum(r.first[k] + r.rest[k] for k in met)) / scale,
        Decimal(sum(r.first[k] for k in met)) / scale,
        tuple(r.labels[k] for k in order),
    )


def _solve(edges: list[list[tuple[int, int, int]]], capacity: list[int]) -> dict[int, int]:
    """Mentee row -> the index of its chosen edge: the lexicographic optimum (count, first, rest)."""
    m = len(edges)
    if not m or not any(edges):
        return {}
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    slot_of: list[int] = []  # column -> mentor
    first_slot: list[int] = []
    for j, c in enumerate(capacity):
        first_slot.append(len(slot_of))
        slot_of.extend([j] * c)
    # The packing: a level's radix exceeds the largest total the levels below it can reach.
    w_rest = max((e[2] for row in edges for e in row), default=0)
    w_first = max((e[1] for row in edges for e in row), default=0)
    radix1 = m * w_rest + 1
    base = m * (w_first * radix1 + w_rest) + 1
    if m * (base + w_first * radix1 + w_rest) >= _EXACT:
        raise _error("P186", "the preference weights are too large or too finely divided to optimise exactly for this many mentees",
                     "use whole weights, or fewer decimal places")
    cols = len(slot_of)
    cost = np.full((m, cols + m), np.inf)
    cost[:, cols:] = 0.0  # "no mentor" for anyone
    total = sum(len(row) for row in edges)
    if total:
        rows_ = np.repeat(np.arange(m, dtype=np.int64), [len(row) for row in edges])
        mentor_ = np.fromiter((e[0] for row in edges for e in row), dtype=np.int64, count=total)
        value = -np.fromiter((base + e[1] * radix1 + e[2] for row in edges for e in row), dtype=np.float64, count=total)
        caps, starts = np.array(capacity, dtype=np.int64)[mentor_], np.array(first_slot, dtype=np.int64)[mentor_]
        for c in range(max(capacity)):  # a mentor's every place costs the same
            on = caps > c
            cost[rows_[on], starts[on] + c] = value[on]
    rows, picked = linear_sum_assignment(cost)
    chosen: dict[int, int] = {}
    for i, col in zip(rows.tolist(), picked.tolist()):
        if col < cols:
            j = slot_of[col]
            chosen[i] = next(k for k, e in enumerate(edges[i]) if e[0] == j)
    return chosen


def _greedy(edges: list[list[tuple[int, int, int]]], capacity: list[int], scale: int) -> Totals:
    """The baseline: each mentee in id order takes the best mentor with a place left (ties by id)."""
    started = time.perf_counter()
    left = list(capacity)
    matched, first, rest = 0, 0, 0
    for row in edges:
        best = None
        for e in row:
            if left[e[0]] > 0 and (best is None or (e[1], e[2]) > (best[1], best[2])):
                best = e
        if best is not None:
            left[best[0]] -= 1
            matched, first, rest = matched + 1, first + best[1], rest + best[2]
    return Totals(matched, Decimal(first) / scale, Decimal(first + rest) / scale, time.perf_counter() - started)


def _redact(report: MatchReport, policy_for: PolicyFor, facts: Facts, viewer: str) -> MatchReport:
    """The report as `viewer` may see it: scores count only the preferences they may see.

    The pairs themselves stay (the assignment is the answer, like an outcome). A pair's score,
    the totals and the rules that excluded a candidate are read off `access.redact`ed decisions;
    where any preference is hidden, the greedy comparison is withheld, since the gap between the
    two assignments would tell what the hidden weights are worth.
    """
    from .access import redact

    ends = report.ends
    pairs = []
    for p in report.pairs:
        pol = policy_for(p.mentee)
        d = redact(decide_pair(pol, facts, p.mentor, p.mentee, report.as_of, ends=ends), pol, facts, viewer)
        hidden = any(r.status == HIDDEN for r in d.preferences)
        pairs.append(attrs.evolve(
            p, score=d.score, met=tuple(r.label for r in d.preferences if r.status == MET and r.label in p.met),
            first_score=sum((r.weight or Decimal(0) for r, rule in zip(d.preferences, pair_rule(pol, ends)[1].preferences)
                             if r.status == MET and rule.first), Decimal(0)),
            hidden=hidden,
        ))
    unmatched = []
    for u in report.unmatched:
        pol = policy_for(u.mentee)
        why = []
        for ex in u.candidates:
            if ex.reason == "rule":
                d = redact(decide_pair(pol, facts, ex.mentor, u.mentee, report.as_of, ends=ends), pol, facts, viewer)
                if any(r.status == HIDDEN for r in d.requirements):
                    ex = Exclusion(ex.mentor, "hidden", because="rests on a record this viewer may not see")
            why.append(ex)
        unmatched.append(attrs.evolve(u, candidates=tuple(why)))
    any_hidden = any(p.hidden for p in pairs)
    totals = attrs.evolve(
        report.totals,
        first=sum((p.first_score for p in pairs), Decimal(0)),
        score=sum((p.score for p in pairs), Decimal(0)),
    )
    return attrs.evolve(
        report, pairs=tuple(pairs), unmatched=tuple(unmatched), totals=totals, viewer=viewer,
        greedy=None if any_hidden else report.greedy,
        withheld=("score", "greedy") if any_hidden else (),
    )


# --------------------------------------------------------------------------- explain


def _show(n: Decimal) -> str:
    from .values import show_number

    return show_number(n)


def match_json(report: MatchReport) -> dict[str, Any]:
    """The report as JSON (`accord.match/1`)."""
    out: dict[str, Any] = {
        "format": "accord.match/1",
        "policy": report.policy,
        "as_of": report.as_of.isoformat(),
        "ends": list(report.ends),
        "relationship": report.relationship,
        "pairs": [
            {
                report.ends[0]: p.mentor, report.ends[1]: p.mentee, "status": p.status,
                "score": _show(p.score), "first_score": _show(p.first_score), "preferences_met": list(p.met),
            }
            for p in report.pairs
        ],
        "kept": [{report.ends[0]: a, report.ends[1]: b} for a, b in report.kept],
        "unmatched": [
            {
                report.ends[1]: u.mentee,
                "candidates": [
                    {report.ends[0]: c.mentor, "reason": c.reason, "rule": c.rule, "status": c.status, "because": c.because}
                    for c in u.candidates
                ],
            }
            for u in report.unmatched
        ],
        "undetermined": [{"person": u.person, "roles": list(u.roles), "missing": list(u.missing)} for u in report.undetermined],
        "mentors": [{"id": i, "capacity": c, "places_left": left} for i, c, left in report.mentors],
        "totals": {"mentees": report.mentees, "matched": report.totals.matched, "first_score": _show(report.totals.first), "score": _show(report.totals.score)},
    }
    if report.greedy is not None:
        g = report.greedy
        out["greedy"] = {"matched": g.matched, "first_score": _show(g.first), "score": _show(g.score)}
    if report.viewer:
        out["viewer"] = report.viewer
        out["withheld"] = list(report.withheld)
    return out


def match_csv(report: MatchReport) -> str:
    """One row per proposed, fixed or kept pair and per mentee left without a mentor."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([report.ends[0], report.ends[1], "status", "score", "first_score", "preferences_met", "why"])
    for p in report.pairs:
        w.writerow([p.mentor, p.mentee, p.status, _show(p.score), _show(p.first_score), "; ".join(p.met), ""])
    for a, b in report.kept:
        w.writerow([a, b, "kept", "", "", "", "a current relationship"])
    for u in report.unmatched:
        w.writerow(["", u.mentee, "unmatched", "", "", "", _why_summary(u)])
    return buf.getvalue()


def _why_summary(u: Unmatched) -> str:
    if not u.candidates:
        return "no eligible mentor"
    groups: dict[str, list[str]] = {}
    for c in u.candidates:
        key = f"`{c.rule}` {c.status}" if c.reason == "rule" else "no place left" if c.reason == "capacity" else "a rule this viewer may not see"
        groups.setdefault(key, []).append(c.mentor)
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in groups.items())


def match_text(report: MatchReport, *, limit: int = 8) -> str:
    """The report for people: the pairs, who is left without a mentor and why, the totals."""
    first, second = report.ends
    lines = [f"match under policy \"{report.policy}\" ({first}, {second}) as of {report.as_of.isoformat()}"]
    if report.viewer:
        lines.append(f"  as {report.viewer} may see it" + (": scores count only the preferences this viewer may see" if report.withheld else ""))
    lines.append(f"proposed pairs ({sum(p.status == 'proposed' for p in report.pairs)}):" if report.pairs else "proposed pairs: none")
    for p in report.pairs:
        met = ", ".join(p.met) if p.met else "no preference met"
        tag = " (fixed)" if p.status == "fixed" else ""
        lines.append(f"  {p.mentor} -> {p.mentee}{tag}  score {_show(p.score)}: {met}")
    if report.kept:
        lines.append(f"kept ({len(report.kept)} current {report.relationship} relationship{'s' if len(report.kept) != 1 else ''}):")
        lines.extend(f"  {a} -> {b}" for a, b in report.kept)
    if report.unmatched:
        lines.append(f"without a {first} ({len(report.unmatched)}):")
        for u in report.unmatched:
            lines.append(f"  {u.mentee}: " + ("no eligible " + first if not u.candidates else "every candidate is excluded"))
            for c in u.candidates[:limit]:
                if c.reason == "capacity":
                    lines.append(f"    {c.mentor}: capacity, {c.because}")
                elif c.reason == "hidden":
                    lines.append(f"    {c.mentor}: a rule this viewer may not see")
                else:
                    lines.append(f"    {c.mentor}: `{c.rule}` {c.status}" + (f" ({c.because})" if c.because else ""))
            if len(u.candidates) > limit:
                lines.append(f"    ... and {len(u.candidates) - limit} more (--format json lists them all)")
    if report.undetermined:
        lines.append(f"undetermined ({len(report.undetermined)}), left out:")
        for d in report.undetermined:
            lines.append(f"  {d.person} as {' or '.join(d.roles)}: missing {', '.join(d.missing) or 'nothing named'}")
    t = report.totals
    lines.append(
        f"total: {t.matched} of {report.mentees} {second}s matched, first-tier score {_show(t.first)}, score {_show(t.score)}"
    )
    if report.greedy is not None:
        g = report.greedy
        gap = f"{t.matched - g.matched} fewer matched, " if g.matched < t.matched else ""
        lines.append(
            f"a greedy assignment: {g.matched} matched, first-tier score {_show(g.first)}, score {_show(g.score)}"
            + (f" ({gap}{_show(t.first - g.first)} first-tier and {_show(t.score - g.score)} in all short)" if (g.matched, g.first, g.score) != (t.matched, t.first, t.score) else " (as good)")
        )
    elif "greedy" in report.withheld:
        lines.append("the greedy comparison is withheld: it would tell what preferences this viewer may not see are worth")
    return "\n".join(lines)


# --------------------------------------------------------------------------- accept


def read_proposal(path: str) -> tuple[str, tuple[str, str], list[tuple[str, str]]]:
    """The relationship kind, the ends and the (first, second) pairs of a proposal (JSON or CSV)."""
    import csv
    import json
    from pathlib import Path

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _error("P187", f"cannot read the proposal `{path}`: {exc.strerror or exc}") from None
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
            ends = (str(doc["ends"][0]), str(doc["ends"][1]))
            pairs = [(str(p[ends[0]]), str(p[ends[1]])) for p in doc["pairs"] if p.get("status") in ("proposed", "fixed")]
            return str(doc["relationship"]), ends, pairs
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _error("P187", f"`{path}` is not a proposal of `accord match --format json`: {exc}", "make it with `accord match ... --format json`") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or len(rows[0]) < 3 or rows[0][2] != "status":
        raise _error("P187", f"`{path}` is not a proposal of `accord match` (JSON or CSV)", "make it with `accord match ... --format json` or `--format csv`")
    ends = (rows[0][0], rows[0][1])
    return _kind(ends), ends, [(r[0], r[1]) for r in rows[1:] if len(r) > 2 and r[2] in ("proposed", "fixed")]


def _accepted(facts: Any, proposal: str, as_of: dt.date) -> tuple[str, tuple[str, str], list[tuple[str, str]], list[dict[str, str]]]:
    """A proposal's pairs checked against the facts (both people known, the mentee without a
    current mentor on `as_of`), and the relationships that accepting them adds."""
    kind, ends, pairs = read_proposal(proposal)
    busy = {rel.ends.get(ends[1]) for rel in facts.relationships if rel.kind == kind and rel.period.contains(as_of)}
    seen: set[str] = set()
    for a, b in pairs:
        facts.person(a), facts.person(b)
        if b in busy or b in seen:
            raise _error("P188", f"`{b}` already has a {ends[0]} on {as_of.isoformat()}, so the pair `{a}:{b}` cannot be accepted",
                         "propose again (`accord match`) with the facts as they are now")
        seen.add(b)
    relationships = [
        {"kind": kind, ends[0]: a, ends[1]: b, "from": as_of.isoformat(), "id": f"match-{as_of.isoformat()}-{a}-{b}"} for a, b in pairs
    ]
    return kind, ends, pairs, relationships


_PROPOSALS = (
    "CREATE TABLE IF NOT EXISTS proposals (seq INTEGER PRIMARY KEY, as_of TEXT NOT NULL, proposal TEXT NOT NULL, "
    "proposed_at TEXT NOT NULL, accepted_at TEXT)"
)


def propose_into_roster(db_path: str, proposal: dict[str, Any], as_of: dt.date) -> int:
    """Keep a proposal (`match_json`) in the roster's `proposals` table, for `accord match accept DB`; returns its number."""
    import json

    from .roster.store import _now, open_roster

    conn = open_roster(db_path).conn
    conn.execute(_PROPOSALS)
    with conn:
        cur = conn.execute("INSERT INTO proposals (as_of, proposal, proposed_at) VALUES (?,?,?)", (as_of.isoformat(), json.dumps(proposal), _now()))
    return int(cur.lastrowid or 0)


def accept_into_roster(db_path: str, proposal: str | None, as_of: dt.date) -> tuple[int, str, str]:
    """Add a proposal's pairs to a roster database as relationships valid from `as_of` (one import,
    one transaction), and record each accepted pair in the roster's append-only decision log.
    `proposal` is a proposal file, or None for the latest one the roster keeps and has not accepted.
    Returns (pairs added, database, where the log is)."""
    import json
    import tempfile
    from pathlib import Path

    from .roster.store import _now, open_roster

    roster = open_roster(db_path)
    conn = roster.conn
    conn.execute(_PROPOSALS)
    kept = None
    with tempfile.TemporaryDirectory() as folder:
        if proposal is None:
            kept = conn.execute("SELECT seq, proposal FROM proposals WHERE accepted_at IS NULL ORDER BY seq DESC LIMIT 1").fetchone()
            if kept is None:
                raise _error("P187", f"the roster `{db_path}` keeps no proposal to accept", "propose first: accord match DB --programme NAME --as-of DATE")
            proposal = str(Path(folder) / f"proposal-{kept[0]}.json")
            Path(proposal).write_text(kept[1], encoding="utf-8")
        kind, ends, pairs, relationships = _accepted(roster.facts_as_of(as_of), proposal, as_of)
        accepted = Path(folder) / "accepted.json"
        accepted.write_text(json.dumps({"relationships": relationships}), encoding="utf-8")
        roster.import_files([str(accepted)], effective=as_of)
    revision, now = roster.revision(), _now()
    if kept is not None:
        proposal = f"proposal {kept[0]} of {db_path}"
    conn.execute("BEGIN IMMEDIATE")
    try:
        if kept is not None:
            conn.execute("UPDATE proposals SET accepted_at = ? WHERE seq = ?", (now, kept[0]))
        conn.executemany(
            "INSERT INTO decisions (person, question, outcome, reasons, as_of, roster_revision, decided_at) VALUES (?,?,?,?,?,?,?)",
            [
                (b, "match accept", "accepted", json.dumps({"relationship": rel["id"], "kind": kind, ends[0]: a, ends[1]: b, "proposal": str(proposal)}),
                 as_of.isoformat(), revision, now)
                for (a, b), rel in zip(pairs, relationships)
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(pairs), db_path, f"{db_path} (table decisions)"


def accept_proposal(facts_path: str, proposal: str, as_of: dt.date, output: str | None = None, log: str | None = None) -> tuple[int, str, str]:
    """Add a proposal's pairs to a JSON facts file as relationships valid from `as_of`.

    Checks every pair first (both people known, the mentee without a current mentor on `as_of`),
    checks the new file loads, then renames it into place, so the old file is replaced whole or
    not at all. Appends one line to the decision log. Returns (pairs added, facts file, log file).
    A roster database would do the same in one transaction (see docs/matching.md).
    """
    import json
    import os
    import tempfile
    from pathlib import Path

    from .facts import load_facts

    if not facts_path.endswith(".json"):
        raise _error("P187", f"`accord match accept` writes JSON facts files, and `{facts_path}` is not one", "convert the facts to JSON first")
    kind, ends, pairs, relationships = _accepted(load_facts(facts_path), proposal, as_of)
    doc = json.loads(Path(facts_path).read_text(encoding="utf-8"))
    doc.setdefault("relationships", []).extend(relationships)
    out = Path(output or facts_path)
    fd, tmp = tempfile.mkstemp(prefix=".accord-", suffix=".json", dir=out.parent if str(out.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        load_facts(tmp)  # the new file must load before it replaces anything
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log_file = Path(log) if log else out.parent / "decisions.jsonl"
    entry = {
        "decision": "match accepted", "as_of": as_of.isoformat(), "proposal": str(proposal), "facts": str(out),
        "relationship": kind, "pairs": [{ends[0]: a, ends[1]: b} for a, b in pairs],
    }
    with open(log_file, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return len(pairs), str(out), str(log_file)
