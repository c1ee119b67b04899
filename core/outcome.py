"""The outcome of any question, and the one place outcomes become exit codes.

Every question (eligibility, pair, incentives, access, commitments, roles, and a plugin's own)
says how its answer maps to an `Outcome`; the CLI exits with `Outcome.exit_code`, and a report
over many answers with `overall(...)`. 2 is kept for bad input, 70 for a bug in Accord.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Outcome(enum.Enum):
    """The answer to a question: yes, no, not yet known, or (confidentiality) counts and totals only."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "undetermined"
    PARTIAL = "partial"

    @property
    def exit_code(self) -> int:
        """0 yes, 1 no, 3 undetermined, 4 partial (counts and totals only); 2 is kept for bad input."""
        return _EXIT_CODES[self]


_EXIT_CODES = {Outcome.YES: 0, Outcome.NO: 1, Outcome.UNKNOWN: 3, Outcome.PARTIAL: 4}
#: most telling first: one undetermined answer makes a report undetermined, then one no, ...
_PRECEDENCE = (Outcome.UNKNOWN, Outcome.NO, Outcome.PARTIAL, Outcome.YES)


def overall(outcomes: Iterable[Outcome]) -> Outcome:
    """The outcome of many answers: undetermined if any is, else no if any is, else partial, else yes."""
    seen = set(outcomes)
    return next((o for o in _PRECEDENCE if o in seen), Outcome.YES)
