"""A notebook job: `cd examples/jobs && runplane job explore.py -p params.yaml`.

The notebook path is relative to the working directory; the executed notebook is kept
in the run's catalog.
"""

from runplane import NotebookJob

job = NotebookJob("explore.ipynb", returns=["steps"])
