"""Whole-roster benchmarks: Accord against floors written by hand, in one run, on one synthetic roster.

    .venv/bin/python benchmarks/roster.py                  # 100,000 people (about two minutes)
    .venv/bin/python benchmarks/roster.py --people 20000   # a quicker, rougher run
    .venv/bin/python benchmarks/roster.py --million        # also the SQL and decision-log runs at 1,000,000

The roster: every person has facts (mentor_trained, years_experience, licence, each present nine
times in ten) and three summative evaluations with ratings, at one of three places. Everyone is
asked "may this person mentor?" under `rules/demo/district-mentoring.accord`.

The floors, written by hand in this file and checked to agree with Accord before anything is timed:
- a Python loop over the same JSON file, `json.load` included;
- SQL over the same SQLite roster (`accord roster import`'s tables), one query.
Each Accord path is timed against its floor, alternating, and the ratio is the median of the rounds'.
Memory is the peak resident size of a child process that writes the decision log.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "rules" / "demo" / "district-mentoring.accord"
AS_OF = dt.date(2026, 1, 15)
LEVELS = ["unsatisfactory", "needs_improvement", "proficient", "exemplary"]


PLACES = [{"id": "ma", "kind": "state"}, {"id": "d1", "kind": "district", "parent": "ma"}, {"id": "d2", "kind": "district", "parent": "ma"}]


def _rows(n: int, seed: int = 1) -> Iterator[tuple[str, dict[str, Any]]]:
    """The synthetic roster, row by row: ("people", person) then ("evidence", item) three times."""
    rnd = random.Random(seed)
    for i in range(n):
        f: dict[str, Any] = {}
        if rnd.random() < 0.9:
            f["mentor_trained"] = rnd.random() < 0.8
        if rnd.random() < 0.9:
            f["years_experience"] = rnd.randint(0, 20)
        if rnd.random() < 0.9:
            f["licence"] = rnd.choice(["initial", "professional", "provisional"])
        yield "people", {"id": f"p{i:07d}", "name": f"Person {i}", "place": rnd.choice(["d1", "d2", "ma"]), "facts": f}
        for k in range(3):
            yield "evidence", {"id": f"e{i:07d}-{k}", "kind": "summative_evaluation", "subject": f"p{i:07d}", "date": f"202{3 + k}-06-{10 + rnd.randint(0, 9)}", "rating": rnd.choice(LEVELS)}


def synthetic(n: int, seed: int = 1) -> dict[str, Any]:
    doc: dict[str, Any] = {"places": PLACES, "people": [], "evidence": []}
    for table, item in _rows(n, seed):
        doc[table].append(item)
    return doc


_HEADERS = {"places": ["id", "kind", "parent"], "people": ["id", "name", "place", "mentor_trained", "years_experience", "licence"], "evidence": ["id", "kind", "subject", "date", "rating"]}


def write_csvs(n: int, folder: Path) -> list[Path]:
    """The synthetic roster as a coordinator's CSV files, written as it is generated (1,000,000 people fit)."""
    paths = {t: folder / f"{t}.csv" for t in _HEADERS}
    handles = {t: p.open("w", newline="") for t, p in paths.items()}
    writers = {t: csv.writer(h) for t, h in handles.items()}
    for t, header in _HEADERS.items():
        writers[t].writerow(header)

    def write(table: str, item: dict[str, Any]) -> None:
        row = {**item, **item.get("facts", {})}
        writers[table].writerow(["" if row.get(h) is None else str(row[h]).lower() if isinstance(row.get(h), bool) else row[h] for h in _HEADERS[table]])

    for place in PLACES:
        write("places", place)
    for table, item in _rows(n):
        write(table, item)
    for h in handles.values():
        h.close()
    return list(paths.values())


# --------------------------------------------------------------------------- the floors, by hand


