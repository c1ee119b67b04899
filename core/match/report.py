"""A matching proposal as text, JSON and CSV."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .propose import MatchReport, Unmatched

# --------------------------------------------------------------------------- explain


def _show(n: Decimal) -> str:
    from ..values import show_number

    return show_number(n)


def match_json(report: MatchReport) -> dict[str, Any]:
    """The report as JSON (`accord.match/1`)."""
    out: dict[str, Any] = {
        "format": "accord.match/1",
        "policy": report.policy,
        "as_of": report.as_of.isoformat(),
        "ends": list(report.ends),
        "relationship": report.relationship,
        "pairs": [
            {
                report.ends[0]: p.mentor, report.ends[1]: p.mentee, "status": p.status,
                "score": _show(p.score), "first_score": _show(p.first_score), "preferences_met": list(p.met),
            }
            for p in report.pairs
        ],
        "kept": [{report.ends[0]: a, report.ends[1]: b} for a, b in report.kept],
        "unmatched": [
            {
                report.ends[1]: u.mentee,
                "candidates": [
                    {report.ends[0]: c.mentor, "reason": c.reason, "rule": c.rule, "status": c.status, "because": c.because}
                    for c in u.candidates
                ],
            }
            for u in report.unmatched
        ],
        "undetermined": [{"person": u.person, "roles": list(u.roles), "missing": list(u.missing)} for u in report.undetermined],
        "mentors": [{"id": i, "capacity": c, "places_left": left} for i, c, left in report.mentors],
        "totals": {"mentees": report.mentees, "matched": report.totals.matched, "first_score": _show(report.totals.first), "score": _show(report.totals.score)},
    }
    if report.greedy is not None:
        g = report.greedy
        out["greedy"] = {"matched": g.matched, "first_score": _show(g.first), "score": _show(g.score)}
    if report.viewer:
        out["viewer"] = report.viewer
        out["withheld"] = list(report.withheld)
    return out


def match_csv(report: MatchReport) -> str:
    """One row per proposed, fixed or kept pair and per mentee left without a mentor."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([report.ends[0], report.ends[1], "status", "score", "first_score", "preferences_met", "why"])
    for p in report.pairs:
        w.writerow([p.mentor, p.mentee, p.status, _show(p.score), _show(p.first_score), "; ".join(p.met), ""])
    for a, b in report.kept:
        w.writerow([a, b, "kept", "", "", "", "a current relationship"])
    for u in report.unmatched:
        w.writerow(["", u.mentee, "unmatched", "", "", "", _why_summary(u)])
    return buf.getvalue()


def _why_summary(u: Unmatched) -> str:
    if not u.candidates:
        return "no eligible mentor"
    groups: dict[str, list[str]] = {}
    for c in u.candidates:
        key = f"`{c.rule}` {c.status}" if c.reason == "rule" else "no place left" if c.reason == "capacity" else "a rule this viewer may not see"
        groups.setdefault(key, []).append(c.mentor)
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in groups.items())


def match_text(report: MatchReport, *, limit: int = 8) -> str:
    """The report for people: the pairs, who is left without a mentor and why, the totals."""
    first, second = report.ends
    lines = [f"match under policy \"{report.policy}\" ({first}, {second}) as of {report.as_of.isoformat()}"]
    if report.viewer:
        lines.append(f"  as {report.viewer} may see it" + (": scores count only the preferences this viewer may see" if report.withheld else ""))
    lines.append(f"proposed pairs ({sum(p.status == 'proposed' for p in report.pairs)}):" if report.pairs else "proposed pairs: none")
    for p in report.pairs:
        met = ", ".join(p.met) if p.met else "no preference met"
        tag = " (fixed)" if p.status == "fixed" else ""
        lines.append(f"  {p.mentor} -> {p.mentee}{tag}  score {_show(p.score)}: {met}")
    if report.kept:
        lines.append(f"kept ({len(report.kept)} current {report.relationship} relationship{'s' if len(report.kept) != 1 else ''}):")
        lines.extend(f"  {a} -> {b}" for a, b in report.kept)
    if report.unmatched:
        lines.append(f"without a {first} ({len(report.unmatched)}):")
        for u in report.unmatched:
            lines.append(f"  {u.mentee}: " + ("no eligible " + first if not u.candidates else "every candidate is excluded"))
            for c in u.candidates[:limit]:
                if c.reason == "capacity":
                    lines.append(f"    {c.mentor}: capacity, {c.because}")
                elif c.reason == "hidden":
                    lines.append(f"    {c.mentor}: a rule this viewer may not see")
                else:
                    lines.append(f"    {c.mentor}: `{c.rule}` {c.status}" + (f" ({c.because})" if c.because else ""))
            if len(u.candidates) > limit:
                lines.append(f"    ... and {len(u.candidates) - limit} more (--format json lists them all)")
    if report.undetermined:
        lines.append(f"undetermined ({len(report.undetermined)}), left out:")
        for d in report.undetermined:
            lines.append(f"  {d.person} as {' or '.join(d.roles)}: missing {', '.join(d.missing) or 'nothing named'}")
    t = report.totals
    lines.append(
        f"total: {t.matched} of {report.mentees} {second}s matched, first-tier score {_show(t.first)}, score {_show(t.score)}"
    )
    if report.greedy is not None:
        g = report.greedy
        gap = f"{t.matched - g.matched} fewer matched, " if g.matched < t.matched else ""
        lines.append(
            f"a greedy assignment: {g.matched} matched, first-tier score {_show(g.first)}, score {_show(g.score)}"
            + (f" ({gap}{_show(t.first - g.first)} first-tier and {_show(t.score - g.score)} in all short)" if (g.matched, g.first, g.score) != (t.matched, t.first, t.score) else " (as good)")
        )
    elif "greedy" in report.withheld:
        lines.append("the greedy comparison is withheld: it would tell what preferences this viewer may not see are worth")
    return "\n".join(lines)
