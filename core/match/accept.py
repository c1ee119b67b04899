"""Accepting a proposal: its pairs written into a facts file or a roster database, and logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .propose import _error, _kind

# --------------------------------------------------------------------------- accept


def read_proposal(path: str) -> tuple[str, tuple[str, str], list[tuple[str, str]]]:
    """The relationship kind, the ends and the (first, second) pairs of a proposal (JSON or CSV)."""
    import csv
    import json
    from pathlib import Path

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _error("P187", f"cannot read the proposal `{path}`: {exc.strerror or exc}") from None
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
            ends = (str(doc["ends"][0]), str(doc["ends"][1]))
            pairs = [(str(p[ends[0]]), str(p[ends[1]])) for p in doc["pairs"] if p.get("status") in ("proposed", "fixed")]
            return str(doc["relationship"]), ends, pairs
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _error("P187", f"`{path}` is not a proposal of `accord match --format json`: {exc}", "make it with `accord match ... --format json`") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or len(rows[0]) < 3 or rows[0][2] != "status":
        raise _error("P187", f"`{path}` is not a proposal of `accord match` (JSON or CSV)", "make it with `accord match ... --format json` or `--format csv`")
    ends = (rows[0][0], rows[0][1])
    return _kind(ends), ends, [(r[0], r[1]) for r in rows[1:] if len(r) > 2 and r[2] in ("proposed", "fixed")]


def _accepted(facts: Any, proposal: str, as_of: dt.date) -> tuple[str, tuple[str, str], list[tuple[str, str]], list[dict[str, str]]]:
    """A proposal's pairs checked against the facts (both people known, the mentee without a
    current mentor on `as_of`), and the relationships that accepting them adds."""
    kind, ends, pairs = read_proposal(proposal)
    busy = {rel.ends.get(ends[1]) for rel in facts.relationships if rel.kind == kind and rel.period.contains(as_of)}
    seen: set[str] = set()
    for a, b in pairs:
        facts.person(a), facts.person(b)
        if b in busy or b in seen:
            raise _error("P188", f"`{b}` already has a {ends[0]} on {as_of.isoformat()}, so the pair `{a}:{b}` cannot be accepted",
                         "propose again (`accord match`) with the facts as they are now")
        seen.add(b)
    relationships = [
        {"kind": kind, ends[0]: a, ends[1]: b, "from": as_of.isoformat(), "id": f"match-{as_of.isoformat()}-{a}-{b}"} for a, b in pairs
    ]
    return kind, ends, pairs, relationships


_PROPOSALS = (
    "CREATE TABLE IF NOT EXISTS proposals (seq INTEGER PRIMARY KEY, as_of TEXT NOT NULL, proposal TEXT NOT NULL, "
    "proposed_at TEXT NOT NULL, accepted_at TEXT)"
)


def propose_into_roster(db_path: str, proposal: dict[str, Any], as_of: dt.date) -> int:
    """Keep a proposal (`match_json`) in the roster's `proposals` table, for `accord match accept DB`; returns its number."""
    import json

    from ..roster.store import _now, open_roster

    conn = open_roster(db_path).conn
    conn.execute(_PROPOSALS)
    with conn:
        cur = conn.execute("INSERT INTO proposals (as_of, proposal, proposed_at) VALUES (?,?,?)", (as_of.isoformat(), json.dumps(proposal), _now()))
    return int(cur.lastrowid or 0)


def accept_into_roster(db_path: str, proposal: str | None, as_of: dt.date) -> tuple[int, str, str]:
    """Add a proposal's pairs to a roster database as relationships valid from `as_of` (one import,
    one transaction), and record each accepted pair in the roster's append-only decision log.
    `proposal` is a proposal file, or None for the latest one the roster keeps and has not accepted.
    Returns (pairs added, database, where the log is)."""
    import json
    import tempfile
    from pathlib import Path

    from ..roster.store import _now, open_roster

    roster = open_roster(db_path)
    conn = roster.conn
    conn.execute(_PROPOSALS)
    kept = None
    with tempfile.TemporaryDirectory() as folder:
        if proposal is None:
            kept = conn.execute("SELECT seq, proposal FROM proposals WHERE accepted_at IS NULL ORDER BY seq DESC LIMIT 1").fetchone()
            if kept is None:
                raise _error("P187", f"the roster `{db_path}` keeps no proposal to accept", "propose first: accord match DB --programme NAME --as-of DATE")
            proposal = str(Path(folder) / f"proposal-{kept[0]}.json")
            Path(proposal).write_text(kept[1], encoding="utf-8")
        kind, ends, pairs, relationships = _accepted(roster.facts_as_of(as_of), proposal, as_of)
        accepted = Path(folder) / "accepted.json"
        accepted.write_text(json.dumps({"relationships": relationships}), encoding="utf-8")
        roster.import_files([str(accepted)], effective=as_of)
    revision, now = roster.revision(), _now()
    if kept is not None:
        proposal = f"proposal {kept[0]} of {db_path}"
    conn.execute("BEGIN IMMEDIATE")
    try:
        if kept is not None:
            conn.execute("UPDATE proposals SET accepted_at = ? WHERE seq = ?", (now, kept[0]))
        conn.executemany(
            "INSERT INTO decisions (person, question, outcome, reasons, as_of, roster_revision, decided_at) VALUES (?,?,?,?,?,?,?)",
            [
                (b, "match accept", "accepted", json.dumps({"relationship": rel["id"], "kind": kind, ends[0]: a, ends[1]: b, "proposal": str(proposal)}),
                 as_of.isoformat(), revision, now)
                for (a, b), rel in zip(pairs, relationships)
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(pairs), db_path, f"{db_path} (table decisions)"


def accept_proposal(facts_path: str, proposal: str, as_of: dt.date, output: str | None = None, log: str | None = None) -> tuple[int, str, str]:
    """Add a proposal's pairs to a JSON facts file as relationships valid from `as_of`.

    Checks every pair first (both people known, the mentee without a current mentor on `as_of`),
    checks the new file loads, then renames it into place, so the old file is replaced whole or
    not at all. Appends one line to the decision log. Returns (pairs added, facts file, log file).
    A roster database would do the same in one transaction (see docs/matching.md).
    """
    import json
    import os
    import tempfile
    from pathlib import Path

    from ..facts import load_facts

    if not facts_path.endswith(".json"):
        raise _error("P187", f"`accord match accept` writes JSON facts files, and `{facts_path}` is not one", "convert the facts to JSON first")
    kind, ends, pairs, relationships = _accepted(load_facts(facts_path), proposal, as_of)
    doc = json.loads(Path(facts_path).read_text(encoding="utf-8"))
    doc.setdefault("relationships", []).extend(relationships)
    out = Path(output or facts_path)
    fd, tmp = tempfile.mkstemp(prefix=".accord-", suffix=".json", dir=out.parent if str(out.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        load_facts(tmp)  # the new file must load before it replaces anything
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log_file = Path(log) if log else out.parent / "decisions.jsonl"
    entry = {
        "decision": "match accepted", "as_of": as_of.isoformat(), "proposal": str(proposal), "facts": str(out),
        "relationship": kind, "pairs": [{ends[0]: a, ends[1]: b} for a, b in pairs],
    }
    with open(log_file, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return len(pairs), str(out), str(log_file)
