"""Masking cost: microseconds per printed line with 50 secrets (45 tokens, 5 PEM-like keys).

Run: `.venv/bin/python benchmarks/masking.py`. Prints the time to build the masker and to
mask a 100-character line, against a flat alternation of the same forms (the trie's gain).
"""

from __future__ import annotations

import random
import re
import string
import time

from runplane.domain.redaction import MASK, Masker

LINES = 5000


def _secrets(rng: random.Random) -> list[str]:
    tokens = string.ascii_letters + string.digits + "\"'\\/+"
    values = ["".join(rng.choices(tokens, k=rng.randint(8, 40))) for _ in range(45)]
    for _ in range(5):
        body = ("".join(rng.choices(string.ascii_letters, k=64)) for _ in range(5))
        values.append("-----BEGIN KEY-----\n" + "\n".join(body) + "\n-----END KEY-----")
    return values


def _per_line(mask: object, lines: list[str]) -> float:
    started = time.perf_counter()
    for line in lines:
        mask(line)  # type: ignore[operator]
    return (time.perf_counter() - started) / len(lines) * 1e6


def main() -> None:
    """Print the build time and µs per line, trie and flat alternation."""
    rng = random.Random(16)
    secrets = _secrets(rng)
    started = time.perf_counter()
    masker = Masker(secrets)
    built = (time.perf_counter() - started) * 1e3
    printable = string.ascii_letters + string.digits + string.punctuation + " "
    lines = ["".join(rng.choices(printable, k=100)) for _ in range(LINES)]
    flat = re.compile("|".join(map(re.escape, sorted(masker.forms, key=len, reverse=True))))
    trie = _per_line(masker.mask, lines)
    alternation = _per_line(lambda line: flat.sub(MASK, line), lines)
    print(f"{len(secrets)} secrets, {len(masker.forms)} forms, masker built in {built:.1f} ms")
    print(f"trie: {trie:.1f} µs per 100-char line; flat alternation: {alternation:.1f} µs")


if __name__ == "__main__":
    main()
