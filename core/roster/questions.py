"""Whole-roster questions and the decision log.

Every person is answered under the layer of their own place (`PolicyChooser`), in batches of
people read from the roster as of the question's day (`Roster.batches`), so memory stays bounded
however large the roster. Questions are asked only through the public functions (`accord.decide`,
`accord.incentives.incentives`, `accord.commitments.commitments`) and rendered by
`accord.explain`. `log_decisions` appends each decision, with its reasons, the policy's name,
version and content hash and the roster's revision, to the append-only `decisions` table;
`replay` decides logged decisions again and says which would now differ, and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import attrs

from .. import ir
from ..errors import UsageError
from ..model import Facts
from ..question import Policies
from .store import Roster, _now


#: the policy each person is answered under, as `accord check` chooses it
PolicyChooser = Policies


def policy_hash(compiled: Any) -> str:
    """The content hash of a policy: its checked form, every layer and parameter included."""
    checked = compiled.checked
    parts = [checked.text, *(f"{f}|{n}|{k}|{p}" for f, n, k, p in checked.layers)]
    parts += [f"{p.name}={p.value!r}" for p in checked.parameters.values()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def roles_of(chooser: PolicyChooser, facts: Facts, person_id: str, role: str | None) -> list[str]:
    """The role asked about, or (role None) every role of the person's policy."""
    if role is not None:
        return [role]
    return list(chooser.for_person(facts, person_id).checked.roles)


# --------------------------------------------------------------------------- asking everyone


@attrs.frozen
class Answer:
    """One person's answer to one question: a `Decision`, an `IncentiveReport` or a `CommitmentReport`."""

    person: str
    question: str  # eligibility:ROLE | incentives | commitments
    result: Any
    policy: Any


def ask(
    roster: Roster,
    chooser: PolicyChooser,
    question: str,
    day: dt.date,
    *,
    roles: Sequence[str] | None = None,
    people: Sequence[str] | None = None,
    batch: int = 2000,
    engine: str = "compiled",
) -> Iterator[Answer]:
    """Answer `question` (eligibility, incentives, commitments) for everyone, batch by batch.

    For eligibility `roles` names the roles (None: every role of each person's policy).
    """
    from ..evaluate import decide

    if not _self_contained(chooser.every_policy(roster.places()), question, roles):
        batch = 1 << 62  # a rule reads other people's records: the whole roster in one batch
    for facts, ids in roster.batches(day, batch, people):
        for pid in ids:
            compiled = chooser.for_person(facts, pid)
            if question == "eligibility":
                for role in roles if roles is not None else list(compiled.checked.roles):
                    yield Answer(pid, f"eligibility:{role}", decide(compiled, facts, pid, role, day, engine=engine), compiled)
            elif question == "incentives":
                from ..incentives import incentives

                yield Answer(pid, "incentives", incentives(compiled, facts, pid, day, engine=engine), compiled)
            elif question == "commitments":
                from ..commitments import commitments

                role = roles[0] if roles else None
                yield Answer(pid, "commitments", commitments(compiled, facts, pid, day, role=role, engine=engine), compiled)
            else:
                raise UsageError(f"no question `{question}`; ask eligibility, incentives or commitments")


def outcome_of(answer: Answer) -> str:
    """The answer in one word: eligible / not_eligible / undetermined, receives / nothing, on_track / late / unknown."""
    r = answer.result
    if answer.question.startswith("eligibility:"):
        return str(r.outcome_word)
    from ..evaluate import Outcome

    if answer.question == "incentives":
        outcomes = {a.outcome for a in r.awards}
        return "undetermined" if Outcome.UNKNOWN in outcomes else "receives" if Outcome.YES in outcomes else "nothing"
    return {0: "on_track", 1: "late", 3: "unknown"}.get(r.exit_code, str(r.exit_code))


def reasons_json(answer: Answer) -> dict[str, Any]:
    """The documented JSON of the answer (`accord.explain`)."""
    from ..explain import commitments_json, decision_json, incentives_json

    if answer.question.startswith("eligibility:"):
        return decision_json(answer.result)
    if answer.question == "incentives":
        return incentives_json(answer.result)
    return commitments_json(answer.result)


def summary(answer: Answer) -> str:
    """What decided an eligibility answer, in one line (the same choice as `accord check` for several people)."""
    from ..evaluate import Outcome

    d = answer.result
    if not answer.question.startswith("eligibility:"):
        return ""
    if d.decided_by:
        return f'by exception "{d.decided_by}"'
    failed = [r for r in d.requirements if r.status == "not met"]
    if d.outcome is Outcome.UNKNOWN and failed:
        reasons = failed + [r for r in d.exceptions if r.status in ("unknown", "error")]
    elif d.outcome is Outcome.UNKNOWN:
        reasons = [r for r in (*d.requirements, *d.exceptions) if r.status in ("unknown", "error")]
    else:
        reasons = failed
    reasons = reasons or [r for r in d.requirements if r.status != "met"]
    return "; ".join(f"{r.label}: {r.because}" for r in reasons[:2]) + (" ..." if len(reasons) > 2 else "")


# --------------------------------------------------------------------------- the decision log


