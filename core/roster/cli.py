"""`accord roster`: keep a programme's roster in SQLite and ask questions of everyone in it.

Exit codes as elsewhere: 0 yes for everyone (or done), 1 someone not, 3 someone undetermined,
2 bad input. Only click is imported here; the rest loads when a command runs.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator
from typing import Any

import click

from ..question import as_of_date, fail_cleanly

_as_of = click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Answer as on this date (YYYY-MM-DD): the roster as it was then. Default: today.")
_programme = click.option("--programme", help="Decide under an installed programme's policies: each person under the layer of their own place.")
_policy = click.option("--policy", type=click.Path(dir_okay=False), help="A policy file (.accord) to decide everyone under.")
_batch = click.option("--batch", type=click.IntRange(1), default=2000, show_default=True, help="People read from the roster at a time (memory stays bounded).")
_fmt = click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "csv"]), default="text", show_default=True, help="One line per person: text, JSON lines, or CSV.")




def _chooser(roster: Any, policy: str | None, programme: str | None, day: dt.date | None = None) -> Any:
    from .questions import PolicyChooser

    if policy is None and programme is None:
        programme = roster.programme  # the roster's own programme
    return PolicyChooser(policy, programme, day)


@contextlib.contextmanager
def _progress(items: Iterator[Any], total: int, label: str) -> Iterator[Iterator[Any]]:
    """A progress bar on stderr when it is a terminal; the items unchanged otherwise."""
    if not sys.stderr.isatty():
        yield items
        return
    with click.progressbar(items, length=total, label=label, file=sys.stderr) as bar:
        yield bar


@click.group()
def roster() -> None:
    """Keep a programme's roster in a SQLite database, and ask questions of everyone in it.

    \b
      accord roster init DB --programme NAME           make an empty roster
      accord roster import DB FILE...                  add facts files (JSON/TOML) and CSV files
      accord roster check DB --role R                  who is eligible, one line per person
      accord roster decide DB --role R                 write every decision to the decision log
      accord roster replay DB                          which logged decisions would now differ
      accord roster history DB --person ID             a person's decisions over time

    Every other command takes a roster database (.db, .sqlite) where it takes a facts file.
    """


@roster.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--programme", required=True, help="The programme the roster is for (see `accord programmes`).")
@fail_cleanly
def init(db: str, programme: str) -> None:
    """Make an empty roster database DB (WAL journal; open it in any SQLite tool or Datasette)."""
    from .store import init_roster

    r = init_roster(db, programme)
    click.echo(f"roster {db} for programme {r.programme} (revision {r.revision()})")


@roster.command("import")
@click.argument("db", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--effective", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day changed facts take effect (default today); the old value holds until the day before.")
@click.option("--table", type=click.Choice(["places", "people", "memberships", "roles", "relationships", "evidence", "consents"]), help="What the CSV files hold, when their names do not say.")
@fail_cleanly
def import_(db: str, files: tuple[str, ...], effective: dt.datetime | None, table: str | None) -> None:
    """Import facts files (.json, .toml) and CSV files (people.csv, evidence.csv, ...) into DB.

    All files of one import are checked as a facts file is; any bad row rejects the import,
    naming its file, row and column, and nothing is written. Re-importing updates in place and
    keeps history: a changed fact holds its old value until the day before --effective.
    """
    from .store import open_roster

    r = open_roster(db)
    report = r.import_files(list(files), effective.date() if effective else None, table)
    counts = ", ".join(f"{n} {t}" for t, n in report.counts.items() if n)
    click.echo(f"imported {counts or 'nothing'} (revision {report.revision}, {report.facts_changed} facts changed)")


@roster.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--role", help="The role to decide eligibility for.")
@click.option("--all-roles", is_flag=True, help="Every role of each person's policy.")
@_programme
@_policy
@_as_of
@_fmt
@_batch
@click.option("--engine", type=click.Choice(["python", "sql"]), default="python", show_default=True, help="sql: decide eligibility in the database (see `--explain`), then reasons in Python for no one.")
@click.option("--explain", "explain_plan", is_flag=True, help="With --engine sql: say which rules ran in SQL and which in Python.")
@click.option("--sql", "dialect", metavar="DIALECT", help="Print the pushed-down queries in a SQL dialect (sqlite, duckdb, postgres, spark...) and stop.")
@fail_cleanly
def check(db: str, role: str | None, all_roles: bool, programme: str | None, policy: str | None, as_of: dt.datetime | None, fmt: str, batch: int, engine: str, explain_plan: bool, dialect: str | None) -> None:
    """Decide eligibility for everyone in DB (a roster database, or a facts file), one line each.

    With --engine sql, eligibility is decided by one query per policy in the database; a rule
    that does not push down runs in Python for the people the query left open (--explain).
    Output is grouped by policy then. Exit code 3 if anyone is undetermined, else 1 if anyone
    is not eligible, else 0.
    """
    if (role is None) == (not all_roles):
        raise click.UsageError("give --role ROLE or --all-roles")
    day = as_of_date(as_of)
    if dialect is not None:
        _show_sql(db, role, all_roles, programme, policy, day, dialect)
        return
    if engine == "sql":
        _check_sql(db, role, all_roles, programme, policy, day, fmt, explain_plan)
        return
    _answer(db, "eligibility", [role] if role else None, programme, policy, day, fmt, batch)


@roster.command()
@click.argument("db", type=click.Path(dir_okay=False))
@_programme
@_policy
@_as_of
@_fmt
@_batch
@fail_cleanly
def incentives(db: str, programme: str | None, policy: str | None, as_of: dt.datetime | None, fmt: str, batch: int) -> None:
    """What everyone in DB receives, one line each (JSON lines: the full report)."""
    _answer(db, "incentives", None, programme, policy, as_of_date(as_of), fmt, batch)


@roster.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--role", help="Only the commitments owed in this role.")
@_programme
@_policy
@_as_of
@_fmt
@_batch
@fail_cleanly
def commitments(db: str, role: str | None, programme: str | None, policy: str | None, as_of: dt.datetime | None, fmt: str, batch: int) -> None:
    """Everyone's progress on time commitments, one line each (JSON lines: the full report)."""
    _answer(db, "commitments", [role] if role else None, programme, policy, as_of_date(as_of), fmt, batch)


