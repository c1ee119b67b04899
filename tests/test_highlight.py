"""The Pygments lexer (`accord.highlight`): registered by entry point, and clean on every shipped policy."""

from __future__ import annotations

import re
from pathlib import Path

import pygments.lexers
import pytest
from pygments.token import Comment, Error, Keyword, Literal, Number, String

from accord.highlight import KEYWORDS, AccordLexer
from tests.test_fmt import SHIPPED

ROOT = Path(__file__).resolve().parent.parent


def _tokens(text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in AccordLexer().get_tokens(text) if v.strip()]


@pytest.mark.parametrize("path", SHIPPED)
def test_every_shipped_policy_lexes_without_an_error_token(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    errors = [v for t, v in AccordLexer().get_tokens(text) if t in Error]
    assert errors == [], f"{path}: the lexer cannot read {errors[:5]}"


def test_an_unknown_character_is_an_error_token():
    assert (Error, "&") in _tokens("person.a & person.b")


def test_the_lexer_knows_the_grammars_keywords():
    grammar = (ROOT / "grammars" / "accord.lark").read_text(encoding="utf-8")
    assert set(re.findall(r'"([a-z]+)"', grammar)) == set(KEYWORDS)


def test_what_each_piece_of_a_policy_is():
    toks = _tokens('require "is trained" source "h 3": person.x >= 3 years and d < 2025-07-01 # why\n')
    assert (Keyword, "require") in toks and (String.Double, '"is trained"') in toks
    assert (Number, "3") in toks and (Number, "years") in toks, "a number's unit goes with it"
    assert (Literal.Date, "2025-07-01") in toks and (Comment.Single, "# why") in toks
    assert (Number, "1") in _tokens("at least 1 of count(x)") and (Keyword, "of") in _tokens("at least 1 of count(x)")
    assert (Number, "USD") in _tokens("amount USD 500")


def test_pygments_finds_the_lexer_by_name_and_file_name():
    # the editable install registers the `pygments.lexers` entry point of pyproject.toml
    assert isinstance(pygments.lexers.get_lexer_by_name("accord"), AccordLexer)
    assert isinstance(pygments.lexers.get_lexer_for_filename("district.accord"), AccordLexer)