#: what `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` makes, without a new encoder a row
_REASONS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def log_decisions(roster: Roster, answers: Iterable[Answer], day: dt.date, chunk: int = 5000) -> int:
    """Append every answer, with its reasons, to the `decisions` table; returns how many."""
    revision = roster.revision()
    hashes: dict[int, str] = {}
    conn = roster.conn
    written = 0
    rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO decisions (person, question, outcome, reasons, as_of, policy, policy_version, policy_hash, roster_revision, decided_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        rows.clear()

    for a in answers:
        key = id(a.policy)
        if key not in hashes:
            hashes[key] = policy_hash(a.policy)
        checked = a.policy.checked
        reasons = _REASONS.encode(reasons_json(a))
        rows.append((a.person, a.question, outcome_of(a), reasons, day.isoformat(), checked.name, checked.version, hashes[key], revision, _now()))
        written += 1
        if len(rows) >= chunk:
            flush()
    if rows:
        flush()
    return written


@attrs.frozen
class Logged:
    """A decision from the log."""

    seq: int
    person: str
    question: str
    outcome: str
    reasons: str
    as_of: dt.date
    policy: str
    policy_version: str | None
    policy_hash: str
    roster_revision: int
    decided_at: str


def logged(roster: Roster, person: str | None = None, latest: bool = False) -> Iterator[Logged]:
    """The logged decisions, oldest first (of one person; only each person's latest per question)."""
    sql = "SELECT seq, person, question, outcome, reasons, as_of, policy, policy_version, policy_hash, roster_revision, decided_at FROM "
    sql += "latest_decisions" if latest else "decisions"
    args: list[Any] = []
    if person is not None:
        sql += " WHERE person = ?"
        args.append(person)
    sql += " ORDER BY seq"
    for row in roster.conn.execute(sql, args):
        yield Logged(*row[:5], dt.date.fromisoformat(row[5]), *row[6:])  # type: ignore[misc]


@attrs.frozen
class Difference:
    """A logged decision that would now be decided otherwise, and why."""

    then: Logged
    now_outcome: str
    why: tuple[str, ...]  # "the policy changed", "the facts changed"
    changed: tuple[str, ...]  # the rules whose status changed


def _statuses(reasons: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key in ("requirements", "exceptions", "awards", "commitments"):
        for r in reasons.get(key, []) or []:
            if isinstance(r, dict):
                out[str(r.get("label"))] = str(r.get("status", r.get("outcome")))
    return out


def replay(roster: Roster, chooser: PolicyChooser, latest: bool = True, batch: int = 2000) -> Iterator[tuple[Logged, Difference | None]]:
    """Decide every logged decision again (each person's latest per question, unless `latest` is False)."""
    entries = list(logged(roster, latest=latest))
    revision = roster.revision()
    by_day: dict[dt.date, list[Logged]] = {}
    for e in entries:
        by_day.setdefault(e.as_of, []).append(e)
    for day, group in sorted(by_day.items()):
        ids = list(dict.fromkeys(e.person for e in group))
        wanted: dict[str, list[Logged]] = {}
        for e in group:
            wanted.setdefault(e.person, []).append(e)
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            known = roster._existing(chunk)
            facts = roster.facts_as_of(day, [p for p in chunk if p in known])
            for pid in chunk:
                for e in wanted[pid]:
                    yield e, _again(e, facts, pid, chooser, day, revision, pid in known)


def _again(e: Logged, facts: Facts, pid: str, chooser: PolicyChooser, day: dt.date, revision: int, present: bool) -> Difference | None:
    if not present:
        return Difference(e, "gone", ("the person is no longer in the roster",), ())
    compiled = chooser.for_person(facts, pid)
    if e.question.startswith("eligibility:"):
        roles: list[str] | None = [e.question.split(":", 1)[1]]
        question = "eligibility"
    else:
        roles, question = None, e.question
    from ..evaluate import decide

    if question == "eligibility":
        assert roles is not None
        answer = Answer(pid, e.question, decide(compiled, facts, pid, roles[0], day), compiled)
    elif question == "incentives":
        from ..incentives import incentives

        answer = Answer(pid, e.question, incentives(compiled, facts, pid, day), compiled)
    else:
        from ..commitments import commitments

        answer = Answer(pid, e.question, commitments(compiled, facts, pid, day), compiled)
    now = reasons_json(answer)
    then = json.loads(e.reasons)
    if outcome_of(answer) == e.outcome and _statuses(now) == _statuses(then):
        return None
    why = []
    if policy_hash(compiled) != e.policy_hash:
        why.append("the policy changed")
    if revision != e.roster_revision:
        why.append("the facts changed")
    if not why:
        why.append("the engine decides otherwise")
    before, after = _statuses(then), _statuses(now)
    changed = tuple(k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k))
    return Difference(e, outcome_of(answer), tuple(why), changed)


def _self_contained(policies: Sequence[Any], question: str, roles: Sequence[str] | None) -> bool:
    """Whether answering reads nothing beyond each person's own facts, evidence and place, and the
    facts of the people they are related to: then a batch of people, with whom they reach, is
    enough (see `Roster.document`). A rule that reads through a relationship (`person.mentee`)
    or calls a plugin function (or reads a computed fact) may read further, so such questions are asked of the whole roster.
    """
    if question != "eligibility":
        return False
    for compiled in policies:
        names = roles if roles is not None else list(compiled.checked.roles)
        for name in names:
            role = compiled.checked.roles.get(name)
            if role is None:
                continue
            for rule in (*role.requirements, *role.exceptions):
                if any(isinstance(n, (ir.Related, ir.HoldersAt, ir.CallFn)) or (isinstance(n, ir.Fact) and n.derive is not None) for n in ir.walk(rule.condition)):
                    return False
    return True
