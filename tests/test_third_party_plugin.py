"""A third-party programme, installed as its own package, reaches the CLI through the entry point.

`examples/plugins/accord-coaching` is built and installed offline into a temporary folder
(`pip install --no-deps --no-build-isolation --no-index --target DIR`), never into the test
environment. The CLI then runs in a subprocess (`python -m accord`) with `PYTHONPATH=DIR`: Accord
finds the package's `accord.programmes` entry point and its policy, shipped as package data. Without
`PYTHONPATH` the programme is absent. Nothing in core/ or plugins/ names the package.

Building needs setuptools >= 70.1 in the test environment (it builds wheels without the `wheel`
package): the `test` extra requires it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "examples" / "plugins" / "accord-coaching"
FACTS = PACKAGE / "facts.json"
ASK = ["--programme", "coaching", "--as-of", "2026-01-15"]
_BLOCK = re.compile(r"```console\n\$ (?P<cmd>accord [^\n]*)\n(?P<out>(?:(?!```).)*?)\[exit (?P<code>\d+)\]\n```", re.S)


def _pip_available() -> bool:
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the package is installed into (offline, no dependencies, no build isolation)."""
    if not _pip_available():
        pytest.skip(f"pip is not available to {sys.executable}: cannot install examples/plugins/accord-coaching")
    base = tmp_path_factory.mktemp("accord-coaching")
    # build from a copy, so that setuptools' build/ and *.egg-info stay out of the source tree
    source = base / "src"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = base / "site"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
            "--no-cache-dir", "--target", str(target), str(source),
        ],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 0, f"pip could not install the example package:\n{done.stdout}\n{done.stderr}"
    assert (target / "accord_coaching" / "coaching.accord").is_file(), "the policy was not installed as package data"
    return target


