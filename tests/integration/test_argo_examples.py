"""Every example in examples/ renders with config/argo.yaml and runs under the interpreter
(which evaluates `when` and `depends` as Argo does) leaving the run log a local run leaves.
"""

import shutil
from pathlib import Path
from typing import Any

import pytest

from runplane.domain.run_log import RunLog
from runplane.sdk import service
from tests.integration.argo_support import ARGO_CONFIG
from tests.integration.conftest import REPO
from tests.integration.test_argo_interpreter import SECRETS, argo_run, interpret, local_run, shape

pytestmark = pytest.mark.integration

#: Every example pipeline, Python and YAML (examples/jobs holds jobs, not pipelines).
EXAMPLES = sorted(
    f"{p.parent.name}/{p.name}"
    for pattern in ("*/pipeline.py", "*/pipeline.yaml")
    for p in (REPO / "examples").glob(pattern)
)
#: What the examples' steps read from the environment (the seed's secret).
ENV = {"secret_key": "demo"}


def comparable(run: RunLog) -> dict[str, Any]:
    """shape(), less the hashes of executed notebooks (they hold execution times)."""
    result = shape(run)
    for step in result["steps"].values():
        step["data"] = [
            (name, stage, None if name.endswith(".executed.ipynb") else sha)
            for name, stage, sha in step["data"]
        ]
    return result


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_runs_under_argo_as_it_runs_locally(
    example: str, tmp_path: Path, clean_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, pipeline = example.split("/")
    image = tmp_path / "image"
    shutil.copytree(REPO / "examples" / folder, image)
    params = image / "params.yaml"
    local = local_run(image, pipeline, tmp_path, ENV, clean_env)
    monkeypatch.chdir(image)  # as the containers do: the notebook example looks from here
    app = service(str(ARGO_CONFIG))
    manifest = app.render(
        app.load_pipeline(pipeline),
        pipeline_file=pipeline,
        parameters_file=str(params) if params.is_file() else None,
    )
    outcome, interpreter = interpret(manifest, image, tmp_path, secrets=SECRETS, workers=2)
    assert interpreter.errors == []  # no expression Argo would refuse
    failed = "\n".join(p.output for p in interpreter.pods if p.code)
    assert comparable(argo_run(tmp_path)) == comparable(local), failed
    assert outcome == ("Succeeded" if local.status.value == "success" else "Failed"), failed
