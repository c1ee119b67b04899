"""Programme plugin `uk_qms`: Qualified Mentor Status and Qualified Lead Mentor Status (University of Cumbria, DfE 2016 mentor standards).

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
            name="uk_qms",
            title="Qualified Mentor Status and Qualified Lead Mentor Status (University of Cumbria, DfE 2016 mentor standards)",
            roles=(
                RoleSpec("qms", "qualified mentor status"),
                RoleSpec("qlms", "qualified lead mentor status"),
            ),
        )
    ]
