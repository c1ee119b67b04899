"""The language server (`accord lsp`): the checker's view of a policy, in the author's editor.

In: Language Server Protocol messages over stdio (or TCP). Out: diagnostics as the author types
(parse -> layer -> check of the document's unsaved text, every error and warning with its range
and code), hover (facts, evidence kinds, functions, roles, parameters with the layer that sets
them, definitions), completion (facts after `person.`, roles, parameters, choice values, the
grammar's keywords), go to definition (across `extends`, resolved by `load.read_extended`, as the
loader does) and formatting through `accord.fmt` where that module exists.

Built on pygls 2 (`pip install 'accord[lsp]'`). The answers are computed from text with the same
stages the loader runs; completion and hover read the document's last text that parsed, because
the text being typed (`person.`) rarely parses. A handler that fails logs the error and answers
nothing: an editor's server must not die on one bad request.
"""

from __future__ import annotations

import functools
import importlib
import importlib.resources
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from . import ast
from .check import BUILTINS, check
from .ir import CheckedPolicy
from .model import PLACE_KINDS
from .errors import AccordError, Diagnostic, Span
from .layers import merge
from .load import read_extended
from .parse import parse
from .registry import Registry, default_registry
from .schema import EVIDENCE_FIELDS
from .values import NUMBER, Choice, Scale, SetOf, Type

log = logging.getLogger("accord.lsp")

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_BUILTIN_DOCS = {
    "count": "`count(LIST)`: how many items a list of evidence (or a set) has",
    "hours": "`hours(LIST)`: the total hours of a list of evidence",
    "sum": "`sum(LIST, FIELD)`: the total of one field over a list of evidence",
    "latest": "`latest(LIST)`: the most recent item of a list of evidence",
    "round": "`round(X)`: a number or amount to the nearest whole one (halves away from zero), in its unit",
    "floor": "`floor(X)`: a number or amount down to a whole one, in its unit",
    "ceil": "`ceil(X)`: a number or amount up to a whole one, in its unit",
    "min": "`min(A, B, ...)`: the smallest of two or more values of one unit (numbers, amounts, dates, levels)",
    "max": "`max(A, B, ...)`: the largest of two or more values of one unit (numbers, amounts, dates, levels)",
}


@functools.cache
def keywords() -> tuple[str, ...]:
    """Every keyword of the grammar, read from `grammars/accord.lark` so the two cannot drift."""
    grammar = importlib.resources.files("accord.grammars").joinpath("accord.lark").read_text("utf-8")
    code = "\n".join(line.split("//")[0] for line in grammar.splitlines())
    return tuple(sorted(set(re.findall(r'"([a-z]+)"', code))))


# --------------------------------------------------------------------------- analysis (no protocol)


@attrs.frozen
class Analysis:
    """What the pipeline made of one text: its problems, and each stage's result that it reached."""

    file: str
    text: str
    diagnostics: tuple[Diagnostic, ...]
    parsed: ast.Policy | None = None
    merged: ast.Policy | None = None
    checked: CheckedPolicy | None = None

    @property
    def policy(self) -> ast.Policy | None:
        """The most complete policy there is: merged with its parents, else this file alone."""
        return self.merged or self.parsed


def analyse(text: str, file: str, registry: Registry) -> Analysis:
    """Parse, merge layers and check `text` as the file `file`, keeping what each stage produced."""
    try:
        parsed = parse(text, file)
    except AccordError as exc:
        return Analysis(file, text, exc.diagnostics)
    try:
        merged = merge(parsed, read_extended, parse)
    except AccordError as exc:
        return Analysis(file, text, exc.diagnostics, parsed)
    try:
        checked = check(merged, registry)
    except AccordError as exc:
        return Analysis(file, text, exc.diagnostics, parsed, merged)
    return Analysis(file, text, checked.warnings, parsed, merged, checked)


def word_at(line: str, character: int) -> tuple[str, int, int] | None:
    """The name under (or just before) the cursor: (word, start, end), columns 0-based."""
    for m in _WORD.finditer(line):
        if m.start() <= character <= m.end():
            return m.group(), m.start(), m.end()
    return None


def span_text(sources: dict[str, str], start: Span, end: Span | None = None) -> str:
    """The source text from `start` to the end of `end` (or of `start`), lines joined by spaces."""
    end = end or start
    lines = sources.get(start.file, "").splitlines()
    if not lines or start.line < 1 or end.end_line < start.line:
        return ""
    if end.end_line == start.line:
        return lines[start.line - 1][start.column - 1 : end.end_column - 1]
    parts = [lines[start.line - 1][start.column - 1 :], *lines[start.line : end.end_line - 1], lines[end.end_line - 1][: end.end_column - 1]]
    return " ".join(p.strip() for p in parts)


