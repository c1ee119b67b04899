"""The `accord` command: ask whether a person qualifies, why or why not, and what is missing.

Exit codes: 0 eligible (or allowed, or clean), 1 not eligible, 3 undetermined, 2 bad input or
usage. Every expected error is a message on stderr and exit code 2; a traceback is a bug.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from .errors import AccordError

EXIT_BAD_INPUT = 2


def _fail_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every `AccordError` into its message on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AccordError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper


def _as_of(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _load_facts(path: str, as_of: dt.datetime | None) -> Any:
    """A facts file, or a roster database (.db, .sqlite) read as it was on the question's day."""
    from .roster import is_roster_path

    if is_roster_path(path):
        from .roster.store import open_roster

        return open_roster(path).facts_as_of(_as_of(as_of))
    from .facts import load_facts

    return load_facts(path)


def _emit_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


class _Policies:
    """The policy for each person: the --policy file, or the programme's policy for the
    nearest place up the person's place chain (a district's layer, else the programme's own)."""

    def __init__(self, policy: str | None, programme: str | None) -> None:
        if (policy is None) == (programme is None):
            raise click.UsageError("give exactly one of --policy FILE or --programme NAME")
        self.policy, self.programme = policy, programme
        self._loaded: dict[str, Any] = {}

    def for_person(self, facts: Any, person_id: str) -> Any:
        from .load import load_policy
        from .registry import default_registry

        if self.policy is not None:
            if self.policy not in self._loaded:
                self._loaded[self.policy] = load_policy(self.policy)
            return self._loaded[self.policy]
        assert self.programme is not None
        chain = [p.id for p in facts.place_chain(facts.person(person_id).place)]
        file, _ = default_registry().get_place_policy(self.programme, chain)
        if file not in self._loaded:
            self._loaded[file] = load_policy(programme=self.programme, places=chain)
        return self._loaded[file]


_format = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Text for people, JSON for scripts."
)
_as_of_option = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Answer as on this date (YYYY-MM-DD); relationships and evidence are read as of then. Default: today.",
)
_policy_options = [
    click.option("--policy", type=click.Path(dir_okay=False), help="A policy file (.accord) to decide under."),
    click.option(
        "--programme",
        help="Use an installed programme's policies (see `accord programmes`): the layer of the nearest place up the person's place chain, else the programme's own policy.",
    ),
]
# For tests and the benchmarks: run the reference interpreter instead of the compiled code.
_engine_option = click.option("--engine", type=click.Choice(["compiled", "interpreted"]), default="compiled", hidden=True)
_viewer_option = click.option(
    "--viewer", metavar="ID", help="Print only what this person may see: values read from records they may not see are hidden."
)


def _with_policy_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_policy_options):
        fn = option(fn)
    return fn


