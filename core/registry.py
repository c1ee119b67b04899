"""Load programme plugins, validate what they declare, and merge it into one `Schema`.

Built-in programmes and third-party ones load through the same entry-point group,
`accord.programmes`. Each plugin is validated when it registers: a declaration of the wrong shape,
or a name another plugin declared differently, is a `PluginError` naming both plugins.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import importlib.resources
import keyword
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import attrs
import pluggy

from . import builtins, hookspecs
from .errors import Diagnostic, PluginError, PolicyError, UsageError, suggest
from .schema import (
    EVIDENCE_FIELDS,
    Constant,
    EvidenceKind,
    FactSpec,
    Function,
    Programme,
    RelationshipKind,
    Schema,
)
from .values import Type

ENTRY_POINT_GROUP = "accord.programmes"
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class Registry:
    """The registered plugins and the merged schema of everything they declare."""

    def __init__(self, plugins: Iterable[object] = (), *, entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        # the built-in functions first, through the hook every plugin uses: their names stay theirs
        self.pm.register(builtins, name=builtins.PLUGIN_NAME)
        if entry_points:
            _load_entry_points(self.pm, ENTRY_POINT_GROUP)
        for plugin in plugins:
            if not self.pm.is_registered(plugin):  # an installed plugin passed again is the same plugin
                self.pm.register(plugin)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin `{self._name(exc.plugin)}`: {exc}") from None
        self._owners: dict[tuple[str, str], str] = {}
        self.schema = self._merge()
        self._places: dict[str, dict[str, str]] = {}
        self._versions: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}

    def _name(self, plugin: object) -> str:
        return self.pm.get_name(plugin) or getattr(plugin, "__name__", repr(plugin))

    def collect(self, hook: str) -> list[tuple[str, Any]]:
        """Each declaration a registration hook (`accord_functions`, ...) returns, with the name of the plugin that made it."""
        out = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            result = impl.function()
            if result is None:
                continue
            plugin = self._name(impl.plugin)
            for item in result:
                out.append((plugin, item))
        return out

    def _merge(self) -> Schema:
        problems: list[str] = []
        owners = self._owners

        def add(table: dict[str, Any], kind: str, cls: type, plugin: str, item: Any) -> None:
            if not isinstance(item, cls):
                problems.append(f"plugin `{plugin}`: {kind} declarations must be {cls.__name__}, got {item!r}")
                return
            name = item.name
            if not _NAME.match(name) or keyword.iskeyword(name):
                problems.append(f"plugin `{plugin}`: {kind} name `{name}` must be lowercase letters, digits and _")
                return
            if name in table:
                merged = _compatible(table[name], item)
                if merged is None:
                    other = owners[(kind, name)]
                    problems.append(f"plugin `{plugin}`: {kind} `{name}` is already declared differently by `{other}`")
                else:
                    table[name] = merged
                return
            owners[(kind, name)] = plugin
            table[name] = item

        def table(hook: str, kind: str, cls: type) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for plugin, item in self.collect(hook):
                add(out, kind, cls, plugin, item)
            return out

        programmes: dict[str, Programme] = table("accord_programmes", "programme", Programme)
        for name, prog in list(programmes.items()):
            programmes[name] = _with_plugin(prog, owners[("programme", name)])
        facts: dict[str, FactSpec] = table("accord_facts", "fact", FactSpec)
        relationships: dict[str, RelationshipKind] = table("accord_relationship_kinds", "relationship kind", RelationshipKind)
        evidence: dict[str, EvidenceKind] = table("accord_evidence_kinds", "evidence kind", EvidenceKind)
        functions: dict[str, Function] = table("accord_functions", "function", Function)
        constants: dict[str, Constant] = table("accord_constants", "constant", Constant)

        for kind in relationships.values():
            if len(kind.ends) != 2 or kind.ends[0] == kind.ends[1]:
                problems.append(f"relationship kind `{kind.name}` needs two different end names")
        for ev in evidence.values():
            for field, t in ev.fields.items():
                if field in EVIDENCE_FIELDS:
                    problems.append(f"evidence kind `{ev.name}` redeclares the standard field `{field}`")
                if not isinstance(t, Type):
                    problems.append(f"evidence kind `{ev.name}` field `{field}` has no Accord type")
        for fn in functions.values():
            if not callable(fn.impl) or not all(isinstance(p, Type) for p in fn.params):
                problems.append(f"function `{fn.name}` needs a callable and Accord types for its parameters")
        for fact in facts.values():
            if not isinstance(fact.type, Type):
                problems.append(f"fact `{fact.name}` has no Accord type")
            if fact.about not in ("person", "place") or (fact.about == "place" and fact.derive is not None):
                problems.append(f"fact `{fact.name}` must be about a person or a place (a place fact is recorded, not derived)")
        schema = Schema(programmes, facts, relationships, evidence, functions, constants)
        named: dict[str, Type] = {}
        for t in _named_types(schema):
            other = named.setdefault(t.name, t)  # type: ignore[attr-defined]
            if other != t:
                problems.append(f"two plugins declare `{t.name}` differently: {other.describe()} and {t.describe()}")  # type: ignore[attr-defined]
        if problems:
            raise PluginError([Diagnostic("G001", p) for p in problems])
        return schema

    # ----------------------------------------------------------------------- lookups

    def declared_by(self, kind: str, name: str) -> str | None:
        """The plugin that first declared `name` as a `kind` ("fact", "function", "evidence kind", ...)."""
        return self._owners.get((kind, name))

    def query_programme(self, name: str) -> Programme | None:
        """The programme called `name`, or None."""
        return self.schema.programmes.get(name)

    def get_programme(self, name: str) -> Programme:
        """The programme called `name`; raises `UsageError` naming the programmes there are."""
        prog = self.query_programme(name)
        if prog is None:
            known = ", ".join(sorted(self.schema.programmes)) or "none"
            hint = suggest(name, self.schema.programmes)
            more = f"; did you mean `{hint}`?" if hint else ""
            raise UsageError(f"no programme `{name}` is installed (installed: {known}){more}")
        return prog

    def programme_policy(self, name: str, as_of: dt.date | None = None) -> tuple[str, str]:
        """The default policy of a programme: (display path, text). A programme with several
        versions gives the one in force on `as_of` (default today)."""
        prog = self.get_programme(name)
        if prog.policy is None:
            raise UsageError(f"programme `{name}` ships no default policy; pass --policy FILE")
        if not prog.versions:
            return self._read_rules(prog, prog.policy)
        periods = self.policy_versions(name)
        day = as_of or dt.date.today()
        for path, first, last in periods:
            if (first is None or first <= day) and (last is None or day <= last):
                return self._read_rules(prog, path)
        listed = "; ".join(f"{prog.shown_path(p)} {_period(f, t)}" for p, f, t in periods)
        raise UsageError(f"programme `{name}` has no policy version in force on {day.isoformat()} (versions: {listed}); ask with --as-of a date in one of them")

    def policy_versions(self, name: str) -> list[tuple[str, dt.date | None, dt.date | None]]:
        """A programme's policy versions with their effective periods, earliest first; versions
        whose periods overlap are a `PolicyError` (P242) at the later one's header."""
        if name not in self._versions:
            from .parse import parse

            prog = self.get_programme(name)
            found = []
            for path in (prog.policy, *prog.versions):
                assert path is not None
                file, text = self._read_rules(prog, path)
                header = parse(text, file).header
                found.append((path, header.effective_from, header.effective_to, header.span))
            found.sort(key=lambda v: v[1] or dt.date.min)
            for (p1, _f1, t1, _s1), (p2, f2, t2, s2) in zip(found, found[1:]):
                if t1 is None or f2 is None or f2 <= t1:
                    raise PolicyError([Diagnostic(
                        "P242",
                        f"policy versions of programme `{name}` overlap: {prog.shown_path(p2)} is in force {_period(f2, t2)}, "
                        f"but {prog.shown_path(p1)} is still in force then ({_period(_f1, t1)})",
                        s2, "give each version an `effective FROM to TO` period that ends before the next one starts",
                    )])
            self._versions[name] = [(p, f, t) for p, f, t, _ in found]
        return self._versions[name]

    @staticmethod
    def _read_rules(prog: Programme, path: str) -> tuple[str, str]:
        """(display path, text) of a policy a programme ships, from its rules package."""
        shown = prog.shown_path(path)
        try:
            text = importlib.resources.files(prog.rules_package).joinpath(path).read_text(encoding="utf-8")
        except (OSError, ModuleNotFoundError) as exc:
            raise UsageError(f"programme `{prog.name}` (plugin `{prog.plugin}`) names the policy {shown}, which cannot be read: {exc}") from None
        return shown, text

    def _layer_places(self, name: str) -> dict[str, str]:
        """Place id -> the programme's layer policy attached to it (read from each layer's header)."""
        if name not in self._places:
            from .parse import parse

            prog = self.get_programme(name)
            table: dict[str, str] = {}
            for layer in prog.layers:
                file, text = self._read_rules(prog, layer)
                header = parse(text, file).header
                if header.place is not None:
                    table[header.place] = layer
            self._places[name] = table
        return self._places[name]

    def query_place_policy(self, name: str, places: Iterable[str]) -> tuple[str, str] | None:
        """The policy of the nearest place in `places` (nearest first) with a layer of `name`, or None."""
        table = self._layer_places(name)
        for place in places:
            if place in table:
                return self._read_rules(self.get_programme(name), table[place])
        return None

    def get_place_policy(self, name: str, places: Iterable[str], as_of: dt.date | None = None) -> tuple[str, str]:
        """The policy for someone at `places` (nearest first): the nearest layer, else the programme's own."""
        places = list(places)
        found = self.query_place_policy(name, places)
        if found is not None:
            return found
        if self.get_programme(name).policy is None:
            searched = ", ".join(places) or "no places"
            raise UsageError(f"programme `{name}` has no policy for {searched} and no default policy; pass --policy FILE")
        return self.programme_policy(name, as_of)

    def check_policy_hook(self, policy: Any) -> list[Diagnostic]:
        """Ask every plugin for further problems in a checked policy."""
        found: list[Diagnostic] = []
        for result in self.pm.hook.accord_check_policy(policy=policy, schema=self.schema):
            found.extend(result or ())
        return found


