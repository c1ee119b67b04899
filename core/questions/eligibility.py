"""Eligibility: is this person eligible for a role, and why? (`accord check`)

Runs the role's block (`role:NAME`: its requirements, then its exceptions) for each person asked
about; the answer is a `Decision`, its outcome yes (eligible), no, or undetermined.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from ..outcome import Outcome
from ..question import Asking, Question


def answer(asking: Asking) -> list[Any]:
    from ..evaluate import decide

    people = asking.options["people"]
    if asking.options.get("when") or asking.options.get("assume"):
        return _when_or_assuming(asking)
    out = []
    for pid in list(people) or list(asking.facts.people):
        policy = asking.policies.for_person(asking.facts, pid)
        decision = decide(policy, asking.facts, pid, asking.options["role"], asking.as_of, explain=asking.explain, engine=asking.engine)
        out.append(_shown(decision, policy, asking))
    return out


def _when_or_assuming(asking: Asking) -> list[Any]:
    """`--when` (the first eligible date) and `--assume FACT=VALUE` (as if facts were so): core/when.py."""
    from ..errors import UsageError
    from ..when import decide_assuming, parse_assumptions, when_eligible

    if asking.viewer is not None:
        raise UsageError("--when and --assume answer for the person's coordinator; they cannot be combined with --viewer")
    values = parse_assumptions(asking.options.get("assume") or ())
    role = asking.options["role"]
    out = []
    for pid in list(asking.options["people"]) or list(asking.facts.people):
        if asking.options.get("when"):
            policies = asking.policies

            def policy_on(day: Any, pid: str = pid) -> Any:
                return policies.on(day).for_person(asking.facts_on(day), pid)

            out.append(when_eligible(
                policy_on, asking.facts_on, pid, role, asking.as_of,
                assume_values=values, extra_dates=asking.change_dates(pid), engine=asking.engine,
            ))
        else:
            policy = asking.policies.for_person(asking.facts, pid)
            out.append(decide_assuming(policy, asking.facts, pid, role, asking.as_of, values, explain=asking.explain, engine=asking.engine))
    return out


def _shown(decision: Any, policy: Any, asking: Asking) -> Any:
    """The decision as `--viewer` may see it (as it is without one)."""
    if asking.viewer is None:
        return decision
    from ..access import redact  # only with --viewer, so the common path does not load it

    return redact(decision, policy, asking.facts, asking.viewer)


def text(answers: Sequence[Any], asking: Asking) -> str:
    from ..explain import decision_text, roster_line

    if asking.options.get("when") or asking.options.get("assume"):
        from ..when import assumed_text, when_text

        render = when_text if asking.options.get("when") else assumed_text
        return "\n\n".join(render(a, explain=asking.explain) for a in answers)

    if len(asking.options["people"]) == 1:
        return decision_text(answers[0], explain=asking.explain)
    if asking.explain:
        return "\n".join(decision_text(d, explain=True) + "\n" for d in answers)
    return "\n".join(roster_line(d) for d in answers)


def data(answers: Sequence[Any], asking: Asking) -> Any:
    from ..explain import decision_json

    if asking.options.get("when") or asking.options.get("assume"):
        from ..when import assumed_json, when_json

        render = when_json if asking.options.get("when") else assumed_json
        return render(answers[0]) if len(asking.options["people"]) == 1 else [render(a) for a in answers]

    return decision_json(answers[0]) if len(asking.options["people"]) == 1 else [decision_json(d) for d in answers]


QUESTION = Question(
    name="check",
    summary="is this person eligible for a role, and why?",
    usage="FACTS --person ID --role ROLE --programme NAME",
    help="""Decide whether a person is eligible for a role, and say why.

    FACTS is a JSON or TOML facts file (see `accord schema`). Each requirement is reported as
    met, not met or unknown, with the actual and the required value, its citation and its line
    in the policy; unknown means a fact is missing, and the missing facts are named.

    With several --person options, or none (everyone in FACTS), prints one line per person; the
    exit code is then 3 if any is undetermined, else 1 if any is not eligible, else 0.

    \b
    Example:
      accord check examples/demo/facts.json --person ana --role mentor --programme demo --as-of 2026-01-15
    """,
    answer=answer,
    outcome=lambda d: d.outcome,
    text=text,
    data=data,
    options=(
        click.Option(["--person", "people"], multiple=True, metavar="ID", help="Whom to ask about; repeat it, or leave it out for everyone in FACTS."),
        click.Option(["--role"], required=True, help="The role to decide eligibility for, e.g. mentor."),
        click.Option(
            ["--when"], is_flag=True,
            help="Give the first date (up to 10 years after --as-of) on which the person is eligible if nothing else changes, or why no date will do.",
        ),
        click.Option(
            ["--assume"], multiple=True, metavar="FACT=VALUE",
            help="Answer as if the person's fact were so (repeatable), and say which outcomes that changed.",
        ),
    ),
    explains=True,
    viewer=True,
)

__all__ = ["QUESTION", "Outcome"]
