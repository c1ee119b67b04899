"""Every question Accord answers, one module each; `questions()` lists them for the CLI.

A new question is one module here that defines `QUESTION` (an `accord.question.Question`),
and its name in `BUILTIN`. A plugin adds its own through the `accord_questions` hook.
"""

from __future__ import annotations

import importlib

from ..question import Question

#: the built-in questions, by module, in the order `accord --help` lists them
BUILTIN = ("eligibility", "pair", "roles", "incentives", "access", "commitments")


def builtin() -> list[Question]:
    """The built-in questions (without loading any plugin)."""
    return [importlib.import_module(f"{__name__}.{name}").QUESTION for name in BUILTIN]


def questions() -> list[Question]:
    """The built-in questions, then those the installed plugins add (`accord_questions`)."""
    from ..errors import Diagnostic, PluginError
    from ..registry import default_registry

    out = builtin()
    taken = {q.name for q in out}
    problems = []
    for plugin, item in default_registry().collect("accord_questions"):
        if not isinstance(item, Question):
            problems.append(f"plugin `{plugin}`: questions must be accord.question.Question, got {item!r}")
        elif item.name in taken:
            problems.append(f"plugin `{plugin}`: a question named `{item.name}` is already asked by Accord or another plugin")
        else:
            taken.add(item.name)
            out.append(item)
    if problems:
        raise PluginError([Diagnostic("G001", p) for p in problems])
    return out