class _Main(click.Group):
    """The `accord` group; `accord roster` loads only when it is asked for (or listed by --help)."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "roster" and name not in self.commands:
            from .roster.cli import roster

            self.add_command(roster)
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), "roster"})


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="accord")
def main() -> None:
    """Accord answers mentoring programme questions under each organisation's policy.

    \b
    Start here:
      accord programmes                      the installed programmes and their roles
      accord check FACTS --person ID --role ROLE --programme NAME
                                             is this person eligible, and why?
      accord incentives FACTS --person ID --programme NAME
                                             what does this person receive?
      accord commitments FACTS --person ID --programme NAME
                                             what time is owed, and how far along?
      accord access FACTS --viewer ID --record ID --programme NAME
                                             may this viewer see this record?
      accord lint POLICY...                  check policy files and show every problem
      accord schema                          the JSON Schema of a facts file

    Exit codes: 0 eligible, 1 not eligible, 3 undetermined (facts missing), 2 bad input;
    each command's --help says what its codes mean.
    """


@main.command()
@click.argument("facts", type=click.Path(dir_okay=False))
@click.option("--person", "people", multiple=True, metavar="ID", help="Whom to ask about; repeat it, or leave it out for everyone in FACTS.")
@click.option("--role", required=True, help="The role to decide eligibility for, e.g. mentor.")
@_with_policy_options
@_as_of_option
@_format
@click.option("--explain", is_flag=True, help="Show every rule with its citation and layer, and the value of each condition inside it.")
@_viewer_option
@_engine_option
@_fail_cleanly
def check(
    facts: str,
    people: tuple[str, ...],
    role: str,
    policy: str | None,
    programme: str | None,
    as_of: dt.datetime | None,
    fmt: str,
    explain: bool,
    viewer: str | None,
    engine: str,
) -> None:
    """Decide whether a person is eligible for a role, and say why.

    FACTS is a JSON or TOML facts file (see `accord schema`). Each requirement is reported as
    met, not met or unknown, with the actual and the required value, its citation and its line
    in the policy; unknown means a fact is missing, and the missing facts are named.

    With several --person options, or none (everyone in FACTS), prints one line per person; the
    exit code is then 3 if any is undetermined, else 1 if any is not eligible, else 0.

    \b
    Example:
      accord check examples/demo/facts.json --person ana --role mentor --programme demo --as-of 2026-01-15
    """
    from .evaluate import Outcome, decide
    from .explain import decision_json, decision_text

    policies = _Policies(policy, programme)
    loaded = _load_facts(facts, as_of)
    day = _as_of(as_of)
    ids = list(people) or list(loaded.people)
    if viewer is not None:
        from .access import redact  # only with --viewer, so the common path does not load it

        loaded.person(viewer)
    decisions = []
    for pid in ids:
        compiled = policies.for_person(loaded, pid)
        decision = decide(compiled, loaded, pid, role, day, explain=explain, engine=engine)
        decisions.append(redact(decision, compiled, loaded, viewer) if viewer else decision)
    single = len(people) == 1
    if fmt == "json":
        _emit_json(decision_json(decisions[0]) if single else [decision_json(d) for d in decisions])
    elif single:
        click.echo(decision_text(decisions[0], explain=explain))
    else:
        for d in decisions:
            if explain:
                click.echo(decision_text(d, explain=True) + "\n")
                continue
            # what decided it comes first: the unmet rules, or the unknown ones (exceptions too)
            failed = [r for r in d.requirements if r.status == "not met"]
            if d.outcome is Outcome.UNKNOWN and failed:  # only an exception could still change it
                reasons = failed + [r for r in d.exceptions if r.status in ("unknown", "error")]
            elif d.outcome is Outcome.UNKNOWN:
                reasons = [r for r in (*d.requirements, *d.exceptions) if r.status in ("unknown", "error")]
            else:
                reasons = [r for r in d.requirements if r.status == "not met"]
            reasons = reasons or [r for r in d.requirements if r.status != "met"]
            why = "; ".join(f"{r.label}: {r.because}" for r in reasons[:2]) + (" ..." if len(reasons) > 2 else "")
            if d.decided_by:
                why = f"by exception \"{d.decided_by}\""
            word = d.outcome_word.replace("_", " ")
            colour = {"eligible": "green", "not eligible": "red"}.get(word, "yellow")
            click.echo(f"{click.style(f'{word:<13}', fg=colour)} {d.subject:<12} {d.subject_name:<24} {why}")
    outcomes = {d.outcome for d in decisions}
    worst = Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.NO if Outcome.NO in outcomes else Outcome.YES
    sys.exit(worst.exit_code)


@main.command()
@click.argument("facts", type=click.Path(dir_okay=False))
@click.argument("first")
@click.argument("second")
@_with_policy_options
@_as_of_option
@_format
@click.option("--explain", is_flag=True, help="Show the value of each condition inside each rule.")
@_viewer_option
@click.option(
    "--ends",
    metavar="FIRST_END,SECOND_END",
    help="Which pair rule to decide under, by its ends (e.g. requester,extension_mentee). Default: the policy's first pair rule.",
)
@_engine_option
@_fail_cleanly
def pair(
    facts: str,
    first: str,
    second: str,
    policy: str | None,
    programme: str | None,
    as_of: dt.datetime | None,
    fmt: str,
    explain: bool,
    viewer: str | None,
    ends: str | None,
    engine: str,
) -> None:
    """Check whether two people may be paired, and score how well they match.

    FIRST and SECOND are person ids in the order of the policy's pair rule: for
    `pair mentor, mentee`, FIRST is the mentor. A policy with several pair rules decides under
    its first unless --ends names another (`--ends requester,extension_mentee`). Hard requirements decide
    the exit code (0 allowed, 1 not allowed, 3 undetermined); met preferences add their weight
    to the score.
    """
    from .evaluate import decide_pair
    from .explain import decision_json, decision_text

    loaded = _load_facts(facts, as_of)
    compiled = _Policies(policy, programme).for_person(loaded, second)
    decision = decide_pair(compiled, loaded, first, second, _as_of(as_of), explain=explain, engine=engine, ends=ends)
    if viewer:
        from .access import redact

        decision = redact(decision, compiled, loaded, viewer)
    if fmt == "json":
        _emit_json(decision_json(decision))
    else:
        click.echo(decision_text(decision, explain=explain))
    sys.exit(decision.exit_code)


@main.command()
@click.argument("facts", type=click.Path(dir_okay=False))
@click.option("--person", required=True, metavar="ID", help="Whose incentives to list.")
@_with_policy_options
@_as_of_option
@_format
@_engine_option
@_fail_cleanly
def incentives(facts: str, person: str, policy: str | None, programme: str | None, as_of: dt.datetime | None, fmt: str, engine: str) -> None:
    """List what a person receives (stipends, PDPs, vouchers, release time, recognition), what
    they would receive and why not, with totals per kind.

    An incentive given per relationship is listed once for each relationship valid on the as-of
    date. Exit code 0 when the person receives something, 1 when nothing, 3 when something
    depends on missing facts (or an amount a district has not set).

    \b
    Example:
      accord incentives examples/demo/facts.json --person ana --programme demo --as-of 2026-01-15
    """
    from .evaluate import Outcome
    from .explain import incentives_json, incentives_text
    from .incentives import incentives as evaluate_incentives

    loaded = _load_facts(facts, as_of)
    compiled = _Policies(policy, programme).for_person(loaded, person)
    report = evaluate_incentives(compiled, loaded, person, _as_of(as_of), engine=engine)
    if fmt == "json":
        _emit_json(incentives_json(report))
    else:
        click.echo(incentives_text(report))
    outcomes = {a.outcome for a in report.awards}
    sys.exit(3 if Outcome.UNKNOWN in outcomes else 0 if Outcome.YES in outcomes else 1)


@main.command()
@click.argument("facts", type=click.Path(dir_okay=False))
@click.option("--viewer", required=True, metavar="ID", help="Who wants to see the record.")
@click.option("--record", required=True, metavar="ID", help="The record (evidence item id) to see.")
@_with_policy_options
@_as_of_option
@_format
@_engine_option
@_fail_cleanly
def access(facts: str, viewer: str, record: str, policy: str | None, programme: str | None, as_of: dt.datetime | None, fmt: str, engine: str) -> None:
    """Say whether a viewer may see a record: allow, counts only, or deny, and why.

    Deny by default. Roles such as `mentor` are read relative to the record's subject on the
    as-of date; a consent the subject gave counts from its date until it is withdrawn. The
    policy is the one for the record's subject (with --programme, the layer of their place).

    Exit codes: 0 allow, 1 deny, 4 counts and totals only, 3 undetermined (treat as deny),
    2 bad input.
    """
    from .access import access as decide_access
    from .explain import access_json, access_text

    loaded = _load_facts(facts, as_of)
    subject = next((e.subject for e in loaded.evidence if e.id == record), None)
    compiled = _Policies(policy, programme).for_person(loaded, subject or viewer)
    decision = decide_access(compiled, loaded, viewer, record, _as_of(as_of), engine=engine)
    if fmt == "json":
        _emit_json(access_json(decision))
    else:
        click.echo(access_text(decision))
    sys.exit(decision.outcome.exit_code)


@main.command()
@click.argument("facts", type=click.Path(dir_okay=False))
@click.option("--person", required=True, metavar="ID", help="Whose progress to report.")
@click.option("--role", help="Only the commitments owed in this role (default: every commitment of the policy).")
@_with_policy_options
@_as_of_option
@_format
@_engine_option
@_fail_cleanly
def commitments(
    facts: str, person: str, role: str | None, policy: str | None, programme: str | None, as_of: dt.datetime | None, fmt: str, engine: str
) -> None:
    """Report progress on time commitments: hours and counts owed, deadlines, recurring meetings.

    Each part shows required, done and remaining, its due date, the earliest date it was met,
    and a status: met, met late, on track, in progress, late or unknown. Exit code 0 when
    nothing is late or unknown, 1 when something is late, 3 when something is unknown.

    \b
    Example:
      accord commitments examples/demo/facts.json --person dev --programme demo --as-of 2026-01-15
    """
    from .commitments import commitments as evaluate_commitments
    from .explain import commitments_json, commitments_text

    loaded = _load_facts(facts, as_of)
    compiled = _Policies(policy, programme).for_person(loaded, person)
    report = evaluate_commitments(compiled, loaded, person, _as_of(as_of), role=role, engine=engine)
    if fmt == "json":
        _emit_json(commitments_json(report))
    else:
        click.echo(commitments_text(report))
    sys.exit(report.exit_code)


@main.command()
@click.argument("policies", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 2 when any file has one): for CI.")
@_format
def lint(policies: tuple[str, ...], strict: bool, fmt: str) -> None:
    """Parse and check policy files, and report every problem with its line.

    Each problem has a stable code (P101 unknown name, P111 unit mismatch, ...), the file, line
    and column, the line itself with a caret, and where it helps a "did you mean". A warning
    (a construct that loads but likely does not mean what it says, or that costs too much) is
    shown too. Exit code 0 when every file is clean (warnings allowed unless --strict), 2
    otherwise.
    """
    from .load import load_policy

    report: list[dict[str, Any]] = []
    failed = False
    for path in policies:
        try:
            compiled = load_policy(path)
        except AccordError as exc:
            failed = True
            report.append({"file": path, "ok": False, "errors": [d.to_json() for d in exc.diagnostics], "warnings": []})
            if fmt == "text":
                click.echo(exc.render() + "\n", err=True)
            continue
        c = compiled.checked
        ok = not (strict and c.warnings)
        failed = failed or not ok
        report.append(
            {"file": path, "ok": ok, "errors": [], "warnings": [d.to_json() for d in c.warnings], "policy": c.name, "roles": list(c.roles)}
        )
        if fmt == "text":
            for d in c.warnings:
                click.echo(d.render() + "\n", err=True)
            more = f", {len(c.warnings)} warning{'s' if len(c.warnings) != 1 else ''}" if c.warnings else ""
            status = "ok" if ok else "fails under --strict"
            click.echo(f"{path}: {status} (policy \"{c.name}\", roles: {', '.join(c.roles) or 'none'}{more})")
    if fmt == "json":
        _emit_json(report)
    sys.exit(EXIT_BAD_INPUT if failed else 0)


@main.command("fmt")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and show the diff when a file is not formatted: for CI.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print what formatting would change, as a diff.")
def fmt_command(files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Rewrite policy files in the one canonical layout, keeping every comment.

    \b
      accord fmt rules/district.accord       rewrite the file in place
      accord fmt --check rules/*.accord      for CI: exit 1 and a diff if one is not formatted
      accord fmt --diff policy.accord        show what would change, write nothing
      accord fmt - < in.accord > out.accord  read standard input, write standard output

    Formatting changes whitespace only: indentation, one space between words, at most one blank
    line (and one around the header and each role, pair, record, ...). Line breaks you
    chose are kept; a line over 100 characters is broken after its `:`, or before `or`/`and`.
    A file is written only when it parses to the same policy as before; a file that does not
    parse is left as it is and its error shown. Exit code 0 when done (or, with --check, when
    every file is already formatted), 1 when --check finds a file to format, 2 bad input.
    """
    from .fmt import diff, format_text, write_atomically
    from .load import read_policy_file

    unformatted = failed = 0
    for path in files:
        file = "<stdin>" if path == "-" else path
        try:
            before = sys.stdin.read() if path == "-" else read_policy_file(path)
            after = format_text(before, file)
        except AccordError as exc:
            failed += 1
            click.echo(exc.render() + "\n", err=True)
            continue
        if after == before:
            if path == "-" and not (check or show_diff):
                click.echo(after, nl=False)
            continue
        unformatted += 1
        if check or show_diff:
            click.echo(diff(before, after, file), nl=False)
        elif path == "-":
            click.echo(after, nl=False)
        else:
            write_atomically(path, after)
            click.echo(f"reformatted {path}", err=True)
    if failed:
        sys.exit(EXIT_BAD_INPUT)
    if check and unformatted:
        click.echo(f"{unformatted} of {len(files)} file{'s' if len(files) != 1 else ''} not formatted; run `accord fmt FILE...`", err=True)
        sys.exit(1)


