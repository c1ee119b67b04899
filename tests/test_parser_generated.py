"""The parser: generated from the grammar at build time, nothing unpickled, safe to run in threads.

`grammars/_parser.py` is lark's stand-alone LALR parser for `grammars/accord.lark`. After editing
the grammar, regenerate it from the top of the repository with (the command this test runs):

    python -m lark.tools.standalone --maybe_placeholders grammars/accord.lark -o grammars/_parser.py

lark numbers its tokens and states differently from one run to the next, so the files are
compared by what they are generated from: every rule and terminal, the options and the number of
parser states.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

import accord
from accord.errors import Span
from accord.parse import parse

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammars" / "accord.lark"
GENERATED = ROOT / "grammars" / "_parser.py"
COMMAND = ["-m", "lark.tools.standalone", "--maybe_placeholders", str(GRAMMAR), "-o"]


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"generated_{abs(hash(path))}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _what_it_parses(module: ModuleType) -> tuple[list[str], str, int]:
    rules_and_terminals = sorted(json.dumps(v, sort_keys=True) for v in module.MEMO.values())
    options = json.dumps(module.DATA["options"], sort_keys=True, default=repr)
    return rules_and_terminals, options, len(module.DATA["parser"]["parser"]["states"])


def test_the_shipped_parser_is_the_one_the_grammar_generates(tmp_path):
    fresh = tmp_path / "_parser.py"
    subprocess.run([sys.executable, *COMMAND, str(fresh)], check=True, cwd=ROOT)
    shipped, regenerated = _what_it_parses(_module(GENERATED)), _what_it_parses(_module(fresh))
    assert shipped[0], "no rules found in the generated parser"
    assert shipped == regenerated, (
        "grammars/_parser.py is not what grammars/accord.lark generates: regenerate it with\n"
        "  python -m lark.tools.standalone --maybe_placeholders grammars/accord.lark -o grammars/_parser.py"
    )


def test_the_shipped_parser_needs_no_lark_and_no_cache(tmp_path):
    """A fresh process parses and checks a policy without lark, without unpickling, and writes no temp file."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    code = (
        "import sys, pickle\n"
        "sys.modules['lark'] = None\n"  # importing lark now fails: the shipped parser stands alone
        "def refuse(*a, **k): raise AssertionError('pickle used')\n"
        "pickle.load = pickle.loads = refuse\n"
        "import accord\n"
        "p = accord.load_policy('rules/demo/district-mentoring.accord')\n"
        "print(sorted(p.checked.roles))\n"
    )
    env = dict(os.environ, TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "mentor" in out.stdout
    assert list(tmp.iterdir()) == []


def _spans(node: Any) -> list[Span]:
    if isinstance(node, Span):
        return [node]
    if isinstance(node, (tuple, list)):
        return [s for item in node for s in _spans(item)]
    if attrs.has(type(node)):
        return [s for f in attrs.fields(type(node)) for s in _spans(getattr(node, f.name))]
    return []


def test_parsing_in_parallel_threads_keeps_each_files_locations():
    sources = sorted((ROOT / "rules").rglob("*.accord"))[:6]
    texts = {str(p.relative_to(ROOT)): p.read_text("utf-8") for p in sources}
    assert len(texts) >= 4
    wrong: list[str] = []
    counted = [0]
    start = threading.Barrier(4)

    def work(offset: int) -> None:
        start.wait()
        names = list(texts)
        for i in range(30):
            name = names[(i + offset) % len(names)]
            spans = _spans(parse(texts[name], name))
            counted[0] += len(spans)
            wrong.extend(f"{name}: a span in {s.file}" for s in spans if s.file != name)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, mid-parse
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert counted[0] > 1000
    assert wrong == []


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rules").rglob("*.accord")))
def test_every_shipped_policy_parses_with_its_own_file_name(path):
    policy = parse((ROOT / path).read_text("utf-8"), path)
    assert {s.file for s in _spans(policy)} == {path}
