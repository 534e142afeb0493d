"""``silkhub serve``: prepare the database once, then run one or several uvicorn workers.

With ``--workers N`` (N > 1) the parent process migrates the database, loads reference (and demo)
data and settles the secret key *before* it starts the workers, so the workers never race on
them; each worker builds its app with :func:`silkhub.server.app_factory`. The workers share
nothing but the database (sessions, login rate limits) and the secret key (CSRF and session
signatures); Prometheus metrics are aggregated through ``PROMETHEUS_MULTIPROC_DIR`` (a fresh
temporary directory when not set).

TCP_NODELAY: a single uvicorn worker listens through ``asyncio.create_server``, which sets
TCP_NODELAY on every accepted connection. With several workers uvicorn binds the socket itself
(``socket.socket(family)``, protocol 0), and asyncio then skips TCP_NODELAY (it checks
``proto == IPPROTO_TCP``): Nagle's algorithm plus delayed ACKs add ~40 ms to keep-alive
answers. :class:`NoDelayConfig` sets the option on the listening socket; Linux copies it to the
accepted connections.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile

import uvicorn

from silkhub.cli.output import console
from silkhub.logging_setup import uvicorn_log_config

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class NoDelayConfig(uvicorn.Config):
    """uvicorn's config whose listening socket has TCP_NODELAY (inherited by connections)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        set_nodelay(sock)
        return sock


def set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _multiproc_dir() -> str | None:
    """Point prometheus-client's multi-process mode at an empty directory (ours if unset)."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):  # values of a previous run would be added to ours
            if name.endswith(".db"):
                os.unlink(os.path.join(path, name))
        return None
    path = tempfile.mkdtemp(prefix="silkhub-metrics-")
    os.environ[MULTIPROC_ENV] = path
    return path


def _print_demo_accounts(rt) -> None:
    """First run of a demo install: create the demo accounts and print their passwords once."""
    from silkhub.hub.demo import create_demo_accounts

    made = create_demo_accounts(rt)
    if not made:
        return
    console.print("[bold]demo accounts[/bold] (passwords shown only now; sign in at /login):")
    for role, email, password in made:
        console.print(f"  {role:<7} {email:<28} password: {password}", soft_wrap=True)


def serve(*, host: str, port: int, demo: bool, reload: bool, workers: int) -> None:
    """Prepare once, then serve (see the module docstring)."""
    from silkhub.cli.common import runtime
    from silkhub.demo import load_demo

    rt = runtime()
    if demo and rt.settings.demo:
        for line in load_demo(rt):
            console.print(line)
        _print_demo_accounts(rt)
    rt.settings.ensure_secret_key()
    if workers > 1 and rt.engine.dialect.name == "sqlite":
        console.print(
            "[yellow]note:[/yellow] several workers on SQLite serialise every write; "
            "use PostgreSQL in production (docs/deploy.md)"
        )
    console.print(
        f"silkhub serving on http://{host}:{port} with {workers} worker(s)  "
        "(API docs: /api/v1/docs, metrics: /metrics)"
    )
    log_config = uvicorn_log_config()
    if workers == 1 and not reload:
        from silkhub.server import create_app, warm_up

        uvicorn.run(
            warm_up(create_app(runtime=rt, init=False)),
            host=host,
            port=port,
            log_config=log_config,
            access_log=False,
            proxy_headers=False,  # the app believes SILKHUB_TRUSTED_PROXIES only
        )
        return
    # several processes: each worker builds its own runtime from the same settings; pass the
    # settled secret key and database URL on, in case they came from the data dir or defaults
    os.environ.setdefault("SILKHUB_SECRET_KEY", rt.settings.ensure_secret_key())
    os.environ.setdefault("SILKHUB_DATABASE_URL", rt.settings.database_url or "")
    os.environ.setdefault("SILKHUB_DATA_DIR", str(rt.settings.data_dir))
    rt.dispose()
    own_dir = _multiproc_dir() if workers > 1 else None
    config = NoDelayConfig(
        "silkhub.server:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_config=log_config,
        access_log=False,
        # uvicorn would believe X-Forwarded-For from any local peer; the app's own middleware
        # believes SILKHUB_TRUSTED_PROXIES only (docs/security.md)
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    try:
        sock = config.bind_socket()
        if config.should_reload:
            from uvicorn.supervisors import ChangeReload

            ChangeReload(config, target=server.run, sockets=[sock]).run()
        else:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        if own_dir:
            shutil.rmtree(own_dir, ignore_errors=True)
