"""`accord match` on a Cumbria-sized pool: 1,200 trainees and 1,020 mentors across districts.

    python benchmarks/match.py            # one run, the figures in docs/performance.md
    python benchmarks/match.py --json out.json

Reports the time of each stage (eligibility, the ~1.2 million pair evaluations, the solver), the
optimal totals against the greedy baseline's (each trainee in id order takes the best mentor with
a place left), and what one `decide_pair` per pair would cost instead of the compiled block.
Nothing is asserted: the target (under 10 s on a shared 2-core machine) is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path

import accord
from accord.facts import facts_from_document
from accord.match import match

REPO = Path(__file__).resolve().parent.parent
POLICY = REPO / "examples" / "constructs" / "matching.accord"
AS_OF = dt.date(2026, 1, 15)
TARGET_S = 10.0
SUBJECTS = ("mathematics", "english", "science", "history", "art", "music", "languages", "computing")


def pool(trainees: int = 1200, mentors: int = 1020, districts: int = 6, seed: int = 13) -> accord.Facts:
    """A random pool: capacity 1 or 2 each, some mentors who evaluate a trainee, a few untrained."""
    rng = random.Random(seed)
    names = [f"d{i}" for i in range(districts)]
    places = [{"id": "cumbria", "kind": "region"}, *({"id": d, "kind": "district", "parent": "cumbria"} for d in names)]
    people = [
        {"id": f"m{i:04d}", "place": rng.choice(names),
         "facts": {"mentor_trained": rng.random() < 0.95, "subject_area": rng.choice(SUBJECTS), "mentee_capacity": rng.choice((1, 2))}}
        for i in range(mentors)
    ]
    people += [
        {"id": f"t{i:04d}", "place": rng.choice(names), "facts": {"new_to_role": True, "subject_area": rng.choice(SUBJECTS)}}
        for i in range(trainees)
    ]
    rels = [
        {"kind": "evaluation", "evaluator": f"m{rng.randrange(mentors):04d}", "evaluatee": f"t{i:04d}", "from": "2025-09-01"}
        for i in range(trainees) if rng.random() < 0.3
    ]
    return facts_from_document({"places": places, "people": people, "relationships": rels})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    policy = accord.load_policy(POLICY)
    facts = pool()
    started = time.perf_counter()
    report = match(policy, facts, AS_OF)
    total = time.perf_counter() - started
    g = report.greedy
    assert g is not None
    # one decide_pair per pair, on a sample, to show why the matcher runs the compiled block instead
    sample = [(f"m{i:04d}", f"t{j:04d}") for i in range(0, 1020, 51) for j in range(0, 1200, 60)]
    t0 = time.perf_counter()
    for a, b in sample:
        accord.decide_pair(policy, facts, a, b, AS_OF)
    per_pair = (time.perf_counter() - t0) / len(sample)
    figures = {
        "trainees": 1200, "mentors": 1020, "places": sum(c for _, c, _ in report.mentors),
        "seconds_total": round(total, 2), "seconds_solver": round(report.totals.seconds, 3), "seconds_greedy": round(g.seconds, 3),
        "matched": report.totals.matched, "first_score": str(report.totals.first), "score": str(report.totals.score),
        "greedy_matched": g.matched, "greedy_first_score": str(g.first), "greedy_score": str(g.score),
        "decide_pair_us": round(per_pair * 1e6, 1), "decide_pair_all_s": round(per_pair * 1200 * 1020, 1),
        "target_s": TARGET_S,
    }
    for k, v in figures.items():
        print(f"{k:22} {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
