"""Argo's `when`: govaluate's lexer, syntax check and evaluator, and Argo's bare-word rule.

Ported from reading the sources (no code copied):
- Knetic/govaluate `parsing.go` (`readToken`, `readUntilFalse`, `readTokenUntilFalse`,
  `isNotQuote`, `isVariableName`, `isNotAlphanumeric`, `tryParseTime`, `optimizeTokens`,
  `checkBalance`), `lexerState.go` (`validLexerStates`, `checkExpressionSyntax`),
  `OperatorSymbol.go` (the symbol tables), `stagePlanner.go` (precedence, left to right)
  and `evaluationStage.go` (type checks, short circuits).

Argo's part (its ShouldExecute) and the evaluator are in argo_when.py.

The rules that break naive expressions: a quoted string ends at EITHER quote character
(`'["a"]'` lexes as STRING `[`, VARIABLE `a`, STRING `]`); a backslash escapes any
character; `[...]` is a VARIABLE; a bare word with a dot is an ACCESSOR, which Argo leaves
alone and which then fails for want of parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

_ANY_VALUE = ("PREFIX", "NUMERIC", "BOOLEAN", "VARIABLE", "PATTERN", "FUNCTION", "ACCESSOR")
_AFTER_VALUE = ("MODIFIER", "COMPARATOR", "LOGICALOP", "CLAUSE_CLOSE", "TERNARY", "SEPARATOR")
# kind -> (may end the expression, kinds that may follow): govaluate's validLexerStates.
STATES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "UNKNOWN": (False, (*_ANY_VALUE, "STRING", "TIME", "CLAUSE")),
    "CLAUSE": (False, (*_ANY_VALUE, "STRING", "TIME", "CLAUSE", "CLAUSE_CLOSE")),
    "CLAUSE_CLOSE": (
        True,
        (
            "COMPARATOR",
            "MODIFIER",
            "NUMERIC",
            "BOOLEAN",
            "VARIABLE",
            "STRING",
            "PATTERN",
            "TIME",
            "CLAUSE",
            "CLAUSE_CLOSE",
            "LOGICALOP",
            "TERNARY",
            "SEPARATOR",
        ),
    ),
    "NUMERIC": (True, _AFTER_VALUE),
    "BOOLEAN": (True, _AFTER_VALUE),
    "STRING": (True, _AFTER_VALUE),
    "VARIABLE": (True, _AFTER_VALUE),
    "TIME": (True, ("MODIFIER", "COMPARATOR", "LOGICALOP", "CLAUSE_CLOSE", "SEPARATOR")),
    "PATTERN": (True, ("MODIFIER", "COMPARATOR", "LOGICALOP", "CLAUSE_CLOSE", "SEPARATOR")),
    "MODIFIER": (
        False,
        (
            "PREFIX",
            "NUMERIC",
            "VARIABLE",
            "FUNCTION",
            "ACCESSOR",
            "STRING",
            "BOOLEAN",
            "CLAUSE",
            "CLAUSE_CLOSE",
        ),
    ),
    "COMPARATOR": (False, (*_ANY_VALUE, "STRING", "TIME", "CLAUSE", "CLAUSE_CLOSE")),
    "LOGICALOP": (
        False,
        (
            "PREFIX",
            "NUMERIC",
            "BOOLEAN",
            "VARIABLE",
            "FUNCTION",
            "ACCESSOR",
            "STRING",
            "TIME",
            "CLAUSE",
            "CLAUSE_CLOSE",
        ),
    ),
    "PREFIX": (
        False,
        ("NUMERIC", "BOOLEAN", "VARIABLE", "FUNCTION", "ACCESSOR", "CLAUSE", "CLAUSE_CLOSE"),
    ),
    "TERNARY": (
        False,
        (
            "PREFIX",
            "NUMERIC",
            "BOOLEAN",
            "STRING",
            "TIME",
            "VARIABLE",
            "FUNCTION",
            "ACCESSOR",
            "CLAUSE",
            "SEPARATOR",
        ),
    ),
    "FUNCTION": (False, ("CLAUSE",)),
    "ACCESSOR": (True, ("CLAUSE", *_AFTER_VALUE)),
    "SEPARATOR": (
        False,
        (
            "PREFIX",
            "NUMERIC",
            "BOOLEAN",
            "STRING",
            "TIME",
            "VARIABLE",
            "FUNCTION",
            "ACCESSOR",
            "CLAUSE",
        ),
    ),
}
PREFIXES = {"-", "!", "~"}
MODIFIERS = {"+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"}
LOGICAL = {"&&", "||"}
COMPARATORS = {"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"}
TERNARIES = {"?", ":", "??"}


class GovaluateError(Exception):
    """An expression govaluate refuses, with govaluate's own message."""


