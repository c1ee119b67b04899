"""Layering: merge a policy that `extends` another onto its parent, under the parent's rights.

This stage runs between parse and check. A child may `set` a parameter its parent declares
`may raise`, `may lower` or `may change` (the bounds are checked with the values, in the
checker), `override` a rule its parent marks `may change`, and `extend` a role with more
requirements or denials (never a grant: an extension can only make a role stricter). Anything
else is an error naming both files. Each merged item keeps its span, so every rule and value
still says which layer (file) supplied it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from . import ast
from .errors import Diagnostic, PolicyError, caret_snippet, suggest

#: read a policy that another extends: (name as written, the child's file) -> (file, text)
Reader = Callable[[str, str], tuple[str, str]]


def _key(item: object) -> tuple[str, str]:
    if isinstance(item, ast.Role):
        return ("role", item.name)
    if isinstance(item, ast.Record):
        return ("record", item.kind)
    if isinstance(item, ast.Incentive):
        return ("incentive", item.label)
    if isinstance(item, ast.Commitment):
        return ("commitment", item.label)
    assert isinstance(item, ast.Pair)
    return ("pair", f"{item.first}, {item.second}")


_TABLES = {"role": "roles", "record": "records", "incentive": "incentives", "commitment": "commitments", "pair": "pairs"}


def _layered_record(parent: ast.Record, child: ast.Record, error: Callable[..., None]) -> ast.Record:
    """A child's `override record`: it replaces the parent's clauses where the parent says `may
    widen` (or `may change`); otherwise it narrows them: the parent's record stays a floor that
    a viewer must pass too, and naming a viewer the parent never lets see the content is P161."""
    if parent.right in ("widen", "change"):
        return attrs.evolve(child, floor=parent.floor)  # the grandparent's floor, if any, still holds
    content = {n for v in parent.visible if not v.counts_only for n in v.viewers} | {n for r in parent.reveals for n in r.viewers}
    counts = content | {n for v in parent.visible if v.counts_only for n in v.viewers}
    for clause in (*child.visible, *child.reveals):
        allowed = counts if getattr(clause, "counts_only", False) else content
        for name in clause.viewers:
            if name not in allowed:
                what = "counts of" if getattr(clause, "counts_only", False) else "the content of"
                error(
                    "P161",
                    f"`{name}` may not see {what} `{parent.kind}` records under the policy this one extends "
                    f"({parent.span.file}:{parent.span.line}): a layer may narrow who sees a record, never widen it",
                    clause.span or child.span,
                    f"the parent would have to declare `record {parent.kind} may widen`",
                )
    return attrs.evolve(child, floor=parent)


def _replaced(
    requirements: tuple[ast.Requirement, ...], ext: ast.Extend, what: str, error: Callable[..., None]
) -> tuple[ast.Requirement, ...]:
    """The parent's requirements with the extension's `replace "label": ...` put in, where the
    parent marks the requirement `may change` (P284 no such label, P285 not replaceable)."""
    out = list(requirements)
    for rep in ext.replacements:
        at = next((i for i, r in enumerate(out) if r.label == rep.label), None)
        if at is None:
            hint = suggest(rep.label, [r.label for r in out])
            error("P284", f"{what} has no requirement \"{rep.label}\" to replace", rep.span, f'did you mean "{hint}"?' if hint else "`replace` names a requirement of the parent by its label")
            continue
        original = out[at]
        if original.right != "change":
            error(
                "P285",
                f"requirement \"{rep.label}\" of {what} is fixed by {original.span.file}:{original.span.line}; a layer cannot replace it",
                rep.span,
                f'the parent would have to write `require "{rep.label}" may change: ...`; or add a stricter requirement of your own',
            )
            continue
        # the replacement keeps the parent's citation unless it gives its own, and stays replaceable below
        out[at] = ast.Requirement(rep.label, rep.source or original.source, rep.condition, span=rep.span, right=original.right)
    return tuple(out)


def _extend_pair(ext: ast.Extend, pairs: dict[tuple[str, str], object], parent_file: str, error: Callable[..., None]) -> None:
    """`extend pair a, b`: more requirements and preferences for the parent's pair rules, and replacements."""
    pair = ext.role
    assert isinstance(pair, ast.Pair)
    key = ("pair", f"{pair.first}, {pair.second}")
    original = pairs.get(key)
    if not isinstance(original, ast.Pair):
        hint = suggest(key[1], [k[1] for k in pairs])
        error("P121", f"the parent policy ({parent_file}) has no pair `{key[1]}` to extend", ext.span, f"did you mean `{hint}`?" if hint else None)
        return
    pairs[key] = attrs.evolve(
        original,
        requirements=_replaced(original.requirements, ext, f"pair `{key[1]}`", error) + pair.requirements,
        preferences=original.preferences + pair.preferences,
    )