def _open(db: str) -> Any:
    """A roster database, or a facts file read whole (answered in one batch)."""
    from .store import FactsFile, is_roster_path, open_roster

    return open_roster(db) if is_roster_path(db) else FactsFile(db)


def _database(db: str) -> Any:
    """A roster database, for what only a database can do (SQL)."""
    from ..errors import UsageError
    from .store import is_roster_path, open_roster

    if not is_roster_path(db):
        raise UsageError(f"`{db}` is a facts file; --engine sql and --sql need a roster database: import it with `accord roster import DB {db}`")
    return open_roster(db)


def _answer(db: str, question: str, roles: list[str] | None, programme: str | None, policy: str | None, day: dt.date, fmt: str, batch: int) -> None:
    from .questions import ask, outcome_of, reasons_json, summary

    r = _open(db)
    chooser = _chooser(r, policy, programme, day)
    total = r.count()
    worst = 0
    out = sys.stdout
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(["person", "name", "question", "outcome", "reasons"])
    answers = ask(r, chooser, question, day, roles=roles, batch=batch)
    with _progress(answers, total, f"{question}") as items:
        for a in items:
            word = outcome_of(a)
            worst = max(worst, {"undetermined": 3, "unknown": 3, "not_eligible": 1, "nothing": 1, "late": 1}.get(word, 0), key=lambda c: (c == 3, c))
            if fmt == "jsonl":
                out.write(json.dumps(reasons_json(a), ensure_ascii=False) + "\n")
                continue
            name = getattr(a.result, "subject_name", "") or ""
            if writer:
                writer.writerow([a.person, name, a.question, word, summary(a)])
            else:
                colour = {"eligible": "green", "not_eligible": "red", "receives": "green", "on_track": "green"}.get(word, "yellow")
                label = a.question.split(":", 1)[-1]
                click.echo(f"{click.style(f'{word.replace(chr(95), chr(32)):<13}', fg=colour)} {a.person:<12} {label:<10} {name:<24} {summary(a)}".rstrip())
    sys.exit(worst)


def _check_sql(db: str, role: str | None, all_roles: bool, programme: str | None, policy: str | None, day: dt.date, fmt: str, explain_plan: bool) -> None:
    from ..sql import roster_eligibility

    r = _database(db)
    chooser = _chooser(r, policy, programme, day)
    worst = 0
    writer = csv.writer(sys.stdout) if fmt == "csv" else None
    if writer:
        writer.writerow(["person", "name", "question", "outcome", "reasons"])
    for plan, rows in roster_eligibility(r, chooser, role, day, all_roles=all_roles):
        if explain_plan:
            click.echo(plan.describe(), err=True)  # stderr: the rows on stdout stay machine-readable
        for pid, name, question, word in rows:
            worst = max(worst, {"undetermined": 3, "not_eligible": 1}.get(word, 0), key=lambda c: (c == 3, c))
            if fmt == "jsonl":
                sys.stdout.write(json.dumps({"person": pid, "name": name, "question": question, "outcome": word}) + "\n")
            elif writer:
                writer.writerow([pid, name, question, word, ""])
            else:
                colour = {"eligible": "green", "not_eligible": "red"}.get(word, "yellow")
                click.echo(f"{click.style(f'{word.replace(chr(95), chr(32)):<13}', fg=colour)} {pid:<12} {question.split(':', 1)[-1]:<10} {name or ''}".rstrip())
    sys.exit(worst)


