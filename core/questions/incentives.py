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

    person, place = asking.options["person"], asking.options["place"]
    if (person is None) == (place is None):
        raise click.UsageError("give exactly one of --person ID or --place ID")
    if place is not None:  # the place is the subject: what it pays (docs/language.md section 29)
        from ..places import place_incentives

        return [place_incentives(asking.facts, place, asking.as_of, lambda pid: asking.policies.for_person(asking.facts, pid), asking.engine)]
    policy = asking.policies.for_person(asking.facts, person)
    return [incentives(policy, asking.facts, person, asking.as_of, engine=asking.engine)]


def _render(person: Any, place: str) -> Any:
    def rendered(answers: Any, asking: Asking) -> Any:
        from .. import places

        if asking.options.get("place") is not None:
            return getattr(places, place)(answers[0])
        return person(answers, asking)

    return rendered


QUESTION = Question(
    name="incentives",
    summary="what does this person receive?",
    usage="FACTS (--person ID | --place ID) --programme NAME",
    help="""List what a person receives (stipends, PDPs, vouchers, release time, recognition), what
    they would receive and why not, with totals per kind.

    An incentive given per relationship is listed once for each relationship valid on the as-of
    date. Exit code 0 when the person receives something, 1 when nothing, 3 when something
    depends on missing facts (or an amount a district has not set).

    With --place instead of --person, the place is the subject: every incentive of anyone in
    FACTS paid by that place, received or not, with what it pays in total.

    \b
    Example:
      accord incentives examples/demo/facts.json --person ana --programme demo --as-of 2026-01-15
    """,
    answer=answer,
    outcome=lambda report: report.outcome,
    text=_render(one("incentives_text"), "place_incentives_text"),
    data=_render(one("incentives_json"), "place_incentives_json"),
    options=(
        click.Option(["--person"], metavar="ID", help="Whose incentives to list."),
        click.Option(["--place"], metavar="ID", help="A place (district, school...): list what it pays, to whom."),
    ),
)
