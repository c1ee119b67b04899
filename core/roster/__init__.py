"""The roster: a programme's people in a SQLite database, and questions about all of them at once.

`store` keeps the database (import from facts files and CSV, history, reading as of a day);
`questions` asks everyone a question in bounded batches and keeps the decision log; `accord.sql`
pushes eligibility down into the database; `cli` is the `accord roster` command group. Nothing
heavy is imported here: `accord --help` loads this package.
"""

from __future__ import annotations

from pathlib import Path

SUFFIXES = (".db", ".sqlite", ".sqlite3")


def is_roster_path(path: str | Path) -> bool:
    """Whether a path names a roster database (by its suffix: .db, .sqlite, .sqlite3)."""
    return Path(path).suffix.lower() in SUFFIXES
