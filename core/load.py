"""Run the pipeline on a policy: read -> parse -> check -> compile, from a file, text or programme."""

from __future__ import annotations

from pathlib import Path

from .check import check
from .compile import CompiledPolicy, compile_policy
import importlib.resources

from .errors import Diagnostic, PolicyError
from .layers import merge
from .parse import parse
from .registry import Registry, default_registry


def read_extended(name: str, child_file: str) -> tuple[str, str]:
    """Find the policy `extends "name"` means: beside the child's file, else among the shipped rules.

    Only a policy file is ever read: the name is relative, and the file it names ends in
    `.accord` (so a policy cannot make Accord open, and quote, any other file).
    """
    if Path(name).is_absolute() or name.startswith("~"):
        raise PolicyError([Diagnostic("P005", f"{child_file}: `extends \"{name}\"` must name a policy relative to this file or to the shipped rules")])
    candidate = name if name.endswith(".accord") else name + ".accord"
    path = Path(child_file).parent / candidate
    if not child_file.startswith(("<", "rules/")) and path.is_file():
        return str(path), path.read_text(encoding="utf-8")
    if ".." not in Path(candidate).parts:  # the shipped rules are looked up inside their package only
        resource = importlib.resources.files("accord.rules").joinpath(candidate)
        if resource.is_file():
            return f"rules/{candidate}", resource.read_text(encoding="utf-8")
    raise PolicyError([Diagnostic("P005", f"{child_file}: cannot find the policy `{name}` that it extends (looked beside it and in the shipped rules)")])


def read_policy_file(path: str | Path) -> str:
    """The text of a policy file; a file that is missing or not UTF-8 text is a `PolicyError` (P005)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: {exc}")]) from None


def load_policy(
    path: str | Path | None = None,
    *,
    text: str | None = None,
    programme: str | None = None,
    places: list[str] | None = None,
    registry: Registry | None = None,
) -> CompiledPolicy:
    """Parse, check and compile a policy from a file, from text, or a programme's policies.

    With `programme`, the policy is that programme's layer for the nearest of `places` (a place
    chain, nearest first), or the programme's own policy when no layer attaches to any of them.
    """
    registry = registry or default_registry()
    if programme is not None:
        file, text = registry.get_place_policy(programme, places or [])
    elif text is not None:
        file = str(path) if path else "<policy>"
    elif path is not None:
        file, text = str(path), read_policy_file(path)
    else:
        raise TypeError("load_policy needs a path, text= or programme=")
    return compile_policy(check(merge(parse(text, file), read_extended, parse), registry))
