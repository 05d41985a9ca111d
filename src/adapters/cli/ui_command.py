"""`runplane ui`: serve the web app the CLI is handed over this configuration's runs."""

from __future__ import annotations

import ipaddress
import threading
import webbrowser
from typing import Annotated, Optional

import typer

from runplane.adapters.cli.commands import ConfigOption, DebugOption, _user_errors, cli, err
from runplane.adapters.cli.wiring import queries_of, web_app_of

DEFAULT_PORT = 8265


@cli.command()
def ui(
    ctx: typer.Context,
    config_file: ConfigOption = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; loopback unless you say so.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = DEFAULT_PORT,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the runs page in a web browser.")
    ] = False,
    token: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--token",
            envvar="RUNPLANE_UI_TOKEN",
            help="Require this token on every request (?token=, or a bearer header).",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Browse, watch and compare runs in a local web app (read-only; needs the ui extra)."""
    make_web_app = web_app_of(ctx)
    loopback = _loopback(host)
    with _user_errors(debug):
        queries = queries_of(ctx, config_file)
    try:
        import uvicorn  # noqa: PLC0415  (an optional extra: only this command needs it)

        web = make_web_app(queries, token=token, host=host, loopback=loopback)
    except ImportError as exc:
        raise typer.BadParameter(
            f"runplane ui needs the 'ui' extra ({exc.name} is missing): pip install 'runplane[ui]'"
        ) from None
    if not loopback and not token:
        err.print(
            f"warning: serving on {host} without --token: anyone who reaches this address "
            "can read every run",
            markup=False,
            highlight=False,
        )
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    err.print(f"runplane ui: serving on {url} (Ctrl-C stops)", markup=False, highlight=False)
    if open_browser:
        # The server starts listening right after this; the browser retries until it does.
        threading.Timer(0.5, webbrowser.open, [url]).start()
    uvicorn.run(web, host=host, port=port, log_level="warning")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
