"""One family of criteria: the operators, how values are read, and one checker.

Buyers' supplier criteria (mutual fit, :mod:`buyermap.domain.mutual`) and the rules of a
rules avatar (:mod:`buyermap.domain.avatar_rules`) are written the same way: a subject
(a profile key, or an account field), an operator, a value (several values separated by
``;``) and a weight. :func:`check` is the one place such a criterion is checked and
normalised, for the import files, the services and the forms alike; each user of the
family says which operators it accepts and which weights.

Comparisons ignore case, surrounding blanks and repeated inner blanks. Numbers are read
as the importer reads them (``12 500``, ``1.234,5``, ``1,234.5``, ``EUR 60``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum


class Operator(StrEnum):
    INCLUDES = "includes"
    EQUALS = "equals"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    BETWEEN = "between"
    IN = "in"


NUMERIC = frozenset({Operator.AT_LEAST, Operator.AT_MOST, Operator.BETWEEN})
MUTUAL_OPERATORS: tuple[Operator, ...] = (
    Operator.INCLUDES,
    Operator.EQUALS,
    Operator.AT_LEAST,
    Operator.AT_MOST,
)
ALL_OPERATORS: tuple[Operator, ...] = tuple(Operator)
SEPARATOR = ";"
MUTUAL_WEIGHTS = (0.0, 1000.0)

YES_WORDS = frozenset(
    {"true", "yes", "y", "t", "1", "x", "ja", "oui", "si", "sí", "ano", "áno", "tak"}
    | {"igen", "kyllä", "kylla", "já", "da"}
)
NO_WORDS = frozenset(
    ["false", "no", "n", "f", "0", "nein", "non", "ne", "nie", "nem", "ei", "nei", "nu"]
)


def split_values(text: str) -> list[str]:
    """``"PL; CZ ;"`` -> ``["PL", "CZ"]``: several values of one cell, blanks dropped."""
    return [v.strip() for v in text.split(SEPARATOR) if v.strip()]


# Romanian written in cp1250 uses the cedilla letters, in UTF-8 often the comma-below
# ones: the same names to a user.
_ROMANIAN = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})
PLACEHOLDERS = frozenset(["null", "none", "n/a", "na", "-", "[not provided]", "#n/a"])


def fold(value: str) -> str:
    """The form two values are compared in: case, blanks and Romanian cedilla or
    comma-below letters ignored."""
    return re.sub(r"\s+", " ", value.translate(_ROMANIAN)).strip().casefold()


def is_placeholder(value: str) -> bool:
    """A cell people and tools leave for "no value": ``N/A``, ``null``, ``-``, ``#N/A``..."""
    return fold(value) in PLACEHOLDERS


def yes_no(text: str) -> bool | None:
    """A yes/no word in English or our markets' languages, else None."""
    low = fold(text)
    return True if low in YES_WORDS else False if low in NO_WORDS else None


_CURRENCY_CODE = re.compile(r"(?i)^[a-z]{3}\s*|\s*[a-z]{3}$")
_NOISE = re.compile(r"[\s\u00a0'_$€£¥₹]")
_EU_FULL = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d*$")
_US_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_EU_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")


def parse_number(text: str) -> float | None:
    """A number as our markets write it, or None: ``12 500``, ``1.234,5``, ``1,234.5``,
    ``EUR 60``, ``2,5``. The same rules as the importer's vectorised
    :func:`buyermap.io.validate.clean_number_text`, for one value (a test holds the two to
    the same answers)."""
    t = _NOISE.sub("", _CURRENCY_CODE.sub("", text))
    if _EU_FULL.match(t):
        t = t.replace(".", "").replace(",", ".", 1)
    elif _US_THOUSANDS.match(t):
        t = t.replace(",", "")
    elif _DECIMAL_COMMA.match(t):
        t = t.replace(",", ".", 1)
    elif _EU_THOUSANDS.match(t):
        t = t.replace(".", "")
    try:
        number = float(t)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _operator_key(text: str) -> str:
    return fold(text).replace(" ", "_").replace("-", "_")


def operator_of(text: str) -> Operator:
    """``"At least"`` / ``"at-least"`` / ``"at_least"`` -> :attr:`Operator.AT_LEAST`."""
    return Operator(_operator_key(text))


@dataclass(frozen=True, slots=True)
class Checked:
    """A criterion as checked: the operator, the value as stored (trimmed), its values and
    numbers, the weight, and what is wrong (``(field, message)`` pairs, none if fine)."""

    operator: Operator | None
    value: str
    values: tuple[str, ...]
    numbers: tuple[float, ...]
    weight: float
    problems: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _numbers_problem(op: Operator, values: list[str]) -> tuple[str, str] | None:
    numbers = [parse_number(v) for v in values]
    if op is Operator.BETWEEN:
        if len(values) != 2 or None in numbers:
            return (
                "value",
                f"between needs two numbers separated by ';' (e.g. 50; 250), not "
                f"{'; '.join(values)!r}",
            )
        low, high = numbers
        if low is not None and high is not None and low > high:
            return ("value", f"between {values[0]} and {values[1]}: the first must be the lower")
        return None
    if None in numbers:
        return ("value", f"{op.value} needs a number as its value, not {'; '.join(values)!r}")
    return None


def check(
    operator: str,
    value: str,
    weight: float | None,
    *,
    operators: tuple[Operator, ...] = MUTUAL_OPERATORS,
    weights: tuple[float, float] = MUTUAL_WEIGHTS,
    numeric: bool | None = None,
    empty: str = "the value is empty; give what the buyer asks for",
) -> Checked:
    """Check one criterion as written. ``operators`` are those its user accepts (named in
    the message when another is given), ``weights`` the allowed range (an empty weight is
    1), ``numeric`` whether the subject is a number (True: every value must be a number;
    False: a numeric operator is refused saying so; None: not known)."""
    problems: list[tuple[str, str]] = []
    key = _operator_key(operator)
    allowed = {o.value for o in operators}
    op: Operator | None = Operator(key) if key in allowed else None
    values = split_values(value)
    known = key in {o.value for o in Operator}
    if op is None and known and numeric is False and Operator(key) in NUMERIC:
        valid = ", ".join(o.value for o in operators)
        problems.append(("operator", f"{key} compares numbers; for this field use {valid}"))
    elif op is None and known and numeric is True and Operator(key) is Operator.INCLUDES:
        valid = ", ".join(o.value for o in operators)
        problems.append(("operator", f"includes is for lists and text; for a number use {valid}"))
    elif op is None:
        valid = ", ".join(o.value for o in operators)
        problems.append(("operator", f"operator {operator!r} is not one of {valid}"))
    elif values and (op in NUMERIC or numeric is True):
        found = _numbers_problem(op, values)
        if found:
            problems.append(found)
    if not values:
        problems.append(("value", empty))
    w = 1.0 if weight is None else float(weight)
    low, high = weights
    if not math.isfinite(w) or w < low or w > high:
        problems.append(("weight", f"weight {weight!r} must be a number from {low:g} to {high:g}"))
    numbers = tuple(n for n in (parse_number(v) for v in values) if n is not None)
    return Checked(op, value.strip(), tuple(values), numbers, w, tuple(problems))
