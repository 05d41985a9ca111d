"""A shell job: `runplane job report.py -p params.yaml`."""

from runplane import ShellJob

job = ShellJob(
    'echo "rate=$RUNPLANE_PRM_learning_rate" && echo "summary=done" >> "$RUNPLANE_RETURNS"',
    name="report",
    returns=["summary"],
)
