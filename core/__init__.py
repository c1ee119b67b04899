"""Accord: one policy engine for educator mentoring programmes, many policies.

The pipeline is parse -> check -> compile -> evaluate -> explain; `load_policy` runs the first
three, `decide` the fourth, and `accord.explain` formats the result.
"""

from .compile import CompiledPolicy
from .errors import AccordError, FactsError, PluginError, PolicyError, UsageError
from .evaluate import Decision, Outcome, decide, decide_pair
from .facts import load_facts
from .hookspecs import hookimpl
from .load import load_policy
from .model import Facts
from .registry import Registry
from .values import Unknown, unknown

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
