"""`accord lsp` through the protocol: a pygls client starts the server over stdio and talks to it.

One server serves the module (each test opens its own documents); every wait is bounded, so a hung
server fails the test instead of hanging CI.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import textwrap
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

from accord.cli import main  # noqa: E402

T = TypeVar("T")
TIMEOUT = 20.0
EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"

TYPOS = textwrap.dedent(
    """\
    policy "Mentor rules"
      programme demo

    define seasoned = person.years_experience >= 5 years

    role mentor
      require "is trained": person.mentor_traind
      require "has three years": person.years_experience >= 3 years
    """
)


class Session:
    """A language client on its own event loop, and every diagnostics notification it received."""

    def __init__(self, *command: str, cwd: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = LanguageClient("accord-tests", "1")
        self.published: list[types.PublishDiagnosticsParams] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.append(params)

        self.run(self.client.start_io(*command, cwd=str(cwd)))
        self.initialized = self.run(
            self.client.initialize_async(
                types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(cwd)))
            )
        )
        self.client.initialized(types.InitializedParams())
        self.version = 0

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = TIMEOUT) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def diagnostics(self, uri: str, seen: int) -> list[types.Diagnostic]:
        """The diagnostics of the first notification for `uri` after the `seen` first notifications."""

        async def wait() -> list[types.Diagnostic]:
            while True:
                for p in self.published[seen:]:
                    if p.uri == uri:
                        return list(p.diagnostics)
                await asyncio.sleep(0.01)

        return self.run(wait())

    def open(self, path: Path, text: str) -> tuple[str, list[types.Diagnostic]]:
        """Open `text` as the (unsaved) document at `path`; its URI and its diagnostics."""
        uri = from_fs_path(str(path))
        seen = len(self.published)
        self.version += 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="accord", version=self.version, text=text))
        )
        return uri, self.diagnostics(uri, seen)

    def change(self, uri: str, text: str) -> list[types.Diagnostic]:
        seen = len(self.published)
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.diagnostics(uri, seen)

    def at(self, uri: str, line: int, character: int) -> dict[str, Any]:
        return {"text_document": types.TextDocumentIdentifier(uri=uri), "position": types.Position(line, character)}

    def hover(self, uri: str, line: int, character: int) -> str | None:
        result = self.run(self.client.text_document_hover_async(types.HoverParams(**self.at(uri, line, character))))
        return None if result is None else result.contents.value  # type: ignore[union-attr]

    def complete(self, uri: str, line: int, character: int) -> dict[str, types.CompletionItem]:
        result = self.run(self.client.text_document_completion_async(types.CompletionParams(**self.at(uri, line, character))))
        items = result.items if isinstance(result, types.CompletionList) else (result or [])
        return {i.label: i for i in items}

    def definition(self, uri: str, line: int, character: int) -> types.Location | None:
        result = self.run(self.client.text_document_definition_async(types.DefinitionParams(**self.at(uri, line, character))))
        if isinstance(result, list):
            return result[0] if result else None
        return result  # type: ignore[return-value]

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_async(None), timeout=10)
            self.client.exit(None)
            self.run(self.client.stop(), timeout=10)
        finally:
            server = getattr(self.client, "_server", None)
            if server is not None and server.returncode is None:
                server.kill()
            self.loop.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A parent and a child policy side by side, as an author keeps them."""
    root = tmp_path_factory.mktemp("policies")
    for name in ("state.accord", "district.accord"):
        (root / name).write_text((EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def lsp(folder: Path) -> Iterator[Session]:
    session = Session(sys.executable, "-m", "accord", "lsp", cwd=folder)
    yield session
    session.close()


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def position(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """0-based (line, character) of `needle` in `text`, plus `offset` characters."""
    for n, line in enumerate(text.splitlines()):
        if needle in line:
            return n, line.index(needle) + offset
    raise AssertionError(f"{needle!r} not in the text")


# --------------------------------------------------------------------------- initialize


def test_initialize_announces_what_the_server_answers(lsp: Session) -> None:
    caps = lsp.initialized.capabilities
    assert lsp.initialized.server_info is not None and lsp.initialized.server_info.name == "accord"
    assert caps.hover_provider and caps.definition_provider
    assert caps.completion_provider is not None and "." in (caps.completion_provider.trigger_characters or [])
    assert caps.text_document_sync is not None
    # Formatting is offered only where `accord fmt` exists to do it.
    has_fmt = importlib.util.find_spec("accord.fmt") is not None
    assert bool(caps.document_formatting_provider) == has_fmt


# --------------------------------------------------------------------------- diagnostics


def test_diagnostics_of_the_unsaved_text_with_ranges_and_codes_then_cleared(lsp: Session, folder: Path) -> None:
    # The file does not exist on disk: the server checks the text the editor holds.
    uri, diags = lsp.open(folder / "typos.accord", TYPOS)
    by_code = {d.code: d for d in diags}
    assert set(by_code) == {"P102"}
    d = by_code["P102"]
    line, start = position(TYPOS, "mentor_traind")
    assert (d.range.start.line, d.range.start.character) == (line, start)
    assert (d.range.end.line, d.range.end.character) == (line, start + len("mentor_traind"))
    assert d.severity == types.DiagnosticSeverity.Error and d.source == "accord"
    assert "mentor_traind" in d.message and "did you mean `mentor_trained`?" in d.message
    assert lsp.change(uri, TYPOS.replace("mentor_traind", "mentor_trained")) == []


def test_every_error_of_a_file_is_reported_at_its_own_place(lsp: Session, folder: Path) -> None:
    text = TYPOS.replace(">= 3 years", ">= 3")
    _, diags = lsp.open(folder / "two.accord", text)
    assert [(d.code, d.range.start.line) for d in diags] == [("P102", 6), ("P111", 7)]
    p111 = diags[1]
    # The whole comparison is underlined, as `accord lint` underlines it.
    line, start = position(text, "person.years_experience >= 3")
    assert (p111.range.start.character, p111.range.end.character) == (start, start + len("person.years_experience >= 3"))


def test_a_syntax_error_is_a_diagnostic_on_the_token(lsp: Session, folder: Path) -> None:
    text = 'policy "Broken"\n  programme demo\n\nrole mentor\n  require "is trained" person.mentor_trained\n'
    uri, diags = lsp.open(folder / "broken.accord", text)
    assert [d.code for d in diags] == ["P001"]
    line, start = position(text, "person.mentor_trained")
    assert (diags[0].range.start.line, diags[0].range.start.character) == (line, start)
    assert diags[0].range.end.character == start + len("person")
    assert lsp.change(uri, text.replace('trained" person', 'trained": person')) == []


def test_a_problem_in_the_layering_names_the_parent_and_sits_on_the_extends_clause(lsp: Session, folder: Path) -> None:
    text = 'policy "Layer"\n  extends "nowhere"\n'
    _, diags = lsp.open(folder / "orphan.accord", text)
    assert [d.code for d in diags] == ["P005"]
    line, start = position(text, '"nowhere"')
    assert (diags[0].range.start.line, diags[0].range.start.character) == (line, start)
    assert "nowhere" in diags[0].message


# --------------------------------------------------------------------------- hover


def test_hover_on_a_fact_gives_its_type_documentation_and_plugin(lsp: Session, folder: Path) -> None:
    uri, _ = lsp.open(folder / "hover-fact.accord", TYPOS)
    text = lsp.hover(uri, *position(TYPOS, "years_experience >= 3", 3))
    assert text is not None
    assert "person.years_experience" in text and "years" in text
    assert "declared by plugin" in text


def test_hover_on_a_parameter_shows_the_layer_chain(lsp: Session, folder: Path) -> None:
    district = (folder / "district.accord").read_text(encoding="utf-8")
    uri, diags = lsp.open(folder / "district.accord", district)
    assert diags == []
    text = lsp.hover(uri, *position(district, "set mentor_min_years", 6))
    assert text is not None
    assert "declared in state.accord:6" in text and "may raise" in text and '"State baseline"' in text
    assert "set in district.accord:7" in text and "`5 years`" in text
    assert text.startswith("**parameter** `mentor_min_years`: a number of years = `5 years`")


def test_hover_on_a_role_a_definition_and_a_function(lsp: Session, folder: Path) -> None:
    district = (folder / "district.accord").read_text(encoding="utf-8")
    uri, _ = lsp.open(folder / "district.accord", district)
    role = lsp.hover(uri, *position(district, "extend role mentor", 13))
    assert role is not None and "**role** `mentor`" in role and "state.accord" in role
    assert '"is a member of the association", added by district.accord' in role

    uri, _ = lsp.open(folder / "hover-define.accord", TYPOS + "  require \"seasoned\": seasoned\n")
    define = lsp.hover(uri, *position(TYPOS + "  require \"seasoned\": seasoned\n", ": seasoned", 3))
    assert define is not None and "define seasoned = person.years_experience >= 5 years" in define

    text = TYPOS + "  require \"counted\": count(evidence mentoring_log of person) >= 1\n"
    uri, _ = lsp.open(folder / "hover-fn.accord", text)
    builtin = lsp.hover(uri, *position(text, "count("))
    assert builtin is not None and builtin.startswith("**built-in** `count`: how many evidence items")
    kind = lsp.hover(uri, *position(text, "mentoring_log", 2))
    assert kind is not None and "**evidence kind** `mentoring_log`" in kind
    assert lsp.hover(uri, 2, 0) is None  # a blank line names nothing


# --------------------------------------------------------------------------- completion


def test_completion_after_person_dot_lists_the_facts_even_while_the_line_does_not_parse(lsp: Session, folder: Path) -> None:
    uri, _ = lsp.open(folder / "complete.accord", TYPOS)
    typing = TYPOS + '  require "new": person.'
    assert lsp.change(uri, typing)[0].code == "P001"
    items = lsp.complete(uri, typing.count("\n"), len(typing.splitlines()[-1]))
    assert {"years_experience", "mentor_trained", "licence"} <= set(items)
    assert items["years_experience"].kind == types.CompletionItemKind.Field
    assert "years" in (items["years_experience"].detail or "")
    assert "require" not in items  # a keyword cannot follow `person.`


def test_completion_of_roles_parameters_values_and_keywords(lsp: Session, folder: Path) -> None:
    district = (folder / "district.accord").read_text(encoding="utf-8")
    uri, _ = lsp.open(folder / "district.accord", district)
    for typed, expected, absent in [
        ("extend role ", {"mentor"}, "require"),
        ("set ", {"mentor_min_years", "max_mentees", "stipend"}, "mentor"),
        ("  require \"x\": person.licence = ", {"provisional", "professional"}, "active"),
        ("    person.association_membership in {active, ", {"active", "retired"}, "mentor"),
        ("set stipend = ", {"none", "require"}, "years_experience"),  # money: not only choice values
        ("", {"require", "role", "extends", "policy", "mentor_min_years", "person"}, "years_experience"),
    ]:
        text = district + typed
        lsp.change(uri, text)
        items = lsp.complete(uri, text.count("\n"), len(typed))
        assert expected <= set(items), (typed, sorted(items)[:20])
        assert absent not in items, typed


# --------------------------------------------------------------------------- definition


def test_definition_of_a_parameter_set_by_a_child_is_in_the_parent_file(lsp: Session, folder: Path) -> None:
    district = (folder / "district.accord").read_text(encoding="utf-8")
    uri, _ = lsp.open(folder / "district.accord", district)
    found = lsp.definition(uri, *position(district, "set max_mentees", 5))
    assert found is not None and found.uri == from_fs_path(str(folder / "state.accord"))
    state = (folder / "state.accord").read_text(encoding="utf-8")
    line, start = position(state, "max_mentees")
    assert (found.range.start.line, found.range.start.character) == (line, start)
    assert found.range.end.character == start + len("max_mentees")

    role = lsp.definition(uri, *position(district, "extend role mentor", 13))
    assert role is not None and role.uri.endswith("state.accord")
    assert role.range.start.line == position(state, "role mentor")[0]

    parent = lsp.definition(uri, *position(district, '"state"', 2))
    assert parent is not None and parent.uri == from_fs_path(str(folder / "state.accord"))


def test_definition_of_a_definition_in_the_same_file(lsp: Session, folder: Path) -> None:
    text = TYPOS + "  require \"seasoned\": seasoned\n"
    uri, _ = lsp.open(folder / "define.accord", text)
    found = lsp.definition(uri, *position(text, ": seasoned", 4))
    assert found is not None and found.uri == uri
    assert (found.range.start.line, found.range.start.character) == position(text, "seasoned =")
    assert lsp.definition(uri, *position(text, "years_experience", 1)) is None  # a fact lives in a plugin


# --------------------------------------------------------------------------- formatting and robustness

_STUB = """
import sys, types
fmt = types.ModuleType("accord.fmt")
def format_text(text, file):
    if "boom" in text:
        raise RuntimeError("a formatter bug")
    return text.replace("  ", " ")
fmt.format_text = format_text
sys.modules["accord.fmt"] = fmt
from accord.cli import main
main(["lsp"], prog_name="accord")
"""


def test_formatting_goes_through_accord_fmt_and_a_failing_handler_answers_nothing(folder: Path) -> None:
    session = Session(sys.executable, "-c", _STUB, cwd=folder)
    try:
        assert session.initialized.capabilities.document_formatting_provider
        uri, _ = session.open(folder / "fmt.accord", TYPOS)
        edits = session.run(
            session.client.text_document_formatting_async(
                types.DocumentFormattingParams(text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(2, True))
            )
        )
        assert edits is not None and len(edits) == 1
        assert edits[0].new_text == TYPOS.replace("  ", " ")
        assert (edits[0].range.start.line, edits[0].range.start.character) == (0, 0)
        assert edits[0].range.end.line == len(TYPOS.splitlines())
        # The formatter raises: the request gets no edits, and the server goes on answering.
        session.change(uri, TYPOS + "# boom\n")
        failed = session.run(
            session.client.text_document_formatting_async(
                types.DocumentFormattingParams(text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(2, True))
            )
        )
        assert failed is None
        assert session.hover(uri, *position(TYPOS, "years_experience >= 3", 1)) is not None
    finally:
        session.close()


def test_lsp_without_pygls_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)
    result = CliRunner().invoke(main, ["lsp"])
    assert result.exit_code == 2
    assert "install accord[lsp]" in result.output


def test_lsp_rejects_a_tcp_address_without_a_port() -> None:
    result = CliRunner().invoke(main, ["lsp", "--tcp", "localhost"])
    assert result.exit_code == 2 and "HOST:PORT" in result.output


# --------------------------------------------------------------------------- half-typed text

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from accord import editor as server  # noqa: E402
from accord.registry import default_registry  # noqa: E402

from . import strategies as s  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(s.policies(), st.data())
def test_half_typed_policies_get_answers_not_exceptions(text: str, data: st.DataObject) -> None:
    """Cut a policy anywhere, as an author mid-word leaves it: every answer is computed without raising."""
    registry = default_registry()
    whole = server.analyse(text, "<whole>", registry)
    assert whole.checked is not None and all(d.severity == "warning" for d in whole.diagnostics)  # well typed (a cost warning may come)
    cut = text[: data.draw(st.integers(0, len(text)), label="cut")]
    analysis = server.analyse(cut, "<cut>", registry)
    assert (analysis.parsed is None) == any(d.code in ("P001", "P002", "P003", "P004") for d in analysis.diagnostics)
    lines = cut.splitlines() or [""]
    for _ in range(5):
        line = lines[data.draw(st.integers(0, len(lines) - 1), label="line")]
        character = data.draw(st.integers(0, len(line)), label="character")
        server.hover_text(analysis, whole, line, character, registry)
        server.declaration(analysis, whole, line, character)
        assert server.completions(analysis, whole, line[:character], registry)


def test_every_built_in_function_has_hover_documentation() -> None:
    """Hover and completion show a built-in's own description, as `accord.builtins` registers it."""
    from accord.check import BUILTINS

    registry = default_registry()
    empty = server.analyse("", "<t>", registry)
    docs = {c.label: c.doc for c in server.completions(empty, None, "", registry) if c.kind == "function"}
    for name in BUILTINS:
        described = registry.schema.functions[name].description
        assert described and docs[name] == described
        assert server.hover_text(empty, None, f"{name}(x)", 1, registry) == f"**built-in** `{name}`: {described}"
