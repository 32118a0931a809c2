"""``lahar serve``: the REST API and the dashboard on this machine (FastAPI + uvicorn).

Binds 127.0.0.1 by default: only this machine can reach it. The app is :func:`lahar.web.create_app`;
``docs/web.md`` lists its endpoints and its safety rules.
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer

from lahar.cli._common import StoreOption, fail_on_lahar_error
from lahar.errors import DataError

__all__ = ["register"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_ANY = ("0.0.0.0", "::", "")


def _host_names(host: str) -> list[str]:
    """The ``Host`` names the app answers to besides loopback, for a server bound to ``host``.

    The bound address itself (an IPv6 one in brackets, as a ``Host`` header writes it) and, for
    a wildcard address, this machine's names.
    """
    if host in _LOOPBACK:
        return []
    if host in _ANY:
        return sorted({socket.gethostname(), socket.getfqdn()} - {""})
    return [f"[{host}]" if ":" in host else host]


def _free(host: str, port: int) -> None:
    """Refuse early, in one line, when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise typer.BadParameter(
            f"cannot resolve {host!r}: {exc.strerror}", param_hint="--host"
        ) from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise DataError(
                    f"port {port} on {host} is in use; choose another with --port"
                ) from None
            raise DataError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve_cmd(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on (default 127.0.0.1: this machine only).",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")
    ] = 8765,
    store: StoreOption = None,
    max_draws: Annotated[
        int,
        typer.Option(
            "--max-draws",
            min=1,
            max=10**7,
            help="Most Monte Carlo draws one posted run may ask for.",
        ),
    ] = 20_000,
) -> None:
    """Serve the REST API (/api/) and the dashboard (/) of a store on HOST:PORT."""
    try:
        import uvicorn

        from lahar.web import create_app
    except ImportError:
        raise DataError("lahar serve needs FastAPI and uvicorn: pip install 'lahar[web]'") from None
    from lahar.store import default_store_path

    path = store or default_store_path()
    with fail_on_lahar_error():
        _free(host, port)
        app = create_app(path, max_draws=max_draws, allowed_hosts=_host_names(host))
    if host not in _LOOPBACK:
        typer.echo(
            f"warning: listening on {host}: anyone who can reach it can read the store and "
            "queue runs (there is no login)",
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"lahar: serving {path} at http://{shown}:{port}/ (Ctrl-C stops it)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the app."""
    app.command("serve")(serve_cmd)
