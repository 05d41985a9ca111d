from runplane import Catalog, Pipeline, PythonTask


def write() -> None:
    pass


pipeline = Pipeline([PythonTask(write, catalog=Catalog(put=["../outside.csv"]))])
