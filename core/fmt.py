"""Format: policy text -> the same policy in one canonical layout, every comment kept.

**In:** policy text and its file name. **Out:** the formatted text, or a `PolicyError` (the
parser's own located error for a file that does not parse; P170 if the result would not mean
what the input means, which is a bug in this module and is never written).

Why tokens and not the AST: the parser drops comments and the AST keeps no layout, so printing
the AST would lose every comment and every line break an author chose. Instead the policy is
lexed and parsed with the grammar's own LALR parser (`grammars/accord.lark`, with every token
kept and the comments collected by a lexer callback), and the tokens are written out again in
order, with canonical whitespace around them. Nothing but whitespace can change, so the result
means what the input means; `format_text` still checks `parse(out) == parse(text)` before it
returns, and refuses (P170) rather than return anything else.

The layout (`docs/fmt.md` shows it), chosen to be how the shipped policies are written:

- a declaration (`policy`, `role`, `define`, `parameter`, ...) starts a line at column 1; a
  clause (`programme`, `require`, `except`, `amount`, `visible`, `when`, a commitment's part, ...)
  starts a line indented 2; a line that continues a clause is indented 2 more than the clause
  (2 more than the declaration outside a clause), and 2 more for each bracket still open;
- an author's line breaks between tokens are kept (layout is free, and where a condition breaks
  is a choice of meaning for the reader); a line longer than 100 characters is broken after its
  clause's `:`, else before its outermost `or`s, else before its outermost `and`s;
- one space between tokens, none inside brackets, before `,` `:` `.`, after `.`, after a unary
  `-`, or between a function's name and its `(`;
- at most one blank line in a row, and one blank line before and after a block (the `policy`
  header, `role`, `pair`, `incentive`, `record`, `commitment`, `override`, `extend`), above the
  comments right above it; none at the start; the file ends with one newline;
- a comment on its own line stays before what it preceded, indented like that line or like the
  line above, whichever the author's indentation was nearer; a trailing comment stays on its
  line, at its column when the code leaves it room, else two spaces after the code.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import importlib.resources
import os
import shutil
import tempfile
from collections.abc import Iterator

import attrs
import lark
from lark import Token, Tree

from .errors import Diagnostic, PolicyError, Span
from .parse import parse

#: the longest line the formatter makes by wrapping (a long label or citation cannot be wrapped)
WIDTH = 100
INDENT = "  "

_ITEMS = {"header", "define", "parameter", "role", "pair", "incentive", "record", "commitment", "set_value", "override", "extend", "extend_pair"}
#: declarations that are blocks: a blank line goes before and after each
_BLOCKS = {"header", "role", "pair", "incentive", "record", "commitment", "override", "extend", "extend_pair"}
_CLAUSES = {
    "programme_clause", "version_clause", "effective_clause", "source_clause", "extends_clause", "place_clause",
    "requirement", "exception", "preference", "amount", "voucher", "recognition", "payer", "visible",
    "counts_visible", "reveal", "retention", "replacement", "applies", "quota", "deadline", "recurring", "within",
}  # fmt: skip
#: clauses that are clauses only as a direct child of these (elsewhere a `source` is inline)
_CLAUSE_IN = {"citation": {"incentive"}}
_OPEN, _CLOSE = {"(", "{"}, {")", "}"}
_NO_SPACE_BEFORE = {",", ":", ".", ")", "}"}
_NO_SPACE_AFTER = {"(", "{", "."}


@attrs.define
class _Tok:
    """A token of the policy, with what the layout needs to know about it."""

    text: str
    line: int  # 1-based line in the input
    column: int
    type: str
    starts: str | None = None  # "item", "block" or "clause": the token begins one
    parent: str = ""  # the grammar rule the token belongs to
    level: int = 0  # indentation (in steps) of a line this token continues
    depth: int = 0  # brackets open before the token, within its clause or declaration
    #: a `:` that ends a clause's label or date, after which a long line may break
    clause_colon: bool = False


@attrs.define
class _Line:
    indent: int  # steps
    toks: list[_Tok] = attrs.Factory(list)
    comment: str | None = None  # a trailing comment
    comment_column: int = 0  # its column in the input (1-based)
    blank_before: bool = False
    own_comment: bool = False  # a line that is only a comment

    def code(self) -> str:
        out = INDENT * self.indent
        for i, t in enumerate(self.toks):
            if i and _space_between(self.toks[i - 1], t):
                out += " "
            out += t.text
        return out

    def render(self) -> str:
        code = self.code()
        if self.comment is None:
            return code
        if not self.toks:
            return code + self.comment
        pad = max(self.comment_column - 1 - len(code), 2)
        return code + " " * pad + self.comment


def _space_between(a: _Tok, b: _Tok) -> bool:
    if b.text in _NO_SPACE_BEFORE or a.text in _NO_SPACE_AFTER:
        return False
    if a.parent == "neg":  # unary minus: `-3 days`
        return False
    if b.text == "(" and a.type == "NAME":  # a call, or a definition's parameters
        return False
    return True


@functools.cache
def _token_parser() -> tuple[lark.Lark, list[Token]]:
    """The grammar's own LALR parser, keeping every token, and the list it puts comments in."""
    grammar = importlib.resources.files("accord.grammars").joinpath("accord.lark").read_text("utf-8")
    comments: list[Token] = []
    parser = lark.Lark(grammar, parser="lalr", keep_all_tokens=True, lexer_callbacks={"COMMENT": comments.append})
    return parser, comments


