"""A question, as one unit: what it asks, how it is answered, how the answer reads and exits.

Every kind of question Accord answers (eligibility, pair, incentives, access, commitments,
roles, and any a plugin adds through `accord_questions`) is a `Question` declared in one module
of `accord.questions`. The CLI builds one command per question from the declaration, and
`ask` runs any of them the same way: read the facts, choose each person's policy, answer,
redact for a viewer, and report. Adding a question is writing one module and registering it.

    load facts -> Asking -> question.answer(asking) -> answers -> Report -> text | JSON, exit code
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import click

from .outcome import Outcome, overall


class Policies:
    """The policy each person is answered under: one policy file for everyone, or a programme's
    policy for the nearest place up the person's place chain (a district's layer, else the
    programme's own). Each policy is loaded once, and looked up once per place chain."""

    def __init__(self, policy: str | None = None, programme: str | None = None, as_of: dt.date | None = None) -> None:
        if (policy is None) == (programme is None):
            raise click.UsageError("give exactly one of --policy FILE or --programme NAME")
        self.policy, self.programme = policy, programme
        #: a programme with several policy versions answers under the one in force on this date
        self.as_of = as_of
        self._loaded: dict[str, Any] = {}
        self._by_chain: dict[tuple[Any, ...], Any] = {}

    def on(self, as_of: dt.date) -> Policies:
        """The same choice on another date (sharing what is loaded): `--when` asks on many."""
        other = Policies(self.policy, self.programme, as_of)
        other._loaded, other._by_chain = self._loaded, self._by_chain
        return other

    def for_person(self, facts: Any, person_id: str) -> Any:
        """The compiled policy `person_id` is answered under."""
        if self.policy is not None:
            found = self._loaded.get(self.policy)
            if found is None:
                from .load import load_policy

                found = self._loaded[self.policy] = load_policy(self.policy)
            return found
        assert self.programme is not None
        chain = tuple(p.id for p in facts.place_chain(facts.person(person_id).place))
        key = (self.as_of, *chain)
        found = self._by_chain.get(key)  # a roster has few place chains and many people
        if found is None:
            from .load import load_policy
            from .registry import default_registry

            file, _ = default_registry().get_place_policy(self.programme, list(chain), self.as_of)
            if file not in self._loaded:
                self._loaded[file] = load_policy(programme=self.programme, places=list(chain), as_of=self.as_of)
            found = self._by_chain[key] = self._loaded[file]
        return found

    def every_policy(self, places: Any) -> list[Any]:
        """Every policy someone at one of these places (`Facts` holding them), or at none, is answered under."""
        from .model import Facts, Person

        if self.policy is not None:
            return [self.for_person(Facts({"_": Person("_")}), "_")]
        out = {}
        for place in [None, *places.places]:
            compiled = self.for_person(Facts({"_": Person("_", place=place)}, places=places.places), "_")
            out[id(compiled)] = compiled
        return list(out.values())


def fail_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every `AccordError` a command raises into its message on stderr and exit code 2."""
    import functools
    import sys

    from .errors import AccordError

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AccordError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(2)

    return wrapper


@attrs.frozen
class Asking:
    """What every question is asked with; `options` holds the question's own (`person`, `role`...)."""

    facts: Any
    policies: Policies
    as_of: dt.date
    options: dict[str, Any]
    engine: str = "compiled"
    explain: bool = False
    viewer: str | None = None
    #: the facts file or roster asked about (`--when` reads it on other dates)
    facts_path: str | None = None

    def facts_on(self, day: dt.date) -> Any:
        """The facts as on another date: a facts file's dated facts then, a roster as it was then."""
        from .roster import is_roster_path

        if self.facts_path is not None and is_roster_path(self.facts_path):
            return open_facts(self.facts_path, day)
        return self.facts.on(day)

    def change_dates(self, person: str) -> set[dt.date]:
        """More days on which something recorded about `person` changes: a roster's fact rows."""
        from .roster import is_roster_path

        if self.facts_path is None or not is_roster_path(self.facts_path):
            return set()
        from .roster.store import open_roster

        return open_roster(self.facts_path).change_dates(person)


@attrs.frozen
class Question:
    """One kind of question: its inputs, how it is answered, and how its answers read and exit.

    `answer(asking)` returns the answers (one per person asked about, or one); `outcome(answer)`
    maps one answer to an `Outcome`, whose `exit_code` is the command's (over several answers,
    `overall`); `text(answers, asking)` and `data(answers, asking)` render them for people and
    for scripts (plain JSON values). `options` are the question's own click options and
    arguments (FACTS, the policy options, --as-of, --format and, where the question says so,
    --explain and --viewer are added for every question).
    """

    name: str
    summary: str
    help: str
    answer: Callable[[Asking], Sequence[Any]]
    outcome: Callable[[Any], Outcome]
    text: Callable[[Sequence[Any], Asking], str]
    data: Callable[[Sequence[Any], Asking], Any]
    options: tuple[click.Parameter, ...] = ()
    #: the words `accord --help` shows after the command's name (`FACTS --person ID ...`)
    usage: str = ""
    explains: bool = False
    #: whether --viewer applies: every answer is then shown as that person may see it
    viewer: bool = False