def by_hand_json(path: Path, as_of: dt.date) -> dict[str, str]:
    """The demo `mentor` role over the JSON file: load it, then one loop. Three-valued, outcome only."""
    doc = json.loads(path.read_text())
    day = as_of.isoformat()
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    latest: dict[str, tuple[str, str, str | None]] = {}
    for e in doc["evidence"]:
        if e["kind"] == "summative_evaluation" and e["date"] <= day:
            key = (e["date"], e["id"])
            old = latest.get(e["subject"])
            if old is None or key > old[:2]:
                latest[e["subject"]] = (e["date"], e["id"], e.get("rating"))
    out = {}
    for p in doc["people"]:
        f = p.get("facts", {})
        unknown = False
        verdict = None
        trained = f.get("mentor_trained")
        years = f.get("years_experience")
        rating = latest.get(p["id"], (None, None, None))[2]
        licence = f.get("licence")
        for value, ok in ((trained, lambda v: v is True), (years, lambda v: float(v) >= 3), (rating, lambda v: rank[v] >= 2), (licence, lambda v: v in ("initial", "professional"))):
            if value is None:
                unknown = True
            elif not ok(value):
                verdict = "not_eligible"
                break
        out[p["id"]] = verdict or ("undetermined" if unknown else "eligible")
    return out


HAND_SQL = """
SELECT p.id,
  (t.num = 1) AND (y.num >= 3)
  AND ((SELECT e.rating_level FROM evidence e WHERE e.subject = p.id AND e.kind = 'summative_evaluation' AND e.date <= :day
        ORDER BY e.date DESC, e.id DESC LIMIT 1) >= 2)
  AND (l.txt IN ('initial', 'professional'))
FROM people p
LEFT JOIN facts t ON t.person = p.id AND t.name = 'mentor_trained' AND (t.valid_from IS NULL OR t.valid_from <= :day) AND (t.valid_to IS NULL OR t.valid_to >= :day)
LEFT JOIN facts y ON y.person = p.id AND y.name = 'years_experience' AND (y.valid_from IS NULL OR y.valid_from <= :day) AND (y.valid_to IS NULL OR y.valid_to >= :day)
LEFT JOIN facts l ON l.person = p.id AND l.name = 'licence' AND (l.valid_from IS NULL OR l.valid_from <= :day) AND (l.valid_to IS NULL OR l.valid_to >= :day)
"""


def by_hand_sql(db: Path, as_of: dt.date) -> dict[str, str]:
    import sqlite3

    conn = sqlite3.connect(db)
    words = {None: "undetermined", 1: "eligible", 0: "not_eligible"}
    return {pid: words[v] for pid, v in conn.execute(HAND_SQL, {"day": as_of.isoformat()})}


# --------------------------------------------------------------------------- Accord


def accord_from_file(path: Path, as_of: dt.date) -> dict[str, str]:
    """What `accord roster check FILE --role mentor --policy POLICY` does, without printing."""
    from accord.roster.questions import PolicyChooser, ask
    from accord.roster.store import FactsFile

    source = FactsFile(path)
    return {a.person: a.result.outcome_word for a in ask(source, PolicyChooser(policy=str(POLICY)), "eligibility", as_of, roles=["mentor"])}


def accord_sql(db: Path, as_of: dt.date) -> dict[str, str]:
    """What `accord roster check DB --role mentor --policy POLICY --engine sql` does, without printing."""
    from accord.roster.questions import PolicyChooser
    from accord.roster.store import open_roster
    from accord.sql import roster_eligibility

    r = open_roster(db)
    out = {pid: word for _, rows in roster_eligibility(r, PolicyChooser(policy=str(POLICY)), "mentor", as_of) for pid, _, _, word in rows}
    r.close()
    return out


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def paired(a: Callable[[], object], b: Callable[[], object], rounds: int) -> dict[str, Any]:
    """Time candidate `a` against floor `b`, taking turns; the ratio is the median of the rounds'."""
    ta, tb, ratios = [], [], []
    for _ in range(rounds):
        x, _ = timed(b)
        y, _ = timed(a)
        tb.append(x)
        ta.append(y)
        ratios.append(y / x)
    return {"accord_s": statistics.median(ta), "floor_s": statistics.median(tb), "ratio": statistics.median(ratios)}


