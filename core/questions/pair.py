"""Pairing: may these two be paired under a pair rule, and how well do they match? (`accord pair`)

Runs a pair rule's block (`pair:N`: its requirements, then its preferences) with both people
bound; the answer is a pair `Decision`: allowed, not allowed or undetermined, with a score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from ..question import Asking, Question, one
from .eligibility import _shown


def answer(asking: Asking) -> list[Any]:
    from ..evaluate import decide_pair

    first, second = asking.options["first"], asking.options["second"]
    policy = asking.policies.for_person(asking.facts, second)
    decision = decide_pair(policy, asking.facts, first, second, asking.as_of, explain=asking.explain, engine=asking.engine, ends=asking.options["ends"])
    return [_shown(decision, policy, asking)]


def text(answers: Sequence[Any], asking: Asking) -> str:
    from ..explain import decision_text

    return decision_text(answers[0], explain=asking.explain)


QUESTION = Question(
    name="pair",
    summary="may these two be paired, and how well do they match?",
    usage="FACTS MENTOR_ID MENTEE_ID --programme NAME",
    help="""Check whether two people may be paired, and score how well they match.

    FIRST and SECOND are person ids in the order of the policy's pair rule: for
    `pair mentor, mentee`, FIRST is the mentor. A policy with several pair rules decides under
    its first unless --ends names another (`--ends requester,extension_mentee`). Hard requirements decide
    the exit code (0 allowed, 1 not allowed, 3 undetermined); met preferences add their weight
    to the score.
    """,
    answer=answer,
    outcome=lambda d: d.outcome,
    text=text,
    data=one("decision_json"),
    options=(
        click.Argument(["first"]),
        click.Argument(["second"]),
        click.Option(
            ["--ends"],
            metavar="FIRST_END,SECOND_END",
            help="Which pair rule to decide under, by its ends (e.g. requester,extension_mentee). Default: the policy's first pair rule.",
        ),
    ),
    explains=True,
    viewer=True,
)