def _period(first: dt.date | None, last: dt.date | None) -> str:
    return f"from {first or 'the start'} to {last or 'no end date'}"


def _compatible(old: Any, new: Any) -> Any | None:
    """One declaration for two plugins that declare the same name compatibly, or None.

    Programmes share a vocabulary: two plugins may declare the same fact with the same type, the
    same relationship kind with the same ends, the same function with the same implementation,
    and the same evidence kind, whose fields are then the union of both (a field declared twice
    must have one type). The first plugin's description is kept.
    """
    if isinstance(old, FactSpec):
        return old if old.type == new.type and old.derive is new.derive else None
    if isinstance(old, RelationshipKind):
        return old if old.ends == new.ends else None
    if isinstance(old, Function):
        return old if old.impl is new.impl else None
    if isinstance(old, EvidenceKind):
        clash = any(f in old.fields and old.fields[f] != t for f, t in new.fields.items())
        return None if clash else attrs.evolve(old, fields={**old.fields, **new.fields})
    return old if old == new else None


def _named_types(schema: Schema) -> list[Type]:
    from .schema import _types_in
    from .values import Choice, Scale

    return [t for t in _types_in(schema) if isinstance(t, (Choice, Scale))]


def _with_plugin(prog: Programme, plugin: str) -> Programme:
    return attrs.evolve(prog, plugin=plugin)


