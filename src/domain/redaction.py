"""Keeps secret values out of anything recorded or shown.

A secret reaches text in more forms than its literal value: `repr()` (a `KeyError` message,
a list printed whole), JSON (a record, `json.dumps`), a URL (a query string), or one line
at a time (a multi-line PEM key printed or logged line by line). A `Masker` knows every
form of every secret up front and finds them all with one compiled regular expression, so
masking a line costs one regex scan however many secrets there are (about 20 µs for a
100-character line with 50 secrets on a slow machine; `benchmarks/masking.py`).

What cannot be masked: a line of a multi-line secret shorter than `MIN_LINE` characters
(masking `-----` or `ab` wherever it appears would destroy ordinary output; the whole value
and its longer lines are still masked), and anything derived from a secret in other ways
(a hash, a slice, base64, a value a step returns or writes to a file on purpose).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from contextlib import suppress
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"

#: Lines of a multi-line secret shorter than this are not masked on their own.
MIN_LINE = 4


def secret_forms(value: str) -> set[str]:
    """Every text form of `value` that masking must find (empty when `value` is empty)."""
    if not value:
        return set()
    forms = {value, repr(value), repr(value)[1:-1]}
    for ascii_only in (True, False):
        forms.add(json.dumps(value, ensure_ascii=ascii_only)[1:-1])
    # A lone surrogate (an undecodable environment byte) has no URL form.
    with suppress(UnicodeEncodeError):
        forms.update((quote(value, safe=""), quote(value), quote_plus(value)))
    lines = value.splitlines()
    if len(lines) > 1:
        forms.update(line for line in lines if len(line) >= MIN_LINE)
        forms.update(line.strip() for line in lines if len(line.strip()) >= MIN_LINE)
    forms.discard("")
    return forms


class Masker:
    """Replaces every form of a fixed set of secret values in text with `MASK`."""

    def __init__(self, secret_values: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for value in secret_values:
            forms |= secret_forms(value)
        self._forms = frozenset(forms)
        self._pattern = re.compile(_trie_pattern(forms)) if forms else None

    @property
    def forms(self) -> frozenset[str]:
        """The texts this masker replaces."""
        return self._forms

    def __bool__(self) -> bool:
        return self._pattern is not None

    def mask(self, text: str) -> str:
        """`text` with every form of every secret replaced by `MASK`."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)


def redact(text: str, secret_values: Iterable[str]) -> str:
    """Replace every form of each (non-empty) secret value in `text` with a mask."""
    return Masker(secret_values).mask(text)


def _trie_pattern(forms: Iterable[str]) -> str:
    """One regex matching any of `forms`, the longest one at each position.

    The forms are merged into a trie, so the pattern branches only where forms differ: a
    scan tests one character class at each position of the text, not every form (about
    3x faster than a flat alternation with ~50 secrets). At a node that ends a form and
    has continuations, the continuations are an optional (greedy) group: the regex takes
    the longest form there, so a secret that contains another is masked whole.
    """
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for char in form:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _node_pattern(root)


_END = ""  # the trie key that marks the end of a form (never a character of one)


def _node_pattern(node: dict[str, Any]) -> str:
    # Iterative over runs of single children (a long secret is one long chain), recursive
    # only where forms branch, so the depth is the number of branch points on a path.
    parts: list[str] = []
    while True:
        chars = sorted(key for key in node if key != _END)
        if not chars:
            break
        if len(chars) == 1 and _END not in node:
            parts.append(re.escape(chars[0]))
            node = node[chars[0]]
            continue
        branches = "|".join(re.escape(char) + _node_pattern(node[char]) for char in chars)
        parts.append(f"(?:{branches})?" if _END in node else f"(?:{branches})")
        break
    return "".join(parts)
