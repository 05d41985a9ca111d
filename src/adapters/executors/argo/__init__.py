"""The Argo Workflows executor (a subpackage: config, naming, containers, DAGs, manifest, API)."""

from runplane.adapters.executors.argo.config import ArgoExecutorConfig
from runplane.adapters.executors.argo.executor import ArgoExecutor

__all__ = ["ArgoExecutor", "ArgoExecutorConfig"]
