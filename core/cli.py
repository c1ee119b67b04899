"""The `accord` command: ask whether a person qualifies, why or why not, and what is missing.

Exit codes: 0 eligible (or allowed, or clean), 1 not eligible, 3 undetermined, 4 counts only,
2 bad input or usage, 70 an internal error (a bug in Accord). Every expected error is a
message on stderr and exit code 2; anything else is a bug, reported as one with exit code 70,
never with a code a script reads as an answer.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from .errors import AccordError
from .question import Policies, as_of_date, fail_cleanly, open_facts, shared_decorator
from .roster import is_roster_path

EXIT_BAD_INPUT = 2
#: an exception Accord did not expect: a bug (EX_SOFTWARE in sysexits.h), never an answer's code
EXIT_INTERNAL = 70
#: where to report a bug, the one place that says so. Accord has no public tracker yet: the words
#: name who to tell; put the tracker's address here (and in pyproject.toml) once there is one
REPORT_BUGS = "the Accord maintainers (the project's issue tracker)"
#: set to 1 to see the traceback of an internal error (or run `accord --debug ...`)
DEBUG_VARIABLE = "ACCORD_DEBUG"


def _internal_error(exc: BaseException) -> None:
    """Say that `exc` is a bug, how to report it and how to see more; exit with `EXIT_INTERNAL`."""
    import os
    import traceback

    from . import runtime

    if runtime.DEBUG or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
        traceback.print_exception(exc)
    message = str(exc).splitlines()[0][:300] if str(exc) else ""
    click.echo(
        f"internal error: this is a bug in Accord, not a problem with your input\n"
        f"  {type(exc).__name__}: {message}\n"
        f"  = please report it to {REPORT_BUGS} with the command and its input files;\n"
        f"    run it again with {DEBUG_VARIABLE}=1 (or `accord --debug`) to see the traceback",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


@fail_cleanly
def _run(body: Callable[[], int]) -> None:
    """Run a question command's body and exit with the code its report gives."""
    sys.exit(body())


def _emit_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# The options the question commands share, for the tool commands (and plugins' commands) to reuse.
_format = shared_decorator("format")
_as_of_option = shared_decorator("as_of")
_engine_option = shared_decorator("engine")
_viewer_option = shared_decorator("viewer")


def _with_policy_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--policy FILE and --programme NAME (give one): choose each person's policy with `Policies`."""
    return shared_decorator("policy")(shared_decorator("programme")(fn))


