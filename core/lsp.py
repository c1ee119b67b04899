"""The language server (`accord lsp`): the checker's view of a policy, in the author's editor.

In: Language Server Protocol messages over stdio (or TCP). Out: diagnostics as the author types
(parse -> layer -> check of the document's unsaved text, every error and warning with its range
and code), hover (facts, evidence kinds, functions, roles, parameters with the layer that sets
them, definitions), completion (facts after `person.`, roles, parameters, choice values, the
grammar's keywords), go to definition (across `extends`, resolved by `load.read_extended`, as the
loader does) and formatting through `accord.fmt` where that module exists.

Built on pygls 2 (`pip install 'accord[lsp]'`). This module is the protocol only: the answers
(hover, completion, definition, the stages' view of a text) come from `accord.editor`. A handler
that fails logs the error and answers nothing: an editor's server must not die on one bad request.
"""

from __future__ import annotations

import functools
import importlib
import importlib.resources
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from .editor import (
    Analysis,
    analyse,
    completions,
    declaration,
    extends_target,
    hover_text,
    word_at,
)
from .errors import AccordError, Diagnostic, Span
from .registry import Registry, default_registry

log = logging.getLogger("accord.lsp")

def _shipped_path(file: str) -> str:
    """A real path for a span's file: `rules/x.accord` is read from the installed `accord.rules`."""
    if file.startswith("rules/"):
        return str(importlib.resources.files("accord.rules").joinpath(file[len("rules/") :]))
    return file


def _uri(file: str) -> str | None:
    if file.startswith("<"):
        return None
    return from_fs_path(str(Path(_shipped_path(file)).absolute()))  # as the editor named it: no symlinks resolved


def _range(span: Span, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """The LSP range of a span: 0-based, in the client's units, at least one character wide."""
    line = max(span.line - 1, 0)
    start = max(span.column - 1, 0)
    if (span.end_line, span.end_column) > (span.line, span.column):
        end_line, end = span.end_line - 1, span.end_column - 1
    else:  # a syntax error points at one place: cover the word (or character) there
        text = lines[line] if line < len(lines) else ""
        found = word_at(text, start)
        end_line, end = line, found[2] if found and found[1] == start else min(start + 1, len(text.rstrip("\r\n")))
    return codec.range_to_client_units(
        list(lines), types.Range(types.Position(line, start), types.Position(end_line, max(end, start) if end_line == line else end))
    )


def _lsp_diagnostic(d: Diagnostic, analysis: Analysis, lines: Sequence[str], codec: PositionCodec) -> types.Diagnostic:
    message = d.message + (f"\n{d.hint}" if d.hint else "")
    span = d.span
    if span is None or span.file != analysis.file:
        # A problem in a parent policy (or with no place): shown on the `extends` clause, naming where.
        header = analysis.parsed.header if analysis.parsed else None
        if span is not None:
            message = f"in {span}: {message}"
        span = (header.extends_span if header else None) or Span(analysis.file, 1, 1)
    return types.Diagnostic(
        range=_range(span, lines, codec),
        message=message,
        severity=types.DiagnosticSeverity.Warning if d.severity == "warning" else types.DiagnosticSeverity.Error,
        code=d.code,
        source="accord",
    )


_KINDS = {
    "fact": types.CompletionItemKind.Field,
    "field": types.CompletionItemKind.Field,
    "evidence": types.CompletionItemKind.Class,
    "programme": types.CompletionItemKind.Module,
    "role": types.CompletionItemKind.Class,
    "parameter": types.CompletionItemKind.Variable,
    "definition": types.CompletionItemKind.Function,
    "function": types.CompletionItemKind.Function,
    "constant": types.CompletionItemKind.Constant,
    "value": types.CompletionItemKind.EnumMember,
    "keyword": types.CompletionItemKind.Keyword,
    "variable": types.CompletionItemKind.Variable,
}

F = TypeVar("F", bound=Callable[..., Any])


def _formatter() -> Callable[[str, str], str] | None:
    """`accord.fmt.format_text`, when that module is installed; None otherwise."""
    try:
        fmt = importlib.import_module(f"{__package__}.fmt")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.fmt":
            return None
        raise  # accord.fmt is there but broken: say so, rather than quietly offer no formatting
    return getattr(fmt, "format_text", None)


class AccordLanguageServer(LanguageServer):
    """The pygls server, with each open document's analysis and its last analysis that parsed."""

    def __init__(self, registry: Registry | None = None) -> None:
        from importlib.metadata import version

        super().__init__("accord", version("accord"))
        self._registry = registry
        self.analyses: dict[str, Analysis] = {}
        self.last_parsed: dict[str, Analysis] = {}

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = default_registry()
        return self._registry

    def file_of(self, uri: str) -> str:
        path = to_fs_path(uri)
        return path if path else f"<{uri}>"

    def refresh(self, uri: str) -> None:
        """Analyse the document's current text and publish its diagnostics (none clears them)."""
        doc = self.workspace.get_text_document(uri)
        analysis = analyse(doc.source, self.file_of(uri), self.registry)
        self.analyses[uri] = analysis
        if analysis.policy is not None:
            self.last_parsed[uri] = analysis
        codec = self.workspace.position_codec
        lines = doc.source.splitlines() or [""]
        diagnostics = [_lsp_diagnostic(d, analysis, lines, codec) for d in analysis.diagnostics]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=doc.version))

    def at(self, params: types.TextDocumentPositionParams) -> tuple[Analysis, Analysis | None, str, types.Position]:
        """The analysis, last parsed analysis, line text and code-point position of a request."""
        uri = params.text_document.uri
        doc = self.workspace.get_text_document(uri)
        if uri not in self.analyses or self.analyses[uri].text != doc.source:
            self.refresh(uri)
        lines = doc.source.splitlines()
        if params.position.line >= len(lines):  # the empty line after the last newline
            return self.analyses[uri], self.last_parsed.get(uri), "", types.Position(params.position.line, 0)
        # pygls 2.0 returns a Position here, 2.1 a ServerTextPosition: both have line and character
        pos = self.workspace.position_codec.position_from_client_units(doc.lines, types.Position(params.position.line, params.position.character))
        return self.analyses[uri], self.last_parsed.get(uri), lines[pos.line], types.Position(pos.line, pos.character)

    def location(self, file: str, span: Span | None, sources: dict[str, str], current: tuple[str, Analysis]) -> types.Location | None:
        uri = current[0] if file == current[1].file else _uri(file)
        if uri is None:
            return None
        if span is None:
            return types.Location(uri=uri, range=types.Range(types.Position(0, 0), types.Position(0, 0)))
        text = sources.get(file)
        if text is None:
            text = Path(_shipped_path(file)).read_text(encoding="utf-8")
        lines = text.splitlines() or [""]
        name = word_at(lines[span.line - 1], span.column - 1) if 0 < span.line <= len(lines) else None
        point = attrs.evolve(span, end_line=span.line, end_column=name[2] + 1) if name else span
        return types.Location(uri=uri, range=_range(point, lines, self.workspace.position_codec))


