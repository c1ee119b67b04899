"""Roles: which roles of the policy is this person eligible for? (`accord roles`)

The example of a question added the new way: this module and its name in `BUILTIN`. It runs
every role's block for one person and answers with a `RolesAnswer`: yes when the person is
eligible for at least one role, else undetermined when one is undetermined, else no.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import click

from ..outcome import Outcome
from ..question import Asking, Question, one
from .eligibility import _shown


@attrs.frozen
class RolesAnswer:
    """One person's eligibility for every role of the policy they are answered under."""

    subject: str
    subject_name: str
    policy: str
    policy_file: str
    as_of: dt.date
    decisions: tuple[Any, ...]

    @property
    def outcome(self) -> Outcome:
        outcomes = {d.outcome for d in self.decisions}
        return Outcome.YES if Outcome.YES in outcomes else Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.NO

    def eligible(self) -> list[str]:
        """The roles the person is eligible for, in the policy's order."""
        return [d.role for d in self.decisions if d.outcome is Outcome.YES]


def answer(asking: Asking) -> list[RolesAnswer]:
    from ..evaluate import decide

    pid = asking.options["person"]
    policy = asking.policies.for_person(asking.facts, pid)
    person = asking.facts.person(pid)
    decisions = tuple(
        _shown(decide(policy, asking.facts, pid, role, asking.as_of, engine=asking.engine), policy, asking) for role in policy.checked.roles
    )
    c = policy.checked
    return [RolesAnswer(person.id, person.name, c.name, c.file, asking.as_of, decisions)]


QUESTION = Question(
    name="roles",
    summary="which roles is this person eligible for?",
    usage="FACTS --person ID --programme NAME",
    help="""List every role of the policy and whether the person is eligible for it, and why not.

    Each role is decided as `accord check` decides it; the line of a role the person is not
    eligible for (or is undetermined for) leads with what decided it. Exit code 0 when the
    person is eligible for at least one role, 3 when none but one is undetermined, else 1.

    \b
    Example:
      accord roles examples/ma/facts.json --person maria --programme ma_induction --as-of 2026-01-15
    """,
    answer=answer,
    outcome=lambda a: a.outcome,
    text=one("roles_text"),
    data=one("roles_json"),
    options=(click.Option(["--person"], required=True, metavar="ID", help="Whose roles to list."),),
    viewer=True,
)
