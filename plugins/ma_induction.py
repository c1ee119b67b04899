"""Programme plugin `ma_induction`: Massachusetts district induction and mentoring (603 CMR 7.12/7.13).

A stub: it declares the programme and its roles. The rules come from ../shared/domain/programmes.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord import hookimpl
from accord.schema import Programme, RoleSpec


@hookimpl
def accord_programmes() -> Sequence[Programme]:
    return [
        Programme(
            name="ma_induction",
            title="Massachusetts district induction and mentoring (603 CMR 7.12/7.13)",
            roles=(
                RoleSpec("mentor", "a trained mentor of a beginning or incoming teacher"),
                RoleSpec("beginning_teacher", "a teacher in the first year of practice"),
                RoleSpec("incoming_teacher", "an experienced teacher new to the district or role"),
            ),
        )
    ]