def _where(span: Span | None) -> str:
    return f"{Path(span.file).name}:{span.line}" if span else "?"


def _layer(policy: ast.Policy, file: str) -> str:
    name = next((h.name for h in policy.layers if h.span is not None and h.span.file == file), None)
    return f' (layer "{name}")' if name else ""


def _choice_types(registry: Registry) -> list[Choice | Scale]:
    return [*registry.schema.choices().values(), *registry.schema.scales().values()]


def _values(t: Type | None) -> tuple[str, ...]:
    while isinstance(t, SetOf):
        t = t.element
    if isinstance(t, Choice):
        return t.values
    if isinstance(t, Scale):
        return t.levels
    return ()


def _programme_roles(policy: ast.Policy | None, registry: Registry) -> dict[str, str]:
    prog = registry.schema.programmes.get(policy.header.programme or "") if policy else None
    return {r.name: r.description for r in prog.roles} if prog else {}


def _plugin(registry: Registry, kind: str, name: str) -> str:
    plugin = registry.declared_by(kind, name)
    return f"\n\ndeclared by plugin `{plugin}`" if plugin else ""


def _person_like(subject: str, policy: ast.Policy | None, registry: Registry) -> bool:
    """Whether `subject.` reads a person: `person`, a relationship end, a pair's role names."""
    pair_names = {n for p in policy.pairs for n in (p.first, p.second)} if policy else set()
    return subject == "person" or subject in registry.schema.ends() or subject in pair_names


def _bound_to(subject: str, text: str) -> str | None:
    """What a quantifier variable runs over: `every m in person.mentee` -> `person.mentee`."""
    found = re.findall(rf"\b(?:every|any)\s+{re.escape(subject)}\s+in\s+(evidence\s+\w+|[\w.]+)", text)
    return found[-1] if found else None


def _field_kind(subject: str, text: str, policy: ast.Policy | None, registry: Registry) -> str:
    """What `subject.` is: "person", "place", "evidence KIND" or "" (cannot tell)."""
    if _person_like(subject, policy, registry):
        return "person"
    if subject == "place" or subject in PLACE_KINDS:
        return "place"
    bound = _bound_to(subject, text)
    if bound is None:
        return ""
    if bound.startswith("evidence"):
        return "evidence " + bound.split()[-1]
    last = bound.split(".")[-1]
    return "person" if last in registry.schema.ends() or _person_like(last, policy, registry) else ""


def hover_text(analysis: Analysis, last: Analysis | None, line: str, character: int, registry: Registry) -> str | None:
    """Markdown for the name under the cursor, or None when it names nothing Accord knows."""
    found = word_at(line, character)
    if found is None:
        return None
    word, start, end = found
    policy = analysis.policy or (last.policy if last else None)
    schema = registry.schema
    before, after = line[:start].rstrip(), line[end:].lstrip()
    if before.endswith("."):
        subject = word_at(before, len(before) - 1)
        kind = _field_kind(subject[0], analysis.text, policy, registry) if subject else ""
        if kind in ("person", "") and word in schema.facts:
            spec = schema.facts[word]
            derived = "\n\nderived by the plugin from other facts" if spec.derive else ""
            return f"**fact** `{spec.about}.{word}`: {spec.type.describe()}\n\n{spec.description}{derived}{_plugin(registry, 'fact', word)}"
        fields = dict(EVIDENCE_FIELDS)
        if kind.startswith("evidence "):
            ev = schema.evidence.get(kind.split()[1])
            fields.update(ev.fields if ev else {})
        else:
            for ev in schema.evidence.values():
                fields.update(ev.fields)
        if word in fields:
            return f"**evidence field** `{word}`: {fields[word].describe()}"
        if word in schema.ends():
            kinds = ", ".join(k.name for k in schema.ends()[word])
            return f"**relationship end** `{word}`: the people at this end of a {kinds} relationship"
    if before.endswith("evidence") or before.endswith("record") or before.endswith("override record"):
        if word in schema.evidence:
            ev = schema.evidence[word]
            fields = "\n".join(f"- `{n}`: {t.describe()}" for n, t in ev.fields.items())
            return f"**evidence kind** `{word}`\n\n{ev.description}\n\n{fields}{_plugin(registry, 'evidence kind', word)}".rstrip()
    if after.startswith("("):
        if word in BUILTINS:
            return f"**built-in** {_BUILTIN_DOCS.get(word, f'`{word}`')}"
        if word in schema.functions:
            fn = schema.functions[word]
            params = ", ".join(p.describe() for p in fn.params)
            return f"**function** `{word}`({params}) -> {fn.returns.describe()}\n\n{fn.description}{_plugin(registry, 'function', word)}"
    if policy is not None:
        text = _hover_declared(word, policy, analysis.checked)
        if text:
            return text
    roles = _programme_roles(policy, registry)
    if word in roles:
        return f"**role** `{word}`\n\n{roles[word]}"
    if word in schema.constants:
        c = schema.constants[word]
        return f"**constant** `{word}`: {c.type.describe()}\n\n{c.description}{_plugin(registry, 'constant', word)}"
    owners = [t for t in _choice_types(registry) if word in _values(t)]
    if owners:
        return f"**value** `{word}` of " + "; ".join(t.describe() for t in owners)
    if word in schema.evidence:
        return f"**evidence kind** `{word}`\n\n{schema.evidence[word].description}"
    if word in schema.ends():
        kinds = ", ".join(k.name for k in schema.ends()[word])
        return f"**relationship end** `{word}` of {kinds}"
    if word in schema.programmes:
        prog = schema.programmes[word]
        return f"**programme** `{word}`: {prog.title}\n\n{prog.description}"
    return None


