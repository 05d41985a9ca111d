import json
from pathlib import Path

from runplane import Catalog, Pipeline, PythonTask, ShellTask


def show(alpha: float, name: str, items: list[int]) -> int:
    Path("seen.json").write_text(json.dumps({"alpha": alpha, "name": name, "items": items}))
    return sum(items)


def pipeline() -> Pipeline:
    return Pipeline(
        [
            PythonTask(show, returns=["total"], catalog=Catalog(put=["seen.json"])),
            ShellTask(
                'echo "doubled=$((RUNPLANE_PRM_total * 2))" > "$RUNPLANE_RETURNS"',
                name="double",
                returns=["doubled"],
            ),
        ]
    )
