"""One step putting `big.bin` (made by the test beforehand) into the catalog."""

from runplane import Catalog, Pipeline, PythonTask


def put_file() -> None:
    """The file is already there."""


pipeline = Pipeline([PythonTask(put_file, catalog=Catalog(put=["big.bin"]))])
