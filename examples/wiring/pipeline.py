"""Test a pipeline's wiring without running it: `runplane check` and the mocked executor.

runplane check pipeline.py -p params.yaml           # static: every input is provided
runplane run pipeline.py -p params.yaml -c mocked.yaml   # walks everything, runs nothing
"""

from runplane import Conditional, Map, Pipeline, PythonTask, ShellTask


def list_files(folder: str) -> list[str]:
    raise RuntimeError("slow: lists a bucket")


def measure(file: str, folder: str) -> int:
    raise RuntimeError("slow: downloads the file")


def decide(sizes: list[int], threshold: int) -> str:
    return "large" if sum(sizes) > threshold else "small"


def train_big(sizes: list[int]) -> str:
    raise RuntimeError("slow: trains on a GPU")


def train_small(sizes: list[int], **options: object) -> str:
    raise RuntimeError("slow: trains on a CPU")


pipeline = Pipeline(
    [
        PythonTask(list_files, returns=["files"]),
        Map(
            "sizes_of",
            iterate_on="files",
            iterate_as="file",
            branch=Pipeline([PythonTask(measure, returns=["sizes"])]),
        ),
        PythonTask(decide, returns=["size"]),
        Conditional(
            "train",
            parameter="size",
            branches={
                "large": Pipeline([PythonTask(train_big, returns=["model"])]),
                "small": Pipeline([PythonTask(train_small, returns=["model"])]),
            },
        ),
        ShellTask('echo "publishing $RUNPLANE_PRM_model"', name="publish"),
    ],
    name="wiring",
)
