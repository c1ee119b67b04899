"""Accord's documented limits on its inputs, in one place.

Each limit is checked where the input is read, and going over it is an `error[...]` with a
location and a hint, never a crash: P130-P139 for a policy, F010-F019 for a facts file and the
as-of date. The figures are far above what a real policy or roster needs; they exist so that a
hostile or broken input stops early with an answer instead of exhausting Python (its recursion,
its parser's nesting, its 28-digit decimal context, its 4300-digit integer conversion, its
calendar). `docs/language.md` and `docs/cli.md` list them under "Limits".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

#: bytes in one policy file (P136); `accord lint /dev/zero` reads this much and stops
MAX_POLICY_BYTES = 1024 * 1024
#: bytes in one facts file (F010)
MAX_FACTS_BYTES = 64 * 1024 * 1024
#: how deep an expression may nest (P130): each `not`, `.field`, comparison, call, `+`... is a
#: level (parentheses are not); one `and`/`or` chain is one level, whatever its operands; a
#: definition counts as its body written out where it is used
MAX_NESTING = 64
#: operands in one `and` or `or` chain (P131)
MAX_OPERANDS = 64
#: terms in one sum (`+`/`-`) or product (`*`/`/`) (P131); each `+` is also a level of nesting
MAX_TERMS = 32
#: `every`/`any` nested inside one another, definitions written out (P133)
MAX_QUANTIFIERS = 8
#: bytes in the name after `extends` (P135), as a file name may have
MAX_EXTENDS_NAME_BYTES = 255
#: significant digits of a number in a policy (P134) or a facts file (F012): the precision of
#: Python's default decimal context, so every number is held exactly; and a number must be
#: below 10^MAX_DIGITS
MAX_DIGITS = 28
#: nesting of arrays and objects (JSON) or arrays and inline tables (TOML) in a facts file (F011)
MAX_FACTS_DEPTH = 64
#: the years a date may have, in a policy (P138), a facts file or `--as-of` (F013): one short of
#: Python's last year, so that moving a date by a period near the end of the calendar still works
MIN_YEAR, MAX_YEAR = 1, 9998


def number_problem(d: Decimal) -> str | None:
    """Why Accord cannot keep `d` exactly (too many significant digits, or too large), or None.

    28 significant digits is the precision of Python's default decimal context: a number with
    more would be rounded by the first sum. Below 10^28 (1e28) no total of such numbers comes
    near the context's largest exponent, so no arithmetic outside a rule can overflow."""
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int) or not any(digits):  # infinity, NaN (refused elsewhere) or zero
        return None
    significant = len(digits)
    while significant > 1 and digits[significant - 1] == 0:
        significant -= 1
    if significant > MAX_DIGITS:
        return f"has {significant} significant digits; Accord keeps at most {MAX_DIGITS} exactly"
    if d.adjusted() >= MAX_DIGITS:
        return f"is 10^{MAX_DIGITS} or more; Accord keeps numbers below that"
    return None


def date_in_range(day: dt.date) -> bool:
    """Whether a date is within the years Accord accepts (`MIN_YEAR` to `MAX_YEAR`)."""
    return MIN_YEAR <= day.year <= MAX_YEAR


class TooLarge(Exception):
    """A file longer than the limit it was read with."""


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of a file, reading at most `limit + 1` of them; `TooLarge` if there are more.

    A device such as /dev/zero never ends: reading it whole would hang, then exhaust memory."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(path)
    return data
