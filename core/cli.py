"""The `accord` command: ask whether a person qualifies, why or why not, and what is missing.

Exit codes: 0 eligible (or allowed, or clean), 1 not eligible, 3 undetermined, 4 counts only,
2 bad input or usage, 70 an internal error (a bug in Accord). Every expected error is a
message on stderr and exit code 2; anything else is a bug, reported as one with exit code 70,
never with a code a script reads as an answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from .errors import AccordError, Diagnostic, UsageError

EXIT_BAD_INPUT = 2
#: an exception Accord did not expect: a bug (EX_SOFTWARE in sysexits.h), never an answer's code
EXIT_INTERNAL = 70
#: where to report a bug; the one place that says so (pyproject.toml's [project.urls] agrees)
REPORT_BUGS = "https://github.com/accord-policy/accord/issues"
#: set to 1 to see the traceback of an internal error
DEBUG_VARIABLE = "ACCORD_DEBUG"


def _internal_error(exc: BaseException) -> None:
    """Say that `exc` is a bug, how to report it and how to see more; exit with `EXIT_INTERNAL`."""
    import os
    import traceback

    if os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
        traceback.print_exception(exc)
    message = str(exc).splitlines()[0][:300] if str(exc) else ""
    click.echo(
        f"internal error: this is a bug in Accord, not a problem with your input\n"
        f"  {type(exc).__name__}: {message}\n"
        f"  = please report it at {REPORT_BUGS} with the command and its input files;\n"
        f"    run it again with {DEBUG_VARIABLE}=1 to see the traceback",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


class _Group(click.Group):
    """The `accord` group: every command's unexpected exception becomes an internal error (exit 70)."""

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
    from .limits import MAX_YEAR, date_in_range

    day = value.date() if value else dt.date.today()
    if not date_in_range(day):
        raise UsageError([Diagnostic(
            "F013", f"--as-of `{day.isoformat()}` is past the last year Accord accepts ({MAX_YEAR})",
            hint="commitments count periods after the as-of date, which could leave the calendar",
        )])
    return day


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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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

    Exit codes: 0 eligible, 1 not eligible, 3 undetermined (facts missing), 2 bad input,
    70 internal error (a bug in Accord: please report it); each command's --help says what its
    codes mean.
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
    exit code is then 3 if any is undetermined, else 1 if any is not eligible, else 0. Exit
    code 2 is bad input; 70 an internal error (a bug in Accord).

    \b
    Example:
      accord check examples/demo/facts.json --person ana --role mentor --programme demo --as-of 2026-01-15
    """
    from .evaluate import Outcome, decide
    from .explain import decision_json, decision_text
    from .facts import load_facts

    policies = _Policies(policy, programme)
    loaded = load_facts(facts)
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
    the exit code (0 allowed, 1 not allowed, 3 undetermined; 2 bad input, 70 a bug in Accord);
    met preferences add their weight to the score.
    """
    from .evaluate import decide_pair
    from .explain import decision_json, decision_text
    from .facts import load_facts

    loaded = load_facts(facts)
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
    depends on missing facts (or an amount a district has not set), 2 bad input, 70 an internal
    error (a bug in Accord).

    \b
    Example:
      accord incentives examples/demo/facts.json --person ana --programme demo --as-of 2026-01-15
    """
    from .evaluate import Outcome
    from .explain import incentives_json, incentives_text
    from .facts import load_facts
    from .incentives import incentives as evaluate_incentives

    loaded = load_facts(facts)
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
    2 bad input, 70 internal error (a bug in Accord).
    """
    from .access import access as decide_access
    from .explain import access_json, access_text
    from .facts import load_facts

    loaded = load_facts(facts)
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
    nothing is late or unknown, 1 when something is late, 3 when something is unknown, 2 bad
    input, 70 an internal error (a bug in Accord).

    \b
    Example:
      accord commitments examples/demo/facts.json --person dev --programme demo --as-of 2026-01-15
    """
    from .commitments import commitments as evaluate_commitments
    from .explain import commitments_json, commitments_text
    from .facts import load_facts

    loaded = load_facts(facts)
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
    otherwise (70 for an internal error: a bug in Accord).
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
