"""Helpers for the tests of the incentives, access and commitments questions and of layering.

Like `tests.support`, every helper asks with both engines (compiled and interpreted) and fails the
test if the answers differ in any field; the CLI helpers run a command with both `--engine`s and
insist on the same output and exit code.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

import accord
from accord.access import AccessDecision
from accord.access import access as _access
from accord.commitments import CommitmentReport
from accord.commitments import commitments as _commitments
from accord.incentives import IncentiveReport
from accord.incentives import incentives as _incentives
from tests.support import AS_OF, ENGINES, HEADER

__all__ = ["AS_OF", "HEADER", "access", "cli", "cli_json", "commitments", "incentives", "inline", "write"]


def inline(body: str, *, header: str = HEADER, path: str = "x.accord") -> accord.CompiledPolicy:
    """A policy of the demo programme from text, as if read from `path`."""
    return accord.load_policy(text=header + body, path=path)


def _agree(results: list[Any]) -> Any:
    compiled, interpreted = results
    assert compiled == interpreted, f"engines disagree:\n compiled:    {compiled}\n interpreted: {interpreted}"
    return compiled


def incentives(policy: accord.CompiledPolicy, facts: accord.Facts, person: str, as_of: dt.date = AS_OF) -> IncentiveReport:
    return _agree([_incentives(policy, facts, person, as_of, engine=e) for e in ENGINES])  # type: ignore[no-any-return]


def access(policy: accord.CompiledPolicy, facts: accord.Facts, viewer: str, record: str, as_of: dt.date = AS_OF) -> AccessDecision:
    return _agree([_access(policy, facts, viewer, record, as_of, engine=e) for e in ENGINES])  # type: ignore[no-any-return]


def commitments(
    policy: accord.CompiledPolicy, facts: accord.Facts, person: str, as_of: dt.date = AS_OF, role: str | None = None
) -> CommitmentReport:
    return _agree([_commitments(policy, facts, person, as_of, role=role, engine=e) for e in ENGINES])  # type: ignore[no-any-return]


def write(folder: Path, name: str, content: str | dict[str, Any]) -> str:
    """Write a policy (text) or a facts document (dict, as JSON) into `folder`; its path."""
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def cli(*args: str, engines: bool = True) -> Result:
    """Run `accord ARGS` (with each engine, which must agree, when `engines`); the first result."""
    from accord.cli import main

    runs = [[*args, "--engine", e] for e in ENGINES] if engines else [list(args)]
    results = [CliRunner().invoke(main, run) for run in runs]
    for r in results:
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
        assert "Traceback" not in r.stderr
        if r.exit_code == 2 and args[0] != "lint":  # lint reports problems in its --format too
            assert r.stdout == "" and "error" in r.stderr.lower(), (r.stdout, r.stderr)
    if engines:
        a, b = results
        assert (a.exit_code, a.stdout, a.stderr) == (b.exit_code, b.stdout, b.stderr), "the CLI's engines disagree"
    return results[0]


def cli_json(*args: str) -> tuple[int, Any]:
    """Run `accord ARGS --format json`: (exit code, the parsed JSON)."""
    result = cli(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)