def _hover_declared(word: str, policy: ast.Policy, checked: CheckedPolicy | None) -> str | None:
    """Hover for what the policy itself declares: a parameter, a definition or a role."""
    sources = policy.sources or {policy.file: policy.text}
    param = next((p for p in policy.parameters if p.name == word), None)
    if param is not None:
        checked_param = checked.parameters.get(word) if checked else None
        type_text = checked_param.type.describe() if checked_param else " ".join(param.type_words) or "inferred from its value"
        value = span_text(sources, param.value.span) if param.value is not None and param.value.span else "none"
        right = f" may {param.right}" if param.right else " (fixed)"
        chain = [f"- declared in {_where(param.span)}{_layer(policy, param.span.file)}: `{value}`{right}"]
        for s in policy.sets:
            if s.name == word:
                set_value = span_text(sources, s.value.span) if s.value is not None and s.value.span else "none"
                chain.append(f"- set in {_where(s.span)}{_layer(policy, s.span.file)}: `{set_value}`")
                value = set_value
        return f"**parameter** `{word}`: {type_text} = `{value}`\n\n" + "\n".join(chain)
    define = next((d for d in policy.defines if d.name == word), None)
    if define is not None:
        body = span_text(sources, define.body.span) if define.body.span else "..."
        params = f"({', '.join(define.params)})" if define.params else ""
        return f"**definition** in {_where(define.span)}{_layer(policy, define.span.file)}\n\n```accord\ndefine {word}{params} = {body}\n```"
    role = next((r for r in policy.roles if r.name == word), None)
    if role is not None:
        lines = [f"**role** `{word}`, declared in {_where(role.span)}{_layer(policy, role.span.file)}"]
        for rule in (*role.requirements, *role.exceptions):
            verb = "require" if isinstance(rule, ast.Requirement) else f"except ({rule.effect})"
            added = f", added by {_where(rule.span)}" if rule.span and rule.span.file != role.span.file else ""
            lines.append(f"- {verb} \"{rule.label}\"{added}")
        return "\n".join(lines)
    return None


@attrs.frozen
class Completion:
    """One completion: the text, what kind of name it is, a short detail and its documentation."""

    label: str
    kind: str
    detail: str = ""
    doc: str = ""