@dataclass
class Token:
    kind: str
    value: Any


class _Stream:
    def __init__(self, source: str) -> None:
        self.source, self.position = source, 0

    def can_read(self) -> bool:
        return self.position < len(self.source)

    def read(self) -> str:
        character = self.source[self.position]
        self.position += 1
        return character

    def rewind(self, amount: int) -> None:
        self.position -= amount


def _read_until_false(
    stream: _Stream, include_space: bool, break_space: bool, condition: Callable[[str], bool]
) -> tuple[str, bool]:
    """Characters while `condition` holds; whether a terminator (not the end) stopped it."""
    buffer, terminated = [], False
    while stream.can_read():
        character = stream.read()
        if character == "\\":  # a backslash escapes anything, quotes included
            if stream.can_read():
                buffer.append(stream.read())
            continue
        if character.isspace():
            if break_space and buffer:
                terminated = True
                break
            if not include_space:
                continue
        if condition(character):
            buffer.append(character)
        else:
            terminated = True
            stream.rewind(1)
            break
    return "".join(buffer), terminated


def _read_word(stream: _Stream, condition: Callable[[str], bool]) -> str:
    stream.rewind(1)
    return _read_until_false(stream, False, True, condition)[0]


def _numeric(c: str) -> bool:
    return c.isdigit() or c == "."


def _not_quote(c: str) -> bool:
    return c not in "'\""


def _variable_name(c: str) -> bool:
    return c.isalpha() or c.isdigit() or c in "_."


def _symbolic(c: str) -> bool:
    return not (c.isdigit() or c.isalpha() or c in "()[]" or not _not_quote(c))


def _read_token(stream: _Stream, state: str) -> Token | None:  # noqa: C901, PLR0911, PLR0912
    while stream.can_read():
        character = stream.read()
        if character.isspace():
            continue
        if _numeric(character):
            if stream.can_read() and character == "0":
                following = stream.read()
                if stream.can_read() and following == "x":
                    digits = _read_until_false(stream, False, True, _hex_digit)[0]
                    if not digits:
                        raise GovaluateError(f"Unable to parse hex value '{digits}' to uint64")
                    return Token("NUMERIC", float(int(digits, 16)))
                stream.rewind(1)
            text = _read_word(stream, _numeric)
            try:
                return Token("NUMERIC", float(text))
            except ValueError:
                raise GovaluateError(f"Unable to parse numeric value '{text}' to float64") from None
        if character == ",":
            return Token("SEPARATOR", ",")
        if character == "[":
            name, closed = _read_until_false(stream, True, False, lambda c: c != "]")
            if not closed:
                raise GovaluateError("Unclosed parameter bracket")
            stream.rewind(-1)
            return Token("VARIABLE", name)
        if character.isalpha():
            return _word(_read_word(stream, _variable_name))
        if not _not_quote(character):
            text, closed = _read_until_false(stream, True, False, _not_quote)
            if not closed:
                raise GovaluateError("Unclosed string literal")
            stream.rewind(-1)  # skip whichever quote ended it
            moment = _parse_time(text)
            return Token("STRING", text) if moment is None else Token("TIME", moment)
        if character == "(":
            return Token("CLAUSE", ord("("))  # govaluate keeps the rune: it prints as 40
        if character == ")":
            return Token("CLAUSE_CLOSE", ord(")"))
        symbol = _read_word(stream, _symbolic)
        if symbol in PREFIXES and "PREFIX" in STATES[state][1]:
            return Token("PREFIX", symbol)
        for kind, table in (
            ("MODIFIER", MODIFIERS),
            ("LOGICALOP", LOGICAL),
            ("COMPARATOR", COMPARATORS),
            ("TERNARY", TERNARIES),
        ):
            if symbol in table:
                return Token(kind, symbol)
        raise GovaluateError(f"Invalid token: '{symbol}'")
    return None


