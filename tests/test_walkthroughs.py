"""The walkthroughs in examples/ show real output: run each command and compare.

A walkthrough is a Markdown file with ```console blocks: `$ accord ...`, the output, and
`[exit N]`. Each block is run through the CLI from the repository root. After a deliberate
change of wording, `ACCORD_UPDATE_GOLDEN=1 pytest tests/test_walkthroughs.py` rewrites the
outputs shown; read the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from accord.cli import main

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGHS = sorted(p for p in (ROOT / "examples").rglob("README.md") if "plugins" not in p.parts)
_BLOCK = re.compile(r"```console\n\$ (?P<cmd>accord [^\n]*)\n(?P<out>.*?)\[exit (?P<code>\d+)\]\n```", re.S)


def _cases() -> list[tuple[str, str, str, int]]:
    cases = []
    for path in WALKTHROUGHS:
        for m in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            cases.append((str(path.relative_to(ROOT)), m["cmd"], m["out"], int(m["code"])))
    return cases


CASES = _cases()


def test_there_are_walkthroughs():
    assert any("constructs" in c[0] for c in CASES)


@pytest.mark.parametrize(("file", "command", "expected", "code"), CASES, ids=[f"{c[0]}:{c[1][:60]}" for c in CASES])
def test_walkthrough_command_prints_what_is_shown(file, command, expected, code, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if os.environ.get("ACCORD_UPDATE_GOLDEN") == "1":
        path = ROOT / file
        text = path.read_text(encoding="utf-8")
        old = f"$ {command}\n{expected}[exit {code}]"
        new = f"$ {command}\n{result.output.rstrip(chr(10))}\n[exit {result.exit_code}]"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return
    assert result.output.rstrip("\n") == expected.rstrip("\n"), f"{file}: `{command}` prints something else now"
    assert result.exit_code == code
