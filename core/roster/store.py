"""The roster store: a programme's people, places, relationships and evidence in one SQLite file.

`init_roster` makes the file (WAL journal, readable tables and views, through `sqlite-utils`);
`Roster.import_files` takes facts files (JSON/TOML) and CSV files as coordinators keep them,
validates every row with the facts loader (`accord.facts.facts_from_document`, the same checks as
a facts file), and writes them in one transaction: a bad row rejects the import, naming its file,
row and column, and nothing is half written. Re-importing updates in place and keeps history: a
fact that changes is closed the day before the import takes effect and a new row opens, so
`Roster.facts_as_of` reads the roster as it was on any day, as an ordinary `accord.Facts`.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
import re
import sqlite3
import time
from decimal import Decimal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import AccordError, Diagnostic, FactsError, Span, suggest
from ..calendars import CalendarReader
from ..facts import facts_from_document, read_document
from . import is_roster_path
from ..model import Consent, Evidence, Facts, Membership, Period, Person, Place, Relationship, RoleAssignment
from ..schema import read_value
from ..registry import Registry, default_registry
from ..values import BOOL, Money, Quantity, Scale, SetOf, Type, to_json_value

SCHEMA_VERSION = "1"
#: what a CSV file holds, by its name (`people.csv`, `2026-evidence.csv`...) or `--table`
TABLES = ("places", "people", "memberships", "roles", "relationships", "evidence", "consents")
#: the order files of one import are read in, so that a row may name what an earlier file adds
_ORDER = {t: i for i, t in enumerate(TABLES)}


class RosterError(AccordError):
    """A roster database or an import that cannot be used: each problem names its file, row and column."""

    code = "R000"


RosterError.__module__ = "accord"


# --------------------------------------------------------------------------- the schema

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS imports (
  revision INTEGER PRIMARY KEY, files TEXT, effective TEXT, imported_at TEXT,
  people INTEGER, places INTEGER, relationships INTEGER, evidence INTEGER, memberships INTEGER, roles INTEGER, consents INTEGER);
CREATE TABLE IF NOT EXISTS places (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, parent TEXT, revision INTEGER);
-- facts about a place (`enrolment`): the latest import of the place gives all of them (JSON values)
CREATE TABLE IF NOT EXISTS place_facts (place TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, revision INTEGER, PRIMARY KEY (place, name));
CREATE TABLE IF NOT EXISTS people (id TEXT PRIMARY KEY, name TEXT, place TEXT, revision INTEGER);
CREATE TABLE IF NOT EXISTS facts (
  person TEXT NOT NULL, name TEXT NOT NULL,
  value TEXT NOT NULL,  -- the value as a facts file writes it (JSON)
  num REAL,             -- numbers, amounts, yes/no (1/0) and levels of a scale (0 lowest), for SQL
  txt TEXT,             -- text, choices and dates (ISO), for SQL
  valid_from TEXT, valid_to TEXT, revision INTEGER);
CREATE INDEX IF NOT EXISTS facts_person ON facts (person, name);
CREATE INDEX IF NOT EXISTS facts_name ON facts (name, person);
CREATE TABLE IF NOT EXISTS memberships (
  key TEXT PRIMARY KEY, person TEXT NOT NULL, organisation TEXT NOT NULL, category TEXT, valid_from TEXT, valid_to TEXT, revision INTEGER);
CREATE INDEX IF NOT EXISTS memberships_person ON memberships (person);
CREATE TABLE IF NOT EXISTS roles (
  key TEXT PRIMARY KEY, person TEXT NOT NULL, role TEXT NOT NULL, place TEXT, valid_from TEXT, valid_to TEXT, revision INTEGER);
CREATE INDEX IF NOT EXISTS roles_person ON roles (person);
CREATE TABLE IF NOT EXISTS relationships (
  key TEXT PRIMARY KEY, id TEXT, kind TEXT NOT NULL, ends TEXT NOT NULL,
  end1 TEXT, person1 TEXT, end2 TEXT, person2 TEXT, valid_from TEXT, valid_to TEXT, revision INTEGER);
CREATE INDEX IF NOT EXISTS relationships_person1 ON relationships (person1);
CREATE INDEX IF NOT EXISTS relationships_person2 ON relationships (person2);
CREATE TABLE IF NOT EXISTS evidence (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, date TEXT NOT NULL, author TEXT,
  hours TEXT, count TEXT, standards TEXT, verified_by TEXT,
  fields TEXT,          -- the kind's own fields (JSON)
  rating TEXT, rating_level INTEGER,  -- an evaluation's rating and its level (0 lowest), for SQL
  revision INTEGER);
CREATE INDEX IF NOT EXISTS evidence_subject ON evidence (subject, kind, date);
CREATE TABLE IF NOT EXISTS consents (
  key TEXT PRIMARY KEY, id TEXT, subject TEXT NOT NULL, viewer TEXT NOT NULL, components TEXT, valid_from TEXT, withdrawn TEXT, revision INTEGER);
CREATE TABLE IF NOT EXISTS calendars (owner TEXT PRIMARY KEY, doc TEXT NOT NULL, revision INTEGER);
CREATE TABLE IF NOT EXISTS decisions (
  seq INTEGER PRIMARY KEY, person TEXT NOT NULL, question TEXT NOT NULL, outcome TEXT NOT NULL, reasons TEXT,
  as_of TEXT NOT NULL, policy TEXT, policy_version TEXT, policy_hash TEXT, roster_revision INTEGER, decided_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_person ON decisions (person, seq);
CREATE TRIGGER IF NOT EXISTS decisions_append_only_update BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_append_only_delete BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
"""

