"""The masker: every form of every secret, longest first, one regex; the process registry."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.app import capture, masking
from runplane.app.masking import MaskedRunLogStore
from runplane.domain.errors import SecretError, SecretNotFoundError
from runplane.domain.redaction import MASK, MIN_LINE, Masker, secret_forms
from runplane.domain.run_log import Attempt, RunLog, Status, StepLog

PEM = "-----BEGIN KEY-----\nMIIBOgIBAAJBAK\nab\n-----END KEY-----"


@pytest.mark.parametrize(
    "shown",
    [
        lambda v: v,
        repr,
        lambda v: repr(v)[1:-1],
        json.dumps,
        lambda v: json.dumps(v, ensure_ascii=False),
        lambda v: quote(v, safe=""),
        quote_plus,
        lambda v: str(KeyError(v)),
        lambda v: str([v, v]),
    ],
)
@pytest.mark.parametrize("secret", ["s3cr3t", 'it\'s "quoted" \\ here', "clé ☃ ü", PEM])
def test_each_form_of_a_secret_is_masked(shown: object, secret: str) -> None:
    text = f"before {shown(secret)} after"  # type: ignore[operator]
    masked = Masker([secret]).mask(text)
    assert secret not in masked
    assert masked.startswith("before ")
    assert masked.endswith(" after")
    assert MASK in masked


def test_lines_of_a_multi_line_secret_are_masked_alone_unless_short() -> None:
    masker = Masker([PEM])
    assert masker.mask("got MIIBOgIBAAJBAK here") == f"got {MASK} here"
    assert masker.mask("-----END KEY-----") == MASK
    # A line shorter than MIN_LINE would mask ordinary words everywhere: left alone.
    assert len("ab") < MIN_LINE
    assert masker.mask("ab cd") == "ab cd"


def test_a_secret_containing_another_is_masked_whole() -> None:
    masker = Masker(["abc", "abc123", ""])
    assert masker.mask("token=abc123 and abc and abc1") == f"token={MASK} and {MASK} and {MASK}1"


def test_no_secrets_changes_nothing() -> None:
    assert not Masker([])
    assert Masker(["", ""]).mask("anything") == "anything"
    assert secret_forms("") == set()


@settings(max_examples=60, deadline=None)
@given(
    secrets=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6),
    filler=st.lists(st.text(max_size=6), min_size=1, max_size=8),
)
def test_the_trie_masks_exactly_as_a_longest_first_alternation(
    secrets: list[str], filler: list[str]
) -> None:
    masker = Masker(secrets)
    forms = sorted(masker.forms, key=len, reverse=True)
    reference = re.compile("|".join(map(re.escape, forms)))
    pieces = [f + forms[i % len(forms)] for i, f in enumerate(filler)]
    text = "".join(pieces)
    assert masker.mask(text) == reference.sub(MASK, text)


def test_the_registry_masks_every_value_registered_in_the_process() -> None:
    assert masking.mask("a-token and b-token") == "a-token and b-token"
    masking.register(["a-token"])
    masking.register(["b-token", ""])
    assert masking.mask("a-token and b-token") == f"{MASK} and {MASK}"


def test_the_store_wrapper_masks_records_written_and_read() -> None:
    inner = BufferedRunLogStore()
    store = MaskedRunLogStore(inner)
    masking.register(["hunter22"])
    store.create_run(RunLog("r1", Status.PROCESSING, "2026-01-01T00:00:00+00:00"))
    step = StepLog("s", "task")
    step.attempts.append(Attempt(1, Status.FAIL, "t", message="bad hunter22", traceback="x"))
    store.put_step("r1", step)
    assert inner.get_step("r1", "s").attempts[0].message == f"bad {MASK}"
    masking.register(["bad"])  # became secret after it was written: masked when read
    assert store.get_step("r1", "s").attempts[0].message == f"{MASK} {MASK}"


def test_the_live_echo_is_masked_even_when_a_secret_is_printed_in_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = io.StringIO()
    monkeypatch.setattr(sys, "stdout", shown)
    capture.install()
    masking.register(["pass-word-9"])
    kept = io.StringIO()
    with capture.captured(kept):
        sys.stdout.write("x pass-")
        sys.stdout.write("word-9 y\n")
        print(PEM.splitlines()[1])  # not a secret yet
        sys.stdout.write("tail pass-word-9")
        sys.stdout.flush()
    assert shown.getvalue() == f"x {MASK} y\nMIIBOgIBAAJBAK\ntail {MASK}"
    assert "pass-word-9" in kept.getvalue()  # masked whole when the attempt keeps it


class _Flaky:
    """A secrets store that has `a`, lacks `b` and is unreachable for `c` and after."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def get(self, name: str) -> str:
        self.asked.append(name)
        if name == "a":
            return "value-of-a"
        if name == "b":
            raise SecretNotFoundError(name, "the test store")
        raise SecretError(f"store unreachable while reading {name!r}")


def test_masking_fetches_what_it_can_and_stops_at_an_unreachable_store() -> None:
    store = _Flaky()
    masking.fetch_for_masking(store, ["d", "c", "b", "a"])
    assert store.asked == ["a", "b", "c"]  # not "d": the store failed at "c"
    assert masking.mask("value-of-a") == MASK


def test_an_executed_notebook_is_masked_string_by_string(tmp_path: Path) -> None:
    notebook = tmp_path / "n.executed.ipynb"
    cell = {"outputs": [{"text": ["key: pass-word-9\n", "done\n"]}], "source": ['print("x")']}
    notebook.write_text(json.dumps({"cells": [cell], "nbformat": 4}))
    masking.register(['", "'])  # a secret that looks like JSON punctuation
    masking.register(["pass-word-9"])
    masking.mask_json_file(notebook)
    data = json.loads(notebook.read_text())  # still valid JSON
    assert data["cells"][0]["outputs"][0]["text"] == [f"key: {MASK}\n", "done\n"]
    assert data["nbformat"] == 4