@attrs.frozen
class Report:
    """The answers to one question, with the outcome, text, JSON and exit code of the whole."""

    question: Question
    asking: Asking
    answers: tuple[Any, ...]

    @property
    def outcome(self) -> Outcome:
        return overall(self.question.outcome(a) for a in self.answers)

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code

    def text(self) -> str:
        return self.question.text(self.answers, self.asking)

    def json(self) -> str:
        return json.dumps(self.question.data(self.answers, self.asking), indent=2, ensure_ascii=False)


def one(render: str) -> Callable[[Sequence[Any], Asking], Any]:
    """The renderer of a question that has one answer: `accord.explain.<render>(answer)`
    (`one("incentives_text")`), imported only when something is printed."""

    def rendered(answers: Sequence[Any], asking: Asking) -> Any:
        from . import explain

        return getattr(explain, render)(answers[0])

    return rendered


def ask(question: Question, asking: Asking) -> Report:
    """Answer a question: the one runner every question and the CLI go through."""
    if asking.viewer is not None:
        asking.facts.person(asking.viewer)  # an unknown viewer is bad input, before any answer
    return Report(question, asking, tuple(question.answer(asking)))


# --------------------------------------------------------------------------- the CLI of a question

#: the options every question command shares (and the tool commands reuse), by name:
#: (declarations, keyword arguments), so a command and a decorator are made from one spec
SHARED: dict[str, tuple[list[str], dict[str, Any]]] = {
    "format": (["--format", "fmt"], dict(type=click.Choice(["text", "json"]), default="text", show_default=True, help="Text for people, JSON for scripts.")),
    "as_of": (
        ["--as-of"],
        dict(
            type=click.DateTime(formats=["%Y-%m-%d"]),
            help="Answer as on this date (YYYY-MM-DD); relationships and evidence are read as of then. Default: today.",
        ),
    ),
    "policy": (["--policy"], dict(type=click.Path(dir_okay=False), help="A policy file (.accord) to decide under.")),
    "programme": (
        ["--programme"],
        dict(help="Use an installed programme's policies (see `accord programmes`): the layer of the nearest place up the person's place chain, else the programme's own policy."),
    ),
    # For tests and the benchmarks: run the reference interpreter instead of the compiled code.
    "engine": (["--engine"], dict(type=click.Choice(["compiled", "interpreted"]), default="compiled", hidden=True)),
    "explain": (["--explain"], dict(is_flag=True, help="Show every rule with its citation and layer, and the value of each condition inside it.")),
    "viewer": (["--viewer"], dict(metavar="ID", help="Print only what this person may see: anything computed from records they may not see is hidden.")),
}


def shared_option(name: str) -> click.Option:
    """One of the shared options, as a parameter object."""
    decls, kwargs = SHARED[name]
    return click.Option(decls, **kwargs)


def shared_decorator(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One of the shared options, as a decorator for a click command."""
    decls, kwargs = SHARED[name]
    return click.option(*decls, **kwargs)


def open_facts(path: str, as_of: dt.date) -> Any:
    """A facts file (JSON or TOML), or a roster database (.db, .sqlite) read as it was on `as_of`."""
    from .roster import is_roster_path

    if is_roster_path(path):
        from .roster.store import open_roster

        return open_roster(path).facts_as_of(as_of)
    from .facts import load_facts

    return load_facts(path).on(as_of)


def as_of_date(value: dt.datetime | None) -> dt.date:
    """The `--as-of` date, today where it is not given; a date past the calendar's limit is bad input (F013)."""
    from .errors import Diagnostic, UsageError
    from .limits import MAX_YEAR, date_in_range

    day = value.date() if value else dt.date.today()
    if not date_in_range(day):
        raise UsageError([Diagnostic(
            "F013", f"--as-of `{day.isoformat()}` is past the last year Accord accepts ({MAX_YEAR})",
            hint="commitments count periods after the as-of date, which could leave the calendar",
        )])
    return day


def command(question: Question, run: Callable[[Callable[[], int]], None]) -> click.Command:
    """The click command of a question; `run` calls its body and exits with the code it returns
    (the CLI's wrapper, which also turns every Accord error into exit 2)."""
    names = ["policy", "programme", "as_of", "format", *(["explain"] if question.explains else []), *(["viewer"] if question.viewer else []), "engine"]
    params: list[click.Parameter] = [click.Argument(["facts"], type=click.Path(dir_okay=False)), *question.options, *map(shared_option, names)]

    def callback(facts: str, policy: str | None, programme: str | None, as_of: dt.datetime | None, fmt: str, engine: str, **options: Any) -> None:
        def body() -> int:
            explain, viewer = options.pop("explain", False), options.pop("viewer", None)
            day = as_of_date(as_of)
            asking = Asking(open_facts(facts, day), Policies(policy, programme, day), day, options, engine, explain, viewer, facts)
            report = ask(question, asking)
            click.echo(report.json() if fmt == "json" else report.text())
            return report.exit_code

        run(body)

    return click.Command(
        question.name, callback=callback, params=params, help=question.help, short_help=question.summary,
        epilog="Exit code 2: bad input or usage; 70: an internal error (a bug in Accord, never an answer).",
    )
