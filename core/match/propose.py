"""Proposing a matching: every pair asked, the assignment solved (scipy), what could not be matched and why."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..answers import HIDDEN, MET, NOT_MET, UNKNOWN
from ..check import CAPACITY_PARAMETER
from ..compile import CompiledPolicy
from ..errors import Diagnostic, UsageError
from ..evaluate import decide, decide_pair, pair_rule
from ..model import Facts, Person
from ..outcome import Outcome
from ..runtime import Context
from ..values import Unknown

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
    if facts.dated:
        facts = facts.on(as_of)  # dated facts: the values in force on the as-of date
    people = sorted(facts.people)
    if place is not None:
        if place not in facts.places:
            from ..errors import suggest

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
    from ..registry import default_registry

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
    from ..access import redact

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