@main.command()
@_format
@_fail_cleanly
def programmes(fmt: str) -> None:
    """List the installed programmes, their roles and the plugin that provides each."""
    from .registry import default_registry

    registry = default_registry()
    progs = sorted(registry.schema.programmes.values(), key=lambda p: p.name)
    if fmt == "json":
        _emit_json(
            [
                {
                    "name": p.name,
                    "title": p.title,
                    "plugin": p.plugin,
                    "policy": p.shown_path(p.policy) if p.policy else None,
                    "roles": [{"name": r.name, "description": r.description} for r in p.roles],
                }
                for p in progs
            ]
        )
        return
    if not progs:
        click.echo("no programmes are installed")
        return
    for p in progs:
        click.echo(f"{click.style(p.name, bold=True)}  {p.title}  (plugin {p.plugin})")
        if p.policy:
            click.echo(f"  default policy: {p.shown_path(p.policy)}")
        for r in p.roles:
            click.echo(f"  role {r.name:<24} {r.description}")


@main.command()
@_fail_cleanly
def schema() -> None:
    """Print the JSON Schema of a facts file, with the facts each installed programme declares."""
    from .facts import facts_json_schema

    _emit_json(facts_json_schema())


def _host_port(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f"`{value}` is not HOST:PORT, e.g. 127.0.0.1:2087")
    return host, int(port)


@main.command()
@click.option("--tcp", metavar="HOST:PORT", callback=_host_port, help="Listen on TCP instead of stdio, e.g. 127.0.0.1:2087 (for debugging a client).")
def lsp(tcp: tuple[str, int] | None) -> None:
    """Run the language server, for editing policies (.accord) in an editor.

    \b
    Your editor starts it and talks to it over stdin/stdout; you do not run it by hand.
    It shows every problem `accord lint` finds while you type (with its code), explains a
    fact, role, parameter or definition on hover (and which layer sets a parameter),
    completes facts after `person.`, roles, parameters, values and keywords, and jumps to
    where a name is declared, across `extends`. docs/editors.md sets up VS Code, Neovim
    and Emacs.

    Needs the `lsp` extra: pip install 'accord[lsp]'. Exit code 2 when it is missing.
    """
    import importlib.util

    if importlib.util.find_spec("pygls") is None or importlib.util.find_spec("lsprotocol") is None:
        click.echo("error: `accord lsp` needs pygls, which is not installed: install accord[lsp] (pip install 'accord[lsp]')", err=True)
        sys.exit(EXIT_BAD_INPUT)
    from .lsp import serve

    serve(tcp)
