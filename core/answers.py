"""What a question answers, as data: each rule's result and the decision on a person or a pair.

Evaluation (`evaluate`, and the other questions' modules) fills these with outcomes, raw values and
where they came from; every word a person reads of them is written by `explain`.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .outcome import Outcome
from .runtime import RuleFailure

if TYPE_CHECKING:
    from .interpret import Trace


#: how each question names its outcomes
OUTCOME_WORDS = {
    "eligibility": {Outcome.YES: "eligible", Outcome.NO: "not_eligible", Outcome.UNKNOWN: "undetermined"},
    "pair": {Outcome.YES: "allowed", Outcome.NO: "not_allowed", Outcome.UNKNOWN: "undetermined"},
}

MET, NOT_MET, UNKNOWN, ERROR = "met", "not met", "unknown", "error"
#: the status of a rule shown to a viewer who may not see a record it read (see `access.redact`)
HIDDEN = "hidden"


@attrs.frozen
class RuleResult:
    """One rule of a decision: met, not met or unknown, with the values that made it so."""

    label: str
    kind: str  # require | grants | denies | prefer
    status: str  # met | not met | unknown | error
    condition: str
    source: str | None
    location: str | None
    actual: object = None
    required: object = None
    op: str | None = None
    actual_text: str | None = None
    required_text: str | None = None
    distance: str | None = None
    missing: tuple[str, ...] = ()
    error: str | None = None
    weight: Decimal | None = None
    overriding: tuple[str, ...] = ()
    layer: str | None = None
    trace: Trace | None = None
    #: the short reason a person reads (`2.9 years < 3 years`, `missing person.trained`), written by `explain`
    because: str = ""


class _Deferred:
    """A decision whose reasons are written out when first read (`decide` hands back such ones).

    Its outcome is set at once; every other field is left unset until something reads one, and
    then all are filled from `_fill`, `(function, *arguments)` of a call that builds the complete
    decision (a tuple: cheaper to make than a closure). So a caller that only asks for the outcome
    pays for the rules, not for the text that explains them. Reading a field, `==`, `repr` and
    `attrs.asdict` all see the complete decision. The fields set at once must equal the complete
    decision's (`decide` settles the outcome with the same `_settle` as `combine`); filling copies
    every field and checks that the outcome agrees.
    """

    __slots__ = ("_fill",)

    def __getattr__(self, name: str) -> Any:
        # Python calls this only for an attribute it did not find: here, a slot not yet filled.
        try:
            fill = object.__getattribute__(self, "_fill")
        except AttributeError:
            fill = None
        if fill is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        full = fill[0](*fill[1:])
        if full.outcome is not object.__getattribute__(self, "outcome"):
            raise AssertionError(f"a lazily filled decision changed its outcome: {full.outcome} after {self.outcome}")
        for field in attrs.fields(type(self)):  # all of them: probing each unset slot would raise
            object.__setattr__(self, field.name, getattr(full, field.name))
        object.__setattr__(self, "_fill", None)
        return object.__getattribute__(self, name)


@attrs.frozen
class Decision(_Deferred):
    """The answer to one question about one person (or pair), with every reason."""

    question: str
    outcome: Outcome
    subject: str
    subject_name: str
    role: str
    policy: str
    policy_version: str | None
    policy_file: str
    as_of: dt.date
    requirements: tuple[RuleResult, ...]
    exceptions: tuple[RuleResult, ...] = ()
    preferences: tuple[RuleResult, ...] = ()
    decided_by: str | None = None
    missing: tuple[str, ...] = ()
    other: str | None = None
    other_name: str | None = None
    score: Decimal | None = None
    #: the parameters the rules used: (name, value as text, the layer that supplied the value)
    parameters: tuple[tuple[str, str, str | None], ...] = ()
    #: set when the decision was redacted for a viewer
    viewer: str | None = None
    #: a pair decision: the pair rule's second end (`mentee`), where `other` stands
    other_role: str | None = None
    #: what redaction withheld from the viewer: `decided_by` (an exception is hidden), `score`
    #: (it counts only the preferences the viewer may see)
    withheld: tuple[str, ...] = ()

    @classmethod
    def later(cls, outcome: Outcome, fill: tuple[Any, ...]) -> Decision:
        """A decision with its outcome now, and every other field written out when first read,
        by `fill[0](*fill[1:])` (see `_Deferred`)."""
        decision = object.__new__(cls)
        _set_outcome(decision, outcome)
        _set_fill(decision, fill)
        return decision

    @property
    def outcome_word(self) -> str:
        return OUTCOME_WORDS[self.question][self.outcome]

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


# A decision's fields are slots: `Decision.later` sets them through their descriptors, as attrs'
# own __init__ does, which skips the frozen __setattr__ and the lookup by name.
_set_outcome = Decision.outcome.__set__  # type: ignore[attr-defined]
_set_fill = Decision._fill.__set__  # type: ignore[attr-defined]


def status_of(raw: Any) -> str:
    if raw is True:
        return MET
    if raw is False:
        return NOT_MET
    if isinstance(raw, RuleFailure):
        return ERROR
    return UNKNOWN


class Access(enum.Enum):
    """How much of a record a viewer may see, from most to least."""

    ALLOW = "allow"
    COUNTS_ONLY = "counts_only"
    DENY = "deny"
    UNDETERMINED = "undetermined"

    @property
    def outcome(self) -> Outcome:
        """As an outcome of any question: allow yes, deny no, counts only partial."""
        return _AS_OUTCOME[self]

    @property
    def exit_code(self) -> int:
        """0 allow, 1 deny, 3 undetermined, 4 counts only."""
        return self.outcome.exit_code


_AS_OUTCOME = {Access.ALLOW: Outcome.YES, Access.DENY: Outcome.NO, Access.UNDETERMINED: Outcome.UNKNOWN, Access.COUNTS_ONLY: Outcome.PARTIAL}
