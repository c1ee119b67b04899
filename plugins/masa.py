"""Programme plugin `masa`: MASA Mentor Program for Minnesota school administrators.

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
            name="masa",
            title="MASA Mentor Program for Minnesota school administrators",
            roles=(
                RoleSpec("mentor", "an Active or Retired MASA member who mentors"),
                RoleSpec("mentee", "a MASA member new to the role or new to the role in Minnesota"),
            ),
        )
    ]
