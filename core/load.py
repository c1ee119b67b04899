"""Run the pipeline on a policy: read -> parse -> check -> compile, from a file, text or programme."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import importlib.resources

from . import limits
from .check import check
from .compile import CompiledPolicy, compile_policy
from .errors import Diagnostic, PolicyError, Span
from .layers import merge
from .parse import parse
from .registry import Registry, default_registry


def _shipped_package(file: str) -> str | None:
    """The package a shipped policy was read from (`rules/...` or `PACKAGE:PATH`), else None."""
    if file.startswith("rules/"):
        return "accord.rules"
    package, colon, _ = file.partition(":")
    if colon and package and all(part.isidentifier() for part in package.split(".")):
        return package
    return None


def _inside(path: Path, root: Path) -> bool:
    return path.suffix == ".accord" and path.is_relative_to(root)


def _read_shipped(package: str, candidate: str) -> tuple[str, str] | None:
    """(display name, text) of `candidate` in `package`, if it is a policy file inside that package."""
    try:
        root = importlib.resources.files(package)
    except (ModuleNotFoundError, TypeError):
        return None
    resource = root.joinpath(candidate)
    if not resource.is_file():
        return None
    if isinstance(root, Path) and isinstance(resource, Path) and not _inside(resource.resolve(), root.resolve()):
        return None  # a link out of the package
    shown = f"rules/{candidate}" if package == "accord.rules" else f"{package}:{candidate}"
    return shown, resource.read_text(encoding="utf-8")


def read_extended(name: str, child_file: str) -> tuple[str, str]:
    """Find the policy `extends "name"` means: in the child's folder tree, else among the shipped rules.

    Only a policy file is ever read: the name is relative and goes down, never up (`../` is
    refused), and the file it names, once links are resolved, ends in `.accord` and lies in the
    folder of the child or below it. So a policy cannot make Accord open, and quote, any other
    file. A shipped policy (`rules/...`, or a plugin's `PACKAGE:PATH`) looks only in its own
    package and then in Accord's shipped rules, never in the current directory.
    """
    allowed = "a policy may extend a `.accord` file in its own folder or below it, or a policy shipped with Accord or with its plugin"
    candidate = name if name.endswith(".accord") else name + ".accord"
    if Path(name).is_absolute() or name.startswith("~") or ".." in Path(candidate).parts:
        raise PolicyError([Diagnostic("P005", f"{child_file}: `extends \"{name}\"` must name a policy below this file's folder or among the shipped rules, without `..`", hint=allowed)])
    package = _shipped_package(child_file)
    if package is None and not child_file.startswith("<"):
        path = Path(child_file).parent / candidate
        try:
            if path.is_file():
                root = Path(child_file).resolve().parent
                if not _inside(path.resolve(), root):
                    raise PolicyError([Diagnostic("P005", f"{child_file}: `extends \"{name}\"` names `{path}`, a link that leads out of this policy's folder `{root}` or to a file that is not a policy", hint=allowed)])
                return str(path), read_policy_text(path)
        except (OSError, ValueError) as exc:  # a name the file system refuses (too long, a NUL, a lone surrogate), a file not in UTF-8
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise PolicyError([Diagnostic("P005", f"{child_file}: cannot read the policy `{name}` that it extends: {why}", hint=allowed)]) from None
    for where in dict.fromkeys(p for p in (package, "accord.rules") if p):
        found = _read_shipped(where, candidate)
        if found is not None:
            return found
    looked = f"in the package `{package}` and in the shipped rules" if package not in (None, "accord.rules") else "beside it and in the shipped rules"
    raise PolicyError([Diagnostic("P005", f"{child_file}: cannot find the policy `{name}` that it extends (looked {looked})")])


def read_policy_file(path: str | Path) -> str:
    """The text of a policy file; a file that is missing or not UTF-8 text is a `PolicyError` (P005)."""
    try:
        return read_policy_text(path)
    except FileNotFoundError:
        raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: {exc}")]) from None


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
    as_of: dt.date | None = None,
) -> CompiledPolicy:
    """Parse, check and compile a policy from a file, from text, or a programme's policies.

    With `programme`, the policy is that programme's layer for the nearest of `places` (a place
    chain, nearest first), or the programme's own policy when no layer attaches to any of them
    (of a programme with several versions, the one in force on `as_of`, default today).
    """
    registry = registry or default_registry()
    if programme is not None:
        file, text = registry.get_place_policy(programme, places or [], as_of)
    elif text is not None:
        file = str(path) if path else "<policy>"
    elif path is not None:
        file, text = str(path), read_policy_file(path)
    else:
        raise TypeError("load_policy needs a path, text= or programme=")
    if len(text) > limits.MAX_POLICY_BYTES:  # characters: at least as many bytes
        raise _too_large(file)
    return compile_policy(check(merge(parse(text, file), read_extended, parse), registry))
