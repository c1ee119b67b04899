"""Matching (`accord match`): who should mentor whom, as an optimal, explained assignment.

In: a policy for each person (a district's layer, or one policy), facts, an as-of date, the pair
rule's ends, pairs to keep (`fixed`). Out: a `MatchReport`: the proposed pairs with the
preferences each meets, every mentee left without a mentor and why, the people whose eligibility
is undetermined, the totals and how far a greedy assignment falls short.

The pool: a person eligible (yes) for a mentee role and with no current relationship of the pair
rule's kind is a mentee; otherwise a person eligible for the mentor role with capacity left is a
mentor. Capacity is the mentor's policy's `mentees_per_mentor` (1 where the policy has none),
lowered by the person's `mentee_capacity` fact, less their current mentees and fixed pairs.

Hard rules are the pair rule's requirements: a pair is a candidate only when all are met (an
unknown one excludes it: nothing undetermined is proposed). The objective is lexicographic: first
the number of mentees matched, then the total weight of the `first` preferences met, then the
total weight of the others. Weights are scaled to whole numbers and the three levels packed into
one exact integer cost, and the assignment is solved by `scipy.optimize.linear_sum_assignment`
(rows: mentees; columns: one per mentor's free place, and one "no mentor" column per mentee).
Rows and columns are in id order and the solver is deterministic, so a run is repeatable.

The pair rules run through the compiled block of each policy (`evaluate.run_block`), not through
`decide_pair`: a Cumbria-sized pool asks about a million pairs, and a full `Decision` per pair
would cost more than the matching itself. `decide_pair` (and `access.redact`) explain the few
pairs shown to a `viewer`.
"""

from .accept import accept_into_roster, accept_proposal, propose_into_roster, read_proposal
from .propose import Exclusion, MatchReport, Pairing, Totals, Undetermined, Unmatched, match
from .report import match_csv, match_json, match_text

__all__ = [
    "Exclusion", "MatchReport", "Pairing", "Totals", "Undetermined", "Unmatched",
    "accept_into_roster", "accept_proposal", "match", "match_csv", "match_json", "match_text",
    "propose_into_roster", "read_proposal",
]
