"""The shape of runnable's YAML pipeline format (`dag:` with `start_at` and `steps`).

Only the keys are listed here: a misspelt key is refused with the valid ones, the way
runplane's own YAML format refuses it.
"""

from __future__ import annotations

#: Keys of a dag (the file's `dag:`, a branch, a map's `branch`).
DAG_KEYS = frozenset({"start_at", "steps", "description", "name", "internal_branch_name"})

_FLOW = {"next", "on_failure", "description", "terminate_with_success", "terminate_with_failure"}
_TASK = {"command_type", "command", "returns", "catalog", "secrets", "overrides", "notebook"}

#: Keys of each step `type`; `stub` takes any key (runnable ignores a stub's settings).
STEP_KEYS: dict[str, frozenset[str]] = {
    "task": frozenset({"type", *_FLOW, *_TASK}),
    "parallel": frozenset({"type", *_FLOW, "branches"}),
    "map": frozenset({"type", *_FLOW, "branch", "iterate_on", "iterate_as", "reducer"}),
    "conditional": frozenset({"type", *_FLOW, "branches", "parameter"}),
    "loop": frozenset({"type", *_FLOW, "branch", "max_iterations", "break_on", "index_as"}),
    "success": frozenset({"type", "description"}),
    "fail": frozenset({"type", "description"}),
}
STUB = "stub"
TERMINAL = ("success", "fail")
COMMAND_TYPES = ("python", "shell", "notebook")
RETURN_KINDS = ("json", "object", "metric")
