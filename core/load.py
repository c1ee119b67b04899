"""Run the pipeline on a policy: read -> parse -> check -> compile, from a file, text or programme."""

from __future__ import annotations

from pathlib import Path

from .check import check
from .compile import CompiledPolicy, compile_policy
from .errors import Diagnostic, PolicyError
from .parse import parse
from .registry import Registry, default_registry


def load_policy(
    path: str | Path | None = None,
    *,
    text: str | None = None,
    programme: str | None = None,
    registry: Registry | None = None,
) -> CompiledPolicy:
    """Parse, check and compile a policy from a file, from text, or a programme's default policy."""
    registry = registry or default_registry()
    if programme is not None:
        file, text = registry.programme_policy(programme)
    elif text is not None:
        file = str(path) if path else "<policy>"
    elif path is not None:
        file = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: no such file")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError([Diagnostic("P005", f"cannot read policy file `{path}`: {exc}")]) from None
    else:
        raise TypeError("load_policy needs a path, text= or programme=")
    return compile_policy(check(parse(text, file), registry))
