"""Run the pipeline on a policy: read -> parse -> check -> compile, from a file, text or programme."""

from __future__ import annotations

from pathlib import Path

from .check import check
from .compile import CompiledPolicy, compile_policy
import importlib.resources

from .errors import Diagnostic, PolicyError, Span
from . import limits
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
    try:
        if not child_file.startswith(("<", "rules/")) and path.is_file():
            return str(path), read_policy_text(path)
        if ".." not in Path(candidate).parts:  # the shipped rules are looked up inside their package only
            resource = importlib.resources.files("accord.rules").joinpath(candidate)
            if resource.is_file():
                return f"rules/{candidate}", resource.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:  # a name the file system refuses (too long, a NUL, a lone surrogate), a file not in UTF-8
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise PolicyError([Diagnostic("P005", f"{child_file}: cannot read the policy `{name}` that it extends: {why}")]) from None
    raise PolicyError([Diagnostic("P005", f"{child_file}: cannot find the policy `{name}` that it extends (looked beside it and in the shipped rules)")])


def _too_large(file: str | Path) -> PolicyError:
    return PolicyError([Diagnostic(
        "P136", f"policy file `{file}` is larger than {limits.MAX_POLICY_BYTES // 2**20} MiB",
        Span(str(file), 1, 1), "a policy is text written by people; split a larger one into layers with `extends`",
    )])


def read_policy_text(path: str | Path) -> str:
    """The text of a policy file, read no further than `limits.MAX_POLICY_BYTES` (P136)."""
    try:
        data = limits.read_limited(path, limits.MAX_POLICY_BYTES)
    except limits.TooLarge:
        raise _too_large(path) from None
    return data.decode("utf-8")


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
        file = str(path)
        try:
            text = read_policy_text(path)
        except FileNotFoundError:
            raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: no such file")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: {exc}")]) from None
    else:
        raise TypeError("load_policy needs a path, text= or programme=")
    if len(text) > limits.MAX_POLICY_BYTES:  # characters: at least as many bytes
        raise _too_large(file)
    return compile_policy(check(merge(parse(text, file), read_extended, parse), registry))
