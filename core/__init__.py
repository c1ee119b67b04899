"""Accord: one policy engine for educator mentoring programmes, many policies.

The pipeline is parse -> check -> compile -> evaluate -> explain; `load_policy` runs the first
three, `decide` the fourth, and `accord.explain` formats the result.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .errors import AccordError, FactsError, PluginError, PolicyError, UsageError
from .hookspecs import hookimpl
from .values import Unknown, unknown

if TYPE_CHECKING:
    from .compile import CompiledPolicy
    from .evaluate import Decision, Outcome, decide, decide_pair
    from .facts import load_facts
    from .load import load_policy
    from .model import Facts
    from .registry import Registry

__all__ = [
    "AccordError",
    "CompiledPolicy",
    "Decision",
    "Facts",
    "FactsError",
    "Outcome",
    "PluginError",
    "PolicyError",
    "Registry",
    "Unknown",
    "UsageError",
    "decide",
    "decide_pair",
    "hookimpl",
    "load_facts",
    "load_policy",
    "unknown",
]
__version__ = "0.1.0"

# The pipeline's names load on first use (PEP 562), so `import accord`, a plugin's
# `from accord import hookimpl` and `accord --help` do not pay for the parser, the checker and
# the compiler (their attrs classes are most of Accord's import time; see docs/performance.md).
_LAZY = {
    "CompiledPolicy": "compile",
    "Decision": "evaluate",
    "Outcome": "evaluate",
    "decide": "evaluate",
    "decide_pair": "evaluate",
    "load_facts": "facts",
    "load_policy": "load",
    "Facts": "model",
    "Registry": "registry",
}


def __getattr__(name: str) -> Any:
    # __import__ rather than importlib.import_module: the same import, but `python -X importtime`
    # still reports it (see benchmarks/)
    module = _LAZY.get(name)
    if module is None:
        # `accord.facts`, `accord.explain`...: a submodule, imported on first use as before
        try:
            __import__(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        return sys.modules[f"{__name__}.{name}"]
    __import__(f"{__name__}.{module}")
    value = getattr(sys.modules[f"{__name__}.{module}"], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
