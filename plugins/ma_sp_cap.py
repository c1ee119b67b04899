"""Programme plugin `ma_sp_cap`: Massachusetts supervising practitioners and the Candidate Assessment of Performance (SP/CAP).

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
            name="ma_sp_cap",
            title="Massachusetts supervising practitioners and the Candidate Assessment of Performance (SP/CAP)",
            roles=(
                RoleSpec("supervising_practitioner", "the PK-12 educator who supervises a candidate's practicum"),
                RoleSpec("candidate", "a teacher candidate in a practicum"),
                RoleSpec("program_supervisor", "the preparation programme's supervisor"),
            ),
        )
    ]
