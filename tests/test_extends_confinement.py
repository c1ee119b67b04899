"""`extends` reads only policy files inside the folder tree of the policy that names it.

Links are resolved first, so a `state.accord` that is a link to `/etc/passwd`, or to a policy in
another folder, is refused, as is a name that climbs out with `../`; nothing of the refused file
is quoted. A layer shipped in a plugin's package finds its parent in that package (then in
Accord's shipped rules), never in the current directory. Every refusal is a located P005.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import accord
from accord.schema import Programme, RoleSpec
from tests.questions import cli, write

SECRET = "CANARY-not-a-policy"
STATE = 'policy "State"\n  programme demo\nrole mentor\n  require "trained": person.mentor_trained\n'
DISTRICT = 'policy "District"\n  extends "state"\n'


def _refused(child: str) -> accord.PolicyError:
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(child)
    (diag,) = excinfo.value.diagnostics
    assert diag.code == "P005"
    assert diag.span is not None and diag.span.file == child and diag.span.line == 2  # at the `extends`
    assert "own folder or below it" in (diag.hint or "")
    assert SECRET not in excinfo.value.render()
    return excinfo.value


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (tmp_path / "outside" / "state.accord").write_text(f"# {SECRET}\n{STATE}", encoding="utf-8")
    (tmp_path / "p").mkdir()
    return tmp_path


def test_a_link_to_a_file_outside_is_refused_without_quoting_it(outside):
    (outside / "p" / "state.accord").symlink_to(outside / "outside" / "secret.txt")
    child = write(outside / "p", "district.accord", DISTRICT)
    error = _refused(child)
    assert "a link that leads out of this policy's folder" in str(error)
    result = cli("lint", child, engines=False)
    assert result.exit_code == 2 and SECRET not in result.stdout + result.stderr


def test_a_link_to_a_policy_in_another_folder_is_refused(outside):
    (outside / "p" / "state.accord").symlink_to(outside / "outside" / "state.accord")
    _refused(write(outside / "p", "district.accord", DISTRICT))


def test_a_link_to_a_policy_inside_the_folder_is_followed(outside):
    (outside / "p" / "base").mkdir()
    (outside / "p" / "base" / "state-2026.accord").write_text(STATE, encoding="utf-8")
    (outside / "p" / "state.accord").symlink_to(outside / "p" / "base" / "state-2026.accord")
    policy = accord.load_policy(write(outside / "p", "district.accord", DISTRICT))
    assert [layer[1] for layer in policy.checked.layers] == ["State", "District"]


@pytest.mark.parametrize("name", ["../outside/state", "sub/../../outside/state", "../p/state", "./../outside/state.accord"])
def test_climbing_out_with_dot_dot_is_refused(outside, name):
    (outside / "p" / "state.accord").write_text(STATE, encoding="utf-8")
    (outside / "p" / "sub").mkdir()
    _refused(write(outside / "p", "district.accord", f'policy "District"\n  extends "{name}"\n'))


def test_a_link_to_a_folder_outside_is_refused(outside):
    (outside / "p" / "sub").symlink_to(outside / "outside", target_is_directory=True)
    _refused(write(outside / "p", "district.accord", 'policy "District"\n  extends "sub/state"\n'))


# ---- a layer shipped in a plugin's package


PACKAGE = "accord_layered_example"


class _Layered:
    @accord.hookimpl
    def accord_programmes(self):
        return [
            Programme(
                "layered", "Layered", (RoleSpec("mentor"),), policy="state.accord",
                layers=("districts/d1.accord",), rules_package=PACKAGE, plugin="layered",
            )
        ]


@pytest.fixture
def packaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> accord.Registry:
    """A plugin package whose district layer (in a sub-folder) extends its state policy."""
    package = tmp_path / "site" / PACKAGE
    (package / "districts").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "state.accord").write_text(STATE.replace("programme demo", "programme layered"), encoding="utf-8")
    (package / "districts" / "d1.accord").write_text(
        'policy "District one"\n  extends "state"\n  place district "d1"\nextend role mentor\n  require "experienced": person.years_experience >= 2 years\n',
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield accord.Registry([_Layered()])
    sys.modules.pop(PACKAGE, None)


@pytest.mark.parametrize("cwd_has", ["nothing", "an unrelated state.accord"])
def test_a_packaged_layer_finds_its_parent_in_its_package_wherever_it_runs(packaged, tmp_path, monkeypatch, cwd_has):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "districts").mkdir(parents=True)
    if cwd_has != "nothing":  # would decide under the layer's name if it were read
        for folder in (elsewhere, elsewhere / "districts"):
            (folder / "state.accord").write_text('policy "Impostor"\n  programme layered\nrole mentor\n  require "anyone": true\n', encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    policy = accord.load_policy(programme="layered", places=["d1"], registry=packaged)
    layers = [(file, name) for file, name, _, _ in policy.checked.layers]
    assert layers == [(f"{PACKAGE}:state.accord", "State"), (f"{PACKAGE}:districts/d1.accord", "District one")]
    assert [r.label for r in policy.checked.roles["mentor"].requirements] == ["trained", "experienced"]


def test_a_packaged_layer_never_reads_its_parent_from_the_current_directory(packaged, tmp_path, monkeypatch):
    (tmp_path / "site" / PACKAGE / "state.accord").unlink()  # the package lost its parent
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "state.accord", 'policy "Impostor"\n  programme layered\nrole mentor\n  require "anyone": true\n')
    with pytest.raises(accord.PolicyError) as excinfo:
        accord.load_policy(programme="layered", places=["d1"], registry=packaged)
    (diag,) = excinfo.value.diagnostics
    assert diag.code == "P005" and diag.span is not None and diag.span.file == f"{PACKAGE}:districts/d1.accord"
    assert f"looked in the package `{PACKAGE}` and in the shipped rules" in diag.message
