"""Pipelines in the style of runnable 0.50's `examples/` (01-tasks to 11-jobs), written for
these tests: each imports `from runplane.compat.runnable` where runnable's would import
`from runnable`, defines `main()` and calls `execute()` there, as runnable's do.
"""

from __future__ import annotations

HEADER = "import os\nfrom pathlib import Path\n\nfrom runplane.compat.runnable import *  # noqa\n"

# As runnable's examples do: functions imported from the project root (the working
# directory), the pipeline file in a folder of its own.
COMMON_FUNCTIONS = """
def hello():
    print("Hello World!")
"""

TASKS = """
from examples.common.functions import hello


def main():
    pipeline = Pipeline(steps=[
        Stub(name="hello stub", what="ever", catalog=None),
        PythonTask(name="hello python", function=hello, overrides={"argo": "smaller"}),
        ShellTask(name="hello shell", command="echo 'Hello World!'", terminate_with_success=True),
    ])
    pipeline.execute()
    return pipeline
"""

AS_PIPELINE = """
def hello():
    return "hi"


def main():
    pipeline = PythonTask(name="hello", function=hello, returns=["greeting"]).as_pipeline()
    pipeline.execute()
    return pipeline
"""

DEFAULT_FAIL = """
def raise_ex():
    raise Exception("This is an exception")


def main():
    pipeline = Pipeline(steps=[
        Stub(name="step 1"),
        PythonTask(name="step 2", function=raise_ex),
        Stub(name="step 3", terminate_with_success=True),
    ])
    pipeline.execute()
    return pipeline
"""

ON_FAILURE = """
def raise_ex():
    raise Exception("This is an exception")


def main():
    step_1 = PythonTask(name="step 1", function=raise_ex)
    step_4 = Stub(name="step 4", terminate_with_failure=os.environ.get("HANDLER_FAILS") == "1")
    step_1.on_failure = step_4.as_pipeline()
    pipeline = Pipeline(steps=[step_1, Stub(name="step 2"), Stub(name="step 3")])
    pipeline.execute()
    return pipeline
"""

CONDITIONAL = """
def toss():
    return os.environ["FIX_RANDOM_TOSS"]


def heads():
    return "went heads"


def tails():
    return "went tails"


def main():
    conditional = Conditional(
        name="conditional",
        branches={
            "heads": PythonTask(name="when_heads_task", function=heads,
                                returns=["went"]).as_pipeline(),
            "tails": PythonTask(name="when_tails_task", function=tails,
                                returns=["went"]).as_pipeline(),
        },
        parameter="toss",
    )
    pipeline = Pipeline(steps=[
        PythonTask(name="toss_task", function=toss, returns=["toss"]),
        conditional,
        Stub(name="continue to"),
    ])
    pipeline.execute()
    return pipeline
"""

PARAMETERS = '''
from collections import Counter

from pydantic import BaseModel


class ComplexParams(BaseModel):
    x: int
    foo: str


def write_parameter():
    df = Counter({"calories": 3, "duration": 3})
    return df, 1, 3.14, "hello", ComplexParams(x=10, foo="bar"), 0.9


def read_parameter(df: Counter, integer: int, floater: float, stringer: str,
                   pydantic_param: ComplexParams, score: float):
    assert df == Counter({"calories": 3, "duration": 3}) and isinstance(df, Counter)
    assert (integer, floater, stringer, score) == (1, 3.14, "hello", 0.9)
    assert pydantic_param.x == 10 and pydantic_param.foo == "bar"


def read_initial(integer: int, floater: float, stringer: str, pydantic_param: ComplexParams,
                 envvar: str):
    assert (integer, floater, stringer, envvar) == (1, 3.14, "hello", "from env")
    assert pydantic_param.x == 10


export_env_command = """
export integer=1
export floater=3.14
export stringer="hello"
export pydantic_param='{"x": 10, "foo": "bar"}'
export score=0.9
"""

read_in_shell = """
if [ "$integer" = 1 ] && [ "$floater" = 3.14 ] && [ "$stringer" = "hello" ] \\\\
    && [ "$pydantic_param" = '{"x": 10, "foo": "bar"}' ]; then
    echo "yaay"; exit 0
else
    echo "naay"; exit 1
fi
"""


def main():
    returns = ["integer", "floater", "stringer", "pydantic_param", metric("score")]
    pipeline = Pipeline(steps=[
        PythonTask(name="read_initial", function=read_initial),
        ShellTask(name="read_initial_in_shell", command=read_in_shell),
        PythonTask(name="set_parameter", function=write_parameter,
                   returns=[pickled("df"), *returns]),
        PythonTask(name="get_parameters", function=read_parameter),
        ShellTask(name="write_parameter_shell", command=export_env_command, returns=returns),
        ShellTask(name="read_parameters_in_shell", command=read_in_shell,
                  terminate_with_success=True),
    ])
    pipeline.execute(parameters_file="initial_parameters.yaml")
    return pipeline
'''