def accord(*args: str, site: Path | None, cwd: Path = PACKAGE) -> subprocess.CompletedProcess[str]:
    """Run `python -m accord ARGS` in a subprocess, with the package on the path only if `site` is given."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_the_test_environment_is_left_alone(site: Path) -> None:
    assert importlib.util.find_spec("accord_coaching") is None
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("accord-coaching")
    assert (site / "accord_coaching-0.1.0.dist-info" / "entry_points.txt").read_text().split() == [
        "[accord.programmes]", "coaching", "=", "accord_coaching",
    ]


def test_programmes_lists_coaching_from_its_plugin(site: Path) -> None:
    done = accord("programmes", site=site)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("coaching  Instructional coaching  (plugin coaching)")
    roles = [line.split()[1] for line in lines[at + 1 :] if line.startswith("  role ")][:2]
    assert roles == ["coach", "coachee"]
    assert "demo  Demo district mentoring  (plugin demo)" in lines  # the built-in programmes are still there

    listed = {p["name"]: p for p in json.loads(accord("programmes", "--format", "json", site=site).stdout)}
    assert listed["coaching"]["plugin"] == "coaching"
    assert [r["name"] for r in listed["coaching"]["roles"]] == ["coach", "coachee"]


def test_without_the_package_on_the_path_the_programme_is_absent(site: Path) -> None:
    done = accord("programmes", "--format", "json", site=None)
    assert done.returncode == 0, done.stderr
    names = {p["name"] for p in json.loads(done.stdout)}
    assert "coaching" not in names and "demo" in names

    # the example facts use facts only the plugin declares: the file itself is rejected
    done = accord("check", str(FACTS), "--person", "cora", "--role", "coach", *ASK, site=None)
    assert done.returncode == 2
    assert done.stderr.startswith("error[F004]:") and "people[0].facts.coach_trained" in done.stderr

    done = accord("check", str(ROOT / "examples" / "demo" / "facts.json"), "--person", "ana", "--role", "coach", *ASK, site=None)
    assert done.returncode == 2
    assert "no programme `coaching` is installed" in done.stderr


@pytest.mark.parametrize(
    ("person", "role", "code", "first_line", "shows"),
    [
        ("cora", "coach", 0, "ELIGIBLE: Cora Banks (cora) as coach", "[met]      has enough years of teaching experience: 9 years >= 3 years"),
        ("vic", "coach", 0, "ELIGIBLE: Vic Osei (vic) as coach", "[met]      is trained in coaching: person.coach_trained is yes"),
        ("eddie", "coach", 1, "NOT ELIGIBLE: Eddie Lowe (eddie) as coach", "[not met]  has enough years of teaching experience: 2 years < 3 years; needs 1 more year"),
        ("pia", "coachee", 0, "ELIGIBLE: Pia Novak (pia) as coachee", "[met]      asked for coaching: person.requested_coaching is yes"),
        ("tom", "coachee", 1, "NOT ELIGIBLE: Tom Reyes (tom) as coachee", "[not met]  asked for coaching: person.requested_coaching is no"),
        ("nell", "coachee", 3, "UNDETERMINED: Nell Ortiz (nell) as coachee", "[unknown]  has identified a goal of their own: missing person.identified_goal"),
    ],
)
def test_check_decides_coach_and_coachee_under_the_packaged_policy(
    site: Path, person: str, role: str, code: int, first_line: str, shows: str
) -> None:
    done = accord("check", str(FACTS), "--person", person, "--role", role, *ASK, site=site)
    assert done.returncode == code, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == first_line
    assert lines[1] == '  policy "Instructional Coaching" 0.1 (accord_coaching:coaching.accord), as of 2026-01-15'
    assert "  " + shows in lines


def test_pair_refuses_a_coach_who_evaluates_the_coachee(site: Path) -> None:
    done = accord("pair", str(FACTS), "vic", "pia", *ASK, site=site)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("NOT ALLOWED: Vic Osei (vic) as coach, with Pia Novak (pia)")
    assert "[not met]  the coach is not the coachee's evaluator: `evaluates(coach, coachee)` is true" in done.stdout
    assert "SEED-002: the coaches' role must remain supportive, not evaluative" in done.stdout

    allowed = accord("pair", str(FACTS), "cora", "pia", *ASK, site=site)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert allowed.stdout.startswith("ALLOWED: Cora Banks (cora) as coach, with Pia Novak (pia)")


@pytest.mark.parametrize(
    ("viewer", "record", "code", "outcome"),
    [
        ("pia", "n1", 0, "allow"),  # the coachee, the note's subject
        ("cora", "n1", 0, "allow"),  # her coach
        ("vic", "n1", 1, "deny"),  # her evaluator
        ("eddie", "n1", 1, "deny"),  # a colleague
        ("vic", "n2", 1, "deny"),  # Nell's coach, but also her evaluator
        ("nell", "n2", 0, "allow"),
    ],
)
def test_access_shows_coaching_notes_to_coach_and_coachee_never_to_evaluators(
    site: Path, viewer: str, record: str, code: int, outcome: str
) -> None:
    done = accord("access", str(FACTS), "--viewer", viewer, "--record", record, *ASK, "--format", "json", site=site)
    assert done.returncode == code, done.stdout + done.stderr
    decision = json.loads(done.stdout)
    assert (decision["outcome"], decision["record"]["kind"]) == (outcome, "coaching_note")
    assert decision["location"].startswith("accord_coaching:coaching.accord:")


def test_lint_accepts_the_packaged_policy(site: Path) -> None:
    done = accord("lint", "accord_coaching/coaching.accord", site=site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith('ok (policy "Instructional Coaching", roles: coach, coachee)')


def _console_blocks(text: str) -> list[tuple[str, str, int]]:
    """(command, output, exit code) of each ```console block shown in full (no `...` line)."""
    return [(m["cmd"], m["out"], int(m["code"])) for m in _BLOCK.finditer(text) if "\n...\n" not in "\n" + m["out"]]


README_CASES = _console_blocks((PACKAGE / "README.md").read_text(encoding="utf-8"))
_DOCS = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
DOCS_CASES = _console_blocks(_DOCS[_DOCS.index("## From an empty folder to `accord programmes`") :])


def test_the_walkthroughs_have_console_blocks() -> None:
    assert len(README_CASES) >= 6
    assert len(DOCS_CASES) >= 3


@pytest.mark.parametrize(
    ("command", "expected", "code"),
    README_CASES + DOCS_CASES,
    ids=[f"README:{c[0][:60]}" for c in README_CASES] + [f"plugins.md:{c[0][:60]}" for c in DOCS_CASES],
)
def test_walkthrough_command_prints_what_is_shown(site: Path, command: str, expected: str, code: int) -> None:
    """The commands in the package's README and in docs/plugins.md, run from the package's folder."""
    done = accord(*shlex.split(command)[1:], site=site)
    assert done.stdout.rstrip("\n") == expected.rstrip("\n"), f"`{command}` prints something else now:\n{done.stdout}{done.stderr}"
    assert done.returncode == code