def completions(analysis: Analysis, last: Analysis | None, prefix: str, registry: Registry) -> list[Completion]:
    """What may come next after `prefix` (the line up to the cursor)."""
    policy = analysis.policy or (last.policy if last else None)
    schema = registry.schema
    m = re.search(r"(\w+)\.(\w*)$", prefix)
    if m:
        kind = _field_kind(m.group(1), analysis.text, policy, registry)
        out: list[Completion] = []
        if kind in ("person", ""):
            out += [Completion(n, "fact", f.type.describe(), f.description) for n, f in schema.facts.items() if f.about == "person"]
        if kind == "person":
            out += [Completion(n, "field", "text") for n in ("id", "name")]
            out += [Completion(n, "field", "the people at this end of a relationship") for n in schema.ends()]
            out += [Completion(n, "field", "a place above the person") for n in ("place", *PLACE_KINDS)]
        if kind == "place":
            out += [Completion(n, "field", "a place field") for n in ("id", "name", "kind", *PLACE_KINDS)]
        if kind.startswith("evidence ") or kind == "":
            fields = dict(EVIDENCE_FIELDS)
            ev = schema.evidence.get(kind.split()[1]) if kind.startswith("evidence ") else None
            for e in [ev] if ev else ([] if kind else schema.evidence.values()):
                fields.update(e.fields)
            out += [Completion(n, "field", t.describe()) for n, t in fields.items()]
        return out
    if re.search(r"\bevidence\s+\w*$", prefix) or re.search(r"^\s*(?:override\s+)?record\s+\w*$", prefix):
        return [Completion(n, "evidence", "evidence kind", e.description) for n, e in schema.evidence.items()]
    if re.search(r"^\s*programme\s+\w*$", prefix):
        return [Completion(n, "programme", p.title, p.description) for n, p in schema.programmes.items()]
    values = _values_here(prefix, policy, analysis.checked or (last.checked if last else None), registry)
    if values:
        return [Completion(v, "value", t) for v, t in values]
    roles = _roles(policy, registry)
    if re.search(r"(?:\b(?:role|pair|to|for)\s+|,\s*)\w*$", prefix) and not re.search(r"[:=]", prefix):
        return [Completion(n, "role", "role", doc) for n, doc in roles.items()]
    if re.search(r"^\s*set\s+\w*$", prefix):
        return [Completion(p.name, "parameter", " ".join(p.type_words)) for p in (policy.parameters if policy else ())]
    out = [Completion(k, "keyword") for k in keywords()]
    if policy is not None:
        out += [Completion(p.name, "parameter", " ".join(p.type_words)) for p in policy.parameters]
        out += [Completion(d.name, "definition") for d in policy.defines]
    out += [Completion(n, "role", "role", doc) for n, doc in roles.items()]
    out += [Completion(n, "function", f.returns.describe(), f.description) for n, f in schema.functions.items() if n not in BUILTINS]
    out += [Completion(n, "function", "built-in", _BUILTIN_DOCS.get(n, "")) for n in BUILTINS]
    out += [Completion(n, "constant", c.type.describe(), c.description) for n, c in schema.constants.items()]
    out += [Completion(v, "value", t.describe()) for t in _choice_types(registry) for v in _values(t)]
    out.append(Completion("person", "variable", "the person the rule is about"))
    return out


def _roles(policy: ast.Policy | None, registry: Registry) -> dict[str, str]:
    roles = _programme_roles(policy, registry)
    for r in policy.roles if policy else ():
        roles.setdefault(r.name, "")
    return roles


def _values_here(prefix: str, policy: ast.Policy | None, checked: CheckedPolicy | None, registry: Registry) -> list[tuple[str, str]] | None:
    """The choice or scale values that fit after `prefix`, when it compares something with one; None when it does not."""
    m = re.search(r"(?:(\w+)\.)?(\w+)\s*(?:!=|<=|>=|=|<|>|\bnot\s+in|\bin)\s*(?:\{[\w\s,]*)?\w*$", prefix)
    if m is None:
        return None
    subject, name = m.group(1), m.group(2)
    t: Type | None = None
    if subject is not None and name in registry.schema.facts:
        t = registry.schema.facts[name].type
    elif checked is not None and name in checked.parameters:
        t = checked.parameters[name].type
    elif policy is not None and any(p.name == name and p.type_words for p in policy.parameters):
        words = next(p.type_words for p in policy.parameters if p.name == name and p.type_words)
        t = next((c for c in _choice_types(registry) if c.name == words[-1]), NUMBER)  # a unit or currency
    if t is None:  # cannot tell what is compared: every value of every choice and scale
        return [(v, c.describe()) for c in _choice_types(registry) for v in _values(c)]
    return [(v, t.describe()) for v in _values(t)]  # none when it is not a choice or scale


def declaration(analysis: Analysis, last: Analysis | None, line: str, character: int) -> Span | None:
    """Where the parameter, definition or role under the cursor is declared (in any layer)."""
    found = word_at(line, character)
    policy = analysis.policy or (last.policy if last else None)
    if found is None or policy is None:
        return None
    word, start, _ = found
    if line[:start].rstrip().endswith("."):
        return None  # a fact: declared by a plugin, in Python
    for p in policy.parameters:
        if p.name == word:
            return p.span
    for d in policy.defines:
        if d.name == word:
            return d.span
    for r in policy.roles:
        if r.name == word:
            return r.span
    return None


def _extends_target(analysis: Analysis, line_no: int, character: int) -> str | None:
    """The parent's file when the cursor is on the name in `extends "..."`."""
    h = analysis.parsed.header if analysis.parsed else None
    s = h.extends_span if h else None
    if h is None or s is None or h.extends is None or s.line - 1 != line_no or not s.column - 1 <= character <= s.end_column - 1:
        return None
    try:
        return read_extended(h.extends, analysis.file)[0]
    except AccordError:
        return None


# --------------------------------------------------------------------------- the protocol


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
        parent = _extends_target(analysis, pos.line, pos.character)
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