CATALOG = """
def write_files():
    Path("data_folder").mkdir(exist_ok=True)
    Path("df.csv").write_text("a,b\\n1,2\\n")
    Path("data_folder/data.txt").write_text("hello")


def read_files():
    assert Path("df.csv").read_text() == "a,b\\n1,2\\n"
    assert Path("data_folder/data.txt").read_text() == "hello"


delete = "rm df.csv || true && rm data_folder/data.txt || true"


def main():
    read_catalog = Catalog(get=["df.csv", "data_folder/data.txt"])
    pipeline = Pipeline(steps=[
        PythonTask(name="generate_data", function=write_files,
                   catalog=Catalog(put=["df.csv", "data_folder/data.txt"])),
        ShellTask(name="delete_after_generate", command=delete),
        PythonTask(name="read_data_py", function=read_files, catalog=read_catalog),
        ShellTask(name="delete_after_python_get", command=delete),
        ShellTask(name="read_data_shell", catalog=read_catalog,
                  command="ls df.csv >/dev/null && ls data_folder/data.txt >/dev/null"),
        PythonTask(name="generate_no_copy", function=write_files,
                   catalog=Catalog(put=["df.csv"], store_copy=False)),
    ])
    pipeline.execute()
    return pipeline
"""

CATALOG_ON_FAIL = """
def main():
    fail_immediately = ShellTask(
        name="fail_immediately",
        command="touch df.csv && exit 1",
        catalog=Catalog(put=["df.csv", "data_folder/data.txt"]),
        terminate_with_failure=True,
    )
    fail_immediately.on_failure = Pipeline(steps=[
        ShellTask(name="success_node", command="echo 'success'", terminate_with_success=True)
    ])
    pipeline = Pipeline(steps=[fail_immediately])
    pipeline.execute()
    return pipeline
"""

PARALLEL_MAP = '''
def process_chunk(chunk):
    return chunk * 10


def hello():
    return 1, "A"


def second():
    return "B"


def collect_values(processed_python, processed_shell):
    return processed_python, processed_shell


def branch():
    shell = """
    if [ "$processed_python" = $( expr 10 '*' "$chunk" ) ]; then echo yaay; else exit 1; fi
    export processed_shell=$( expr 10 '*' "$processed_python")
    """
    return Pipeline(steps=[
        PythonTask(name="execute_python", function=process_chunk, returns=["processed_python"]),
        ShellTask(name="execute_shell", command=shell, returns=["processed_shell"]),
        Stub(name="read processed chunk", terminate_with_success=True),
    ])


def main():
    parallel = Parallel(name="parallel", branches={
        "one": PythonTask(name="one", function=hello, returns=["from_one", "shared"]).as_pipeline(),
        "two": Pipeline(steps=[Stub(name="two"), PythonTask(function=second, returns=["shared"])]),
    })
    map_state = Map(name="map state", iterate_on="chunks", iterate_as="chunk", branch=branch(),
                    reducer=os.environ.get("REDUCER") or None)
    collect = PythonTask(name="collect", function=collect_values, returns=["python", "shell"],
                         terminate_with_success=True)
    pipeline = Pipeline(steps=[parallel, map_state, collect])
    pipeline.execute(parameters_file="initial_parameters.yaml")
    return pipeline
'''

LOOP = """
from runplane.compat.runnable.sdk import Loop, Pipeline, PythonTask  # runnable.sdk

def counter_task():
    counter = int(os.environ.get("counter", 0))
    stop_at = int(os.environ.get("STOP_AT", "3"))
    return counter, counter >= stop_at


def check_final_count(counter: int, should_stop: bool):
    return counter, should_stop


def main():
    loop = Loop(
        name="counter_loop",
        branch=Pipeline(steps=[
            PythonTask(name="count", function=counter_task, returns=["counter", "should_stop"])
        ]),
        max_iterations=5,
        break_on="should_stop",
        index_as="counter",
    )
    pipeline = Pipeline(name="loop_example", steps=[
        loop,
        PythonTask(name="validate", function=check_final_count, returns=["final", "stopped"],
                   terminate_with_success=True),
    ])
    pipeline.execute()
    return pipeline
"""

RETRY = """
def prepare():
    return 41


def flaky(prepared):
    if os.environ.get("STILL_BROKEN") == "1":
        raise RuntimeError("not yet")
    return prepared + 1


def main():
    pipeline = Pipeline(steps=[
        PythonTask(name="prepare", function=prepare, returns=["prepared"]),
        PythonTask(name="flaky", function=flaky, returns=["answer"]),
    ])
    pipeline.execute()
    return pipeline
"""

NOTEBOOK = """
def main():
    pipeline = Pipeline(steps=[
        NotebookTask(name="read_and_write", notebook="notebooks/process.ipynb",
                     returns=["processed_notebook", metric("rows")]),
        ShellTask(name="check", command='[ "$processed_notebook" = 10 ]',
                  terminate_with_success=True),
    ])
    pipeline.execute(parameters_file="initial_parameters.yaml")
    return pipeline
"""

PYTHON_JOB = """
def train(integer: int):
    Path("model.txt").write_text(f"model {integer}")
    return integer * 2, 0.25


def main():
    job = PythonJob(function=train, returns=["doubled", metric("loss")],
                    catalog=Catalog(put=["model.txt"]))
    job.execute(parameters_file="initial_parameters.yaml")
    return job
"""

SHELL_JOB = """
def main():
    command = 'echo "stringer is $stringer"; export shouted=$(echo $stringer | tr a-z A-Z)'
    job = ShellJob(command=command, returns=["shouted"])
    job.execute(parameters_file="initial_parameters.yaml")
    return job
"""

INITIAL_PARAMETERS = """integer: 1
floater: 3.14
stringer: hello
pydantic_param:
  x: 10
  foo: bar
chunks: [1, 2, 3]
"""
