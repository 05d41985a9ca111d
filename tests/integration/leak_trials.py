"""The configurations and the plumbing of the random-secrets property test.

A `Setup` names one trial's executor, run log store (S3 comes with the S3 catalog) and
secret store; `ROTATION` orders them so the first three trials cover every executor, store
and secret store, and nine cover every pair. A `Trial` lays out a scratch folder, runs
`pipelines/leak_channels.py` there (the CLI in a subprocess on the local executors, so the
live echo is the real one; rendered, then walked pod by pod by the Argo interpreter on
Argo), reads it back with `runs show` and `runs logs` in this process (a subprocess would
add only its start-up), and collects every byte written (files, S3 objects) and printed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from dotenv import dotenv_values

from runplane.app import masking
from tests.integration import moto_server
from tests.integration.argo_interpreter import Interpreter
from tests.integration.conftest import HAVE_BOTO3, HAVE_HVAC, HAVE_MOTO, PIPELINES, RUNPLANE

NAMES = ("key_one", "key_two")


@dataclass(frozen=True)
class Setup:
    executor: str  # local, local-subprocess or argo
    store: str  # file-system, chunked-fs or s3 (with the S3 catalog)
    secrets: str  # env, dotenv or vault

    def __str__(self) -> str:
        return f"{self.executor}/{self.store}/{self.secrets}"


#: A Latin square: each pass of three covers every executor, store and secret store; the
#: nine together pair every executor with every store and secret store, and every store
#: with every secret store. Argo with `env` comes first: there every pod gets every secret
#: from Kubernetes, so a step that declares none holds them all.
ALL = (
    Setup("local", "s3", "vault"),
    Setup("local-subprocess", "chunked-fs", "dotenv"),
    Setup("argo", "file-system", "env"),
    Setup("local", "file-system", "dotenv"),
    Setup("local-subprocess", "s3", "env"),
    Setup("argo", "chunked-fs", "vault"),
    Setup("local", "chunked-fs", "env"),
    Setup("local-subprocess", "file-system", "vault"),
    Setup("argo", "s3", "dotenv"),
)


def available(setup: Setup) -> bool:
    """Whether this machine has what the setup needs (moto and boto3, hera, hvac)."""
    needs = {
        setup.store == "s3": HAVE_MOTO and HAVE_BOTO3,
        setup.executor == "argo": importlib.util.find_spec("hera") is not None,
        setup.secrets == "vault": HAVE_HVAC,
    }
    return all(have for needed, have in needs.items() if needed)


ROTATION = tuple(setup for setup in ALL if available(setup))


def dotenv_line(name: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{name}="{escaped}"\n'


def dotenv_holds(values: dict[str, str], folder: Path) -> bool:
    """Whether python-dotenv reads these values back as they are (it cannot hold some)."""
    path = folder / "probe.env"
    path.write_text("".join(dotenv_line(k, v) for k, v in values.items()))
    try:
        return dotenv_values(path) == values
    finally:
        path.unlink()


@dataclass
class Trial:
    """One run of the channels pipeline under `setup`, in `scratch`, and what it left."""

    setup: Setup
    scratch: Path
    values: dict[str, str]
    vault: Any  # the fake Vault server
    s3: Any = None  # a boto3 client on moto, for S3 setups
    moto_url: str = ""
    bucket: str = ""
    printed: list[bytes] = field(default_factory=list)

    @property
    def work(self) -> Path:
        """The folder commands run in (on Argo: the image each pod starts from)."""
        return self.scratch / "work"

    def run(self) -> None:
        """Run (it fails at `explode`, twice), then show the run and three steps' output."""
        self.work.mkdir()
        shutil.copy(PIPELINES / "leak_channels.py", self.work / "pipeline.py")
        if self.setup.secrets == "dotenv":
            text = "".join(dotenv_line(k, v) for k, v in self.values.items())
            (self.work / ".env").write_text(text)
        if self.setup.secrets == "vault":
            self.vault.write("secret", "leaks", self.values)
        if self.s3 is not None:
            self.s3.create_bucket(Bucket=self.bucket)
        if self.setup.executor == "argo":
            self._run_on_argo()
        else:
            self._run_locally()
        for args in (
            ("runs", "show", "r", "--json"),
            ("runs", "show", "r"),
            ("runs", "logs", "r", "both.hold.holder"),
            ("runs", "logs", "r", "both.peek.peeker"),
            ("runs", "logs", "r", "shell"),
        ):
            code, out = in_process(self.work, self.env(), *args, "-c", "read.json")
            assert code == 0, out.decode(errors="replace")
            self.printed.append(out)

    def written(self) -> Iterator[tuple[str, bytes]]:
        """Every file in the scratch folder (not the dotenv store's own) and every S3 object."""
        for path in self.scratch.rglob("*"):
            if path.is_file() and path.name != ".env":
                yield str(path.relative_to(self.scratch)), path.read_bytes()
        if self.s3 is not None:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for item in page.get("Contents", []):
                    body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"]
                    yield f"s3://{self.bucket}/{item['Key']}", body.read()

    def env(self) -> dict[str, str]:
        """The environment of the commands: this one's, minus runplane's and Vault's own."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("RUNPLANE_", "VAULT_", "AWS_", "LEAK_"))
        }
        env.update(COLUMNS="200", NO_PROXY="127.0.0.1,localhost", HOME=str(self.scratch))
        if self.setup.secrets == "env":
            env.update(self.values)
        if self.setup.secrets == "vault":
            env["VAULT_TOKEN"] = "root-token"
        if self.s3 is not None:  # test credentials only: no developer profile
            none = str(self.scratch / "no-aws-files")
            env.update(moto_server.TEST_ENV, AWS_CONFIG_FILE=none, AWS_SHARED_CREDENTIALS_FILE=none)
        return env

    def config(self, root: str) -> dict[str, Any]:
        """The configuration, its run log and catalog under `root` (unless on S3)."""
        if self.setup.store == "s3":
            s3 = {"bucket": self.bucket, "endpoint_url": self.moto_url}
            store = {"type": "s3", "config": {**s3, "prefix": "logs/"}}
            catalog = {"type": "s3", "config": {**s3, "prefix": "cat/"}}
        else:
            store = {"type": self.setup.store, "config": {"log_folder": f"{root}logs"}}
            catalog = {"type": "file-system", "config": {"catalog_location": f"{root}cat"}}
        return {"run_log_store": store, "catalog": catalog, "secrets": self._secrets_section()}

    def _secrets_section(self) -> dict[str, Any]:
        if self.setup.secrets == "env":
            return {"type": "env-secrets-manager"}
        if self.setup.secrets == "dotenv":
            return {"type": "dotenv"}
        return {"type": "vault", "config": {"url": self.vault.url, "path": "leaks", "timeout": 5}}

    def _run_locally(self) -> None:
        config = self.config("")
        executor = {"type": self.setup.executor, "config": {"max_workers": 2}}
        (self.work / "c.yaml").write_text(json.dumps({"executor": executor, **config}))
        (self.work / "read.json").write_text(json.dumps(config))
        run = ["run", "pipeline.py", "-c", "c.yaml", "--run-id", "r"]
        done = subprocess.run(
            [RUNPLANE, *run],
            cwd=self.work,
            env=self.env(),
            capture_output=True,
            timeout=180,
            check=False,
        )
        self.printed.append(done.stdout + done.stderr)
        assert done.returncode == 1, (done.stdout + done.stderr).decode(errors="replace")

    def _run_on_argo(self) -> None:
        """Render in this process (`runplane render` prints the manifest), then run the pods.

        `env` secrets come from a Kubernetes secret every pod receives; the others as on a
        laptop (the `.env` file is in the image; the Vault token and AWS credentials are
        the image's environment). The parallel branches meet through a shared folder
        (`LEAK_SYNC`), as each pod has a folder of its own.
        """
        volume, pods, sync = (self.scratch / name for name in ("volume", "pods", "sync"))
        for folder in (volume, pods, sync):
            folder.mkdir()
        executor: dict[str, Any] = {
            "image": "leaks",
            "persistent_volumes": [{"name": "runplane-volume", "mount_path": "/mnt"}],
        }
        if self.setup.secrets == "env":
            executor["secrets_from_k8s"] = [
                {"environment_variable": n, "secret_name": "leaks", "secret_key": n} for n in NAMES
            ]
        config = {"executor": {"type": "argo", "config": executor}, **self.config("/mnt/")}
        (self.scratch / "argo.json").write_text(json.dumps(config))
        (self.work / "read.json").write_text(json.dumps(self.config(f"{volume}/")))
        manifest = render(self.scratch / "argo.json", self.work / "pipeline.py", self.env())
        self.printed.append(yaml.safe_dump(manifest, allow_unicode=True).encode())
        image_env = {k: v for k, v in self.env().items() if k.startswith(("AWS_", "VAULT_"))}
        interpreter = Interpreter(
            manifest,
            image=self.work,
            volumes={"runplane-volume": volume},
            scratch=pods,
            runplane=RUNPLANE,
            secrets={"leaks": self.values},
            image_env={**image_env, "NO_PROXY": "127.0.0.1,localhost", "LEAK_SYNC": str(sync)},
        )
        phase = interpreter.run("r")
        self.printed += [pod.output.encode() for pod in interpreter.pods]
        failed = [pod.template for pod in interpreter.pods if pod.code != 0]
        expected = ["explode", "explode", "finish-run"]  # finish-run: the run failed
        assert (phase, failed) == ("Failed", expected), "\n".join(
            pod.output for pod in interpreter.pods
        )


def render(config: Path, pipeline: Path, env: dict[str, str]) -> dict[str, Any]:
    """What `runplane render` prints, made in this process."""
    from runplane.sdk import service  # noqa: PLC0415

    with mock.patch.dict(os.environ, env, clear=True):
        app = service(str(config))
        manifest: dict[str, Any] = app.render(
            app.load_pipeline(str(pipeline)), pipeline_file=pipeline.name
        )
    return manifest


def in_process(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, bytes]:
    """A `runplane` command run in this process by the console script's own `main`.

    Everything but the new process: the same wiring, the masking routers on the output,
    the exit code. The masking registry starts empty, as in a new process, so the command
    finds the values to mask itself.
    """
    from runplane.console import main  # noqa: PLC0415

    masking.forget_all()
    out, err = io.BytesIO(), io.BytesIO()
    code: int | str | None = 0
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(mock.patch.dict(os.environ, env, clear=True))
        stack.enter_context(mock.patch.object(sys, "argv", ["runplane", *args]))
        for name, buffer in (("stdout", out), ("stderr", err)):
            stream = io.TextIOWrapper(buffer, encoding="utf-8", write_through=True)
            stack.enter_context(mock.patch.object(sys, name, stream))
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.stdout.flush()  # the routers main() installed hold a partial last line
            sys.stderr.flush()
            printed = out.getvalue() + err.getvalue()  # before the wrappers close them
    number = code if isinstance(code, int) else (0 if code is None else 1)
    return number, printed
