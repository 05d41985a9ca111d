import os

from runplane import Pipeline, PythonTask


def use_token() -> str:
    token = os.environ["team_token"]
    return f"token has {len(token)} characters"


pipeline = Pipeline([PythonTask(use_token, returns=["note"], secrets=["team_token"])])