def _load_entry_points(pm: pluggy.PluginManager, group: str) -> None:
    """Register the plugins of `group`, as pluggy's `load_setuptools_entrypoints` does.

    It reads each installed distribution's `entry_points.txt` itself, the way importlib.metadata
    finds them (the first distribution of a name on sys.path wins), because importing
    importlib.metadata costs about 10 ms (its e-mail header parsing), a twentieth of
    `accord check`. A sys.path entry that is a file (a zip archive) is left to pluggy.
    """
    seen: set[str] = set()
    archives = False
    for entry in sys.path:
        try:
            children = os.listdir(entry or ".")
        except NotADirectoryError:
            archives = True
            continue
        except OSError:
            continue
        for child in children:
            stem, _, suffix = child.lower().rpartition(".")
            if suffix not in ("dist-info", "egg-info"):
                continue
            project = re.sub(r"[-_.]+", "_", stem.partition("-")[0])
            if project in seen:
                continue
            seen.add(project)
            try:
                with open(os.path.join(entry or ".", child, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                continue
            for name, value in _entry_points_in(text, group):
                if pm.has_plugin(name) or pm.is_blocked(name):
                    continue
                module, _, attr = value.partition("[")[0].partition(":")
                plugin = importlib.import_module(module.strip())
                for part in filter(None, attr.strip().split(".")):
                    plugin = getattr(plugin, part)
                pm.register(plugin, name=name)
    if archives:
        pm.load_setuptools_entrypoints(group)


def _entry_points_in(text: str, group: str) -> Iterator[tuple[str, str]]:
    """(name, value) of each entry point of `group` in an entry_points.txt (an INI file)."""
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            yield name.strip(), value.strip()


@functools.cache
def default_registry() -> Registry:
    """The registry of every installed plugin, loaded once per process."""
    return Registry()