def _tokens(tree: Tree[Token]) -> list[_Tok]:
    """The tokens of a parse tree in order, each told where it stands in the layout."""
    out: list[_Tok] = []

    def walk(node: Tree[Token], parent: str, level: int, depth: list[int]) -> None:
        kind = None
        rule = str(node.data)
        if rule in _ITEMS and parent == "start":
            kind, level, depth = ("block" if rule in _BLOCKS else "item"), 1, [0]
        elif rule in _CLAUSES or parent in _CLAUSE_IN.get(rule, ()):
            kind, level, depth = "clause", 2, [0]
        first = True
        body = False
        for child in node.children:
            if child is None:
                continue
            if rule == "quantifier" and child is node.children[-1]:  # its body, after the `:`
                depth[0] += 1
                body = True
            if isinstance(child, Tree):
                n = len(out)
                walk(child, rule, level, depth)
                if first and kind and len(out) > n:
                    out[n].starts = kind
            else:
                text = str(child)
                if text in _CLOSE:
                    depth[0] -= 1
                tok = _Tok(text, child.line or 0, child.column or 0, child.type, kind if first else None, rule, level, depth[0])
                tok.clause_colon = (text == ":" and rule in _CLAUSES) or (text == "=" and rule == "define")
                out.append(tok)
                if text in _OPEN:
                    depth[0] += 1
            first = False
        if body:
            depth[0] -= 1

    walk(tree, "", 0, [0])
    return out


