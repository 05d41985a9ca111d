"""The plain wiring `execute-step` uses builds what the container builds."""

from pathlib import Path

import pytest

from runplane.app.container import create_container
from runplane.app.step_service import build_service


@pytest.mark.parametrize("config", [None, "run_log_store: {type: buffered}\n"])
def test_step_service_matches_the_container(tmp_path: Path, config: str | None) -> None:
    path = None
    if config is not None:
        path = tmp_path / "c.yaml"
        path.write_text(config)
    ours = build_service(str(path) if path else None)
    theirs = create_container(str(path) if path else None).service()
    assert type(ours) is type(theirs)
    for part in ("_executor", "_store", "_catalog", "_secrets"):
        assert type(getattr(ours, part)) is type(getattr(theirs, part)), part
    assert {k: type(v) for k, v in ours._runners.items()} == {
        k: type(v) for k, v in theirs._runners.items()
    }
    assert ours._configuration == theirs._configuration
