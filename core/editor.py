"""What an editor asks of a policy, without the protocol: hover, completion, go to definition.

In: a document's text (and its last text that parsed), a cursor. Out: the stages' view of the text
(`analyse`: parse -> layer -> check, keeping what each stage reached), markdown for the name under
the cursor (`hover_text`), what may come next (`completions`) and where a name is declared
(`declaration`). `accord.lsp` speaks the Language Server Protocol around these; another editor
integration could call them directly. Completion and hover read the last text that parsed,
because the text being typed (`person.`) rarely parses.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from pathlib import Path

import attrs

from . import ast
from .check import BUILTINS, check
from .errors import AccordError, Diagnostic, Span
from .ir import CheckedPolicy
from .layers import merge
from .load import read_extended
from .model import PLACE_KINDS
from .parse import parse
from .registry import Registry
from .schema import EVIDENCE_FIELDS
from .values import NUMBER, Choice, Scale, SetOf, Type

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

@functools.cache
def keywords() -> tuple[str, ...]:
    """Every keyword of the grammar, read from `grammars/accord.lark` so the two cannot drift."""
    grammar = importlib.resources.files("accord.grammars").joinpath("accord.lark").read_text("utf-8")
    code = "\n".join(line.split("//")[0] for line in grammar.splitlines())
    return tuple(sorted(set(re.findall(r'"([a-z]+)"', code))))


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
            return f"**built-in** `{word}`: {schema.functions[word].description}"
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
    out += [Completion(n, "function", "built-in", schema.functions[n].description) for n in BUILTINS]
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


def extends_target(analysis: Analysis, line_no: int, character: int) -> str | None:
    """The parent's file when the cursor is on the name in `extends "..."`."""
    h = analysis.parsed.header if analysis.parsed else None
    s = h.extends_span if h else None
    if h is None or s is None or h.extends is None or s.line - 1 != line_no or not s.column - 1 <= character <= s.end_column - 1:
        return None
    try:
        return read_extended(h.extends, analysis.file)[0]
    except AccordError:
        return None