#: made on the first import of a calendar too, for a roster made before calendars
_CALENDARS_DDL = "CREATE TABLE IF NOT EXISTS calendars (owner TEXT PRIMARY KEY, doc TEXT NOT NULL, revision INTEGER)"

#: views for people who open the file in Datasette or any SQLite tool
_VIEWS = {
    "current_facts": "SELECT p.id AS person, p.name AS person_name, f.name AS fact, f.value, f.valid_from "
    "FROM facts f JOIN people p ON p.id = f.person WHERE f.valid_to IS NULL",
    "fact_history": "SELECT person, name AS fact, value, valid_from, valid_to, revision FROM facts ORDER BY person, name, revision",
    "people_places": "SELECT p.id, p.name, p.place, pl.name AS place_name, pl.kind AS place_kind "
    "FROM people p LEFT JOIN places pl ON pl.id = p.place",
    "latest_decisions": "SELECT d.* FROM decisions d JOIN (SELECT person, question, MAX(seq) AS seq FROM decisions "
    "GROUP BY person, question) l ON l.seq = d.seq",
}


def _connect(path: str | Path) -> sqlite3.Connection:
    # autocommit mode: every write below runs in an explicit BEGIN ... COMMIT
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable through a process crash (kill -9)
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


def init_roster(path: str | Path, programme: str, registry: Registry | None = None) -> Roster:
    """Make a roster database for a programme (or open the one there, if it is for the same programme)."""
    registry = registry or default_registry()
    registry.get_programme(programme)  # raises naming the installed programmes
    p = Path(path)
    if p.exists():
        roster = open_roster(p, registry)
        if roster.programme != programme:
            raise RosterError([Diagnostic("R003", f"`{p}` is already a roster of programme `{roster.programme}`", hint="give another file, or --programme " + roster.programme)])
        return roster
    if not is_roster_path(p):
        raise RosterError([Diagnostic("R001", f"`{p}` is not a roster database name", hint="end it in .db or .sqlite")])
    import sqlite_utils  # sqlite-utils makes the views (and is how Datasette users know the file)

    conn = _connect(p)
    conn.executescript(_DDL)
    db = sqlite_utils.Database(conn)
    for name, sql in _VIEWS.items():
        db.create_view(name, sql, ignore=True)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('programme', ?), ('schema_version', ?), ('created_at', ?)", (programme, SCHEMA_VERSION, _now()))
    conn.close()
    return open_roster(p, registry)


def open_roster(path: str | Path, registry: Registry | None = None) -> Roster:
    """Open a roster database made by `accord roster init`; `RosterError` if it is not one."""
    p = Path(path)
    if not p.is_file():
        raise RosterError([Diagnostic("R002", f"no roster database `{p}`", hint=f"make one with `accord roster init {p} --programme NAME`")])
    try:
        conn = _connect(p)
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise RosterError([Diagnostic("R002", f"`{p}` is not a roster database: {exc}", hint=f"make one with `accord roster init {p} --programme NAME`")]) from None
    if meta.get("schema_version") != SCHEMA_VERSION or "programme" not in meta:
        raise RosterError([Diagnostic("R002", f"`{p}` is not a roster database of this version of accord")])
    return Roster(p, conn, meta["programme"], registry or default_registry())


_CLOCK: list[Any] = [None, ""]  # the second last asked about, and its text


def _now() -> str:
    """The time now, to the second, in UTC (written once a second, however many rows ask)."""
    second = int(time.time())
    if _CLOCK[0] != second:
        _CLOCK[0], _CLOCK[1] = second, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return str(_CLOCK[1])


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _key(*parts: object) -> str:
    return json.dumps(parts, separators=(",", ":"), default=str)


# --------------------------------------------------------------------------- reading input files


@attrs.frozen
class _Origin:
    """Where an item of the merged document came from: a file, and for a CSV its row and columns."""

    file: str
    row: int | None = None  # the CSV line (the header is line 1)
    columns: Mapping[str, str] = attrs.Factory(dict)  # field -> column header
    path: str = ""  # for a JSON/TOML item, its path in its own file


def _csv_cell(value: str, t: Type | None) -> Any:
    """A spreadsheet cell as a facts file would write it; what does not fit is left for the loader to name."""
    value = value.strip()
    if t is None:  # most cells: no declared type to read them by (attrs `==` on each cost 5% of an import)
        return value
    if t == BOOL:
        return {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}.get(value.lower(), value)
    if isinstance(t, SetOf):
        return [v.strip() for v in value.split(";") if v.strip()]
    return value