_DECIDE = """
import sys, time, datetime as dt
from accord.roster.questions import PolicyChooser, ask, log_decisions
from accord.roster.store import open_roster
r = open_roster(sys.argv[1])
day = dt.date.fromisoformat(sys.argv[3])
start = time.perf_counter()
n = log_decisions(r, ask(r, PolicyChooser(policy=sys.argv[2]), "eligibility", day, roles=["mentor"]), day)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child would report its parent's peak
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(n, time.perf_counter() - start, hwm / 1024)
"""

_IMPORT = """
import sys, time
from accord.roster.store import init_roster
r = init_roster(sys.argv[1], "demo")
start = time.perf_counter()
report = r.import_files(sys.argv[2:])
print(time.perf_counter() - start, report.counts["people"], report.counts["evidence"])
"""


def run_size(n: int, rounds: int, folder: Path, only_sql_and_log: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"people": n}
    facts_file = folder / f"roster-{n}.json"
    if not only_sql_and_log:
        facts_file.write_text(json.dumps(synthetic(n)))
    csv_folder = folder / f"csv-{n}"
    csv_folder.mkdir(exist_ok=True)
    files = write_csvs(n, csv_folder)
    db = folder / f"roster-{n}.db"
    line = subprocess.run([sys.executable, "-c", _IMPORT, str(db), *map(str, files)], check=True, capture_output=True, text=True).stdout.split()
    out["import_csv_s"] = float(line[0])
    print(f"[{n}] import from CSV: {float(line[0]):.1f} s ({line[1]} people, {line[2]} evidence)", flush=True)

    expected = by_hand_sql(db, AS_OF)
    assert accord_sql(db, AS_OF) == expected, "the pushed-down query disagrees with the hand-written SQL"
    out["sql"] = paired(lambda: accord_sql(db, AS_OF), lambda: by_hand_sql(db, AS_OF), rounds)
    print(f"[{n}] eligibility in SQL: accord {out['sql']['accord_s']:.2f} s, hand-written SQL {out['sql']['floor_s']:.2f} s, x{out['sql']['ratio']:.2f}", flush=True)

    if not only_sql_and_log:
        assert by_hand_json(facts_file, AS_OF) == expected, "the hand-written JSON loop disagrees with the hand-written SQL"
        assert accord_from_file(facts_file, AS_OF) == expected, "accord disagrees with the hand-written floors"
        out["file"] = paired(lambda: accord_from_file(facts_file, AS_OF), lambda: by_hand_json(facts_file, AS_OF), max(1, rounds // 2))
        print(f"[{n}] eligibility from a facts file: accord {out['file']['accord_s']:.2f} s, Python loop {out['file']['floor_s']:.2f} s, x{out['file']['ratio']:.2f}", flush=True)

    line = subprocess.run([sys.executable, "-c", _DECIDE, str(db), str(POLICY), AS_OF.isoformat()], check=True, capture_output=True, text=True).stdout.split()
    out["decide_log_s"], out["decide_log_rss_mb"] = float(line[1]), float(line[2])
    print(f"[{n}] {line[0]} decisions with reasons to the log: {float(line[1]):.1f} s, peak memory {float(line[2]):.0f} MB", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--million", action="store_true", help="also the SQL and decision-log runs at 1,000,000 people (several minutes)")
    ap.add_argument("--only-sql-and-log", action="store_true", help="skip the facts-file comparison (for large --people)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as tmp:
        results.append(run_size(args.people, args.rounds, Path(tmp), only_sql_and_log=args.only_sql_and_log))
        if args.million:
            results.append(run_size(1_000_000, 1, Path(tmp), only_sql_and_log=True))
    print(f"load average {os.getloadavg()[0]:.1f}; peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