class _Accord(click.Group):
    """The `accord` group: its tool commands, and one command per question (`accord.questions`),
    built from the question's declaration when first named (a plugin's questions too). Every
    command's unexpected exception becomes an internal error (exit 70)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except AccordError as exc:  # a command that lets one through: still bad input
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as exc:  # noqa: BLE001 - RecursionError, MemoryError, decimal errors...
            _internal_error(exc)

    def list_commands(self, ctx: click.Context) -> list[str]:
        from .questions import questions

        return [q.name for q in questions()] + sorted({*self.commands, "roster"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "roster" and name not in self.commands:  # loaded only when asked for
            from .roster.cli import roster

            self.add_command(roster)
        if name in self.commands:
            return self.commands[name]
        from .question import command
        from .questions import builtin, questions

        for q in builtin():
            if q.name == name:
                return command(q, _run)
        for q in fail_cleanly(questions)():  # a plugin's question: only now are the plugins loaded
            if q.name == name:
                return command(q, _run)
        return None


@click.group(cls=_Accord, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="accord")
@click.option(
    "--debug",
    is_flag=True,
    help="For policy and plugin authors: a rule that raises stops the command with its traceback (into the generated code and the plugin) instead of being reported as an error in the answer.",
)
def main(debug: bool) -> None:
    """Accord answers mentoring programme questions under each organisation's policy.

    \b
    Start here:
      accord programmes                      the installed programmes and their roles
      accord check FACTS --person ID --role ROLE --programme NAME
                                             is this person eligible, and why?
      accord roles FACTS --person ID --programme NAME
                                             which roles is this person eligible for?
      accord incentives FACTS --person ID --programme NAME
                                             what does this person receive?
      accord commitments FACTS --person ID --programme NAME
                                             what time is owed, and how far along?
      accord access FACTS --viewer ID --record ID --programme NAME
                                             may this viewer see this record?
      accord lint POLICY...                  check policy files and show every problem
      accord schema                          the JSON Schema of a facts file

    Exit codes: 0 eligible, 1 not eligible, 3 undetermined (facts missing), 2 bad input,
    70 internal error (a bug in Accord: please report it); each command's --help says what its
    codes mean.
    """
    if debug:
        from . import runtime

        runtime.debug()


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


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--coverage", is_flag=True, help="Report which of met / not met / unknown each condition of each rule took, and the exceptions never fired.")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PERCENT", help="With --coverage: exit 1 when condition coverage is below PERCENT (for CI).")
@click.option("--junit-xml", type=click.Path(dir_okay=False, writable=True), metavar="FILE", help="Also write the results as JUnit XML, for CI systems.")
@click.option("--generate", metavar="POLICY", type=click.Path(dir_okay=False), help="Print a starting test file for POLICY: the cases at each threshold, to confirm.")
@_as_of_option
@_format
@fail_cleanly
def test_command(
    paths: tuple[str, ...], coverage: bool, fail_under: float | None, junit_xml: str | None, generate: str | None, as_of: dt.datetime | None, fmt: str
) -> None:
    """Run policy tests: YAML files of questions and the answers a policy must give.

    \b
      accord test                       every *.test.yaml under the current folder
      accord test rules/ --coverage     the shipped suites, with condition coverage
      accord test --generate POLICY     a starting test file for POLICY, on standard output

    Prints a dot per passing case and, for each failure, what was expected, what Accord
    answered and the rule's file:line:col (docs/testing.md). Exit code 0 when every case
    passes (and coverage reaches --fail-under), 1 when one fails, 2 when a test file, policy or
    facts file cannot be read.
    """
    from .policytest import Coverage, discover, junit_xml as to_junit, load_suite, report_json, report_text, run_suite

    if generate is not None:
        from .policytest import generate as generate_suite

        click.echo(generate_suite(generate, as_of.date() if as_of else None), nl=False)
        return
    files = discover(paths or ["."])
    if not files:
        click.echo("no test files (*.test.yaml) found", err=True)
        sys.exit(EXIT_BAD_INPUT)
    cover = Coverage() if coverage or fail_under is not None else None
    results = []
    for file in files:
        results += run_suite(load_suite(file), cover)
    if junit_xml:
        with open(junit_xml, "w", encoding="utf-8") as out:
            out.write(to_junit(results))
    if fmt == "json":
        _emit_json(report_json(results, cover))
    else:
        click.echo(report_text(results))
        if cover is not None:
            click.echo("\n" + cover.text())
    failed = any(not r.passed for r in results)
    short = cover is not None and fail_under is not None and cover.percent < fail_under
    if short and fmt == "text":
        click.echo(f"coverage {cover.percent:.1f}% is under --fail-under {fail_under:g}%", err=True)
    sys.exit(1 if failed or short else 0)


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--roster", metavar="FACTS|DB", type=click.Path(dir_okay=False), help="A facts file or a roster database: list everyone whose answer changes, and why.")
@_as_of_option
@_format
@fail_cleanly
def diff_command(old: str, new: str, roster: str | None, as_of: dt.datetime | None, fmt: str) -> None:
    """Show what changed between two versions of a policy, and whom it changes.

    Lists the rules, parameters, pair rules, incentives, records and commitments added, removed
    or changed, with the old and the new text, and every right changed. With --roster, decides
    every person in FACTS for every role under both versions and lists each answer that
    changes, from what to what, with the rules that made the difference. Exit code 0 when
    nothing changes, 1 when something does, 2 bad input.
    """
    from .diff import diff_json, diff_text, policy_diff, roster_diff
    from .load import load_policy

    before, after = load_policy(old), load_policy(new)
    changes = policy_diff(before, after)
    people = None
    day = as_of_date(as_of)
    if roster is not None:
        people = roster_diff(before, after, open_facts(roster, day), day)
    if fmt == "json":
        _emit_json(diff_json(before, after, changes, people, day if roster else None))
    else:
        click.echo(diff_text(changes, people))
    sys.exit(1 if changes or people else 0)


@main.command()
@_format
@fail_cleanly
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
@fail_cleanly
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


class _MatchGroup(click.Group):
    """`accord match FACTS ...` proposes; `accord match accept ...` accepts a proposal."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["propose", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_MatchGroup)
def match() -> None:
    """Propose who should mentor whom (`accord match FACTS --programme NAME`), or accept a proposal.

    \b
      accord match FACTS --programme NAME [--as-of DATE] [--place ID]   propose an assignment
      accord match accept FACTS PROPOSAL --as-of DATE [--output FILE]   make it relationships

    Needs the `match` extra (scipy): pip install 'accord[match]'. docs/matching.md walks through it.
    """


