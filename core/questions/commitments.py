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

    person = asking.options["person"]
    policy = asking.policies.for_person(asking.facts, person)
    return [commitments(policy, asking.facts, person, asking.as_of, role=asking.options["role"], engine=asking.engine)]


QUESTION = Question(
    name="commitments",
    summary="what time is owed, and how far along?",
    usage="FACTS --person ID --programme NAME",
    help="""Report progress on time commitments: hours and counts owed, deadlines, recurring meetings.

    Each part shows required, done and remaining, its due date, the earliest date it was met,
    and a status: met, met late, on track, in progress, late or unknown. Exit code 0 when
    nothing is late or unknown, 1 when something is late, 3 when something is unknown.

    \b
    Example:
      accord commitments examples/demo/facts.json --person dev --programme demo --as-of 2026-01-15
    """,
    answer=answer,
    outcome=lambda report: report.outcome,
    text=one("commitments_text"),
    data=one("commitments_json"),
    options=(
        click.Option(["--person"], required=True, metavar="ID", help="Whose progress to report."),
        click.Option(["--role"], help="Only the commitments owed in this role (default: every commitment of the policy)."),
    ),
)