def _safe(fn: F) -> F:
    """Answer nothing, and log why, when a handler fails: one bad request must not stop the server."""

    @functools.wraps(fn)
    def wrapper(ls: AccordLanguageServer, params: Any) -> Any:
        try:
            return fn(ls, params)
        except Exception as exc:  # noqa: BLE001 - the point is to catch everything
            log.exception("accord lsp: %s failed", fn.__name__)
            try:
                ls.window_log_message(types.LogMessageParams(types.MessageType.Error, f"accord lsp: {fn.__name__} failed: {exc!r}"))
            except Exception:  # noqa: BLE001 - the client may be gone
                pass
            return None

    return wrapper  # type: ignore[return-value]


def build_server(registry: Registry | None = None) -> AccordLanguageServer:
    """A server with every feature registered; formatting only when `accord.fmt` is installed."""
    server = AccordLanguageServer(registry)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @_safe
    def did_open(ls: AccordLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @_safe
    def did_change(ls: AccordLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @_safe
    def did_save(ls: AccordLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)  # a parent saved beside it may change this one's problems

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @_safe
    def did_close(ls: AccordLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.analyses.pop(uri, None)
        ls.last_parsed.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @_safe
    def hover(ls: AccordLanguageServer, params: types.HoverParams) -> types.Hover | None:
        analysis, last, line, pos = ls.at(params)
        text = hover_text(analysis, last, line, pos.character, ls.registry)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", " ", "{"]))
    @_safe
    def completion(ls: AccordLanguageServer, params: types.CompletionParams) -> types.CompletionList:
        analysis, last, line, pos = ls.at(params)
        items = [
            types.CompletionItem(
                label=c.label,
                kind=_KINDS[c.kind],
                detail=c.detail or None,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=c.doc) if c.doc else None,
            )
            for c in completions(analysis, last, line[: pos.character], ls.registry)
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @_safe
    def definition(ls: AccordLanguageServer, params: types.DefinitionParams) -> types.Location | None:
        analysis, last, line, pos = ls.at(params)
        current = (params.text_document.uri, analysis)
        parent = extends_target(analysis, pos.line, pos.character)
        if parent is not None:
            return ls.location(parent, None, {}, current)
        span = declaration(analysis, last, line, pos.character)
        if span is None:
            return None
        policy = (analysis.policy or (last.policy if last else None)) or analysis.parsed
        sources = {**(policy.sources if policy else {}), analysis.file: analysis.text}
        return ls.location(span.file, span, sources, current)

    format_text = _formatter()
    if format_text is not None:

        @server.feature(types.TEXT_DOCUMENT_FORMATTING)
        @_safe
        def formatting(ls: AccordLanguageServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
            doc = ls.workspace.get_text_document(params.text_document.uri)
            try:
                new = format_text(doc.source, ls.file_of(params.text_document.uri))
            except AccordError:
                return None  # text that does not parse is left alone; its diagnostics say why
            if new == doc.source:
                return []
            lines = doc.source.splitlines(keepends=True)
            end = types.Position(len(lines), 0)
            return [types.TextEdit(range=types.Range(types.Position(0, 0), end), new_text=new)]

    return server


def serve(tcp: tuple[str, int] | None = None) -> None:
    """Run the server on stdio (the editor starts it) or on TCP (`HOST`, `PORT`) until the client exits."""
    logging.basicConfig(level=logging.WARNING, format="accord lsp: %(levelname)s %(name)s: %(message)s")
    server = build_server()
    if tcp is None:
        server.start_io()
    else:
        server.start_tcp(*tcp)