class _Input:
    """The files of one import merged into one facts document, remembering where each item came from."""

    def __init__(self, registry: Registry, table: str | None) -> None:
        self.schema = registry.schema
        self.table = table
        self.doc: dict[str, list[dict[str, Any]]] = {t: [] for t in ("places", "people", "relationships", "evidence", "consents", "calendars")}
        self.origins: dict[str, _Origin] = {}
        #: per imported person: the facts this import speaks for (a CSV: its columns; a facts file: all)
        self.covered: dict[str, set[str] | None] = {}
        #: people named only by a memberships/roles file: already in the roster, or an error
        self.stubs: dict[str, int] = {}
        self.errors: list[Diagnostic] = []
        self.counts = dict.fromkeys((*TABLES, "calendars"), 0)
        #: people rows of a CSV without a name or place column (those stay as the roster has them)
        self.partial: list[int] = []

    def _person_index(self, pid: str) -> int:
        for i, p in enumerate(self.doc["people"]):  # only for memberships/roles rows: small
            if p["id"] == pid:
                return i
        self.stubs[pid] = len(self.doc["people"])
        self.doc["people"].append({"id": pid})
        return self.stubs[pid]

    def read(self, path: str) -> None:
        p = Path(path)
        if p.suffix.lower() == ".csv":
            self._read_csv(p)
            return
        try:
            raw = read_document(p)
        except FactsError as exc:
            self.errors.extend(Diagnostic("R010", d.message, hint=d.hint) for d in exc.diagnostics)
            return
        if not isinstance(raw, dict):
            self.errors.append(Diagnostic("R010", f"{p}: a facts file is an object with a `people` list"))
            return
        for table in self.doc:
            items = raw.get(table, [])
            if not isinstance(items, list):
                self.errors.append(Diagnostic("R010", f"{p}: `{table}`: expected a list"))
                continue
            for j, item in enumerate(items):
                self._add(table, item, _Origin(str(p), path=f"{table}[{j}]"))
                if table == "people" and isinstance(item, dict):
                    self.covered[str(item.get("id"))] = None
        for key in raw:
            if key not in self.doc:
                hint = suggest(str(key), self.doc)
                self.errors.append(Diagnostic("R010", f"{p}: unknown table `{key}`" + (f"; did you mean `{hint}`?" if hint else "")))

    def _add(self, table: str, item: Any, origin: _Origin) -> None:
        i = len(self.doc[table])
        self.doc[table].append(item)
        self.origins[f"{table}[{i}]"] = origin
        self.counts[table] += 1

    def _table_of(self, p: Path) -> str | None:
        if self.table:
            return self.table
        words = re.split(r"[-_. ]+", p.stem.lower())  # people.csv, people-2026.csv, 2026_evidence.csv
        return next((t for t in TABLES if t in words), None)

    def _read_csv(self, p: Path) -> None:
        table = self._table_of(p)
        if table is None:
            self.errors.append(
                Diagnostic("R011", f"{p}: cannot tell what the file holds from its name", hint=f"name it after its table ({', '.join(TABLES)}.csv), or give --table")
            )
            return
        try:
            with p.open(newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            self.errors.append(Diagnostic("R012", f"cannot read `{p}`: {exc}"))
            return
        if not rows:
            self.errors.append(Diagnostic("R012", f"{p}: the file is empty; its first line names the columns"))
            return
        header = [h.strip() for h in rows[0]]
        reader = getattr(self, f"_csv_{table}")
        for line, row in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                self.errors.append(Diagnostic("R013", f"{len(row)} cells in a row of {len(header)} columns", span=Span(str(p), line, 1)))
                continue
            cells = {h: c for h, c in zip(header, row, strict=True) if c.strip() != ""}
            reader(p, line, header, cells)

    # One reader per table: a row becomes the item a facts file would hold (see docs/roster.md).
    def _csv_places(self, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        self._add("places", {k: v.strip() for k, v in cells.items()}, _Origin(str(p), line, {h: h for h in header}))

    def _csv_people(self, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        item: dict[str, Any] = {k: cells[k].strip() for k in ("id", "name", "place") if k in cells}
        columns = {h: h for h in header}
        facts = {}
        for h in header:
            if h in ("id", "name", "place"):
                continue
            columns[f"facts.{h}"] = h
            if h in cells:
                spec = self.schema.facts.get(h)
                facts[h] = _csv_cell(cells[h], spec.type if spec else None)
        item["facts"] = facts
        if "name" not in header or "place" not in header:  # a file of some facts only: keep the rest
            self.partial.append(len(self.doc["people"]))
        self._add("people", item, _Origin(str(p), line, columns))
        self.covered[str(item.get("id"))] = {h for h in header if h not in ("id", "name", "place")}

    def _csv_person_part(self, part: str, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        columns = {h: h for h in header}
        pid = cells.pop("person", "").strip()
        if not pid:
            self.errors.append(Diagnostic("R014", "column `person`: required but missing", span=Span(str(p), line, _col(header, "person"))))
            return
        i = self._person_index(pid)
        person = self.doc["people"][i]
        j = len(person.setdefault(part, []))
        person[part].append({k: v.strip() for k, v in cells.items()})
        self.origins[f"people[{i}].{part}[{j}]"] = _Origin(str(p), line, columns)
        self.counts[part] += 1

    def _csv_memberships(self, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        self._csv_person_part("memberships", p, line, header, cells)

    def _csv_roles(self, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        self._csv_person_part("roles", p, line, header, cells)

    def _csv_relationships(self, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        self._add("relationships", {k: v.strip() for k, v in cells.items()}, _Origin(str(p), line, {h: h for h in header}))

    def _csv_evidence(self, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        kind = self.schema.evidence.get(cells.get("kind", "").strip())
        item: dict[str, Any] = {}
        for h, v in cells.items():
            if h == "standards":
                item[h] = [s.strip() for s in v.split(";") if s.strip()]
            else:
                t = kind.fields.get(h) if kind else None
                item[h] = _csv_cell(v, t)
        self._add("evidence", item, _Origin(str(p), line, {h: h for h in header}))

    def _csv_consents(self, p: Path, line: int, header: list[str], cells: dict[str, str]) -> None:
        item: dict[str, Any] = {k: v.strip() for k, v in cells.items()}
        if "components" in item:
            item["components"] = [s.strip() for s in item["components"].split(";") if s.strip()]
        self._add("consents", item, _Origin(str(p), line, {h: h for h in header}))

    # ------------------------------------------------------------------ naming a problem's row

    _PATH = re.compile(r"^(?P<path>(?:places|people|relationships|evidence|consents)\[\d+\](?:\.(?:memberships|roles)\[\d+\])?)\.?(?P<rest>\S*): (?P<msg>.*)$", re.S)

    def locate(self, diagnostic: Diagnostic, source: str) -> Diagnostic:
        """A loader's problem (`people[3].facts.years: ...`) named by its file, row and column."""
        message = diagnostic.message.removeprefix(f"{source}: ")
        m = self._PATH.match(message)
        if not m:
            return Diagnostic("R015", message, hint=diagnostic.hint)
        origin = self.origins.get(m["path"])
        if origin is None and m["path"].startswith("people["):
            pid = self.doc["people"][int(m["path"][7:].split("]")[0])].get("id")
            return Diagnostic("R016", f"person `{pid}`: {m['rest']}: {m['msg']}")
        assert origin is not None
        rest = m["rest"]
        if origin.row is None:
            where = f"{origin.path}.{rest}" if rest else origin.path
            return Diagnostic("R015", f"{origin.file}: {where}: {m['msg']}", hint=diagnostic.hint)
        column = origin.columns.get(rest) or origin.columns.get(rest.split(".")[0]) or rest
        header = list(dict.fromkeys(origin.columns.values()))
        col = header.index(column) + 1 if column in header else 1
        return Diagnostic("R015", f"column `{column}`: {m['msg']}" if column else m["msg"], span=Span(origin.file, origin.row, col), hint=diagnostic.hint)


def _col(header: Sequence[str], name: str) -> int:
    return header.index(name) + 1 if name in header else 1


# --------------------------------------------------------------------------- the roster


@attrs.frozen
class ImportReport:
    """What one import wrote: its revision and how many rows of each table."""

    revision: int
    counts: Mapping[str, int]
    facts_changed: int


class Roster:
    """An open roster database. Read it as `accord.Facts` as of a day; write it by importing files."""

    def __init__(self, path: Path, conn: sqlite3.Connection, programme: str, registry: Registry) -> None:
        self.path, self.conn, self.programme, self.registry = path, conn, programme, registry

    def close(self) -> None:
        self.conn.close()

    def revision(self) -> int:
        """How many imports have been committed: the roster's version, logged with every decision."""
        return int(self.conn.execute("SELECT COALESCE(MAX(revision), 0) FROM imports").fetchone()[0])

    def count(self) -> int:
        """How many people the roster holds."""
        return int(self.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0])

    def places(self) -> Facts:
        """The roster's places alone, as `accord.Facts` (for place chains)."""
        doc = self.document(dt.date.today(), people=())
        return facts_from_document({"places": doc["places"], "people": []}, self.registry, source=str(self.path))

    def person_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM people ORDER BY id")]

    # ------------------------------------------------------------------ import

    def import_files(self, files: Sequence[str], effective: dt.date | None = None, table: str | None = None) -> ImportReport:
        """Validate and write files in one transaction; `RosterError` naming each bad row, and nothing written."""
        effective = effective or dt.date.today()
        source = "<import>"
        data = _Input(self.registry, table)
        for f in sorted(files, key=lambda f: _ORDER.get(data._table_of(Path(f)) or "", -1) if Path(f).suffix.lower() == ".csv" else -1):
            data.read(f)
        if data.errors:
            raise RosterError(data.errors)
        self._add_known(data)
        try:
            facts = facts_from_document(data.doc, self.registry, source=source)
        except FactsError as exc:
            raise RosterError([data.locate(d, source) for d in exc.diagnostics]) from None
        return self._write(data, facts, effective, files)

    def _add_known(self, data: _Input) -> None:
        """Put into the document, for validation only, the places and people it names that the roster holds."""
        doc = data.doc
        given = {p["id"] for p in doc["places"] if isinstance(p, dict) and isinstance(p.get("id"), str)}
        for pid, kind, name, parent in self.conn.execute("SELECT id, kind, name, parent FROM places"):
            if pid not in given:
                doc["places"].append({"id": pid, "kind": kind, "name": name or "", **({"parent": parent} if parent else {})})
        for i in data.partial:
            item = doc["people"][i]
            row = self.conn.execute("SELECT name, place FROM people WHERE id = ?", (item.get("id"),)).fetchone()
            if row is not None:
                for key, value in zip(("name", "place"), row, strict=True):
                    if key not in item and value:
                        item[key] = value
        people = {p["id"] for p in doc["people"] if isinstance(p, dict) and isinstance(p.get("id"), str)}
        named: set[str] = set(data.stubs)
        for r in doc["relationships"]:
            if isinstance(r, dict):
                named.update(v for k, v in r.items() if k not in ("kind", "id", "from", "to") and isinstance(v, str))
        for e in doc["evidence"]:
            if isinstance(e, dict):
                named.update(e[k] for k in ("subject", "author", "verified_by") if isinstance(e.get(k), str))
        for c in doc["consents"]:
            if isinstance(c, dict):
                named.update(c[k] for k in ("subject", "viewer") if isinstance(c.get(k), str))
        for c in doc["calendars"]:  # a person's own stretch of a calendar names them
            if isinstance(c, dict) and isinstance(c.get("person"), str):
                named.add(c["person"])
        wanted = sorted((named - people) | set(data.stubs))
        known = self._existing(wanted)
        for pid in wanted:
            if pid in data.stubs:
                if pid not in known:
                    origin = next(o for k, o in data.origins.items() if k.startswith(f"people[{data.stubs[pid]}]."))
                    raise RosterError([Diagnostic("R017", f"column `person`: no person `{pid}` in this import or the roster", span=Span(origin.file, origin.row or 1, 1))])
            elif pid in known:
                doc["people"].append({"id": pid})

    def _existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            found.update(r[0] for r in self.conn.execute(f"SELECT id FROM people WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def _write(self, data: _Input, facts: Facts, effective: dt.date, files: Sequence[str]) -> ImportReport:
        conn = self.conn
        schema = self.registry.schema
        closes = (effective - dt.timedelta(days=1)).isoformat()
        eff = effective.isoformat()
        stub_ids = set(data.stubs)
        imported = [p for p in facts.people.values() if p.id in data.covered]
        conn.execute("BEGIN IMMEDIATE")
        try:
            revision = self.revision() + 1
            existing = self._existing([p.id for p in imported])
            current: dict[tuple[str, str], tuple[int, str, str | None]] = {}
            if existing:
                for rowid, person, name, value, since in conn.execute("SELECT rowid, person, name, value, valid_from FROM facts WHERE valid_to IS NULL"):
                    if person in existing:
                        current[(person, name)] = (rowid, value, since)
            new_facts, closed, dropped = [], [], []
            dated_clear: list[tuple[str, str]] = []
            dated_rows: list[tuple[Any, ...]] = []
            changed = 0
            for person in imported:
                covered = data.covered[person.id]
                names = set(schema.facts) if covered is None else covered
                new_person = person.id not in existing
                for name in names:
                    if name in person.dated:  # the fact's whole history: its periods replace its rows
                        dated_clear.append((person.id, name))
                        for period, value in person.dated[name]:
                            encoded = json.dumps(to_json_value(value), ensure_ascii=False)
                            num, txt = _sql_value(value, schema.facts[name].type)
                            dated_rows.append((person.id, name, encoded, num, txt, _iso(period.start), _iso(period.end), revision))
                        changed += 1
                        continue
                    value = person.facts.get(name)
                    encoded = None if value is None else json.dumps(to_json_value(value), ensure_ascii=False)
                    old = current.get((person.id, name))
                    if old is not None and old[1] == encoded or old is None and encoded is None:
                        continue
                    changed += 1
                    if old is not None:
                        (dropped if old[2] == eff else closed).append(old[0])
                    if encoded is not None:
                        num, txt = _sql_value(value, schema.facts[name].type)
                        new_facts.append((person.id, name, encoded, num, txt, None if new_person else eff, revision))
            conn.executemany("UPDATE facts SET valid_to = ? WHERE rowid = ?", [(closes, r) for r in closed])
            conn.executemany("DELETE FROM facts WHERE rowid = ?", [(r,) for r in dropped])
            conn.executemany("INSERT INTO facts (person, name, value, num, txt, valid_from, revision) VALUES (?,?,?,?,?,?,?)", new_facts)
            conn.executemany("DELETE FROM facts WHERE person = ? AND name = ?", dated_clear)
            conn.executemany("INSERT INTO facts (person, name, value, num, txt, valid_from, valid_to, revision) VALUES (?,?,?,?,?,?,?,?)", dated_rows)
            conn.executemany(
                "INSERT INTO people (id, name, place, revision) VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET name=excluded.name, place=excluded.place, revision=excluded.revision",
                [(p.id, p.name, p.place, revision) for p in imported],
            )
            given_places = {p["id"] for p in data.doc["places"][: data.counts["places"]]}
            conn.executemany(
                "INSERT OR REPLACE INTO places VALUES (?,?,?,?,?)",
                [(p.id, p.kind, p.name, p.parent, revision) for p in facts.places.values() if p.id in given_places],
            )
            conn.executemany("DELETE FROM place_facts WHERE place = ?", [(i,) for i in given_places])
            conn.executemany(
                "INSERT INTO place_facts VALUES (?,?,?,?)",
                [
                    (p.id, name, json.dumps(to_json_value(value), ensure_ascii=False), revision)
                    for p in facts.places.values()
                    if p.id in given_places
                    for name, value in p.facts.items()
                ],
            )
            # a facts file's person lists all their memberships and roles; a CSV row adds one
            whole = [p.id for p in imported if data.covered[p.id] is None]
            conn.executemany("DELETE FROM memberships WHERE person = ?", [(i,) for i in whole])
            conn.executemany("DELETE FROM roles WHERE person = ?", [(i,) for i in whole])
            parts = [p for p in facts.people.values() if p.id in data.covered or p.id in stub_ids]
            conn.executemany(
                "INSERT OR REPLACE INTO memberships VALUES (?,?,?,?,?,?,?)",
                [(_key(p.id, m.organisation, m.category, _iso(m.period.start)), p.id, m.organisation, m.category, _iso(m.period.start), _iso(m.period.end), revision) for p in parts for m in p.memberships],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO roles VALUES (?,?,?,?,?,?,?)",
                [(_key(p.id, r.role, r.place, _iso(r.period.start)), p.id, r.role, r.place, _iso(r.period.start), _iso(r.period.end), revision) for p in parts for r in p.roles],
            )
            rels = []
            for r in facts.relationships:
                (e1, p1), (e2, p2) = sorted(r.ends.items())
                key = r.id or _key(r.kind, e1, p1, e2, p2, _iso(r.period.start))
                rels.append((key, r.id or None, r.kind, json.dumps(dict(sorted(r.ends.items()))), e1, p1, e2, p2, _iso(r.period.start), _iso(r.period.end), revision))
            conn.executemany("INSERT OR REPLACE INTO relationships VALUES (?,?,?,?,?,?,?,?,?,?,?)", rels)
            conn.executemany("INSERT OR REPLACE INTO evidence VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [_evidence_row(e, revision) for e in facts.evidence])
            conn.executemany(
                "INSERT OR REPLACE INTO consents VALUES (?,?,?,?,?,?,?,?)",
                [
                    (c.id or _key(c.subject, c.viewer, c.start.isoformat()), c.id or None, c.subject, c.viewer, json.dumps(sorted(c.components)), c.start.isoformat(), _iso(c.withdrawn), revision)
                    for c in facts.consents
                ],
            )
            # school calendars (core/calendars.py): one row per place or person, replaced whole
            conn.execute(_CALENDARS_DDL)
            conn.executemany(
                "INSERT OR REPLACE INTO calendars VALUES (?,?,?)",
                [(f"place:{c['place']}" if "place" in c else f"person:{c['person']}", json.dumps(c, default=str), revision) for c in data.doc["calendars"]],
            )
            counts = dict(data.counts)
            counts["people"] = len(imported)
            conn.execute(
                "INSERT INTO imports VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (revision, json.dumps([str(f) for f in files]), eff, _now(), *(counts[t] for t in ("people", "places", "relationships", "evidence", "memberships", "roles", "consents"))),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return ImportReport(revision, counts, changed)

    # ------------------------------------------------------------------ reading

    def document(self, day: dt.date, people: Iterable[str] | None = None) -> dict[str, Any]:
        """The roster as a facts document as of `day`: everyone, or the people named and the people they reach.

        Those named come with their relationships, evidence and consents; the people these name
        come with their facts, memberships and roles, so that every reference resolves.
        """
        d = day.isoformat()
        conn = self.conn
        # the people as a JSON array, read by json_each: no temporary table to write per batch
        if people is None:
            wanted_ids = [r[0] for r in conn.execute("SELECT id FROM people")]
        else:
            wanted_ids = list(people)
        wanted = json.dumps(wanted_ids)
        ids_in = "(SELECT value FROM json_each(?))"
        rel_sql = f"SELECT r.id, r.kind, r.ends, r.valid_from, r.valid_to FROM relationships r WHERE r.person1 IN {ids_in} OR r.person2 IN {ids_in} ORDER BY r.rowid"
        relationships = []
        for rid, kind, ends, since, until in conn.execute(rel_sql, (wanted, wanted)):
            item = {"kind": kind, **json.loads(ends)}
            if rid:
                item["id"] = rid
            if since:
                item["from"] = since
            if until:
                item["to"] = until
            relationships.append(item)
        evidence = [_evidence_item(row) for row in conn.execute(f"SELECT * FROM evidence WHERE subject IN {ids_in} ORDER BY subject, date, id", (wanted,))]
        consents = []
        for cid, subject, viewer, components, since, withdrawn in conn.execute(f"SELECT id, subject, viewer, components, valid_from, withdrawn FROM consents WHERE subject IN {ids_in} ORDER BY rowid", (wanted,)):
            item = {"subject": subject, "viewer": viewer, "components": json.loads(components), "from": since}
            if cid:
                item["id"] = cid
            if withdrawn:
                item["withdrawn"] = withdrawn
            consents.append(item)
        reached = {v for r in relationships for k, v in r.items() if k not in ("kind", "id", "from", "to")}
        reached |= {e[k] for e in evidence for k in ("author", "verified_by") if e.get(k)}
        reached |= {c["viewer"] for c in consents}
        reached_ids = json.dumps(sorted(reached.union(wanted_ids)))
        facts: dict[str, dict[str, Any]] = {}
        for person, name, value in conn.execute(
            f"SELECT person, name, value FROM facts WHERE person IN {ids_in} "
            "AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)",
            (reached_ids, d, d),
        ):
            facts.setdefault(person, {})[name] = _json_scalar(value)
        parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for table, first in (("memberships", "organisation"), ("roles", "role")):
            other = "category" if table == "memberships" else "place"
            for person, a, b, since, until in conn.execute(f"SELECT person, {first}, {other}, valid_from, valid_to FROM {table} WHERE person IN {ids_in} ORDER BY rowid", (reached_ids,)):
                item = {first: a}
                if b is not None:
                    item[other] = b
                if since:
                    item["from"] = since
                if until:
                    item["to"] = until
                parts.setdefault((person, table), []).append(item)
        out_people = []
        for pid, name, place in conn.execute(f"SELECT id, name, place FROM people WHERE id IN {ids_in} ORDER BY id", (reached_ids,)):
            item = {"id": pid, "name": name or "", "facts": facts.get(pid, {})}
            if place:
                item["place"] = place
            for table in ("memberships", "roles"):
                if (pid, table) in parts:
                    item[table] = parts[(pid, table)]
            out_people.append(item)
        places = []
        place_facts: dict[str, dict[str, Any]] = {}
        for place, name, value in conn.execute("SELECT place, name, value FROM place_facts"):
            place_facts.setdefault(place, {})[name] = json.loads(value)
        for pid, kind, name, parent in conn.execute("SELECT id, kind, name, parent FROM places ORDER BY id"):
            more = {"facts": place_facts[pid]} if pid in place_facts else {}
            places.append({"id": pid, "kind": kind, "name": name or "", **({"parent": parent} if parent else {}), **more})
        calendars = []
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'calendars'").fetchone():  # a roster made before calendars has none
            reached_people = set(json.loads(reached_ids))
            for owner, doc in conn.execute("SELECT owner, doc FROM calendars ORDER BY owner"):
                if owner.startswith("place:") or owner[len("person:") :] in reached_people:
                    calendars.append(json.loads(doc))
        out: dict[str, Any] = {"places": places, "people": out_people, "relationships": relationships, "evidence": evidence, "consents": consents}
        if calendars:
            out["calendars"] = calendars
        return out

    def change_dates(self, person: str) -> set[dt.date]:
        """The days on which one of the person's fact rows begins or ends (the day after an end)."""
        days: set[dt.date] = set()
        for since, until in self.conn.execute("SELECT valid_from, valid_to FROM facts WHERE person = ?", (person,)):
            if since:
                days.add(dt.date.fromisoformat(since))
            if until:
                days.add(dt.date.fromisoformat(until) + dt.timedelta(days=1))
        return days

    def facts_as_of(self, day: dt.date, people: Iterable[str] | None = None) -> Facts:
        """The roster as of `day` as `accord.Facts` (everyone, or the people named and whom they reach).

        Every row was validated by the facts loader when it was imported, so it is read back
        straight into the model (the loader's structuring costs ten times the reading).
        """
        return _trusted_facts(self.document(day, people), self.registry, str(self.path))

    def batches(self, day: dt.date, size: int = 2000, people: Sequence[str] | None = None) -> Iterator[tuple[Facts, list[str]]]:
        """The roster in batches of `size` people, each as `accord.Facts` with whom they reach: bounded memory."""
        ids = list(people) if people is not None else self.person_ids()
        for i in range(0, len(ids), size):
            chunk = ids[i : i + size]
            yield self.facts_as_of(day, chunk), chunk


def _period(item: Mapping[str, Any], start: str = "from", end: str = "to") -> Period:
    since, until = item.get(start), item.get(end)
    return Period(dt.date.fromisoformat(since) if since else None, dt.date.fromisoformat(until) if until else None)


# A roster repeats few distinct values (true, 3, "professional"): each is decoded and read once and
# remembered (values are immutable: text, numbers, levels, dates, frozensets), not once a row.
_MEMO_SIZE = 100_000
_JSON_MEMO: dict[str, Any] = {}
_VALUE_MEMO: dict[tuple[int, type, Any], tuple[Type, Any]] = {}


def _json_scalar(text: str) -> Any:
    """`json.loads(text)`; a scalar is decoded once (a list or an object is decoded every time: mutable)."""
    found = _JSON_MEMO.get(text)
    if found is None:
        found = json.loads(text)
        if not isinstance(found, (list, dict)):
            if len(_JSON_MEMO) > _MEMO_SIZE:
                _JSON_MEMO.clear()
            _JSON_MEMO[text] = found
    return found


def _read(value: Any, t: Type) -> Any:
    """`read_value(value, t)`, once per distinct value and type (a list is read every time)."""
    if value.__class__ is list:
        return read_value(value, t)
    key = (id(t), value.__class__, value)  # the class too: 1 == 1.0 == True
    found = _VALUE_MEMO.get(key)
    if found is None or found[0] is not t:
        found = (t, read_value(value, t))
        if len(_VALUE_MEMO) > _MEMO_SIZE:
            _VALUE_MEMO.clear()
        _VALUE_MEMO[key] = found
    return found[1]


def _trusted_facts(doc: Mapping[str, Any], registry: Registry, source: str) -> Facts:
    """`Facts` from a document the roster wrote from rows the facts loader validated."""
    schema = registry.schema
    specs = {name: spec.type for name, spec in schema.facts.items()}
    people = {
        p["id"]: Person(
            id=p["id"],
            name=p.get("name", ""),
            place=p.get("place"),
            facts={k: _read(v, specs[k]) for k, v in p["facts"].items()},
            memberships=tuple(Membership(m["organisation"], m.get("category", "member"), _period(m)) for m in p.get("memberships", ())),
            roles=tuple(RoleAssignment(r["role"], r.get("place"), _period(r)) for r in p.get("roles", ())),
        )
        for p in doc["people"]
    }
    places = {
        p["id"]: Place(p["id"], p["kind"], p.get("name", ""), p.get("parent"), {k: read_value(v, specs[k]) for k, v in p.get("facts", {}).items()})
        for p in doc["places"]
    }
    relationships = tuple(Relationship(r["kind"], {k: v for k, v in r.items() if k not in _NOT_ENDS}, _period(r), r.get("id", "")) for r in doc["relationships"])
    evidence = []
    for e in doc["evidence"]:
        kind = schema.evidence[e["kind"]]
        fields = {k: _read(v, kind.fields[k]) for k, v in e.items() if k in kind.fields}
        hours, count = e.get("hours"), e.get("count")
        evidence.append(
            Evidence(
                e["id"], e["kind"], e["subject"], dt.date.fromisoformat(e["date"]), e.get("author"),
                None if hours is None else Decimal(hours), None if count is None else Decimal(count),
                frozenset(e.get("standards", ())), e.get("verified_by"), fields,
            )  # fmt: skip
        )
    consents = tuple(
        Consent(c["subject"], c["viewer"], frozenset(c["components"]), dt.date.fromisoformat(c["from"]), dt.date.fromisoformat(c["withdrawn"]) if c.get("withdrawn") else None, c.get("id", ""))
        for c in doc["consents"]
    )
    calendars, stretches = CalendarReader(lambda *_: None, places, people).read(doc.get("calendars", []))
    return Facts(
        people=people, places=places, relationships=relationships, evidence=tuple(evidence), consents=consents, source=source,
        calendars=calendars, stretches=stretches,
    )


_NOT_ENDS = frozenset({"kind", "id", "from", "to"})


def _sql_value(value: Any, t: Type) -> tuple[float | None, str | None]:
    """A fact's value for SQL: numbers, yes/no and levels in `num`; text, choices and dates in `txt`."""
    if isinstance(value, bool):
        return (1.0 if value else 0.0), None
    if isinstance(t, (Quantity, Money)):
        return float(value), None
    if isinstance(t, Scale):
        return float(int(value)), None
    if isinstance(value, dt.date):
        return None, value.isoformat()
    if isinstance(value, str):
        return None, value
    return None, None


def _evidence_row(e: Any, revision: int) -> tuple[Any, ...]:
    rating = e.fields.get("rating")
    return (
        e.id, e.kind, e.subject, e.date.isoformat(), e.author,
        None if e.hours is None else str(to_json_value(e.hours)), None if e.count is None else str(to_json_value(e.count)),
        json.dumps(sorted(e.standards)) if e.standards else None, e.verified_by,
        json.dumps({k: to_json_value(v) for k, v in e.fields.items()}, ensure_ascii=False),
        None if rating is None else to_json_value(rating), int(rating) if isinstance(rating, enum.IntEnum) else None, revision,
    )  # fmt: skip


def _evidence_item(row: Sequence[Any]) -> dict[str, Any]:
    eid, kind, subject, date, author, hours, count, standards, verified_by, fields = row[:10]
    item: dict[str, Any] = {"id": eid, "kind": kind, "subject": subject, "date": date, **json.loads(fields or "{}")}
    for k, v in (("author", author), ("hours", hours), ("count", count), ("verified_by", verified_by)):
        if v is not None:
            item[k] = v
    if standards:
        item["standards"] = json.loads(standards)
    return item


class FactsFile:
    """A facts file asked as a roster is: the whole file is one batch."""

    def __init__(self, path: str | Path, registry: Registry | None = None) -> None:
        from ..facts import load_facts

        self.path = Path(path)
        self.facts = load_facts(path, registry)

    def count(self) -> int:
        return len(self.facts.people)

    def places(self) -> Facts:
        return self.facts

    def batches(self, day: dt.date, size: int = 0, people: Sequence[str] | None = None) -> Iterator[tuple[Facts, list[str]]]:
        yield self.facts, list(people) if people is not None else list(self.facts.people)
        # Everyone has been asked: drop the day's evaluation contexts, which refer back to the
        # facts (a cycle), so that the roster is freed as soon as it is dropped, without a full
        # collection of the heap. A decision still to write out its reasons keeps its own context.
        self.facts.contexts.clear()
