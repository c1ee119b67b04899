"""Time commitments: what time is owed, and how far along is the person? (`accord commitments`)

Runs each commitment's block (`commitment:N`: its parts' conditions, and their amounts, measures
and dates as named values) at the as-of date and at the days and periods that matter; the
answer is a `CommitmentReport`: yes (nothing late or unknown), no (late) or undetermined.
"""

from __future__ import annotations

from typing import Any

import click

from ..question import Asking, Question, one


def answer(asking: Asking) -> list[Any]:
    from ..commitments import commitments

    person, place = asking.options.get("person"), asking.options.get("place")
    if (person is None) == (place is None):
        raise click.UsageError("give exactly one of --person ID or --place ID")
    if place is not None:  # the place is the subject: the duties it owes (docs/language.md section 29)
        from ..places import place_commitments

        if asking.options.get("role") is not None:
            raise click.UsageError("--role goes with --person: --place lists every duty the place owes")
        return [place_commitments(asking.facts, place, asking.as_of, lambda pid: asking.policies.for_person(asking.facts, pid), asking.engine)]
    policy = asking.policies.for_person(asking.facts, person)
    return [commitments(policy, asking.facts, person, asking.as_of, role=asking.options["role"], engine=asking.engine)]


def _render(person: Any, place: str) -> Any:
    def rendered(answers: Any, asking: Asking) -> Any:
        from .. import places

        if asking.options.get("place") is not None:
            return getattr(places, place)(answers[0])
        return person(answers, asking)

    return rendered


QUESTION = Question(
    name="commitments",
    summary="what time is owed, and how far along?",
    usage="FACTS (--person ID | --place ID) --programme NAME",
    help="""Report progress on time commitments: hours and counts owed, deadlines, recurring meetings.

    Each part shows required, done and remaining, its due date, the earliest date it was met,
    and a status: met, met late, on track, in progress, late or unknown. Exit code 0 when
    nothing is late or unknown, 1 when something is late, 3 when something is unknown.

    With --place instead of --person, the place is the subject: every duty it owes (a commitment
    `owed by` its kind of place) to each person in FACTS, with a count per status.

    \b
    Example:
      accord commitments examples/demo/facts.json --person dev --programme demo --as-of 2026-01-15
    """,
    answer=answer,
    outcome=lambda report: report.outcome,
    text=_render(one("commitments_text"), "place_commitments_text"),
    data=_render(one("commitments_json"), "place_commitments_json"),
    options=(
        click.Option(["--person"], metavar="ID", help="Whose progress to report."),
        click.Option(["--place"], metavar="ID", help="A place (district, school...): list the duties it owes (`owed by`), to whom."),
        click.Option(["--role"], help="Only the commitments owed in this role (default: every commitment of the policy)."),
    ),
)
