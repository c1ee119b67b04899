"""Confidentiality: may this viewer see this record? (`accord access`)

Runs the record kind's blocks (`record:KIND`, and one per layer below whose rules it narrows)
with the record, its subject and the viewer bound; the answer is an `AccessDecision`: allow,
counts only (partial), deny, or undetermined (treated as deny).
"""

from __future__ import annotations

from typing import Any

import click

from ..question import Asking, Question, one


def answer(asking: Asking) -> list[Any]:
    from ..access import access

    viewer, record = asking.options["who"], asking.options["record"]
    subject = next((e.subject for e in asking.facts.evidence if e.id == record), None)
    policy = asking.policies.for_person(asking.facts, subject or viewer)
    return [access(policy, asking.facts, viewer, record, asking.as_of, engine=asking.engine)]


QUESTION = Question(
    name="access",
    summary="may this viewer see this record?",
    usage="FACTS --viewer ID --record ID --programme NAME",
    help="""Say whether a viewer may see a record: allow, counts only, or deny, and why.

    Deny by default. Roles such as `mentor` are read relative to the record's subject on the
    as-of date; a consent the subject gave counts from its date until it is withdrawn. The
    policy is the one for the record's subject (with --programme, the layer of their place).

    Exit codes: 0 allow, 1 deny, 4 counts and totals only, 3 undetermined (treat as deny),
    2 bad input.
    """,
    answer=answer,
    outcome=lambda decision: decision.outcome.outcome,
    text=one("access_text"),
    data=one("access_json"),
    options=(
        click.Option(["--viewer", "who"], required=True, metavar="ID", help="Who wants to see the record."),
        click.Option(["--record"], required=True, metavar="ID", help="The record (evidence item id) to see."),
    ),
)
