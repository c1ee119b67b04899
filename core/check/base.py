"""The checker's shared state and helpers: the policy being checked, the schema, its problems."""

from __future__ import annotations

from collections.abc import Mapping

from .. import ast, ir
from ..errors import Diagnostic, Span, suggest
from ..builtins import NAMES
from ..registry import Registry
from ..schema import Schema
from ..values import (
    ANY,
    BOOL,
    DATE,
    Money,
    Quantity,
    Scale,
    Type,
)


#: the parameter `accord match` reads for how many mentees a mentor may take (see core/match.py)
CAPACITY_PARAMETER = "mentees_per_mentor"
#: the built-in functions (count, hours, ..., min, max): a plugin of their own, `core/builtins.py`
BUILTINS = NAMES
RIGHTS = ("raise", "lower", "change")
#: a definition larger than this, written out in place, is P141 (a warning)
SIZE_WARNING = 10_000
_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}



class CheckerBase:
    """What every stage of the checker shares: the policy, the schema, and the problems found."""

    def __init__(self, policy: ast.Policy, registry: Registry) -> None:
        self.policy = policy
        self.registry = registry
        self.schema: Schema = registry.schema
        self.diags: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.defines: dict[str, ast.Define] = {}
        self.params: dict[str, ir.CheckedParameter] = {}
        self.expanding: list[str] = []
        self.expanded: set[str] = set()
        #: how deep the expression being checked nests, and how many quantifiers it is inside
        self.depth = 0
        self.quantifiers = 0
        #: a definition's checked body by signature (see `_expand`); None when it failed to check
        self.bodies: dict[tuple[object, ...], ir.Node | None] = {}
        #: what each loop being checked ranges over that grows with the facts (evidence, related people)
        self.loops: list[str] = []
        #: the deepest nesting of such loops reached inside a body, and each checked body's (by id)
        self.deepest = 0
        self.grows: set[str] = set()
        self.body_loops: dict[int, tuple[int, frozenset[str]]] = {}
        #: how many conditions each checked body would be, written out in place (by id; see P141)
        self.sizes: dict[int, int] = {}
        self.warned_size = False
        self._sources = policy.sources or {policy.file: policy.text}
        self._lines = {f: t.splitlines() for f, t in self._sources.items()}

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> ir.Error:
        self.diags.append(Diagnostic(code, message, span, hint))
        return ir.Error(ANY, text="", span=span)

    def warn(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        """A construct that loads but likely does not mean what its author wrote (or costs too much)."""
        self.warnings.append(Diagnostic(code, message, span, hint, severity="warning"))

    def text(self, span: Span | None) -> str:
        """The policy text a span covers, on one line."""
        lines = self._lines.get(span.file) if span is not None else None
        if span is None or not lines or span.line < 1:
            return ""
        if span.end_line == span.line:
            return lines[span.line - 1][span.column - 1 : span.end_column - 1]
        parts = [lines[span.line - 1][span.column - 1 :]]
        parts += lines[span.line : span.end_line - 1]
        parts.append(lines[span.end_line - 1][: span.end_column - 1])
        return " ".join(p.strip() for p in parts)

    def did_you_mean(self, word: str, candidates: Mapping[str, object] | list[str] | tuple[str, ...]) -> str | None:
        hint = suggest(word, candidates)
        return f"did you mean `{hint}`?" if hint else None

    def condition(self, e: ast.Expr, scope: dict[str, ir.Node]) -> ir.Node:
        node = self.top(self.expr(e, scope))
        if node.type not in (BOOL, ANY):
            self.error("P117", f"a rule needs a yes/no condition, but `{node.text}` is {node.type.describe()}", e.span, "compare it with something, e.g. `>= 3 years`")
        return node

    @staticmethod
    def top(node: ir.Node) -> ir.Node:
        """A rule's condition or a block's value as the evaluators and explanations read it: a
        definition's use at the top is its expansion (`require "x": experienced(mentee)` has the
        comparison on top, with its two sides to show); uses further in stay calls."""
        return node.expanded if isinstance(node, ir.CallDefine) else node


def _ordered(t: Type) -> bool:
    """Whether values of the type have an order (`<`, `may raise`): quantities, money, scales, dates."""
    return isinstance(t, (Quantity, Money, Scale)) or t == DATE