def merge(child: ast.Policy, read: Reader, parse: Callable[[str, str], ast.Policy], _seen: tuple[str, ...] = ()) -> ast.Policy:
    """The policy `child` means once its parents are merged in (itself if it extends nothing)."""
    h = child.header
    if h.extends is None:
        return attrs.evolve(child, sources={child.file: child.text}, layers=(h,))
    diags: list[Diagnostic] = []

    def error(code: str, message: str, span: object, hint: str | None = None) -> None:
        diags.append(Diagnostic(code, message, span, hint))  # type: ignore[arg-type]

    if child.file in _seen:
        chain = " -> ".join([*_seen, child.file])
        snippet = caret_snippet(child.text, h.extends_span) if h.extends_span else None
        raise PolicyError([Diagnostic("P126", f"policies extend each other in a circle: {chain}", h.extends_span, snippet=snippet)])
    try:
        parent_file, parent_text = read(h.extends, child.file)
    except PolicyError as exc:  # locate it at the `extends` that asked
        span = h.extends_span
        snippet = caret_snippet(child.text, span) if span else None
        raise PolicyError([d if d.span else attrs.evolve(d, span=span, snippet=snippet) for d in exc.diagnostics]) from None
    parent = merge(parse(parent_text, parent_file), read, parse, (*_seen, child.file))
    ph = parent.header
    if h.programme is not None and ph.programme is not None and h.programme != ph.programme:
        error("P122", f"this policy is for programme `{h.programme}` but extends a `{ph.programme}` policy ({parent_file})", h.programme_span)
    tables: dict[str, dict[tuple[str, str], object]] = {
        name: {_key(i): i for i in getattr(parent, name)} for name in _TABLES.values()
    }
    parent_params = {p.name: p for p in parent.parameters}
    for item in (*child.roles, *child.records, *child.incentives, *child.commitments, *child.pairs):
        key = _key(item)
        table = tables[_TABLES[key[0]]]
        if key[0] == "record" and key not in table:
            error(
                "P160",
                f"record `{key[1]}` is kept from every viewer by the policy this one extends ({parent_file}): "
                "a layer may narrow who sees a record, never open one its parent keeps closed",
                item.span,
                f"the parent would have to declare `record {key[1]} may widen` to let the layers below it decide",
            )
            continue
        if key in table:
            where = table[key].span  # type: ignore[attr-defined]
            error(
                "P124",
                f"{key[0]} `{key[1]}` is already declared by {where}",
                item.span,
                f"write `override {key[0]} ...` to replace it (if the parent allows), or `extend role {key[1]}` to add requirements"
                if key[0] == "role"
                else f"write `override {key[0]} ...` to replace it, if the parent allows",
            )
        table[key] = item
    for ov in child.overrides:
        key = _key(ov.item)
        table = tables[_TABLES[key[0]]]
        original = table.get(key)
        if original is None:
            hint = suggest(key[1], [k[1] for k in table])
            error("P121", f"the parent policy ({parent_file}) has no {key[0]} `{key[1]}` to override", ov.span, f"did you mean `{hint}`?" if hint else None)
            continue
        if isinstance(original, ast.Record):
            table[key] = _layered_record(original, ov.item, error)  # type: ignore[arg-type]
            continue
        if getattr(original, "right", None) != "change":
            error(
                "P123",
                f"{key[0]} `{key[1]}` is fixed by {original.span.file}:{original.span.line}; {child.file} cannot override it",  # type: ignore[attr-defined]
                ov.span,
                "the parent would have to declare it `may change`",
            )
            continue
        table[key] = ov.item
    for ext in child.extends:
        if isinstance(ext.role, ast.Pair):
            _extend_pair(ext, tables["pairs"], parent_file, error)
            continue
        key = ("role", ext.role.name)
        original = tables["roles"].get(key)
        if not isinstance(original, ast.Role):
            hint = suggest(ext.role.name, [k[1] for k in tables["roles"]])
            error("P121", f"the parent policy ({parent_file}) has no role `{ext.role.name}` to extend", ext.span, f"did you mean `{hint}`?" if hint else None)
            continue
        for exc in ext.role.exceptions:
            if exc.effect == "grants":
                error("P125", f"an extension cannot add the granting exception \"{exc.label}\": it would loosen role `{ext.role.name}` of {original.span.file}:{original.span.line}", exc.span, "an extension may add requirements and `denies` exceptions only")
        tables["roles"][key] = attrs.evolve(
            original,
            requirements=_replaced(original.requirements, ext, f"role `{ext.role.name}`", error) + ext.role.requirements,
            exceptions=original.exceptions + tuple(e for e in ext.role.exceptions if e.effect == "denies"),
        )
    for param in child.parameters:
        if param.name in parent_params:
            where = parent_params[param.name].span
            error("P124", f"parameter `{param.name}` is already declared by {where}", param.span, f"write `set {param.name} = ...` to give it this policy's value")
    for define in child.defines:
        if any(d.name == define.name for d in parent.defines):
            error("P113", f"`{define.name}` is already defined by the parent policy", define.span)
    if diags:
        sources = {**parent.sources, child.file: child.text}
        raise PolicyError([attrs.evolve(d, snippet=caret_snippet(sources.get(d.span.file, ""), d.span)) if d.span else d for d in diags])
    header = attrs.evolve(
        h,
        programme=h.programme or ph.programme,
        effective_from=h.effective_from or ph.effective_from,
        effective_to=h.effective_to or ph.effective_to,
    )
    return attrs.evolve(
        child,
        header=header,
        defines=parent.defines + child.defines,
        parameters=parent.parameters + child.parameters,
        sets=parent.sets + child.sets,
        overrides=(),
        extends=(),
        sources={**parent.sources, child.file: child.text},
        layers=(*parent.layers, h),
        **{name: tuple(table.values()) for name, table in tables.items()},  # type: ignore[arg-type]
    )
