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


def test_readme_command_list_names_every_command() -> None:
    import typer  # noqa: PLC0415

    from runplane.adapters.cli.commands import cli  # noqa: PLC0415

    def paths(command: object, path: str) -> list[str]:
        children = getattr(command, "commands", None)
        if children is None:
            return [path]
        return [p for name, c in children.items() for p in paths(c, f"{path} {name}")]

    readme = (DOCS.parent / "README.md").read_text()
    listed = readme[readme.index("## The command line") :]
    listed = listed[: listed.index("\n```\n", listed.index("```\n") + 4)]
    missing = [
        path
        for path in paths(typer.main.get_command(cli), "runplane")
        if f"{path} " not in listed
        and f"{path}\n" not in listed
        and path.split()[-1] not in listed.split("runplane start-run")[-1]
    ]
    assert missing == [], f"README's command list lacks {missing}"