def _fixed_pair(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for v in values:
        a, sep, b = v.partition(":")
        if not sep or not a or not b:
            raise click.BadParameter(f"`{v}` is not MENTOR:MENTEE, e.g. ruth:maria")
        out.append((a, b))
    return out


@match.command("propose")
@click.argument("facts", type=click.Path(dir_okay=False))
@_with_policy_options
@_as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True, help="Text for people, JSON or CSV for scripts (and for `accord match accept`).")
@click.option("--place", metavar="ID", help="Match only the people at this place or below it (a region, a district).")
@click.option("--fixed", multiple=True, metavar="MENTOR:MENTEE", callback=_fixed_pair, help="Keep this pair in the proposal; repeat it.")
@click.option("--ends", metavar="FIRST_END,SECOND_END", help="Which pair rule to match under, by its ends. Default: the policy's first pair rule.")
@click.option("--mentee-role", "mentee_roles", multiple=True, metavar="ROLE", help="A role whose eligible people need a mentor; repeat it. Default: the pair rule's second end.")
@click.option("--mentor-role", metavar="ROLE", help="The role a mentor must be eligible for. Default: the pair rule's first end.")
@_viewer_option
@fail_cleanly
def propose(
    facts: str, policy: str | None, programme: str | None, as_of: dt.datetime | None, fmt: str, place: str | None,
    fixed: list[tuple[str, str]], ends: str | None, mentee_roles: tuple[str, ...], mentor_role: str | None, viewer: str | None,
) -> None:
    """Propose an optimal assignment of mentors to mentees, and explain it.

    Mentees are the people eligible for the mentee role without a current mentor; mentors the
    people eligible for the mentor role with a place left (the policy's `mentees_per_mentor`,
    lowered by a person's `mentee_capacity` fact). The pair rule's requirements must all be met;
    the most mentees are matched, then the `first` preferences met as often as possible, then the
    others. Exit code 0 when every mentee has a mentor, 1 when some have none, 3 when all are
    matched but someone's eligibility is undetermined.
    """
    import importlib.util

    if importlib.util.find_spec("scipy") is None:
        click.echo("error: `accord match` needs scipy, which is not installed: install accord[match] (pip install 'accord[match]')", err=True)
        sys.exit(EXIT_BAD_INPUT)
    from .match import match as run_match
    from .match import match_csv, match_json, match_text

    day = as_of_date(as_of)
    loaded = open_facts(facts, day)
    policies = Policies(policy, programme, day)
    report = run_match(
        lambda pid: policies.for_person(loaded, pid), loaded, day, ends=ends, mentee_roles=mentee_roles or None,
        mentor_role=mentor_role, place=place, fixed=fixed, viewer=viewer,
    )
    if is_roster_path(facts):  # kept in the roster as the proposal `accord match accept DB` takes
        from .match import propose_into_roster

        propose_into_roster(facts, match_json(report), day)
    if fmt == "json":
        _emit_json(match_json(report))
    elif fmt == "csv":
        click.echo(match_csv(report), nl=False)
    else:
        click.echo(match_text(report))
    sys.exit(report.exit_code)


@match.command("accept")
@click.argument("facts", type=click.Path(dir_okay=False))
@click.argument("proposal", type=click.Path(dir_okay=False), required=False)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="The acceptance date: the relationships are valid from it.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the new facts file here. Default: replace FACTS.")
@click.option("--log", "log", type=click.Path(dir_okay=False), help="The decision log to append to (JSON lines). Default: decisions.jsonl beside the output.")
@fail_cleanly
def accept(facts: str, proposal: str | None, as_of: dt.datetime, output: str | None, log: str | None) -> None:
    """Accept a proposal: add its pairs to FACTS (or a roster DB) as relationships valid from --as-of.

    PROPOSAL is the JSON or CSV of `accord match`. A facts file is checked, then written in one
    step (a temporary file renamed over the old), and the acceptance is appended to the decision
    log (JSON lines). A roster database keeps the proposal `accord match DB` made (its `proposals`
    table), so PROPOSAL may be left out: the latest proposal not yet accepted is taken. The
    relationships are imported in one transaction, valid from --as-of, and each accepted pair is
    recorded in the roster's append-only `decisions` table.
    """
    from .match import accept_into_roster, accept_proposal

    if is_roster_path(facts):
        added, out, log_file = accept_into_roster(facts, proposal, as_of.date())
    elif proposal is None:
        raise click.UsageError("name the PROPOSAL file (only a roster database keeps its own proposals)")
    else:
        added, out, log_file = accept_proposal(facts, proposal, as_of.date(), output, log)
    click.echo(f"accepted {added} pair{'s' if added != 1 else ''} from {as_of.date().isoformat()}: wrote {out}, logged in {log_file}")
