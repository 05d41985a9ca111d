"""A map over files with a reducer, written with the Python SDK (pipeline.yaml is the same).

cd examples/map_yaml && runplane run pipeline.py     # or: runplane run pipeline.yaml
"""

from counting import count_lines, generate, report

from runplane import Catalog, Map, Pipeline, PythonTask, ShellTask, metric


def pipeline() -> Pipeline:
    return Pipeline(
        name="map-example",
        steps=[
            PythonTask(
                generate, returns=["files", metric("n_files")], catalog=Catalog(put=["data"])
            ),
            Map(
                "per_file",
                iterate_on="files",
                iterate_as="file",
                reducer="sum",
                branch=Pipeline(
                    [PythonTask(count_lines, returns=["lines"], catalog=Catalog(get=["data"]))]
                ),
            ),
            PythonTask(report),
            ShellTask('echo "counted $RUNPLANE_PRM_lines lines"', name="done"),
        ],
    )


if __name__ == "__main__":
    pipeline().execute()
