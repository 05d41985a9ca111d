"""Argo's `when`: ShouldExecute over govaluate's evaluator (the lexer is in govaluate.py).

Evaluation follows govaluate's `stagePlanner.go` (precedence, lowest first: separator,
ternary, `||`, `&&`, bitwise, shift, comparators, `+ -`, `* / %`, `**`, prefixes; left to
right within a level) and `evaluationStage.go` (type checks and their messages; `&&`, `||`,
`?`, `:` and `??` short-circuit; `==` is Go's DeepEqual, so `1 == '1'` is false; `+` joins
when either side is a string; a TIME literal is compared as Unix seconds).

`should_execute` is Argo's ShouldExecute (workflow/common/util.go): parse; turn every
VARIABLE token into a STRING (Argo passes no parameters, so bare words are strings); check
the tokens again; evaluate; demand a bool. Errors carry Argo's wording.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from tests.integration.govaluate import (
    GovaluateError,
    Token,
    check_syntax,
    compile_patterns,
    go_value,
    parse,
)

#: Binary operators by precedence level, lowest first (stagePlanner.go's planner chain).
LEVELS: tuple[frozenset[str], ...] = tuple(
    frozenset(level)
    for level in (
        {","},
        {"?", ":", "??"},
        {"||"},
        {"&&"},
        {"&", "|", "^"},
        {"<<", ">>"},
        {"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"},
        {"+", "-"},
        {"*", "/", "%"},
        {"**"},
    )
)
_BINARY = ("SEPARATOR", "TERNARY", "LOGICALOP", "MODIFIER", "COMPARATOR")
_LITERALS = ("NUMERIC", "BOOLEAN", "STRING", "TIME", "PATTERN")


@dataclass
class Stage:
    symbol: str
    left: Stage | None = None
    right: Stage | None = None
    value: Any = None


class _Planner:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.index = tokens, 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def level(self, depth: int) -> Stage:
        if depth == len(LEVELS):
            return self.prefixed()
        left = self.level(depth + 1)
        while (token := self.peek()) and token.kind in _BINARY and token.value in LEVELS[depth]:
            self.index += 1
            left = Stage(str(token.value), left, self.level(depth + 1))
        return left

    def prefixed(self) -> Stage:
        token = self.peek()
        if token is not None and token.kind == "PREFIX":
            self.index += 1
            return Stage("prefix" + str(token.value), right=self.prefixed())
        return self.value()

    def value(self) -> Stage:
        token = self.peek()
        assert token is not None, "check_syntax lets no expression end in an operator"
        self.index += 1
        if token.kind == "CLAUSE":
            if (inner := self.peek()) is not None and inner.kind == "CLAUSE_CLOSE":
                self.index += 1
                return Stage("literal", value=None)
            stage = self.level(0)
            self.index += 1  # the closing parenthesis (checkBalance counted them)
            return stage
        if token.kind in _LITERALS:
            return Stage("literal", value=token.value)
        if token.kind in ("VARIABLE", "ACCESSOR"):
            name = token.value[0] if token.kind == "ACCESSOR" else token.value
            return Stage("parameter", value=name)
        raise GovaluateError(f"Unexpected token {token.kind} [{go_value(token.value)}]")


def evaluate(tokens: list[Token]) -> Any:
    """The value of checked tokens, as govaluate's Evaluate(nil) computes it."""
    if not tokens:
        return None
    return _run(_Planner(tokens).level(0))


def _fail(value: Any, role: str, symbol: str, wanted: str) -> GovaluateError:
    return GovaluateError(
        f"Value '{go_value(value)}' cannot be used with the {role} '{symbol}', it is not a {wanted}"
    )


def _number(value: Any, role: str, symbol: str) -> float:
    if isinstance(value, bool) or not isinstance(value, float):
        raise _fail(value, role, symbol, "number")
    return value


def _same(left: Any, right: Any) -> bool:
    """reflect.DeepEqual: the same type and value (Python's 1.0 == True must not match)."""
    return type(left) is type(right) and left == right


