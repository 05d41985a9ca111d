from objects_model import Model  # type: ignore[import-not-found]  # a sibling file

from runplane import Map, Pipeline, PythonTask


def fit(item: int) -> Model:
    return Model([float(item), 1.0])


def score(models: list[Model]) -> float:
    return float(sum(m.predict(2.0) for m in models))


pipeline = Pipeline(
    [
        PythonTask(lambda: [1, 2], name="items", returns=["xs"]),
        Map("fit_all", "xs", "item", Pipeline([PythonTask(fit, returns=["models"])])),
        PythonTask(score, returns=["total"]),
    ]
)
