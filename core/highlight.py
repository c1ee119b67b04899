"""Highlighting: a Pygments lexer for policy files, so the docs and any tool that uses Pygments
colour them.

Registered under the `pygments.lexers` entry point (alias `accord`, files `*.accord`), so
`pygments.lexers.get_lexer_by_name("accord")` and `pygmentize -l accord` find it once Accord is
installed. The keywords are those of `grammars/accord.lark`; a test checks that the two agree.
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, Punctuation, String, Whitespace

#: words that start a declaration or a clause
DECLARATIONS = (
    "policy", "programme", "version", "effective", "source", "extends", "place", "define", "parameter",
    "role", "pair", "incentive", "record", "commitment", "set", "override", "extend", "require",
    "except", "prefer", "weight", "first", "amount", "voucher", "recognition", "paid", "visible", "counts",
    "reveals", "grants", "denies", "overriding", "may", "per", "to", "for", "when", "shared", "by",
    "subject", "at", "least", "of", "due", "from", "every", "any", "evidence", "where", "kept", "academic",
    "replace", "within", "each", "owed",
)  # fmt: skip
#: words of an expression
OPERATOR_WORDS = ("and", "or", "not", "in", "is", "the", "school", "between", "average", "if", "then", "else", "let", "otherwise", "whole")
CONSTANTS = ("true", "false", "none", "today")
#: every keyword: a word after a number is its unit unless it is one of these
KEYWORDS = DECLARATIONS + OPERATOR_WORDS + CONSTANTS
_WORDS = "(?:" + "|".join(KEYWORDS) + ")"


class AccordLexer(RegexLexer):
    """Accord policies (`grammars/accord.lark`)."""

    name = "Accord"
    aliases: ClassVar[list[str]] = ["accord"]
    filenames: ClassVar[list[str]] = ["*.accord"]

    tokens: ClassVar[dict[str, list[object]]] = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'"([^"\\\n]|\\.)*"', String.Double),
            (r"\d{4}-\d{2}-\d{2}", Literal.Date),
            # a number with its unit (`3 years`, `15 pdps`), money (`USD 500`), a plain number
            (rf"(\d+(?:\.\d+)?)(\s+)(?!{_WORDS}\b)([A-Za-z_]\w*)", bygroups(Number, Whitespace, Number)),
            (r"([A-Z]{3})(\s+)(\d+(?:\.\d+)?)", bygroups(Number, Whitespace, Number)),
            (r"\d+(\.\d+)?", Number),
            (r"(\.)(\s*)([A-Za-z_]\w*)", bygroups(Punctuation, Whitespace, Name.Attribute)),  # a field
            (words(OPERATOR_WORDS, suffix=r"\b"), Operator.Word),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(DECLARATIONS, suffix=r"\b"), Keyword),
            (r"[A-Za-z_]\w*(?=\s*\()", Name.Function),
            (r"[A-Za-z_]\w*", Name),
            (r">=|<=|!=|[=<>+\-*/%]", Operator),
            (r"[(){},.:]", Punctuation),
        ],
    }
