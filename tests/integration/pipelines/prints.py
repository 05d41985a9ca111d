"""A step that prints to stdout and stderr."""

import sys

from runplane import Pipeline, PythonTask


def chatty() -> int:
    print("step says hello on stdout")
    print("step says hello on stderr", file=sys.stderr)
    return 1


pipeline = Pipeline([PythonTask(chatty, returns=["n"])])
