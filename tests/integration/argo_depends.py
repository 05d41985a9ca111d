"""Argo's `depends`: its grammar, bare-name expansion, and task results from node phases.

Ported from reading Argo's sources (no code copied): workflow/common/ancestry.go
(`GetTaskDependencies`, `getTaskDependsLogic`, `expandDependency`, `ValidateTaskResults`)
and workflow/controller/dag.go (`evaluateDependsLogic`, `TaskResults`). A bare `task` means
`(task.Succeeded || task.Skipped || task.Daemoned)` (plus Errored / Failed with continueOn);
`dependencies: [a, b]` means `a && b`. Argo evaluates the result with the `expr` language:
`&&`/`and`, `||`/`or`, `!`/`not` and parentheses; `AnySucceeded` and `AllFailed` look at
the children of a task expanded by withParam/withItems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RESULTS = (
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
)
#: A task reference: a task name, maybe with `.Result` (ancestry.go's taskNameRegex).
REFERENCE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_-]*)(?:\.([A-Za-z]+))?")
_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_][A-Za-z0-9_.-]*)")
_WORDS = {"and": "&&", "or": "||", "not": "!"}
PHASES = {
    "Succeeded": "Succeeded",
    "Failed": "Failed",
    "Errored": "Error",
    "Skipped": "Skipped",
    "Omitted": "Omitted",
}


@dataclass
class Finished:
    """What `depends` sees of a finished task: its phase, and its children's if expanded."""

    phase: str
    children: Sequence[str] = field(default_factory=tuple)
    expanded: bool = False


def logic(task: Mapping[str, Any], tasks: Mapping[str, Mapping[str, Any]]) -> str:
    """getTaskDependsLogic plus the expansion of bare names: every reference explicit."""
    depends = task.get("depends") or " && ".join(task.get("dependencies", ()))

    def expand(match: re.Match[str]) -> str:
        name, result = match.group(1), match.group(2)
        if name in _WORDS:
            return match.group(0)
        if result is not None:
            if result not in RESULTS:
                raise ValueError(f"task result '{result}' for task '{name}' is invalid")
            return match.group(0)
        continue_on = tasks.get(name, {}).get("continueOn", {})
        options = ["Succeeded", "Skipped", "Daemoned"]
        options += ["Errored"] * bool(continue_on.get("error"))
        options += ["Failed"] * bool(continue_on.get("failed"))
        return "(" + " || ".join(f"{name}.{o}" for o in options) + ")"

    return REFERENCE.sub(expand, depends)


def dependencies(task: Mapping[str, Any]) -> set[str]:
    """The tasks a DAG task's `depends` (or `dependencies`) names."""
    depends = task.get("depends") or " && ".join(task.get("dependencies", ()))
    return {m.group(1) for m in REFERENCE.finditer(depends) if m.group(1) not in _WORDS}


def evaluate(expression: str, done: Mapping[str, Finished]) -> bool:
    """An expanded `depends` over finished tasks (evaluateDependsLogic)."""
    tokens, position = [], 0
    while expression[position:].strip():
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ValueError(f"unable to evaluate expression '{expression}' at {position}")
        tokens.append(_WORDS.get(match.group(1), match.group(1)))
        position = match.end()
    parser = _Parser(tokens, done)
    value = parser.either()
    if parser.index != len(tokens):
        raise ValueError(f"unable to evaluate expression '{expression}': unexpected token")
    return value


class _Parser:
    def __init__(self, tokens: list[str], done: Mapping[str, Finished]) -> None:
        self.tokens, self.index, self.done = tokens, 0, done

    def next(self) -> str:
        if self.index >= len(self.tokens):
            raise ValueError("unable to evaluate expression: unexpected end")
        self.index += 1
        return self.tokens[self.index - 1]

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def either(self) -> bool:
        value = self.both()
        while self.peek() == "||":
            self.index += 1
            right = self.both()  # no short circuit needed: evaluation has no side effects
            value = value or right
        return value

    def both(self) -> bool:
        value = self.negated()
        while self.peek() == "&&":
            self.index += 1
            right = self.negated()
            value = value and right
        return value

    def negated(self) -> bool:
        token = self.next()
        if token == "!":
            return not self.negated()
        if token == "(":
            value = self.either()
            if self.next() != ")":
                raise ValueError("unable to evaluate expression: unbalanced parentheses")
            return value
        name, _, result = token.partition(".")
        if result not in RESULTS:
            raise ValueError(f"unable to evaluate expression: {token!r} is no task result")
        return _result(self.done[name], result)


def _result(task: Finished, result: str) -> bool:
    if result == "AnySucceeded":
        return task.expanded and "Succeeded" in task.children
    if result == "AllFailed":
        return task.expanded and bool(task.children) and set(task.children) == {"Failed"}
    if result == "Daemoned":
        return False  # runplane renders no daemons
    return task.phase == PHASES[result]
