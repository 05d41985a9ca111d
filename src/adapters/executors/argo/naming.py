"""Argo names from step paths: lowercase DNS-style labels, unique where they must be."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Kubernetes object names are DNS labels of at most 63 characters; keep room for suffixes.
MAX_NAME = 56

_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def dns_name(text: str, limit: int = MAX_NAME) -> str:
    """`text` as a DNS label starting with a letter (`Train Model.1` -> `train-model-1`).

    Argo refuses DAG task names starting with a digit when `depends` is used, so those get
    an `s-` prefix.
    """
    name = _NOT_ALLOWED.sub("-", text.lower()).strip("-")
    if not name or not name[0].isalpha():
        name = f"s-{name}".rstrip("-")
    return name[:limit].rstrip("-")


class Namer:
    """Hands out distinct DNS names: a clash gets `-2`, `-3`, ... appended."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken = set(reserved)

    def claim(self, wanted: str) -> str:
        """A name for `wanted` that no earlier claim (or reserved name) has."""
        base = dns_name(wanted)
        name, counter = base, 1
        while name in self._taken:
            counter += 1
            suffix = f"-{counter}"
            name = base[: MAX_NAME - len(suffix)].rstrip("-") + suffix
        self._taken.add(name)
        return name
