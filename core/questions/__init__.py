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
    """The built-in questions, then those the installed plugins add."""
    from ..registry import default_registry

    return builtin() + list(default_registry().questions)
