"""The walkthroughs in examples/ and docs/ show real output: run each command and compare.

A walkthrough is a Markdown file with ```console blocks: `$ accord ...`, the output, and
`[exit N]`. Each block is run through the CLI from the repository root. After a deliberate
change of wording, `ACCORD_UPDATE_GOLDEN=1 pytest tests/test_walkthroughs.py` rewrites the
outputs shown; read the diff before committing it.

The files are every examples/**/README.md but those of examples/plugins (whose own test,
tests/test_third_party_plugin.py, installs the package first), and every docs/*.md. A console block
that cannot run from the repository root is marked by an HTML comment on the line above it,
`<!-- not run from the repository root: ... -->`, and left to the test that can run it.

The policy and facts files the docs run are in docs/examples/. A docs block that shows one of them
has `<!-- file: docs/examples/NAME -->` on the line above it, and must be that file, character for
character. Every docs ```accord block that is a whole policy (its first line that is not a
comment starts with `policy "`) must pass `accord lint`, unless a walkthrough shows `accord lint` of
its file exiting 2.
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
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("README.md") if "plugins" not in p.relative_to(ROOT).parts)
DOCS = sorted((ROOT / "docs").glob("*.md"))
WALKTHROUGHS = EXAMPLES + DOCS

_SKIP = r"<!-- not run from the repository root:[^\n]*-->\n"
_BLOCK = re.compile(
    rf"(?P<skip>{_SKIP})?```console\n\$ (?P<cmd>accord [^\n]*)\n(?P<out>(?:(?!```).)*?)\[exit (?P<code>\d+)\]\n```", re.S
)
_ANY_CONSOLE = re.compile(rf"(?P<skip>{_SKIP})?```console\n")
_FILE_BLOCK = re.compile(r"<!-- file: (?P<path>[^ ]+) -->\n```\w+\n(?P<text>.*?)```", re.S)
_ACCORD_BLOCK = re.compile(r"```accord\n(?P<text>.*?)```", re.S)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _cases() -> list[tuple[str, str, str, int]]:
    cases = []
    for path in WALKTHROUGHS:
        for m in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            if not m["skip"]:
                cases.append((_rel(path), m["cmd"], m["out"], int(m["code"])))
    return cases


CASES = _cases()


def test_there_are_walkthroughs():
    files = {c[0] for c in CASES}
    assert any("constructs" in f for f in files)
    assert {"docs/cli.md", "docs/language.md"} <= files


@pytest.mark.parametrize("path", WALKTHROUGHS, ids=_rel)
def test_every_console_block_is_run_or_marked(path):
    """A ```console block the pattern does not match would silently go unchecked."""
    text = path.read_text(encoding="utf-8")
    run = [m.start("cmd") for m in _BLOCK.finditer(text) if not m["skip"]]
    opened = [m.end() + 2 for m in _ANY_CONSOLE.finditer(text) if not m["skip"]]
    assert opened == run, f"{_rel(path)}: a ```console block is not `$ accord ...`, its output and `[exit N]`"


@pytest.mark.parametrize(("file", "command", "expected", "code"), CASES, ids=[f"{c[0]}:{c[1][:60]}" for c in CASES])
def test_walkthrough_command_prints_what_is_shown(file, command, expected, code, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, shlex.split(command)[1:], prog_name="accord")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if os.environ.get("ACCORD_UPDATE_GOLDEN") == "1":
        path = ROOT / file
        text = path.read_text(encoding="utf-8")
        old = f"$ {command}\n{expected}[exit {code}]"
        new = f"$ {command}\n{result.output.rstrip(chr(10))}\n[exit {result.exit_code}]"
        if not result.output.strip():
            new = f"$ {command}\n[exit {result.exit_code}]"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return
    assert result.output.rstrip("\n") == expected.rstrip("\n"), f"{file}: `{command}` prints something else now"
    assert result.exit_code == code


# --- policies shown in the docs ---------------------------------------------------------------

SHOWN_FILES = [
    (_rel(doc), m["path"], m["text"]) for doc in DOCS for m in _FILE_BLOCK.finditer(doc.read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(("doc", "file", "text"), SHOWN_FILES, ids=[f"{d}:{f}" for d, f, _ in SHOWN_FILES])
def test_a_policy_shown_is_the_file_the_commands_run(doc, file, text):
    assert (ROOT / file).is_file(), f"{doc} shows {file}, which does not exist"
    assert (ROOT / file).read_text(encoding="utf-8") == text, f"{doc} shows {file} other than it is"


def _failing_on_purpose() -> set[str]:
    """Files a walkthrough shows `accord lint` rejecting."""
    return {
        arg
        for _, command, _, code in CASES
        if command.startswith("accord lint ") and code == 2
        for arg in shlex.split(command)[2:]
        if arg.endswith(".accord")
    }


def _whole_policies() -> list[tuple[str, int, str, str | None]]:
    """(doc, line, text, file) of each ```accord block that is a whole policy."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in _ACCORD_BLOCK.finditer(text):
            body = m["text"]
            first = next((ln.strip() for ln in body.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
            if not first.startswith('policy "'):
                continue
            marker = _FILE_BLOCK.match(text, max(0, text.rfind("<!--", 0, m.start())))
            file = marker["path"] if marker and marker.end() == m.end() else None
            found.append((_rel(doc), text.count("\n", 0, m.start()) + 1, body, file))
    return found


WHOLE_POLICIES = _whole_policies()


def test_there_are_whole_policies_to_lint():
    assert len(WHOLE_POLICIES) >= 20


@pytest.mark.parametrize(
    ("doc", "line", "text", "file"), WHOLE_POLICIES, ids=[f"{d}:{n}" for d, n, _, _ in WHOLE_POLICIES]
)
def test_a_whole_policy_in_the_docs_passes_lint(doc, line, text, file, tmp_path, monkeypatch):
    if file in _failing_on_purpose():
        pytest.skip(f"{file} is shown failing lint")
    if file is None:
        # on its own: a layer finds its parent among the shipped policies
        file = str(tmp_path / "policy.accord")
        Path(file).write_text(text, encoding="utf-8")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["lint", file])
    assert result.exit_code == 0, f"{doc}:{line}: the policy shown does not pass lint:\n{result.output}"
