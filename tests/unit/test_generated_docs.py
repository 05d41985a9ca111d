"""docs/configuration.md and docs/cli.md are generated; they must match the code."""

from pathlib import Path

import pytest

from runplane.app.docgen import cli_reference, configuration_reference

DOCS = Path(__file__).resolve().parents[2] / "docs"
REGENERATE = "regenerate with: python -m runplane.app.docgen docs"


@pytest.mark.parametrize(
    ("page", "build"), [("configuration.md", configuration_reference), ("cli.md", cli_reference)]
)
def test_generated_page_is_current(page: str, build: object) -> None:
    assert callable(build)
    current = (DOCS / page).read_text()
    assert current == build(), f"docs/{page} is stale; {REGENERATE}"


def test_configuration_reference_lists_every_builtin_type_and_key() -> None:
    text = configuration_reference()
    for heading in ("`type: file-system`", "`type: local-subprocess`", "`type: vault`"):
        assert heading in text
    assert "| `log_folder` | `str` | `'.run_log_store'` |" in text


def test_cli_reference_documents_new_commands_and_their_options() -> None:
    text = cli_reference()
    assert "### `runplane runs list`" in text
    assert "`--since`" in text
    assert "### `runplane graph`" in text