def _run(stage: Stage) -> Any:  # noqa: C901, PLR0911, PLR0912
    symbol = stage.symbol
    if symbol == "literal":
        return stage.value
    if symbol == "parameter":
        raise GovaluateError(f"No parameter '{stage.value}' found.")
    if symbol.startswith("prefix"):
        operand = _run(stage.right)  # type: ignore[arg-type]
        sign = symbol.removeprefix("prefix")
        if sign == "!":
            if not isinstance(operand, bool):
                raise _fail(operand, "prefix", sign, "boolean")
            return not operand
        number = _number(operand, "prefix", sign)
        return -number if sign == "-" else float(~int(number))
    left = _run(stage.left)  # type: ignore[arg-type]
    if symbol in ("&&", "||"):
        if not isinstance(left, bool):
            raise _fail(left, "logical operator", symbol, "boolean")
        if left is (symbol == "||"):
            return left
        right = _run(stage.right)  # type: ignore[arg-type]
        if not isinstance(right, bool):
            raise _fail(right, "logical operator", symbol, "boolean")
        return right
    if symbol == "??":
        return left if left is not None else _run(stage.right)  # type: ignore[arg-type]
    if symbol == "?":
        if not isinstance(left, bool):
            raise _fail(left, "ternary operator", symbol, "boolean")
        return _run(stage.right) if left else None  # type: ignore[arg-type]
    if symbol == ":":
        return left if left is not None else _run(stage.right)  # type: ignore[arg-type]
    right = _run(stage.right)  # type: ignore[arg-type]
    return _binary(symbol, left, right)


def _binary(symbol: str, left: Any, right: Any) -> Any:  # noqa: C901, PLR0911
    if symbol == ",":
        return [*(left if isinstance(left, list) else [left]), right]
    if symbol == "==":
        return _same(left, right)
    if symbol == "!=":
        return not _same(left, right)
    if symbol in (">", ">=", "<", "<="):
        both = (isinstance(left, float) and isinstance(right, float)) or (
            isinstance(left, str) and isinstance(right, str)
        )
        if not both or isinstance(left, bool) or isinstance(right, bool):
            raise _fail(left, "comparator", symbol, "number")
        return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[
            symbol
        ]
    if symbol in ("=~", "!~"):
        if not isinstance(left, str):
            raise _fail(left, "comparator", symbol, "string")
        if isinstance(right, str):
            right = _compile(right)
        if not isinstance(right, re.Pattern):
            raise _fail(right, "comparator", symbol, "string")
        return (right.search(left) is not None) == (symbol == "=~")
    if symbol == "in":
        if not isinstance(right, list):
            raise _fail(right, "comparator", symbol, "array")
        return any(_same(left, item) for item in right)
    if symbol == "+" and (isinstance(left, str) or isinstance(right, str)):
        return go_value(left) + go_value(right)
    a, b = _number(left, "modifier", symbol), _number(right, "modifier", symbol)
    return _arithmetic(symbol, a, b)


def _arithmetic(symbol: str, a: float, b: float) -> float:  # noqa: PLR0911
    if symbol == "/":
        if b == 0:  # Go's float division by zero gives an infinity, or NaN for 0/0
            return math.nan if a == 0 else math.copysign(math.inf, a)
        return a / b
    if symbol == "%":
        return math.fmod(a, b) if b != 0 else math.nan
    if symbol in ("&", "|", "^", "<<", ">>"):
        x, y = int(a), int(b)
        results = {"&": x & y, "|": x | y, "^": x ^ y, "<<": x << y, ">>": x >> y}
        return float(results[symbol])
    if symbol == "**":
        try:
            return math.pow(a, b)
        except (ValueError, OverflowError):  # Go's math.Pow answers NaN or an infinity
            return math.nan
    return {"+": a + b, "-": a - b, "*": a * b}[symbol]


def _compile(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise GovaluateError(f"Unable to compile regexp pattern '{text}': {exc}") from None


def should_execute(when: str) -> bool:
    """Argo's ShouldExecute on an already substituted `when`; ValueError with Argo's text."""
    if when == "":
        return True
    try:
        tokens = parse(when)
    except GovaluateError as exc:
        hint = ' (hint: try wrapping the affected expression in quotes ("))'
        extra = hint if "Invalid token" in str(exc) else ""
        raise ValueError(f"Invalid 'when' expression '{when}': {exc}{extra}") from None
    # Argo uses no govaluate variables: bare words become strings, so `heads == heads` holds.
    tokens = [Token("STRING", t.value) if t.kind == "VARIABLE" else t for t in tokens]
    try:
        check_syntax(tokens)
        compile_patterns(tokens)
    except GovaluateError as exc:
        raise ValueError(f"Failed to parse 'when' expression '{when}': {exc}") from None
    try:
        result = evaluate(tokens)
    except GovaluateError as exc:
        # "expresion" is Argo's spelling.
        raise ValueError(f"Failed to evaluate 'when' expresion '{when}': {exc}") from None
    if not isinstance(result, bool):
        raise ValueError(f"Expected boolean evaluation for '{when}'. Got {go_value(result)}")
    return result
