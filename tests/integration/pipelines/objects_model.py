"""A class whose instances are returned as objects: it lives in an importable module."""

from dataclasses import dataclass


@dataclass
class Model:
    weights: list[float]

    def predict(self, x: float) -> float:
        return sum(w * x for w in self.weights)
