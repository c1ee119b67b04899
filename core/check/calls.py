"""A call of a function that types itself (`Function.check`): what its typing callback is given.

Built-in functions (`count`, `round`, `min`, ...; `core/builtins.py`) and any plugin function
with a `check` callback are typed through this one object: the callback asks for its arguments
typed (`call.arg(i)`), reports a located problem (`call.error(...)`) and returns the typed call,
usually `call.apply(result_type, args)`, which the engines evaluate through the function's
`impl` (unknown in, unknown out). The built-ins return the IR nodes the engines know instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import ast, ir
from ..errors import Span
from ..values import ANY, Type

if TYPE_CHECKING:
    from ..schema import Function


class FunctionCall:
    """One call being checked: `name(args)` at `span`, for the function `fn`."""

    def __init__(self, checker: Any, fn: Function, e: ast.Call, scope: Mapping[str, ir.Node], text: str) -> None:
        self.checker = checker
        self.fn = fn
        self.name = e.name
        #: the arguments as written (AST); `arg(i)` types one
        self.args: tuple[ast.Expr, ...] = e.args
        self.span: Span | None = e.span
        self.text = text
        self.scope = scope

    def arg(self, i: int, expect: Type | None = None) -> ir.Node:
        """The i-th argument, typed (`expect` lets a bare choice or scale value take that type).

        An argument of type `any` was already reported: return `self.failed()` then."""
        return self.checker.expr(self.args[i], self.scope, expect)  # type: ignore[no-any-return]

    def arity(self, *counts: int, at_least: int | None = None) -> ir.Node | None:
        """None if the call has one of `counts` arguments (or at least `at_least`), else the error (P112)."""
        n = len(self.args)
        if (at_least is not None and n >= at_least) or n in counts:
            return None
        if at_least is not None:
            want = f"at least {at_least} arguments"
        else:
            want = " or ".join(str(c) for c in counts) + (" argument" if counts[-1] == 1 else " arguments")
        return self.error("P112", f"`{self.name}` takes {want}, got {n}")

    def error(self, code: str, message: str, at: ast.Expr | Span | None = None, hint: str | None = None) -> ir.Node:
        """Report a problem at an argument (or a span; the whole call by default) and stand in for the call."""
        span = at.span if isinstance(at, ast.Expr) else at if at is not None else self.span
        return self.checker.error(code, message, span, hint)  # type: ignore[no-any-return]

    def failed(self) -> ir.Node:
        """Stand in for the call when an argument was already reported (nothing more to say)."""
        return ir.Error(ANY, text=self.text, span=self.span)

    def apply(self, returns: Type, args: tuple[ir.Node, ...] | list[ir.Node]) -> ir.Node:
        """The typed call: `impl(records, *values)`, of type `returns`."""
        return ir.CallFn(returns, self.name, self.fn.impl, tuple(args), self.fn.reason, text=self.text, span=self.span)
