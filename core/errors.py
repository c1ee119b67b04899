"""Errors people can act on: one root class per domain, each problem a `Diagnostic`.

A `Diagnostic` has a stable code, a location (file:line:column), a lowercase message with the
user's own text in backticks, an optional "did you mean" hint and a caret snippet of the line.
`PolicyError` collects every diagnostic of a policy file; `FactsError` every problem of a facts
file, each named by its path (`people[2].facts.years_experience`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs

#: at most this many diagnostics are shown for one file; the rest are counted
MAX_SHOWN = 10


@attrs.frozen
class Span:
    """Where a piece of policy text is: file, 1-based line and column, and the end offset."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to `word`, if one is close enough to be a likely typo."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


@attrs.frozen
class Diagnostic:
    """One problem: a stable code, a message and where it is."""

    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    snippet: str | None = None
    #: "error" stops the policy from loading; "warning" does not (`accord lint --strict` counts it)
    severity: str = "error"

    def render(self) -> str:
        where = f"{self.span}: " if self.span else ""
        text = f"{where}{self.severity}[{self.code}]: {self.message}"
        if self.snippet:
            text += "\n" + self.snippet
        if self.hint:
            text += f"\n  = {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "hint": self.hint,
            "severity": self.severity,
        }


def caret_snippet(source: str, span: Span) -> str:
    """The line of `source` that `span` points at, with carets under the span."""
    lines = source.splitlines()
    if not 1 <= span.line <= len(lines):
        return ""
    text = lines[span.line - 1]
    width = 1
    if span.end_line == span.line and span.end_column > span.column:
        width = span.end_column - span.column
    gutter = f"{span.line:>4} | "
    return f"{gutter}{text}\n{' ' * (len(gutter) + span.column - 1)}{'^' * width}"


class AccordError(Exception):
    """The root of every error Accord raises on purpose; the CLI turns each into exit code 2."""

    code = "A000"

    def __init__(self, diagnostics: Sequence[Diagnostic] | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(self.code, diagnostics)]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        shown = self.diagnostics[:MAX_SHOWN]
        text = "\n\n".join(d.render() for d in shown)
        hidden = len(self.diagnostics) - len(shown)
        if hidden > 0:
            text += f"\n\n... and {hidden} more error{'s' if hidden > 1 else ''}"
        return text


class PolicyError(AccordError):
    """A policy file that does not parse or check; carries every diagnostic of the file."""

    code = "P000"


class FactsError(AccordError):
    """A facts file that cannot be loaded; nothing of it is kept."""

    code = "F000"


class PluginError(AccordError):
    """A programme plugin whose declarations are invalid or clash with another plugin's."""

    code = "G000"


class UsageError(AccordError):
    """A question Accord cannot answer as asked: unknown person, role or programme."""

    code = "U000"


for _cls in (AccordError, PolicyError, FactsError, PluginError, UsageError):
    _cls.__module__ = "accord"
