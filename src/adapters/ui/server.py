"""The web app: Starlette routes rendering Jinja2 templates from `pages`; read-only."""

from __future__ import annotations

import hmac
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from runplane.adapters.presentation.graph_html import legend
from runplane.adapters.ui import files, pages
from runplane.adapters.ui.metrics_plot import metrics_page
from runplane.domain.errors import (
    CatalogError,
    ParameterError,
    RunLogError,
    RunLogNotFoundError,
)
from runplane.domain.run_log import CatalogEntry
from runplane.ports.queries import RunQueries

HERE = Path(__file__).parent
TOKEN_COOKIE = "runplane_ui_token"


#: Host names a loopback server answers to. A page elsewhere can point its own domain at
#: 127.0.0.1 (DNS rebinding) and read the answers; checking the Host header stops that.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def app_for(queries: RunQueries, *, token: str | None, host: str, loopback: bool) -> Starlette:
    """The web app for `runplane ui --host`: on loopback it answers only loopback names."""
    return build_app(queries, token=token, hosts=[*LOOPBACK_NAMES, host] if loopback else None)


def build_app(
    app: RunQueries, *, token: str | None = None, hosts: Sequence[str] | None = None
) -> Starlette:
    """The web app over `app`'s query side.

    With `token`, every request must carry it; with `hosts`, only requests addressed to one
    of those host names are answered (others get 400).
    """
    handlers = _Handlers(app)
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))] if hosts else []
    if token:
        middleware.append(Middleware(_TokenCheck, token=token))
    return Starlette(
        routes=[
            Route("/", handlers.runs),
            Route("/runs/{run_id}", handlers.run),
            Route("/runs/{run_id}/file", handlers.file),
            Route("/runs/{run_id}/object", handlers.object),
            Route("/compare", handlers.compare),
            Route("/metrics", handlers.metrics),
            # An editable install links the package's files: follow those links.
            Mount(
                "/static",
                StaticFiles(directory=HERE / "static", follow_symlink=True),
                name="static",
            ),
        ],
        middleware=middleware,
    )


class _Handlers:
    """One method per page; errors a user can cause become a page saying what was wrong."""

    def __init__(self, app: RunQueries) -> None:
        self.app = app
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
        )

    def render(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(legend=legend(), **context)
        return HTMLResponse(html, status_code=status_code)

    def error(self, status_code: int, title: str, message: str) -> HTMLResponse:
        return self.render("error.html", status_code, title=title, message=message)

    async def runs(self, request: Request) -> Response:
        query = request.query_params
        filters = {k: query.get(k, "") for k in ("status", "tag", "since", "text")}
        try:
            page = pages.runs_page(self.app, page=_int(query.get("page"), 1), **filters)
        except ParameterError as exc:
            return self.error(400, "bad filter", str(exc))
        return self.render("runs.html", title="runs", page=page, filters=filters)

    async def run(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        try:
            page = pages.run_page(self.app, run_id, request.query_params.get("step") or None)
        except RunLogNotFoundError as exc:
            return self.error(404, "no such run", str(exc))
        except RunLogError as exc:  # an unknown step path of a known run
            return self.error(404, "no such step", str(exc))
        return self.render("run.html", title=f"run {run_id}", page=page)

    async def file(self, request: Request) -> Response:
        """A step's catalog file: a preview page, or with `download=1` its recorded bytes."""
        run_id, query = request.path_params["run_id"], request.query_params
        step, name = query.get("step", ""), query.get("name", "")
        try:
            entry = files.step_file(self.app.get_run(run_id), step, name)
            if query.get("download"):
                return download(self.app, run_id, entry, PurePosixPath(name).name)
            shown = files.preview(self.app, run_id, entry)
        except RunLogError as exc:  # no such run, step or file
            return self.error(404, "no such file", str(exc))
        except CatalogError as exc:  # the recorded version is gone or changed
            return self.error(409, "file unavailable", str(exc))
        title = f"{name} of {step} in run {run_id}"
        return self.render("file.html", title=title, run_id=run_id, step=step, file=shown)

    async def object(self, request: Request) -> Response:
        """An object a step returned, as its recorded pickle (hash-checked)."""
        run_id, query = request.path_params["run_id"], request.query_params
        try:
            log = self.app.get_run(run_id)
            entry, filename = files.step_object(log, query.get("step", ""), query.get("name", ""))
            return download(self.app, run_id, entry, filename)
        except RunLogError as exc:
            return self.error(404, "no such object", str(exc))
        except CatalogError as exc:
            return self.error(409, "object unavailable", str(exc))

    async def compare(self, request: Request) -> Response:
        ids = [r.strip() for r in request.query_params.get("runs", "").split(",") if r.strip()]
        if len(ids) < 2:  # noqa: PLR2004
            return self.error(400, "compare", "compare needs two runs or more: ?runs=a,b[,c]")
        try:
            page = pages.compare_page(self.app, ids)
        except RunLogNotFoundError as exc:
            return self.error(404, "no such run", str(exc))
        return self.render("compare.html", title="compare " + ", ".join(ids), page=page)

    async def metrics(self, request: Request) -> Response:
        query = request.query_params
        by_time = query.get("by") == "time"
        page = metrics_page(
            self.app, query.get("pipeline", ""), query.get("metric", ""), by_time=by_time
        )
        return self.render("metrics.html", title="metrics", page=page, by_time=by_time)


def download(queries: RunQueries, run_id: str, entry: CatalogEntry, filename: str) -> Response:
    """The recorded version of `entry` as an attachment, hash-checked before it is sent.

    Always `application/octet-stream` and `nosniff`: a file a step wrote must never be
    rendered as a page of this app (its scripts would run with the app's rights).
    """
    scratch = tempfile.mkdtemp(prefix="runplane-ui-")
    try:
        (path,) = queries.fetch(run_id, [entry], Path(scratch))
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=filename,
        headers={"X-Content-Type-Options": "nosniff"},
        background=BackgroundTask(shutil.rmtree, scratch, ignore_errors=True),
    )


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


class _TokenCheck:
    """Let a request through when it carries the token: `?token=`, bearer header or cookie.

    A correct `?token=` also sets a cookie, so links inside the app need not repeat it.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get("token")
        header = request.headers.get("authorization", "")
        offered = [
            given,
            header.removeprefix("Bearer ") if header.startswith("Bearer ") else None,
            request.cookies.get(TOKEN_COOKIE),
        ]
        if not any(o is not None and hmac.compare_digest(o, self.token) for o in offered):
            denied = PlainTextResponse(
                "runplane ui: this server needs its token: open the address `runplane ui` "
                "printed (it ends in ?token=...), or send 'Authorization: Bearer <token>'",
                status_code=401,
            )
            await denied(scope, receive, send)
            return
        if given is not None:

            async def with_cookie(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    cookie = f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
                    message["headers"] = [*message["headers"], (b"set-cookie", cookie.encode())]
                await send(message)

            await self.app(scope, receive, with_cookie)
            return
        await self.app(scope, receive, send)
