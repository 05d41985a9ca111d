"""The `config:` block of the Argo executor: DESIGN.md's example plus pod settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from runplane.domain.errors import ConfigurationError


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersistentVolume(_Frozen):
    """An existing PersistentVolumeClaim, `name`, mounted at `mount_path` in every container."""

    name: str
    mount_path: str


class SecretFromK8s(_Frozen):
    """An environment variable filled from a key of a Kubernetes secret."""

    environment_variable: str
    secret_name: str
    secret_key: str


class Amounts(_Frozen):
    """Compute resources in Kubernetes quantities; `gpu` becomes `nvidia.com/gpu`."""

    cpu: str | None = None
    memory: str | None = None
    gpu: int | None = Field(default=None, ge=0)


class Resources(_Frozen):
    """What a container requests and what it may use at most."""

    requests: Amounts | None = None
    limits: Amounts | None = None


class Toleration(_Frozen):
    """A Kubernetes toleration: lets pods run on nodes with a matching taint."""

    key: str | None = None
    operator: Literal["Equal", "Exists"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = None


class TtlStrategy(_Frozen):
    """How long a finished workflow is kept before Argo deletes it."""

    seconds_after_completion: int | None = Field(default=None, ge=0)
    seconds_after_success: int | None = Field(default=None, ge=0)
    seconds_after_failure: int | None = Field(default=None, ge=0)


class ContainerSettings(_Frozen):
    """Settings of the containers that run steps; an override sets only what it changes."""

    image: str | None = None
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] | None = None
    resources: Resources | None = None
    node_selector: dict[str, str] | None = None
    tolerations: tuple[Toleration, ...] | None = None
    env: dict[str, str] | None = None
    #: Map iterations one pod runs, one after another (each still its own step records).
    #: Argo keeps every node in the Workflow object: one pod per iteration of a big map
    #: outgrows etcd's object limit. A map takes the value of the override its branch's
    #: tasks name, else the executor's.
    iterations_per_pod: int | None = Field(default=None, ge=1)


class ArgoExecutorConfig(ContainerSettings):
    """Settings of the Argo executor, in the shape of DESIGN.md's example.

    The container settings inherited from ContainerSettings are the defaults of every
    container; `overrides` names alternative settings a task selects with
    `overrides={"argo": "<name>"}`.
    """

    image: str
    iterations_per_pod: int = Field(default=1, ge=1)
    persistent_volumes: tuple[PersistentVolume, ...] = ()
    secrets_from_k8s: tuple[SecretFromK8s, ...] = ()
    overrides: dict[str, ContainerSettings] = Field(default_factory=dict)
    service_account_name: str | None = None
    image_pull_secrets: tuple[str, ...] = ()
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    parallelism: int | None = Field(default=None, ge=1)
    active_deadline_seconds: int | None = Field(default=None, ge=1)
    ttl_strategy: TtlStrategy | None = None
    #: The containers' working directory (else the image's); the pipeline file is found
    #: relative to it.
    working_dir: str | None = None
    #: Name prefix of rendered workflows (else the pipeline's name, else "runplane").
    name: str | None = None
    #: Time zone of a CronWorkflow's schedule (else the controller's).
    timezone: str | None = None

    def settings_for(self, override: str | None, step: str) -> ContainerSettings:
        """The container settings of a step: the defaults, then its override's settings."""
        if override is None:
            return self
        chosen = self.overrides.get(override)
        if chosen is None:
            valid = ", ".join(sorted(self.overrides)) or "none defined"
            raise ConfigurationError(
                f"step {step!r} names argo override {override!r}, which executor.config."
                f"overrides does not define; overrides: {valid}"
            )
        # env and resources merge key by key (a GPU limit keeps the default CPU request);
        # every other setting the override gives replaces the default.
        merged = self.model_dump(include=set(ContainerSettings.model_fields), exclude_none=True)
        changes = chosen.model_dump(exclude_none=True)
        merged["env"] = {**merged.get("env", {}), **changes.pop("env", {})}
        resources = merged.get("resources", {})
        for part, amounts in changes.pop("resources", {}).items():
            resources[part] = {**resources.get(part, {}), **amounts}
        merged["resources"] = resources
        return ContainerSettings.model_validate({**merged, **changes})
