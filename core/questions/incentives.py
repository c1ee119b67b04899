"""Incentives: what does a person receive, what would they, and why not? (`accord incentives`)

Runs each incentive's block (`incentive:N`: its requirements, and its amount and payer as named
values) for the person, per relationship or once; the answer is an `IncentiveReport`.
"""

from __future__ import annotations

from typing import Any

import click

from ..question import Asking, Question, one


def answer(asking: Asking) -> list[Any]:
    from ..incentives import incentives

    person = asking.options["person"]
    policy = asking.policies.for_person(asking.facts, person)
    return [incentives(policy, asking.facts, person, asking.as_of, engine=asking.engine)]


QUESTION = Question(
    name="incentives",
    summary="what does this person receive?",
    usage="FACTS --person ID --programme NAME",
    help="""List what a person receives (stipends, PDPs, vouchers, release time, recognition), what
    they would receive and why not, with totals per kind.

    An incentive given per relationship is listed once for each relationship valid on the as-of
    date. Exit code 0 when the person receives something, 1 when nothing, 3 when something
    depends on missing facts (or an amount a district has not set).

    \b
    Example:
      accord incentives examples/demo/facts.json --person ana --programme demo --as-of 2026-01-15
    """,
    answer=answer,
    outcome=lambda report: report.outcome,
    text=one("incentives_text"),
    data=one("incentives_json"),
    options=(click.Option(["--person"], required=True, metavar="ID", help="Whose incentives to list."),),
)