def _show_sql(db: str, role: str | None, all_roles: bool, programme: str | None, policy: str | None, day: dt.date, dialect: str) -> None:
    from ..errors import UsageError
    from ..sql import dialects, roster_eligibility

    if dialect not in dialects():
        raise UsageError(f"no SQL dialect `{dialect}`; dialects: {', '.join(dialects())}")
    r = _database(db)
    for plan, _ in roster_eligibility(r, _chooser(r, policy, programme, day), role, day, all_roles=all_roles):
        click.echo(f"-- policy \"{plan.policy}\", role {plan.role}" + ("" if plan.query is not None else ": nothing pushes down"))
        if plan.query is not None:
            click.echo(plan.sql(dialect) + ";")


@roster.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--role", help="Decide eligibility for this role.")
@click.option("--all-roles", is_flag=True, help="Every role of each person's policy.")
@click.option("--question", type=click.Choice(["eligibility", "incentives", "commitments"]), default="eligibility", show_default=True)
@_programme
@_policy
@_as_of
@_batch
@fail_cleanly
def decide(db: str, role: str | None, all_roles: bool, question: str, programme: str | None, policy: str | None, as_of: dt.datetime | None, batch: int) -> None:
    """Decide for everyone in DB and append each decision, with its reasons, to the decision log.

    Each row of the `decisions` table names the person, the question, the outcome, the reasons
    (JSON), the as-of date, the policy's name, version and content hash, the roster's revision
    and when it was decided. The table is append-only.
    """
    from .questions import ask, log_decisions
    from .store import open_roster

    if question == "eligibility" and (role is None) == (not all_roles):
        raise click.UsageError("give --role ROLE or --all-roles")
    r = open_roster(db)
    day = as_of_date(as_of)
    chooser = _chooser(r, policy, programme, day)
    total = r.count()
    answers = ask(r, chooser, question, day, roles=[role] if role else None, batch=batch)
    with _progress(answers, total, "deciding") as items:
        n = log_decisions(r, items, day)
    click.echo(f"logged {n} decisions as of {day.isoformat()} (roster revision {r.revision()})")


@roster.command()
@click.argument("db", type=click.Path(dir_okay=False))
@_programme
@_policy
@click.option("--all", "every", is_flag=True, help="Replay every logged decision, not only each person's latest per question.")
@fail_cleanly
def replay(db: str, programme: str | None, policy: str | None, every: bool) -> None:
    """Decide logged decisions again and report each one that would now differ, and why.

    Exit code 0 when every decision stands, 1 when some would now differ.
    """
    from .questions import replay as run_replay
    from .store import open_roster

    r = open_roster(db)
    chooser = _chooser(r, policy, programme)
    total = differ = 0
    for e, diff in run_replay(r, chooser, latest=not every):
        total += 1
        if diff is None:
            continue
        differ += 1
        rules = f" ({', '.join(diff.changed)})" if diff.changed else ""
        click.echo(f"#{e.seq} {e.person} {e.question} as of {e.as_of}: {e.outcome} -> {diff.now_outcome}: {'; '.join(diff.why)}{rules}")
    click.echo(f"{total - differ} of {total} logged decisions stand, {differ} would now differ")
    sys.exit(1 if differ else 0)


@roster.command()
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--person", required=True, metavar="ID", help="Whose decisions to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@fail_cleanly
def history(db: str, person: str, fmt: str) -> None:
    """A person's logged decisions over time, oldest first."""
    from ..errors import UsageError
    from .questions import logged
    from .store import open_roster

    r = open_roster(db)
    entries = list(logged(r, person))
    if not entries and not r._existing([person]):
        raise UsageError(f"no person `{person}` in {db}")
    for e in entries:
        if fmt == "jsonl":
            click.echo(json.dumps({"seq": e.seq, "person": e.person, "question": e.question, "outcome": e.outcome, "as_of": e.as_of.isoformat(), "policy": e.policy, "policy_version": e.policy_version, "policy_hash": e.policy_hash, "roster_revision": e.roster_revision, "decided_at": e.decided_at}))
        else:
            click.echo(f"{e.decided_at}  as of {e.as_of}  {e.question:<20} {e.outcome:<13} {e.policy} {e.policy_version or ''} ({e.policy_hash}, roster revision {e.roster_revision})")
    if not entries:
        click.echo(f"no logged decisions for {person}")