def _hex_digit(c: str) -> bool:
    return c.isdigit() or c.lower() in "abcdef"


def _word(text: str) -> Token:
    if text in ("true", "false"):
        return Token("BOOLEAN", text == "true")
    if text in ("in", "IN"):
        return Token("COMPARATOR", "in")
    if "." in text[1:]:
        if text.endswith("."):
            raise GovaluateError(f"Hanging accessor on token '{text}'")
        parts = text.split(".")
        for part in parts[1:]:
            if part[:1].upper() != part[:1]:
                raise GovaluateError(
                    f"Unable to access unexported field '{part}' in token '{text}'"
                )
        return Token("ACCESSOR", parts)
    return Token("VARIABLE", text)


#: tryParseTime's layouts, those a pipeline could plausibly produce (ISO dates and times).
_TIME_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%I:%M%p",
)


def _parse_time(text: str) -> float | None:
    """A quoted date becomes a TIME token; govaluate compares it as Unix seconds."""
    for layout in _TIME_FORMATS:
        try:
            moment = datetime.strptime(text.replace("Z", "+0000"), layout)
        except ValueError:
            continue
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return None


def tokenize(expression: str) -> list[Token]:
    """parseTokens: the lexer, whose symbol reading depends on the previous token."""
    stream, state, tokens = _Stream(expression), "UNKNOWN", []
    while stream.can_read():
        token = _read_token(stream, state)
        if token is None:
            break
        state = token.kind
        tokens.append(token)
    return tokens


def go_value(value: Any) -> str:
    """How Go's `%v` prints a token value (floats the shortest way, `1e+06` from 1e6)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if isinstance(value, re.Pattern):
        return str(value.pattern)
    return str(value)


def _go_float(number: float) -> str:
    digits = Decimal(repr(number)).normalize()
    sign, figures, exponent = digits.as_tuple()
    assert isinstance(exponent, int)
    point = len(figures) + exponent - 1
    if number == 0:
        return "0"
    if point < -4 or point >= 6:  # strconv's %g with the shortest precision
        mantissa = str(figures[0]) + ("." + "".join(map(str, figures[1:])) if figures[1:] else "")
        return f"{'-' if sign else ''}{mantissa}e{'-' if point < 0 else '+'}{abs(point):02d}"
    return format(digits, "f")


def check_syntax(tokens: list[Token]) -> None:
    """checkBalance, then checkExpressionSyntax: every token may follow the one before."""
    depth = sum(
        1 if t.kind == "CLAUSE" else -1 for t in tokens if t.kind in ("CLAUSE", "CLAUSE_CLOSE")
    )
    if depth:
        raise GovaluateError("Unbalanced parenthesis")
    state, last = "UNKNOWN", Token("UNKNOWN", None)
    for token in tokens:
        if token.kind not in STATES[state][1]:
            if last.kind == "VARIABLE" and token.kind == "CLAUSE":
                raise GovaluateError(f"Undefined function {last.value}")
            raise GovaluateError(
                f"Cannot transition token types from {state} [{go_value(last.value)}] "
                f"to {token.kind} [{go_value(token.value)}]"
            )
        state, last = token.kind, token
    if not STATES[state][0]:
        raise GovaluateError("Unexpected end of expression")


def compile_patterns(tokens: list[Token]) -> None:
    """optimizeTokens: a string right of =~ or !~ is compiled once, at parse time."""
    for index, token in enumerate(tokens[:-1]):
        following = tokens[index + 1]
        regex = token.kind == "COMPARATOR" and token.value in ("=~", "!~")
        if regex and following.kind == "STRING":
            following.kind, following.value = "PATTERN", _regex(following.value)


def _regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise GovaluateError(f"error parsing regexp: {exc}") from None


def parse(expression: str) -> list[Token]:
    """NewEvaluableExpression: lex, check, compile patterns."""
    tokens = tokenize(expression)
    check_syntax(tokens)
    compile_patterns(tokens)
    return tokens