def _layout(toks: list[_Tok], comments: list[Token]) -> list[_Line]:
    """Lines of tokens and comments: the author's line breaks, the layout's indentation."""
    lines: list[_Line] = []
    pending: list[tuple[Token, bool]] = []  # own-line comments waiting for the next token's line
    last_line = 0  # the input line of the last thing placed
    after_block = False  # the last declaration was a block: a blank line goes before the next
    events: list[tuple[int, int, _Tok | Token]] = [(t.line, t.column, t) for t in toks]
    events += [(c.line or 0, c.column or 0, c) for c in comments]
    for line_no, _, ev in sorted(events, key=lambda e: (e[0], e[1])):
        blank = bool(last_line) and line_no > last_line + 1
        if isinstance(ev, Token):  # a comment
            text = str(ev).rstrip()
            if lines and not pending and line_no == last_line and lines[-1].toks:
                lines[-1].comment, lines[-1].comment_column = text, ev.column or 0
            else:
                pending.append((ev, blank))
            last_line = line_no
            continue
        tok = ev
        if not lines or tok.starts in {"item", "block", "clause"} or pending or line_no > last_line:
            indent = {"item": 0, "block": 0, "clause": 1}.get(tok.starts or "", tok.level + tok.depth)
            block = bool(lines) and (tok.starts == "block" or (tok.starts == "item" and after_block))
            if tok.starts in {"item", "block"}:
                after_block = tok.starts == "block"
            prev_indent = next((ln.indent for ln in reversed(lines) if ln.toks), 0)
            # the comments right above the token (no blank line between) are its own: they take
            # its indentation, and the blank line before a block goes above them
            own = len(pending) if blank else max((i for i, (_, b) in enumerate(pending) if b), default=0)
            for i, (c, c_blank) in enumerate(pending):
                c_indent = indent if i >= own else _nearer((c.column or 1) - 1, indent, prev_indent)
                lines.append(_Line(c_indent, [], str(c).rstrip(), 0, c_blank or (block and i == own), True))
            lines.append(_Line(indent, [tok], blank_before=blank or (block and own == len(pending))))
            pending = []
        else:
            lines[-1].toks.append(tok)
        last_line = line_no
    for c, c_blank in pending:
        lines.append(_Line(_nearer((c.column or 1) - 1, 0, lines[-1].indent if lines else 0), [], str(c).rstrip(), 0, c_blank, True))
    if lines:
        lines[0].blank_before = False
    return lines


def _nearer(column: int, own: int, above: int) -> int:
    """A comment's indentation: the next line's or the line above's, whichever is nearer."""
    return above if abs(column - above * len(INDENT)) < abs(column - own * len(INDENT)) else own


def _wrap(line: _Line) -> Iterator[_Line]:
    """Break a line longer than WIDTH: after its clause's `:`, else before its outermost `or`s, else `and`s."""
    if len(line.code()) <= WIDTH or line.own_comment:
        yield line
        return
    toks = line.toks
    cut: list[int] = []
    # only in a line that starts the clause: a line that continues one breaks at `or` or `and`
    colons = [i for i, t in enumerate(toks[:-1]) if t.clause_colon] if toks[0].starts else []
    if colons:
        cut = [colons[-1] + 1]
    else:
        low = min(t.depth for t in toks)
        for word in ("or", "and"):
            cut = [i for i, t in enumerate(toks) if i and t.text == word and t.type != "NAME" and t.depth == low]
            if cut:
                break
    if not cut:
        yield line
        return
    bounds = [0, *cut, len(toks)]
    for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
        part = toks[a:b]
        indent = line.indent if n == 0 else part[0].level + part[0].depth
        piece = _Line(indent, part, blank_before=line.blank_before and n == 0)
        if n == len(bounds) - 2:
            piece.comment, piece.comment_column = line.comment, line.comment_column
        yield from _wrap(piece)


def format_text(text: str, file: str = "<policy>") -> str:
    """The policy `text` in the canonical layout; raises `PolicyError` if it does not parse."""
    before = parse(text, file)  # the parser's own located error for a file that does not parse
    parser, comments = _token_parser()
    comments.clear()
    tree = parser.parse(text)
    lines = [piece for line in _layout(_tokens(tree), list(comments)) for piece in _wrap(line)]
    out = "".join(("\n" if ln.blank_before else "") + ln.render().rstrip() + "\n" for ln in lines)
    try:
        after = parse(out, file)
    except PolicyError:
        after = None
    if after != before:
        raise PolicyError(
            [
                Diagnostic(
                    "P170",
                    f"formatting `{file}` would change what it means, so it was left as it is",
                    Span(file, 1, 1),
                    "this is a bug in `accord fmt`: please report it with the file",
                )
            ]
        )
    return out


def diff(before: str, after: str, file: str) -> str:
    """A unified diff from `before` to `after`, `file` naming both sides."""
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), file, f"{file} (formatted)"))


def write_atomically(path: str, text: str) -> None:
    """Replace the file at `path` with `text` at once: a temporary file beside it, renamed over it.

    A reader (or a crash) sees the old file or the new one, never half of one; the file keeps
    its permissions.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
