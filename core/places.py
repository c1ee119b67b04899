"""Places as actors: what a place pays and receives (`accord incentives FACTS --place ID`) and
the duties it owes (`accord commitments FACTS --place ID`).

A place is the subject of the question: every incentive of every person in the facts whose
`paid by` names the place (by id or name), received, undetermined or not received, with totals of
what the place pays. Each person is answered under their own policy (their place's layer), as
`accord incentives --person` would answer them. `docs/language.md`, section 29.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import click

from .errors import UsageError, suggest
from .incentives import Award, incentives
from .commitments import SEVERITY, CommitmentProgress, commitments
from .explain import commitment_json, commitment_lines
from .model import Facts, Place
from .outcome import Outcome
from .values import show_money, show_number

PLACE_INCENTIVES_SCHEMA = "accord.place-incentives/1"


@attrs.frozen
class PlacePayment:
    """One award the place pays (or may pay): to whom, with whom, and the award itself."""

    person: str
    person_name: str
    award: Award


@attrs.frozen
class PlaceIncentives:
    """Everything a place pays, on one date."""

    place: str
    place_name: str
    kind: str
    as_of: dt.date
    payments: tuple[PlacePayment, ...]
    #: what the place receives (`incentive ... to region per mentor`): per person it is given for
    receipts: tuple[PlacePayment, ...] = ()

    @property
    def outcome(self) -> Outcome:
        """Undetermined if any payment or receipt depends on something missing, else yes if it pays
        or receives anything, else no."""
        outcomes = {p.award.outcome for p in (*self.payments, *self.receipts)}
        return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.YES if Outcome.YES in outcomes else Outcome.NO

    def totals(self) -> dict[str, Decimal]:
        """What the place pays in total, by unit (`USD`, `pdps`), of the awards received."""
        return _totals(self.payments)

    def received_totals(self) -> dict[str, Decimal]:
        """What the place receives in total, by unit."""
        return _totals(self.receipts)


def _totals(awards: tuple[PlacePayment, ...]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for p in awards:
        a = p.award
        if a.outcome is Outcome.YES and a.amount is not None and a.unit:
            out[a.unit] = out.get(a.unit, Decimal(0)) + a.amount
    return out


def _place(facts: Facts, place_id: str) -> Place:
    place = facts.places.get(place_id)
    if place is None:
        hint = suggest(place_id, facts.places)
        raise UsageError(f"no place `{place_id}` in {facts.source}" + (f"; did you mean `{hint}`?" if hint else ""))
    return place


def place_incentives(
    facts: Facts, place_id: str, as_of: dt.date, policy_for: Callable[[str], Any], engine: str = "compiled"
) -> PlaceIncentives:
    """What `place_id` pays on `as_of` (every award whose payer is that place) and what it receives
    (every award of an incentive `to` a place that is this place)."""
    place = _place(facts, place_id)
    names = {place.id, place.label()}
    payments, receipts = [], []
    for pid in sorted(facts.people):
        person = facts.people[pid]
        policy = policy_for(pid)
        own = incentives(policy, facts, pid, as_of, engine=engine).awards
        to_places = incentives(policy, facts, pid, as_of, engine=engine, to_places=True).awards
        for award in (*own, *to_places):
            if award.payer in names:
                payments.append(PlacePayment(pid, person.name, award))
        receipts += [PlacePayment(pid, person.name, a) for a in to_places if a.receiver == place.id]
    return PlaceIncentives(place.id, place.label(), place.kind, as_of, tuple(payments), tuple(receipts))


def _who(pid: str, name: str) -> str:
    return f"{name} ({pid})" if name else pid


_WORD = {Outcome.YES: "[pays]", Outcome.UNKNOWN: "[may pay]", Outcome.NO: "[no]"}
_RECEIVES = {Outcome.YES: "[receives]", Outcome.UNKNOWN: "[may receive]", Outcome.NO: "[no]"}


def _shown_totals(totals: dict[str, Decimal]) -> str:
    return "; ".join(f"{unit} {show_money(v)}" if unit.isupper() else f"{show_number(v)} {unit}" for unit, v in sorted(totals.items()))


def place_incentives_text(r: PlaceIncentives) -> str:
    to = " and to" if r.receipts else ""
    lines = [f"Incentives paid by{to} {_who(r.place, r.place_name if r.place_name != r.place else '')} ({r.kind})", f"  as of {r.as_of.isoformat()}", ""]
    if not r.payments:
        lines.append("  no incentive of anyone in the facts is paid by this place")
    for p in r.payments:
        a = p.award
        what = a.amount_text or ", ".join((*a.vouchers, *a.recognitions)) or ""
        partner = f" with {a.partner_role} {_who(a.partner, a.partner_name or '')}" if a.partner else ""
        # paid to a place (`to district per mentee`): the place, and the person it is paid for
        to = f"{a.receiver_name or 'an unknown place'} for {a.through} " if a.through else ""
        lines.append(f"  {click.style(f'{_WORD[a.outcome]:<10}', bold=True)} {a.label} to {to}{_who(p.person, p.person_name)}{partner}: {what}")
        if a.outcome is not Outcome.YES and a.reason:
            lines.append(f"              {'why not' if a.outcome is Outcome.NO else 'undetermined'}: {a.reason}")
    totals = r.totals()
    if totals:
        lines += ["", f"  pays in total: {_shown_totals(totals)}"]
    if r.receipts:
        lines.append("")
    for p in r.receipts:
        a = p.award
        what = a.amount_text or ", ".join((*a.vouchers, *a.recognitions)) or ""
        partner = f" with {a.partner_role} {_who(a.partner, a.partner_name or '')}" if a.partner else ""
        payer = f", paid by {a.payer}" if a.payer else ""
        lines.append(f"  {click.style(f'{_RECEIVES[a.outcome]:<13}', bold=True)} {a.label} for {a.through} {_who(p.person, p.person_name)}{partner}: {what}{payer}")
        if a.outcome is not Outcome.YES and a.reason:
            lines.append(f"                {'why not' if a.outcome is Outcome.NO else 'undetermined'}: {a.reason}")
    received = r.received_totals()
    if received:
        lines += ["", f"  receives in total: {_shown_totals(received)}"]
    return "\n".join(lines)


def place_incentives_json(r: PlaceIncentives) -> dict[str, Any]:
    return {
        "schema": PLACE_INCENTIVES_SCHEMA,
        "place": {"id": r.place, "name": r.place_name, "kind": r.kind},
        "as_of": r.as_of.isoformat(),
        "outcome": r.outcome.value,
        "payments": [
            {
                "to": {"id": p.person, "name": p.person_name},
                **({"receiver": {"id": p.award.receiver, "name": p.award.receiver_name, "for": p.award.through}} if p.award.through else {}),
                "label": p.award.label,
                "outcome": p.award.outcome.value,
                "amount": None if p.award.amount is None else str(p.award.amount),
                "unit": p.award.unit,
                "partner": p.award.partner,
                "reason": p.award.reason,
                "location": p.award.location,
            }
            for p in r.payments
        ],
        "totals": {unit: str(v) for unit, v in sorted(r.totals().items())},
        "receipts": [
            {
                "through": {"id": p.person, "name": p.person_name, "role": p.award.through},
                "label": p.award.label,
                "outcome": p.award.outcome.value,
                "amount": None if p.award.amount is None else str(p.award.amount),
                "unit": p.award.unit,
                "partner": p.award.partner,
                "payer": p.award.payer,
                "reason": p.award.reason,
                "location": p.award.location,
            }
            for p in r.receipts
        ],
        "received_totals": {unit: str(v) for unit, v in sorted(r.received_totals().items())},
    }


# --------------------------------------------------------------------------- duties a place owes

PLACE_COMMITMENTS_SCHEMA = "accord.place-commitments/1"


@attrs.frozen
class PlaceDuty:
    """One duty the place owes one person (`commitment ... owed by district for mentee`), with its progress."""

    person: str
    person_name: str
    progress: CommitmentProgress


@attrs.frozen
class PlaceCommitments:
    """Every duty a place owes, to each person in the facts, on one date."""

    place: str
    place_name: str
    kind: str
    as_of: dt.date
    duties: tuple[PlaceDuty, ...]

    @property
    def outcome(self) -> Outcome:
        """As for a person: undetermined if any duty is unknown, else no if any is late, else yes."""
        statuses = {d.progress.status for d in self.duties}
        return Outcome.UNKNOWN if "unknown" in statuses else Outcome.NO if "late" in statuses else Outcome.YES

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code

    def totals(self) -> dict[str, int]:
        """How many duties have each status, worst first (`{"late": 1, "met": 2}`)."""
        out: dict[str, int] = {}
        for d in self.duties:
            out[d.progress.status] = out.get(d.progress.status, 0) + 1
        return {status: out[status] for status in SEVERITY if status in out}


def place_commitments(
    facts: Facts, place_id: str, as_of: dt.date, policy_for: Callable[[str], Any], engine: str = "compiled"
) -> PlaceCommitments:
    """What `place_id` owes on `as_of`: every `owed by` commitment, of anyone in the facts, whose
    owing place (the person's place of that kind) is this place."""
    place = _place(facts, place_id)
    duties = []
    for pid in sorted(facts.people):
        report = commitments(policy_for(pid), facts, pid, as_of, engine=engine)
        for c in report.commitments:
            if c.owed_by is not None and c.owed_by_place == place.id:
                duties.append(PlaceDuty(pid, facts.people[pid].name, c))
    return PlaceCommitments(place.id, place.label(), place.kind, as_of, tuple(duties))


def place_commitments_text(r: PlaceCommitments) -> str:
    lines = [f"Duties owed by {_who(r.place, r.place_name if r.place_name != r.place else '')} ({r.kind})", f"  as of {r.as_of.isoformat()}"]
    if not r.duties:
        lines += ["", "  no duty of this place to anyone in the facts"]
    person = None
    for d in r.duties:
        if d.person != person:
            person = d.person
            lines += ["", f"  to {_who(d.person, d.person_name)}"]
        lines += ["  " + line for line in commitment_lines(d.progress) if not line.lstrip().startswith("owed by the ")]
    if r.duties:
        people = len({d.person for d in r.duties})
        counts = ", ".join(f"{n} {status}" for status, n in r.totals().items())
        lines += ["", f"  {len(r.duties)} dut{'y' if len(r.duties) == 1 else 'ies'} to {people} {'person' if people == 1 else 'people'}: {counts}"]
    return "\n".join(lines)


def place_commitments_json(r: PlaceCommitments) -> dict[str, Any]:
    return {
        "schema": PLACE_COMMITMENTS_SCHEMA,
        "place": {"id": r.place, "name": r.place_name, "kind": r.kind},
        "as_of": r.as_of.isoformat(),
        "outcome": r.outcome.value,
        "duties": [{"to": {"id": d.person, "name": d.person_name}, **commitment_json(d.progress)} for d in r.duties],
        "totals": {status.replace(" ", "_"): n for status, n in r.totals().items()},
    }
